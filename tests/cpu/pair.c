/*
 * A differential run and its comparison. Compared: the 16 general
 * registers, RIP, RFLAGS (CMP_FLAGS less the flags the case says are
 * undefined), the scratch memory, and how the run ended: at the end of
 * the code, or by an exception with the same vector, error code, CR2
 * (#PF) and state at the fault (the host's comes from Linux's signal
 * context, the interpreter's from its exception frame). For an exception
 * RF is compared too: the CPU pushes it set for every fault-class
 * exception (SDM Vol. 3, 17.3.1.1).
 */
#include <stdio.h>
#include <string.h>
#include "layout.h"
#include "native.h"
#include "pair.h"

static const char *const reg_names[16] = {
    "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
    "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};

static size_t loaded_len;
static uint8_t code_page[CODE_SIZE];    /* as loaded: a case may modify it */

void pair_inputs(struct rng *g, struct cpu_state *in, uint8_t *scratch)
{
    for (int i = 0; i < 16; i++)
        in->r[i] = edge_value(g);
    in->r[X86_RSP] = STACK_TOP;
    in->rip = CODE_VA;
    in->rflags = 0x202 | (rng_next(g) & (X86_ARITH_FLAGS | X86_DF));
    for (uint64_t off = 0; off < SCRATCH_SIZE; off += 8) {
        uint64_t v = edge_value(g);
        memcpy(scratch + off, &v, 8);
    }
}

void pair_load(struct rig *r, const uint8_t *code, size_t len)
{
    native_load(code, len);
    memcpy(code_page, (const void *)CODE_VA, CODE_SIZE);
    loaded_len = len;
}

/* both sides start from the code as loaded (exit stub included: the
 * interpreter's copy has the bytes the host runs) */
static void load_code(struct rig *r)
{
    memcpy((void *)CODE_VA, code_page, CODE_SIZE);
    __builtin___clear_cache((char *)CODE_VA, (char *)CODE_VA + CODE_SIZE);
    memcpy(rig_phys(r, CODE_PA), code_page, CODE_SIZE);
}

void format_regs(char *buf, size_t n, const struct cpu_state *s)
{
    size_t k = 0;
    for (int i = 0; i < 16 && k < n; i++)
        k += (size_t)snprintf(buf + k, n - k, "%s=%#llx ", reg_names[i],
                              (unsigned long long)s->r[i]);
    if (k < n)
        snprintf(buf + k, n - k, "fl=%#llx", (unsigned long long)s->rflags);
}

static const char *end_name(const struct outcome *o, char *buf, size_t n)
{
    if (o->other)
        return o->other;
    if (o->vector < 0)
        return "end";
    snprintf(buf, n, "vector %d", o->vector);
    return buf;
}

#define ADD(...) do { if (k < n) k += (size_t)snprintf(msg + k, n - k, __VA_ARGS__); } while (0)

static bool compare(struct rig *r, const struct outcome *h, const uint8_t *hmem,
                    const struct outcome *e, const uint8_t *emem, uint64_t undef,
                    char *msg, size_t n)
{
    size_t k = 0;
    char b1[64], b2[64];
    if (e->other || h->vector != e->vector) {
        ADD(" end: host %s, interp %s;", end_name(h, b1, sizeof b1), end_name(e, b2, sizeof b2));
        if (r->unknown) {
            ADD(" interp does not know");
            for (unsigned i = 0; i < r->unknown_n; i++)
                ADD(" %02x", r->unknown_bytes[i]);
            ADD(" at %#llx;", (unsigned long long)r->unknown_rip);
        }
        if (e->other)
            return false;
    }
    for (int i = 0; i < 16; i++)
        if (h->s.r[i] != e->s.r[i])
            ADD(" %s: host %#llx interp %#llx;", reg_names[i],
                (unsigned long long)h->s.r[i], (unsigned long long)e->s.r[i]);
    if (h->s.rip != e->s.rip)
        ADD(" rip: host %#llx interp %#llx;", (unsigned long long)h->s.rip,
            (unsigned long long)e->s.rip);
    uint64_t mask = CMP_FLAGS & ~undef;
    if (h->vector >= 0 && h->vector == e->vector)
        mask |= X86_RF;
    if ((h->s.rflags ^ e->s.rflags) & mask)
        ADD(" rflags: host %#llx interp %#llx (compared %#llx);",
            (unsigned long long)h->s.rflags, (unsigned long long)e->s.rflags,
            (unsigned long long)mask);
    if (h->vector >= 0 && h->vector == e->vector) {
        if (vector_has_error(h->vector) && h->error != e->error)
            ADD(" error code: host %#x interp %#x;", h->error, e->error);
        if (h->vector == X86_PF_VEC && h->cr2 != e->cr2)
            ADD(" cr2: host %#llx interp %#llx;", (unsigned long long)h->cr2,
                (unsigned long long)e->cr2);
        const struct frame *f = &r->frame;
        uint64_t want_sp = KSTACK_TOP - 40 - (f->has_error ? 8 : 0);
        if (f->cs != SEL_UCODE || f->ss != SEL_UDATA || f->rsp_after != want_sp)
            ADD(" frame: cs %#llx ss %#llx handler rsp %#llx (want %#x %#x %#llx);",
                (unsigned long long)f->cs, (unsigned long long)f->ss,
                (unsigned long long)f->rsp_after, SEL_UCODE, SEL_UDATA,
                (unsigned long long)want_sp);
    }
    if (memcmp(hmem, emem, SCRATCH_SIZE)) {
        size_t first = 0, count = 0;
        for (size_t i = SCRATCH_SIZE; i-- > 0;)
            if (hmem[i] != emem[i]) {
                first = i;
                count++;
            }
        ADD(" memory: %zu bytes differ, first at %#llx: host %02x interp %02x;", count,
            (unsigned long long)(SCRATCH_VA + first), hmem[first], emem[first]);
    }
    if (r->nlog)
        ADD(" interp made %d bus accesses;", r->nlog);
    return k == 0;
}

void pair_host_dump(const char *name, const struct cpu_state *in, const uint8_t *scratch)
{
    static uint8_t hmem[SCRATCH_SIZE];
    struct outcome h;
    char regs[512];
    memcpy((void *)CODE_VA, code_page, CODE_SIZE);
    native_run(in, scratch, &h, hmem);
    if (h.vector < 0)
        h.s.rip = CODE_VA + loaded_len;
    format_regs(regs, sizeof regs, &h.s);
    printf("host %s: vector %d error %#x cr2 %#llx rip %#llx; %s\n", name, h.vector, h.error,
           (unsigned long long)h.cr2, (unsigned long long)h.s.rip, regs);
}

bool pair_run(struct rig *r, const struct cpu_state *in, const uint8_t *scratch,
              uint64_t undef, char *msg, size_t n)
{
    static uint8_t hmem[SCRATCH_SIZE], emem[SCRATCH_SIZE];
    struct outcome h, e;
    rig_reset(r);
    load_code(r);
    memcpy(rig_phys(r, SCRATCH_PA), scratch, SCRATCH_SIZE);
    native_run(in, scratch, &h, hmem);
    if (h.vector < 0)
        h.s.rip = CODE_VA + loaded_len;

    rig_enter_user(r, in);
    rig_run(r, CODE_VA + loaded_len, 100000, &e);
    memcpy(emem, rig_phys(r, SCRATCH_PA), SCRATCH_SIZE);
    return compare(r, &h, hmem, &e, emem, undef, msg, n);
}

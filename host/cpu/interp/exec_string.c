/* String instructions: MOVS, CMPS, STOS, LODS, SCAS, INS, OUTS, with REP,
 * REPE, REPNE (SDM Vol. 2, "REP/REPE/REPZ/REPNE/REPNZ"). The source may
 * take a segment override; the destination is always ES. */
#include "cpu/interp/exec.h"
#include "cpu/interp/sys_internal.h"

/* Iterations of a REP prefix run before the instruction gives the run
 * loop a turn: RIP stays at the instruction with RCX, RSI, RDI updated,
 * as after an interrupt (SDM Vol. 1, 7.3.9.3), and RF set so that an
 * event delivered now pushes it (SDM Vol. 3, 18.3.1.1). Single-stepping
 * (TF) traps after each iteration. */
#define REP_CHUNK 1024

enum str_kind { MOVS, CMPS, STOS, LODS, SCAS, INS, OUTS };

static inline unsigned src_seg(const struct x86_insn *d)
{
    return d->seg_ovr == X86_SEG_NONE ? X86_DS : d->seg_ovr;
}

/* rSI or rDI moved by one element, in the address size */
static inline void advance(struct x86_cpu *c, const struct x86_insn *d, unsigned r)
{
    uint64_t delta = (c->rflags & X86_DF) ? -(uint64_t)d->size : d->size;
    x86_reg_set(c, d, r, d->addrsize, c->r[r] + delta);
}

static inline unsigned io_size(const struct x86_insn *d)
{
    return d->size == 1 ? 1 : d->opsize == 2 ? 2 : 4;
}

/* One element; returns the comparison's ZF for CMPS and SCAS. */
static bool step(struct x86_cpu *c, struct x86_insn *d, enum str_kind k)
{
    uint64_t am = x86_addr_mask(d), si = c->r[X86_RSI] & am, di = c->r[X86_RDI] & am;
    unsigned size = d->size;
    uint64_t a, b;
    uint16_t port = (uint16_t)c->r[X86_RDX];

    switch (k) {
    case MOVS:
        x86_write(c, X86_ES, di, x86_read(c, src_seg(d), si, size), size);
        advance(c, d, X86_RSI);
        advance(c, d, X86_RDI);
        return false;
    case CMPS:
        a = x86_read(c, src_seg(d), si, size);
        b = x86_read(c, X86_ES, di, size);
        advance(c, d, X86_RSI);
        advance(c, d, X86_RDI);
        x86_set_lazy(c, X86_FL_SUB, size, a - b, a, b);
        return ((a - b) & x86_size_mask(size)) == 0;
    case STOS:
        x86_write(c, X86_ES, di, c->r[X86_RAX], size);
        advance(c, d, X86_RDI);
        return false;
    case LODS:
        x86_reg_set(c, d, X86_RAX, size, x86_read(c, src_seg(d), si, size));
        advance(c, d, X86_RSI);
        return false;
    case SCAS:
        a = c->r[X86_RAX];
        b = x86_read(c, X86_ES, di, size);
        advance(c, d, X86_RDI);
        x86_set_lazy(c, X86_FL_SUB, size, a - b, a, b);
        return ((a - b) & x86_size_mask(size)) == 0;
    case INS:
        x86_check_io(c, port, io_size(d));
        a = c->bus.io_in ? c->bus.io_in(c->bus.opaque, port, io_size(d)) : ~0ull;
        x86_device_accessed(c);
        x86_write(c, X86_ES, di, a, size);
        advance(c, d, X86_RDI);
        return false;
    default:            /* OUTS */
        x86_check_io(c, port, io_size(d));
        a = x86_read(c, src_seg(d), si, size);
        if (c->bus.io_out)
            c->bus.io_out(c->bus.opaque, port, a, io_size(d));
        x86_device_accessed(c);
        advance(c, d, X86_RSI);
        return false;
    }
}

/* Whether [off, off + len) lies inside the segment, as an expand-up
 * data segment (64-bit mode has no limits to check). */
static bool within(const struct x86_cpu *c, unsigned seg, uint64_t off, uint64_t len)
{
    const struct x86_seg *s = &c->seg[seg];
    if (c->code64)
        return true;
    if ((s->attr & (X86_TYPE_CODE | X86_TYPE_E)) == X86_TYPE_E)
        return false;
    return off + len - 1 <= s->limit;
}

/* REP MOVS and STOS forward (DF = 0) as one block copy or fill, as far as
 * the source and destination stay in their pages, both RAM, within their
 * segments and the address size, and a copy does not run into its own
 * destination. A fault can then only come from the first element's page
 * checks, so the block is all or nothing like that element. Returns the
 * elements done, 0 when the element-by-element path must run. */
static uint64_t block(struct x86_cpu *c, struct x86_insn *d, enum str_kind k, uint64_t n)
{
    unsigned size = d->size;
    uint64_t am = x86_addr_mask(d), si = c->r[X86_RSI] & am, di = c->r[X86_RDI] & am;
    uint64_t dlin = x86_linear(c, X86_ES, di), slin = 0, dpa, spa = 0;
    uint64_t room = 4096 - (dlin & 0xfff);

    if (k == MOVS) {
        slin = x86_linear(c, src_seg(d), si);
        if (4096 - (slin & 0xfff) < room)
            room = 4096 - (slin & 0xfff);
        if (am - si + 1 < room)
            room = am - si + 1;
    }
    if (am - di + 1 < room)
        room = am - di + 1;
    uint64_t cnt = room / size < n ? room / size : n, bytes = cnt * size;
    if (cnt < 2 || !x86_translate_peek(c, dlin, &dpa) || !x86_ram_ptr(c, dpa, bytes) ||
        !within(c, X86_ES, di, bytes))
        return 0;
    if (k == MOVS) {
        if (!x86_translate_peek(c, slin, &spa) || !x86_ram_ptr(c, spa, bytes) ||
            !within(c, src_seg(d), si, bytes))
            return 0;
        if (dpa > spa && dpa - spa < bytes) {   /* the copy would read what it wrote */
            cnt = (dpa - spa) / size;
            bytes = cnt * size;
            if (cnt < 2)
                return 0;
        }
    }

    uint8_t buf[4096];
    if (k == MOVS) {
        x86_read_bytes(c, src_seg(d), si, buf, (unsigned)bytes);
    } else {
        uint64_t v = c->r[X86_RAX];
        __builtin_memcpy(buf, &v, size);
        for (uint64_t have = size; have < bytes; have *= 2)
            __builtin_memcpy(buf + have, buf, have < bytes - have ? have : bytes - have);
    }
    x86_write_bytes(c, X86_ES, di, buf, (unsigned)bytes);
    if (k == MOVS)
        x86_reg_set(c, d, X86_RSI, d->addrsize, si + bytes);
    x86_reg_set(c, d, X86_RDI, d->addrsize, di + bytes);
    return cnt;
}

static void string_op(struct x86_cpu *c, struct x86_insn *d, enum str_kind k)
{
    if (!d->rep) {
        step(c, d, k);
        return;
    }
    uint64_t am = x86_addr_mask(d), n = c->r[X86_RCX] & am;
    bool cond = k == CMPS || k == SCAS, repe = d->rep == 0xf3;
    unsigned chunk = (c->rflags & X86_TF) ? 1 : REP_CHUNK;
    bool fast = (k == MOVS || k == STOS) && chunk > 1 && !(c->rflags & X86_DF);

    for (unsigned i = 0; n; i++) {
        if (i >= chunk) {
            c->rip = c->insn_rip;
            c->rflags |= X86_RF;
            d->partial = true;
            return;
        }
        uint64_t done = fast ? block(c, d, k, n) : 0;
        if (done) {
            n -= done;
            x86_reg_set(c, d, X86_RCX, d->addrsize, n);
            i += (unsigned)(done / 64);     /* a block counts for less than its elements */
            continue;
        }
        bool zf = step(c, d, k);
        n--;
        x86_reg_set(c, d, X86_RCX, d->addrsize, n);
        if (cond && zf != repe)
            return;
    }
}

void x86_op_movs(struct x86_cpu *c, struct x86_insn *d) { string_op(c, d, MOVS); }
void x86_op_cmps(struct x86_cpu *c, struct x86_insn *d) { string_op(c, d, CMPS); }
void x86_op_stos(struct x86_cpu *c, struct x86_insn *d) { string_op(c, d, STOS); }
void x86_op_lods(struct x86_cpu *c, struct x86_insn *d) { string_op(c, d, LODS); }
void x86_op_scas(struct x86_cpu *c, struct x86_insn *d) { string_op(c, d, SCAS); }
void x86_op_ins(struct x86_cpu *c, struct x86_insn *d) { string_op(c, d, INS); }
void x86_op_outs(struct x86_cpu *c, struct x86_insn *d) { string_op(c, d, OUTS); }

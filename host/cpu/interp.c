/*
 * The interpreter backend: pcemu's own x86 CPU (cpu/interp/) behind the
 * same ops table as KVM. Guest RAM is read and written in place; every
 * other access goes to the machine's address spaces as it happens, so
 * an instruction's port or MMIO access is never widened, queued or
 * reordered.
 *
 * Time is the instruction count: one instruction is INTERP_NS_PER_INSN ns
 * of guest time, the TSC counts INTERP_TSC_PER_INSN per instruction, and
 * the loop's timers (PIT, e1000, slirp) run on that clock. A halted guest
 * jumps to the next deadline (cpu/vcpu.c), so a run that involves no host
 * socket is the same, instruction for instruction, every time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "contract/platform.h"
#include "core/log.h"
#include "cpu/cpu.h"
#include "cpu/interp/fpu.h"
#include "cpu/interp/x86.h"
#include "hw/pic.h"
#include "machine.h"

#define INTERP_NS_PER_INSN  1
#define INTERP_TSC_PER_INSN 1
#define INTERP_TSC_KHZ      (1000000u * INTERP_TSC_PER_INSN / INTERP_NS_PER_INSN)

/* At most this many instructions between two looks at the loop: about a
 * millisecond of host time, so sockets and the monitor stay responsive. */
#define INTERP_SLICE 200000ull

#define UNKNOWN_LOG 64

struct cpu {
    struct machine *m;
    struct x86_cpu x;
    uint64_t slice_end;     /* guest ns where the slice run() entered ends */
    bool window;            /* an interrupt waits for IF (x.irq_window) */
    bool stepping;
    int watch_slot[CPU_MAX_BPS];    /* gdb's slot of each x.watch[] */
    unsigned io, mmio;      /* accesses during this run() */
    uint64_t unknown_rip[UNKNOWN_LOG];
    unsigned nunknown;
};

/* After a device access: the slice ends after its instruction if the
 * loop now has something to do there, an interrupt to deliver (or to
 * wait for IF for) or a timer the access armed for before the slice's
 * end, so that an interrupt it raised is taken at the next boundary, as
 * after a VM exit. Otherwise the loop would only enter the guest again
 * where it is, so the guest runs on: the same interrupts come at the
 * same instructions, without a trip through the loop for each access (a
 * guest polling a port makes hundreds of thousands). While an interrupt
 * already waits for IF the loop has nothing new to do: x86_run comes
 * back when IF lets it in (irq_window). A stop, a pause or a signal
 * kicks the CPU by itself. */
static void accessed(struct cpu *c)
{
    struct machine *m = c->m;
    if ((pic_pending(m->board.pic) && !c->window) ||
        (!m->loop.frozen && loop_next_deadline(&m->loop) < c->slice_end))
        x86_request_stop(&c->x);
}

/* A device access: counted by kind, then the slice may have to end. */
static uint64_t bus_read(struct cpu *c, unsigned *count, struct address_space *as,
                         uint64_t addr, unsigned size)
{
    ++*count;
    uint64_t v = as_read(as, addr, size);
    accessed(c);
    return v;
}

static void bus_write(struct cpu *c, unsigned *count, struct address_space *as,
                      uint64_t addr, uint64_t v, unsigned size)
{
    ++*count;
    as_write(as, addr, v, size);
    accessed(c);
}

static uint64_t mem_read(void *opaque, uint64_t pa, unsigned size)
{
    struct cpu *c = opaque;
    return bus_read(c, &c->mmio, &c->m->mem_as, pa, size);
}

static void mem_write(void *opaque, uint64_t pa, uint64_t v, unsigned size)
{
    struct cpu *c = opaque;
    bus_write(c, &c->mmio, &c->m->mem_as, pa, v, size);
}

static uint64_t io_in(void *opaque, uint16_t port, unsigned size)
{
    struct cpu *c = opaque;
    return bus_read(c, &c->io, &c->m->io_as, port, size);
}

static void io_out(void *opaque, uint16_t port, uint64_t v, unsigned size)
{
    struct cpu *c = opaque;
    bus_write(c, &c->io, &c->m->io_as, port, v, size);
}

/* One warning per instruction address: a guest looping over the same
 * unknown instruction says so once. The bytes shown are the eight at
 * RIP (as many as are mapped), whatever the decoder had read. */
static void unknown(void *opaque, uint64_t rip, const uint8_t *bytes, unsigned n)
{
    struct cpu *c = opaque;
    for (unsigned i = 0; i < c->nunknown; i++)
        if (c->unknown_rip[i] == rip)
            return;
    if (c->nunknown < UNKNOWN_LOG)
        c->unknown_rip[c->nunknown++] = rip;
    uint8_t code[8];
    unsigned len = 0;
    uint64_t pa;
    const uint8_t *p;
    for (; len < sizeof code; len++) {
        uint64_t lin = c->x.seg[X86_CS].base + rip + len;
        if (!x86_translate_peek(&c->x, lin, &pa) || !(p = x86_ram_ptr(&c->x, pa, 1)))
            break;
        code[len] = *p;
    }
    if (len < n && n <= sizeof code) {
        memcpy(code, bytes, n);
        len = n;
    }
    char hex[sizeof code * 3 + 1] = "";
    for (unsigned i = 0; i < len; i++)
        snprintf(hex + 3 * i, sizeof hex - 3 * i, "%02x ", code[i]);
    if (len)
        hex[3 * len - 1] = 0;
    log_warn("interpreter: an instruction it does not execute at RIP 0x%llx (bytes there: %s): "
             "the guest gets #UD", (unsigned long long)rip, hex);
}

static struct cpu *create(struct machine *m, char *why, size_t whylen)
{
    struct cpu *c = zalloc_or_why(sizeof *c, why, whylen);
    if (!c)
        return NULL;
    c->m = m;
    x86_cpuid_tsc_khz = INTERP_TSC_KHZ;
    struct x86_ram ram = { m->ram, m->lowmem, PCEMU_HIGHMEM_BASE, m->highmem };
    struct x86_bus bus = { c, mem_read, mem_write, io_in, io_out, unknown };
    x86_init(&c->x, &ram, &bus);
    /* the x87 and SSE state a kernel finds is what KVM gives a new vcpu,
     * FNINIT's (exceptions masked), not the power-on state, so both
     * backends start a kernel alike */
    x86_fpu_init(&c->x.fpu);
    c->x.tsc_per_insn = INTERP_TSC_PER_INSN;
    return c;
}

static void destroy(struct cpu *c)
{
    free(c);
}

/* cpu_seg <-> the descriptor cache's attribute word (x86.h) */
static uint16_t attr_of(const struct cpu_seg *s)
{
    return (uint16_t)((s->type & 15) | (s->s & 1) << 4 | (s->dpl & 3) << 5 |
                      (s->present & 1) << 7 | (s->avl & 1) << 12 | (s->l & 1) << 13 |
                      (s->db & 1) << 14 | (s->g & 1) << 15);
}

static void seg_from(const struct x86_seg *x, struct cpu_seg *s)
{
    uint16_t a = x->attr;
    *s = (struct cpu_seg){
        .base = x->base, .limit = x->limit, .selector = x->sel, .type = a & 15,
        .s = !!(a & X86_ATTR_S), .dpl = (uint8_t)X86_ATTR_DPL(a), .present = !!(a & X86_ATTR_P),
        .avl = !!(a & X86_ATTR_AVL), .l = !!(a & X86_ATTR_L), .db = !!(a & X86_ATTR_DB),
        .g = !!(a & X86_ATTR_G),
    };
}

static struct x86_seg seg_to(const struct cpu_seg *s)
{
    return (struct x86_seg){ s->base, s->limit, s->selector, attr_of(s) };
}

static int set_state(struct cpu *c, const struct cpu_state *s)
{
    struct x86_cpu *x = &c->x;
    const uint64_t r[16] = { s->rax, s->rcx, s->rdx, s->rbx, s->rsp, s->rbp, s->rsi, s->rdi,
                             s->r8, s->r9, s->r10, s->r11, s->r12, s->r13, s->r14, s->r15 };
    memcpy(x->r, r, sizeof r);
    x->rip = s->rip;
    x86_set_rflags(x, s->rflags);
    x->cr0 = s->cr0;
    x->cr2 = s->cr2;
    x->cr3 = s->cr3;
    x->cr4 = s->cr4;
    x->efer = s->efer;
    x->gdtr = (struct x86_dtr){ s->gdt_base, s->gdt_limit };
    x->idtr = (struct x86_dtr){ s->idt_base, s->idt_limit };
    const struct cpu_seg *segs[6] = { &s->es, &s->cs, &s->ss, &s->ds, &s->fs, &s->gs };
    for (int i = 0; i < 6; i++) {
        struct x86_seg v = seg_to(segs[i]);
        x86_set_seg(x, i, &v);
    }
    x->tr = seg_to(&s->tr);
    x->ldtr = seg_to(&s->ldt);
    x86_update_mode(x);
    x86_tlb_flush(x);
    return 0;
}

static int get_state(struct cpu *c, struct cpu_state *s)
{
    struct x86_cpu *x = &c->x;
    *s = (struct cpu_state){
        .rax = x->r[X86_RAX], .rbx = x->r[X86_RBX], .rcx = x->r[X86_RCX],
        .rdx = x->r[X86_RDX], .rsi = x->r[X86_RSI], .rdi = x->r[X86_RDI],
        .rsp = x->r[X86_RSP], .rbp = x->r[X86_RBP],
        .r8 = x->r[8], .r9 = x->r[9], .r10 = x->r[10], .r11 = x->r[11],
        .r12 = x->r[12], .r13 = x->r[13], .r14 = x->r[14], .r15 = x->r[15],
        .rip = x->rip, .rflags = x86_get_rflags(x),
        .gdt_base = x->gdtr.base, .gdt_limit = x->gdtr.limit,
        .idt_base = x->idtr.base, .idt_limit = x->idtr.limit,
        .cr0 = x->cr0, .cr2 = x->cr2, .cr3 = x->cr3, .cr4 = x->cr4, .efer = x->efer,
    };
    struct cpu_seg *segs[6] = { &s->es, &s->cs, &s->ss, &s->ds, &s->fs, &s->gs };
    for (int i = 0; i < 6; i++)
        seg_from(&x->seg[i], segs[i]);
    seg_from(&x->tr, &s->tr);
    seg_from(&x->ldtr, &s->ldt);
    return 0;
}

static uint64_t clock_ns(struct cpu *c)
{
    return c->x.clock * INTERP_NS_PER_INSN;
}

static void idle_until(struct cpu *c, uint64_t ns)
{
    uint64_t t = ns / INTERP_NS_PER_INSN;
    if (t > c->x.clock)
        c->x.clock = t;
}

static uint64_t instructions(struct cpu *c)
{
    return c->x.icount;
}

static bool access_pc(struct cpu *c, uint64_t *pc)
{
    *pc = c->x.seg[X86_CS].base + c->x.insn_rip;
    return true;
}

static void run(struct cpu *c, uint64_t deadline, uint64_t poll_at, struct cpu_exit *e)
{
    struct x86_cpu *x = &c->x;
    uint64_t now = clock_ns(c);
    uint64_t budget = deadline > now ? (deadline - now + INTERP_NS_PER_INSN - 1) / INTERP_NS_PER_INSN
                                     : 1;
    if (budget > INTERP_SLICE)
        budget = INTERP_SLICE;
    (void)poll_at;      /* a slice is well under the loop's polling period */
    c->io = c->mmio = 0;
    c->slice_end = now + budget * INTERP_NS_PER_INSN;
    enum x86_stop why = x86_run(x, budget);
    e->kind = c->mmio ? CPU_EXIT_MMIO : c->io ? CPU_EXIT_IO : CPU_EXIT_NONE;
    switch (why) {
    case X86_STOP_HLT:
        e->kind = CPU_EXIT_HLT;
        e->if_flag = (x86_get_rflags(x) & X86_IF) != 0;
        break;
    case X86_STOP_SHUTDOWN:
        e->kind = CPU_EXIT_SHUTDOWN;
        break;
    case X86_STOP_DEBUG:
        e->kind = CPU_EXIT_DEBUG;
        e->debug = (struct cpu_debug_exit){
            .vector = x->debug_vector,
            .pc = x->debug_pc,
            .dr6 = x->debug_vector == 1 && x->watch_hit >= 0 && x->watch_hit < CPU_MAX_BPS
                       ? 1ull << c->watch_slot[x->watch_hit] : 0,
        };
        x->watch_hit = -1;
        break;
    default:
        break;
    }
}

static void kick(struct cpu *c)
{
    x86_request_stop(&c->x);
}

static bool can_inject(struct cpu *c)
{
    return !c->stepping && x86_interrupts_enabled(&c->x);
}

static void inject(struct cpu *c, int vector)
{
    x86_interrupt(&c->x, vector);
}

static void want_window(struct cpu *c, bool on)
{
    c->window = on;
    c->x.irq_window = on && !c->stepping;   /* stepping: never injected */
}

static void sync_cpu(struct cpu *c)
{
    (void)c;        /* run() always returns between two instructions */
}

/* gdb's requests: execution breakpoints are checked before each
 * instruction and watchpoints on each access, for any number of each;
 * the guest's own int3 traps unless a debugger is attached. */
static int set_debug(struct cpu *c, const struct cpu_debug *d)
{
    struct x86_cpu *x = &c->x;
    static const uint8_t kinds[] = { [CPU_BP_WRITE] = 1, [CPU_BP_READ] = 2, [CPU_BP_ACCESS] = 3 };
    c->stepping = d->attached && d->single_step;
    x->single_step = c->stepping;
    x->irq_window = c->window && !c->stepping;
    x->sw_bp_exit = d->attached;
    x->nbreak = x->nwatch = 0;
    for (int i = 0; d->attached && i < CPU_MAX_BPS; i++) {
        const struct cpu_hw_bp *h = &d->hw[i];
        if (!h->on)
            continue;
        if (h->kind == CPU_BP_EXEC) {
            x->breakpoints[x->nbreak++] = h->addr;
        } else {
            c->watch_slot[x->nwatch] = i;
            x->watch[x->nwatch++] = (struct x86_watch){ h->addr, h->len ? h->len : 1,
                                                        kinds[h->kind] };
        }
    }
    return 0;
}

/* The x87 and SSE state in FXSAVE's terms, as the KVM backend gives it:
 * st[i] is ST(i), ftag the abridged tag word (SDM Vol. 1, 10.5.1). */
static int get_fpu(struct cpu *c, struct cpu_fpu *f)
{
    const struct x86_fpu *x = &c->x.fpu;
    unsigned top = (x->fsw >> 11) & 7;

    memset(f, 0, sizeof *f);
    for (unsigned i = 0; i < 8; i++)
        memcpy(f->st[i], x->st[(top + i) & 7], 10);
    f->fctrl = x->fcw;
    f->fstat = x->fsw;
    f->ftag = x->ftw;
    f->fop = x->fop;
    f->fioff = (uint32_t)x->fip;
    f->fiseg = x->fcs;
    f->fooff = (uint32_t)x->fdp;
    f->foseg = x->fds;
    memcpy(f->xmm, x->xmm, sizeof f->xmm);
    f->mxcsr = x->mxcsr;
    return 0;
}

static int set_fpu(struct cpu *c, const struct cpu_fpu *f)
{
    struct x86_fpu *x = &c->x.fpu;

    if (f->mxcsr & ~X86_MXCSR_MASK)
        return -1;
    x->fcw = (uint16_t)((f->fctrl & 0x1f7f) | 0x40);
    x->fsw = (uint16_t)f->fstat;
    x->ftw = (uint8_t)f->ftag;
    x->fop = (uint16_t)(f->fop & 0x7ff);
    x->fip = f->fioff;
    x->fcs = (uint16_t)f->fiseg;
    x->fdp = f->fooff;
    x->fds = (uint16_t)f->foseg;
    unsigned top = (x->fsw >> 11) & 7;
    for (unsigned i = 0; i < 8; i++)
        memcpy(x->st[(top + i) & 7], f->st[i], 10);
    memcpy(x->xmm, f->xmm, sizeof x->xmm);
    x->mxcsr = f->mxcsr;
    return 0;
}

/* The guest's own int3, which stopped run() because a debugger is
 * attached: the trap it would have taken, RIP past the int3. */
static int reinject_bp(struct cpu *c)
{
    c->x.rip++;
    x86_deliver(&c->x, X86_BP, X86_EV_SOFTWARE, false, 0);
    return 0;
}

static int get_tsc(struct cpu *c, uint64_t *tsc)
{
    *tsc = x86_tsc(&c->x);
    return 0;
}

static int set_tsc(struct cpu *c, uint64_t tsc)
{
    c->x.tsc_offset += tsc - x86_tsc(&c->x);
    return 0;
}

const struct cpu_ops interp_cpu_ops = {
    .name = "interp",
    .hw_bps = CPU_MAX_BPS,
    .create = create,
    .set_state = set_state,
    .get_state = get_state,
    .run = run,
    .kick = kick,
    .destroy = destroy,
    .can_inject = can_inject,
    .inject = inject,
    .want_window = want_window,
    .clock = clock_ns,
    .idle_until = idle_until,
    .instructions = instructions,
    .access_pc = access_pc,
    .sync = sync_cpu,
    .set_debug = set_debug,
    .get_fpu = get_fpu,
    .set_fpu = set_fpu,
    .reinject_bp = reinject_bp,
    .get_tsc = get_tsc,
    .set_tsc = set_tsc,
};

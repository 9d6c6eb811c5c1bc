/* The run loop: reset state, x86_run's instruction loop with its fault
 * frame, debug checks and time, and the interrupt interface. */
#include <stddef.h>
#include <string.h>
#include "cpu/interp/block.h"
#include "cpu/interp/exec.h"
#include "cpu/interp/fpu.h"
#include "cpu/interp/sys_internal.h"

void x86_init(struct x86_cpu *c, const struct x86_ram *ram, const struct x86_bus *bus)
{
    /* SDM Vol. 3, 9.1.1, Table 9-1 */
    static const struct x86_seg data = { .base = 0, .limit = 0xffff, .sel = 0,
                                         .attr = X86_ATTR_P | X86_ATTR_S | X86_TYPE_W | X86_TYPE_A };
    static const struct x86_seg code = { .base = 0xffff0000, .limit = 0xffff, .sel = 0xf000,
                                         .attr = X86_ATTR_P | X86_ATTR_S | X86_TYPE_CODE |
                                                 X86_TYPE_R | X86_TYPE_A };

    memset(c, 0, sizeof *c);
    c->ram = *ram;
    c->bus = *bus;
    c->rip = 0xfff0;
    c->rflags = 2;
    c->r[X86_RDX] = 0x600;          /* family 6 */
    c->cr0 = X86_CR0_CD | X86_CR0_NW | X86_CR0_ET;
    c->dr[6] = 0xffff0ff0;
    c->dr[7] = 0x400;
    c->pat = 0x0007040600070406ull;
    c->gdtr.limit = 0xffff;
    c->idtr.limit = 0xffff;
    c->ldtr = (struct x86_seg){ .limit = 0xffff, .attr = X86_ATTR_P | 2 };     /* LDT */
    c->tr = (struct x86_seg){ .limit = 0xffff, .attr = X86_ATTR_P | 3 };       /* busy 16-bit TSS */
    c->tsc_per_insn = 1;
    x86_fpu_reset(&c->fpu);
    c->pending_irq = -1;
    c->fault_vector = -1;
    c->delivering = -1;
    c->watch_hit = -1;
    c->break_resume = ~0ull;
    for (int s = 0; s < 6; s++)
        x86_set_seg(c, s, s == X86_CS ? &code : &data);
    x86_update_mode(c);
    x86_tlb_flush(c);
}

void x86_request_stop(struct x86_cpu *c)
{
    c->stop_request = true;
}

bool x86_interrupts_enabled(const struct x86_cpu *c)
{
    return (c->rflags & X86_IF) && !c->intr_shadow && c->pending_irq < 0;
}

void x86_interrupt(struct x86_cpu *c, int vector)
{
    c->pending_irq = vector;
    c->halted = false;
}

uint64_t x86_tsc(const struct x86_cpu *c)
{
    return c->clock * c->tsc_per_insn + c->tsc_offset;
}

/* A breakpoint at the instruction about to run (linear address), except
 * the one x86_run was asked to resume from. */
static bool breakpoint(struct x86_cpu *c, uint64_t resume)
{
    if (c->rip == resume)
        return false;
    uint64_t lin = c->code64 ? c->rip : (uint32_t)(c->seg[X86_CS].base + c->rip);
    for (int i = 0; i < c->nbreak; i++) {
        if (c->breakpoints[i] == lin) {
            c->debug_pc = lin;
            c->break_resume = c->rip;
            c->debug_vector = X86_DB;
            return true;
        }
    }
    return false;
}

/* How many of a block's first k instructions run before one at a
 * breakpoint (the first is checked by breakpoint() already). */
static unsigned before_breakpoint(const struct x86_cpu *c, const struct x86_block *b, unsigned k)
{
    for (unsigned i = 1; i < k; i++) {
        uint64_t rip = b->insn[i - 1].next_rip;
        uint64_t lin = c->code64 ? rip : (uint32_t)(c->seg[X86_CS].base + rip);
        for (int j = 0; j < c->nbreak; j++)
            if (c->breakpoints[j] == lin)
                return i;
    }
    return k;
}

/* After an instruction that asked to stop: why. */
static enum x86_stop stop_reason(struct x86_cpu *c)
{
    c->stop_request = false;
    if (c->shutdown)
        return X86_STOP_SHUTDOWN;
    if (c->debug_vector == X86_BP) {    /* INT3 under sw_bp_exit: not executed */
        c->icount--;
        c->clock--;
        return X86_STOP_DEBUG;
    }
    if (c->watch_hit >= 0) {
        c->debug_vector = X86_DB;
        return X86_STOP_DEBUG;
    }
    if (c->halted)
        return X86_STOP_HLT;
    return X86_STOP_REQUEST;
}

/* The instruction's bytes at c->rip: *n of them readable at the pointer
 * returned (NULL: not RAM). The exec TLB's hit of 64-bit code inline
 * (a hit is canonical: see fastmem.h); the rest through x86_fetch_ptr,
 * which faults as the fetch would. */
static inline const uint8_t *code_at(struct x86_cpu *c, unsigned *n)
{
    uint64_t rip = c->rip;
    if (X86_LIKELY(c->code64)) {
        const struct x86_tlb_entry *e = x86_tlb_slot(c, rip, X86_EXEC);
        if (X86_LIKELY(e->tag == x86_tlb_tag(c, rip, X86_EXEC) && e->host)) {
            *n = 4096 - (unsigned)(rip & 0xfff);
            return e->host + (rip & 0xfff);
        }
    }
    return x86_fetch_ptr(c, rip, n);
}

/* Whether the block must end here: x86_run was asked to stop, or the
 * block's code was written, or a device accessed (code_hit). */
static inline bool block_break(const struct x86_cpu *c)
{
    _Static_assert(offsetof(struct x86_cpu, code_hit) == offsetof(struct x86_cpu, stop_request) + 1,
                   "code_hit follows stop_request");
    uint16_t both;
    memcpy(&both, &c->stop_request, sizeof both);
    return both != 0;
}

/* One decoded instruction: RIP past it, its memory operand, its work,
 * and the count of instructions retired. */
static inline void execute(struct x86_cpu *c, struct x86_insn *d)
{
    c->rip = d->next_rip;
    if (d->mod != 3)
        x86_compute_ea(c, d);
    d->fn(c, d);
    c->icount++;
    c->clock++;
}

/* A block's instructions back to back, at most k of them, while nothing
 * asks for the checks of one instruction at a time. */
static inline void run_block(struct x86_cpu *c, struct x86_block *b, unsigned k)
{
    struct x86_insn *d = b->insn, *last = d + k - 1;

    c->code_lo = (uintptr_t)b->at;
    c->code_hi = (uintptr_t)b->at + b->nbytes;
    c->code_hit = false;
    for (;; d++) {
        execute(c, d);
        if (X86_UNLIKELY(block_break(c)) || d == last)
            break;
        c->insn_rip = c->rip;
    }
    c->code_lo = c->code_hi = 0;
}

/* After an instruction that asked to stop: why, for x86_run to return. */
static enum x86_stop stopped(struct x86_cpu *c)
{
    enum x86_stop why = stop_reason(c);
    if (why == X86_STOP_REQUEST && c->single_step) {
        c->debug_vector = X86_DB;
        return X86_STOP_DEBUG;
    }
    return why;
}

/* The instruction loop. Faults leave it by longjmp to x86_run, which
 * delivers them and comes back. Not inlined there: the compiler keeps
 * every variable of a function that calls setjmp in memory. */
static __attribute__((noinline)) enum x86_stop run_loop(struct x86_cpu *c, uint64_t start,
                                                        uint64_t end)
{
    uint64_t resume = c->break_resume;

    c->break_resume = ~0ull;
    while (c->icount < end) {
        /* IF changes only at instructions that end a block (STI, POPF,
         * IRET...): looking once a block is looking at every boundary
         * (but x86_run's first: the backend saw that one) */
        if (X86_UNLIKELY(c->irq_window) && x86_interrupts_enabled(c) && c->icount != start)
            return X86_STOP_REQUEST;
        if (X86_UNLIKELY(c->nbreak) && breakpoint(c, resume))
            return X86_STOP_DEBUG;
        resume = ~0ull;

        /* TF at the start of an instruction traps after it (SDM Vol. 3,
         * 17.3.1.4); an interrupt shadow covers this one instruction */
        uint64_t trf = c->rflags & (X86_TF | X86_RF);
        bool shadow = c->intr_shadow;
        unsigned n;
        c->insn_rip = c->rip;
        const uint8_t *p = code_at(c, &n);
        struct x86_block *b = x86_block_find(c, p, n);

        if (X86_LIKELY(!(trf | shadow | c->single_step))) {
            uint64_t left = end - c->icount;
            unsigned k = left < b->n ? (unsigned)left : b->n;
            if (X86_UNLIKELY(c->nbreak))
                k = before_breakpoint(c, b, k);
            run_block(c, b, k);
            if (X86_UNLIKELY(c->stop_request))
                return stopped(c);
            continue;
        }

        /* one instruction with every check */
        struct x86_insn *d = b->insn;
        d->notrap = false;
        d->partial = false;
        execute(c, d);
        if (shadow)
            c->intr_shadow = false;

        if (X86_UNLIKELY(trf | c->stop_request | c->single_step)) {
            /* RF lasts until an instruction completes (SDM Vol. 3,
             * 18.3.1.1); a REP instruction stopped early sets it again */
            if ((trf & X86_RF) && !d->partial)
                c->rflags &= ~X86_RF;
            if ((trf & X86_TF) && !d->notrap && !c->halted) {
                c->dr[6] |= 0x4000;     /* BS */
                c->insn_rip = c->rip;
                x86_deliver(c, X86_DB, X86_EV_EXCEPTION, false, 0);
            }
            if (c->single_step && !c->stop_request) {
                c->debug_vector = X86_DB;
                return X86_STOP_DEBUG;
            }
            if (c->stop_request)
                return stopped(c);
        }
    }
    return X86_STOP_BUDGET;
}

static enum x86_stop leave_run(struct x86_cpu *c, enum x86_stop why)
{
    c->in_run = false;
    return why;
}

enum x86_stop x86_run(struct x86_cpu *c, uint64_t budget)
{
    uint64_t end = c->icount + budget;

    c->debug_vector = 0;
    c->watch_hit = -1;
    c->in_run = true;
    x86_code_epoch++;       /* RAM may have been written since (block.h) */
    if (X86_UNLIKELY(!x86_blocks))
        x86_blocks_alloc();
    if (setjmp(c->fault_jmp)) {
        /* a fault: the instruction (or event delivery) is undone and the
         * exception delivered; except.c turns a fault while delivering
         * into #DF, or a triple fault into shutdown */
        if (c->shutdown) {
            c->stop_request = false;
            return leave_run(c, X86_STOP_SHUTDOWN);
        }
        c->rip = c->insn_rip;
        c->intr_shadow = false;
        c->code_lo = c->code_hi = 0;
        int v = c->fault_vector;
        c->fault_vector = -1;
        x86_deliver(c, v, X86_EV_EXCEPTION, c->fault_has_error, c->fault_error);
        if (c->shutdown)
            return leave_run(c, X86_STOP_SHUTDOWN);
        if (c->single_step) {
            c->debug_vector = X86_DB;
            return leave_run(c, X86_STOP_DEBUG);
        }
    } else if (c->pending_irq >= 0) {
        int v = c->pending_irq;
        c->pending_irq = -1;
        c->halted = false;
        c->insn_rip = c->rip;
        x86_deliver(c, v, X86_EV_EXTERNAL, false, 0);
        if (c->shutdown)
            return leave_run(c, X86_STOP_SHUTDOWN);
    }
    if (c->halted)
        return leave_run(c, X86_STOP_HLT);
    return leave_run(c, run_loop(c, end - budget, end));
}

/* The run loop: reset state, x86_run's instruction loop with its fault
 * frame, debug checks and time, and the interrupt interface. */
#include <string.h>
#include "cpu/interp/exec.h"

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

/* The instruction loop. Faults leave it by longjmp to x86_run, which
 * delivers them and comes back. */
static enum x86_stop run_loop(struct x86_cpu *c, uint64_t end)
{
    struct x86_insn scratch, *d;
    const struct x86_opdesc *od;
    uint64_t resume = c->break_resume;
    /* The code page of 64-bit code, kept from one instruction to the next
     * as a TLB keeps a translation: until an instruction that can change
     * the mode, privilege or paging (X86_OP_SYS), or an event. */
    uint64_t code_page = 1;             /* none: not page-aligned */
    const uint8_t *code_host = NULL;

    c->break_resume = ~0ull;
    while (c->icount < end) {
        if (X86_UNLIKELY(c->nbreak) && breakpoint(c, resume))
            return X86_STOP_DEBUG;
        resume = ~0ull;

        /* TF at the start of an instruction traps after it (SDM Vol. 3,
         * 17.3.1.4); an interrupt shadow covers this one instruction */
        uint64_t trf = c->rflags & (X86_TF | X86_RF);
        bool shadow = c->intr_shadow;
        c->insn_rip = c->rip;
        uint64_t off = c->rip & 0xfff;
        unsigned n;
        const uint8_t *p;
        if ((c->rip & ~0xfffull) == code_page) {
            p = code_host + off;
            n = 4096 - (unsigned)off;
        } else {
            p = x86_fetch_ptr(c, c->rip, &n);
            code_page = 1;
            if (c->code64 && p && n == 4096 - off) {
                code_page = c->rip & ~0xfffull;
                code_host = p - off;
            }
        }
        d = x86_decode_at(c, &scratch, &od, p, n);
        c->rip = c->code64 ? c->insn_rip + d->len : (uint32_t)(c->insn_rip + d->len);
        if (X86_UNLIKELY(!od->fn))
            x86_unknown(c, d);
        od->fn(c, d);
        if (X86_UNLIKELY(d->sys))
            code_page = 1;
        c->icount++;
        c->clock++;
        if (shadow)
            c->intr_shadow = false;

        if (X86_UNLIKELY(trf | c->stop_request | c->single_step)) {
            /* RF lasts until an instruction completes (SDM Vol. 3,
             * 18.3.1.1); a REP instruction stopped early sets it again */
            if ((trf & X86_RF) && !d->partial)
                c->rflags &= ~X86_RF;
            if ((trf & X86_TF) && !d->notrap && !c->halted) {
                code_page = 1;
                c->dr[6] |= 0x4000;     /* BS */
                c->insn_rip = c->rip;
                x86_deliver(c, X86_DB, X86_EV_EXCEPTION, false, 0);
            }
            if (c->single_step && !c->stop_request) {
                c->debug_vector = X86_DB;
                return X86_STOP_DEBUG;
            }
            if (c->stop_request) {
                enum x86_stop why = stop_reason(c);
                if (why == X86_STOP_REQUEST && c->single_step) {
                    c->debug_vector = X86_DB;
                    return X86_STOP_DEBUG;
                }
                return why;
            }
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
    return leave_run(c, run_loop(c, end));
}

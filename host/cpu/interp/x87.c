/*
 * The x87 stack's exception bookkeeping and the host's x87 run under the
 * guest's control word (SDM Vol. 1, 8.1 and 8.5-8.7).
 */
#include "cpu/interp/x87.h"

void x87_enter(const struct x86_cpu *c, struct x87_host *h)
{
    uint16_t cw = (uint16_t)(c->fpu.fcw | 0x3f);
    __asm__ volatile("fnstcw %0" : "=m"(h->cw));
    __asm__ volatile("fnclex\n\tfldcw %0" : : "m"(cw));
}

uint16_t x87_leave(struct x87_host *h)
{
    uint16_t sw;
    __asm__ volatile("fnstsw %0" : "=m"(sw));
    __asm__ volatile("fnclex\n\tfldcw %0" : : "m"(h->cw));
    return sw & (0x3f | X86_FSW_C1);
}

bool x87_raise(struct x86_cpu *c, uint16_t flags)
{
    struct x86_fpu *f = &c->fpu;
    flags &= 0x7f;
    f->fsw |= flags;
    uint16_t unmasked = flags & ~f->fcw & 0x3f;
    if (unmasked)
        f->fsw |= X86_FSW_ES | X86_FSW_B;
    return unmasked & 0x07;
}

bool x87_stack_fault(struct x86_cpu *c, bool overflow)
{
    struct x86_fpu *f = &c->fpu;
    f->fsw = (uint16_t)((f->fsw & ~X86_FSW_C1) | (overflow ? X86_FSW_C1 : 0));
    return !x87_raise(c, X86_FSW_IE | X86_FSW_SF);
}

/*
 * The x87 register stack and its arithmetic (exec_x87.c, x87_arith.c):
 * ST(i) over the physical registers, the tags, and the host's x87 run
 * under the guest's control word (SDM Vol. 1, chapter 8).
 */
#ifndef HOST_CPU_INTERP_X87_H
#define HOST_CPU_INTERP_X87_H

#include <string.h>
#include "cpu/interp/fpu.h"

#if !defined(__x86_64__) || __LDBL_MANT_DIG__ != 64
#error "the x87 state is computed with the host's 80-bit long double"
#endif

static inline unsigned x87_top(const struct x86_cpu *c)
{
    return X86_FSW_TOP(c->fpu.fsw);
}
static inline void x87_set_top(struct x86_cpu *c, unsigned top)
{
    c->fpu.fsw = (uint16_t)((c->fpu.fsw & ~0x3800) | (top & 7) << 11);
}
/* physical register of ST(i) */
static inline unsigned x87_phys(const struct x86_cpu *c, unsigned i)
{
    return (x87_top(c) + i) & 7;
}
static inline bool x87_empty(const struct x86_cpu *c, unsigned i)
{
    return !(c->fpu.ftw & (1u << x87_phys(c, i)));
}
static inline long double x87_get(const struct x86_cpu *c, unsigned i)
{
    long double v = 0;
    memcpy(&v, c->fpu.st[x87_phys(c, i)], 10);
    return v;
}
static inline void x87_put(struct x86_cpu *c, unsigned i, long double v)
{
    unsigned p = x87_phys(c, i);
    memcpy(c->fpu.st[p], &v, 10);
    c->fpu.ftw |= (uint8_t)(1u << p);
}

/* The host's x87 under the guest's precision and rounding control, all
 * exceptions masked and none raised yet; x87_leave returns the flags
 * raised (FSW bits 5:0) and C1, and puts the host's state back. */
struct x87_host { uint16_t cw; };
void x87_enter(const struct x86_cpu *c, struct x87_host *h);
uint16_t x87_leave(struct x87_host *h);

/* Records exceptions (FSW bits 5:0, and SF) in FSW; an unmasked one
 * sets ES (SDM Vol. 1, 8.7): #MF comes at the next waiting instruction.
 * Returns whether one was unmasked among IE, DE, ZE (the destination is
 * then left as it was, 8.5). */
bool x87_raise(struct x86_cpu *c, uint16_t flags);

/* A stack fault: IE and SF, C1 for overflow (SDM Vol. 1, 8.5.1.1).
 * Returns whether IE is masked (the default NaN is then stored). */
bool x87_stack_fault(struct x86_cpu *c, bool overflow);

#define X87_INDEFINITE (-__builtin_nanl(""))

#endif

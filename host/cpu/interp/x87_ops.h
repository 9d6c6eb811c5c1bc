/* What exec_x87.c uses of x87_arith.c (see there). */
#ifndef HOST_CPU_INTERP_X87_OPS_H
#define HOST_CPU_INTERP_X87_OPS_H

#include "cpu/interp/x87.h"

void x87_push(struct x86_cpu *c, long double v);
void x87_pop(struct x86_cpu *c);
/* ST(i) or ST(j) empty (a stack underflow if so) */
bool x87_underflow(struct x86_cpu *c, unsigned i, unsigned j);
/* pre: the flags of the memory operand's conversion (merged by priority) */
void x87_arith(struct x86_cpu *c, unsigned kind, unsigned dst, long double y, bool pop,
               uint16_t pre);
void x87_compare(struct x86_cpu *c, long double x, long double y, bool quiet, bool eflags,
                 uint16_t pre);
long double x87_from_float(struct x86_cpu *c, uint64_t bits, unsigned size, uint16_t *fl);
uint64_t x87_to_float(struct x86_cpu *c, long double v, unsigned size, uint16_t *fl);
uint64_t x87_to_int(struct x86_cpu *c, long double v, unsigned size, uint16_t *fl);
long double x87_const(struct x86_cpu *c, unsigned n);
uint16_t x87_host_op(struct x86_cpu *c, unsigned modrm, long double *st0, long double *st1);

#endif

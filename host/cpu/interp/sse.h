/*
 * What the SSE/SSE2 handlers (exec_sse.c, sse_int.c, sse_fp.c) share:
 * the mandatory prefix, and the XMM and memory operands (SDM Vol. 2,
 * 2.1.2 and Vol. 1, chapters 10-11).
 */
#ifndef HOST_CPU_INTERP_SSE_H
#define HOST_CPU_INTERP_SSE_H

#include <string.h>
#include "cpu/interp/fpu.h"

/* The mandatory prefix that selects the instruction: F3 and F2 over 66
 * (SDM Vol. 2, 2.1.2). */
enum { SSE_NP, SSE_66, SSE_F3, SSE_F2 };
static inline unsigned sse_prefix(const struct x86_insn *d)
{
    return d->rep == 0xf3 ? SSE_F3 : d->rep == 0xf2 ? SSE_F2 : d->p66 ? SSE_66 : SSE_NP;
}

static inline union x86_xmm *sse_reg(struct x86_cpu *c, unsigned n)
{
    return &c->fpu.xmm[n & 15];
}

/* The r/m operand: an XMM register, or size bytes of memory (zero
 * above); a 16-byte one must be aligned when align is set (#GP(0)). */
static inline void sse_src(struct x86_cpu *c, const struct x86_insn *d, union x86_xmm *v,
                           unsigned size, bool align)
{
    if (d->mod == 3) {
        *v = *sse_reg(c, d->rm);
        return;
    }
    if (align)
        x86_sse_align(c, d, 16);
    memset(v, 0, sizeof *v);
    x86_read_bytes(c, d->seg, d->ea, v, size);
}

/* Writes size bytes of v to the r/m operand when it is memory. */
static inline void sse_store_mem(struct x86_cpu *c, const struct x86_insn *d,
                                 const union x86_xmm *v, unsigned size, bool align)
{
    if (align)
        x86_sse_align(c, d, 16);
    x86_write_bytes(c, d->seg, d->ea, v, size);
}

/* sse_int.c, sse_fp.c: return false for an encoding they do not have */
bool x86_sse_int(struct x86_cpu *c, struct x86_insn *d, unsigned pfx);
bool x86_sse_fp(struct x86_cpu *c, struct x86_insn *d, unsigned pfx);
/* sse_int.c: the packed integer operation op (0F 60-6B, 74-76, D1-FE)
 * of r and s into r, on 16 bytes, or on the low 8 for MMX */
bool x86_sse_int_op(unsigned op, union x86_xmm *r, const union x86_xmm *s, bool mmx);
/* exec_mmx.c: the no-prefix forms on MMX registers; false: not one */
bool x86_mmx(struct x86_cpu *c, struct x86_insn *d);

#endif

/* MUL, IMUL (one, two and three operands), DIV, IDIV (SDM Vol. 2). */
#include "cpu/interp/exec.h"

typedef unsigned __int128 u128;
typedef __int128 s128;

/* The flags of a multiply: CF = OF = whether the high half is needed.
 * SF and PF follow the low half, ZF and AF are clear, as Intel parts do
 * (the SDM leaves them undefined). */
static inline void mul_flags(struct x86_cpu *c, unsigned size, uint64_t lo, bool over)
{
    x86_set_lazy(c, X86_FL_MUL, size, lo, over, 0);
}

/* Signed product of two size-byte values, truncated, with overflow. */
static uint64_t imul(struct x86_cpu *c, uint64_t a, uint64_t b, unsigned size)
{
    s128 p = (s128)(int64_t)x86_sext(a, size) * (int64_t)x86_sext(b, size);
    uint64_t lo = (uint64_t)p & x86_size_mask(size);
    mul_flags(c, size, lo, p != (s128)(int64_t)x86_sext(lo, size));
    return lo;
}

/* The dividend of a DIV/IDIV: AX, DX:AX, EDX:EAX or RDX:RAX. */
static u128 dividend(const struct x86_cpu *c, unsigned size)
{
    uint64_t m = x86_size_mask(size);
    if (size == 1)
        return c->r[X86_RAX] & 0xffff;
    return ((u128)(c->r[X86_RDX] & m) << (size * 8)) | (c->r[X86_RAX] & m);
}

/* Writes a product's halves: AX for the byte form, else rDX:rAX. */
static void product_store(struct x86_cpu *c, const struct x86_insn *d, unsigned size,
                          uint64_t lo, uint64_t hi)
{
    if (size == 1) {
        x86_reg_set(c, d, X86_RAX, 2, lo | hi << 8);
        return;
    }
    x86_reg_set(c, d, X86_RAX, size, lo);
    x86_reg_set(c, d, X86_RDX, size, hi);
}

/* Writes quotient and remainder (AL/AH for the byte form). */
static void div_store(struct x86_cpu *c, const struct x86_insn *d, unsigned size,
                      uint64_t q, uint64_t r)
{
    if (size == 1) {
        c->r[X86_RAX] = (c->r[X86_RAX] & ~0xffffull) | (q & 0xff) | ((r & 0xff) << 8);
        return;
    }
    x86_reg_set(c, d, X86_RAX, size, q);
    x86_reg_set(c, d, X86_RDX, size, r);
}

void x86_muldiv(struct x86_cpu *c, struct x86_insn *d)
{
    unsigned size = d->size, bits = size * 8;
    uint64_t m = x86_size_mask(size);
    uint64_t src = x86_rm_get(c, d, size), a = c->r[X86_RAX] & m;

    switch (d->reg & 7) {
    case 4: {           /* MUL */
        u128 p = (u128)a * src;
        uint64_t lo = (uint64_t)p & m, hi = (uint64_t)(p >> bits) & m;
        product_store(c, d, size, lo, hi);
        mul_flags(c, size, lo, hi != 0);
        break;
    }
    case 5: {           /* IMUL */
        s128 p = (s128)(int64_t)x86_sext(a, size) * (int64_t)x86_sext(src, size);
        uint64_t lo = (uint64_t)p & m, hi = (uint64_t)(p >> bits) & m;
        product_store(c, d, size, lo, hi);
        mul_flags(c, size, lo, p != (s128)(int64_t)x86_sext(lo, size));
        break;
    }
    case 6: {           /* DIV: #DE on a zero divisor or a quotient too wide */
        if (!src)
            x86_fault_noerr(c, X86_DE);
        u128 n = dividend(c, size), q = n / src;
        if (q > m)
            x86_fault_noerr(c, X86_DE);
        div_store(c, d, size, (uint64_t)q, (uint64_t)(n % src));
        break;
    }
    default: {          /* IDIV: the quotient truncates toward zero */
        if (!src)
            x86_fault_noerr(c, X86_DE);
        u128 un = dividend(c, size);
        /* sign-extend the 2*size-byte dividend */
        s128 n = size == 8 ? (s128)un : (s128)((int64_t)((uint64_t)un << (64 - 2 * bits)) >> (64 - 2 * bits));
        s128 dv = (int64_t)x86_sext(src, size), q, r;
        if (dv == -1) {
            /* the one quotient C cannot form, INT128_MIN / -1, does not
             * fit any destination either */
            if (n == (s128)((u128)1 << 127))
                x86_fault_noerr(c, X86_DE);
            q = -n;
            r = 0;
        } else {
            q = n / dv;
            r = n % dv;
        }
        s128 lim = (s128)1 << (bits - 1);
        if (q >= lim || q < -lim)
            x86_fault_noerr(c, X86_DE);
        div_store(c, d, size, (uint64_t)q & m, (uint64_t)r & m);
        break;
    }
    }
}

/* 0F AF: IMUL reg, r/m */
void x86_op_imul2(struct x86_cpu *c, struct x86_insn *d)
{
    uint64_t r = imul(c, x86_reg_get(c, d, d->reg, d->size), x86_rm_get(c, d, d->size), d->size);
    x86_reg_set(c, d, d->reg, d->size, r);
}

/* 69, 6B: IMUL reg, r/m, imm */
void x86_op_imul3(struct x86_cpu *c, struct x86_insn *d)
{
    uint64_t r = imul(c, x86_rm_get(c, d, d->size), d->imm, d->size);
    x86_reg_set(c, d, d->reg, d->size, r);
}

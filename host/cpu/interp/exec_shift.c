/* Shifts and rotates: group 2 (ROL ROR RCL RCR SHL SHR SAL SAR), SHLD,
 * SHRD (SDM Vol. 2, "SAL/SAR/SHL/SHR", "RCL/RCR/ROL/ROR", "SHLD", "SHRD"). */
#include "cpu/interp/exec.h"

typedef unsigned __int128 u128;

static inline unsigned msb(uint64_t v, unsigned size)
{
    return (v >> (size * 8 - 1)) & 1;
}

/* Rotates change only CF and OF; the other flags stay as they were. */
static void set_cf_of(struct x86_cpu *c, unsigned cf, unsigned of)
{
    x86_flags_commit(c);
    c->rflags = (c->rflags & ~(X86_CF | X86_OF)) | (cf ? X86_CF : 0) | (of ? X86_OF : 0);
}

/* One shift or rotate of a by count (already masked to 5 or 6 bits, not
 * zero); sets the flags and returns the result. OF, defined for a count
 * of 1 only, is on Intel parts what a count of 1 would give, from the
 * original operand, whatever the count; except that ROL and ROR by an
 * immediate other than 1 leave OF alone. */
static uint64_t shift(struct x86_cpu *c, unsigned op, uint64_t a, unsigned count, unsigned size,
                      bool imm)
{
    unsigned n = size * 8, k, cf, of;
    uint64_t m = x86_size_mask(size), r;
    unsigned top2 = msb(a, size) ^ ((a >> (n - 2)) & 1);

    a &= m;
    switch (op) {
    case 0:             /* ROL: CF = LSB(result) */
        k = count & (n - 1);
        r = k ? ((a << k) | (a >> (n - k))) & m : a;
        set_cf_of(c, r & 1, imm && count != 1 ? x86_cond(c, 0) : top2);
        return r;
    case 1:             /* ROR: CF = MSB(result) */
        k = count & (n - 1);
        r = k ? ((a >> k) | (a << (n - k))) & m : a;
        set_cf_of(c, msb(r, size), imm && count != 1 ? x86_cond(c, 0) : msb(a, size) ^ (a & 1));
        return r;
    case 2: case 3: {   /* RCL, RCR: through CF, an (n+1)-bit rotate; the
                         * count of a byte or word is taken mod 9 or 17, and
                         * a multiple of it changes nothing, flags included */
        unsigned cin = x86_get_cf(c);
        k = size < 4 ? count % (n + 1) : count;
        if (!k)
            return a;
        u128 v = ((u128)cin << n) | a, vm = ((u128)1 << (n + 1)) - 1;
        if (op == 2)
            v = ((v << k) | (v >> (n + 1 - k))) & vm;
        else
            v = ((v >> k) | (v << (n + 1 - k))) & vm;
        r = (uint64_t)v & m;
        set_cf_of(c, (unsigned)(v >> n) & 1, op == 2 ? top2 : msb(a, size) ^ cin);
        return r;
    }
    case 4: case 6:     /* SHL/SAL */
        r = (a << count) & m;
        cf = count <= n ? (unsigned)((a << (count - 1)) >> (n - 1)) & 1 : 0;
        of = top2;
        break;
    case 5:             /* SHR */
        r = a >> count;
        cf = (unsigned)(a >> (count - 1)) & 1;
        of = msb(a, size);
        break;
    default: {          /* SAR */
        int64_t s = (int64_t)x86_sext(a, size);
        r = (uint64_t)(s >> count) & m;
        cf = (unsigned)(s >> (count - 1)) & 1;
        of = 0;
        break;
    }
    }
    x86_set_lazy(c, X86_FL_CO, size, r, cf, of);
    return r;
}

/* C0, C1: by imm8; D0, D1: by 1; D2, D3: by CL. A count of zero (after
 * masking to 5 bits, 6 for 64-bit operands) changes nothing, flags
 * included. */
void x86_op_grp2(struct x86_cpu *c, struct x86_insn *d)
{
    unsigned size = d->size, count;

    switch (d->op) {
    case 0xc0: case 0xc1: count = (unsigned)d->imm; break;
    case 0xd0: case 0xd1: count = 1; break;
    default: count = (unsigned)c->r[X86_RCX]; break;
    }
    count &= size == 8 ? 63 : 31;
    uint64_t a = x86_rm_get(c, d, size);
    if (!count) {
        /* nothing changes, but a 32-bit register is still written */
        if (d->mod == 3 && size == 4)
            x86_reg_set(c, d, d->rm, 4, a);
        return;
    }
    struct x86_lazy saved = c->lazy;
    uint64_t saved_flags = c->rflags;
    uint64_t r = shift(c, d->reg & 7, a, count, size, d->op <= 0xc1);
    if (d->mod != 3) {
        /* flags must not change if the write faults */
        struct x86_lazy now = c->lazy;
        uint64_t now_flags = c->rflags;
        c->lazy = saved;
        c->rflags = saved_flags;
        x86_rm_set(c, d, size, r);
        c->lazy = now;
        c->rflags = now_flags;
    } else {
        x86_reg_set(c, d, d->rm, size, r);
    }
}

/* SHLD/SHRD dst, src, count: dst shifted with src's bits coming in. OF
 * is what a count of 1 gives, as for the other shifts. */
static void double_shift(struct x86_cpu *c, struct x86_insn *d, bool left, unsigned count)
{
    unsigned size = d->size, n = size * 8, cf, of;
    uint64_t m = x86_size_mask(size);

    count &= size == 8 ? 63 : 31;
    uint64_t a = x86_rm_get(c, d, size), b = x86_reg_get(c, d, d->reg, size), r;
    if (!count) {
        if (d->mod == 3 && size == 4)
            x86_reg_set(c, d, d->rm, 4, a);
        return;
    }
    if (size == 2 && count > 16) {
        /* undefined; Intel parts shift the 48-bit a:b:a (left) or
         * b:a:b... as if the operands repeated */
        u128 v = ((u128)a << 32) | ((u128)b << 16) | a;
        if (left) {
            r = (uint64_t)(v >> (32 - count)) & m;
            cf = (unsigned)(v >> (48 - count)) & 1;
        } else {
            r = (uint64_t)(v >> count) & m;
            cf = (unsigned)(v >> (count - 1)) & 1;
        }
    } else if (left) {
        r = ((a << count) | (b >> (n - count))) & m;
        cf = (unsigned)(a >> (n - count)) & 1;
    } else {
        r = ((a >> count) | (b << (n - count))) & m;
        cf = (unsigned)(a >> (count - 1)) & 1;
    }
    if (left)
        of = msb(a, size) ^ ((a >> (n - 2)) & 1);
    else
        of = msb(a, size) ^ (b & 1);
    x86_rm_set(c, d, size, r);
    x86_set_lazy(c, X86_FL_CO, size, r, cf, of);
}

/* 0F A4 (imm8), 0F A5 (CL) */
void x86_op_shld(struct x86_cpu *c, struct x86_insn *d)
{
    double_shift(c, d, true, d->op == 0x1a4 ? (unsigned)d->imm : (unsigned)c->r[X86_RCX]);
}

/* 0F AC (imm8), 0F AD (CL) */
void x86_op_shrd(struct x86_cpu *c, struct x86_insn *d)
{
    double_shift(c, d, false, d->op == 0x1ac ? (unsigned)d->imm : (unsigned)c->r[X86_RCX]);
}

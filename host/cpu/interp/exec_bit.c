/* Bit instructions: BT, BTS, BTR, BTC, BSF, BSR, TZCNT, LZCNT, POPCNT,
 * BSWAP (SDM Vol. 2). */
#include "cpu/interp/exec.h"

/* BT and friends change CF alone (the SDM leaves OF, SF, AF, PF
 * undefined; Intel parts keep them). */
static void set_flag(struct x86_cpu *c, uint64_t flag, bool on)
{
    x86_flags_commit(c);
    c->rflags = (c->rflags & ~flag) | (on ? flag : 0);
}

/* op: 0 BT, 1 BTS, 2 BTR, 3 BTC; offset: the bit offset, signed for the
 * register form with a memory operand (the bit string goes beyond the
 * addressed operand, SDM Vol. 2, "BT"). */
static void bit_op(struct x86_cpu *c, struct x86_insn *d, unsigned op, uint64_t offset,
                   bool reg_offset)
{
    unsigned size = d->size, n = size * 8;
    uint64_t ea = d->ea;

    if (d->mod != 3 && reg_offset) {
        int64_t units = (int64_t)x86_sext(offset, size) >> (__builtin_ctz(n));
        ea = x86_ea_add(d, (uint64_t)(units * (int64_t)size));
    }
    uint64_t bit = 1ull << (offset & (n - 1));
    uint64_t v = d->mod == 3 ? x86_reg_get(c, d, d->rm, size) : x86_read(c, d->seg, ea, size);
    uint64_t r = v;
    switch (op) {
    case 1: r |= bit; break;
    case 2: r &= ~bit; break;
    case 3: r ^= bit; break;
    }
    if (op) {
        if (d->mod == 3)
            x86_reg_set(c, d, d->rm, size, r);
        else
            x86_write(c, d->seg, ea, r, size);
    }
    set_flag(c, X86_CF, v & bit);
}

/* 0F A3 BT, AB BTS, B3 BTR, BB BTC: r/m, reg */
void x86_op_bt(struct x86_cpu *c, struct x86_insn *d)
{
    bit_op(c, d, (d->op >> 3) & 3, x86_reg_get(c, d, d->reg, d->size), true);
}

/* 0F BA /4-/7: BT, BTS, BTR, BTC r/m, imm8 */
void x86_op_grp8(struct x86_cpu *c, struct x86_insn *d)
{
    if ((d->reg & 7) < 4)
        x86_unknown(c, d);
    bit_op(c, d, d->reg & 3, d->imm & 0xff, false);
}

/* The flags BSF, BSR, TZCNT, LZCNT leave, beyond the ZF (and CF) the
 * SDM defines: Intel parts clear OF, SF, AF; PF is the parity of BSF's
 * and BSR's result (of 0 for a zero source), clear after TZCNT/LZCNT. */
static void bitscan_flags(struct x86_cpu *c, bool zf, bool cf, bool pf)
{
    x86_flags_commit(c);
    c->rflags &= ~X86_ARITH_FLAGS;
    c->rflags |= (zf ? X86_ZF : 0) | (cf ? X86_CF : 0) | (pf ? X86_PF : 0);
}

static inline bool parity(uint64_t v)
{
    return !__builtin_parity((unsigned)(v & 0xff));
}

/* 0F BC: BSF; F3 0F BC: TZCNT. BSF of zero leaves the destination
 * alone, upper half included. */
void x86_op_bsf(struct x86_cpu *c, struct x86_insn *d)
{
    unsigned size = d->size;
    uint64_t src = x86_rm_get(c, d, size);
    unsigned n = src ? (unsigned)__builtin_ctzll(src) : size * 8;

    if (d->rep == 0xf3) {
        x86_reg_set(c, d, d->reg, size, n);
        bitscan_flags(c, n == 0, src == 0, false);
        return;
    }
    if (src)
        x86_reg_set(c, d, d->reg, size, n);
    bitscan_flags(c, src == 0, false, parity(src ? n : 0));
}

/* 0F BD: BSR; F3 0F BD: LZCNT */
void x86_op_bsr(struct x86_cpu *c, struct x86_insn *d)
{
    unsigned size = d->size;
    uint64_t src = x86_rm_get(c, d, size);
    unsigned top = src ? 63 - (unsigned)__builtin_clzll(src) : 0;

    if (d->rep == 0xf3) {
        unsigned n = src ? size * 8 - 1 - top : size * 8;
        x86_reg_set(c, d, d->reg, size, n);
        bitscan_flags(c, n == 0, src == 0, false);
        return;
    }
    if (src)
        x86_reg_set(c, d, d->reg, size, top);
    bitscan_flags(c, src == 0, false, parity(top));
}

/* F3 0F B8: POPCNT; ZF if the source is zero, the other five clear */
void x86_op_popcnt(struct x86_cpu *c, struct x86_insn *d)
{
    if (d->rep != 0xf3)
        x86_unknown(c, d);
    uint64_t src = x86_rm_get(c, d, d->size);
    x86_reg_set(c, d, d->reg, d->size, (unsigned)__builtin_popcountll(src));
    c->rflags &= ~X86_ARITH_FLAGS;
    c->rflags |= src ? 0 : X86_ZF;
    c->lazy.op = X86_FL_NONE;
}

/* 0F C8+r: BSWAP; the 16-bit form is undefined, Intel parts clear the
 * word. */
void x86_op_bswap(struct x86_cpu *c, struct x86_insn *d)
{
    unsigned r = (d->op & 7) | ((d->rex & 1) << 3);
    uint64_t v = c->r[r];

    if (d->opsize == 8)
        c->r[r] = __builtin_bswap64(v);
    else if (d->opsize == 4)
        c->r[r] = __builtin_bswap32((uint32_t)v);
    else
        c->r[r] = v & ~0xffffull;
}

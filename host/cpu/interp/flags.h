/*
 * Lazy arithmetic flags: a flag-setting instruction records what it did
 * in c->lazy, and CF, PF, AF, ZF, SF, OF are derived only when something
 * reads them (Jcc, PUSHF, ADC...). SDM Vol. 1, 3.4.3.1 and Appendix A.
 */
#ifndef HOST_CPU_INTERP_FLAGS_H
#define HOST_CPU_INTERP_FLAGS_H

#include "cpu/interp/x86.h"

/* c->lazy.op: how res, src1 and src2 define the flags. */
enum x86_flop {
    X86_FL_NONE,    /* the flags are in c->rflags */
    X86_FL_ADD,     /* res = src1 + src2 */
    X86_FL_ADC,     /* res = src1 + src2 + CF (the carry in is res - src1 - src2) */
    X86_FL_SUB,     /* res = src1 - src2 (CMP, NEG with src1 = 0, CMPXCHG) */
    X86_FL_SBB,     /* res = src1 - src2 - CF */
    X86_FL_LOGIC,   /* CF = OF = AF = 0 */
    X86_FL_INC,     /* res = src1 + 1; src2 holds the CF INC leaves alone */
    X86_FL_DEC,     /* res = src1 - 1; src2 likewise */
    X86_FL_CO,      /* shifts: CF = src1, OF = src2 (0 or 1), AF = 0 */
    X86_FL_MUL,     /* MUL, IMUL: CF = OF = src1, SF and PF of res, ZF = AF = 0 */
    X86_FL_COUNT
};

static inline uint64_t x86_size_mask(unsigned size)
{
    return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

static inline void x86_set_lazy(struct x86_cpu *c, unsigned op, unsigned size,
                                uint64_t res, uint64_t src1, uint64_t src2)
{
    c->lazy.res = res;
    c->lazy.src1 = src1;
    c->lazy.src2 = src2;
    c->lazy.op = (uint8_t)op;
    c->lazy.size = (uint8_t)size;
}

/* The six arithmetic flags the lazy record describes (lazy.op != 0). */
uint64_t x86_lazy_flags(const struct x86_lazy *l);

/* The arithmetic flags now, wherever they are. */
static inline uint64_t x86_arith_flags(const struct x86_cpu *c)
{
    return c->lazy.op ? x86_lazy_flags(&c->lazy) : c->rflags & X86_ARITH_FLAGS;
}

/* Folds the lazy record into c->rflags, for instructions that change only
 * some of the flags (rotates, BT, BSF...). */
static inline void x86_flags_commit(struct x86_cpu *c)
{
    if (c->lazy.op) {
        c->rflags = (c->rflags & ~X86_ARITH_FLAGS) | x86_lazy_flags(&c->lazy);
        c->lazy.op = X86_FL_NONE;
    }
}

/* CF alone: ADC, SBB, RCL, RCR, INC and DEC need it without the rest. */
bool x86_get_cf(const struct x86_cpu *c);

/* Condition code cc (the low 4 bits of Jcc/SETcc/CMOVcc, SDM Vol. 1,
 * Appendix B) on the current flags. */
bool x86_cond(const struct x86_cpu *c, unsigned cc);

/* The same inline for the common cases, with cc a constant: after a
 * SUB/CMP the comparisons come from its operands, and ZF and SF from any
 * result (but MUL's, which clears ZF). The operands are shifted so that
 * the operation's size fills the top bits. */
static inline bool x86_cond_inline(const struct x86_cpu *c, unsigned cc)
{
    const struct x86_lazy *l = &c->lazy;
    unsigned sh = 64 - 8 * (unsigned)l->size;
    bool r;
    switch (cc >> 1) {
    case 1:     /* B */
        if (l->op != X86_FL_SUB)
            return x86_cond(c, cc);
        r = l->src1 << sh < l->src2 << sh;
        break;
    case 2:     /* E */
        if (l->op == X86_FL_NONE || l->op == X86_FL_MUL)
            return x86_cond(c, cc);
        r = !(l->res << sh);
        break;
    case 3:     /* BE */
        if (l->op != X86_FL_SUB)
            return x86_cond(c, cc);
        r = l->src1 << sh <= l->src2 << sh;
        break;
    case 4:     /* S */
        if (l->op == X86_FL_NONE)
            return x86_cond(c, cc);
        r = (int64_t)(l->res << sh) < 0;
        break;
    case 6:     /* L */
        if (l->op != X86_FL_SUB)
            return x86_cond(c, cc);
        r = (int64_t)(l->src1 << sh) < (int64_t)(l->src2 << sh);
        break;
    case 7:     /* LE */
        if (l->op != X86_FL_SUB)
            return x86_cond(c, cc);
        r = (int64_t)(l->src1 << sh) <= (int64_t)(l->src2 << sh);
        break;
    default:
        return x86_cond(c, cc);
    }
    return r ^ (cc & 1);
}

/* x86_get_cf inline for the operations that set most flags. */
static inline bool x86_get_cf_inline(const struct x86_cpu *c)
{
    const struct x86_lazy *l = &c->lazy;
    unsigned sh = 64 - 8 * (unsigned)l->size;
    switch (l->op) {
    case X86_FL_SUB:
        return l->src1 << sh < l->src2 << sh;
    case X86_FL_ADD:
        return l->res << sh < l->src1 << sh;
    case X86_FL_LOGIC:
        return false;
    case X86_FL_INC: case X86_FL_DEC:
        return l->src2 & 1;
    default:
        return x86_get_cf(c);
    }
}

#endif

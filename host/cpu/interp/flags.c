/* Lazy flags: deriving CF..OF from the last operation (see flags.h). */
#include "cpu/interp/flags.h"

static inline uint64_t zsp(uint64_t res, uint64_t sign)
{
    uint64_t f = 0;
    if (!res)
        f |= X86_ZF;
    if (res & sign)
        f |= X86_SF;
    if (!__builtin_parity((unsigned)(res & 0xff)))
        f |= X86_PF;
    return f;
}

uint64_t x86_lazy_flags(const struct x86_lazy *l)
{
    uint64_t m = x86_size_mask(l->size), sign = (m >> 1) + 1;
    uint64_t res = l->res & m, s1 = l->src1 & m, s2 = l->src2 & m;
    uint64_t f = zsp(res, sign), cin;

    switch (l->op) {
    case X86_FL_ADD:
        f |= res < s1 ? X86_CF : 0;
        goto add_of;
    case X86_FL_ADC:
        cin = (res - s1 - s2) & m;
        f |= (cin ? res <= s1 : res < s1) ? X86_CF : 0;
    add_of:
        f |= ((s1 ^ res) & (s2 ^ res) & sign) ? X86_OF : 0;
        f |= (s1 ^ s2 ^ res) & X86_AF;
        break;
    case X86_FL_SUB:
        f |= s1 < s2 ? X86_CF : 0;
        goto sub_of;
    case X86_FL_SBB:
        cin = (s1 - s2 - res) & m;
        f |= (cin ? s1 <= s2 : s1 < s2) ? X86_CF : 0;
    sub_of:
        f |= ((s1 ^ s2) & (s1 ^ res) & sign) ? X86_OF : 0;
        f |= (s1 ^ s2 ^ res) & X86_AF;
        break;
    case X86_FL_LOGIC:
        break;
    case X86_FL_INC:
        f |= (l->src2 & 1) ? X86_CF : 0;
        f |= res == sign ? X86_OF : 0;
        f |= (s1 ^ 1 ^ res) & X86_AF;
        break;
    case X86_FL_DEC:
        f |= (l->src2 & 1) ? X86_CF : 0;
        f |= s1 == sign ? X86_OF : 0;
        f |= (s1 ^ 1 ^ res) & X86_AF;
        break;
    case X86_FL_CO:
        f |= (l->src1 & 1) ? X86_CF : 0;
        f |= (l->src2 & 1) ? X86_OF : 0;
        break;
    case X86_FL_MUL:
        /* what Intel parts do with the flags the SDM leaves undefined */
        f &= ~X86_ZF;
        f |= (l->src1 & 1) ? X86_CF | X86_OF : 0;
        break;
    }
    return f;
}

bool x86_get_cf(const struct x86_cpu *c)
{
    const struct x86_lazy *l = &c->lazy;
    uint64_t m = x86_size_mask(l->size);

    switch (l->op) {
    case X86_FL_NONE:
        return c->rflags & X86_CF;
    case X86_FL_ADD:
        return (l->res & m) < (l->src1 & m);
    case X86_FL_SUB:
        return (l->src1 & m) < (l->src2 & m);
    case X86_FL_LOGIC:
        return false;
    case X86_FL_INC:
    case X86_FL_DEC:
    case X86_FL_CO:
    case X86_FL_MUL:
        return ((l->op == X86_FL_CO || l->op == X86_FL_MUL) ? l->src1 : l->src2) & 1;
    default:
        return x86_lazy_flags(l) & X86_CF;
    }
}

uint64_t x86_get_rflags(struct x86_cpu *c)
{
    return (c->rflags & ~X86_ARITH_FLAGS) | x86_arith_flags(c);
}

void x86_set_rflags(struct x86_cpu *c, uint64_t v)
{
    /* bit 1 reads as 1; bits 3, 5, 15 and 22-63 are reserved (zero) */
    c->rflags = (v & 0x3f7fd5ull) | 2;
    c->lazy.op = X86_FL_NONE;
}

/* Signed comparison of two size-byte values. */
static inline bool sless(uint64_t a, uint64_t b, unsigned size)
{
    unsigned sh = 64 - size * 8;
    return (int64_t)(a << sh) < (int64_t)(b << sh);
}

bool x86_cond(const struct x86_cpu *c, unsigned cc)
{
    const struct x86_lazy *l = &c->lazy;
    bool r;

    /* CMP and TEST followed by Jcc are most of what runs: answer from
     * the operands without building every flag. */
    if (l->op == X86_FL_SUB) {
        uint64_t m = x86_size_mask(l->size), s1 = l->src1 & m, s2 = l->src2 & m;
        switch (cc >> 1) {
        case 1: r = s1 < s2; goto out;
        case 2: r = s1 == s2; goto out;
        case 3: r = s1 <= s2; goto out;
        case 6: r = sless(s1, s2, l->size); goto out;
        case 7: r = s1 == s2 || sless(s1, s2, l->size); goto out;
        }
    } else if (l->op == X86_FL_LOGIC) {
        uint64_t m = x86_size_mask(l->size), res = l->res & m, sign = (m >> 1) + 1;
        switch (cc >> 1) {
        case 0: case 1: r = false; goto out;
        case 2: case 3: r = !res; goto out;
        case 4: case 6: r = res & sign; goto out;
        case 7: r = !res || (res & sign); goto out;
        }
    } else if (l->op != X86_FL_NONE) {
        /* ZF and SF are the result's whatever set them (but MUL, which
         * clears ZF): DEC and Jcc, ADD and Jcc... */
        uint64_t m = x86_size_mask(l->size), res = l->res & m;
        switch (cc >> 1) {
        case 2: r = l->op != X86_FL_MUL && !res; goto out;
        case 4: r = res & ((m >> 1) + 1); goto out;
        }
    }

    uint64_t f = x86_arith_flags(c);
    switch (cc >> 1) {
    case 0: r = f & X86_OF; break;
    case 1: r = f & X86_CF; break;
    case 2: r = f & X86_ZF; break;
    case 3: r = f & (X86_CF | X86_ZF); break;
    case 4: r = f & X86_SF; break;
    case 5: r = f & X86_PF; break;
    case 6: r = !(f & X86_SF) != !(f & X86_OF); break;
    default: r = (f & X86_ZF) || !(f & X86_SF) != !(f & X86_OF); break;
    }
out:
    return r ^ (cc & 1);
}

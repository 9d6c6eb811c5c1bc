/*
 * x87 data and arithmetic instructions on the register stack (SDM
 * Vol. 1, 8.3; Vol. 2, each instruction): loads and stores of every
 * format, the four operations and their reverse and popping forms,
 * comparisons, constants, and the host's own x87 for FSQRT, FRNDINT,
 * FSCALE, FPREM, FPREM1, F2XM1, FSIN, FCOS, FYL2X, FYL2XP1, FPATAN, run
 * under the guest's precision and rounding control (x87.c). Unmasked
 * overflow and underflow store the masked response (not the scaled one
 * of 8.5.3-8.5.4).
 */
#include "cpu/interp/x87_ops.h"

/* the value through the x87 stack top, so it is computed between the
 * host's control word switches */
#define LPIN(v) __asm__ volatile("" : "+t"(v))

void x87_push(struct x86_cpu *c, long double v)
{
    if (!x87_empty(c, 7)) {
        if (!x87_stack_fault(c, true))
            return;
        v = X87_INDEFINITE;
    } else {
        c->fpu.fsw &= (uint16_t)~X86_FSW_C1;       /* C1: 1 for overflow only */
    }
    x87_set_top(c, x87_top(c) - 1);
    x87_put(c, 0, v);
}

void x87_pop(struct x86_cpu *c)
{
    c->fpu.ftw &= (uint8_t)~(1u << x87_phys(c, 0));
    x87_set_top(c, x87_top(c) + 1);
}

bool x87_underflow(struct x86_cpu *c, unsigned i, unsigned j)
{
    return x87_empty(c, i) || x87_empty(c, j);
}

/* A NaN (or an unsupported encoding with the maximum exponent) */
static bool is_nan(long double v)
{
    uint64_t m;
    uint16_t se;
    memcpy(&m, &v, 8);
    memcpy(&se, (const uint8_t *)&v + 8, 2);
    return (se & 0x7fff) == 0x7fff && (m << 1);
}

/* The flags of an operation and of the conversion of its memory operand
 * before it (SDM Vol. 1, 4.9.2, priority): an invalid operation, or a
 * QNaN operand, hides the operand's denormal exception */
static uint16_t x87_merge(uint16_t op, uint16_t pre, long double x, long double y)
{
    if (is_nan(x) || is_nan(y))
        pre &= (uint16_t)~0x02;
    uint16_t fl = (uint16_t)(op | (pre & 0x3f));
    return (fl & X86_FSW_IE) ? fl & (uint16_t)~0x02 : fl;
}

/* kind: 0 add, 1 mul, 4 x - y, 5 y - x, 6 x / y, 7 y / x; the FSW
 * right after the host's instruction, for C1 (round up, 8.1.3.1) */
static long double calc(unsigned kind, long double x, long double y, uint16_t *sw)
{
    switch (kind) {
    case 0: __asm__ volatile("fadd %%st(1), %%st\n\tfnstsw %1" : "+t"(x), "=m"(*sw) : "u"(y)); break;
    case 1: __asm__ volatile("fmul %%st(1), %%st\n\tfnstsw %1" : "+t"(x), "=m"(*sw) : "u"(y)); break;
    case 4: __asm__ volatile("fsub %%st(1), %%st\n\tfnstsw %1" : "+t"(x), "=m"(*sw) : "u"(y)); break;
    case 5: __asm__ volatile("fsubr %%st(1), %%st\n\tfnstsw %1" : "+t"(x), "=m"(*sw) : "u"(y)); break;
    case 6: __asm__ volatile("fdiv %%st(1), %%st\n\tfnstsw %1" : "+t"(x), "=m"(*sw) : "u"(y)); break;
    default: __asm__ volatile("fdivr %%st(1), %%st\n\tfnstsw %1" : "+t"(x), "=m"(*sw) : "u"(y)); break;
    }
    return x;
}

/* ST(dst) := ST(dst) op y, popping after when pop */
void x87_arith(struct x86_cpu *c, unsigned kind, unsigned dst, long double y, bool pop, uint16_t pre)
{
    struct x87_host h;
    long double r;
    x87_enter(c, &h);
    uint16_t sw;
    long double x = x87_get(c, dst);
    r = calc(kind, x, y, &sw);
    uint16_t fl = x87_merge(x87_leave(&h), pre, x, y);
    c->fpu.fsw = (uint16_t)((c->fpu.fsw & ~X86_FSW_C1) | (sw & X86_FSW_C1));
    if (!x87_raise(c, fl))
        x87_put(c, dst, r);
    if (pop)
        x87_pop(c);
}

/* C3 C2 C0 of a comparison of x with y (FCOM, FUCOM, FTST) or ZF PF CF
 * (FCOMI, FUCOMI), by the host's FCOMI/FUCOMI: unordered 111, less 001,
 * equal 100 (SDM Vol. 2, FCOM). */
void x87_compare(struct x86_cpu *c, long double x, long double y, bool quiet, bool eflags,
                 uint16_t pre)
{
    struct x87_host h;
    bool z, p, cf;
    x87_enter(c, &h);
    if (quiet)
        __asm__ volatile("fucomi %%st(1), %%st" : "=@ccz"(z), "=@ccp"(p), "=@ccc"(cf) : "t"(x), "u"(y));
    else
        __asm__ volatile("fcomi %%st(1), %%st" : "=@ccz"(z), "=@ccp"(p), "=@ccc"(cf) : "t"(x), "u"(y));
    uint16_t fl = x87_merge(x87_leave(&h), pre, x, y);
    c->fpu.fsw &= (uint16_t)~X86_FSW_C1;
    if (x87_raise(c, fl))
        return;
    if (eflags) {
        c->lazy.op = X86_FL_NONE;
        c->rflags = (c->rflags & ~X86_ARITH_FLAGS) | (z ? X86_ZF : 0) | (p ? X86_PF : 0) |
                    (cf ? X86_CF : 0);
    } else {
        c->fpu.fsw = (uint16_t)((c->fpu.fsw & ~(X86_FSW_C0 | X86_FSW_C2 | X86_FSW_C3)) |
                                (z ? X86_FSW_C3 : 0) | (p ? X86_FSW_C2 : 0) | (cf ? X86_FSW_C0 : 0));
    }
}

/* Conversions to and from memory formats on the host's x87 */
long double x87_from_float(struct x86_cpu *c, uint64_t bits, unsigned size, uint16_t *fl)
{
    struct x87_host h;
    volatile float f;
    volatile double d;
    if (size == 4)
        memcpy((void *)&f, &bits, 4);
    else
        memcpy((void *)&d, &bits, 8);
    x87_enter(c, &h);
    long double v;      /* each loaded by the x87's FLD, not through SSE */
    if (size == 4)
        v = f;
    else
        v = d;
    LPIN(v);
    *fl = x87_leave(&h);
    return v;
}

uint64_t x87_to_float(struct x86_cpu *c, long double v, unsigned size, uint16_t *fl)
{
    struct x87_host h;
    volatile float f;
    volatile double d;
    uint64_t bits = 0;
    x87_enter(c, &h);
    LPIN(v);
    if (size == 4)
        f = (float)v;
    else
        d = (double)v;
    *fl = x87_leave(&h);
    if (size == 4)
        memcpy(&bits, (const void *)&f, 4);
    else
        memcpy(&bits, (const void *)&d, 8);
    return bits;
}

/* FIST/FISTP: the host's FISTP rounds by RC, gives the integer
 * indefinite and IE when out of range */
uint64_t x87_to_int(struct x86_cpu *c, long double v, unsigned size, uint16_t *fl)
{
    struct x87_host h;
    int16_t i16;
    int32_t i32;
    int64_t i64;
    uint64_t r;
    x87_enter(c, &h);
    if (size == 2) {
        __asm__ volatile("fistps %0" : "=m"(i16) : "t"(v) : "st");
        r = (uint16_t)i16;
    } else if (size == 4) {
        __asm__ volatile("fistpl %0" : "=m"(i32) : "t"(v) : "st");
        r = (uint32_t)i32;
    } else {
        __asm__ volatile("fistpll %0" : "=m"(i64) : "t"(v) : "st");
        r = (uint64_t)i64;
    }
    *fl = x87_leave(&h);
    return r;
}

/* D9 E8-EE: the constants, rounded by RC as the host's are */
long double x87_const(struct x86_cpu *c, unsigned n)
{
    struct x87_host h;
    long double v;
    x87_enter(c, &h);
    switch (n) {
    case 0: __asm__ volatile("fld1" : "=t"(v)); break;
    case 1: __asm__ volatile("fldl2t" : "=t"(v)); break;
    case 2: __asm__ volatile("fldl2e" : "=t"(v)); break;
    case 3: __asm__ volatile("fldpi" : "=t"(v)); break;
    case 4: __asm__ volatile("fldlg2" : "=t"(v)); break;
    case 5: __asm__ volatile("fldln2" : "=t"(v)); break;
    default: __asm__ volatile("fldz" : "=t"(v)); break;
    }
    x87_leave(&h);
    return v;
}

/* D9 F0-FF on the host: ST(0) (and ST(1)) in, the results and the
 * condition codes out. Returns the host's FSW (flags and C0-C3). */
uint16_t x87_host_op(struct x86_cpu *c, unsigned modrm, long double *st0, long double *st1)
{
    struct x87_host h;
    uint16_t sw;
    long double a = *st0, b = *st1;
    x87_enter(c, &h);
    /* FNSTSW in the same asm: what the compiler adds after (popping an
     * input) would change C1 */
#define SW "\n\tfnstsw %[sw]"
    switch (modrm) {
    case 0xf0: __asm__ volatile("f2xm1" SW : "+t"(a), [sw] "=m"(sw)); break;
    case 0xf1: __asm__ volatile("fyl2x" SW : "=t"(b), [sw] "=m"(sw) : "0"(a), "u"(b) : "st(1)"); break;
    case 0xf3: __asm__ volatile("fpatan" SW : "=t"(b), [sw] "=m"(sw) : "0"(a), "u"(b) : "st(1)"); break;
    case 0xf5: __asm__ volatile("fprem1" SW : "+t"(a), [sw] "=m"(sw) : "u"(b)); break;
    case 0xf8: __asm__ volatile("fprem" SW : "+t"(a), [sw] "=m"(sw) : "u"(b)); break;
    case 0xf9: __asm__ volatile("fyl2xp1" SW : "=t"(b), [sw] "=m"(sw) : "0"(a), "u"(b) : "st(1)"); break;
    case 0xfa: __asm__ volatile("fsqrt" SW : "+t"(a), [sw] "=m"(sw)); break;
    case 0xfc: __asm__ volatile("frndint" SW : "+t"(a), [sw] "=m"(sw)); break;
    case 0xfd: __asm__ volatile("fscale" SW : "+t"(a), [sw] "=m"(sw) : "u"(b)); break;
    case 0xfe: __asm__ volatile("fsin" SW : "+t"(a), [sw] "=m"(sw)); break;
    default:   __asm__ volatile("fcos" SW : "+t"(a), [sw] "=m"(sw)); break;
    }
#undef SW
    x87_leave(&h);
    *st0 = a;
    *st1 = b;
    return sw;
}

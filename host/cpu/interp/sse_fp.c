/*
 * SSE/SSE2 floating point: packed and scalar single and double
 * arithmetic, comparisons, conversions, logic and shuffles (SDM Vol. 1,
 * 10.4 and 11.4; Vol. 2, each instruction).
 *
 * The arithmetic is the host's own SSE instructions run under the
 * guest's MXCSR: its rounding control, DAZ and FZ, with every exception
 * masked and the flags cleared first; the flags they raise are the
 * guest's (SDM Vol. 1, 11.5). So results, NaN propagation (Vol. 1,
 * 4.8.3.5) and the integer indefinite of conversions are the hardware's.
 * An exception the guest leaves unmasked faults (#XM, or #UD without
 * CR4.OSXMMEXCPT) with the destination unchanged and the flags set; the
 * flags are those of the masked response (Vol. 1, 11.5.2: the unmasked
 * underflow of an exact tiny result is not told apart).
 */
#include <emmintrin.h>
#include "cpu/interp/sse.h"

#if !defined(__x86_64__)
#error "sse_fp.c runs the guest's SSE arithmetic on the host's"
#endif

/* Values pass through an empty volatile asm on their way in and out, so
 * that the compiler cannot move the arithmetic across the MXCSR switch
 * (it does not know the instructions depend on MXCSR). */
#define PIN(v) __asm__ volatile("" : "+x"(v))
#define PINR(v) __asm__ volatile("" : "+r"(v))

static inline __m128 ps(const union x86_xmm *v) { __m128 x = _mm_loadu_ps(v->f); PIN(x); return x; }
static inline __m128d pd(const union x86_xmm *v) { __m128d x = _mm_loadu_pd(v->f64); PIN(x); return x; }
static inline __m128i pi(const union x86_xmm *v)
{
    __m128i x = _mm_loadu_si128((const __m128i *)v);
    PIN(x);
    return x;
}
static inline void put_ps(union x86_xmm *v, __m128 x) { PIN(x); _mm_storeu_ps(v->f, x); }
static inline void put_pd(union x86_xmm *v, __m128d x) { PIN(x); _mm_storeu_pd(v->f64, x); }
static inline void put_pi(union x86_xmm *v, __m128i x) { PIN(x); _mm_storeu_si128((__m128i *)v, x); }

/* Host MXCSR := the guest's, all masked, no flags; the old one back. */
static unsigned host_enter(const struct x86_cpu *c)
{
    unsigned saved = _mm_getcsr();
    _mm_setcsr((c->fpu.mxcsr & ~0x3fu) | 0x1f80u);
    return saved;
}

/* The flags raised since host_enter; faults for unmasked ones. */
static void host_leave(struct x86_cpu *c, unsigned saved)
{
    unsigned fl = _mm_getcsr() & 0x3f;
    _mm_setcsr(saved);
    c->fpu.mxcsr |= fl;
    if (fl & ~(c->fpu.mxcsr >> 7) & 0x3f)
        x86_simd_fault(c);
}

/* CMPPS/PD/SS/SD predicates 0-7 (imm8 bits 2:0 in legacy SSE) */
#define CMP8(sfx, A, B) \
    switch (imm & 7) { \
    case 0: return _mm_cmpeq_##sfx(A, B); \
    case 1: return _mm_cmplt_##sfx(A, B); \
    case 2: return _mm_cmple_##sfx(A, B); \
    case 3: return _mm_cmpunord_##sfx(A, B); \
    case 4: return _mm_cmpneq_##sfx(A, B); \
    case 5: return _mm_cmpnlt_##sfx(A, B); \
    case 6: return _mm_cmpnle_##sfx(A, B); \
    default: return _mm_cmpord_##sfx(A, B); \
    }
static __m128 cmp_ps(__m128 a, __m128 b, unsigned imm) { CMP8(ps, a, b) }
static __m128 cmp_ss(__m128 a, __m128 b, unsigned imm) { CMP8(ss, a, b) }
static __m128d cmp_pd(__m128d a, __m128d b, unsigned imm) { CMP8(pd, a, b) }
static __m128d cmp_sd(__m128d a, __m128d b, unsigned imm) { CMP8(sd, a, b) }

/* 0F 58-5F (but 5A, 5B) and 51-53: op on dst a and src b by prefix */
static void arith(unsigned op, unsigned pfx, union x86_xmm *r, const union x86_xmm *a,
                  const union x86_xmm *b)
{
    __m128 fa = ps(a), fb = ps(b);
    __m128d da = pd(a), db = pd(b);
    switch (pfx) {
    case SSE_NP:
        switch (op) {
        case 0x51: put_ps(r, _mm_sqrt_ps(fb)); return;
        case 0x52: put_ps(r, _mm_rsqrt_ps(fb)); return;
        case 0x53: put_ps(r, _mm_rcp_ps(fb)); return;
        case 0x58: put_ps(r, _mm_add_ps(fa, fb)); return;
        case 0x59: put_ps(r, _mm_mul_ps(fa, fb)); return;
        case 0x5c: put_ps(r, _mm_sub_ps(fa, fb)); return;
        case 0x5d: put_ps(r, _mm_min_ps(fa, fb)); return;
        case 0x5e: put_ps(r, _mm_div_ps(fa, fb)); return;
        default:   put_ps(r, _mm_max_ps(fa, fb)); return;
        }
    case SSE_F3:
        switch (op) {
        case 0x51: put_ps(r, _mm_move_ss(fa, _mm_sqrt_ss(fb))); return;
        case 0x52: put_ps(r, _mm_move_ss(fa, _mm_rsqrt_ss(fb))); return;
        case 0x53: put_ps(r, _mm_move_ss(fa, _mm_rcp_ss(fb))); return;
        case 0x58: put_ps(r, _mm_add_ss(fa, fb)); return;
        case 0x59: put_ps(r, _mm_mul_ss(fa, fb)); return;
        case 0x5c: put_ps(r, _mm_sub_ss(fa, fb)); return;
        case 0x5d: put_ps(r, _mm_min_ss(fa, fb)); return;
        case 0x5e: put_ps(r, _mm_div_ss(fa, fb)); return;
        default:   put_ps(r, _mm_max_ss(fa, fb)); return;
        }
    case SSE_66:
        switch (op) {
        case 0x51: put_pd(r, _mm_sqrt_pd(db)); return;
        case 0x58: put_pd(r, _mm_add_pd(da, db)); return;
        case 0x59: put_pd(r, _mm_mul_pd(da, db)); return;
        case 0x5c: put_pd(r, _mm_sub_pd(da, db)); return;
        case 0x5d: put_pd(r, _mm_min_pd(da, db)); return;
        case 0x5e: put_pd(r, _mm_div_pd(da, db)); return;
        default:   put_pd(r, _mm_max_pd(da, db)); return;
        }
    default:
        switch (op) {
        case 0x51: put_pd(r, _mm_sqrt_sd(da, db)); return;
        case 0x58: put_pd(r, _mm_add_sd(da, db)); return;
        case 0x59: put_pd(r, _mm_mul_sd(da, db)); return;
        case 0x5c: put_pd(r, _mm_sub_sd(da, db)); return;
        case 0x5d: put_pd(r, _mm_min_sd(da, db)); return;
        case 0x5e: put_pd(r, _mm_div_sd(da, db)); return;
        default:   put_pd(r, _mm_max_sd(da, db)); return;
        }
    }
}

/* 0F 5A, 5B, E6: conversions between packed/scalar formats */
static void convert(unsigned op, unsigned pfx, union x86_xmm *r, const union x86_xmm *a,
                    const union x86_xmm *b)
{
    if (op == 0x5a) {
        switch (pfx) {
        case SSE_NP: put_pd(r, _mm_cvtps_pd(ps(b))); return;
        case SSE_66: put_ps(r, _mm_cvtpd_ps(pd(b))); return;
        case SSE_F3: put_pd(r, _mm_cvtss_sd(pd(a), ps(b))); return;
        default:     put_ps(r, _mm_cvtsd_ss(ps(a), pd(b))); return;
        }
    }
    if (op == 0x5b) {
        switch (pfx) {
        case SSE_NP: put_ps(r, _mm_cvtepi32_ps(pi(b))); return;
        case SSE_66: put_pi(r, _mm_cvtps_epi32(ps(b))); return;
        default:     put_pi(r, _mm_cvttps_epi32(ps(b))); return;
        }
    }
    switch (pfx) {                          /* E6 */
    case SSE_66: put_pi(r, _mm_cvttpd_epi32(pd(b))); return;
    case SSE_F2: put_pi(r, _mm_cvtpd_epi32(pd(b))); return;
    default:     put_pd(r, _mm_cvtepi32_pd(pi(b))); return;
    }
}

/* The memory operand's size: 16 packed, 4 or 8 scalar (and the few
 * packed conversions that read half a register); 0: no such form. */
static unsigned src_size(unsigned op, unsigned pfx)
{
    switch (op) {
    case 0x14: case 0x15: case 0x54: case 0x55: case 0x56: case 0x57: case 0xc6:
        return pfx == SSE_NP || pfx == SSE_66 ? 16 : 0;
    case 0x2e: case 0x2f:
        return pfx == SSE_NP ? 4 : pfx == SSE_66 ? 8 : 0;
    case 0x51: case 0x58: case 0x59: case 0x5c: case 0x5d: case 0x5e: case 0x5f: case 0xc2:
        return pfx == SSE_F3 ? 4 : pfx == SSE_F2 ? 8 : 16;
    case 0x52: case 0x53:
        return pfx == SSE_NP ? 16 : pfx == SSE_F3 ? 4 : 0;
    case 0x5a:
        return pfx == SSE_NP ? 8 : pfx == SSE_66 ? 16 : pfx == SSE_F3 ? 4 : 8;
    case 0x5b:
        return pfx == SSE_F2 ? 0 : 16;
    case 0xe6:
        return pfx == SSE_NP ? 0 : pfx == SSE_F3 ? 8 : 16;
    case 0x2a:                              /* from r/m32/64: see cvtsi */
    case 0x2c: case 0x2d:
        return pfx == SSE_F3 ? 4 : pfx == SSE_F2 ? 8 : 0;
    }
    return 0;
}

/* CVTSI2SS/SD xmm, r/m32/64 (F3/F2 0F 2A) */
static void cvtsi(struct x86_cpu *c, struct x86_insn *d, unsigned pfx)
{
    unsigned size = (d->rex & 8) ? 8 : 4;
    uint64_t v = x86_rm_get(c, d, size);
    union x86_xmm *x = sse_reg(c, d->reg), r = *x;
    unsigned saved = host_enter(c);
    if (pfx == SSE_F3)
        put_ps(&r, size == 8 ? _mm_cvtsi64_ss(ps(&r), (int64_t)v) : _mm_cvtsi32_ss(ps(&r), (int32_t)v));
    else
        put_pd(&r, size == 8 ? _mm_cvtsi64_sd(pd(&r), (int64_t)v) : _mm_cvtsi32_sd(pd(&r), (int32_t)v));
    host_leave(c, saved);
    *x = r;
}

/* CVT(T)SS2SI, CVT(T)SD2SI r32/64, xmm/m (F3/F2 0F 2C, 2D) */
static void cvt2si(struct x86_cpu *c, struct x86_insn *d, unsigned pfx, const union x86_xmm *b)
{
    bool q = d->rex & 8, t = (d->op & 0xff) == 0x2c;
    uint64_t v;
    unsigned saved = host_enter(c);
    if (pfx == SSE_F3)
        v = q ? (uint64_t)(t ? _mm_cvttss_si64(ps(b)) : _mm_cvtss_si64(ps(b)))
              : (uint32_t)(t ? _mm_cvttss_si32(ps(b)) : _mm_cvtss_si32(ps(b)));
    else
        v = q ? (uint64_t)(t ? _mm_cvttsd_si64(pd(b)) : _mm_cvtsd_si64(pd(b)))
              : (uint32_t)(t ? _mm_cvttsd_si32(pd(b)) : _mm_cvtsd_si32(pd(b)));
    PINR(v);
    host_leave(c, saved);
    c->r[d->reg] = v;
}

/* (U)COMISS/SD: ZF PF CF from the comparison, OF SF AF cleared */
static void comis(struct x86_cpu *c, struct x86_insn *d, unsigned pfx, const union x86_xmm *a,
                  const union x86_xmm *b)
{
    bool signal = (d->op & 0xff) == 0x2f;
    int eq, lt, un;
    unsigned saved = host_enter(c);
    if (pfx == SSE_NP) {
        __m128 x = ps(a), y = ps(b);
        eq = signal ? _mm_comieq_ss(x, y) : _mm_ucomieq_ss(x, y);
        lt = _mm_ucomilt_ss(x, y);
        un = _mm_movemask_ps(_mm_cmpunord_ss(x, y)) & 1;
    } else {
        __m128d x = pd(a), y = pd(b);
        eq = signal ? _mm_comieq_sd(x, y) : _mm_ucomieq_sd(x, y);
        lt = _mm_ucomilt_sd(x, y);
        un = _mm_movemask_pd(_mm_cmpunord_sd(x, y)) & 1;
    }
    PINR(eq);
    PINR(lt);
    PINR(un);
    host_leave(c, saved);
    uint64_t f = un ? (X86_ZF | X86_PF | X86_CF) : eq ? X86_ZF : lt ? X86_CF : 0;
    c->lazy.op = X86_FL_NONE;
    c->rflags = (c->rflags & ~X86_ARITH_FLAGS) | f;
}

static void shuffle(unsigned op, unsigned pfx, union x86_xmm *r, const union x86_xmm *a,
                    const union x86_xmm *b, unsigned imm)
{
    union x86_xmm t;
    if (pfx == SSE_NP) {
        if (op == 0xc6) {
            t.d[0] = a->d[imm & 3];
            t.d[1] = a->d[(imm >> 2) & 3];
            t.d[2] = b->d[(imm >> 4) & 3];
            t.d[3] = b->d[(imm >> 6) & 3];
        } else {                            /* UNPCKLPS, UNPCKHPS */
            unsigned h = op == 0x15 ? 2 : 0;
            t.d[0] = a->d[h];
            t.d[1] = b->d[h];
            t.d[2] = a->d[h + 1];
            t.d[3] = b->d[h + 1];
        }
    } else {
        if (op == 0xc6) {
            t.q[0] = a->q[imm & 1];
            t.q[1] = b->q[(imm >> 1) & 1];
        } else {                            /* UNPCKLPD, UNPCKHPD */
            unsigned h = op == 0x15;
            t.q[0] = a->q[h];
            t.q[1] = b->q[h];
        }
    }
    *r = t;
}

bool x86_sse_fp(struct x86_cpu *c, struct x86_insn *d, unsigned pfx)
{
    unsigned op = d->op & 0xff, size = src_size(op, pfx);
    union x86_xmm b, r, *x = sse_reg(c, d->reg);

    if (!size)
        return false;
    if (op == 0x2a) {
        cvtsi(c, d, pfx);
        return true;
    }
    sse_src(c, d, &b, size, size == 16);
    if (op == 0x2c || op == 0x2d) {
        cvt2si(c, d, pfx, &b);
        return true;
    }
    if (op == 0x2e || op == 0x2f) {
        comis(c, d, pfx, x, &b);
        return true;
    }
    switch (op) {
    case 0x54: r.q[0] = x->q[0] & b.q[0]; r.q[1] = x->q[1] & b.q[1]; break;
    case 0x55: r.q[0] = ~x->q[0] & b.q[0]; r.q[1] = ~x->q[1] & b.q[1]; break;
    case 0x56: r.q[0] = x->q[0] | b.q[0]; r.q[1] = x->q[1] | b.q[1]; break;
    case 0x57: r.q[0] = x->q[0] ^ b.q[0]; r.q[1] = x->q[1] ^ b.q[1]; break;
    case 0x14: case 0x15: case 0xc6:
        shuffle(op, pfx, &r, x, &b, (uint8_t)d->imm);
        break;
    default: {
        unsigned saved = host_enter(c);
        if (op == 0xc2) {
            unsigned imm = (unsigned)d->imm;
            switch (pfx) {
            case SSE_NP: put_ps(&r, cmp_ps(ps(x), ps(&b), imm)); break;
            case SSE_F3: put_ps(&r, cmp_ss(ps(x), ps(&b), imm)); break;
            case SSE_66: put_pd(&r, cmp_pd(pd(x), pd(&b), imm)); break;
            default:     put_pd(&r, cmp_sd(pd(x), pd(&b), imm)); break;
            }
        } else if (op == 0x5a || op == 0x5b || op == 0xe6) {
            convert(op, pfx, &r, x, &b);
        } else {
            arith(op, pfx, &r, x, &b);
        }
        host_leave(c, saved);
    }
    }
    *x = r;
    return true;
}

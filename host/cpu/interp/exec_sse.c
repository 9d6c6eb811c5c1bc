/*
 * SSE/SSE2 instructions (0F 10-17, 28-2F, 50-7F, C2-C6, D0-FF with their
 * mandatory prefixes): the availability checks, then the moves and
 * shuffles here, packed integer in sse_int.c, floating point in sse_fp.c
 * (SDM Vol. 1, chapters 10-11; Vol. 2, each instruction). An encoding
 * none of them has is x86_unknown's (#UD).
 */
#include "cpu/interp/sse.h"

/* MOVD/MOVQ xmm, r/m32/64 (66 0F 6E) and back (66 0F 7E) */
static void movd(struct x86_cpu *c, struct x86_insn *d, bool to_xmm)
{
    unsigned size = (d->rex & 8) ? 8 : 4;
    union x86_xmm *x = sse_reg(c, d->reg);
    if (to_xmm) {
        uint64_t v = d->mod == 3 ? c->r[d->rm] : x86_read(c, d->seg, d->ea, size);
        x->q[0] = size == 8 ? v : (uint32_t)v;
        x->q[1] = 0;
    } else {
        x86_rm_set(c, d, size, size == 8 ? x->q[0] : x->d[0]);
    }
}

/* The register form writes all of it, the memory one size bytes. */
static void store(struct x86_cpu *c, struct x86_insn *d, const union x86_xmm *v, unsigned size,
                  bool align)
{
    if (d->mod == 3)
        *sse_reg(c, d->rm) = *v;
    else
        sse_store_mem(c, d, v, size, align);
}

static void pshuf(union x86_xmm *r, const union x86_xmm *s, unsigned pfx, uint8_t imm)
{
    union x86_xmm t = *s;
    if (pfx == SSE_66) {                    /* PSHUFD */
        for (unsigned i = 0; i < 4; i++)
            t.d[i] = s->d[(imm >> (2 * i)) & 3];
    } else {                                /* PSHUFHW (F3), PSHUFLW (F2) */
        unsigned base = pfx == SSE_F3 ? 4 : 0;
        for (unsigned i = 0; i < 4; i++)
            t.w[base + i] = s->w[base + ((imm >> (2 * i)) & 3)];
    }
    *r = t;
}

static bool moves(struct x86_cpu *c, struct x86_insn *d, unsigned pfx)
{
    unsigned op = d->op & 0xff;
    union x86_xmm *x = sse_reg(c, d->reg), s;

    switch (op) {
    case 0x10: case 0x11:
        if (pfx == SSE_F3 || pfx == SSE_F2) {       /* MOVSS, MOVSD */
            unsigned n = pfx == SSE_F3 ? 4 : 8;
            if (op == 0x11 && d->mod != 3) {
                x86_write_bytes(c, d->seg, d->ea, x, n);
            } else if (d->mod == 3) {
                union x86_xmm *dst = op == 0x10 ? x : sse_reg(c, d->rm);
                union x86_xmm *src = op == 0x10 ? sse_reg(c, d->rm) : x;
                memcpy(dst, src, n);
            } else {
                sse_src(c, d, &s, n, false);
                *x = s;
            }
            return true;
        }
        /* MOVUPS, MOVUPD */
        if (op == 0x10) {
            sse_src(c, d, &s, 16, false);
            *x = s;
        } else {
            store(c, d, x, 16, false);
        }
        return true;
    case 0x28: case 0x29: case 0x2b:    /* MOVAPS/PD, MOVNTPS/PD */
    case 0x6f: case 0x7f: case 0xe7:    /* MOVDQA/DQU, MOVNTDQ */
        if (pfx == SSE_F2 || (op >= 0x6f && pfx == SSE_NP) || (op < 0x6f && pfx == SSE_F3))
            return false;
        if ((op == 0x2b || op == 0xe7) && (d->mod == 3 || pfx == SSE_F3))
            return false;
        if (op == 0x28 || op == 0x6f) {
            sse_src(c, d, &s, 16, pfx != SSE_F3);
            *x = s;
        } else {
            store(c, d, x, 16, pfx != SSE_F3);
        }
        return true;
    case 0x12: case 0x13: case 0x16: case 0x17: {
        /* MOVLPS/PD, MOVHPS/PD; no prefix and a register: MOVHLPS, MOVLHPS */
        if (pfx != SSE_NP && pfx != SSE_66)
            return false;
        unsigned half = op >= 0x16;
        if (op & 1) {
            if (d->mod == 3)
                return false;
            x86_write_bytes(c, d->seg, d->ea, &x->q[half], 8);
            return true;
        }
        if (d->mod == 3) {
            if (pfx != SSE_NP)
                return false;
            x->q[half] = sse_reg(c, d->rm)->q[!half];
        } else {
            x->q[half] = x86_read(c, d->seg, d->ea, 8);
        }
        return true;
    }
    case 0x50:                          /* MOVMSKPS, MOVMSKPD */
        if (d->mod != 3 || (pfx != SSE_NP && pfx != SSE_66))
            return false;
        s = *sse_reg(c, d->rm);
        c->r[d->reg] = pfx == SSE_NP
            ? (s.d[0] >> 31) | (s.d[1] >> 31) << 1 | (s.d[2] >> 31) << 2 | (s.d[3] >> 31) << 3
            : (s.q[0] >> 63) | (s.q[1] >> 63) << 1;
        return true;
    case 0x6e:
        if (pfx != SSE_66)
            return false;
        movd(c, d, true);
        return true;
    case 0x7e:
        if (pfx == SSE_66) {
            movd(c, d, false);
        } else if (pfx == SSE_F3) {     /* MOVQ xmm, xmm/m64 */
            sse_src(c, d, &s, 8, false);
            x->q[0] = s.q[0];
            x->q[1] = 0;
        } else {
            return false;
        }
        return true;
    case 0xd6:                          /* MOVQ xmm/m64, xmm */
        if (pfx != SSE_66)
            return false;
        s.q[0] = x->q[0];
        s.q[1] = 0;
        store(c, d, &s, 8, false);
        return true;
    case 0xd7: {                        /* PMOVMSKB */
        if (pfx != SSE_66 || d->mod != 3)
            return false;
        s = *sse_reg(c, d->rm);
        uint32_t m = 0;
        for (unsigned i = 0; i < 16; i++)
            m |= (uint32_t)(s.b[i] >> 7) << i;
        c->r[d->reg] = m;
        return true;
    }
    case 0x70:                          /* PSHUFD, PSHUFHW, PSHUFLW */
        if (pfx == SSE_NP)
            return false;
        sse_src(c, d, &s, 16, true);
        pshuf(x, &s, pfx, (uint8_t)d->imm);
        return true;
    case 0xc4:                          /* PINSRW xmm, r32/m16, imm8 */
        if (pfx != SSE_66)
            return false;
        x->w[d->imm & 7] = (uint16_t)(d->mod == 3 ? c->r[d->rm] : x86_read(c, d->seg, d->ea, 2));
        return true;
    case 0xc5:                          /* PEXTRW r32, xmm, imm8 */
        if (pfx != SSE_66 || d->mod != 3)
            return false;
        c->r[d->reg] = sse_reg(c, d->rm)->w[d->imm & 7];
        return true;
    }
    return false;
}

/* the handler of every SSE/SSE2 opcode in the table */
void x86_op_sse(struct x86_cpu *c, struct x86_insn *d)
{
    unsigned pfx = sse_prefix(d);
    unsigned op = d->op & 0xff;

    if (pfx == SSE_NP && x86_mmx(c, d))
        return;
    x86_sse_check(c);
    if (op == 0xc3) {                   /* MOVNTI m32/64, r (no XMM) */
        if (pfx != SSE_NP || d->mod == 3)
            x86_unknown(c, d);
        unsigned size = (d->rex & 8) ? 8 : 4;
        x86_write(c, d->seg, d->ea, x86_reg_get(c, d, d->reg, size), size);
        return;
    }
    if (moves(c, d, pfx) || x86_sse_fp(c, d, pfx))
        return;
    if (((op >= 0x60 && op <= 0x76) || op >= 0xd1) && x86_sse_int(c, d, pfx))
        return;
    x86_unknown(c, d);
}

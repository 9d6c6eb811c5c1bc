/*
 * MMX (SDM Vol. 1, chapter 9) and the SSE/SSE2 integer instructions on
 * MMX registers: the no-prefix forms of 0F 60-7F, C4, C5, D1-FE, and
 * EMMS. MM0-MM7 are the low 64 bits of the x87 registers R0-R7: an MMX
 * instruction sets TOP to 0 and tags all valid, and a write sets the
 * exponent bits to all ones (9.5.1); EMMS tags all empty. Not here:
 * MASKMOVQ, and the conversions between MMX and XMM (CVTPI2PS...).
 */
#include "cpu/interp/sse.h"

static uint64_t mm_get(const struct x86_cpu *c, unsigned i)
{
    uint64_t v;
    memcpy(&v, c->fpu.st[i & 7], 8);
    return v;
}

static void mm_set(struct x86_cpu *c, unsigned i, uint64_t v)
{
    memcpy(c->fpu.st[i & 7], &v, 8);
    c->fpu.st[i & 7][8] = c->fpu.st[i & 7][9] = 0xff;
}

/* the r/m operand: an MMX register or 8 bytes of memory */
static uint64_t mm_src(struct x86_cpu *c, const struct x86_insn *d)
{
    return d->mod == 3 ? mm_get(c, d->rm) : x86_read(c, d->seg, d->ea, 8);
}

static bool is_mmx(unsigned op)
{
    return (op >= 0x60 && op <= 0x7f && op != 0x6c && op != 0x6d && (op < 0x78 || op > 0x7d)) ||
           op == 0xc4 || op == 0xc5 || (op >= 0xd1 && op <= 0xfe && op != 0xd6 && op != 0xe6 &&
                                        op != 0xf7);
}

bool x86_mmx(struct x86_cpu *c, struct x86_insn *d)
{
    unsigned op = d->op & 0xff, reg = d->reg & 7;
    union x86_xmm r = { 0 }, s = { 0 };

    if (!is_mmx(op))
        return false;
    /* as x87 instructions: #UD with CR0.EM, #NM with TS, #MF pending */
    if (c->cr0 & X86_CR0_EM)
        x86_fault_noerr(c, X86_UD);
    x86_fpu_check(c, true);
    if (op == 0x77) {                               /* EMMS */
        c->fpu.ftw = 0;
        return true;
    }
    switch (op) {
    case 0x6e:                                      /* MOVD/MOVQ mm, r/m */
        if (d->rex & 8)
            r.q[0] = d->mod == 3 ? c->r[d->rm] : x86_read(c, d->seg, d->ea, 8);
        else
            r.q[0] = (uint32_t)(d->mod == 3 ? c->r[d->rm] : x86_read(c, d->seg, d->ea, 4));
        mm_set(c, reg, r.q[0]);
        break;
    case 0x7e:                                      /* MOVD/MOVQ r/m, mm */
        x86_rm_set(c, d, (d->rex & 8) ? 8 : 4, (d->rex & 8) ? mm_get(c, reg) : (uint32_t)mm_get(c, reg));
        break;
    case 0x6f:
        mm_set(c, reg, mm_src(c, d));
        break;
    case 0x7f: case 0xe7:                           /* MOVQ mm/m64, mm; MOVNTQ */
        if (d->mod == 3) {
            if (op == 0xe7)
                return false;
            mm_set(c, d->rm, mm_get(c, reg));
        } else {
            x86_write(c, d->seg, d->ea, mm_get(c, reg), 8);
        }
        break;
    case 0x70: {                                    /* PSHUFW */
        s.q[0] = mm_src(c, d);
        for (unsigned i = 0; i < 4; i++)
            r.w[i] = s.w[(d->imm >> (2 * i)) & 3];
        mm_set(c, reg, r.q[0]);
        break;
    }
    case 0x71: case 0x72: case 0x73: {              /* shifts by imm8 */
        unsigned g = reg, w = 2u << ((op & 3) - 1), n = (uint8_t)d->imm;
        if (d->mod != 3 || !(g == 2 || g == 6 || (g == 4 && w != 8)))
            return false;
        r.q[0] = mm_get(c, d->rm);
        s.q[0] = n;
        /* as the register-count forms: D1-D3, E1-E2, F1-F3 */
        static const uint8_t form[3][8] = { [0] = { [2] = 0xd1, [4] = 0xe1, [6] = 0xf1 },
                                            [1] = { [2] = 0xd2, [4] = 0xe2, [6] = 0xf2 },
                                            [2] = { [2] = 0xd3, [6] = 0xf3 } };
        x86_sse_int_op(form[w == 2 ? 0 : w == 4 ? 1 : 2][g], &r, &s, true);
        mm_set(c, d->rm, r.q[0]);
        break;
    }
    case 0xc4:                                      /* PINSRW mm, r32/m16 */
        r.q[0] = mm_get(c, reg);
        r.w[d->imm & 3] = (uint16_t)(d->mod == 3 ? c->r[d->rm] : x86_read(c, d->seg, d->ea, 2));
        mm_set(c, reg, r.q[0]);
        break;
    case 0xc5:                                      /* PEXTRW r32, mm */
        if (d->mod != 3)
            return false;
        r.q[0] = mm_get(c, d->rm);
        c->r[d->reg] = r.w[d->imm & 3];
        break;
    case 0xd7: {                                    /* PMOVMSKB r32, mm */
        if (d->mod != 3)
            return false;
        r.q[0] = mm_get(c, d->rm);
        uint32_t m = 0;
        for (unsigned i = 0; i < 8; i++)
            m |= (uint32_t)(r.b[i] >> 7) << i;
        c->r[d->reg] = m;
        break;
    }
    default:
        s.q[0] = mm_src(c, d);
        r.q[0] = mm_get(c, reg);
        if (!x86_sse_int_op(op, &r, &s, true))
            return false;
        mm_set(c, reg, r.q[0]);
        break;
    }
    /* SDM Vol. 1, 9.5.1: TOP 0, every register valid */
    c->fpu.fsw &= (uint16_t)~0x3800;
    c->fpu.ftw = 0xff;
    return true;
}

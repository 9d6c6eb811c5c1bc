/*
 * SSE2 packed integer instructions on XMM registers, 66-prefixed 0F 60-76
 * and D1-FE (SDM Vol. 1, 11.4.3; Vol. 2, each instruction). The MMX forms
 * (no prefix) are not here: the CPU claims no MMX.
 */
#include "cpu/interp/sse.h"

static int16_t sat16(int32_t v) { return v > 32767 ? 32767 : v < -32768 ? -32768 : (int16_t)v; }
static int8_t sat8(int32_t v) { return v > 127 ? 127 : v < -128 ? -128 : (int8_t)v; }
static uint8_t satu8(int32_t v) { return v > 255 ? 255 : v < 0 ? 0 : (uint8_t)v; }
static uint16_t satu16(int32_t v) { return v > 65535 ? 65535 : v < 0 ? 0 : (uint16_t)v; }

/* Shifts by a count (register's low quadword or imm8) of element width
 * w bytes: logical left (0), logical right (1), arithmetic right (2). */
static void shift(union x86_xmm *r, unsigned w, int kind, uint64_t count)
{
    unsigned bits = w * 8;
    for (unsigned i = 0; i < 16 / w; i++) {
        uint64_t v = w == 2 ? r->w[i] : w == 4 ? r->d[i] : r->q[i];
        int64_t s = w == 2 ? r->sw[i] : w == 4 ? r->sd[i] : r->sq[i];
        if (kind == 2)
            v = (uint64_t)(s >> (count >= bits ? bits - 1 : count));
        else if (count >= bits)
            v = 0;
        else
            v = kind == 0 ? v << count : v >> count;
        if (w == 2) r->w[i] = (uint16_t)v;
        else if (w == 4) r->d[i] = (uint32_t)v;
        else r->q[i] = v;
    }
}

/* PSLLDQ/PSRLDQ: the whole register by bytes */
static void shift_bytes(union x86_xmm *r, bool left, unsigned n)
{
    union x86_xmm t = { 0 };
    if (n > 16)
        n = 16;
    for (unsigned i = 0; i < 16; i++) {
        int j = left ? (int)i - (int)n : (int)(i + n);
        if (j >= 0 && j < 16)
            t.b[i] = r->b[j];
    }
    *r = t;
}

/* 0F 71-73: shifts by an immediate of the r/m register */
static bool shift_imm(struct x86_cpu *c, struct x86_insn *d)
{
    if (d->mod != 3)
        return false;
    union x86_xmm *r = sse_reg(c, d->rm);
    unsigned n = (uint8_t)d->imm, op = d->reg & 7, w = 2 << ((d->op & 3) - 1);
    if (w == 8 && (op == 3 || op == 7)) {
        shift_bytes(r, op == 7, n);
        return true;
    }
    if (op == 2)
        shift(r, w, 1, n);
    else if (op == 6)
        shift(r, w, 0, n);
    else if (op == 4 && w != 8)
        shift(r, w, 2, n);
    else
        return false;
    return true;
}

/* Interleaves the low or high halves of r and s (of 16 bytes, or of 8
 * for MMX: half is 8 or 4) */
static void unpack(union x86_xmm *r, const union x86_xmm *s, unsigned w, bool high, unsigned half)
{
    union x86_xmm t = { 0 };
    unsigned n = half / w, base = high ? half : 0;
    for (unsigned i = 0; i < n; i++) {
        memcpy(t.b + 2 * i * w, r->b + base + i * w, w);
        memcpy(t.b + (2 * i + 1) * w, s->b + base + i * w, w);
    }
    *r = t;
}

bool x86_sse_int(struct x86_cpu *c, struct x86_insn *d, unsigned pfx)
{
    unsigned op = d->op & 0xff;
    union x86_xmm s, r;

    if (pfx != SSE_66)
        return false;
    if (op >= 0x71 && op <= 0x73)
        return shift_imm(c, d);
    sse_src(c, d, &s, 16, true);
    r = *sse_reg(c, d->reg);
    if (!x86_sse_int_op(op, &r, &s, false))
        return false;
    *sse_reg(c, d->reg) = r;
    return true;
}

bool x86_sse_int_op(unsigned op, union x86_xmm *rp, const union x86_xmm *sp, bool mmx)
{
    union x86_xmm r = *rp, s = *sp;
    unsigned half = mmx ? 8 : 16;       /* bytes in the register */

    if (mmx && (op == 0x6c || op == 0x6d))
        return false;
    switch (op) {
    case 0x60: unpack(&r, &s, 1, false, half / 2); break;
    case 0x61: unpack(&r, &s, 2, false, half / 2); break;
    case 0x62: unpack(&r, &s, 4, false, half / 2); break;
    case 0x6c: unpack(&r, &s, 8, false, half / 2); break;
    case 0x68: unpack(&r, &s, 1, true, half / 2); break;
    case 0x69: unpack(&r, &s, 2, true, half / 2); break;
    case 0x6a: unpack(&r, &s, 4, true, half / 2); break;
    case 0x6d: unpack(&r, &s, 8, true, half / 2); break;
    case 0x63: case 0x67: {     /* PACKSSWB, PACKUSWB */
        union x86_xmm t = { 0 };
        unsigned n = half / 2;
        for (unsigned i = 0; i < half; i++) {
            int16_t v = i < n ? r.sw[i] : s.sw[i - n];
            if (op == 0x63)
                t.sb[i] = sat8(v);
            else
                t.b[i] = satu8(v);
        }
        r = t;
        break;
    }
    case 0x6b: {                /* PACKSSDW */
        union x86_xmm t = { 0 };
        unsigned n = half / 4;
        for (unsigned i = 0; i < half / 2; i++)
            t.sw[i] = sat16(i < n ? r.sd[i] : s.sd[i - n]);
        r = t;
        break;
    }
    case 0x64: for (int i = 0; i < 16; i++) r.b[i] = r.sb[i] > s.sb[i] ? 0xff : 0; break;
    case 0x65: for (int i = 0; i < 8; i++) r.w[i] = r.sw[i] > s.sw[i] ? 0xffff : 0; break;
    case 0x66: for (int i = 0; i < 4; i++) r.d[i] = r.sd[i] > s.sd[i] ? ~0u : 0; break;
    case 0x74: for (int i = 0; i < 16; i++) r.b[i] = r.b[i] == s.b[i] ? 0xff : 0; break;
    case 0x75: for (int i = 0; i < 8; i++) r.w[i] = r.w[i] == s.w[i] ? 0xffff : 0; break;
    case 0x76: for (int i = 0; i < 4; i++) r.d[i] = r.d[i] == s.d[i] ? ~0u : 0; break;
    case 0xd1: shift(&r, 2, 1, s.q[0]); break;
    case 0xd2: shift(&r, 4, 1, s.q[0]); break;
    case 0xd3: shift(&r, 8, 1, s.q[0]); break;
    case 0xe1: shift(&r, 2, 2, s.q[0]); break;
    case 0xe2: shift(&r, 4, 2, s.q[0]); break;
    case 0xf1: shift(&r, 2, 0, s.q[0]); break;
    case 0xf2: shift(&r, 4, 0, s.q[0]); break;
    case 0xf3: shift(&r, 8, 0, s.q[0]); break;
    case 0xd4: for (int i = 0; i < 2; i++) r.q[i] += s.q[i]; break;
    case 0xd5: for (int i = 0; i < 8; i++) r.w[i] = (uint16_t)(r.sw[i] * s.sw[i]); break;
    case 0xd8: for (int i = 0; i < 16; i++) r.b[i] = satu8(r.b[i] - s.b[i]); break;
    case 0xd9: for (int i = 0; i < 8; i++) r.w[i] = satu16(r.w[i] - s.w[i]); break;
    case 0xda: for (int i = 0; i < 16; i++) r.b[i] = r.b[i] < s.b[i] ? r.b[i] : s.b[i]; break;
    case 0xdb: r.q[0] &= s.q[0]; r.q[1] &= s.q[1]; break;
    case 0xdc: for (int i = 0; i < 16; i++) r.b[i] = satu8(r.b[i] + s.b[i]); break;
    case 0xdd: for (int i = 0; i < 8; i++) r.w[i] = satu16(r.w[i] + s.w[i]); break;
    case 0xde: for (int i = 0; i < 16; i++) r.b[i] = r.b[i] > s.b[i] ? r.b[i] : s.b[i]; break;
    case 0xdf: r.q[0] = ~r.q[0] & s.q[0]; r.q[1] = ~r.q[1] & s.q[1]; break;
    case 0xe0: for (int i = 0; i < 16; i++) r.b[i] = (uint8_t)((r.b[i] + s.b[i] + 1) >> 1); break;
    case 0xe3: for (int i = 0; i < 8; i++) r.w[i] = (uint16_t)((r.w[i] + s.w[i] + 1) >> 1); break;
    case 0xe4: for (int i = 0; i < 8; i++) r.w[i] = (uint16_t)(((uint32_t)r.w[i] * s.w[i]) >> 16); break;
    case 0xe5: for (int i = 0; i < 8; i++) r.w[i] = (uint16_t)((r.sw[i] * s.sw[i]) >> 16); break;
    case 0xe8: for (int i = 0; i < 16; i++) r.sb[i] = sat8(r.sb[i] - s.sb[i]); break;
    case 0xe9: for (int i = 0; i < 8; i++) r.sw[i] = sat16(r.sw[i] - s.sw[i]); break;
    case 0xea: for (int i = 0; i < 8; i++) r.sw[i] = r.sw[i] < s.sw[i] ? r.sw[i] : s.sw[i]; break;
    case 0xeb: r.q[0] |= s.q[0]; r.q[1] |= s.q[1]; break;
    case 0xec: for (int i = 0; i < 16; i++) r.sb[i] = sat8(r.sb[i] + s.sb[i]); break;
    case 0xed: for (int i = 0; i < 8; i++) r.sw[i] = sat16(r.sw[i] + s.sw[i]); break;
    case 0xee: for (int i = 0; i < 8; i++) r.sw[i] = r.sw[i] > s.sw[i] ? r.sw[i] : s.sw[i]; break;
    case 0xef: r.q[0] ^= s.q[0]; r.q[1] ^= s.q[1]; break;
    case 0xf4: for (int i = 0; i < 2; i++) r.q[i] = (uint64_t)r.d[2 * i] * s.d[2 * i]; break;
    case 0xf5:
        for (int i = 0; i < 4; i++)
            r.d[i] = (uint32_t)((int64_t)r.sw[2 * i] * s.sw[2 * i] +
                               (int64_t)r.sw[2 * i + 1] * s.sw[2 * i + 1]);
        break;
    case 0xf6:                  /* PSADBW */
        for (int h = 0; h < 2; h++) {
            unsigned sum = 0;
            for (int i = 0; i < 8; i++) {
                int v = r.b[8 * h + i] - s.b[8 * h + i];
                sum += (unsigned)(v < 0 ? -v : v);
            }
            r.q[h] = sum;
        }
        break;
    case 0xf8: for (int i = 0; i < 16; i++) r.b[i] -= s.b[i]; break;
    case 0xf9: for (int i = 0; i < 8; i++) r.w[i] -= s.w[i]; break;
    case 0xfa: for (int i = 0; i < 4; i++) r.d[i] -= s.d[i]; break;
    case 0xfb: for (int i = 0; i < 2; i++) r.q[i] -= s.q[i]; break;
    case 0xfc: for (int i = 0; i < 16; i++) r.b[i] += s.b[i]; break;
    case 0xfd: for (int i = 0; i < 8; i++) r.w[i] += s.w[i]; break;
    case 0xfe: for (int i = 0; i < 4; i++) r.d[i] += s.d[i]; break;
    default:
        return false;
    }
    if (mmx)
        r.q[1] = 0;
    *rp = r;
    return true;
}

/*
 * The decoder: legacy prefixes and REX, the opcode, ModR/M, SIB,
 * displacement and immediates (SDM Vol. 2, chapter 2), with the operand
 * and address sizes of 64-bit, 32-bit and 16-bit code (Vol. 1, 3.6).
 */
#include <stddef.h>
#include "cpu/interp/decode.h"

/* Bytes beyond what x86_fetch_ptr gave in place: the next page, MMIO,
 * or past the 15-byte limit (#GP(0), SDM Vol. 2, 2.3.11). A probe gives
 * up instead (decode then returns NULL). */
static uint8_t fetch_slow(struct x86_cpu *c, struct x86_insn *d)
{
    if (d->probe) {
        d->probe = 2;
        return 0;
    }
    if (d->len >= X86_MAX_INSN)
        x86_fault(c, X86_GP, 0);
    uint64_t off = c->insn_rip + d->len;
    if (!c->code64)
        off = (uint32_t)off;
    uint8_t b = x86_fetch8(c, off);
    d->len++;
    return b;
}

static inline uint8_t fetch(struct x86_cpu *c, struct x86_insn *d)
{
    if (__builtin_expect(d->len < d->avail, 1))
        return d->code[d->len++];
    return fetch_slow(c, d);
}

static inline uint64_t fetch_n(struct x86_cpu *c, struct x86_insn *d, unsigned n)
{
    uint64_t v = 0;
    if (__builtin_expect(d->len + n <= d->avail, 1)) {
        __builtin_memcpy(&v, d->code + d->len, n);     /* little-endian host */
        d->len += n;
        return v;
    }
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)fetch(c, d) << (8 * i);
    return v;
}

/* 16-bit addressing (SDM Vol. 2, Table 2-1): base, index, default SS. */
static void modrm16(struct x86_cpu *c, struct x86_insn *d, unsigned rm)
{
    static const uint8_t base[8] = { X86_RBX, X86_RBX, X86_RBP, X86_RBP,
                                     X86_RSI, X86_RDI, X86_RBP, X86_RBX };
    static const uint8_t index[8] = { X86_RSI, X86_RDI, X86_RSI, X86_RDI, 0xff, 0xff, 0xff, 0xff };

    d->scale = 0;
    if (d->mod == 0 && rm == 6) {
        d->disp = fetch_n(c, d, 2);
        return;
    }
    d->base = base[rm];
    d->index = index[rm];
    if (base[rm] == X86_RBP && d->seg_ovr == X86_SEG_NONE)
        d->seg = X86_SS;
    if (d->mod == 1)
        d->disp = (uint64_t)(int8_t)fetch(c, d);
    else if (d->mod == 2)
        d->disp = fetch_n(c, d, 2);
}

/* 32/64-bit addressing (SDM Vol. 2, Tables 2-2, 2-3 and 2.2.1.6).
 * Returns whether the address is RIP-relative: the caller adds the
 * address of the next instruction once it knows the length. */
static bool modrm32(struct x86_cpu *c, struct x86_insn *d, unsigned rm)
{
    unsigned base = 0xff;
    bool riprel = false;

    d->scale = 0;
    if (rm == 4) {
        uint8_t sib = fetch(c, d);
        unsigned index = ((sib >> 3) & 7) | ((d->rex & 2) << 2);
        if (index != X86_RSP) {
            d->index = (uint8_t)index;
            d->scale = sib >> 6;
        }
        if ((sib & 7) == 5 && d->mod == 0)
            d->disp = (uint64_t)(int32_t)fetch_n(c, d, 4);
        else
            base = (sib & 7) | ((d->rex & 1) << 3);
    } else if (rm == 5 && d->mod == 0) {
        d->disp = (uint64_t)(int32_t)fetch_n(c, d, 4);
        riprel = c->code64;
    } else {
        base = rm | ((d->rex & 1) << 3);
    }
    if ((base == X86_RSP || base == X86_RBP) && d->seg_ovr == X86_SEG_NONE)
        d->seg = X86_SS;
    if (d->mod == 1)
        d->disp = (uint64_t)(int8_t)fetch(c, d);
    else if (d->mod == 2)
        d->disp = (uint64_t)(int32_t)fetch_n(c, d, 4);
    d->base = (uint8_t)base;
    return riprel;
}

_Noreturn void x86_unknown(struct x86_cpu *c, struct x86_insn *d)
{
    if (c->bus.unknown) {
        /* fetched once already: reading them again cannot fault */
        uint8_t bytes[X86_MAX_INSN];
        for (unsigned i = 0; i < d->len; i++)
            bytes[i] = x86_fetch8(c, c->code64 ? c->insn_rip + i : (uint32_t)(c->insn_rip + i));
        c->bus.unknown(c->bus.opaque, c->insn_rip, bytes, d->len);
    }
    x86_fault_noerr(c, X86_UD);
}

/* The operand size a 64-bit-mode group 5 (FF) instruction has: near
 * CALL and JMP are 64-bit whatever the prefixes (Intel), PUSH defaults to
 * 64, far CALL/JMP and INC/DEC follow the usual rule. */
static unsigned grp5_opsize64(const struct x86_insn *d)
{
    switch (d->reg & 7) {
    case 2: case 4:
        return 8;
    case 6:
        return (d->rex & 8) ? 8 : d->p66 ? 2 : 8;
    default:
        return d->opsize;
    }
}

/* An opcode invalid here, or LOCK where it is not allowed. */
static const struct x86_opdesc *undefined(struct x86_cpu *c, struct x86_insn *d)
{
    if (d->probe)
        return NULL;
    x86_fault_noerr(c, X86_UD);
}

static void op_unknown(struct x86_cpu *c, struct x86_insn *d)
{
    x86_unknown(c, d);
}

/* Everything but the effective address, which depends on registers. */
const struct x86_opdesc *x86_decode(struct x86_cpu *c, struct x86_insn *d, uint64_t rip)
{
    bool p67 = false;
    uint8_t b;

    d->len = 0;
    d->rex = 0;
    d->rep = 0;
    d->p66 = false;
    d->lock = false;
    d->seg_ovr = X86_SEG_NONE;
    d->seg = X86_DS;
    d->notrap = false;
    d->partial = false;

    /* Prefixes in any order; a REX counts only as the last one before
     * the opcode (SDM Vol. 2, 2.2.1). */
    for (;;) {
        b = fetch(c, d);
        if (c->code64 && (b & 0xf0) == 0x40) {
            d->rex = b;
            continue;
        }
        switch (b) {
        case 0x26: case 0x2e: case 0x36: case 0x3e:
            d->seg_ovr = (b >> 3) & 3;
            break;
        case 0x64: case 0x65:
            d->seg_ovr = (uint8_t)(X86_FS + (b & 1));
            break;
        case 0x66:
            d->p66 = true;
            break;
        case 0x67:
            p67 = true;
            break;
        case 0xf0:
            d->lock = true;
            break;
        case 0xf2: case 0xf3:
            d->rep = b;
            break;
        default:
            goto opcode;
        }
        d->rex = 0;
    }
opcode:
    if (b == 0x0f)
        d->op = 0x100 | fetch(c, d);
    else
        d->op = b;
    if (d->seg_ovr != X86_SEG_NONE)
        d->seg = d->seg_ovr;

    const struct x86_opdesc *od = &x86_optab[d->op];
    unsigned fl = od->flags;

    if (c->code64) {
        if (fl & X86_OP_I64)
            return undefined(c, d);
        d->addrsize = p67 ? 4 : 8;
        if (d->rex & 8)
            d->opsize = 8;
        else if (fl & (X86_OP_D64 | X86_OP_F64))
            d->opsize = (d->p66 && !(fl & X86_OP_F64)) ? 2 : 8;
        else
            d->opsize = d->p66 ? 2 : 4;
    } else {
        if (fl & X86_OP_O64)
            return undefined(c, d);
        d->addrsize = c->code32 != p67 ? 4 : 2;
        d->opsize = c->code32 != d->p66 ? 4 : 2;
    }

    bool riprel = false;
    d->base = 0xff;
    d->index = 0xff;
    d->disp = 0;
    if (fl & X86_OP_M) {
        uint8_t m = fetch(c, d);
        unsigned rm = m & 7;
        d->mod = m >> 6;
        d->reg = ((m >> 3) & 7) | ((d->rex & 4) << 1);
        if (fl & X86_OP_CR)
            d->mod = 3;
        if (d->mod == 3)
            d->rm = rm | ((d->rex & 1) << 3);
        else if (d->addrsize == 2)
            modrm16(c, d, rm);
        else
            riprel = modrm32(c, d, rm);
        if (d->op == 0xff && c->code64)
            d->opsize = (uint8_t)grp5_opsize64(d);
    } else {
        d->mod = 3;
        d->reg = 0;
        d->rm = 0;
    }
    d->size = (fl & X86_OP_B) ? 1 : d->opsize;

    /* LOCK only on the read-modify-write forms with a memory destination
     * (SDM Vol. 2, LOCK) */
    if (d->lock && (d->mod == 3 || !(od->lockmask & (1u << (d->reg & 7)))))
        return undefined(c, d);

    switch (od->imm) {
    case X86_IMM_NONE:
        break;
    case X86_IMM_GRP3:
        if ((d->reg & 7) >= 2)
            break;
        if (d->size == 1)
            goto imm_b;
        /* fall through */
    case X86_IMM_Z:
        if (d->opsize == 2)
            d->imm = (uint64_t)(int16_t)fetch_n(c, d, 2);
        else
            d->imm = (uint64_t)(int32_t)fetch_n(c, d, 4);
        break;
    case X86_IMM_B:
    imm_b:
        d->imm = (uint64_t)(int8_t)fetch(c, d);
        break;
    case X86_IMM_W:
        d->imm = fetch_n(c, d, 2);
        break;
    case X86_IMM_V:
        d->imm = fetch_n(c, d, d->size);
        break;
    case X86_IMM_MOFFS:
        d->imm = fetch_n(c, d, d->addrsize);
        break;
    case X86_IMM_FAR:
        d->imm = fetch_n(c, d, d->opsize == 2 ? 2 : 4);
        d->imm2 = fetch_n(c, d, 2);
        break;
    case X86_IMM_ENTER:
        d->imm = fetch_n(c, d, 2);
        d->imm2 = fetch(c, d);
        break;
    }

    if (d->probe == 2)
        return NULL;
    d->next_rip = c->code64 ? rip + d->len : (uint32_t)(rip + d->len);
    if (riprel)
        d->disp += d->next_rip;
    d->fn = od->fn ? od->fn : op_unknown;
    d->end = !od->fn || (fl & (X86_OP_SYS | X86_OP_END));
    /* of group 5 only CALL and JMP (and /7, #UD) */
    if (d->op == 0xff && ((d->reg & 7) < 2 || (d->reg & 7) == 6))
        d->end = false;
    return od;
}

/* The random generator's instruction templates: each emits one
 * instruction (or a short fixed group) and says what it does to the flags
 * (SDM Vol. 2, each instruction's "Flags Affected"). */
#include <string.h>
#include "gen_internal.h"
#include "need.h"

static const uint64_t alu_uses[8] = { 0, 0, CF, CF, 0, 0, 0, 0 };
static bool alu_logic(unsigned op)
{
    return op == 1 || op == 4 || op == 6;
}

static void alu_fx(struct gen *s, unsigned op)
{
    if (alu_logic(op))
        gen_fx(s, 0, ALLF & ~AF, AF);   /* AND/OR/XOR: AF undefined */
    else
        gen_fx(s, alu_uses[op], ALLF, 0);
}

static bool t_alu(struct gen *s)
{
    unsigned op = gen_pick(s, 8), size = gen_size(s, true);
    bool dir = gen_chance(s, 50);           /* reg, r/m */
    int reg = dir ? gen_dst(s) : gen_src(s);
    struct rm rm = gen_rm(s, size, !dir);
    bool rex = false;
    if (size == 1) {
        rex = reg >= 8 || (!rm.mem && rm.reg >= 8) || rm.mem || gen_chance(s, 30);
        if (!gen_byte_regs_ok(rex, dir ? reg : (rm.mem ? 0 : rm.reg)))
            return false;
    }
    uint8_t opc = (uint8_t)(op * 8 + (size == 1 ? 0 : 1) + (dir ? 2 : 0));
    gen_emit(s, 0, size, rex, &opc, 1, reg, &rm, 0, 0);
    alu_fx(s, op);
    return true;
}

static bool t_alu_imm(struct gen *s)
{
    unsigned op = gen_pick(s, 8), size = gen_size(s, true), form = gen_pick(s, 3);
    uint64_t imm = gen_imm(s);
    if (form == 2) {                    /* AL/eAX, imm: 04/05 */
        uint8_t opc = (uint8_t)(op * 8 + (size == 1 ? 4 : 5));
        gen_emit(s, 0, size, false, &opc, 1, 0, NULL, imm, size == 1 ? 1 : size == 2 ? 2 : 4);
        alu_fx(s, op);
        return true;
    }
    struct rm rm;
    bool rex;
    if (!gen_rm_dst(s, size, &rm, &rex))
        return false;
    uint8_t opc;
    unsigned immlen;
    if (size == 1) {
        opc = 0x80;
        immlen = 1;
    } else if (form == 0) {
        opc = 0x83;                     /* imm8, sign-extended */
        immlen = 1;
    } else {
        opc = 0x81;
        immlen = size == 2 ? 2 : 4;
    }
    gen_emit(s, 0, size, rex, &opc, 1, (int)op, &rm, imm, immlen);
    alu_fx(s, op);
    return true;
}

static bool t_test(struct gen *s)
{
    unsigned size = gen_size(s, true);
    bool rex = size == 1 && gen_chance(s, 30);
    switch (gen_pick(s, 3)) {
    case 0: {                           /* 84/85 r/m, r */
        struct rm rm = gen_rm(s, size, false);
        uint8_t opc = size == 1 ? 0x84 : 0x85;
        gen_emit(s, 0, size, rex || (size == 1 && rm.mem), &opc, 1, gen_src(s), &rm, 0, 0);
        break;
    }
    case 1: {                           /* A8/A9 */
        uint8_t opc = size == 1 ? 0xa8 : 0xa9;
        gen_emit(s, 0, size, false, &opc, 1, 0, NULL, gen_imm(s),
             size == 1 ? 1 : size == 2 ? 2 : 4);
        break;
    }
    default: {                          /* F6/F7 /0 */
        struct rm rm = gen_rm(s, size, false);
        uint8_t opc = size == 1 ? 0xf6 : 0xf7;
        gen_emit(s, 0, size, rex || (size == 1 && rm.mem), &opc, 1, 0, &rm, gen_imm(s),
             size == 1 ? 1 : size == 2 ? 2 : 4);
        break;
    }
    }
    gen_fx(s, 0, ALLF & ~AF, AF);
    return true;
}

static bool t_unary(struct gen *s)
{
    unsigned size = gen_size(s, true), kind = gen_pick(s, 4);     /* inc dec not neg */
    struct rm rm;
    bool rex;
    if (!gen_rm_dst(s, size, &rm, &rex))
        return false;
    uint8_t opc;
    int digit;
    if (kind < 2) {
        opc = size == 1 ? 0xfe : 0xff;
        digit = (int)kind;
        gen_fx(s, 0, ALLF & ~CF, 0);    /* INC/DEC leave CF alone */
    } else {
        opc = size == 1 ? 0xf6 : 0xf7;
        digit = kind == 2 ? 2 : 3;
        if (kind == 2)
            gen_fx(s, 0, 0, 0);         /* NOT: no flags */
        else
            gen_fx(s, 0, ALLF, 0);
    }
    if (rm.mem && gen_chance(s, 20) && kind != 2)
        gen_put(s->e, 0xf0);                /* LOCK */
    gen_emit(s, 0, size, rex, &opc, 1, digit, &rm, 0, 0);
    return true;
}

/* SHL SHR SAR ROL ROR RCL RCR: by 1, by imm8, by CL */
static bool t_shift(struct gen *s)
{
    static const int digits[7] = { 0, 1, 2, 3, 4, 5, 7 };
    unsigned size = gen_size(s, true), form = gen_pick(s, 3);
    int d = digits[gen_pick(s, 7)];
    bool rotate = d <= 3, carry_in = d == 2 || d == 3;
    struct rm rm;
    bool rex;
    if (!gen_rm_dst(s, size, &rm, &rex))
        return false;
    unsigned width = size * 8;
    uint64_t uses = carry_in ? CF : 0;
    if (form == 2) {                    /* by CL: the count decides */
        uint8_t opc = size == 1 ? 0xd2 : 0xd3;
        gen_emit(s, 0, size, rex, &opc, 1, d, &rm, 0, 0);
        uint64_t undef = rotate ? OF : AF | OF;
        if ((d == 4 || d == 5) && width < 32)
            undef |= CF;                /* SHL/SHR count >= width possible */
        gen_fx(s, uses, 0, undef);
        return true;
    }
    unsigned count = form == 0 ? 1 : (gen_chance(s, 50) ? gen_pick(s, 256) : gen_pick(s, 70));
    unsigned masked = count & (size == 8 ? 63 : 31);
    if (form == 0) {
        uint8_t opc = size == 1 ? 0xd0 : 0xd1;
        gen_emit(s, 0, size, rex, &opc, 1, d, &rm, 0, 0);
    } else {
        uint8_t opc = size == 1 ? 0xc0 : 0xc1;
        gen_emit(s, 0, size, rex, &opc, 1, d, &rm, count, 1);
    }
    if (masked == 0) {
        gen_fx(s, 0, 0, 0);
    } else if (rotate) {
        gen_fx(s, uses, masked == 1 ? CF | OF : CF, masked == 1 ? 0 : OF);
    } else {
        uint64_t undef = AF | (masked == 1 ? 0 : OF);
        if ((d == 4 || d == 5) && masked >= width)
            undef |= CF;
        gen_fx(s, 0, ALLF & ~undef, undef);
    }
    return true;
}

static bool t_shxd(struct gen *s)
{
    unsigned size = 2 << gen_pick(s, 3);    /* 2, 4, 8 */
    bool right = gen_chance(s, 50), by_cl = size != 2 && gen_chance(s, 40);
    struct rm rm = gen_rm(s, size, true);
    int reg = gen_src(s);
    uint8_t op[2] = { 0x0f, (uint8_t)((right ? 0xac : 0xa4) + (by_cl ? 1 : 0)) };
    if (by_cl) {
        gen_emit(s, 0, size, false, op, 2, reg, &rm, 0, 0);
        gen_fx(s, 0, 0, AF | OF);
        return true;
    }
    unsigned count = gen_pick(s, 70);
    unsigned masked = count & (size == 8 ? 63 : 31);
    if (size == 2 && masked > 16)
        return false;                   /* result undefined */
    gen_emit(s, 0, size, false, op, 2, reg, &rm, count, 1);
    if (masked == 0)
        gen_fx(s, 0, 0, 0);
    else
        gen_fx(s, 0, ALLF & ~(AF | (masked == 1 ? 0 : OF)), AF | (masked == 1 ? 0 : OF));
    return true;
}

static bool t_mul(struct gen *s)
{
    unsigned form = gen_pick(s, 4);
    if (form == 0) {                    /* F6/F7 /4 /5: rdx:rax */
        unsigned size = gen_size(s, true);
        struct rm rm = gen_rm(s, size, false);
        bool rex = size == 1 && (rm.mem || gen_chance(s, 30));
        uint8_t opc = size == 1 ? 0xf6 : 0xf7;
        gen_emit(s, 0, size, rex, &opc, 1, gen_chance(s, 50) ? 4 : 5, &rm, 0, 0);
    } else {
        unsigned size = 2 << gen_pick(s, 3);
        struct rm rm = gen_rm(s, size, false);
        int reg = gen_dst(s);
        if (form == 1) {
            uint8_t op[2] = { 0x0f, 0xaf };
            gen_emit(s, 0, size, false, op, 2, reg, &rm, 0, 0);
        } else if (form == 2) {
            uint8_t opc = 0x6b;
            gen_emit(s, 0, size, false, &opc, 1, reg, &rm, gen_imm(s), 1);
        } else {
            uint8_t opc = 0x69;
            gen_emit(s, 0, size, false, &opc, 1, reg, &rm, gen_imm(s), size == 2 ? 2 : 4);
        }
    }
    gen_fx(s, 0, CF | OF, SF | ZF | AF | PF);
    return true;
}

static bool t_bt(struct gen *s)
{
    unsigned size = 2 << gen_pick(s, 3), kind = gen_pick(s, 4);   /* bt bts btr btc */
    if (gen_chance(s, 50)) {                /* register offset: registers only */
        struct rm rm = { .reg = kind == 0 ? gen_src(s) : gen_dst(s) };
        uint8_t op[2] = { 0x0f, (uint8_t)(0xa3 + 8 * kind) };
        gen_emit(s, 0, size, false, op, 2, gen_src(s), &rm, 0, 0);
    } else {
        struct rm rm = gen_rm(s, size, kind != 0);
        uint8_t op[2] = { 0x0f, 0xba };
        if (rm.mem && kind && gen_chance(s, 20))
            gen_put(s->e, 0xf0);
        gen_emit(s, 0, size, false, op, 2, (int)(4 + kind), &rm, gen_pick(s, 256), 1);
    }
    gen_fx(s, 0, CF, OF | SF | AF | PF);
    return true;
}

static bool t_count(struct gen *s)
{
    static const struct { uint8_t op; uint32_t need; uint64_t defs, undef; } k[3] = {
        { 0xb8, NEED_POPCNT, ALLF, 0 },
        { 0xbc, NEED_BMI1, CF | ZF, OF | SF | AF | PF },
        { 0xbd, NEED_LZCNT, CF | ZF, OF | SF | AF | PF },
    };
    unsigned i = gen_pick(s, 3), size = 2 << gen_pick(s, 3);
    if (!(s->features & k[i].need))
        return false;
    struct rm rm = gen_rm(s, size, false);
    uint8_t op[2] = { 0x0f, k[i].op };
    gen_emit(s, 0xf3, size, false, op, 2, gen_dst(s), &rm, 0, 0);
    gen_fx(s, 0, k[i].defs, k[i].undef);
    return true;
}

static bool t_movx(struct gen *s)
{
    unsigned kind = gen_pick(s, 5);
    int reg = gen_dst(s);
    if (kind == 4) {                    /* MOVSXD r64, r/m32 */
        struct rm rm = gen_rm(s, 4, false);
        uint8_t opc = 0x63;
        gen_emit(s, 0, 8, false, &opc, 1, reg, &rm, 0, 0);
    } else {
        bool word = kind & 1;           /* B7/BF: from 16 bits */
        unsigned size = word ? 4 << gen_pick(s, 2) : 2 << gen_pick(s, 3);
        struct rm rm = gen_rm(s, word ? 2 : 1, false);
        bool rex = !word && gen_chance(s, 30);
        uint8_t op[2] = { 0x0f, (uint8_t)((kind < 2 ? 0xb6 : 0xbe) + (word ? 1 : 0)) };
        gen_emit(s, 0, size, rex, op, 2, reg, &rm, 0, 0);
    }
    gen_fx(s, 0, 0, 0);
    return true;
}

static bool t_mov(struct gen *s)
{
    unsigned size = gen_size(s, true), form = gen_pick(s, 4);
    if (form == 3) {                    /* B0+r / B8+r */
        int reg = gen_dst(s);
        bool rex = reg >= 8 || size == 8 || (size == 1 && gen_chance(s, 30));
        if (size == 1 && !gen_byte_regs_ok(rex, reg))
            return false;
        if (size == 2)
            gen_put(s->e, 0x66);
        if (rex)
            gen_put(s->e, (uint8_t)(0x40 | (size == 8 ? 8 : 0) | (reg >= 8 ? 1 : 0)));
        gen_put(s->e, (uint8_t)((size == 1 ? 0xb0 : 0xb8) + (reg & 7)));
        gen_put_le(s->e, gen_imm(s), size);
    } else if (form == 2) {             /* C6/C7 /0 */
        struct rm rm;
        bool rex;
        if (!gen_rm_dst(s, size, &rm, &rex))
            return false;
        uint8_t opc = size == 1 ? 0xc6 : 0xc7;
        gen_emit(s, 0, size, rex, &opc, 1, 0, &rm, gen_imm(s), size == 1 ? 1 : size == 2 ? 2 : 4);
    } else {                            /* 88-8B */
        bool dir = form == 1;
        int reg = dir ? gen_dst(s) : gen_src(s);
        struct rm rm = gen_rm(s, size, !dir);
        bool rex = size == 1 && (reg >= 8 || (!rm.mem && rm.reg >= 8) || rm.mem || gen_chance(s, 30));
        if (size == 1 && !gen_byte_regs_ok(rex, dir ? reg : (rm.mem ? 0 : rm.reg)))
            return false;
        uint8_t opc = (uint8_t)(0x88 + (size == 1 ? 0 : 1) + (dir ? 2 : 0));
        gen_emit(s, 0, size, rex, &opc, 1, reg, &rm, 0, 0);
    }
    gen_fx(s, 0, 0, 0);
    return true;
}

static bool t_cond(struct gen *s)
{
    unsigned cc = gen_pick(s, 16);
    if (gen_chance(s, 50)) {                /* CMOVcc */
        unsigned size = 2 << gen_pick(s, 3);
        struct rm rm = gen_rm(s, size, false);
        uint8_t op[2] = { 0x0f, (uint8_t)(0x40 + cc) };
        gen_emit(s, 0, size, false, op, 2, gen_dst(s), &rm, 0, 0);
    } else {                            /* SETcc */
        struct rm rm = gen_rm(s, 1, true);
        bool rex = (!rm.mem && rm.reg >= 8) || rm.mem || gen_chance(s, 30);
        if (!rm.mem && !gen_byte_regs_ok(rex, rm.reg))
            return false;
        uint8_t op[2] = { 0x0f, (uint8_t)(0x90 + cc) };
        gen_emit(s, 0, 4, rex, op, 2, 0, &rm, 0, 0);
    }
    gen_fx(s, gen_cc_uses(cc), 0, 0);
    return true;
}

static bool t_jcc(struct gen *s)
{
    /* Jcc rel8 over a MOV r32, imm32 */
    unsigned cc = gen_pick(s, 16);
    int reg = gen_dst(s);
    unsigned movlen = reg >= 8 ? 6 : 5;
    gen_put(s->e, (uint8_t)(0x70 + cc));
    gen_put(s->e, (uint8_t)movlen);
    if (reg >= 8)
        gen_put(s->e, 0x41);
    gen_put(s->e, (uint8_t)(0xb8 + (reg & 7)));
    gen_put_le(s->e, gen_imm(s), 4);
    gen_fx(s, gen_cc_uses(cc), 0, 0);
    return true;
}

static bool t_xchg(struct gen *s)
{
    unsigned kind = gen_pick(s, 4), size = gen_size(s, kind != 1);
    if (kind == 1) {                    /* 90+r */
        int reg = gen_dst(s);
        if (reg == 0)
            return false;
        if (size == 2)
            gen_put(s->e, 0x66);
        if (reg >= 8 || size == 8)
            gen_put(s->e, (uint8_t)(0x40 | (size == 8 ? 8 : 0) | (reg >= 8 ? 1 : 0)));
        gen_put(s->e, (uint8_t)(0x90 + (reg & 7)));
        gen_fx(s, 0, 0, 0);
        return true;
    }
    int reg = gen_dst(s);
    struct rm rm = gen_rm(s, size, true);
    bool rex = size == 1 && (reg >= 8 || (!rm.mem && rm.reg >= 8) || rm.mem || gen_chance(s, 30));
    if (size == 1 && (!gen_byte_regs_ok(rex, reg) || (!rm.mem && !gen_byte_regs_ok(rex, rm.reg))))
        return false;
    if (kind == 0) {                    /* XCHG 86/87 */
        uint8_t opc = size == 1 ? 0x86 : 0x87;
        gen_emit(s, 0, size, rex, &opc, 1, reg, &rm, 0, 0);
        gen_fx(s, 0, 0, 0);
    } else {                            /* XADD 0F C0/C1, CMPXCHG 0F B0/B1 */
        uint8_t op[2] = { 0x0f, (uint8_t)((kind == 2 ? 0xc0 : 0xb0) + (size == 1 ? 0 : 1)) };
        if (rm.mem && gen_chance(s, 30))
            gen_put(s->e, 0xf0);
        gen_emit(s, 0, size, rex, op, 2, reg, &rm, 0, 0);
        gen_fx(s, 0, ALLF, 0);
    }
    return true;
}

static bool t_misc(struct gen *s)
{
    switch (gen_pick(s, 8)) {
    case 0: {                           /* BSWAP */
        int reg = gen_dst(s);
        bool w = gen_chance(s, 50);
        if (reg >= 8 || w)
            gen_put(s->e, (uint8_t)(0x40 | (w ? 8 : 0) | (reg >= 8 ? 1 : 0)));
        gen_put(s->e, 0x0f);
        gen_put(s->e, (uint8_t)(0xc8 + (reg & 7)));
        gen_fx(s, 0, 0, 0);
        return true;
    }
    case 1:
    case 2: {                           /* CBW family, CWD family */
        unsigned size = 2 << gen_pick(s, 3);
        uint8_t opc = gen_pick(s, 2) ? 0x98 : 0x99;
        gen_emit(s, 0, size, false, &opc, 1, 0, NULL, 0, 0);
        gen_fx(s, 0, 0, 0);
        return true;
    }
    case 3:                             /* LAHF */
        gen_put(s->e, 0x9f);
        gen_fx(s, SF | ZF | AF | PF | CF, 0, 0);
        return true;
    case 4:                             /* SAHF: OF untouched */
        gen_put(s->e, 0x9e);
        gen_fx(s, 0, SF | ZF | AF | PF | CF, 0);
        return true;
    case 5:                             /* CMC */
        gen_put(s->e, 0xf5);
        gen_fx(s, CF, CF, 0);
        return true;
    case 6:                             /* CLC, STC */
        gen_put(s->e, gen_pick(s, 2) ? 0xf8 : 0xf9);
        gen_fx(s, 0, CF, 0);
        return true;
    default: {                          /* a REX before a legacy prefix is
                                         * ignored (SDM Vol. 2, 2.2.1) */
        int dst = (int)gen_pick(s, 8), src = (int)gen_pick(s, 8);
        if (dst == 4)
            return false;
        gen_put(s->e, (uint8_t)(0x40 | gen_pick(s, 16)));
        gen_put(s->e, gen_pick(s, 2) ? 0x3e : 0x2e);
        gen_put(s->e, 0x01);                /* add r/m32, r32 */
        gen_put(s->e, (uint8_t)(0xc0 | (src << 3) | dst));
        gen_fx(s, 0, ALLF, 0);
        return true;
    }
    }
}

/* LEA: any addressing, registers random (nothing is accessed) */
static bool t_lea(struct gen *s)
{
    unsigned size = 2 << gen_pick(s, 3);
    int reg = gen_dst(s);
    bool a32 = gen_chance(s, 20);
    struct enc *e = s->e;
    unsigned mod = gen_pick(s, 3), base = gen_pick(s, 16), index = gen_pick(s, 16), scale = gen_pick(s, 4);
    bool sib = gen_chance(s, 50) || (base & 7) == 4;
    if (a32)
        gen_put(e, 0x67);
    if (size == 2)
        gen_put(e, 0x66);
    uint8_t rex = (uint8_t)(0x40 | (size == 8 ? 8 : 0) | (reg >= 8 ? 4 : 0) |
                            (sib && index >= 8 ? 2 : 0) | (base >= 8 ? 1 : 0));
    if (rex != 0x40)
        gen_put(e, rex);
    gen_put(e, 0x8d);
    if (sib) {
        gen_put(e, (uint8_t)((mod << 6) | ((reg & 7) << 3) | 4));
        gen_put(e, (uint8_t)((scale << 6) | ((index & 7) << 3) | (base & 7)));
        if (mod == 0 && (base & 7) == 5)
            gen_put_le(e, gen_imm(s), 4);  /* no base: disp32 */
    } else {
        gen_put(e, (uint8_t)((mod << 6) | ((reg & 7) << 3) | (base & 7)));
        if (mod == 0 && (base & 7) == 5)
            gen_put_le(e, gen_imm(s), 4);  /* RIP-relative */
    }
    if (mod == 1)
        gen_put(e, (uint8_t)gen_imm(s));
    else if (mod == 2)
        gen_put_le(e, gen_imm(s), 4);
    gen_fx(s, 0, 0, 0);
    return true;
}

/* PUSH then POP, so the stack stays where it was */
static bool t_pushpop(struct gen *s)
{
    struct enc *e = s->e;
    switch (gen_pick(s, 4)) {
    case 0: {
        int r = gen_src(s);
        if (r >= 8)
            gen_put(e, 0x41);
        gen_put(e, (uint8_t)(0x50 + (r & 7)));
        break;
    }
    case 1:
        gen_put(e, 0x6a);
        gen_put(e, (uint8_t)gen_imm(s));
        break;
    case 2:
        gen_put(e, 0x68);
        gen_put_le(e, gen_imm(s), 4);
        break;
    default: {
        struct rm rm = gen_mem(s, 8);
        uint8_t opc = 0xff;
        gen_emit(s, 0, 4, false, &opc, 1, 6, &rm, 0, 0);
        break;
    }
    }
    if (gen_chance(s, 70)) {
        int r = gen_dst(s);
        if (r >= 8)
            gen_put(e, 0x41);
        gen_put(e, (uint8_t)(0x58 + (r & 7)));
    } else {
        struct rm rm = gen_mem(s, 8);
        uint8_t opc = 0x8f;
        gen_emit(s, 0, 4, false, &opc, 1, 0, &rm, 0, 0);
    }
    gen_fx(s, 0, 0, 0);
    return true;
}

/* DIV/IDIV by a register or memory operand made odd first (OR 1: never
 * zero); half the time RDX is cleared or sign-filled so that the quotient
 * usually fits. A quotient that does not fit is #DE on both sides. */
static bool t_div(struct gen *s)
{
    unsigned size = gen_size(s, true);
    bool is_signed = gen_chance(s, 50);
    struct rm rm = gen_rm(s, size, true);
    if (!rm.mem && (rm.reg == 0 || rm.reg == 2))
        return false;                   /* not the dividend's registers */
    bool rex = size == 1 && ((!rm.mem && rm.reg >= 8) || rm.mem || gen_chance(s, 30));
    if (size == 1 && !rm.mem && (!gen_byte_regs_ok(rex, rm.reg) || (!rex && rm.reg == 4)))
        return false;                   /* AH is the dividend's too */
    uint8_t opc = size == 1 ? 0x80 : 0x83;
    gen_emit(s, 0, size, rex, &opc, 1, 1, &rm, 1, 1);       /* OR r/m, 1 */
    if (gen_chance(s, 50)) {
        if (size == 1) {
            if (is_signed) {
                gen_put(s->e, 0x66);        /* CBW */
                gen_put(s->e, 0x98);
            } else {
                gen_put(s->e, 0x30);        /* XOR AH, AH */
                gen_put(s->e, 0xe4);
            }
        } else if (is_signed) {
            uint8_t cqo = 0x99;         /* CWD/CDQ/CQO */
            gen_emit(s, 0, size, false, &cqo, 1, 0, NULL, 0, 0);
        } else {
            gen_put(s->e, 0x31);            /* XOR EDX, EDX */
            gen_put(s->e, 0xd2);
        }
    }
    opc = size == 1 ? 0xf6 : 0xf7;
    gen_emit(s, 0, size, rex, &opc, 1, is_signed ? 7 : 6, &rm, 0, 0);
    gen_fx(s, 0, 0, ALLF);
    return true;
}

/* PUSHF then POP: the flags, lazily computed or not, as a value */
static bool t_pushf(struct gen *s)
{
    int r = gen_dst(s);
    bool o16 = gen_chance(s, 20);
    if (o16)
        gen_put(s->e, 0x66);                /* PUSHF o16 ... */
    gen_put(s->e, 0x9c);
    if (o16)
        gen_put(s->e, 0x66);                /* ... and POP r16 */
    if (r >= 8)
        gen_put(s->e, 0x41);
    gen_put(s->e, (uint8_t)(0x58 + (r & 7)));
    gen_fx(s, ALLF, 0, 0);
    return true;
}

/* PUSH imm32, POPF: every arithmetic flag and DF from a random value
 * (TF and AC kept clear: a trap, alignment checks) */
static bool t_popf(struct gen *s)
{
    gen_put(s->e, 0x68);
    gen_put_le(s->e, gen_imm(s) & ~(uint64_t)(X86_TF | X86_AC), 4);
    gen_put(s->e, 0x9d);
    gen_fx(s, 0, ALLF, 0);
    return true;
}

/* up to four legacy prefixes an ALU register form ignores or obeys (66:
 * operand size; 67, F2, F3 and segments: no effect here) */
static bool t_prefixes(struct gen *s)
{
    static const uint8_t pfx[8] = { 0x66, 0x67, 0xf2, 0xf3, 0x2e, 0x3e, 0x26, 0x36 };
    unsigned n = 1 + gen_pick(s, 4), op = gen_pick(s, 8);
    bool byte = gen_chance(s, 25), dir = gen_chance(s, 50);
    uint8_t p[4];
    for (unsigned i = 0; i < n; i++)
        p[i] = pfx[gen_pick(s, 8)];
    uint8_t rex = gen_chance(s, 50) ? (uint8_t)(0x40 | gen_pick(s, 16)) : 0;
    int reg = (int)gen_pick(s, 8) | ((rex & 4) ? 8 : 0), rm = (int)gen_pick(s, 8) | ((rex & 1) ? 8 : 0);
    int dst = dir ? reg : rm;
    if ((!byte && dst == 4) || dst == PTR_REG || (byte && !gen_byte_regs_ok(rex != 0, dst)))
        return false;
    for (unsigned i = 0; i < n; i++)
        gen_put(s->e, p[i]);
    if (rex)
        gen_put(s->e, rex);
    gen_put(s->e, (uint8_t)(op * 8 + (byte ? 0 : 1) + (dir ? 2 : 0)));
    gen_put(s->e, (uint8_t)(0xc0 | ((reg & 7) << 3) | (rm & 7)));
    alu_fx(s, op);
    return true;
}

/* a string instruction on pointers into scratch, maybe with REP and a
 * count of 1 to 16 (DF comes from the inputs) */
static bool t_string(struct gen *s)
{
    static const uint8_t ops[5] = { 0xa4, 0xaa, 0xac, 0xa6, 0xae };  /* movs stos lods cmps scas */
    unsigned k = gen_pick(s, 5), size = gen_size(s, true);
    struct enc *e = s->e;
    gen_put(e, 0xbe);                       /* mov esi, imm32 */
    gen_put_le(e, SCRATCH_VA + 0x700 + gen_pick(s, 0x100), 4);
    gen_put(e, 0xbf);                       /* mov edi, imm32 */
    gen_put_le(e, SCRATCH_VA + 0xb00 + gen_pick(s, 0x100), 4);
    unsigned rep = gen_pick(s, 3);          /* none, F3, F2 */
    if (rep) {
        gen_put(e, 0xb9);                   /* mov ecx, imm32 */
        gen_put_le(e, 1 + gen_pick(s, 16), 4);
        gen_put(e, rep == 1 ? 0xf3 : 0xf2);
    }
    if (size == 2)
        gen_put(e, 0x66);
    if (size == 8)
        gen_put(e, 0x48);
    gen_put(e, (uint8_t)(ops[k] + (size == 1 ? 0 : 1)));
    if (k >= 3)
        gen_fx(s, 0, ALLF, 0);
    else
        gen_fx(s, 0, 0, 0);
    return true;
}

const struct template gen_templates[] = {
    { t_alu, 14 }, { t_alu_imm, 10 }, { t_test, 4 }, { t_unary, 6 }, { t_shift, 12 },
    { t_shxd, 5 }, { t_mul, 6 }, { t_bt, 5 }, { t_count, 3 }, { t_movx, 4 }, { t_mov, 5 },
    { t_cond, 8 }, { t_jcc, 4 }, { t_xchg, 6 }, { t_misc, 6 }, { t_lea, 4 },
    { t_pushpop, 3 }, { t_div, 4 }, { t_pushf, 3 }, { t_popf, 2 }, { t_prefixes, 5 },
    { t_string, 4 },
};
const unsigned gen_ntemplates = sizeof gen_templates / sizeof gen_templates[0];

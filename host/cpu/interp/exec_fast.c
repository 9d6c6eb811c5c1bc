/*
 * Handlers for the forms compiled code runs most, with the operand size
 * and the operands' places fixed when the block is decoded: MOV, the
 * ALU, TEST, shifts, INC/DEC, IMUL, LEA, MOVZX/MOVSX/MOVSXD with 32- and
 * 64-bit operands, and in 64-bit code PUSH, POP and the near branches.
 * x86_fast_fn picks one for a decoded instruction, or none (the generic
 * handler runs). Each does what the generic handler does, in its order:
 * every access that can fault before a register or flag changes.
 */
#include "cpu/interp/exec.h"
#include "cpu/interp/fastmem.h"

/* a register operand of size S (4 or 8): a 32-bit write zero-extends */
#define RD(S, n)    ((S) == 8 ? c->r[n] : (uint32_t)c->r[n])
#define WR(S, n, v) (c->r[n] = (S) == 8 ? (uint64_t)(v) : (uint32_t)(v))

/* ---- ALU: ADD OR AND SUB XOR CMP (ADC and SBB stay generic) ---- */

static const uint8_t alu_flop[8] = {
    X86_FL_ADD, X86_FL_LOGIC, 0, 0, X86_FL_LOGIC, X86_FL_SUB, X86_FL_LOGIC, X86_FL_SUB,
};

static inline uint64_t alu(unsigned op, uint64_t a, uint64_t b)
{
    switch (op) {
    case 0: return a + b;
    case 1: return a | b;
    case 4: return a & b;
    case 6: return a ^ b;
    default: return a - b;      /* SUB, CMP */
    }
}

enum { RR, RI, RM, MR, MI, FORMS };     /* dst, src: register, imm, memory */

static inline void alu_form(struct x86_cpu *c, struct x86_insn *d, unsigned op, unsigned s,
                            unsigned form)
{
    uint64_t a, b, r;
    switch (form) {
    case RR: case RI: case RM:
        a = RD(s, d->dst);
        b = form == RR ? RD(s, d->src) : form == RI ? d->imm : x86_load(c, d->seg, d->ea, s);
        r = alu(op, a, b);
        if (op != 7)
            WR(s, d->dst, r);
        break;
    default:
        a = x86_load(c, d->seg, d->ea, s);
        b = form == MR ? RD(s, d->src) : d->imm;
        r = alu(op, a, b);
        if (op != 7)
            x86_store(c, d->seg, d->ea, r, s);
        break;
    }
    x86_set_lazy(c, alu_flop[op], s, r, a, b);
}

#define ALU_FN(op, s, f) \
    static void alu_##op##_##s##_##f(struct x86_cpu *c, struct x86_insn *d) \
    { alu_form(c, d, op, s, f); }
#define ALU_SIZE(op, s) ALU_FN(op, s, RR) ALU_FN(op, s, RI) ALU_FN(op, s, RM) ALU_FN(op, s, MR) \
    ALU_FN(op, s, MI)
#define ALU_OP(op) ALU_SIZE(op, 4) ALU_SIZE(op, 8)
ALU_OP(0) ALU_OP(1) ALU_OP(4) ALU_OP(5) ALU_OP(6) ALU_OP(7)

#define ALU_ROW(op, s) { alu_##op##_##s##_RR, alu_##op##_##s##_RI, alu_##op##_##s##_RM, \
                         alu_##op##_##s##_MR, alu_##op##_##s##_MI }
#define ALU_OPS(s) { ALU_ROW(0, s), ALU_ROW(1, s), { 0 }, { 0 }, ALU_ROW(4, s), ALU_ROW(5, s), \
                     ALU_ROW(6, s), ALU_ROW(7, s) }
static x86_exec_fn *const alu_fns[2][8][FORMS] = { ALU_OPS(4), ALU_OPS(8) };

/* TEST r/m, reg */
static inline void test_form(struct x86_cpu *c, struct x86_insn *d, unsigned s, bool mem)
{
    uint64_t r = (mem ? x86_load(c, d->seg, d->ea, s) : RD(s, d->dst)) & RD(s, d->src);
    x86_set_lazy(c, X86_FL_LOGIC, s, r, 0, 0);
}

static void test_4_rr(struct x86_cpu *c, struct x86_insn *d) { test_form(c, d, 4, false); }
static void test_8_rr(struct x86_cpu *c, struct x86_insn *d) { test_form(c, d, 8, false); }
static void test_4_mr(struct x86_cpu *c, struct x86_insn *d) { test_form(c, d, 4, true); }
static void test_8_mr(struct x86_cpu *c, struct x86_insn *d) { test_form(c, d, 8, true); }

/* ---- MOV and its relatives ---- */

static void mov_4_rr(struct x86_cpu *c, struct x86_insn *d) { WR(4, d->dst, RD(4, d->src)); }
static void mov_8_rr(struct x86_cpu *c, struct x86_insn *d) { WR(8, d->dst, RD(8, d->src)); }
static void mov_4_ri(struct x86_cpu *c, struct x86_insn *d) { WR(4, d->dst, d->imm); }
static void mov_8_ri(struct x86_cpu *c, struct x86_insn *d) { WR(8, d->dst, d->imm); }

static void mov_4_rm(struct x86_cpu *c, struct x86_insn *d)
{
    WR(4, d->dst, x86_load(c, d->seg, d->ea, 4));
}

static void mov_8_rm(struct x86_cpu *c, struct x86_insn *d)
{
    WR(8, d->dst, x86_load(c, d->seg, d->ea, 8));
}

static void mov_4_mr(struct x86_cpu *c, struct x86_insn *d)
{
    x86_store(c, d->seg, d->ea, RD(4, d->src), 4);
}

static void mov_8_mr(struct x86_cpu *c, struct x86_insn *d)
{
    x86_store(c, d->seg, d->ea, RD(8, d->src), 8);
}

#define MOV_MI(s) \
    static void mov_##s##_mi(struct x86_cpu *c, struct x86_insn *d) \
    { x86_store(c, d->seg, d->ea, d->imm, s); }
MOV_MI(1) MOV_MI(4) MOV_MI(8)

/* byte registers keep their AH..BH rule (x86_reg_get/set) */
static void mov_1_mr(struct x86_cpu *c, struct x86_insn *d)
{
    x86_store(c, d->seg, d->ea, x86_reg_get(c, d, d->src, 1), 1);
}

static void mov_1_rm(struct x86_cpu *c, struct x86_insn *d)
{
    x86_reg_set(c, d, d->dst, 1, x86_load(c, d->seg, d->ea, 1));
}

static void lea_4(struct x86_cpu *c, struct x86_insn *d) { WR(4, d->dst, d->ea); }
static void lea_8(struct x86_cpu *c, struct x86_insn *d) { WR(8, d->dst, d->ea); }

/* MOVZX, MOVSX (from 1 or 2 bytes) and MOVSXD (from 4) */
static inline uint64_t ext_src(struct x86_cpu *c, struct x86_insn *d, unsigned from)
{
    if (d->mod == 3)
        return x86_reg_get(c, d, d->src, from);
    return x86_load(c, d->seg, d->ea, from);
}

#define EXT_FN(name, from, s, sign) \
    static void name(struct x86_cpu *c, struct x86_insn *d) \
    { \
        uint64_t v = ext_src(c, d, from); \
        WR(s, d->dst, sign ? x86_sext(v, from) : v); \
    }
EXT_FN(movzx_4_1, 1, 4, false) EXT_FN(movzx_8_1, 1, 8, false)
EXT_FN(movzx_4_2, 2, 4, false) EXT_FN(movzx_8_2, 2, 8, false)
EXT_FN(movsx_4_1, 1, 4, true) EXT_FN(movsx_8_1, 1, 8, true)
EXT_FN(movsx_4_2, 2, 4, true) EXT_FN(movsx_8_2, 2, 8, true)
EXT_FN(movsxd_8, 4, 8, true)

/* ---- shifts of a register: SHL, SHR, SAR ---- */

static inline void shift_reg(struct x86_cpu *c, struct x86_insn *d, unsigned op, unsigned s,
                             unsigned count)
{
    unsigned n = s * 8, cf, of;
    uint64_t a = RD(s, d->dst), r;

    count &= s == 8 ? 63 : 31;
    if (!count) {
        WR(s, d->dst, a);       /* nothing changes but a 32-bit register's top */
        return;
    }
    switch (op) {
    case 4:
        r = a << count;
        if (s == 4)
            r = (uint32_t)r;
        cf = (unsigned)((a << (count - 1)) >> (n - 1)) & 1;
        of = (unsigned)((a >> (n - 1)) ^ (a >> (n - 2))) & 1;
        break;
    case 5:
        r = a >> count;
        cf = (unsigned)(a >> (count - 1)) & 1;
        of = (unsigned)(a >> (n - 1)) & 1;
        break;
    default: {
        int64_t v = (int64_t)x86_sext(a, s);
        r = (uint64_t)(v >> count);
        if (s == 4)
            r = (uint32_t)r;
        cf = (unsigned)(v >> (count - 1)) & 1;
        of = 0;
        break;
    }
    }
    x86_set_lazy(c, X86_FL_CO, s, r, cf, of);
    WR(s, d->dst, r);
}

#define SHIFT_FN(op, s) \
    static void shift_##op##_##s##_i(struct x86_cpu *c, struct x86_insn *d) \
    { shift_reg(c, d, op, s, (unsigned)d->imm); } \
    static void shift_##op##_##s##_1(struct x86_cpu *c, struct x86_insn *d) \
    { shift_reg(c, d, op, s, 1); } \
    static void shift_##op##_##s##_cl(struct x86_cpu *c, struct x86_insn *d) \
    { shift_reg(c, d, op, s, (unsigned)c->r[X86_RCX]); }
SHIFT_FN(4, 4) SHIFT_FN(4, 8) SHIFT_FN(5, 4) SHIFT_FN(5, 8) SHIFT_FN(7, 4) SHIFT_FN(7, 8)

#define SHIFT_ROW(op) { { shift_##op##_4_i, shift_##op##_4_1, shift_##op##_4_cl }, \
                        { shift_##op##_8_i, shift_##op##_8_1, shift_##op##_8_cl } }
/* [op - 4][size 4, 8][C1, D1, D3]; op 6 (SAL) is SHL */
static x86_exec_fn *const shift_fns[4][2][3] = {
    SHIFT_ROW(4), SHIFT_ROW(5), SHIFT_ROW(4), SHIFT_ROW(7),
};

/* ---- INC, DEC of a register ---- */

static inline void incdec_reg(struct x86_cpu *c, struct x86_insn *d, bool dec, unsigned s)
{
    uint64_t a = RD(s, d->dst), r = dec ? a - 1 : a + 1;
    bool cf = x86_get_cf_inline(c);
    WR(s, d->dst, r);
    x86_set_lazy(c, dec ? X86_FL_DEC : X86_FL_INC, s, r, a, cf);
}

static void inc_4(struct x86_cpu *c, struct x86_insn *d) { incdec_reg(c, d, false, 4); }
static void inc_8(struct x86_cpu *c, struct x86_insn *d) { incdec_reg(c, d, false, 8); }
static void dec_4(struct x86_cpu *c, struct x86_insn *d) { incdec_reg(c, d, true, 4); }
static void dec_8(struct x86_cpu *c, struct x86_insn *d) { incdec_reg(c, d, true, 8); }

/* ---- IMUL reg, r/m (0F AF) and IMUL reg, r/m, imm (69, 6B) ---- */

static inline void imul_form(struct x86_cpu *c, struct x86_insn *d, unsigned s, bool imm)
{
    uint64_t b = d->mod == 3 ? RD(s, d->src) : x86_load(c, d->seg, d->ea, s);
    uint64_t a = imm ? d->imm : RD(s, d->dst), lo;
    bool over;
    if (s == 8) {
        __int128 p = (__int128)(int64_t)a * (int64_t)b;
        lo = (uint64_t)p;
        over = p != (__int128)(int64_t)lo;
    } else {
        int64_t p = (int64_t)(int32_t)a * (int32_t)b;
        lo = (uint32_t)p;
        over = p != (int64_t)(int32_t)lo;
    }
    x86_set_lazy(c, X86_FL_MUL, s, lo, over, 0);
    WR(s, d->dst, lo);
}

static void imul2_4(struct x86_cpu *c, struct x86_insn *d) { imul_form(c, d, 4, false); }
static void imul2_8(struct x86_cpu *c, struct x86_insn *d) { imul_form(c, d, 8, false); }
static void imul3_4(struct x86_cpu *c, struct x86_insn *d) { imul_form(c, d, 4, true); }
static void imul3_8(struct x86_cpu *c, struct x86_insn *d) { imul_form(c, d, 8, true); }

/* ---- 64-bit code: the stack and near branches (target in imm2,
 * known to be canonical) ---- */

static void push_64(struct x86_cpu *c, struct x86_insn *d)
{
    uint64_t v = c->r[d->src], sp = c->r[X86_RSP] - 8;
    x86_store(c, X86_SS, sp, v, 8);
    c->r[X86_RSP] = sp;
}

static void pop_64(struct x86_cpu *c, struct x86_insn *d)
{
    uint64_t sp = c->r[X86_RSP], v = x86_load(c, X86_SS, sp, 8);
    c->r[X86_RSP] = sp + 8;
    c->r[d->dst] = v;
}

static void jmp_64(struct x86_cpu *c, struct x86_insn *d) { c->rip = d->imm2; }

#define JCC_FN(cc) \
    static void jcc_64_##cc(struct x86_cpu *c, struct x86_insn *d) \
    { if (x86_cond_inline(c, cc)) c->rip = d->imm2; }
JCC_FN(0) JCC_FN(1) JCC_FN(2) JCC_FN(3) JCC_FN(4) JCC_FN(5) JCC_FN(6) JCC_FN(7)
JCC_FN(8) JCC_FN(9) JCC_FN(10) JCC_FN(11) JCC_FN(12) JCC_FN(13) JCC_FN(14) JCC_FN(15)
static x86_exec_fn *const jcc_fns[16] = {
    jcc_64_0, jcc_64_1, jcc_64_2, jcc_64_3, jcc_64_4, jcc_64_5, jcc_64_6, jcc_64_7,
    jcc_64_8, jcc_64_9, jcc_64_10, jcc_64_11, jcc_64_12, jcc_64_13, jcc_64_14, jcc_64_15,
};

static void call_64(struct x86_cpu *c, struct x86_insn *d)
{
    uint64_t sp = c->r[X86_RSP] - 8;
    x86_store(c, X86_SS, sp, c->rip, 8);
    c->r[X86_RSP] = sp;
    c->rip = d->imm2;
}

static void ret_64(struct x86_cpu *c, struct x86_insn *d)
{
    uint64_t sp = c->r[X86_RSP], t = x86_load(c, X86_SS, sp, 8);
    if (X86_UNLIKELY(!x86_canonical(t)))
        x86_fault(c, X86_GP, 0);
    c->r[X86_RSP] = sp + 8;
    c->rip = t;
}

/* ---- the choice ---- */

/* The ALU and TEST forms with a ModR/M byte. */
static x86_exec_fn *alu_modrm(struct x86_insn *d, unsigned op, unsigned s, bool to_reg, bool imm)
{
    bool mem = d->mod != 3;
    unsigned form;
    if (imm)
        form = mem ? MI : RI;
    else if (to_reg)
        form = mem ? RM : RR;
    else
        form = mem ? MR : RR;
    d->dst = to_reg ? d->reg : d->rm;
    d->src = to_reg ? d->rm : d->reg;
    if (op == 8) {      /* TEST */
        if (s == 4)
            return mem ? test_4_mr : test_4_rr;
        return mem ? test_8_mr : test_8_rr;
    }
    return alu_fns[s == 8][op][form];
}

x86_exec_fn *x86_fast_fn(const struct x86_cpu *c, struct x86_insn *d)
{
    unsigned op = d->op, s = d->size, r = d->reg & 7;
    bool mem = d->mod != 3, w = s == 8, ok = s == 4 || s == 8;

    d->dst = d->rm;
    d->src = d->reg;
    switch (op) {
    case 0x00 ... 0x3f:
        if (!ok || (op & 7) > 5 || ((op >> 3) & 7) == 2 || ((op >> 3) & 7) == 3)
            return NULL;
        if ((op & 7) == 5) {    /* eAX, imm */
            d->dst = X86_RAX;
            return alu_fns[w][(op >> 3) & 7][RI];
        }
        return alu_modrm(d, (op >> 3) & 7, s, op & 2, false);
    case 0x81: case 0x83:
        if (!ok || r == 2 || r == 3)
            return NULL;
        return alu_modrm(d, r, s, false, true);
    case 0x85:
        return ok ? alu_modrm(d, 8, s, false, false) : NULL;
    case 0x89: case 0x8b:
        if (!ok)
            return NULL;
        if (op == 0x8b) {
            d->dst = d->reg;
            d->src = d->rm;
        }
        if (!mem)
            return w ? mov_8_rr : mov_4_rr;
        if (op == 0x8b)
            return w ? mov_8_rm : mov_4_rm;
        return w ? mov_8_mr : mov_4_mr;
    case 0x88:
        return mem ? mov_1_mr : NULL;
    case 0x8a:
        d->dst = d->reg;
        return mem ? mov_1_rm : NULL;
    case 0xc6:
        return mem && !r ? mov_1_mi : NULL;
    case 0xc7:
        if (!ok || r)
            return NULL;
        if (mem)
            return w ? mov_8_mi : mov_4_mi;
        return w ? mov_8_ri : mov_4_ri;
    case 0xb8 ... 0xbf:
        if (!ok)
            return NULL;
        d->dst = (uint8_t)((op & 7) | ((d->rex & 1) << 3));
        return w ? mov_8_ri : mov_4_ri;
    case 0x8d:
        d->dst = d->reg;
        return mem && ok ? (w ? lea_8 : lea_4) : NULL;
    case 0x1b6: case 0x1b7: case 0x1be: case 0x1bf: {
        static x86_exec_fn *const ext[2][2][2] = {
            { { movzx_4_1, movzx_4_2 }, { movzx_8_1, movzx_8_2 } },
            { { movsx_4_1, movsx_4_2 }, { movsx_8_1, movsx_8_2 } },
        };
        d->dst = d->reg;
        d->src = d->rm;
        return ok ? ext[op >= 0x1be][w][op & 1] : NULL;
    }
    case 0x63:
        d->dst = d->reg;
        d->src = d->rm;
        return w ? movsxd_8 : NULL;
    case 0xc1: case 0xd1: case 0xd3:
        if (!ok || mem || r < 4)
            return NULL;
        return shift_fns[r - 4][w][op == 0xc1 ? 0 : op == 0xd1 ? 1 : 2];
    case 0xff:
        if (!ok || mem || r > 1)
            return NULL;
        return r ? (w ? dec_8 : dec_4) : (w ? inc_8 : inc_4);
    case 0x40 ... 0x4f:         /* INC/DEC outside 64-bit mode */
        if (!ok)
            return NULL;
        d->dst = op & 7;
        return op & 8 ? (w ? dec_8 : dec_4) : (w ? inc_8 : inc_4);
    case 0x1af:
        d->dst = d->reg;
        d->src = d->rm;
        return ok ? (w ? imul2_8 : imul2_4) : NULL;
    case 0x69: case 0x6b:
        d->dst = d->reg;
        d->src = d->rm;
        return ok ? (w ? imul3_8 : imul3_4) : NULL;
    }

    if (!c->code64)
        return NULL;
    switch (op) {
    case 0x50 ... 0x57:
        d->src = (uint8_t)((op & 7) | ((d->rex & 1) << 3));
        return d->opsize == 8 ? push_64 : NULL;
    case 0x58 ... 0x5f:
        d->dst = (uint8_t)((op & 7) | ((d->rex & 1) << 3));
        return d->opsize == 8 ? pop_64 : NULL;
    case 0xc3:
        return d->opsize == 8 ? ret_64 : NULL;
    case 0x70 ... 0x7f: case 0x180 ... 0x18f: case 0xe8: case 0xe9: case 0xeb:
        d->imm2 = d->next_rip + d->imm;
        if (d->opsize != 8 || !x86_canonical(d->imm2))
            return NULL;
        return op == 0xe8 ? call_64 : op == 0xe9 || op == 0xeb ? jmp_64 : jcc_fns[op & 15];
    }
    return NULL;
}

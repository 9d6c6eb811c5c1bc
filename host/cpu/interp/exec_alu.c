/* The integer ALU: ADD..CMP in their forms, TEST, NOT, NEG, INC, DEC
 * (SDM Vol. 2), and the group 3/4/5 opcodes that share their encodings. */
#include "cpu/interp/exec.h"

/* ADD OR ADC SBB AND SUB XOR CMP, by the opcode's bits 3-5 or the
 * ModR/M reg field of group 1. */
static const uint8_t alu_flop[8] = {
    X86_FL_ADD, X86_FL_LOGIC, X86_FL_ADC, X86_FL_SBB,
    X86_FL_LOGIC, X86_FL_SUB, X86_FL_LOGIC, X86_FL_SUB,
};

static inline uint64_t alu_res(const struct x86_cpu *c, unsigned op, uint64_t a, uint64_t b)
{
    switch (op) {
    case 0: return a + b;
    case 1: return a | b;
    case 2: return a + b + x86_get_cf(c);
    case 3: return a - b - x86_get_cf(c);
    case 4: return a & b;
    case 6: return a ^ b;
    default: return a - b;      /* SUB, CMP */
    }
}

#define ALU_CMP 7

void x86_op_alu(struct x86_cpu *c, struct x86_insn *d)
{
    unsigned op = (d->op >> 3) & 7, size = d->size;
    uint64_t a, b, r;

    switch (d->op & 7) {
    case 0: case 1:     /* r/m, reg */
        a = x86_rm_get(c, d, size);
        b = x86_reg_get(c, d, d->reg, size);
        r = alu_res(c, op, a, b);
        if (op != ALU_CMP)
            x86_rm_set(c, d, size, r);
        break;
    case 2: case 3:     /* reg, r/m */
        a = x86_reg_get(c, d, d->reg, size);
        b = x86_rm_get(c, d, size);
        r = alu_res(c, op, a, b);
        if (op != ALU_CMP)
            x86_reg_set(c, d, d->reg, size, r);
        break;
    default:            /* AL/eAX, imm */
        a = x86_reg_get(c, d, X86_RAX, size);
        b = d->imm;
        r = alu_res(c, op, a, b);
        if (op != ALU_CMP)
            x86_reg_set(c, d, X86_RAX, size, r);
        break;
    }
    x86_set_lazy(c, alu_flop[op], size, r, a, b);
}

/* 80, 81, 83: r/m, imm (imm8 sign-extended for 83) */
void x86_op_grp1(struct x86_cpu *c, struct x86_insn *d)
{
    unsigned op = d->reg & 7, size = d->size;
    uint64_t a = x86_rm_get(c, d, size), b = d->imm;
    uint64_t r = alu_res(c, op, a, b);
    if (op != ALU_CMP)
        x86_rm_set(c, d, size, r);
    x86_set_lazy(c, alu_flop[op], size, r, a, b);
}

/* 84, 85: TEST r/m, reg */
void x86_op_test(struct x86_cpu *c, struct x86_insn *d)
{
    uint64_t r = x86_rm_get(c, d, d->size) & x86_reg_get(c, d, d->reg, d->size);
    x86_set_lazy(c, X86_FL_LOGIC, d->size, r, 0, 0);
}

/* A8, A9: TEST AL/eAX, imm */
void x86_op_test_imm(struct x86_cpu *c, struct x86_insn *d)
{
    uint64_t r = x86_reg_get(c, d, X86_RAX, d->size) & d->imm;
    x86_set_lazy(c, X86_FL_LOGIC, d->size, r, 0, 0);
}

static void incdec(struct x86_cpu *c, struct x86_insn *d, bool dec, bool reg, unsigned r,
                   unsigned size)
{
    uint64_t a = reg ? x86_reg_get(c, d, r, size) : x86_rm_get(c, d, size);
    uint64_t res = dec ? a - 1 : a + 1;
    bool cf = x86_get_cf(c);
    if (reg)
        x86_reg_set(c, d, r, size, res);
    else
        x86_rm_set(c, d, size, res);
    x86_set_lazy(c, dec ? X86_FL_DEC : X86_FL_INC, size, res, a, cf);
}

/* 40-4F outside 64-bit mode: INC/DEC r16/r32 */
void x86_op_incdec_r(struct x86_cpu *c, struct x86_insn *d)
{
    incdec(c, d, d->op & 8, true, d->op & 7, d->opsize);
}

/* F6, F7: TEST, NOT, NEG, MUL, IMUL, DIV, IDIV */
void x86_op_grp3(struct x86_cpu *c, struct x86_insn *d)
{
    unsigned size = d->size;
    uint64_t a;

    switch (d->reg & 7) {
    case 0: case 1:
        a = x86_rm_get(c, d, size) & d->imm;
        x86_set_lazy(c, X86_FL_LOGIC, size, a, 0, 0);
        break;
    case 2:
        x86_rm_set(c, d, size, ~x86_rm_get(c, d, size));
        break;
    case 3:
        a = x86_rm_get(c, d, size);
        x86_rm_set(c, d, size, -a);
        x86_set_lazy(c, X86_FL_SUB, size, -a, 0, a);
        break;
    default:
        x86_muldiv(c, d);
        break;
    }
}

/* FE: INC/DEC r/m8 */
void x86_op_grp4(struct x86_cpu *c, struct x86_insn *d)
{
    if ((d->reg & 7) > 1)
        x86_unknown(c, d);
    incdec(c, d, d->reg & 1, false, 0, 1);
}

/* FF: INC, DEC, CALL near, CALL far, JMP near, JMP far, PUSH */
void x86_op_grp5(struct x86_cpu *c, struct x86_insn *d)
{
    unsigned size = d->opsize;
    uint64_t v;

    switch (d->reg & 7) {
    case 0: case 1:
        incdec(c, d, d->reg & 1, false, 0, size);
        break;
    case 2:
        v = x86_branch_target(c, d, x86_rm_get(c, d, size));
        x86_push(c, c->rip, size);
        c->rip = v;
        break;
    case 4:
        c->rip = x86_branch_target(c, d, x86_rm_get(c, d, size));
        break;
    case 3: case 5: {
        if (d->mod == 3)
            x86_fault_noerr(c, X86_UD);
        uint64_t off = x86_read(c, d->seg, d->ea, size);
        uint16_t sel = (uint16_t)x86_read(c, d->seg, x86_ea_add(d, size), 2);
        if ((d->reg & 7) == 3)
            x86_far_call(c, sel, off, size);
        else
            x86_far_jmp(c, sel, off);
        break;
    }
    case 6:
        x86_push(c, x86_rm_get(c, d, size), size);
        break;
    default:
        x86_unknown(c, d);
    }
}

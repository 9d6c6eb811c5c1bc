/* The stack: PUSH, POP (registers, r/m, immediates, segment registers),
 * PUSHF, POPF, ENTER, LEAVE, PUSHA, POPA (SDM Vol. 2). */
#include "cpu/interp/exec.h"

static inline unsigned reg_of_op(const struct x86_insn *d)
{
    return (d->op & 7) | ((d->rex & 1) << 3);
}

/* 50-57 */
void x86_op_push_r(struct x86_cpu *c, struct x86_insn *d)
{
    x86_push(c, x86_reg_get(c, d, reg_of_op(d), d->opsize), d->opsize);
}

/* 58-5F; POP RSP leaves RSP = the popped value */
void x86_op_pop_r(struct x86_cpu *c, struct x86_insn *d)
{
    uint64_t v = x86_pop(c, d->opsize);
    x86_reg_set(c, d, reg_of_op(d), d->opsize, v);
}

/* 68: PUSH imm16/32, 6A: PUSH imm8, sign-extended */
void x86_op_push_imm(struct x86_cpu *c, struct x86_insn *d)
{
    x86_push(c, d->imm, d->opsize);
}

/* 8F /0: POP r/m. An address based on RSP is computed with RSP already
 * incremented (SDM Vol. 2, "POP"). */
void x86_op_pop_rm(struct x86_cpu *c, struct x86_insn *d)
{
    unsigned size = d->opsize;
    if (d->reg & 7)
        x86_unknown(c, d);
    if (d->mod == 3) {
        uint64_t v = x86_pop(c, size);
        x86_reg_set(c, d, d->rm, size, v);
        return;
    }
    uint64_t v = x86_stack_peek(c, 0, size), ea = d->ea;
    if (d->base == X86_RSP)
        ea = x86_ea_add(d, size);
    x86_write(c, d->seg, ea, v, size);
    x86_sp_add(c, size);
}

static int sreg_of_op(const struct x86_insn *d)
{
    if (d->op == 0x1a0 || d->op == 0x1a1)
        return X86_FS;
    if (d->op == 0x1a8 || d->op == 0x1a9)
        return X86_GS;
    return (d->op >> 3) & 3;
}

/* 06 ES, 0E CS, 16 SS, 1E DS, 0F A0 FS, 0F A8 GS: the selector
 * zero-extended to the operand size (the SDM allows a 16-bit store too;
 * the Intel parts we compare with write the whole slot) */
void x86_op_push_sreg(struct x86_cpu *c, struct x86_insn *d)
{
    x86_push(c, c->seg[sreg_of_op(d)].sel, d->opsize);
}

/* 07 ES, 17 SS, 1F DS, 0F A1 FS, 0F A9 GS: RSP moves after the load
 * succeeded; POP SS holds interrupts off for one instruction */
void x86_op_pop_sreg(struct x86_cpu *c, struct x86_insn *d)
{
    int s = sreg_of_op(d);
    uint16_t sel = (uint16_t)x86_stack_peek(c, 0, d->opsize);
    x86_load_seg(c, s, sel);
    x86_sp_add(c, d->opsize);
    if (s == X86_SS) {
        c->intr_shadow = true;
        d->notrap = true;
    }
}

/* 9C: PUSHF; RF and VM read as 0 in the image */
void x86_op_pushf(struct x86_cpu *c, struct x86_insn *d)
{
    x86_push(c, x86_get_rflags(c) & ~(X86_RF | X86_VM), d->opsize);
}

/* 9D: POPF (SDM Vol. 2, "POPF"): IOPL changes only at CPL 0, IF only at
 * CPL <= IOPL (silently kept otherwise), VM, VIF, VIP never, RF is
 * cleared; a 16-bit POPF touches the low word alone. */
void x86_op_popf(struct x86_cpu *c, struct x86_insn *d)
{
    uint64_t v = x86_pop(c, d->opsize);
    uint64_t old = x86_get_rflags(c);
    uint64_t can = X86_ARITH_FLAGS | X86_TF | X86_DF | X86_NT | X86_AC | X86_ID;
    bool prot = c->cr0 & X86_CR0_PE;
    unsigned iopl = (unsigned)(old >> 12) & 3;

    if (!prot || c->cpl == 0)
        can |= X86_IOPL;
    if (!prot || c->cpl <= iopl)
        can |= X86_IF;
    if (d->opsize == 2)
        can &= 0xffff;
    x86_set_rflags(c, ((old & ~can) | (v & can)) & ~X86_RF);
}

/* C8: ENTER imm16, imm8 (SDM Vol. 2, "ENTER"): every stack write is made
 * before RSP and RBP change. */
void x86_op_enter(struct x86_cpu *c, struct x86_insn *d)
{
    unsigned size = d->opsize, level = (unsigned)d->imm2 & 31;
    uint64_t m = x86_sp_mask(c);
    uint64_t sp = c->r[X86_RSP], bp = c->r[X86_RBP];

    sp = (sp - size) & m;
    x86_write(c, X86_SS, sp, bp, size);
    uint64_t frame = sp;
    if (level) {
        for (unsigned i = 1; i < level; i++) {
            bp = (bp - size) & m;
            uint64_t v = x86_read(c, X86_SS, bp, size);
            sp = (sp - size) & m;
            x86_write(c, X86_SS, sp, v, size);
        }
        sp = (sp - size) & m;
        x86_write(c, X86_SS, sp, frame, size);
    }
    sp = (sp - d->imm) & m;
    x86_reg_set(c, d, X86_RBP, size, frame);
    c->r[X86_RSP] = (c->r[X86_RSP] & ~m) | sp;
}

/* C9: LEAVE: RSP = RBP, then POP RBP */
void x86_op_leave(struct x86_cpu *c, struct x86_insn *d)
{
    uint64_t m = x86_sp_mask(c), sp = c->r[X86_RBP] & m;
    uint64_t v = x86_read(c, X86_SS, sp, d->opsize);
    c->r[X86_RSP] = (c->r[X86_RSP] & ~m) | ((sp + d->opsize) & m);
    x86_reg_set(c, d, X86_RBP, d->opsize, v);
}

/* 60: PUSHA/PUSHAD, outside 64-bit mode */
void x86_op_pusha(struct x86_cpu *c, struct x86_insn *d)
{
    unsigned size = d->opsize;
    uint64_t m = x86_sp_mask(c), sp = c->r[X86_RSP];
    for (unsigned i = 0; i < 8; i++)
        x86_write(c, X86_SS, (sp - (i + 1) * size) & m, c->r[i], size);
    x86_sp_add(c, -(uint64_t)(8 * size));
}

/* 61: POPA/POPAD; the saved eSP is skipped */
void x86_op_popa(struct x86_cpu *c, struct x86_insn *d)
{
    unsigned size = d->opsize;
    uint64_t v[8];
    for (unsigned i = 0; i < 8; i++)
        v[7 - i] = x86_stack_peek(c, i * size, size);
    for (unsigned i = 0; i < 8; i++)
        if (i != X86_RSP)
            x86_reg_set(c, d, i, size, v[i]);
    x86_sp_add(c, 8 * size);
}

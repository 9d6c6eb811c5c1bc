/* Data movement and the small instructions around it: MOV in its forms,
 * MOVZX/MOVSX/MOVSXD, LEA, XCHG, CMPXCHG, CMPXCHG8B/16B, XADD, CBW..CQO,
 * SETcc, CMOVcc, LAHF/SAHF, CLC..STD, XLAT, LDS..LGS, NOP (SDM Vol. 2). */
#include "cpu/interp/exec.h"

/* 88 Eb,Gb; 89 Ev,Gv; 8A Gb,Eb; 8B Gv,Ev */
void x86_op_mov(struct x86_cpu *c, struct x86_insn *d)
{
    if (d->op & 2)
        x86_reg_set(c, d, d->reg, d->size, x86_rm_get(c, d, d->size));
    else
        x86_rm_set(c, d, d->size, x86_reg_get(c, d, d->reg, d->size));
}

/* B0-B7: MOV r8, imm8; B8-BF: MOV r, imm16/32/64 */
void x86_op_mov_imm_r(struct x86_cpu *c, struct x86_insn *d)
{
    x86_reg_set(c, d, (d->op & 7) | ((d->rex & 1) << 3), d->size, d->imm);
}

/* C6 /0, C7 /0: MOV r/m, imm */
void x86_op_mov_imm_rm(struct x86_cpu *c, struct x86_insn *d)
{
    if (d->reg & 7)
        x86_unknown(c, d);
    x86_rm_set(c, d, d->size, d->imm);
}

/* A0-A3: MOV AL/eAX to and from an absolute offset */
void x86_op_mov_moffs(struct x86_cpu *c, struct x86_insn *d)
{
    if (d->op & 2)
        x86_write(c, d->seg, d->imm, x86_reg_get(c, d, X86_RAX, d->size), d->size);
    else
        x86_reg_set(c, d, X86_RAX, d->size, x86_read(c, d->seg, d->imm, d->size));
}

/* 8C: MOV r/m, Sreg: a 16-bit store to memory; to a register, the
 * selector zero-extended to the operand size */
void x86_op_mov_from_sreg(struct x86_cpu *c, struct x86_insn *d)
{
    unsigned s = d->reg & 7;
    if (s > X86_GS)
        x86_fault_noerr(c, X86_UD);
    uint16_t sel = c->seg[s].sel;
    if (d->mod == 3)
        x86_reg_set(c, d, d->rm, d->opsize, sel);
    else
        x86_write(c, d->seg, d->ea, sel, 2);
}

/* 8E: MOV Sreg, r/m16; not CS. A load of SS holds interrupts off for
 * one instruction (SDM Vol. 3, 6.8.3). */
void x86_op_mov_to_sreg(struct x86_cpu *c, struct x86_insn *d)
{
    unsigned s = d->reg & 7;
    if (s == X86_CS || s > X86_GS)
        x86_fault_noerr(c, X86_UD);
    x86_load_seg(c, (int)s, (uint16_t)x86_rm_get(c, d, 2));
    if (s == X86_SS) {
        c->intr_shadow = true;
        d->notrap = true;
    }
}

/* 0F B6: MOVZX Gv, Eb; 0F B7: MOVZX Gv, Ew */
void x86_op_movzx(struct x86_cpu *c, struct x86_insn *d)
{
    x86_reg_set(c, d, d->reg, d->opsize, x86_rm_get(c, d, d->op & 1 ? 2 : 1));
}

/* 0F BE: MOVSX Gv, Eb; 0F BF: MOVSX Gv, Ew */
void x86_op_movsx(struct x86_cpu *c, struct x86_insn *d)
{
    unsigned from = d->op & 1 ? 2 : 1;
    x86_reg_set(c, d, d->reg, d->opsize, x86_sext(x86_rm_get(c, d, from), from));
}

/* 63 in 64-bit mode: MOVSXD Gv, Ed (without REX.W a plain move) */
void x86_op_movsxd(struct x86_cpu *c, struct x86_insn *d)
{
    unsigned from = d->opsize == 2 ? 2 : 4;
    x86_reg_set(c, d, d->reg, d->opsize, x86_sext(x86_rm_get(c, d, from), from));
}

/* 8D: LEA; the address is computed in the address size and then
 * truncated or zero-extended to the operand size */
void x86_op_lea(struct x86_cpu *c, struct x86_insn *d)
{
    if (d->mod == 3)
        x86_fault_noerr(c, X86_UD);
    x86_reg_set(c, d, d->reg, d->opsize, d->ea);
}

/* 86, 87: XCHG r/m, reg (locked with memory: nothing to do here) */
void x86_op_xchg(struct x86_cpu *c, struct x86_insn *d)
{
    uint64_t a = x86_rm_get(c, d, d->size), b = x86_reg_get(c, d, d->reg, d->size);
    x86_rm_set(c, d, d->size, b);
    x86_reg_set(c, d, d->reg, d->size, a);
}

/* 90-97: XCHG eAX, r; 90 alone is NOP, F3 90 PAUSE (but 41 90 is
 * XCHG r8d, eax, which zero-extends both) */
void x86_op_xchg_ax(struct x86_cpu *c, struct x86_insn *d)
{
    unsigned r = (d->op & 7) | ((d->rex & 1) << 3);
    if (r == X86_RAX)
        return;
    uint64_t a = x86_reg_get(c, d, X86_RAX, d->size), b = x86_reg_get(c, d, r, d->size);
    x86_reg_set(c, d, X86_RAX, d->size, b);
    x86_reg_set(c, d, r, d->size, a);
}

/* 0F B0, B1: CMPXCHG r/m, reg. The destination is written either way
 * (with its own value on a mismatch), as the SDM's operation says. */
void x86_op_cmpxchg(struct x86_cpu *c, struct x86_insn *d)
{
    unsigned size = d->size;
    uint64_t acc = x86_reg_get(c, d, X86_RAX, size), dst = x86_rm_get(c, d, size);
    bool eq = acc == dst;

    if (eq) {
        x86_rm_set(c, d, size, x86_reg_get(c, d, d->reg, size));
    } else {
        if (d->mod != 3)
            x86_write(c, d->seg, d->ea, dst, size);
        x86_reg_set(c, d, X86_RAX, size, dst);
    }
    x86_set_lazy(c, X86_FL_SUB, size, acc - dst, acc, dst);
}

/* 0F C0, C1: XADD r/m, reg */
void x86_op_xadd(struct x86_cpu *c, struct x86_insn *d)
{
    unsigned size = d->size;
    uint64_t dst = x86_rm_get(c, d, size), src = x86_reg_get(c, d, d->reg, size);
    uint64_t sum = dst + src;

    x86_reg_set(c, d, d->reg, size, dst);
    x86_rm_set(c, d, size, sum);
    x86_set_lazy(c, X86_FL_ADD, size, sum, dst, src);
}

/* 0F C7 /1: CMPXCHG8B m64, with REX.W CMPXCHG16B m128 (16-byte aligned
 * or #GP(0)). ZF alone changes. */
void x86_op_grp9(struct x86_cpu *c, struct x86_insn *d)
{
    if ((d->reg & 7) != 1 || d->mod == 3)
        x86_unknown(c, d);
    uint64_t a = c->r[X86_RAX], dx = c->r[X86_RDX], b = c->r[X86_RBX], cx = c->r[X86_RCX];
    bool eq;

    if (d->opsize == 8) {
        uint64_t m[2];
        if (d->ea & 15)
            x86_fault(c, X86_GP, 0);
        x86_read_bytes(c, d->seg, d->ea, m, 16);
        eq = m[0] == a && m[1] == dx;
        if (eq) {
            uint64_t n[2] = { b, cx };
            x86_write_bytes(c, d->seg, d->ea, n, 16);
        } else {
            x86_write_bytes(c, d->seg, d->ea, m, 16);
            c->r[X86_RAX] = m[0];
            c->r[X86_RDX] = m[1];
        }
    } else {
        uint64_t m = x86_read(c, d->seg, d->ea, 8);
        eq = m == (((dx & 0xffffffff) << 32) | (a & 0xffffffff));
        if (eq) {
            x86_write(c, d->seg, d->ea, ((cx & 0xffffffff) << 32) | (b & 0xffffffff), 8);
        } else {
            x86_write(c, d->seg, d->ea, m, 8);
            c->r[X86_RAX] = (uint32_t)m;
            c->r[X86_RDX] = m >> 32;
        }
    }
    x86_flags_commit(c);
    c->rflags = (c->rflags & ~X86_ZF) | (eq ? X86_ZF : 0);
}

/* 98: CBW, CWDE, CDQE */
void x86_op_cbw(struct x86_cpu *c, struct x86_insn *d)
{
    unsigned half = d->opsize / 2;
    x86_reg_set(c, d, X86_RAX, d->opsize, x86_sext(c->r[X86_RAX], half));
}

/* 99: CWD, CDQ, CQO */
void x86_op_cwd(struct x86_cpu *c, struct x86_insn *d)
{
    uint64_t sign = (c->r[X86_RAX] >> (d->opsize * 8 - 1)) & 1;
    x86_reg_set(c, d, X86_RDX, d->opsize, sign ? ~0ull : 0);
}

/* 0F 90-9F: SETcc r/m8 */
void x86_op_setcc(struct x86_cpu *c, struct x86_insn *d)
{
    x86_rm_set(c, d, 1, x86_cond(c, d->op & 15));
}

/* 0F 40-4F: CMOVcc. The source is read whatever the condition, and a
 * 32-bit destination is zero-extended even when nothing moves. */
void x86_op_cmovcc(struct x86_cpu *c, struct x86_insn *d)
{
    uint64_t v = x86_rm_get(c, d, d->opsize);
    if (x86_cond(c, d->op & 15))
        x86_reg_set(c, d, d->reg, d->opsize, v);
    else if (d->opsize == 4)
        c->r[d->reg] = (uint32_t)c->r[d->reg];
}

/* 9F: LAHF: AH = SF:ZF:0:AF:0:PF:1:CF */
void x86_op_lahf(struct x86_cpu *c, struct x86_insn *d)
{
    uint64_t f = x86_get_rflags(c) & 0xff;
    c->r[X86_RAX] = (c->r[X86_RAX] & ~0xff00ull) | ((f & 0xd5) | 2) << 8;
}

/* 9E: SAHF: SF, ZF, AF, PF, CF from AH */
void x86_op_sahf(struct x86_cpu *c, struct x86_insn *d)
{
    uint64_t ah = (c->r[X86_RAX] >> 8) & 0xd5;
    x86_flags_commit(c);
    c->rflags = (c->rflags & ~0xd5ull) | ah;
}

/* F5 CMC, F8 CLC, F9 STC, FC CLD, FD STD */
void x86_op_flagop(struct x86_cpu *c, struct x86_insn *d)
{
    switch (d->op) {
    case 0xfc: c->rflags &= ~X86_DF; return;
    case 0xfd: c->rflags |= X86_DF; return;
    }
    x86_flags_commit(c);
    switch (d->op) {
    case 0xf5: c->rflags ^= X86_CF; break;
    case 0xf8: c->rflags &= ~X86_CF; break;
    default: c->rflags |= X86_CF; break;
    }
}

/* D7: XLAT: AL = [seg:rBX + AL] */
void x86_op_xlat(struct x86_cpu *c, struct x86_insn *d)
{
    uint64_t a = (c->r[X86_RBX] + (c->r[X86_RAX] & 0xff)) & x86_addr_mask(d);
    x86_reg_set(c, d, X86_RAX, 1, x86_read(c, d->seg, a, 1));
}

/* LES (C4), LDS (C5) outside 64-bit mode; LSS, LFS, LGS (0F B2, B4, B5):
 * a far pointer from memory into a segment register and a register. */
void x86_op_load_far(struct x86_cpu *c, struct x86_insn *d)
{
    int s;
    switch (d->op) {
    case 0xc4: s = X86_ES; break;
    case 0xc5: s = X86_DS; break;
    case 0x1b2: s = X86_SS; break;
    case 0x1b4: s = X86_FS; break;
    default: s = X86_GS; break;
    }
    if (d->mod == 3)
        x86_fault_noerr(c, X86_UD);
    uint64_t off = x86_read(c, d->seg, d->ea, d->opsize);
    uint16_t sel = (uint16_t)x86_read(c, d->seg, x86_ea_add(d, d->opsize), 2);
    x86_load_seg(c, s, sel);
    x86_reg_set(c, d, d->reg, d->opsize, off);
}

/* NOP, the multi-byte NOPs (0F 1F), hint NOPs (0F 18-1E), prefetches,
 * FWAIT (there is no x87 to wait for) */
void x86_op_nop(struct x86_cpu *c, struct x86_insn *d)
{
}

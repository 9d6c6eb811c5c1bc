/* Control transfers: Jcc, JMP, CALL, RET (near and far), LOOP, JrCXZ,
 * INT n, INT3, INTO, INT1, IRET (SDM Vol. 2). */
#include "cpu/interp/exec.h"

uint64_t x86_branch_target(struct x86_cpu *c, const struct x86_insn *d, uint64_t target)
{
    if (d->opsize == 2)
        target &= 0xffff;
    else if (d->opsize == 4)
        target = (uint32_t)target;
    if (c->code64) {
        if (!x86_canonical(target))
            x86_fault(c, X86_GP, 0);
    } else if (target > c->seg[X86_CS].limit) {
        x86_fault(c, X86_GP, 0);
    }
    return target;
}

/* 70-7F rel8, 0F 80-8F rel16/32 */
void x86_op_jcc(struct x86_cpu *c, struct x86_insn *d)
{
    if (x86_cond(c, d->op & 15))
        c->rip = x86_branch_target(c, d, c->rip + d->imm);
}

/* E9 rel16/32, EB rel8 */
void x86_op_jmp(struct x86_cpu *c, struct x86_insn *d)
{
    c->rip = x86_branch_target(c, d, c->rip + d->imm);
}

/* E8 rel16/32 */
void x86_op_call(struct x86_cpu *c, struct x86_insn *d)
{
    uint64_t t = x86_branch_target(c, d, c->rip + d->imm);
    x86_push(c, c->rip, d->opsize);
    c->rip = t;
}

/* C3, C2 imm16: the target is checked before RSP moves */
void x86_op_ret(struct x86_cpu *c, struct x86_insn *d)
{
    uint64_t t = x86_branch_target(c, d, x86_stack_peek(c, 0, d->opsize));
    x86_sp_add(c, d->opsize + (d->op == 0xc2 ? d->imm : 0));
    c->rip = t;
}

/* E0 LOOPNE, E1 LOOPE, E2 LOOP, E3 JrCXZ: the count is CX, ECX or RCX
 * by the address size */
void x86_op_loop(struct x86_cpu *c, struct x86_insn *d)
{
    uint64_t m = x86_addr_mask(d), n = c->r[X86_RCX] & m;
    bool taken;

    if (d->op == 0xe3) {
        taken = n == 0;
    } else {
        n = (n - 1) & m;
        taken = n != 0;
        if (d->op == 0xe1)
            taken = taken && x86_cond(c, 4);
        else if (d->op == 0xe0)
            taken = taken && x86_cond(c, 5);
    }
    uint64_t t = taken ? x86_branch_target(c, d, c->rip + d->imm) : c->rip;
    if (d->op != 0xe3)
        x86_reg_set(c, d, X86_RCX, d->addrsize, n);
    c->rip = t;
}

/* EA ptr16:16/32 (outside 64-bit mode) */
void x86_op_jmp_far(struct x86_cpu *c, struct x86_insn *d)
{
    x86_far_jmp(c, (uint16_t)d->imm2, d->imm);
}

/* 9A ptr16:16/32 (outside 64-bit mode) */
void x86_op_call_far(struct x86_cpu *c, struct x86_insn *d)
{
    x86_far_call(c, (uint16_t)d->imm2, d->imm, d->opsize);
}

/* CB, CA imm16 */
void x86_op_retf(struct x86_cpu *c, struct x86_insn *d)
{
    x86_far_ret(c, d->opsize, d->op == 0xca ? (uint16_t)d->imm : 0);
}

/* INT n, INT3, INTO: RIP is already past the instruction; no single-step
 * trap follows (the handler starts with TF clear) */
static void int_sw(struct x86_cpu *c, struct x86_insn *d, int vector)
{
    d->notrap = true;
    x86_deliver(c, vector, X86_EV_SOFTWARE, false, 0);
}

/* CC: INT3, or a stop for the debugger that planted it */
void x86_op_int3(struct x86_cpu *c, struct x86_insn *d)
{
    if (c->sw_bp_exit) {
        c->rip = c->insn_rip;
        c->debug_vector = 3;
        c->debug_pc = c->seg[X86_CS].base + c->insn_rip;
        d->notrap = true;
        x86_request_stop(c);
        return;
    }
    int_sw(c, d, X86_BP);
}

/* CD ib */
void x86_op_int(struct x86_cpu *c, struct x86_insn *d)
{
    int_sw(c, d, (int)(d->imm & 0xff));
}

/* CE: INTO, outside 64-bit mode */
void x86_op_into(struct x86_cpu *c, struct x86_insn *d)
{
    if (x86_cond(c, 0))
        int_sw(c, d, X86_OF_VEC);
}

/* F1: INT1 (ICEBP): a #DB delivered as a trap, without the gate's DPL
 * check of INT n */
void x86_op_int1(struct x86_cpu *c, struct x86_insn *d)
{
    d->notrap = true;
    x86_deliver(c, X86_DB, X86_EV_EXCEPTION, false, 0);
}

/* CF: IRET, IRETD, IRETQ (REX.W) */
void x86_op_iret(struct x86_cpu *c, struct x86_insn *d)
{
    x86_iret(c, d->opsize);
}

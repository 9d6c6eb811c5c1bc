/*
 * What the exec_*.c files share: operand access for decoded
 * instructions, the stack, branch targets, and the handlers the opcode
 * table (exec_table.c) points at.
 */
#ifndef HOST_CPU_INTERP_EXEC_H
#define HOST_CPU_INTERP_EXEC_H

#include "cpu/interp/decode.h"
#include "cpu/interp/flags.h"

#define X86_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define X86_LIKELY(x)   __builtin_expect(!!(x), 1)

static inline uint64_t x86_sext(uint64_t v, unsigned size)
{
    unsigned sh = 64 - size * 8;
    return (uint64_t)((int64_t)(v << sh) >> sh);
}

/* General registers by size. A byte register 4-7 without REX is AH, CH,
 * DH, BH; with any REX it is SPL, BPL, SIL, DIL (SDM Vol. 1, 3.4.1.1). A
 * 32-bit write zero-extends to 64 bits, 8- and 16-bit writes merge. */
static inline uint64_t x86_reg_get(const struct x86_cpu *c, const struct x86_insn *d,
                                   unsigned r, unsigned size)
{
    switch (size) {
    case 1:
        if (r - 4 < 4 && !d->rex)
            return (c->r[r - 4] >> 8) & 0xff;
        return c->r[r] & 0xff;
    case 2:
        return c->r[r] & 0xffff;
    case 4:
        return (uint32_t)c->r[r];
    default:
        return c->r[r];
    }
}

static inline void x86_reg_set(struct x86_cpu *c, const struct x86_insn *d,
                               unsigned r, unsigned size, uint64_t v)
{
    switch (size) {
    case 1:
        if (r - 4 < 4 && !d->rex)
            c->r[r - 4] = (c->r[r - 4] & ~0xff00ull) | ((v & 0xff) << 8);
        else
            c->r[r] = (c->r[r] & ~0xffull) | (v & 0xff);
        break;
    case 2:
        c->r[r] = (c->r[r] & ~0xffffull) | (v & 0xffff);
        break;
    case 4:
        c->r[r] = (uint32_t)v;
        break;
    default:
        c->r[r] = v;
    }
}

/* The ModR/M r/m operand, register or memory. */
static inline uint64_t x86_rm_get(struct x86_cpu *c, const struct x86_insn *d, unsigned size)
{
    if (d->mod == 3)
        return x86_reg_get(c, d, d->rm, size);
    return x86_read(c, d->seg, d->ea, size);
}

static inline void x86_rm_set(struct x86_cpu *c, const struct x86_insn *d, unsigned size,
                              uint64_t v)
{
    if (d->mod == 3)
        x86_reg_set(c, d, d->rm, size, v);
    else
        x86_write(c, d->seg, d->ea, v, size);
}

/* The memory operand at a displacement from the effective address,
 * wrapped to the address size (far pointers, LGDT, CMPXCHG16B). */
static inline uint64_t x86_ea_add(const struct x86_insn *d, uint64_t disp)
{
    uint64_t a = d->ea + disp;
    return d->addrsize == 8 ? a : d->addrsize == 4 ? (uint32_t)a : (uint16_t)a;
}

/* The address size of a register operand (RSI, RDI, RCX of string ops
 * and LOOP) as a mask. */
static inline uint64_t x86_addr_mask(const struct x86_insn *d)
{
    return x86_size_mask(d->addrsize);
}

/* The address size of the stack: 64-bit code uses RSP, otherwise SS.B
 * picks ESP or SP (SDM Vol. 1, 6.2.3). */
static inline uint64_t x86_sp_mask(const struct x86_cpu *c)
{
    if (c->code64)
        return ~0ull;
    return (c->seg[X86_SS].attr & X86_ATTR_DB) ? 0xffffffffull : 0xffffull;
}

/* RSP moved by delta, in the stack's address size. */
static inline void x86_sp_add(struct x86_cpu *c, uint64_t delta)
{
    uint64_t m = x86_sp_mask(c);
    c->r[X86_RSP] = (c->r[X86_RSP] & ~m) | ((c->r[X86_RSP] + delta) & m);
}

/* A stack read at RSP + off that does not move RSP (RET checks its
 * target before it pops). */
static inline uint64_t x86_stack_peek(struct x86_cpu *c, uint64_t off, unsigned size)
{
    return x86_read(c, X86_SS, (c->r[X86_RSP] + off) & x86_sp_mask(c), size);
}

/* The linear address of seg:off: in 64-bit mode only FS and GS have a
 * base; elsewhere the sum wraps at 4 GiB. */
static inline uint64_t x86_linear(const struct x86_cpu *c, unsigned seg, uint64_t off)
{
    if (c->code64)
        return seg >= X86_FS ? c->seg[seg].base + off : off;
    return (uint32_t)(c->seg[seg].base + off);
}

static inline bool x86_canonical(uint64_t a)
{
    return (uint64_t)((int64_t)(a << 16) >> 16) == a;
}

/* A near branch's target (the next RIP plus a displacement, or an
 * absolute one) truncated to the operand size; #GP(0) if it is outside
 * CS: beyond the limit, or non-canonical in 64-bit mode. */
uint64_t x86_branch_target(struct x86_cpu *c, const struct x86_insn *d, uint64_t target);

/* exec_fast.c: a handler specialized for the decoded form (which it may
 * annotate: dst, src, imm2), or NULL to keep the generic one. */
x86_exec_fn *x86_fast_fn(const struct x86_cpu *c, struct x86_insn *d);

/* The handlers the opcode table points at, by file. */
/* exec_alu.c */
x86_exec_fn x86_op_alu, x86_op_grp1, x86_op_test, x86_op_test_imm, x86_op_grp3,
    x86_op_incdec_r, x86_op_grp4, x86_op_grp5;
/* exec_muldiv.c; x86_muldiv is F6/F7 /4-/7 for group 3 */
x86_exec_fn x86_op_imul2, x86_op_imul3;
void x86_muldiv(struct x86_cpu *c, struct x86_insn *d);
/* exec_shift.c */
x86_exec_fn x86_op_grp2, x86_op_shld, x86_op_shrd;
/* exec_bit.c */
x86_exec_fn x86_op_bt, x86_op_grp8, x86_op_bsf, x86_op_bsr, x86_op_popcnt, x86_op_bswap;
/* exec_move.c */
x86_exec_fn x86_op_mov, x86_op_mov_imm_r, x86_op_mov_imm_rm, x86_op_mov_moffs,
    x86_op_mov_from_sreg, x86_op_mov_to_sreg, x86_op_movzx, x86_op_movsx, x86_op_movsxd,
    x86_op_lea, x86_op_xchg, x86_op_xchg_ax, x86_op_cmpxchg, x86_op_xadd, x86_op_grp9,
    x86_op_cbw, x86_op_cwd, x86_op_setcc, x86_op_cmovcc, x86_op_lahf, x86_op_sahf,
    x86_op_flagop, x86_op_xlat, x86_op_nop, x86_op_load_far;
/* exec_stack.c */
x86_exec_fn x86_op_push_r, x86_op_pop_r, x86_op_push_imm, x86_op_pop_rm, x86_op_push_sreg,
    x86_op_pop_sreg, x86_op_pushf, x86_op_popf, x86_op_enter, x86_op_leave, x86_op_pusha,
    x86_op_popa;
/* exec_branch.c */
x86_exec_fn x86_op_jcc, x86_op_jmp, x86_op_call, x86_op_ret, x86_op_loop, x86_op_jmp_far,
    x86_op_call_far, x86_op_retf, x86_op_int3, x86_op_int, x86_op_into, x86_op_iret,
    x86_op_int1;
/* exec_string.c */
x86_exec_fn x86_op_movs, x86_op_cmps, x86_op_stos, x86_op_lods, x86_op_scas, x86_op_ins,
    x86_op_outs;
/* exec_io.c */
x86_exec_fn x86_op_in, x86_op_out;
/* exec_system.c */
x86_exec_fn x86_op_hlt, x86_op_cli, x86_op_sti, x86_op_cpuid, x86_op_rdtsc, x86_op_rdmsr,
    x86_op_wrmsr, x86_op_rdpmc, x86_op_mov_cr, x86_op_mov_dr, x86_op_grp6, x86_op_grp7,
    x86_op_clts, x86_op_invd, x86_op_syscall, x86_op_sysret, x86_op_grp15, x86_op_ud,
    x86_op_lar, x86_op_lsl;
/* exec_sse.c (SSE/SSE2), exec_x87.c (D8-DF, FWAIT) */
x86_exec_fn x86_op_sse, x86_op_x87, x86_op_fwait;

#endif

/* The opcode table: for each one-byte and 0F-prefixed opcode, what the
 * decoder must read and the function that executes it (SDM Vol. 2,
 * Appendix A). SYS marks those that can change the mode, the CPL, CS or
 * the translation of the code (far transfers, events, CR/MSR writes,
 * INVLPG...); END those that end a block of the run loop's cache besides:
 * branches, and what can set TF, RF or the interrupt shadow or stop
 * x86_run by itself (HLT, string instructions, whose REP may stop
 * early). A missing entry is an instruction the interpreter does not
 * have; x86_run reports it and raises #UD. */
#include <stddef.h>
#include "cpu/interp/exec.h"

#define M   X86_OP_M
#define B   X86_OP_B
#define D64 X86_OP_D64
#define F64 X86_OP_F64
#define I64 X86_OP_I64
#define O64 X86_OP_O64
#define CR  X86_OP_CR
#define SYS X86_OP_SYS
#define END X86_OP_END

#define IB  .imm = X86_IMM_B
#define IW  .imm = X86_IMM_W
#define IZ  .imm = X86_IMM_Z
#define IV  .imm = X86_IMM_V
#define LK  .lockmask = 0xff

/* The eight ALU rows 00-3F: r/m,reg (lockable but CMP), reg,r/m, acc,imm */
#define ALU(o, lk) \
    [(o) + 0] = { x86_op_alu, M | B, .lockmask = (lk) }, \
    [(o) + 1] = { x86_op_alu, M, .lockmask = (lk) }, \
    [(o) + 2] = { x86_op_alu, M | B }, \
    [(o) + 3] = { x86_op_alu, M }, \
    [(o) + 4] = { x86_op_alu, B, IB }, \
    [(o) + 5] = { x86_op_alu, 0, IZ }

#define T(o) [0x100 + (o)]
#define TR(a, b) [0x100 + (a) ... 0x100 + (b)]

const struct x86_opdesc x86_optab[0x200] = {
    ALU(0x00, 0xff), ALU(0x08, 0xff), ALU(0x10, 0xff), ALU(0x18, 0xff),
    ALU(0x20, 0xff), ALU(0x28, 0xff), ALU(0x30, 0xff), ALU(0x38, 0),
    [0x06] = { x86_op_push_sreg, I64 }, [0x07] = { x86_op_pop_sreg, I64 | END },
    [0x0e] = { x86_op_push_sreg, I64 },
    [0x16] = { x86_op_push_sreg, I64 }, [0x17] = { x86_op_pop_sreg, I64 | END },
    [0x1e] = { x86_op_push_sreg, I64 }, [0x1f] = { x86_op_pop_sreg, I64 | END },
    [0x27] = { NULL, I64 }, [0x2f] = { NULL, I64 }, [0x37] = { NULL, I64 }, [0x3f] = { NULL, I64 },
    [0x40 ... 0x4f] = { x86_op_incdec_r, I64 },
    [0x50 ... 0x57] = { x86_op_push_r, D64 },
    [0x58 ... 0x5f] = { x86_op_pop_r, D64 },
    [0x60] = { x86_op_pusha, I64 }, [0x61] = { x86_op_popa, I64 },
    [0x62] = { NULL, I64 },
    [0x63] = { x86_op_movsxd, M | O64 },
    [0x68] = { x86_op_push_imm, D64, IZ },
    [0x69] = { x86_op_imul3, M, IZ },
    [0x6a] = { x86_op_push_imm, D64, IB },
    [0x6b] = { x86_op_imul3, M, IB },
    [0x6c] = { x86_op_ins, B | END }, [0x6d] = { x86_op_ins, END },
    [0x6e] = { x86_op_outs, B | END }, [0x6f] = { x86_op_outs, END },
    [0x70 ... 0x7f] = { x86_op_jcc, F64 | END, IB },
    [0x80] = { x86_op_grp1, M | B, IB, .lockmask = 0x7f },
    [0x81] = { x86_op_grp1, M, IZ, .lockmask = 0x7f },
    [0x82] = { x86_op_grp1, M | B | I64, IB, .lockmask = 0x7f },
    [0x83] = { x86_op_grp1, M, IB, .lockmask = 0x7f },
    [0x84] = { x86_op_test, M | B }, [0x85] = { x86_op_test, M },
    [0x86] = { x86_op_xchg, M | B, LK }, [0x87] = { x86_op_xchg, M, LK },
    [0x88] = { x86_op_mov, M | B }, [0x89] = { x86_op_mov, M },
    [0x8a] = { x86_op_mov, M | B }, [0x8b] = { x86_op_mov, M },
    [0x8c] = { x86_op_mov_from_sreg, M },
    [0x8d] = { x86_op_lea, M },
    [0x8e] = { x86_op_mov_to_sreg, M | SYS },
    [0x8f] = { x86_op_pop_rm, M | D64 },
    [0x90 ... 0x97] = { x86_op_xchg_ax },
    [0x98] = { x86_op_cbw }, [0x99] = { x86_op_cwd },
    [0x9a] = { x86_op_call_far, I64 | SYS, .imm = X86_IMM_FAR },
    [0x9b] = { x86_op_fwait },
    [0x9c] = { x86_op_pushf, D64 }, [0x9d] = { x86_op_popf, D64 | END },
    [0x9e] = { x86_op_sahf }, [0x9f] = { x86_op_lahf },
    [0xa0] = { x86_op_mov_moffs, B, .imm = X86_IMM_MOFFS },
    [0xa1] = { x86_op_mov_moffs, 0, .imm = X86_IMM_MOFFS },
    [0xa2] = { x86_op_mov_moffs, B, .imm = X86_IMM_MOFFS },
    [0xa3] = { x86_op_mov_moffs, 0, .imm = X86_IMM_MOFFS },
    [0xa4] = { x86_op_movs, B | END }, [0xa5] = { x86_op_movs, END },
    [0xa6] = { x86_op_cmps, B | END }, [0xa7] = { x86_op_cmps, END },
    [0xa8] = { x86_op_test_imm, B, IB }, [0xa9] = { x86_op_test_imm, 0, IZ },
    [0xaa] = { x86_op_stos, B | END }, [0xab] = { x86_op_stos, END },
    [0xac] = { x86_op_lods, B | END }, [0xad] = { x86_op_lods, END },
    [0xae] = { x86_op_scas, B | END }, [0xaf] = { x86_op_scas, END },
    [0xb0 ... 0xb7] = { x86_op_mov_imm_r, B, IB },
    [0xb8 ... 0xbf] = { x86_op_mov_imm_r, 0, IV },
    [0xc0] = { x86_op_grp2, M | B, IB }, [0xc1] = { x86_op_grp2, M, IB },
    [0xc2] = { x86_op_ret, F64 | END, IW }, [0xc3] = { x86_op_ret, F64 | END },
    [0xc4] = { x86_op_load_far, M | I64 }, [0xc5] = { x86_op_load_far, M | I64 },
    [0xc6] = { x86_op_mov_imm_rm, M | B, IB }, [0xc7] = { x86_op_mov_imm_rm, M, IZ },
    [0xc8] = { x86_op_enter, D64, .imm = X86_IMM_ENTER },
    [0xc9] = { x86_op_leave, D64 },
    [0xca] = { x86_op_retf, SYS, IW }, [0xcb] = { x86_op_retf, SYS },
    [0xcc] = { x86_op_int3, SYS }, [0xcd] = { x86_op_int, SYS, IB },
    [0xce] = { x86_op_into, I64 | SYS }, [0xcf] = { x86_op_iret, SYS },
    [0xd0] = { x86_op_grp2, M | B }, [0xd1] = { x86_op_grp2, M },
    [0xd2] = { x86_op_grp2, M | B }, [0xd3] = { x86_op_grp2, M },
    [0xd4] = { NULL, I64 }, [0xd5] = { NULL, I64 }, [0xd6] = { NULL, I64 },
    [0xd7] = { x86_op_xlat },
    [0xd8 ... 0xdf] = { x86_op_x87, M },
    [0xe0 ... 0xe3] = { x86_op_loop, F64 | END, IB },
    [0xe4] = { x86_op_in, B, IB }, [0xe5] = { x86_op_in, 0, IB },
    [0xe6] = { x86_op_out, B, IB }, [0xe7] = { x86_op_out, 0, IB },
    [0xe8] = { x86_op_call, F64 | END, IZ }, [0xe9] = { x86_op_jmp, F64 | END, IZ },
    [0xea] = { x86_op_jmp_far, I64 | SYS, .imm = X86_IMM_FAR },
    [0xeb] = { x86_op_jmp, F64 | END, IB },
    [0xec] = { x86_op_in, B }, [0xed] = { x86_op_in },
    [0xee] = { x86_op_out, B }, [0xef] = { x86_op_out },
    [0xf1] = { x86_op_int1, SYS },
    [0xf4] = { x86_op_hlt, END }, [0xf5] = { x86_op_flagop },
    [0xf6] = { x86_op_grp3, M | B, .imm = X86_IMM_GRP3, .lockmask = 0x0c },
    [0xf7] = { x86_op_grp3, M, .imm = X86_IMM_GRP3, .lockmask = 0x0c },
    [0xf8] = { x86_op_flagop }, [0xf9] = { x86_op_flagop },
    [0xfa] = { x86_op_cli }, [0xfb] = { x86_op_sti, END },
    [0xfc] = { x86_op_flagop }, [0xfd] = { x86_op_flagop },
    [0xfe] = { x86_op_grp4, M | B, .lockmask = 0x03 },
    [0xff] = { x86_op_grp5, M | SYS | END, .lockmask = 0x03 },

    /* 0F xx */
    T(0x00) = { x86_op_grp6, M | SYS }, T(0x01) = { x86_op_grp7, M | SYS },
    T(0x02) = { x86_op_lar, M }, T(0x03) = { x86_op_lsl, M },
    T(0x05) = { x86_op_syscall, SYS }, T(0x06) = { x86_op_clts, SYS },
    T(0x07) = { x86_op_sysret, SYS },
    T(0x08) = { x86_op_invd }, T(0x09) = { x86_op_invd },
    T(0x0b) = { x86_op_ud, END },
    T(0x0d) = { x86_op_nop, M },
    /* SSE/SSE2 (exec_sse.c): the mandatory prefix picks the instruction */
    TR(0x10, 0x17) = { x86_op_sse, M },
    TR(0x28, 0x2f) = { x86_op_sse, M },
    TR(0x50, 0x6f) = { x86_op_sse, M },
    TR(0x70, 0x73) = { x86_op_sse, M, IB },
    TR(0x74, 0x76) = { x86_op_sse, M },
    T(0x77) = { x86_op_sse },                   /* EMMS */
    T(0x7e) = { x86_op_sse, M }, T(0x7f) = { x86_op_sse, M },
    T(0xc2) = { x86_op_sse, M, IB }, T(0xc3) = { x86_op_sse, M },
    TR(0xc4, 0xc6) = { x86_op_sse, M, IB },
    TR(0xd1, 0xfe) = { x86_op_sse, M },
    TR(0x18, 0x1f) = { x86_op_nop, M },
    T(0x20) = { x86_op_mov_cr, M | CR }, T(0x21) = { x86_op_mov_dr, M | CR },
    T(0x22) = { x86_op_mov_cr, M | CR | SYS }, T(0x23) = { x86_op_mov_dr, M | CR },
    T(0x30) = { x86_op_wrmsr, SYS }, T(0x31) = { x86_op_rdtsc }, T(0x32) = { x86_op_rdmsr }, T(0x33) = { x86_op_rdpmc },
    TR(0x40, 0x4f) = { x86_op_cmovcc, M },
    TR(0x80, 0x8f) = { x86_op_jcc, F64 | END, IZ },
    TR(0x90, 0x9f) = { x86_op_setcc, M },
    T(0xa0) = { x86_op_push_sreg, D64 }, T(0xa1) = { x86_op_pop_sreg, D64 | END },
    T(0xa2) = { x86_op_cpuid },
    T(0xa3) = { x86_op_bt, M },
    T(0xa4) = { x86_op_shld, M, IB }, T(0xa5) = { x86_op_shld, M },
    T(0xa8) = { x86_op_push_sreg, D64 }, T(0xa9) = { x86_op_pop_sreg, D64 | END },
    T(0xab) = { x86_op_bt, M, LK },
    T(0xac) = { x86_op_shrd, M, IB }, T(0xad) = { x86_op_shrd, M },
    T(0xae) = { x86_op_grp15, M },
    T(0xaf) = { x86_op_imul2, M },
    T(0xb0) = { x86_op_cmpxchg, M | B, LK }, T(0xb1) = { x86_op_cmpxchg, M, LK },
    T(0xb2) = { x86_op_load_far, M },
    T(0xb3) = { x86_op_bt, M, LK },
    T(0xb4) = { x86_op_load_far, M }, T(0xb5) = { x86_op_load_far, M },
    T(0xb6) = { x86_op_movzx, M }, T(0xb7) = { x86_op_movzx, M },
    T(0xb8) = { x86_op_popcnt, M },
    T(0xb9) = { x86_op_ud, M | END },
    T(0xba) = { x86_op_grp8, M, IB, .lockmask = 0xe0 },
    T(0xbb) = { x86_op_bt, M, LK },
    T(0xbc) = { x86_op_bsf, M }, T(0xbd) = { x86_op_bsr, M },
    T(0xbe) = { x86_op_movsx, M }, T(0xbf) = { x86_op_movsx, M },
    T(0xc0) = { x86_op_xadd, M | B, LK }, T(0xc1) = { x86_op_xadd, M, LK },
    T(0xc7) = { x86_op_grp9, M, .lockmask = 0x02 },
    TR(0xc8, 0xcf) = { x86_op_bswap },
    T(0xff) = { x86_op_ud, M | END },
};

/*
 * Instruction decoding: prefixes, opcode, ModR/M, SIB, displacement and
 * immediates into struct x86_insn (SDM Vol. 2, chapter 2), and the opcode
 * table that says what each opcode has and which function runs it.
 */
#ifndef HOST_CPU_INTERP_DECODE_H
#define HOST_CPU_INTERP_DECODE_H

#include "cpu/interp/x86.h"

#define X86_MAX_INSN 15

struct x86_insn;
typedef void x86_exec_fn(struct x86_cpu *c, struct x86_insn *d);

struct x86_insn {
    /* what the run loop and the handlers read, most used first */
    x86_exec_fn *fn;    /* the handler (x86_unknown's wrapper if none) */
    uint64_t next_rip;  /* RIP after it (wrapped outside 64-bit code) */
    uint64_t ea;        /* the memory operand's offset (mod != 3) */
    uint64_t imm, imm2; /* immediates, sign-extended; imm2: ENTER, far ptr,
                         * and a near branch's target (exec_fast.c) */
    uint64_t disp;      /* displacement; RIP-relative: the whole address */
    uint16_t op;        /* 0x0xx one-byte opcode, 0x1xx 0F xx */
    uint8_t len;        /* bytes so far, then the instruction's length */
    uint8_t opsize;     /* 2, 4 or 8 */
    uint8_t addrsize;   /* 2, 4 or 8 */
    uint8_t size;       /* the operand size: 1 for byte forms, else opsize */
    uint8_t rex;        /* the REX prefix (0x40-0x4f), 0 without */
    uint8_t rep;        /* 0, 0xf2 or 0xf3: the last of them */
    uint8_t mod, reg, rm;   /* ModR/M, reg and rm extended by REX.R, REX.B */
    uint8_t base;       /* the address's base register, 0xff none */
    uint8_t index;      /* its index register, 0xff none */
    uint8_t scale;      /* the index's shift count */
    uint8_t seg_ovr;    /* segment override prefix, X86_SEG_NONE without */
    uint8_t seg;        /* the memory operand's segment */
    uint8_t dst, src;   /* register operands of exec_fast.c's handlers */
    bool p66;           /* operand-size prefix seen (a mandatory prefix too) */
    bool lock;
    bool notrap;        /* no single-step trap after it: it delivered an
                         * event (INT n), or loaded SS (the trap waits for
                         * the next instruction, SDM Vol. 3, 6.8.3) */
    bool partial;       /* a REP string instruction stopped before its end */
    bool end;           /* ends a block (X86_OP_SYS or X86_OP_END) */
    /* the decoder's own */
    uint8_t probe;      /* 1: give up (2) rather than fault */
    unsigned avail;     /* bytes readable at code (<= 15) */
    const uint8_t *code;    /* the instruction's bytes in place, if RAM */
};

/* x86_opdesc.flags */
#define X86_OP_M    0x01    /* has a ModR/M byte */
#define X86_OP_B    0x02    /* byte operands */
#define X86_OP_D64  0x04    /* 64-bit operand size by default in 64-bit mode */
#define X86_OP_F64  0x08    /* 64-bit operand size always in 64-bit mode (Intel) */
#define X86_OP_I64  0x10    /* invalid in 64-bit mode */
#define X86_OP_O64  0x20    /* valid only in 64-bit mode */
#define X86_OP_CR   0x40    /* ModR/M names registers whatever mod says */
#define X86_OP_SYS  0x80    /* may change the mode, CPL, CS or paging: ends a
                             * block (block.h) */
#define X86_OP_END  0x100   /* ends a block (block.h): a branch, or it can set
                             * TF, RF or the interrupt shadow, or stop x86_run
                             * by itself (HLT, REP strings) */

enum x86_imm {
    X86_IMM_NONE,
    X86_IMM_B,          /* imm8 */
    X86_IMM_W,          /* imm16 */
    X86_IMM_Z,          /* imm16 or imm32 (sign-extended for 64-bit) */
    X86_IMM_V,          /* imm16, imm32 or imm64 (MOV r, imm) */
    X86_IMM_MOFFS,      /* an address of address size (MOV moffs) */
    X86_IMM_FAR,        /* ptr16:16 or ptr16:32: offset in imm, selector in imm2 */
    X86_IMM_ENTER,      /* imm16 in imm, imm8 in imm2 */
    X86_IMM_GRP3,       /* F6/F7: TEST has imm8/imm16/32, the others none */
};

struct x86_opdesc {
    x86_exec_fn *fn;    /* NULL: not an instruction we know */
    uint16_t flags;
    uint8_t imm;        /* enum x86_imm */
    uint8_t lockmask;   /* ModR/M reg values (bit n: /n) that allow LOCK */
};

extern const struct x86_opdesc x86_optab[0x200];

/* Decodes the instruction at rip (CS offset), whose bytes start at
 * d->code, d->avail of them readable there, filling in d (fn and
 * next_rip included) and returning its descriptor. As the instruction
 * fetch does, it faults for bytes beyond (read through x86_fetch8 at
 * c->insn_rip onwards), #GP(0) beyond 15 bytes, #UD for LOCK where it is
 * not allowed and for opcodes invalid in the mode; with d->probe set it
 * returns NULL instead of faulting or reading beyond d->avail. */
const struct x86_opdesc *x86_decode(struct x86_cpu *c, struct x86_insn *d, uint64_t rip);

/* The memory operand's offset: base + index * scale + displacement in
 * the address size, from the registers now. */
static inline void x86_compute_ea(const struct x86_cpu *c, struct x86_insn *d)
{
    uint64_t ea = d->disp;
    if (d->base != 0xff)
        ea += c->r[d->base];
    if (d->index != 0xff)
        ea += c->r[d->index] << d->scale;
    if (d->addrsize == 4)
        ea = (uint32_t)ea;
    else if (d->addrsize == 2)
        ea = (uint16_t)ea;
    d->ea = ea;
}

/* The instruction is not one we know: tell the bus, then #UD. */
_Noreturn void x86_unknown(struct x86_cpu *c, struct x86_insn *d);

#endif

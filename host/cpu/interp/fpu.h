/*
 * The x87 FPU and SSE state's shared helpers: the checks an x87 or SSE
 * instruction makes before it runs (SDM Vol. 3, 2.5 Table 2-2 and 13.1),
 * the register stack, and MXCSR.
 */
#ifndef HOST_CPU_INTERP_FPU_H
#define HOST_CPU_INTERP_FPU_H

#include "cpu/interp/exec.h"

/* FSW fields (SDM Vol. 1, 8.1.3) */
#define X86_FSW_IE  0x0001
#define X86_FSW_SF  0x0040
#define X86_FSW_ES  0x0080
#define X86_FSW_C0  0x0100
#define X86_FSW_C1  0x0200
#define X86_FSW_C2  0x0400
#define X86_FSW_C3  0x4000
#define X86_FSW_B   0x8000
#define X86_FSW_TOP(s) (((s) >> 11) & 7)

/* MXCSR (SDM Vol. 1, 10.2.3): flags 5:0, DAZ 6, masks 12:7, RC 14:13, FZ 15 */
#define X86_MXCSR_RESET 0x1f80u

/* FCW as loaded: bit 6 reads as 1, bits 15:13 as 0 (reserved, SDM
 * Vol. 1, 8.1.5) */
static inline uint16_t x86_fcw(uint16_t v)
{
    return (uint16_t)((v & 0x1f7f) | 0x40);
}

/* Power-on state (SDM Vol. 3, 9.1.1 Table 9-1) and FNINIT's (Vol. 1, 8.1.x). */
void x86_fpu_reset(struct x86_fpu *f);
void x86_fpu_init(struct x86_fpu *f);

/* Before an x87 instruction: #NM if CR0.EM or CR0.TS; then, for the
 * waiting forms (wait true), #MF for a pending unmasked exception. */
void x86_fpu_check(struct x86_cpu *c, bool wait);
/* Before an SSE/SSE2 instruction: #UD if CR0.EM or not CR4.OSFXSR, #NM
 * if CR0.TS (SDM Vol. 3, 13.1.4 Table 13-1). */
void x86_sse_check(struct x86_cpu *c);
/* A 16-byte aligned memory operand's check: #GP(0) (SDM Vol. 1, 11.4.1). */
void x86_sse_align(struct x86_cpu *c, const struct x86_insn *d, unsigned align);

/* 0F AE /0-/3 with a memory operand: FXSAVE, FXRSTOR, LDMXCSR, STMXCSR. */
void x86_fxsave_grp(struct x86_cpu *c, struct x86_insn *d);

/* An unmasked SIMD exception whose flags are set: #XM if CR4.OSXMMEXCPT,
 * else #UD (SDM Vol. 1, 11.5.2). */
_Noreturn void x86_simd_fault(struct x86_cpu *c);

#endif

; x87: loads and stores of every format, arithmetic, comparisons,
; constants, the host-run transcendental and rounding instructions, the
; stack faults, FSTENV and FXSAVE of the result. The register stack is
; not part of the compared state: each case starts with FNINIT, stores
; what it computes and FNSTSW to scratch, and ends with FNINIT.
; Control words are random in RC and PC with every exception masked.
%define CASE_FILE "x87.asm"
%include "cases.inc"

%define X 0x400

; FCW: all masked, PC and RC from the random word at scratch 0x100
%macro FCW_RANDOM 0
    mov ax, [SCRATCH_VA + 0x100]
    and ax, 0x0f00
    or ax, 0x3f
    mov [SCRATCH_VA + 0x104], ax
    fldcw [SCRATCH_VA + 0x104]
%endmacro

CASE "fld m64 m32, fadd fsub fsubr fmul fdiv fdivr (m64, m32, st), fstp m64 m80", 0, RUNS, NEED_SSE2
    fninit
    FCW_RANDOM
    fld qword [SCRATCH_VA + 0x00]
    fld dword [SCRATCH_VA + 0x08]
    fadd st0, st1
    fstp tword [SCRATCH_VA + X + 0x00]
    fld qword [SCRATCH_VA + 0x10]
    fsub qword [SCRATCH_VA + 0x18]
    fst qword [SCRATCH_VA + X + 0x10]
    fsubr dword [SCRATCH_VA + 0x20]
    fmul st1, st0
    fdiv qword [SCRATCH_VA + 0x28]
    fdivr st0, st1
    fstp qword [SCRATCH_VA + X + 0x18]
    fst dword [SCRATCH_VA + X + 0x20]
    fld qword [SCRATCH_VA + 0x30]
    faddp st1, st0
    fld qword [SCRATCH_VA + 0x38]
    fsubp st1, st0
    fld qword [SCRATCH_VA + 0x40]
    fsubrp st1, st0
    fld qword [SCRATCH_VA + 0x48]
    fmulp st1, st0
    fld qword [SCRATCH_VA + 0x50]
    fdivp st1, st0
    fld qword [SCRATCH_VA + 0x58]
    fdivrp st1, st0
    fstp tword [SCRATCH_VA + X + 0x30]
    fnstsw [SCRATCH_VA + X + 0x40]
    fninit
ENDCASE

CASE "fild m16 m32 m64, fiadd fimul fisub fidivr, fist fistp m16 m32 m64", 0, RUNS, NEED_SSE2
    fninit
    FCW_RANDOM
    fild word [SCRATCH_VA + 0x00]
    fild dword [SCRATCH_VA + 0x08]
    fild qword [SCRATCH_VA + 0x10]
    fstp tword [SCRATCH_VA + X + 0x00]
    fiadd dword [SCRATCH_VA + 0x18]
    fimul word [SCRATCH_VA + 0x1c]
    fisub word [SCRATCH_VA + 0x1e]
    fidivr dword [SCRATCH_VA + 0x20]
    fist dword [SCRATCH_VA + X + 0x10]
    fist word [SCRATCH_VA + X + 0x14]
    fld qword [SCRATCH_VA + 0x28]
    fistp qword [SCRATCH_VA + X + 0x18]
    fld qword [SCRATCH_VA + 0x30]
    fistp dword [SCRATCH_VA + X + 0x20]
    fld qword [SCRATCH_VA + 0x38]
    fistp word [SCRATCH_VA + X + 0x24]
    fistp qword [SCRATCH_VA + X + 0x28]
    fnstsw [SCRATCH_VA + X + 0x30]
    fninit
ENDCASE

CASE "fld m80 of random bits, fxam, fchs fabs, fld st(i) fxch fst st(i), fstp m80", 0, RUNS, NEED_SSE2
    fninit
    fld tword [SCRATCH_VA + 0x00]
    fxam
    fnstsw [SCRATCH_VA + X + 0x00]
    fld dword [SCRATCH_VA + 0x10]
    fxam
    fnstsw [SCRATCH_VA + X + 0x02]
    fchs
    fld st1
    fabs
    fxch st2
    fst st3
    fstp tword [SCRATCH_VA + X + 0x10]
    fstp tword [SCRATCH_VA + X + 0x20]
    fstp tword [SCRATCH_VA + X + 0x30]
    fstp tword [SCRATCH_VA + X + 0x40]
    fxam                    ; empty: C1 is the stale register's sign
    fnstsw [SCRATCH_VA + X + 0x04]
    and word [SCRATCH_VA + X + 0x04], ~0x0200
    fninit
ENDCASE

CASE "fcom fcomp fcompp fucom fucomp fucompp ftst, fnstsw ax", 0, RUNS, NEED_SSE2
    fninit
    fld qword [SCRATCH_VA + 0x00]
    fld qword [SCRATCH_VA + 0x08]
    fcom st1
    fnstsw [SCRATCH_VA + X + 0x00]
    fcom qword [SCRATCH_VA + 0x00]
    fnstsw [SCRATCH_VA + X + 0x02]
    fucom st1
    fnstsw [SCRATCH_VA + X + 0x04]
    ftst
    fnstsw [SCRATCH_VA + X + 0x06]
    fld st0
    fcomp dword [SCRATCH_VA + 0x10]
    fnstsw [SCRATCH_VA + X + 0x08]
    fld st0
    fucomp st2
    fnstsw [SCRATCH_VA + X + 0x0a]
    fld st1
    fld st1
    fucompp
    fnstsw [SCRATCH_VA + X + 0x0c]
    fcompp
    fnstsw ax
    fninit
ENDCASE

CASE "fcomi fucomi fcomip fucomip: ZF PF CF, fcmovcc", 0, RUNS, NEED_SSE2
    fninit
    fld qword [SCRATCH_VA + 0x00]
    fld qword [SCRATCH_VA + 0x08]
    fcomi st0, st1
    pushfq
    fucomi st0, st1
    pushfq
    fcmovb st0, st1
    fcmovne st0, st1
    fcmovu st0, st1
    fcmovnbe st0, st1
    fld st1
    fucomip st0, st1
    pushfq
    fld dword [SCRATCH_VA + 0x10]
    fcomip st0, st1
    fstp qword [SCRATCH_VA + X + 0x00]
    fstp qword [SCRATCH_VA + X + 0x08]
    fnstsw [SCRATCH_VA + X + 0x10]
    fninit
ENDCASE

CASE "fld1 fldl2t fldl2e fldpi fldlg2 fldln2 fldz under every RC", 0, RUNS, NEED_SSE2
    fninit
    FCW_RANDOM
    fld1
    fldl2t
    fldl2e
    fldpi
    fldlg2
    fldln2
    fldz
%assign i 0
%rep 7
    fstp tword [SCRATCH_VA + X + 16 * i]
%assign i i + 1
%endrep
    fnstsw [SCRATCH_VA + X + 0x80]
    fninit
ENDCASE

CASE "fsqrt frndint fscale fprem fprem1 fsin fcos f2xm1 fyl2x fyl2xp1 fpatan", 0, RUNS, NEED_SSE2
    fninit
    FCW_RANDOM
    fild dword [SCRATCH_VA + 0x00]
    fld qword [SCRATCH_VA + 0x08]
    fsqrt
    fstp tword [SCRATCH_VA + X + 0x00]
    fld qword [SCRATCH_VA + 0x10]
    frndint
    fld st0
    fstp tword [SCRATCH_VA + X + 0x10]
    fscale
    fstp tword [SCRATCH_VA + X + 0x20]
    fld qword [SCRATCH_VA + 0x18]
    fprem
    fnstsw [SCRATCH_VA + X + 0x30]
    fprem1
    fnstsw [SCRATCH_VA + X + 0x32]
    fld st0
    fstp tword [SCRATCH_VA + X + 0x40]
    fsin
    fld st0
    fstp tword [SCRATCH_VA + X + 0x50]
    fcos
    fld st0
    fstp tword [SCRATCH_VA + X + 0x60]
    f2xm1
    fld st0
    fstp tword [SCRATCH_VA + X + 0x70]
    fyl2x
    fld qword [SCRATCH_VA + 0x20]
    fyl2xp1
    fld qword [SCRATCH_VA + 0x28]
    fpatan
    fstp tword [SCRATCH_VA + X + 0x80]
    fnstsw [SCRATCH_VA + X + 0x90]
    fninit
ENDCASE

CASE "stack faults (masked): fstp from empty, nine pushes, fadd with empty", 0, 4, NEED_SSE2
    fninit
    fstp qword [SCRATCH_VA + X + 0x00]
    fnstsw [SCRATCH_VA + X + 0x08]
    fnclex
    fist dword [SCRATCH_VA + X + 0x0c]
    fnclex
%rep 9
    fld1
%endrep
    fnstsw [SCRATCH_VA + X + 0x10]
    fstp tword [SCRATCH_VA + X + 0x20]
    fninit
    fadd st0, st3
    fnstsw [SCRATCH_VA + X + 0x30]
    fstp tword [SCRATCH_VA + X + 0x40]
    fninit
ENDCASE

; FNSTENV's image: the pointers (FIP, FOP and FCS, FDP: dwords 3-5) are
; zeroed before the comparison, hosts differ in when they record them
; (FDP only on exceptions on some, CPUID.07H:EBX[6]).
CASE "fnstenv, fldenv; fnsave, frstor", 0, RUNS, NEED_SSE2
    fninit
    FCW_RANDOM
    fld qword [SCRATCH_VA + 0x00]
    fld qword [SCRATCH_VA + 0x08]
    fdiv st0, st1
    fnstenv [SCRATCH_VA + 0x800]
    mov dword [SCRATCH_VA + 0x800 + 12], 0
    mov qword [SCRATCH_VA + 0x800 + 16], 0
    fldenv [SCRATCH_VA + 0x800]
    fnstcw [SCRATCH_VA + X]
    fnsave [SCRATCH_VA + 0x900]
    mov dword [SCRATCH_VA + 0x900 + 12], 0
    mov qword [SCRATCH_VA + 0x900 + 16], 0
    ; ST(2)-ST(7) are empty: their contents are stale, the host's its own
    cld
    xor eax, eax
    lea rdi, [SCRATCH_VA + 0x900 + 28 + 20]
    mov ecx, 60
    rep stosb
    fnstcw [SCRATCH_VA + X + 2]
    frstor [SCRATCH_VA + 0x900]
    fstp tword [SCRATCH_VA + X + 0x10]
    fnstsw [SCRATCH_VA + X + 0x20]
    fninit
ENDCASE

; FXSAVE after x87 work: FOP, FIP, FDP (bytes 6-23) are zeroed before
; the comparison, as in FNSTENV's case; ST padding and 416-511 are
; reserved (see sse.asm).
CASE "fxsave64 of a partly filled stack: FTW, TOP, ST(i)", 0, RUNS, NEED_SSE2
    fninit
    FCW_RANDOM
    fld qword [SCRATCH_VA + 0x00]
    fild dword [SCRATCH_VA + 0x08]
    fldpi
    fmul st0, st1
    fxsave64 [SCRATCH_VA + 0x800]
    cld
    xor eax, eax
    mov [SCRATCH_VA + 0x800 + 6], ax
    mov [SCRATCH_VA + 0x800 + 8], rax
    mov [SCRATCH_VA + 0x800 + 16], rax
    lea rdi, [SCRATCH_VA + 0x800 + 32 + 48]
    mov ecx, 432            ; ST(3)-ST(7) (empty, stale) and the XMM
                            ; registers (not loaded here) too
    rep stosb
%assign i 0
%rep 8
    mov [SCRATCH_VA + 0x800 + 32 + 16 * i + 10], ax
    mov [SCRATCH_VA + 0x800 + 32 + 16 * i + 12], eax
%assign i i + 1
%endrep
    mov dword [SCRATCH_VA + 0x800 + 24], 0  ; MXCSR: the harness's own
    fninit
ENDCASE

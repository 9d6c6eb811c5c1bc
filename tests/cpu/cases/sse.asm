; SSE/SSE2: moves, packed integer, floating point, MXCSR, FXSAVE/FXRSTOR.
; XMM registers are not part of the compared state: each case loads the
; ones it uses from scratch memory or general registers (random on each
; run, the same on both sides) and stores its results to scratch memory,
; which is compared. MXCSR is loaded first wherever it matters (the
; harness's own is not the interpreter's), and stored to scratch after.
%define CASE_FILE "sse.asm"
%include "cases.inc"

%define X 0x400             ; results go from SCRATCH_VA + X onwards

; xmm0-xmm7 from scratch 0x00-0x7f (xmm0-3 unaligned by 1-3 bytes: MOVDQU)
%macro LOADX 0
    movdqu xmm0, [SCRATCH_VA + 0x01]
    movdqu xmm1, [SCRATCH_VA + 0x12]
    movdqu xmm2, [SCRATCH_VA + 0x23]
    movdqu xmm3, [SCRATCH_VA + 0x30]
    movdqa xmm4, [SCRATCH_VA + 0x40]
    movdqa xmm5, [SCRATCH_VA + 0x50]
    movdqa xmm6, [SCRATCH_VA + 0x60]
    movdqa xmm7, [SCRATCH_VA + 0x70]
%endmacro
; xmm0-xmm7 to scratch X + 0x00-0x7f
%macro STOREX 0
%assign i 0
%rep 8
    movdqu [SCRATCH_VA + X + 16 * i], xmm %+ i
%assign i i + 1
%endrep
%endmacro
; MXCSR: all exceptions masked, RC (and FZ/DAZ with %1 = 0xe040) from
; the random dword at scratch 0x100
%macro MXCSR_RANDOM 1
    mov eax, [SCRATCH_VA + 0x100]
    and eax, %1
    or eax, 0x1f80
    mov [SCRATCH_VA + 0x104], eax
    ldmxcsr [SCRATCH_VA + 0x104]
%endmacro

CASE "movdqa/movdqu/movaps/movups/movapd/movupd, pxor/por/pand/pandn", 0, RUNS, NEED_SSE2
    LOADX
    movaps xmm8, xmm0
    movups xmm9, [SCRATCH_VA + 0x85]
    movapd xmm10, [SCRATCH_VA + 0x90]
    movupd xmm11, [SCRATCH_VA + 0xa7]
    pxor xmm0, xmm4
    por xmm1, [SCRATCH_VA + 0x50]
    pand xmm2, xmm6
    pandn xmm3, xmm7
    pxor xmm7, xmm7
    movdqa xmm4, xmm8
    movdqu xmm5, xmm9
    movaps xmm6, xmm10
    movaps [SCRATCH_VA + X + 0x80], xmm11
    movups [SCRATCH_VA + X + 0x91], xmm8
    movntdq [SCRATCH_VA + X + 0xb0], xmm9
    movnti [SCRATCH_VA + X + 0xc3], rax
    movnti [SCRATCH_VA + X + 0xc9], ecx
    STOREX
ENDCASE

CASE "movd/movq between xmm, registers and memory; movmskps/pd, pmovmskb", 0, RUNS, NEED_SSE2
    LOADX
    movd xmm0, eax
    movq xmm1, rbx
    movd xmm2, [SCRATCH_VA + 0x81]
    movq xmm3, [SCRATCH_VA + 0x8b]
    movq xmm4, xmm5
    movq [SCRATCH_VA + X + 0x80], xmm6
    movd [SCRATCH_VA + X + 0x89], xmm7
    movd ecx, xmm5
    movq rdx, xmm6
    movq xmm5, rsi
    movmskps esi, xmm7
    movmskpd edi, xmm6
    pmovmskb r8d, xmm1
    pmovmskb r9d, xmm6
    STOREX
ENDCASE

CASE "movss/movsd/movlps/movhps/movlpd/movhpd/movhlps/movlhps", 0, RUNS, NEED_SSE2
    LOADX
    movss xmm0, xmm1
    movsd xmm1, xmm2
    movss xmm2, [SCRATCH_VA + 0x84]
    movsd xmm3, [SCRATCH_VA + 0x88]
    movlps xmm4, [SCRATCH_VA + 0x91]
    movhps xmm5, [SCRATCH_VA + 0x99]
    movlpd xmm6, [SCRATCH_VA + 0xa1]
    movhpd xmm7, [SCRATCH_VA + 0xa9]
    movss [SCRATCH_VA + X + 0x80], xmm4
    movsd [SCRATCH_VA + X + 0x85], xmm5
    movlps [SCRATCH_VA + X + 0x8f], xmm6
    movhps [SCRATCH_VA + X + 0x99], xmm7
    movhpd [SCRATCH_VA + X + 0xa3], xmm0
    movlpd [SCRATCH_VA + X + 0xab], xmm1
    STOREX
    movhlps xmm0, xmm5
    movlhps xmm1, xmm6
    movdqu [SCRATCH_VA + X + 0xc0], xmm0
    movdqu [SCRATCH_VA + X + 0xd0], xmm1
ENDCASE

CASE "punpckl/h bw wd dq qdq, packsswb packuswb packssdw", 0, RUNS, NEED_SSE2
    LOADX
    punpcklbw xmm0, xmm1
    punpcklwd xmm1, xmm2
    punpckldq xmm2, [SCRATCH_VA + 0x40]
    punpcklqdq xmm3, xmm4
    punpckhbw xmm4, xmm5
    punpckhwd xmm5, xmm6
    punpckhdq xmm6, xmm7
    punpckhqdq xmm7, xmm0
    STOREX
    LOADX
    packsswb xmm0, xmm1
    packuswb xmm1, xmm2
    packssdw xmm2, xmm3
    packuswb xmm3, [SCRATCH_VA + 0x70]
    STOREX
ENDCASE

CASE "padd/psub b w d q, saturating forms", 0, RUNS, NEED_SSE2
    LOADX
    paddb xmm0, xmm1
    paddw xmm1, xmm2
    paddd xmm2, xmm3
    paddq xmm3, xmm4
    psubb xmm4, xmm5
    psubw xmm5, xmm6
    psubd xmm6, xmm7
    psubq xmm7, xmm0
    STOREX
    LOADX
    paddusb xmm0, xmm1
    paddusw xmm1, xmm2
    paddsb xmm2, xmm3
    paddsw xmm3, xmm4
    psubusb xmm4, xmm5
    psubusw xmm5, xmm6
    psubsb xmm6, xmm7
    psubsw xmm7, [SCRATCH_VA + 0x40]
    STOREX
ENDCASE

CASE "pmullw pmulhw pmulhuw pmuludq pmaddwd psadbw pavgb pavgw", 0, RUNS, NEED_SSE2
    LOADX
    pmullw xmm0, xmm1
    pmulhw xmm1, xmm2
    pmulhuw xmm2, xmm3
    pmuludq xmm3, xmm4
    pmaddwd xmm4, xmm5
    psadbw xmm5, xmm6
    pavgb xmm6, xmm7
    pavgw xmm7, xmm0
    STOREX
ENDCASE

CASE "pminub pmaxub pminsw pmaxsw, pcmpeq b w d, pcmpgt b w d", 0, RUNS, NEED_SSE2
    LOADX
    pminub xmm0, xmm1
    pmaxub xmm1, xmm2
    pminsw xmm2, xmm3
    pmaxsw xmm3, xmm4
    pcmpeqb xmm4, xmm5
    pcmpeqw xmm5, xmm5
    pcmpeqd xmm6, xmm7
    pcmpgtb xmm7, xmm0
    STOREX
    LOADX
    movdqa xmm1, xmm0
    pcmpeqb xmm0, xmm1      ; equal bytes where the inputs agree
    pcmpgtw xmm1, xmm2
    pcmpgtd xmm2, xmm3
    STOREX
ENDCASE

CASE "psll/psrl/psra by imm8 and by xmm, pslldq psrldq", 0, RUNS, NEED_SSE2
    LOADX
    psllw xmm0, 3
    pslld xmm1, 17
    psllq xmm2, 63
    psrlw xmm3, 15
    psrld xmm4, 1
    psrlq xmm5, 64
    psraw xmm6, 20
    psrad xmm7, 31
    STOREX
    LOADX
    pslldq xmm0, 5
    psrldq xmm1, 11
    pslldq xmm2, 16
    and ecx, 0x47           ; counts 0-7 and 64-71
    movd xmm8, ecx
    psllw xmm3, xmm8
    psrld xmm4, xmm8
    psraw xmm5, xmm8
    psrad xmm6, xmm8
    psllq xmm7, xmm8
    STOREX
ENDCASE

CASE "pshufd pshufhw pshuflw shufps shufpd unpcklps unpckhpd, pinsrw pextrw", 0, RUNS, NEED_SSE2
    LOADX
    pshufd xmm0, xmm1, 0x1b
    pshufhw xmm1, xmm2, 0xe4 ^ 0x5a
    pshuflw xmm2, [SCRATCH_VA + 0x60], 0x93
    shufps xmm3, xmm4, 0x4e
    shufpd xmm4, xmm5, 2
    unpcklps xmm5, xmm6
    unpckhps xmm6, xmm7
    unpcklpd xmm7, xmm0
    STOREX
    LOADX
    unpckhpd xmm0, xmm1
    pinsrw xmm1, eax, 5
    pinsrw xmm2, [SCRATCH_VA + 0x81], 7
    pextrw edx, xmm3, 6
    STOREX
ENDCASE

CASE "logic ps/pd: andps andpd andnps andnpd orps orpd xorps xorpd", 0, RUNS, NEED_SSE2
    LOADX
    andps xmm0, xmm1
    andpd xmm1, xmm2
    andnps xmm2, xmm3
    andnpd xmm3, xmm4
    orps xmm4, xmm5
    orpd xmm5, xmm6
    xorps xmm6, xmm7
    xorpd xmm7, [SCRATCH_VA + 0x00]
    STOREX
ENDCASE

CASE "ldmxcsr/stmxcsr", 0, RUNS, NEED_SSE2
    mov eax, [SCRATCH_VA + 0x100]
    and eax, 0xffff
    mov [SCRATCH_VA + 0x104], eax
    ldmxcsr [SCRATCH_VA + 0x104]
    stmxcsr [SCRATCH_VA + X]
ENDCASE

CASE "ldmxcsr with a reserved bit: #GP(0)", 0, 2, NEED_SSE2
    mov dword [SCRATCH_VA + 0x104], 0x11f80
    ldmxcsr [SCRATCH_VA + 0x104]
ENDCASE

CASE "movdqa, movaps, pxor m128 misaligned: #GP(0)", 0, 2, NEED_SSE2
    movdqa xmm0, [SCRATCH_VA + 0x08]
ENDCASE
CASE "movaps m128 store misaligned: #GP(0)", 0, 2, NEED_SSE2
    movaps [SCRATCH_VA + 0x04], xmm0
ENDCASE
CASE "pxor m128 misaligned: #GP(0)", 0, 2, NEED_SSE2
    pxor xmm0, [SCRATCH_VA + 0x01]
ENDCASE

; The arithmetic on random bits: normals of every exponent, denormals,
; infinities, NaNs; the rounding control (and FZ, DAZ) random.
CASE "addsd subsd mulsd divsd sqrtsd minsd maxsd, MXCSR flags", 0, RUNS, NEED_SSE2
    MXCSR_RANDOM 0x6000
    LOADX
    addsd xmm0, xmm1
    subsd xmm1, xmm2
    mulsd xmm2, xmm3
    divsd xmm3, xmm4
    sqrtsd xmm4, xmm5
    minsd xmm5, xmm6
    maxsd xmm6, [SCRATCH_VA + 0x08]
    divsd xmm7, [SCRATCH_VA + 0x88]
    STOREX
    stmxcsr [SCRATCH_VA + X + 0x80]
ENDCASE

CASE "addss subss mulss divss sqrtss minss maxss, FZ and DAZ", 0, RUNS, NEED_SSE2
    MXCSR_RANDOM 0xe040
    LOADX
    addss xmm0, xmm1
    subss xmm1, xmm2
    mulss xmm2, xmm3
    divss xmm3, xmm4
    sqrtss xmm4, xmm5
    minss xmm5, xmm6
    maxss xmm6, [SCRATCH_VA + 0x04]
    mulss xmm7, [SCRATCH_VA + 0x8c]
    STOREX
    stmxcsr [SCRATCH_VA + X + 0x80]
ENDCASE

CASE "packed: addps subpd mulps divpd sqrtps minpd maxps rcpps rsqrtps", 0, RUNS, NEED_SSE2
    MXCSR_RANDOM 0xe040
    LOADX
    addps xmm0, xmm1
    subpd xmm1, xmm2
    mulps xmm2, xmm3
    divpd xmm3, xmm4
    sqrtps xmm4, xmm5
    minpd xmm5, xmm6
    maxps xmm6, [SCRATCH_VA + 0x70]
    addpd xmm7, [SCRATCH_VA + 0x40]
    rcpps xmm8, xmm0
    rsqrtps xmm9, xmm1
    movdqa xmm10, xmm4
    movdqa xmm11, xmm5
    rcpss xmm10, xmm2
    rsqrtss xmm11, xmm3
    STOREX
    stmxcsr [SCRATCH_VA + X + 0x80]
    movdqu [SCRATCH_VA + X + 0x90], xmm8
    movdqu [SCRATCH_VA + X + 0xa0], xmm9
    movdqu [SCRATCH_VA + X + 0xb0], xmm10
    movdqu [SCRATCH_VA + X + 0xc0], xmm11
ENDCASE

CASE "cmpsd cmpss cmppd cmpps, every predicate", 0, RUNS, NEED_SSE2
    MXCSR_RANDOM 0x6000
    LOADX
%assign p 0
%rep 8
    movdqa xmm8, xmm0
    cmpsd xmm8, xmm1, p
    movdqu [SCRATCH_VA + X + 16 * p], xmm8
    movdqa xmm8, xmm2
    cmpss xmm8, xmm3, p
    movdqu [SCRATCH_VA + X + 0x80 + 16 * p], xmm8
    movdqa xmm8, xmm4
    cmppd xmm8, xmm5, p
    movdqu [SCRATCH_VA + X + 0x100 + 16 * p], xmm8
    movdqa xmm8, xmm6
    cmpps xmm8, xmm7, p
    movdqu [SCRATCH_VA + X + 0x180 + 16 * p], xmm8
%assign p p + 1
%endrep
    stmxcsr [SCRATCH_VA + X + 0x200]
ENDCASE

CASE "comisd ucomisd comiss ucomiss: ZF PF CF, OF SF AF cleared", 0, RUNS, NEED_SSE2
    MXCSR_RANDOM 0
    LOADX
    comisd xmm0, xmm1
    pushfq
    ucomisd xmm2, xmm2
    pushfq
    comiss xmm3, [SCRATCH_VA + 0x84]
    pushfq
    movq xmm5, rax
    movq xmm6, rbx          ; edge values: zeros, NaN and infinity patterns
    ucomisd xmm5, xmm6
    pushfq
    ucomiss xmm4, xmm5
    stmxcsr [SCRATCH_VA + X]
ENDCASE

CASE "cvtsi2sd cvtsi2ss (32 and 64), cvtsd2si cvttsd2si cvtss2si cvttss2si", 0, RUNS, NEED_SSE2
    MXCSR_RANDOM 0x6000
    LOADX
    cvtsi2sd xmm0, eax
    cvtsi2sd xmm1, rbx
    cvtsi2ss xmm2, rcx
    cvtsi2ss xmm3, dword [SCRATCH_VA + 0x91]
    cvtsi2sd xmm4, qword [SCRATCH_VA + 0x99]
    cvtsd2si eax, xmm5
    cvttsd2si rbx, xmm6
    cvtss2si rcx, xmm7
    cvttss2si edx, [SCRATCH_VA + 0xa4]
    cvtsd2si rsi, [SCRATCH_VA + 0xa8]
    movq xmm8, rdi          ; edge values
    cvttsd2si edi, xmm8
    STOREX
    stmxcsr [SCRATCH_VA + X + 0x80]
ENDCASE

CASE "cvtss2sd cvtsd2ss cvtps2pd cvtpd2ps cvtdq2ps cvtps2dq cvttps2dq", 0, RUNS, NEED_SSE2
    MXCSR_RANDOM 0xe040
    LOADX
    cvtss2sd xmm0, xmm1
    cvtsd2ss xmm1, xmm2
    cvtps2pd xmm2, xmm3
    cvtpd2ps xmm3, xmm4
    cvtdq2ps xmm4, xmm5
    cvtps2dq xmm5, xmm6
    cvttps2dq xmm6, xmm7
    cvtps2pd xmm7, [SCRATCH_VA + 0x88]
    STOREX
    stmxcsr [SCRATCH_VA + X + 0x80]
ENDCASE

CASE "cvtdq2pd cvtpd2dq cvttpd2dq", 0, RUNS, NEED_SSE2
    MXCSR_RANDOM 0x6000
    LOADX
    cvtdq2pd xmm0, xmm1
    cvtpd2dq xmm1, xmm2
    cvttpd2dq xmm2, xmm3
    cvtdq2pd xmm3, [SCRATCH_VA + 0x8c]
    STOREX
    stmxcsr [SCRATCH_VA + X + 0x80]
ENDCASE

CASE "divsd by zero with ZE unmasked: #XM, destination unchanged", 0, 4, NEED_SSE2
    mov dword [SCRATCH_VA + 0x104], 0x1d80
    ldmxcsr [SCRATCH_VA + 0x104]
    mov eax, 1
    cvtsi2sd xmm0, eax
    xorpd xmm1, xmm1
    movq [SCRATCH_VA + X], xmm0
    divsd xmm0, xmm1
ENDCASE

; FXSAVE after FNINIT: FCW 037FH, FSW, FTW, FOP, FIP, FDP all zero on both
; sides. Masked (zeroed after the save, documented per field):
; - ST0-ST7 (bytes 32-159): FNINIT leaves the registers' contents, and
;   the host's hold the harness's values, the interpreter's its own;
; - bytes 416-511: reserved and "available", not written by FXSAVE.
; MXCSR_MASK (28) is compared: the interpreter reports 0xFFFF, as hosts
; with DAZ do.
%macro FXMASK 1
    cld                     ; DF is random on entry
    lea rdi, [SCRATCH_VA + %1 + 32]
    mov ecx, 128
    xor eax, eax
    rep stosb
    lea rdi, [SCRATCH_VA + %1 + 416]
    mov ecx, 96
    rep stosb
%endmacro

CASE "fninit, fxsave64 and fxsave (32-bit layout)", 0, RUNS, NEED_SSE2
    fninit
    MXCSR_RANDOM 0xe07f
    LOADX
%assign i 8
%rep 8
    movdqu xmm %+ i, [SCRATCH_VA + 0x81 + 3 * i]
%assign i i + 1
%endrep
    fxsave64 [SCRATCH_VA + 0x800]
    fxsave [SCRATCH_VA + 0xa00]
    FXMASK 0x800
    FXMASK 0xa00
ENDCASE

CASE "fxrstor64 an image, fxsave64 it back; fnstcw fnstsw", 0, RUNS, NEED_SSE2
    ; the image: random XMM and ST contents, MXCSR valid, FCW random but
    ; every exception masked, FSW TOP and condition codes, FTW random
    mov eax, [SCRATCH_VA + 0x100]
    and eax, 0xffff
    mov [SCRATCH_VA + 0x800 + 24], eax
    mov ax, [SCRATCH_VA + 0x108]
    or ax, 0x3f             ; bits 6 and 13-15 random: reserved
    mov [SCRATCH_VA + 0x800 + 0], ax
    mov ax, [SCRATCH_VA + 0x10a]
    and ax, 0x4700 | 0x3800
    mov [SCRATCH_VA + 0x800 + 2], ax
    mov qword [SCRATCH_VA + 0x800 + 6], 0       ; FOP, FIP (see FXMASK)
    mov qword [SCRATCH_VA + 0x800 + 14], 0
    mov word [SCRATCH_VA + 0x800 + 22], 0
    fxrstor64 [SCRATCH_VA + 0x800]
    fnstcw [SCRATCH_VA + X]
    fnstsw [SCRATCH_VA + X + 2]
    fnstsw ax
    stmxcsr [SCRATCH_VA + X + 4]
    STOREX
    movdqu [SCRATCH_VA + X + 0x80], xmm15
    fxsave64 [SCRATCH_VA + 0xc00]
    ; ST padding bytes are reserved: zero them before the comparison
%assign i 0
%rep 8
    mov word [SCRATCH_VA + 0xc00 + 32 + 16 * i + 10], 0
    mov dword [SCRATCH_VA + 0xc00 + 32 + 16 * i + 12], 0
%assign i i + 1
%endrep
    xor eax, eax
    cld
    lea rdi, [SCRATCH_VA + 0xc00 + 416]
    mov ecx, 96
    rep stosb
    fninit
ENDCASE

CASE "fxsave64 misaligned: #GP(0)", 0, 2, NEED_SSE2
    fxsave64 [SCRATCH_VA + 0x808]
ENDCASE

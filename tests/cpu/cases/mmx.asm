; MMX and the SSE/SSE2 integer instructions on MMX registers. MM0-MM7 are
; loaded from scratch memory (random, the same on both sides), results
; stored to scratch; every case ends with EMMS.
%define CASE_FILE "mmx.asm"
%include "cases.inc"

%define X 0x400

%macro LOADMM 0
%assign i 0
%rep 8
    movq mm %+ i, [SCRATCH_VA + 8 * i + i]
%assign i i + 1
%endrep
%endmacro
%macro STOREMM 0
%assign i 0
%rep 8
    movq [SCRATCH_VA + X + 8 * i], mm %+ i
%assign i i + 1
%endrep
%endmacro

CASE "movd movq, punpck, pack, pshufw, pinsrw pextrw pmovmskb", 0, RUNS, NEED_SSE2
    LOADMM
    movd mm0, eax
    movq mm1, rbx
    movd ecx, mm2
    movq rdx, mm3
    punpcklbw mm2, mm3
    punpckhwd mm3, mm4
    punpckhdq mm4, [SCRATCH_VA + 0x80]
    packsswb mm5, mm6
    packuswb mm6, mm7
    packssdw mm7, mm0
    pshufw mm0, mm1, 0x1b
    pinsrw mm1, esi, 2
    pextrw esi, mm2, 3
    pmovmskb edi, mm3
    STOREMM
    emms
ENDCASE

CASE "padd psub (saturating too), pmul, pmadd, psadbw, pavg, pmin pmax, pcmp", 0, RUNS, NEED_SSE2
    LOADMM
    paddb mm0, mm1
    paddw mm1, mm2
    paddd mm2, mm3
    paddq mm3, mm4
    psubusb mm4, mm5
    paddsw mm5, mm6
    psubsb mm6, mm7
    pmullw mm7, mm0
    STOREMM
    LOADMM
    pmulhw mm0, mm1
    pmuludq mm1, mm2
    pmaddwd mm2, mm3
    psadbw mm3, mm4
    pavgb mm4, mm5
    pminub mm5, mm6
    pmaxsw mm6, mm7
    pcmpgtw mm7, [SCRATCH_VA + 0x80]
    STOREMM
    emms
ENDCASE

CASE "logic and shifts by imm8 and by register, movntq", 0, RUNS, NEED_SSE2
    LOADMM
    pand mm0, mm1
    pandn mm1, mm2
    por mm2, mm3
    pxor mm3, mm4
    psllw mm4, 3
    psrad mm5, 9
    psrlq mm6, 40
    and ecx, 0x47
    movd mm0, ecx
    psraw mm7, mm0
    pslld mm1, mm0
    psrlq mm2, mm0
    movntq [SCRATCH_VA + X + 0x40], mm3
    STOREMM
    emms
ENDCASE

; FXSAVE after MMX: TOP 0, every register tagged valid, MMX writes set
; the exponent to all ones. FOP/FIP/FDP (bytes 6-23), MXCSR (24), the XMM
; registers and the reserved bytes are zeroed before the comparison.
CASE "fxsave64 after MMX, then after EMMS", 0, RUNS, NEED_SSE2
    fninit
    fld1
    fld1
    LOADMM
    paddd mm2, mm3
    fxsave64 [SCRATCH_VA + 0x800]
    emms
    fxsave64 [SCRATCH_VA + 0xa00]
    cld
    xor eax, eax
%assign b 0x800
%rep 2
    mov [SCRATCH_VA + b + 6], ax
    mov [SCRATCH_VA + b + 8], rax
    mov [SCRATCH_VA + b + 16], rax
    mov [SCRATCH_VA + b + 24], eax
    lea rdi, [SCRATCH_VA + b + 160]
    mov ecx, 352
    rep stosb
%assign i 0
%rep 8
    mov [SCRATCH_VA + b + 32 + 16 * i + 10], ax
    mov [SCRATCH_VA + b + 32 + 16 * i + 12], eax
%assign i i + 1
%endrep
%assign b 0xa00
%endrep
    fninit
ENDCASE

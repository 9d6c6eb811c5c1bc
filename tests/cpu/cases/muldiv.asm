; MUL, IMUL (one, two and three operands), DIV, IDIV in every size.
;
; Undefined flags (SDM Vol. 2): MUL and IMUL define CF and OF only (SF,
; ZF, AF and PF undefined); DIV and IDIV leave all six undefined.
;
; Divisors are never zero (a zero is replaced by 1 first). Quotients that
; do not fit are allowed: the host raises #DE and so must the interpreter
; (the "random high half" cases mostly overflow; the others pick the
; dividend's high half so that they rarely do).
%include "cases.inc"

%define MUL_UNDEF (SF | ZF | AF | PF)

%macro MULS 1               ; mul or imul, one operand
CASE {%str(%1), " r8"}, MUL_UNDEF
    %1 bl
ENDCASE
CASE {%str(%1), " r8h"}, MUL_UNDEF
    %1 ch
ENDCASE
CASE {%str(%1), " al (square)"}, MUL_UNDEF
    %1 al
ENDCASE
CASE {%str(%1), " m8"}, MUL_UNDEF
    %1 byte [SCRATCH_VA + 0x10]
ENDCASE
CASE {%str(%1), " r16"}, MUL_UNDEF
    %1 si
ENDCASE
CASE {%str(%1), " m16"}, MUL_UNDEF
    %1 word [RSCR(0x12)]
ENDCASE
CASE {%str(%1), " r32"}, MUL_UNDEF
    %1 r9d
ENDCASE
CASE {%str(%1), " edx (the high half's register)"}, MUL_UNDEF
    %1 edx
ENDCASE
CASE {%str(%1), " m32"}, MUL_UNDEF
    %1 dword [SCRATCH_VA + 0x14]
ENDCASE
CASE {%str(%1), " r64"}, MUL_UNDEF
    %1 rdi
ENDCASE
CASE {%str(%1), " rax (square)"}, MUL_UNDEF
    %1 rax
ENDCASE
CASE {%str(%1), " m64"}, MUL_UNDEF
    SCRPTR rbx, 0x18
    %1 qword [rbx]
ENDCASE
%endmacro

MULS mul
MULS imul

CASE "imul r16, r16", MUL_UNDEF
    imul cx, bx
ENDCASE
CASE "imul r16, m16", MUL_UNDEF
    imul r8w, [SCRATCH_VA + 0x20]
ENDCASE
CASE "imul r32, r32", MUL_UNDEF
    imul esi, edi
ENDCASE
CASE "imul r32, m32", MUL_UNDEF
    imul eax, [RSCR(0x24)]
ENDCASE
CASE "imul r64, r64", MUL_UNDEF
    imul r12, r13
ENDCASE
CASE "imul r64, same", MUL_UNDEF
    imul rbx, rbx
ENDCASE
CASE "imul r64, m64", MUL_UNDEF
    imul rbp, [SCRATCH_VA + 0x28]
ENDCASE
CASE "imul r16, r16, imm8", MUL_UNDEF
    imul dx, ax, strict byte -0x80
ENDCASE
CASE "imul r16, m16, imm16", MUL_UNDEF
    imul r10w, [SCRATCH_VA + 0x30], strict word 0x7fff
ENDCASE
CASE "imul r32, r32, imm8", MUL_UNDEF
    imul ecx, r14d, strict byte 0x7f
ENDCASE
CASE "imul r32, r32, imm32", MUL_UNDEF
    imul r11d, ebx, strict dword 0x80000001
ENDCASE
CASE "imul r32, m32, imm32", MUL_UNDEF
    imul edi, [RSCR(0x34)], strict dword -3
ENDCASE
CASE "imul r64, r64, imm8", MUL_UNDEF
    imul rax, rdx, strict byte -1
ENDCASE
CASE "imul r64, r64, imm32", MUL_UNDEF
    imul r15, rsi, strict dword -0x80000000
ENDCASE
CASE "imul r64, m64, imm32", MUL_UNDEF
    imul r9, [SCRATCH_VA + 0x38], strict dword 0x7fffffff
ENDCASE

; DIV/IDIV. NONZERO r: a zero divisor becomes 1. FIT hi, lo, d: makes the
; unsigned dividend's high half hi < d, so DIV's quotient fits (the largest
; such high half, d - 1, is an edge of its own).
%macro NONZERO 1
    test %1, %1
    jnz %%ok
    mov %1, 1
%%ok:
%endmacro
%macro FIT 2
    cmp %1, %2
    jb %%ok
    mov %1, %2
    sub %1, 1
%%ok:
%endmacro

CASE "div r8 (fits)", ALLF
    NONZERO bl
    FIT ah, bl
    div bl
ENDCASE
CASE "div r8h (random high half)", ALLF
    NONZERO ch
    div ch
ENDCASE
CASE "div m8 (fits)", ALLF
    mov dl, [SCRATCH_VA + 0x40]
    NONZERO dl
    mov [SCRATCH_VA + 0x40], dl
    FIT ah, dl
    div byte [SCRATCH_VA + 0x40]
ENDCASE
CASE "div r16 (fits)", ALLF
    NONZERO cx
    FIT dx, cx
    div cx
ENDCASE
CASE "div r16 (random high half)", ALLF
    NONZERO r8w
    div r8w
ENDCASE
CASE "div r32 (fits)", ALLF
    NONZERO esi
    FIT edx, esi
    div esi
ENDCASE
CASE "div r32 (random high half)", ALLF
    NONZERO r11d
    div r11d
ENDCASE
CASE "div m32 (fits)", ALLF
    mov ecx, [RSCR(0x44)]
    NONZERO ecx
    mov [RSCR(0x44)], ecx
    FIT edx, ecx
    div dword [RSCR(0x44)]
ENDCASE
CASE "div r64 (fits)", ALLF
    NONZERO rdi
    FIT rdx, rdi
    div rdi
ENDCASE
CASE "div r64 (random high half)", ALLF
    NONZERO r15
    div r15
ENDCASE
CASE "div r64 (high half zero)", ALLF
    NONZERO rbx
    xor edx, edx
    div rbx
ENDCASE
CASE "div m64 (fits)", ALLF
    mov rcx, [SCRATCH_VA + 0x48]
    NONZERO rcx
    mov [SCRATCH_VA + 0x48], rcx
    FIT rdx, rcx
    div qword [SCRATCH_VA + 0x48]
ENDCASE

; IDIV: the dividend sign-extended from its low half never overflows but
; for the most negative value divided by -1, which the host faults on
CASE "idiv r8 (cbw)", ALLF
    NONZERO dl
    cbw
    idiv dl
ENDCASE
CASE "idiv r8 (random high half)", ALLF
    NONZERO bh
    idiv bh
ENDCASE
CASE "idiv m8 (cbw)", ALLF
    mov dl, [SCRATCH_VA + 0x50]
    NONZERO dl
    mov [SCRATCH_VA + 0x50], dl
    cbw
    idiv byte [SCRATCH_VA + 0x50]
ENDCASE
CASE "idiv r16 (cwd)", ALLF
    NONZERO bx
    cwd
    idiv bx
ENDCASE
CASE "idiv r16 (random high half)", ALLF
    NONZERO r9w
    idiv r9w
ENDCASE
CASE "idiv r32 (cdq)", ALLF
    NONZERO ebp
    cdq
    idiv ebp
ENDCASE
CASE "idiv r32 (random high half)", ALLF
    NONZERO ecx
    idiv ecx
ENDCASE
CASE "idiv m32 (cdq)", ALLF
    mov ecx, [RSCR(0x54)]
    NONZERO ecx
    mov [RSCR(0x54)], ecx
    cdq
    idiv dword [RSCR(0x54)]
ENDCASE
CASE "idiv r64 (cqo)", ALLF
    NONZERO r12
    cqo
    idiv r12
ENDCASE
CASE "idiv r64 (random high half)", ALLF
    NONZERO rsi
    idiv rsi
ENDCASE
CASE "idiv m64 (cqo)", ALLF
    mov rcx, [SCRATCH_VA + 0x58]
    NONZERO rcx
    mov [SCRATCH_VA + 0x58], rcx
    cqo
    idiv qword [SCRATCH_VA + 0x58]
ENDCASE

; the quotients at the edges of the signed range
CASE "idiv r8 -128 / -1 (#DE)", ALLF, 2
    mov ax, -128
    mov cl, -1
    idiv cl
ENDCASE
CASE "idiv r8 -128 / 1", ALLF, 2
    mov ax, -128
    mov cl, 1
    idiv cl
ENDCASE
CASE "idiv r8 -256 / 2 = -128", ALLF, 2
    mov ax, -256
    mov cl, 2
    idiv cl
ENDCASE
CASE "idiv r8 256 / 2 (#DE: 128)", ALLF, 2
    mov ax, 256
    mov cl, 2
    idiv cl
ENDCASE
CASE "idiv r16 -32768 / -1 (#DE)", ALLF, 2
    mov ax, -32768
    cwd
    mov cx, -1
    idiv cx
ENDCASE
CASE "idiv r32 INT_MIN / -1 (#DE)", ALLF, 2
    mov eax, 0x80000000
    cdq
    mov ecx, -1
    idiv ecx
ENDCASE
CASE "idiv r32 INT_MIN / 1", ALLF, 2
    mov eax, 0x80000000
    cdq
    mov ecx, 1
    idiv ecx
ENDCASE
CASE "idiv r64 INT64_MIN / -1 (#DE)", ALLF, 2
    mov rax, 0x8000000000000000
    cqo
    mov rcx, -1
    idiv rcx
ENDCASE
CASE "idiv r64 INT64_MIN / 2", ALLF, 2
    mov rax, 0x8000000000000000
    cqo
    mov rcx, 2
    idiv rcx
ENDCASE
CASE "idiv r64 remainder sign follows the dividend", ALLF, 2
    mov rax, -7
    cqo
    mov rcx, 2
    idiv rcx
ENDCASE
CASE "div r64 max / 1", ALLF, 2
    mov rax, -1
    xor edx, edx
    mov rcx, 1
    div rcx
ENDCASE
CASE "div r64 (2^64 - 1) * 2^64 + max / max", ALLF, 2
    mov rax, -1
    mov rdx, -2
    mov rcx, -1
    div rcx
ENDCASE
CASE "div r64 quotient 2^64 (#DE)", ALLF, 2
    xor eax, eax
    mov edx, 1
    mov ecx, 1
    div rcx
ENDCASE

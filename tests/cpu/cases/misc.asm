; Instructions compilers and kernels emit that change little: NOPs of
; every length and the hint NOPs (0F 18-1F), PAUSE, fences, CLFLUSH,
; prefetches, XLAT, and the flag instructions. Flags: all compared.
%include "cases.inc"

CASE "nop forms 1 to 11 bytes", 0, 4
    db 0x90
    db 0x66, 0x90
    db 0x0f, 0x1f, 0x00
    db 0x0f, 0x1f, 0x40, 0x00
    db 0x0f, 0x1f, 0x44, 0x00, 0x00
    db 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00
    db 0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00
    db 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00
    db 0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00
    db 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00
    db 0x66, 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00
ENDCASE
CASE "hint nops 0F 19-1E with register and memory operands", 0, 4
    db 0x0f, 0x19, 0xc0
    db 0x0f, 0x1a, 0x04, 0x25       ; (bndldx without MPX: a NOP)
    dd SCRATCH_VA
    db 0x0f, 0x1c, 0xc1
    db 0x0f, 0x1d, 0x00             ; [rax]: nothing is accessed
    db 0x0f, 0x1e, 0xd0
ENDCASE
CASE "prefetch hints do not fault, even on an unmapped address", 0, 4
    prefetcht0 [SCRATCH_VA + 0x40]
    prefetchnta [GUARD_VA + 0x40]
    prefetcht1 [rax]
    db 0x0f, 0x0d, 0x08             ; prefetchw [rax]
ENDCASE
CASE "pause", 0, 2
    pause
ENDCASE
CASE "endbr64 (a NOP without CET)", 0, 2
    endbr64
ENDCASE
CASE "lfence / sfence / mfence", 0, 2, NEED_SSE2
    lfence
    sfence
    mfence
ENDCASE
CASE "clflush m8", 0, 2, NEED_CLFSH
    clflush [SCRATCH_VA + 0x80]
ENDCASE
CASE "xlatb", 0
    SCRPTR rbx, 0x100
    xlatb
ENDCASE
CASE "xlatb with 67 (EBX)", 0
    mov rbx, 0x7777000000000000 | (SCRATCH_VA + 0x200)
    a32 xlatb
ENDCASE
CASE "cmc clc stc cld std", 0
    cmc
    pushfq
    stc
    cmc
    pushfq
    std
    clc
    pushfq
    cld
    pop rax
    pop rbx
    pop rcx
ENDCASE
CASE "salc (invalid in 64-bit mode: #UD)", 0, 2
    db 0xd6
ENDCASE
CASE "int1 / icebp (#DB, a trap)", 0, 2
    db 0xf1
    mov eax, 1
ENDCASE

; ADD OR ADC SBB AND SUB XOR CMP, INC DEC NEG NOT, TEST: every operand
; size and form, high byte registers, memory operands, immediates of
; every width. One flag-setting instruction a case, so its flags are the
; ones compared.
;
; Undefined flags: AND, OR, XOR and TEST leave AF undefined (SDM Vol. 2,
; AND/OR/XOR/TEST: "The state of the AF flag is undefined"); the others
; define all six.
%include "cases.inc"

%macro ALU 3            ; mnemonic, undefined flags, opcode of "r/m8, r8"
CASE {%str(%1), " r8, r8"}, %2
    %1 al, dl
ENDCASE
CASE {%str(%1), " r8h, r8h"}, %2
    %1 ah, bh
ENDCASE
CASE {%str(%1), " r8h, r8"}, %2
    %1 ch, al
ENDCASE
CASE {%str(%1), " r8, r8h"}, %2
    %1 bl, dh
ENDCASE
CASE {%str(%1), " r8 rex, r8 rex"}, %2
    %1 sil, r9b
ENDCASE
CASE {%str(%1), " r15b, dil"}, %2
    %1 r15b, dil
ENDCASE
; the "reg, r/m" opcodes with a register operand (nasm picks "r/m, reg")
CASE {%str(%1), " r8, r8 (op+2 encoding)"}, %2
    db %3 + 2, 0xc3             ; al, bl
ENDCASE
CASE {%str(%1), " r16, r16 (op+3 encoding)"}, %2
    db 0x66, %3 + 3, 0xca       ; cx, dx
ENDCASE
CASE {%str(%1), " r32, r32 (op+3 encoding)"}, %2
    db 0x45, %3 + 3, 0xc1       ; r8d, r9d
ENDCASE
CASE {%str(%1), " r64, r64 (op+3 encoding)"}, %2
    db 0x48, %3 + 3, 0xf7       ; rsi, rdi
ENDCASE
CASE {%str(%1), " r8, imm8"}, %2
    %1 bl, 0x9c
ENDCASE
CASE {%str(%1), " r8h, imm8"}, %2
    %1 dh, 0x7f
ENDCASE
CASE {%str(%1), " r12b, imm8"}, %2
    %1 r12b, 0x01
ENDCASE
CASE {%str(%1), " al, imm8"}, %2
    %1 al, 0x80
ENDCASE
CASE {%str(%1), " m8, r8"}, %2
    SCRPTR rbx, 0x100
    %1 [rbx + 3], cl
ENDCASE
CASE {%str(%1), " m8, r8h"}, %2
    SCRPTR rbp, 0x100
    %1 [rbp - 1], ah
ENDCASE
CASE {%str(%1), " r8, m8"}, %2
    SCRPTR rsi, 0x200
    %1 r10b, [rsi]
ENDCASE
CASE {%str(%1), " r8h, m8"}, %2
    SCRPTR rdi, 0x200
    %1 bh, [rdi + 0x7f]
ENDCASE
CASE {%str(%1), " m8, imm8 (rip)"}, %2
    %1 byte [RSCR(0x40)], 0xfe
ENDCASE

CASE {%str(%1), " r16, r16"}, %2
    %1 ax, r11w
ENDCASE
CASE {%str(%1), " r16, imm16"}, %2
    %1 cx, strict word 0x8001
ENDCASE
CASE {%str(%1), " r16, imm8"}, %2
    %1 dx, strict byte -3
ENDCASE
CASE {%str(%1), " ax, imm16"}, %2
    %1 ax, strict word 0x7fff
ENDCASE
CASE {%str(%1), " m16, r16"}, %2
    SCRPTR rdi, 0x300
    %1 [rdi + 2], si
ENDCASE
CASE {%str(%1), " r16, m16"}, %2
    SCRPTR r13, 0x300
    %1 r14w, [r13 + 0x101]
ENDCASE
CASE {%str(%1), " m16, imm16"}, %2
    %1 word [SCRATCH_VA + 0x10], strict word 0xffff
ENDCASE
CASE {%str(%1), " m16, imm8"}, %2
    %1 word [RSCR(0x12)], strict byte -0x80
ENDCASE

CASE {%str(%1), " r32, r32"}, %2
    %1 eax, r12d
ENDCASE
CASE {%str(%1), " r32, same"}, %2
    %1 edx, edx
ENDCASE
CASE {%str(%1), " r32, imm32"}, %2
    %1 ecx, strict dword 0x80000000
ENDCASE
CASE {%str(%1), " r32, imm8"}, %2
    %1 r9d, strict byte -1
ENDCASE
CASE {%str(%1), " eax, imm32"}, %2
    %1 eax, strict dword 0x7fffffff
ENDCASE
CASE {%str(%1), " m32, r32"}, %2
    SCRPTR r8, 0x400
    %1 [r8 + 4], ebx
ENDCASE
CASE {%str(%1), " r32, m32"}, %2
    SCRPTR r12, 0x400
    %1 esi, [r12 + 0x3d]
ENDCASE
CASE {%str(%1), " m32, imm32"}, %2
    %1 dword [SCRATCH_VA + 0x20], strict dword 0x12345678
ENDCASE
CASE {%str(%1), " m32, imm8"}, %2
    %1 dword [RSCR(0x24)], strict byte 0x7f
ENDCASE

CASE {%str(%1), " r64, r64"}, %2
    %1 rax, r15
ENDCASE
CASE {%str(%1), " r64, same"}, %2
    %1 r10, r10
ENDCASE
CASE {%str(%1), " r64, imm32"}, %2
    %1 r8, -0x12345678
ENDCASE
CASE {%str(%1), " r64, imm8"}, %2
    %1 rbx, strict byte -0x80
ENDCASE
CASE {%str(%1), " rax, imm32"}, %2
    %1 rax, 0x7fffffff
ENDCASE
CASE {%str(%1), " m64, r64"}, %2
    SCRPTR rcx, 0x500
    %1 [rcx + 8], rdx
ENDCASE
CASE {%str(%1), " r64, m64"}, %2
    SCRPTR r14, 0x500
    %1 r13, [r14 - 8]
ENDCASE
CASE {%str(%1), " m64, imm32"}, %2
    %1 qword [SCRATCH_VA + 0x30], -0x80000000
ENDCASE
CASE {%str(%1), " m64, imm8 (rip)"}, %2
    %1 qword [RSCR(0x38)], strict byte 1
ENDCASE
CASE {%str(%1), " m64 unaligned across pages, r64"}, %2
    %1 [SCRATCH_VA + 0xffd], rdi
ENDCASE
%endmacro

ALU add, 0, 0x00
ALU or, AF, 0x08
ALU adc, 0, 0x10
ALU sbb, 0, 0x18
ALU and, AF, 0x20
ALU sub, 0, 0x28
ALU xor, AF, 0x30
ALU cmp, 0, 0x38

; LOCK on a memory destination changes nothing architecturally
%macro LOCKED 2
CASE {"lock ", %str(%1), " m32, r32"}, %2
    SCRPTR rbx, 0x600
    lock %1 [rbx], ecx
ENDCASE
CASE {"lock ", %str(%1), " m64, imm8"}, %2
    lock %1 qword [SCRATCH_VA + 0x608], strict byte -2
ENDCASE
CASE {"lock ", %str(%1), " m8, r8h"}, %2
    lock %1 [SCRATCH_VA + 0x611], ch
ENDCASE
%endmacro

LOCKED add, 0
LOCKED or, AF
LOCKED adc, 0
LOCKED sbb, 0
LOCKED and, AF
LOCKED sub, 0
LOCKED xor, AF

%macro UNARY 2          ; INC DEC NEG NOT
CASE {%str(%1), " r8"}, %2
    %1 cl
ENDCASE
CASE {%str(%1), " r8h"}, %2
    %1 ah
ENDCASE
CASE {%str(%1), " r8 rex"}, %2
    %1 bpl
ENDCASE
CASE {%str(%1), " r16"}, %2
    %1 r9w
ENDCASE
CASE {%str(%1), " r32"}, %2
    %1 esi
ENDCASE
CASE {%str(%1), " r64"}, %2
    %1 rdi
ENDCASE
CASE {%str(%1), " m8"}, %2
    %1 byte [SCRATCH_VA + 0x700]
ENDCASE
CASE {%str(%1), " m16"}, %2
    %1 word [RSCR(0x702)]
ENDCASE
CASE {%str(%1), " m32"}, %2
    SCRPTR rbx, 0x700
    %1 dword [rbx + 4]
ENDCASE
CASE {%str(%1), " m64"}, %2
    SCRPTR r11, 0x700
    %1 qword [r11 + 8]
ENDCASE
CASE {"lock ", %str(%1), " m32"}, %2
    lock %1 dword [SCRATCH_VA + 0x710]
ENDCASE
%endmacro

UNARY inc, 0
UNARY dec, 0
UNARY neg, 0
UNARY not, 0

%macro TESTS 0
CASE "test r8, r8", AF
    test al, bl
ENDCASE
CASE "test r8h, r8", AF
    test ch, dl
ENDCASE
CASE "test al, imm8", AF
    test al, 0x81
ENDCASE
CASE "test r8, imm8", AF
    test r14b, 0x40
ENDCASE
CASE "test m8, imm8", AF
    test byte [SCRATCH_VA + 0x800], 0x80
ENDCASE
CASE "test r16, r16", AF
    test cx, r8w
ENDCASE
CASE "test ax, imm16", AF
    test ax, 0x8000
ENDCASE
CASE "test m16, r16", AF
    test [SCRATCH_VA + 0x802], dx
ENDCASE
CASE "test r32, r32", AF
    test esi, edi
ENDCASE
CASE "test eax, imm32", AF
    test eax, 0x80000001
ENDCASE
CASE "test r32, imm32", AF
    test ebp, 0xffff0000
ENDCASE
CASE "test r64, r64", AF
    test r12, r13
ENDCASE
CASE "test rax, imm32", AF
    test rax, -2
ENDCASE
CASE "test m64, imm32", AF
    test qword [RSCR(0x808)], -0x80000000
ENDCASE
CASE "test m64, r64", AF
    test [SCRATCH_VA + 0x810], r15
ENDCASE
%endmacro
TESTS

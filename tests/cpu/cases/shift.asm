; SHL SHR SAR ROL ROR RCL RCR by 1, by an immediate and by CL, in every
; operand size, with counts around every edge (0, 1, the operand width
; and past it, the 5- and 6-bit count masks); SHLD and SHRD likewise.
;
; Undefined flags, computed per count by SHUNDEF below (SDM Vol. 2):
;  - a masked count of 0 changes no flag: all six are compared;
;  - SAL/SAR/SHL/SHR: AF undefined; OF undefined unless the count is 1;
;    CF undefined for SHL and SHR when the count is >= the width;
;  - ROL/ROR/RCL/RCR: OF undefined unless the masked count is 1 (SF, ZF,
;    AF and PF are not affected, so they are compared);
;  - SHLD/SHRD: AF undefined, OF unless the count is 1; a count above the
;    width (16-bit operands) leaves the result undefined too: not run.
%include "cases.inc"

%define SH_SHIFT  0         ; SHL, SHR
%define SH_SAR    1
%define SH_ROT    2         ; ROL, ROR, RCL, RCR
%define SH_DOUBLE 3         ; SHLD, SHRD

; SHUNDEF kind, width, count: sets UF to the undefined flags
%macro SHUNDEF 3
%if %2 == 64
%assign SH_M (%3) & 63
%else
%assign SH_M (%3) & 31
%endif
%assign UF 0
%if SH_M != 0
%if %1 == SH_ROT
%if SH_M != 1
%assign UF OF
%endif
%else
%assign UF AF
%if SH_M != 1
%assign UF UF | OF
%endif
%if %1 == SH_SHIFT && SH_M >= %2
%assign UF UF | CF
%endif
%endif
%endif
%endmacro

%define SHIFT_RUNS 8

; one count of one shift in every form: CL and imm8 on each register
; width, and a memory operand
%macro SHIFT1 3             ; mnemonic, kind, count
%defstr SH_N %3
SHUNDEF %2, 8, %3
CASE {%str(%1), " r8, cl=", SH_N}, UF, SHIFT_RUNS
    mov cl, %3
    %1 dl, cl
ENDCASE
CASE {%str(%1), " r8h, imm=", SH_N}, UF, SHIFT_RUNS
    %1 ah, %3
ENDCASE
CASE {%str(%1), " m8, cl=", SH_N}, UF, SHIFT_RUNS
    mov cl, %3
    %1 byte [SCRATCH_VA + 0x101], cl
ENDCASE
SHUNDEF %2, 16, %3
CASE {%str(%1), " r16, cl=", SH_N}, UF, SHIFT_RUNS
    mov cl, %3
    %1 si, cl
ENDCASE
CASE {%str(%1), " r16, imm=", SH_N}, UF, SHIFT_RUNS
    %1 r10w, %3
ENDCASE
SHUNDEF %2, 32, %3
CASE {%str(%1), " r32, cl=", SH_N}, UF, SHIFT_RUNS
    mov cl, %3
    %1 ebx, cl
ENDCASE
CASE {%str(%1), " r32, imm=", SH_N}, UF, SHIFT_RUNS
    %1 r9d, %3
ENDCASE
CASE {%str(%1), " m32, imm=", SH_N}, UF, SHIFT_RUNS
    %1 dword [RSCR(0x104)], %3
ENDCASE
SHUNDEF %2, 64, %3
CASE {%str(%1), " r64, cl=", SH_N}, UF, SHIFT_RUNS
    mov cl, %3
    %1 rdi, cl
ENDCASE
CASE {%str(%1), " r64, imm=", SH_N}, UF, SHIFT_RUNS
    %1 r15, %3
ENDCASE
CASE {%str(%1), " m64, cl=", SH_N}, UF, SHIFT_RUNS
    mov cl, %3
    %1 qword [SCRATCH_VA + 0x108], cl
ENDCASE
%endmacro

; every count of the list, for one mnemonic
%macro SHIFTS 2-*           ; mnemonic, kind, counts...
%xdefine SH_OP %1
%xdefine SH_KIND %2
%rotate 2
%rep %0 - 2
SHIFT1 SH_OP, SH_KIND, %1
%rotate 1
%endrep
%endmacro

%define COUNTS 0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 255

SHIFTS shl, SH_SHIFT, COUNTS
SHIFTS shr, SH_SHIFT, COUNTS
SHIFTS sar, SH_SAR, COUNTS
SHIFTS rol, SH_ROT, COUNTS
SHIFTS ror, SH_ROT, COUNTS
SHIFTS rcl, SH_ROT, COUNTS
SHIFTS rcr, SH_ROT, COUNTS

; the by-1 opcodes (D0, D1) and their C0/C1 twins with an immediate 1
%macro BY1 2                ; mnemonic, /digit
%assign UF AF
%if %2 <= 3
%assign UF 0                ; rotates: OF defined for a count of 1
%endif
CASE {%str(%1), " r8, 1 (D0)"}, UF
    db 0xd0, 0xc0 | (%2 << 3) | 1               ; cl
ENDCASE
CASE {%str(%1), " r8, 1 (C0 imm 1)"}, UF
    db 0xc0, 0xc0 | (%2 << 3) | 1, 1
ENDCASE
CASE {%str(%1), " r16, 1 (D1)"}, UF
    db 0x66, 0xd1, 0xc0 | (%2 << 3) | 2         ; dx
ENDCASE
CASE {%str(%1), " r32, 1 (D1)"}, UF
    db 0xd1, 0xc0 | (%2 << 3) | 3               ; ebx
ENDCASE
CASE {%str(%1), " r64, 1 (D1)"}, UF
    db 0x49, 0xd1, 0xc0 | (%2 << 3) | 0         ; r8
ENDCASE
CASE {%str(%1), " r64, 1 (C1 imm 1)"}, UF
    db 0x48, 0xc1, 0xc0 | (%2 << 3) | 6, 1      ; rsi
ENDCASE
CASE {%str(%1), " m16, 1 (D1)"}, UF
    db 0x66, 0xd1, 0x04 | (%2 << 3), 0x25       ; [disp32]
    dd SCRATCH_VA + 0x110
ENDCASE
%endmacro

BY1 rol, 0
BY1 ror, 1
BY1 rcl, 2
BY1 rcr, 3
BY1 shl, 4
BY1 shr, 5
BY1 sar, 7

; SHLD/SHRD
%macro DOUBLE1 2            ; mnemonic, count
%defstr SH_N %2
%if (%2 & 31) <= 16
SHUNDEF SH_DOUBLE, 16, %2
CASE {%str(%1), " r16, r16, cl=", SH_N}, UF, SHIFT_RUNS
    mov cl, %2
    %1 ax, dx, cl
ENDCASE
CASE {%str(%1), " m16, r16, imm=", SH_N}, UF, SHIFT_RUNS
    %1 word [SCRATCH_VA + 0x200], r11w, %2
ENDCASE
%endif
SHUNDEF SH_DOUBLE, 32, %2
CASE {%str(%1), " r32, r32, cl=", SH_N}, UF, SHIFT_RUNS
    mov cl, %2
    %1 esi, edi, cl
ENDCASE
CASE {%str(%1), " r32, r32, imm=", SH_N}, UF, SHIFT_RUNS
    %1 r12d, ebp, %2
ENDCASE
CASE {%str(%1), " m32, r32, cl=", SH_N}, UF, SHIFT_RUNS
    mov cl, %2
    %1 dword [RSCR(0x204)], ebx, cl
ENDCASE
SHUNDEF SH_DOUBLE, 64, %2
CASE {%str(%1), " r64, r64, cl=", SH_N}, UF, SHIFT_RUNS
    mov cl, %2
    %1 r8, r9, cl
ENDCASE
CASE {%str(%1), " r64, r64, imm=", SH_N}, UF, SHIFT_RUNS
    %1 rbx, r14, %2
ENDCASE
CASE {%str(%1), " m64, r64, imm=", SH_N}, UF, SHIFT_RUNS
    %1 qword [SCRATCH_VA + 0x208], rax, %2
ENDCASE
%endmacro

%macro DOUBLES 1-*
%xdefine SH_OP %1
%rep %0 - 1
%rotate 1
DOUBLE1 SH_OP, %1
%endrep
%endmacro

DOUBLES shld, COUNTS
DOUBLES shrd, COUNTS

; BT BTS BTR BTC, BSF BSR, TZCNT LZCNT POPCNT, BSWAP, and the BMI1/BMI2/
; ADX/MOVBE instructions (run only where the host has them and the
; interpreter's CPUID claims them).
;
; Undefined flags (SDM Vol. 2, each instruction's "Flags Affected"):
;   BT*: OF SF AF PF (CF is the bit, ZF unchanged)
;   BSF/BSR: CF OF SF AF PF (ZF says whether the source was 0); the
;     destination is undefined for a zero source: the cases overwrite it
;     then (CMOVZ), so that only defined results are compared
;   TZCNT/LZCNT: OF SF AF PF; POPCNT: none
;   ANDN BLSI BLSMSK BLSR BZHI: AF PF; BEXTR: AF SF PF
;   PDEP PEXT RORX SARX SHLX SHRX MULX MOVBE: no flag changes
%include "cases.inc"

%define BT_UNDEF (OF | SF | AF | PF)

%macro BTS_ 1               ; bt, bts, btr, btc
CASE {%str(%1), " r16, r16"}, BT_UNDEF
    %1 ax, cx
ENDCASE
CASE {%str(%1), " r32, r32"}, BT_UNDEF
    %1 ebx, edx
ENDCASE
CASE {%str(%1), " r64, r64"}, BT_UNDEF
    %1 r8, r9
ENDCASE
CASE {%str(%1), " r16, imm8"}, BT_UNDEF
    %1 si, 19               ; taken mod 16
ENDCASE
CASE {%str(%1), " r32, imm8"}, BT_UNDEF
    %1 edi, 31
ENDCASE
CASE {%str(%1), " r64, imm8"}, BT_UNDEF
    %1 r10, 63
ENDCASE
CASE {%str(%1), " r64, imm8 (200: mod 64)"}, BT_UNDEF
    %1 r11, 200
ENDCASE
CASE {%str(%1), " m16, imm8"}, BT_UNDEF
    %1 word [SCRATCH_VA + 0x100], 15
ENDCASE
CASE {%str(%1), " m32, imm8"}, BT_UNDEF
    %1 dword [RSCR(0x104)], 33
ENDCASE
CASE {%str(%1), " m64, imm8"}, BT_UNDEF
    %1 qword [SCRATCH_VA + 0x108], 62
ENDCASE
; a register bit offset reaches outside the operand: signed, in bytes
; offset / 8 from the address (SDM Vol. 1, 3.5.1.2): -1024..1023 bits
CASE {%str(%1), " m16, r16 (bit string)"}, BT_UNDEF
    movsx cx, cl
    shl cx, 3
    SCRPTR rbx, 0x800
    %1 [rbx], cx
ENDCASE
CASE {%str(%1), " m32, r32 (bit string)"}, BT_UNDEF
    movsx ecx, cx
    sar ecx, 5
    SCRPTR rbx, 0x800
    %1 [rbx + 4], ecx
ENDCASE
CASE {%str(%1), " m64, r64 (bit string)"}, BT_UNDEF
    movsx rdx, dx
    sar rdx, 5
    SCRPTR rsi, 0x800
    %1 [rsi], rdx
ENDCASE
CASE {%str(%1), " m64, r64 (negative bit offset)"}, BT_UNDEF
    movzx edx, dl
    neg rdx
    SCRPTR rsi, 0x800
    %1 [rsi], rdx
ENDCASE
%endmacro

BTS_ bt
BTS_ bts
BTS_ btr
BTS_ btc

CASE "lock bts m32, r32", BT_UNDEF
    and ecx, 0x3ff
    lock bts [SCRATCH_VA + 0x900], ecx
ENDCASE
CASE "lock btr m64, imm8", BT_UNDEF
    lock btr qword [SCRATCH_VA + 0x908], 7
ENDCASE
CASE "lock btc m16, r16", BT_UNDEF
    and cx, 0x7f
    lock btc [SCRATCH_VA + 0x910], cx
ENDCASE

%define BSF_UNDEF (CF | OF | SF | AF | PF)

; the destination is undefined for a zero source: replace it by r13 then
%macro BSX 1
CASE {%str(%1), " r16, r16"}, BSF_UNDEF
    %1 ax, bx
    cmovz rax, r13
ENDCASE
CASE {%str(%1), " r32, r32"}, BSF_UNDEF
    %1 ecx, edx
    cmovz rcx, r13
ENDCASE
CASE {%str(%1), " r64, r64"}, BSF_UNDEF
    %1 rsi, rdi
    cmovz rsi, r13
ENDCASE
CASE {%str(%1), " r32, r32 (one bit set)"}, BSF_UNDEF
    and ebx, 31
    xor edx, edx
    bts edx, ebx
    %1 ecx, edx
ENDCASE
CASE {%str(%1), " r64, m64"}, BSF_UNDEF
    %1 r8, [SCRATCH_VA + 0x200]
    cmovz r8, r13
ENDCASE
CASE {%str(%1), " r16, m16"}, BSF_UNDEF
    %1 r9w, [RSCR(0x208)]
    cmovz r9, r13
ENDCASE
%endmacro

BSX bsf
BSX bsr

%define CNT_UNDEF (OF | SF | AF | PF)

%macro CNT 3                ; mnemonic, undefined flags, need
CASE {%str(%1), " r16, r16"}, %2, RUNS, %3
    %1 ax, bx
ENDCASE
CASE {%str(%1), " r32, r32"}, %2, RUNS, %3
    %1 ecx, edx
ENDCASE
CASE {%str(%1), " r64, r64"}, %2, RUNS, %3
    %1 rsi, rdi
ENDCASE
CASE {%str(%1), " r32, r32 (zero)"}, %2, 2, %3
    xor edx, edx
    %1 ecx, edx
ENDCASE
CASE {%str(%1), " r64, m64"}, %2, RUNS, %3
    %1 r8, [SCRATCH_VA + 0x300]
ENDCASE
CASE {%str(%1), " r16, m16"}, %2, RUNS, %3
    %1 r9w, [RSCR(0x308)]
ENDCASE
%endmacro

CNT tzcnt, CNT_UNDEF, NEED_BMI1
CNT lzcnt, CNT_UNDEF, NEED_LZCNT
CNT popcnt, 0, NEED_POPCNT

CASE "bswap r32", 0
    bswap eax
ENDCASE
CASE "bswap r32 rex", 0
    bswap r13d
ENDCASE
CASE "bswap r64", 0
    bswap rdx
ENDCASE
CASE "bswap r64 rex", 0
    bswap r9
ENDCASE

; BMI1
CASE "andn r32", AF | PF, RUNS, NEED_BMI1
    andn eax, ebx, ecx
ENDCASE
CASE "andn r64, m64", AF | PF, RUNS, NEED_BMI1
    andn r8, r9, [SCRATCH_VA + 0x400]
ENDCASE
CASE "bextr r32", AF | SF | PF, RUNS, NEED_BMI1
    bextr edx, esi, edi
ENDCASE
CASE "bextr r64 (start, length small)", AF | SF | PF, RUNS, NEED_BMI1
    and ecx, 0x7f7f
    bextr r10, r11, rcx
ENDCASE
CASE "blsi r32", AF | PF, RUNS, NEED_BMI1
    blsi eax, ebx
ENDCASE
CASE "blsi r64", AF | PF, RUNS, NEED_BMI1
    blsi rcx, rdx
ENDCASE
CASE "blsmsk r32", AF | PF, RUNS, NEED_BMI1
    blsmsk esi, edi
ENDCASE
CASE "blsmsk r64, m64", AF | PF, RUNS, NEED_BMI1
    blsmsk r12, [RSCR(0x408)]
ENDCASE
CASE "blsr r32", AF | PF, RUNS, NEED_BMI1
    blsr r13d, r14d
ENDCASE
CASE "blsr r64", AF | PF, RUNS, NEED_BMI1
    blsr r15, rax
ENDCASE

; BMI2
CASE "bzhi r32", AF | PF, RUNS, NEED_BMI2
    bzhi eax, ebx, ecx
ENDCASE
CASE "bzhi r64 (small index)", AF | PF, RUNS, NEED_BMI2
    and edx, 0x7f
    bzhi rsi, rdi, rdx
ENDCASE
CASE "pdep r32", 0, RUNS, NEED_BMI2
    pdep eax, ebx, ecx
ENDCASE
CASE "pdep r64", 0, RUNS, NEED_BMI2
    pdep r8, r9, r10
ENDCASE
CASE "pext r32", 0, RUNS, NEED_BMI2
    pext edx, esi, edi
ENDCASE
CASE "pext r64, m64", 0, RUNS, NEED_BMI2
    pext r11, r12, [SCRATCH_VA + 0x500]
ENDCASE
CASE "rorx r32", 0, RUNS, NEED_BMI2
    rorx eax, ebx, 13
ENDCASE
CASE "rorx r64", 0, RUNS, NEED_BMI2
    rorx rcx, rdx, 63
ENDCASE
CASE "sarx r32", 0, RUNS, NEED_BMI2
    sarx esi, edi, ebp
ENDCASE
CASE "shlx r64", 0, RUNS, NEED_BMI2
    shlx r8, r9, r10
ENDCASE
CASE "shrx r64, m64", 0, RUNS, NEED_BMI2
    shrx r11, [SCRATCH_VA + 0x508], r12
ENDCASE
CASE "mulx r32", 0, RUNS, NEED_BMI2
    mulx eax, ebx, ecx
ENDCASE
CASE "mulx r64", 0, RUNS, NEED_BMI2
    mulx r8, r9, r10
ENDCASE
CASE "mulx r64 (same destinations: the high half wins)", 0, RUNS, NEED_BMI2
    mulx rsi, rsi, rdi
ENDCASE

; ADX
CASE "adcx r32", 0, RUNS, NEED_ADX
    adcx eax, ebx
ENDCASE
CASE "adcx r64", 0, RUNS, NEED_ADX
    adcx rcx, rdx
ENDCASE
CASE "adox r32", 0, RUNS, NEED_ADX
    adox esi, edi
ENDCASE
CASE "adox r64, m64", 0, RUNS, NEED_ADX
    adox r8, [SCRATCH_VA + 0x600]
ENDCASE

; MOVBE
CASE "movbe r16, m16", 0, RUNS, NEED_MOVBE
    movbe ax, [SCRATCH_VA + 0x700]
ENDCASE
CASE "movbe r32, m32", 0, RUNS, NEED_MOVBE
    movbe ebx, [RSCR(0x704)]
ENDCASE
CASE "movbe r64, m64", 0, RUNS, NEED_MOVBE
    movbe rcx, [SCRATCH_VA + 0x708]
ENDCASE
CASE "movbe m16, r16", 0, RUNS, NEED_MOVBE
    movbe [SCRATCH_VA + 0x710], dx
ENDCASE
CASE "movbe m32, r32", 0, RUNS, NEED_MOVBE
    movbe [RSCR(0x714)], esi
ENDCASE
CASE "movbe m64, r64", 0, RUNS, NEED_MOVBE
    movbe [SCRATCH_VA + 0x718], r9
ENDCASE

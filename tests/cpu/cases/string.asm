; MOVS CMPS SCAS LODS STOS in every size, alone and with REP, REPE and
; REPNE, forwards and backwards (DF), with counts 0..63; REPE CMPS over
; equal buffers with one difference. Flags: all defined (CMPS and SCAS
; set them as CMP does; nothing changes them when RCX is 0).
%include "cases.inc"

; SETUP df: pointers into scratch, a count of 0..63 from the random RCX
%macro SETUP 1
%if %1
    std
    SCRPTR rsi, 0x7f8
    SCRPTR rdi, 0xff8
%else
    cld
    SCRPTR rsi, 0x400
    SCRPTR rdi, 0xc00
%endif
    and ecx, 63
%endmacro

%macro STR1 2               ; instruction, suffix for the name
%assign df 0
%rep 2
CASE {%str(%1), %2, " df=", %str(df)}, 0
    SETUP df
    %1
    %1
ENDCASE
CASE {"rep ", %str(%1), %2, " df=", %str(df)}, 0
    SETUP df
    rep %1
ENDCASE
%assign df df + 1
%endrep
%endmacro

%macro STRC 2               ; compare strings: repe and repne
%assign df 0
%rep 2
CASE {%str(%1), %2, " df=", %str(df)}, 0
    SETUP df
    %1
ENDCASE
CASE {"repe ", %str(%1), %2, " df=", %str(df)}, 0
    SETUP df
    repe %1
ENDCASE
CASE {"repne ", %str(%1), %2, " df=", %str(df)}, 0
    SETUP df
    repne %1
ENDCASE
%assign df df + 1
%endrep
%endmacro

STR1 movsb, ""
STR1 movsw, ""
STR1 movsd, ""
STR1 movsq, ""
STR1 stosb, ""
STR1 stosw, ""
STR1 stosd, ""
STR1 stosq, ""
STR1 lodsb, ""
STR1 lodsw, ""
STR1 lodsd, ""
STR1 lodsq, ""
STRC cmpsb, ""
STRC cmpsw, ""
STRC cmpsd, ""
STRC cmpsq, ""
STRC scasb, ""
STRC scasw, ""
STRC scasd, ""
STRC scasq, ""

CASE "rep movsb with rcx = 0 changes nothing", 0
    SCRPTR rsi, 0x100
    SCRPTR rdi, 0x200
    xor ecx, ecx
    rep movsb
ENDCASE
CASE "repe cmpsb with rcx = 0 keeps the flags", 0, 4
    SCRPTR rsi, 0x100
    SCRPTR rdi, 0x200
    mov ecx, 0
    repe cmpsb
ENDCASE
CASE "rep movsb overlapping forwards", 0
    cld
    SCRPTR rsi, 0x100
    SCRPTR rdi, 0x101
    mov ecx, 40
    rep movsb
ENDCASE
CASE "rep movsq overlapping backwards", 0
    std
    SCRPTR rsi, 0x200
    SCRPTR rdi, 0x208
    mov ecx, 20
    rep movsq
ENDCASE

; equal buffers but for one byte (at a random place): REPE CMPS stops there
%macro CMPEQ 3              ; cmps, scas, element size
CASE {"repe ", %str(%1), " equal buffers, one difference"}, 0
    cld
    SCRPTR rsi, 0x400
    SCRPTR rdi, 0xc00
    mov ecx, 0x100
    rep movsb
    movzx eax, dl
    xor byte [SCRATCH_VA + 0xc00 + rax], 0x40
    SCRPTR rsi, 0x400
    SCRPTR rdi, 0xc00
    mov ecx, 0x100 / %3
    repe %1
ENDCASE
CASE {"repne ", %str(%2), " finds the element"}, 0
    cld
    movzx eax, dl
    and eax, ~(%3 - 1)
    mov rax, [SCRATCH_VA + 0x400 + rax]
    SCRPTR rdi, 0x400
    mov ecx, 0x100 / %3
    repne %2
ENDCASE
%endmacro
CMPEQ cmpsb, scasb, 1
CMPEQ cmpsw, scasw, 2
CMPEQ cmpsd, scasd, 4
CMPEQ cmpsq, scasq, 8

CASE "rep stosq fills, lodsb reads back", 0
    cld
    SCRPTR rdi, 0x600
    mov ecx, 32
    rep stosq
    SCRPTR rsi, 0x600
    lodsb
ENDCASE
CASE "movs with a segment override (ignored in 64-bit mode)", 0
    cld
    SCRPTR rsi, 0x100
    SCRPTR rdi, 0x200
    db 0x2e, 0xa5                   ; cs movsd
    db 0x36, 0x48, 0xa5             ; ss movsq (not FS or GS: their bases
                                    ; differ between host and guest)
ENDCASE

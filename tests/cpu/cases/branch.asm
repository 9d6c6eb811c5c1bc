; Jcc on all 16 conditions (rel8 and rel32) on random flags, LOOP LOOPE
; LOOPNE JRCXZ JECXZ, JMP rel8/rel32/r64/m64, and branches with a 66
; prefix (64-bit operand size regardless on Intel: SDM Vol. 2, JMP and
; Jcc, "In 64-bit mode, operand size is fixed at 64 bits"). Flags: no
; branch changes any.
%include "cases.inc"

%assign cc 0
%rep 16
CASE {"jcc rel8 cc=", %str(cc)}, 0, 24
    mov eax, 1
    db 0x70 + cc, .t - ($ + 2)
    mov eax, 2
.t:
ENDCASE
CASE {"jcc rel32 cc=", %str(cc)}, 0, 24
    mov ebx, 1
    db 0x0f, 0x80 + cc
    dd .t - $ - 4
    mov ebx, 2
.t:
ENDCASE
%assign cc cc + 1
%endrep

CASE "jcc backwards (a counted loop)", 0
    and ecx, 15
    xor eax, eax
.l: add rax, rcx
    dec ecx
    jg .l
ENDCASE
CASE "loop", 0
    and ecx, 15
    inc ecx
    xor eax, eax
.l: inc eax
    loop .l
ENDCASE
CASE "loop with rcx = 0 runs 2^64 times: not run; loop from 1", 0
    mov ecx, 1
    loop .x
    mov eax, 5
.x:
ENDCASE
CASE "loope / loopne", 0
    and ecx, 31
    inc ecx
    SCRPTR rsi, 0x100
.l: cmp byte [rsi + rcx], 0x40
    loopne .l
    mov rdx, rcx
    and ebx, 31
    lea rcx, [rbx + 1]
.m: cmp byte [rsi + rcx], 0x80
    loope .m
ENDCASE
CASE "loop with 67 decrements ecx", 0
    mov rcx, 0x1234567800000003
.l: a32 loop .l
ENDCASE
CASE "jrcxz / jecxz", 0
    mov eax, 1
    jrcxz .a
    mov eax, 2
.a: mov ebx, 1
    jecxz .b
    mov ebx, 2
.b:
ENDCASE
CASE "jrcxz taken", 0
    xor ecx, ecx
    mov eax, 1
    jrcxz .a
    mov eax, 2
.a:
ENDCASE
CASE "jecxz with the upper half set", 0
    mov rcx, 0x100000000
    mov eax, 1
    jecxz .a
    mov eax, 2
.a:
ENDCASE

CASE "jmp rel8 / rel32", 0
    jmp short .a
    mov eax, 1
.a: jmp near .b
    mov eax, 2
.b:
ENDCASE
CASE "jmp r64 / m64", 0
    lea rax, [rel .a]
    jmp rax
    mov ebx, 1
.a: lea rcx, [rel .b]
    mov [SCRATCH_VA + 0x10], rcx
    jmp [SCRATCH_VA + 0x10]
    mov ebx, 2
.b:
ENDCASE
CASE "jmp with 66 (Intel: 64-bit regardless)", 0, RUNS, NEED_INTEL
    db 0x66, 0xeb, 0x02             ; jmp short +2
    mov al, 1
    db 0x66, 0xe9                   ; jmp near (o16 rel32 on Intel)
    dd 2
    mov bl, 1
ENDCASE
CASE "jcc with 66 (Intel: 64-bit regardless)", 0, RUNS, NEED_INTEL
    xor eax, eax                    ; ZF = 1
    db 0x66, 0x74, 0x02             ; jz +2
    mov cl, 1
    db 0x66, 0x0f, 0x84             ; jz near
    dd 2
    mov dl, 1
ENDCASE
CASE "call/ret with 66 (Intel: 64-bit regardless)", 0, RUNS, NEED_INTEL
    db 0x66, 0xe8                   ; call +1 (o16)
    dd 1
    int3
    pop rax
ENDCASE
CASE "jmp with branch hints and a ds prefix", 0
    xor eax, eax
    db 0x2e, 0x74, 0x02             ; jz (hint: not taken)
    mov cl, 1
    db 0x3e, 0x75, 0x02             ; jnz (hint: taken)
    mov dl, 1
ENDCASE

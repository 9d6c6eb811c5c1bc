; Single-step traps (TF) and self-modifying code at CPL 3, against the
; host: the #DB comes after the first instruction that starts with TF set
; (SDM Vol. 3, 17.3.1.4), and not right after MOV SS, which holds debug
; traps back until after the next instruction (6.8.3). Flags: all
; compared.
%include "cases.inc"

%macro TF_ON 0
    pushfq
    or qword [rsp], 0x100
    popfq
%endmacro

CASE "TF: trap after the first instruction with TF set", 0, 2
    TF_ON
    mov eax, 1
    mov eax, 2
ENDCASE
CASE "TF: POPF clearing TF still traps after itself", 0, 2
    TF_ON
    pushfq
    and qword [rsp], ~0x100
    popfq
    mov eax, 3
ENDCASE
CASE "TF: MOV SS holds the trap until after the next instruction", 0, 2
    mov ecx, SEL_UDATA
    TF_ON
    mov ss, ecx
    mov eax, 4
    mov eax, 5
ENDCASE
CASE "TF: a taken jump traps at its target", 0, 2
    TF_ON
    jmp .t
    mov eax, 6
.t: mov eax, 7
ENDCASE
CASE "TF: REP MOVSB traps after each iteration", 0, 2
    cld
    SCRPTR rsi, 0x100
    SCRPTR rdi, 0x200
    mov ecx, 8
    TF_ON
    rep movsb
    mov eax, 8
ENDCASE
CASE "TF: a faulting instruction reports the fault, not the trap", 0, 2
    TF_ON
    mov eax, [GUARD_VA]
ENDCASE

CASE "self-modifying code: the patched instruction runs", 0
    mov word [rel .p], 0x9090       ; inc eax -> nop nop
    mov eax, 1
.p: inc eax
    inc ebx
ENDCASE
CASE "self-modifying code: patch the next instruction", 0
    mov byte [rel .p + 1], 0x42     ; mov al, 0x11 -> mov al, 0x42
.p: mov al, 0x11
ENDCASE
CASE "self-modifying code: a patch some instructions ahead", 0
    mov byte [rel .p + 1], 0x42     ; mov al, 0x11 -> mov al, 0x42
    mov ebx, 1
    add ecx, ebx
.p: mov al, 0x11
ENDCASE
CASE "self-modifying code: a loop patches code it has run", 0
    mov ecx, 3
    xor eax, eax
    jmp .l
.p: mov byte [rel .l + 2], 5
.l: add eax, 1                      ; then add eax, 5
    sub ecx, 1
    jnz .p
ENDCASE
CASE "self-modifying code: REP STOSB over the next instructions", 0
    lea rdi, [rel .p]
    mov eax, 0x90
    mov ecx, 2
    rep stosb
.p: inc eax                         ; -> nop nop
    inc ebx
ENDCASE
CASE "instruction fetch running into an unmapped page (#PF, CR2 the next page)", 0, 2
    mov word [CODE_VA + CODE_SIZE - 2], 0xb848      ; mov rax, imm64: 8 bytes missing
    mov eax, CODE_VA + CODE_SIZE - 2
    jmp rax
ENDCASE

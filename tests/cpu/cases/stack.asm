; PUSH POP in their forms and sizes, PUSH RSP / POP RSP, POP to memory
; addressed by RSP, ENTER and LEAVE, CALL and RET (near, with an
; immediate), PUSHF and POPF at CPL 3 (what a user may change, what it
; may not), LAHF and SAHF with the stack. Flags: all defined.
%include "cases.inc"

CASE "push/pop r64", 0
    push rax
    push r15
    pop rbx
    pop r14
ENDCASE
CASE "push/pop r16 (66)", 0
    push ax
    push r9w
    pop cx
    pop r10w
ENDCASE
CASE "push imm8 / imm32 (sign-extended), push imm16 (66)", 0
    push strict byte -1
    push strict dword -0x80000000
    push strict dword 0x7fffffff
    push word 0x8001
ENDCASE
CASE "push/pop m64 and m16", 0
    push qword [SCRATCH_VA + 0x10]
    push word [RSCR(0x18)]
    pop word [SCRATCH_VA + 0x20]
    pop qword [RSCR(0x28)]
ENDCASE
CASE "push rsp pushes the old value", 0
    push rsp
    pop rax
    push sp
    pop bx
ENDCASE
CASE "pop rsp", 0
    mov qword [STACK_TOP - 8], STACK_TOP - 0x100
    sub rsp, 8
    pop rsp
ENDCASE
CASE "pop [rsp + 8]: the address uses the incremented rsp", 0
    push rax
    push rbx
    pop qword [rsp + 8]
ENDCASE
CASE "push [rsp]", 0
    push rcx
    push qword [rsp]
    pop rdx
ENDCASE
CASE "pop to a register from 16-bit pushes", 0
    push word 0x1234
    push word 0x5678
    pop rax
ENDCASE

CASE "enter 0, 0 / leave", 0
    mov rbp, STACK_TOP - 0x40
    enter 0, 0
    mov rax, rbp
    leave
ENDCASE
CASE "enter 0x20, 0", 0
    mov rbp, STACK_TOP - 0x40
    enter 0x20, 0
ENDCASE
CASE "enter 0x18, 1", 0
    mov rbp, STACK_TOP - 0x40
    enter 0x18, 1
ENDCASE
CASE "enter 8, 3 (copies two frame pointers)", 0
    mov rbp, STACK_TOP + 0x100
    enter 8, 3
    mov rax, rbp
    leave
ENDCASE
CASE "enter 0xffff, 31 (levels taken mod 32)", 0
    mov rbp, STACK_TOP + 0x300
    enter 0xffff, 31
    leave
ENDCASE
CASE "enter 0, 33 (level 1)", 0
    mov rbp, STACK_TOP - 0x40
    enter 0, 33
ENDCASE
CASE "enter 16-bit (66)", 0
    mov rbp, STACK_TOP + 0x20
    db 0x66, 0xc8, 0x10, 0x00, 0x02             ; enter 16, 2 (o16)
ENDCASE
CASE "leave 16-bit (66): RSP from RBP, a 16-bit pop into BP", 0
    mov rbp, STACK_TOP - 0x20
    db 0x66, 0xc9
ENDCASE
CASE "leave with a non-canonical RBP (#SS(0))", 0, 2
    mov rbp, 0x1234000000000000 | (STACK_TOP - 0x20)
    leave
ENDCASE

CASE "call rel32 / ret", 0
    call .f
    mov rbx, rax
    jmp .end
.f: lea rax, [rsp]
    mov rcx, [rsp]
    ret
.end:
ENDCASE
CASE "ret imm16", 0
    push rsi
    push rdi
    call .f
    jmp .end
.f: ret 16
.end:
ENDCASE
CASE "call r64 / call m64", 0
    lea rax, [rel .f]
    call rax
    mov [SCRATCH_VA + 0x40], rax
    call [SCRATCH_VA + 0x40]
    jmp .end
.f: inc rbx
    ret
.end:
ENDCASE
CASE "call [rsp] uses rsp before the push", 0
    lea rax, [rel .f]
    push rax
    call [rsp]
    jmp .end
.f: pop rcx
    pop rdx
    push rcx
    ret
.end:
ENDCASE
CASE "rep ret", 0
    call .f
    jmp .end
.f: db 0xf3, 0xc3                               ; rep ret
.end:
ENDCASE

; PUSHF/POPF at CPL 3 with IOPL 0: POPF changes the arithmetic flags, DF,
; AC, NT, ID; not IF or IOPL (SDM Vol. 2, POPF); TF is kept out: it traps
CASE "pushf", 0
    pushfq
    pop rax
ENDCASE
CASE "pushf 16 (66)", 0
    pushf
    pop ax
    push word 0
    pushfw
    pop bx
    pop cx
ENDCASE
CASE "popf random (but TF)", 0
    mov rax, rbx
    and rax, ~0x100
    push rax
    popfq
    pushfq
    pop rcx
    push 0x202
    popfq                           ; AC off again before the exit
ENDCASE
CASE "popf all ones but TF", 0
    mov rax, ~0x100
    push rax
    popfq
    pushfq
    pop rcx
    push 0x202
    popfq
ENDCASE
CASE "popf zero (IF stays)", 0
    push 0
    popfq
    pushfq
    pop rdx
ENDCASE
CASE "popf 16 (66) random but TF", 0
    mov ax, bx
    and ax, ~0x100
    push ax
    popfw
    pushfq
    pop rcx
    push 0x202
    popfq
ENDCASE
CASE "popf toggles ID", 0
    pushfq
    pop rax
    xor rax, 0x200000
    push rax
    popfq
    pushfq
    pop rbx
    push 0x202
    popfq
ENDCASE
CASE "popf sets DF, then cld/std/cmc/clc/stc", 0
    push 0x602
    popfq
    pushfq
    pop rax
    cmc
    pushfq
    pop rbx
    stc
    cld
    pushfq
    pop rcx
    clc
    std
    pushfq
    pop rdx
    cmc
ENDCASE

CASE "sahf / lahf round trip through the stack", 0
    pushfq
    sahf
    lahf
    pop rbx
ENDCASE

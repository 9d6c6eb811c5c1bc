; Interrupt and exception entry: one stub per vector pushes a uniform
; frame (error code, vector, all GPRs) and calls trap_dispatch(frame).

bits 64
section .text
extern trap_dispatch

%macro STUB 1
isr_%1:
%if %1 != 8 && %1 != 10 && %1 != 11 && %1 != 12 && %1 != 13 && %1 != 14 && %1 != 17 && %1 != 21 && %1 != 29 && %1 != 30
    push 0                            ; no error code from the CPU
%endif
    push %1
    jmp trap_common
%endmacro

%assign v 0
%rep 48
STUB v
%assign v v + 1
%endrep

trap_common:
    push rax
    push rbx
    push rcx
    push rdx
    push rsi
    push rdi
    push rbp
    push r8
    push r9
    push r10
    push r11
    push r12
    push r13
    push r14
    push r15
    cld
    mov rdi, rsp
    call trap_dispatch
    pop r15
    pop r14
    pop r13
    pop r12
    pop r11
    pop r10
    pop r9
    pop r8
    pop rbp
    pop rdi
    pop rsi
    pop rdx
    pop rcx
    pop rbx
    pop rax
    add rsp, 16                       ; vector and error code
    iretq

section .rodata
align 8
global isr_table
isr_table:
%assign v 0
%rep 48
    dq isr_ %+ v
%assign v v + 1
%endrep

; int safe_read64(uint64_t addr, uint64_t *out): 0 and the value, or -1
; when the load faults; the fault handler finds .load in the exception
; table and resumes at .fixup.
section .text
global safe_read64
safe_read64:
.load:
    mov rax, [rdi]
    mov [rsi], rax
    xor eax, eax
    ret
.fixup:
    mov eax, -1
    ret

section .extable
align 8
    dq safe_read64.load, safe_read64.fixup

section .note.GNU-stack noalloc noexec nowrite progbits

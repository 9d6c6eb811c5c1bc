/*
 * The host side of a differential case (native.c): native_enter loads all
 * 16 general registers and RFLAGS from a struct cpu_state and jumps to the
 * case's code; the code ends in a jump to native_exit, which stores them
 * back.
 * A fault in the case comes back through native_fault_exit (native.c's
 * signal handler points the interrupted context there).
 *
 *   int native_enter(struct cpu_state *s, uint64_t entry);
 *   returns 0 at native_exit, 1 through native_fault_exit
 */
    .intel_syntax noprefix

    .bss
    .balign 8
host_rsp:   .quad 0
state_ptr:  .quad 0
target:     .quad 0
saved_rax:  .quad 0
host_ds:    .quad 0
host_es:    .quad 0

    .text
    .globl native_enter, native_exit, native_fault_exit
    .type native_enter, @function
native_enter:
    push rbx
    push rbp
    push r12
    push r13
    push r14
    push r15
    pushfq                              /* the host's flags: DF and AC clear */
    mov [rip + host_rsp], rsp
    mov [rip + host_ds], ds             /* a case may load DS and ES: each */
    mov [rip + host_es], es             /* starts with them null, as the */
    xor eax, eax                        /* interpreter's guest does */
    mov ds, eax
    mov es, eax
    mov [rip + state_ptr], rdi
    mov [rip + target], rsi
    push qword ptr [rdi + 136]
    popfq
    mov rax, [rdi + 0]
    mov rcx, [rdi + 8]
    mov rdx, [rdi + 16]
    mov rbx, [rdi + 24]
    mov rsp, [rdi + 32]
    mov rbp, [rdi + 40]
    mov rsi, [rdi + 48]
    mov r8,  [rdi + 64]
    mov r9,  [rdi + 72]
    mov r10, [rdi + 80]
    mov r11, [rdi + 88]
    mov r12, [rdi + 96]
    mov r13, [rdi + 104]
    mov r14, [rdi + 112]
    mov r15, [rdi + 120]
    mov rdi, [rdi + 56]
    jmp qword ptr [rip + target]
    .size native_enter, . - native_enter

/* reached by the case's last instruction; nothing here changes a flag
 * before pushfq */
native_exit:
    mov [rip + saved_rax], rax
    mov rax, [rip + state_ptr]
    mov [rax + 8], rcx
    mov [rax + 16], rdx
    mov [rax + 24], rbx
    mov [rax + 32], rsp
    mov [rax + 40], rbp
    mov [rax + 48], rsi
    mov [rax + 56], rdi
    mov [rax + 64], r8
    mov [rax + 72], r9
    mov [rax + 80], r10
    mov [rax + 88], r11
    mov [rax + 96], r12
    mov [rax + 104], r13
    mov [rax + 112], r14
    mov [rax + 120], r15
    mov rsp, [rip + host_rsp]
    pushfq
    pop qword ptr [rax + 136]
    mov rcx, [rip + saved_rax]
    mov [rax + 0], rcx
    xor eax, eax
    jmp 1f

native_fault_exit:
    mov rsp, [rip + host_rsp]
    mov eax, 1
1:  mov ds, [rip + host_ds]
    mov es, [rip + host_es]
    popfq
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbp
    pop rbx
    ret

    .section .note.GNU-stack, "", @progbits

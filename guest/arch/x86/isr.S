/*
 * Interrupt and exception entry: one stub per vector pushes a uniform
 * frame (error code, vector, all GPRs) and calls trap_dispatch(frame).
 *
 * GNU as rather than nasm for the call frame information: with it gdb
 * unwinds from a handler (or from a stop inside one) through the trap
 * frame into the code that was interrupted, at either privilege level.
 */
    .intel_syntax noprefix
    .cfi_sections .debug_frame
    .text

/* CPU exceptions that push an error code themselves */
#define HAS_ERROR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || \
                      (v) == 29 || (v) == 30)

    /* with the same signal-frame description as trap_common, so a stop
     * right at a stub unwinds too */
    .macro stub v
isr_\v:
    .cfi_startproc simple
    .cfi_signal_frame
    .if HAS_ERROR(\v)
    .cfi_def_cfa rsp, 48
    .else
    .cfi_def_cfa rsp, 40
    .endif
    .cfi_offset rip, -40
    .cfi_offset rsp, -16
    .if !HAS_ERROR(\v)
    push 0                          /* no error code from the CPU */
    .cfi_adjust_cfa_offset 8
    .endif
    push \v
    .cfi_adjust_cfa_offset 8
    jmp trap_common
    .cfi_endproc
    .endm

    .altmacro
    .set v, 0
    .rept 48
    stub %v
    .set v, v + 1
    .endr

/* On entry: vector, error, then the CPU's RIP, CS, RFLAGS, RSP, SS. The
 * frame is a signal frame to the unwinder: the caller's RIP and RSP are
 * the ones saved in it. */
    .type trap_common, @function
trap_common:
    .cfi_startproc simple
    .cfi_signal_frame
    .cfi_def_cfa rsp, 56
    .cfi_offset rip, -40
    .cfi_offset rsp, -16
    push rax
    .cfi_adjust_cfa_offset 8
    push rbx
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset rbx, 0
    push rcx
    .cfi_adjust_cfa_offset 8
    push rdx
    .cfi_adjust_cfa_offset 8
    push rsi
    .cfi_adjust_cfa_offset 8
    push rdi
    .cfi_adjust_cfa_offset 8
    push rbp
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset rbp, 0
    push r8
    .cfi_adjust_cfa_offset 8
    push r9
    .cfi_adjust_cfa_offset 8
    push r10
    .cfi_adjust_cfa_offset 8
    push r11
    .cfi_adjust_cfa_offset 8
    push r12
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset r12, 0
    push r13
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset r13, 0
    push r14
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset r14, 0
    push r15
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset r15, 0
    cld
    mov rdi, rsp
    call trap_dispatch
    /* the way out, described as carefully: a stop here unwinds too */
    pop r15
    .cfi_adjust_cfa_offset -8
    .cfi_restore r15
    pop r14
    .cfi_adjust_cfa_offset -8
    .cfi_restore r14
    pop r13
    .cfi_adjust_cfa_offset -8
    .cfi_restore r13
    pop r12
    .cfi_adjust_cfa_offset -8
    .cfi_restore r12
    pop r11
    .cfi_adjust_cfa_offset -8
    pop r10
    .cfi_adjust_cfa_offset -8
    pop r9
    .cfi_adjust_cfa_offset -8
    pop r8
    .cfi_adjust_cfa_offset -8
    pop rbp
    .cfi_adjust_cfa_offset -8
    .cfi_restore rbp
    pop rdi
    .cfi_adjust_cfa_offset -8
    pop rsi
    .cfi_adjust_cfa_offset -8
    pop rdx
    .cfi_adjust_cfa_offset -8
    pop rcx
    .cfi_adjust_cfa_offset -8
    pop rbx
    .cfi_adjust_cfa_offset -8
    .cfi_restore rbx
    pop rax
    .cfi_adjust_cfa_offset -8
    add rsp, 16                     /* vector and error code */
    .cfi_adjust_cfa_offset -16
    iretq
    .cfi_endproc
    .size trap_common, . - trap_common

    .section .rodata
    .balign 8
    .global isr_table
    .macro entry v
    .quad isr_\v
    .endm
isr_table:
    .set v, 0
    .rept 48
    entry %v
    .set v, v + 1
    .endr

/* int safe_read64(uint64_t addr, uint64_t *out): 0 and the value, or -1
 * when the load faults; the fault handler finds the load in the
 * exception table and resumes at the fixup. */
    .text
    .global safe_read64
    .type safe_read64, @function
safe_read64:
    .cfi_startproc
safe_read64_load:
    mov rax, [rdi]
    mov [rsi], rax
    xor eax, eax
    ret
safe_read64_fixup:
    mov eax, -1
    ret
    .cfi_endproc
    .size safe_read64, . - safe_read64

    .section .extable, "a"
    .balign 8
    .quad safe_read64_load, safe_read64_fixup

    .section .note.GNU-stack, "", @progbits

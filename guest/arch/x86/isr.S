/*
 * Interrupt and exception entry: one stub per vector pushes a uniform
 * frame (error code, vector, all GPRs) and calls trap_dispatch(frame).
 *
 * GNU as rather than nasm for the call frame information: with it gdb
 * unwinds from a handler (or from a stop inside one) through the trap
 * frame into the code that was interrupted, at either privilege level.
 */
#include "irq.h"

    .intel_syntax noprefix
    .cfi_sections .debug_frame
    .text

/* a push or pop the unwinder follows */
    .macro cpush r
    push \r
    .cfi_adjust_cfa_offset 8
    .endm
    .macro cpop r
    pop \r
    .cfi_adjust_cfa_offset -8
    .endm

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
    .if v - 32                      /* IRQ 0 has tick_fast alone */
    stub %v
    .endif
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
    cpush rax
    cpush rbx
    .cfi_rel_offset rbx, 0
    cpush rcx
    cpush rdx
    cpush rsi
    cpush rdi
    cpush rbp
    .cfi_rel_offset rbp, 0
    cpush r8
    cpush r9
    cpush r10
    cpush r11
    cpush r12
    .cfi_rel_offset r12, 0
    cpush r13
    .cfi_rel_offset r13, 0
    cpush r14
    .cfi_rel_offset r14, 0
    cpush r15
    .cfi_rel_offset r15, 0
    cld
    mov rdi, rsp
    call trap_dispatch
    /* the way out, described as carefully: a stop here unwinds too */
    cpop r15
    .cfi_restore r15
    cpop r14
    .cfi_restore r14
    cpop r13
    .cfi_restore r13
    cpop r12
    .cfi_restore r12
    cpop r11
    cpop r10
    cpop r9
    cpop r8
    cpop rbp
    .cfi_restore rbp
    cpop rdi
    cpop rsi
    cpop rdx
    cpop rcx
    cpop rbx
    .cfi_restore rbx
    cpop rax
    add rsp, 16                     /* vector and error code */
    .cfi_adjust_cfa_offset -16
    iretq
    .cfi_endproc
    .size trap_common, . - trap_common


/*
 * Fast paths. A KVM that emulates every instruction the guest runs at
 * CPL 0 (usermode.h) makes trap_common and trap_dispatch, a few hundred
 * instructions, the cost of every kcall, cli at CPL 3 and tick
 * (docs/results.md has this host's figures). The three commonest traps
 * are served here in a few dozen instructions, with the same effect as
 * the C path; anything else goes on to the ordinary stub.
 *
 * Each starts on the CPU's frame: RIP, CS, RFLAGS, RSP, SS (+ error code
 * for #GP), described as a signal frame like the stubs above.
 */
#define FRAME_CFI(err)             \
    .cfi_startproc simple;         \
    .cfi_signal_frame;             \
    .cfi_def_cfa rsp, 40 + (err);  \
    .cfi_offset rip, -40;          \
    .cfi_offset rsp, -16

/* #UD: kcall's "ud2; .ascii kc" from CPL 3 runs RDI(RSI) here and
 * returns RAX; interrupts as the caller had them. */
    .type ud_fast, @function
ud_fast:
    FRAME_CFI(0)
    test byte ptr [rsp + 8], 3          /* CS: from CPL 3? */
    jz isr_6
    cpush rax
    mov rax, [rsp + 8]
    cmp dword ptr [rax], 0x636b0b0f     /* 0f 0b 'k' 'c' */
    cpop rax
    jne isr_6
    add qword ptr [rsp], 4              /* resume after it */
    /* what a C call may clobber, but kcall's caller keeps (RAX is the
     * result); one more slot keeps the call 16-byte aligned */
    cpush rcx
    cpush rdx
    cpush rsi
    cpush rdi
    cpush r8
    cpush r9
    cpush r10
    cpush r11
    sub rsp, 8
    .cfi_adjust_cfa_offset 8
    cld
    test dword ptr [rsp + 72 + 16], 0x200   /* the caller's RFLAGS.IF */
    jz 1f
    sti
1:  mov rax, rdi
    mov rdi, rsi
    call rax
    cli
    add rsp, 8
    .cfi_adjust_cfa_offset -8
    cpop r11
    cpop r10
    cpop r9
    cpop r8
    cpop rdi
    cpop rsi
    cpop rdx
    cpop rcx
    iretq
    .cfi_endproc
    .size ud_fast, . - ud_fast

/* #GP: cli and sti at CPL 3 (IOPL 0) become IF in the frame; sti; hlt,
 * hlt and real faults go on to trap_dispatch. */
    .type gp_fast, @function
gp_fast:
    FRAME_CFI(8)
    test byte ptr [rsp + 16], 3         /* CS */
    jz isr_13
    cpush rax
    mov rax, [rsp + 16]                 /* RIP */
    cmp byte ptr [rax], 0xfa            /* cli */
    je 2f
    cmp word ptr [rax], 0xf4fb          /* sti; hlt: the slow path */
    je 1f
    cmp byte ptr [rax], 0xfb            /* sti */
    jne 1f
    or dword ptr [rsp + 32], 0x200
    jmp 3f
2:  and dword ptr [rsp + 32], ~0x200
3:  inc qword ptr [rsp + 16]
    cpop rax
    add rsp, 8                          /* the error code */
    .cfi_adjust_cfa_offset -8
    iretq
1:  .cfi_adjust_cfa_offset 8
    cpop rax
    jmp isr_13
    .cfi_endproc
    .size gp_fast, . - gp_fast

/* IRQ 0, the PIT: count the tick, stamp it with the TSC (test_timer.c
 * reads the stamps), acknowledge it at the master PIC. */
    .type tick_fast, @function
tick_fast:
    FRAME_CFI(0)
    cpush rax
    cpush rcx
    cpush rdx
    rdtsc
    shl rdx, 32
    or rax, rdx
    mov rcx, [rip + pit_ticks]
    inc rcx
    mov [rip + pit_ticks], rcx
    and ecx, PIT_TICK_STAMPS - 1
    lea rdx, [rip + pit_tick_tsc]
    mov [rdx + rcx * 8], rax
    mov al, 0x20                        /* OCW2: non-specific EOI */
    out 0x20, al
    cpop rdx
    cpop rcx
    cpop rax
    iretq
    .cfi_endproc
    .size tick_fast, . - tick_fast

    .section .rodata
    .balign 8
    .global isr_table
    /* three vectors enter through a fast path first (below) */
    .macro entry v
    .if \v == 6
    .quad ud_fast
    .elseif \v == 13
    .quad gp_fast
    .elseif \v == 32
    .quad tick_fast
    .else
    .quad isr_\v
    .endif
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

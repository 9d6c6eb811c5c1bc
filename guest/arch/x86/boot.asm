; The guest's two ways in. Multiboot loaders (QEMU, GRUB, pcemu for ELF32)
; enter _start in 32-bit protected mode without paging: build page tables
; for the first 4 GiB, enter long mode, then kernel_main. pcemu enters
; _start64 already in long mode (see the note below and contract/boot.h).

%define MB_MAGIC     0x1BADB002
%define MB_FLAGS     0x3              ; page-aligned modules, memory info
%define PCEMU_NOTE   0x50434501

%include "guest/arch/x86/long_mode.inc"

section .multiboot
align 4
    dd MB_MAGIC
    dd MB_FLAGS
    dd -(MB_MAGIC + MB_FLAGS)

section .note.pcemu note alloc noexec nowrite align=4
    dd 6                              ; name size, "pcemu\0"
    dd 8                              ; descriptor size
    dd PCEMU_NOTE
    db "pcemu", 0, 0, 0
    dq _start64

; The kernel's page tables, built by the assembler so that no guest
; instructions are spent on them (under an emulating hypervisor each one
; costs about a microsecond): the first 4 GiB identity-mapped with 2 MiB
; pages, except the first 2 MiB, mapped with 4 KiB pages so that page 0
; (NULL) stays unmapped. Every entry has the user bit: the self-tests run
; at CPL 3 (usermode.c), where this host's KVM runs guest code natively.
section .data
align 4096
global kernel_pml4
kernel_pml4:
    dq kernel_pdpt + 7
    times 511 dq 0
kernel_pdpt:
%assign g 0
%rep 4
    dq kernel_pd + g * 4096 + 7
%assign g g + 1
%endrep
    times 508 dq 0
kernel_pd:
    dq kernel_pt0 + 7
%assign i 1
%rep 2047
    dq (i << 21) | 0x87                ; present, writable, user, 2 MiB
%assign i i + 1
%endrep
global kernel_pt0
kernel_pt0:
    dq 0                              ; page 0: not present
%assign i 1
%rep 511
    dq (i << 12) | 7
%assign i i + 1
%endrep

; The boot stack, with a guard page under it that paging_init unmaps: an
; overflow faults there, and the #PF that cannot be pushed becomes a #DF,
; taken on the TSS's IST stack and reported.
section .bss nobits alloc noexec write align=4096
alignb 4096
global boot_stack_guard, boot_stack_top, entry_stack_guard, entry_stack_top
extern kernel_main
boot_stack_guard: resb 4096
boot_stack: resb 16384
boot_stack_top:
; where the CPU switches to when an interrupt or exception arrives at
; CPL 3 (TSS.RSP0), with a guard page of its own
entry_stack_guard: resb 4096
entry_stack: resb 16384
entry_stack_top:
boot_magic: resd 1
boot_info:  resd 1

section .rodata
align 8
gdt64:
    LM_GDT_ENTRIES
gdt64_end:
gdt64_ptr:
    dw gdt64_end - gdt64 - 1
    dq gdt64

section .text
bits 32
global _start
_start:
    cli
    cld
    mov esp, boot_stack_top
    mov [boot_magic], eax
    mov [boot_info], ebx

    LM_REQUIRE no_long_mode
    LM_ENTER kernel_pml4, gdt64_ptr, .long

bits 64
.long:
    LM_DATA_SEGMENTS
    mov rsp, boot_stack_top
    mov edi, [boot_magic]
    mov esi, [boot_info]
    call kernel_main
    jmp halt_forever

; pcemu's entry: long mode, EAX = magic, RDI = boot info, no stack yet
global _start64
_start64:
    cli
    cld
    mov rsp, boot_stack_top
    mov rsi, rdi
    mov edi, eax
    call kernel_main

global halt_forever
halt_forever:
    cli
    hlt
    jmp halt_forever

bits 32
no_long_mode:
    ; COM1 as the firmware left it, polled: wait for THRE, send a byte
    mov esi, msg_no_lm
.next:
    mov dx, 0x3f8 + 5                 ; LSR
.busy:
    in al, dx
    test al, 0x20                     ; THRE
    jz .busy
    lodsb
    test al, al
    jz .done
    mov dx, 0x3f8
    out dx, al
    jmp .next
.done:
    mov dx, 0xf4
    mov al, 1                         ; failing verdict
    out dx, al
.hang:
    cli
    hlt
    jmp .hang

section .rodata
msg_no_lm: db "Bail out! this CPU has no long mode", 10, 0

section .note.GNU-stack noalloc noexec nowrite progbits

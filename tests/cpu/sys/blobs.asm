; Code for the system tests (sys_*.c): small blobs the test copies to
; CODE_VA (user-accessible, so the same blob can run at CPL 0 or 3) and
; starts at one of its labels. Labels the C side needs are global; the
; code is position-independent or uses ABS() for absolute addresses.
%include "layout.inc"

%macro BLOB 1
section .rodata
align 16
global %1, %1_end
%xdefine BLOB_START %1
%xdefine BLOB_END %1_end
%1:
%endmacro
%macro BEND 0
BLOB_END:
%endmacro
%macro MARK 1
global %1
%1:
%endmacro
%define ABS(l) (CODE_VA + (l) - BLOB_START)

bits 64
default rel

; ---- probes: one access of each kind at a register's address, then
; sys_probe_done (the test's stop address) ----
BLOB sys_probe
MARK sys_probe_read
    mov rax, [rbx]
    jmp sys_probe_done
MARK sys_probe_write
    mov [rbx], rax
    jmp sys_probe_done
MARK sys_probe_exec
    call rbx
    jmp sys_probe_done
MARK sys_probe_push
    push rax
    jmp sys_probe_done
MARK sys_probe_div0
    xor ecx, ecx
MARK sys_probe_div0_at
    div ecx
    jmp sys_probe_done
MARK sys_probe_ud2
    ud2
MARK sys_probe_mov_cr0
    mov cr0, rax
    jmp sys_probe_done
MARK sys_probe_hlt
    hlt
    jmp sys_probe_done
MARK sys_probe_wrmsr
    wrmsr
    jmp sys_probe_done
MARK sys_probe_int3
    int3
MARK sys_probe_int3_after
    jmp sys_probe_done
MARK sys_probe_int21
    int 0x21
    jmp sys_probe_done
MARK sys_probe_rdtsc
    rdtsc
    jmp sys_probe_done
MARK sys_probe_pxor
    pxor xmm0, xmm0
    jmp sys_probe_done
MARK sys_probe_fninit
    fninit
    jmp sys_probe_done
MARK sys_probe_fwait
    fwait
    jmp sys_probe_done
MARK sys_probe_fxsave
    fxsave64 [rbx]
    jmp sys_probe_done
MARK sys_probe_divsd
    divsd xmm0, xmm1
    jmp sys_probe_done
MARK sys_probe_invlpg
    invlpg [rbx]
    jmp sys_probe_done
MARK sys_probe_inb
    in al, dx
    jmp sys_probe_done
MARK sys_probe_inw
    in ax, dx
    jmp sys_probe_done
MARK sys_probe_ind
    in eax, dx
    jmp sys_probe_done
MARK sys_probe_outb
    out dx, al
    jmp sys_probe_done
MARK sys_probe_outd
    out dx, eax
    jmp sys_probe_done
MARK sys_probe_inb_imm
    in al, 0x80
    jmp sys_probe_done
MARK sys_probe_mov_cr4
    mov cr4, rax
    jmp sys_probe_done
MARK sys_probe_mov_cr3
    mov cr3, rax
    jmp sys_probe_done
MARK sys_probe_rdmsr
    rdmsr
    jmp sys_probe_done
MARK sys_probe_sgdt
    sgdt [rbx]
    sidt [rbx + 16]
    str ax
    sldt dx
    smsw si
    jmp sys_probe_done
MARK sys_probe_lgdt
    lgdt [rbx]
    lidt [rbx + 16]
    sgdt [rbx + 32]
    sidt [rbx + 48]
    jmp sys_probe_done
MARK sys_probe_clts
    clts
    mov rax, cr0
    jmp sys_probe_done
MARK sys_probe_done
    nop
    hlt
BEND

; ---- interrupts: STI's shadow, HLT, an external interrupt ----
BLOB sys_sti
    sti
MARK sys_sti_shadow
    nop
MARK sys_sti_open
    nop
    hlt
MARK sys_sti_after_hlt
    nop
MARK sys_sti_done
    nop
BEND

; ---- single step: POPF sets TF; the instruction after POPF is the
; first to run with TF set, and traps after it (SDM Vol. 3, 17.3.1.4) ----
BLOB sys_tf
    pushfq
    or qword [rsp], 0x100
    popfq
MARK sys_tf_first
    mov eax, 1
MARK sys_tf_second
    mov eax, 2
    nop
BEND

; ---- #BP handler that returns (IRETQ to CPL 3) ----
BLOB sys_iret
MARK sys_iret_user
    mov r8, 1
    int3
MARK sys_iret_back
    add r8, 1
MARK sys_iret_done
    nop
MARK sys_iret_handler                   ; CPL 0
    mov r9, rsp
    mov r10, [rsp + 8]                  ; the CS pushed
    mov r8, 0x1234
    iretq
BEND

; ---- SYSCALL / SYSRET ----
BLOB sys_syscall
MARK sys_syscall_user
    mov r11, 0x5555
    syscall
MARK sys_syscall_ret
    mov r14, rsp
MARK sys_syscall_done
    nop
MARK sys_syscall_entry                  ; CPL 0, LSTAR
    mov r9, rcx
    mov r10, r11
    pushfq
    pop r13
    mov r12, 0x77
    o64 sysret
BEND

; ---- paging: reads and writes at rbx and rcx ----
BLOB sys_rw
    mov rax, [rbx]
    mov [rcx], rdx
MARK sys_rw_done
    nop
BEND

; ---- INVLPG and MOV CR3: the mapping of rbx changes under a cached
; translation; rsi is the PTE's linear address, rdi its new value ----
BLOB sys_invlpg
    mov rax, [rbx]                      ; the TLB now holds the old mapping
    mov [rsi], rdi                      ; the PTE changes
    invlpg [rbx]
    mov rcx, [rbx]                      ; the new mapping (SDM Vol. 3, 4.10.4.1)
MARK sys_invlpg_done
    nop
BEND
BLOB sys_cr3
    mov rax, [rbx]
    mov [rsi], rdi
    mov rdx, cr3
    mov cr3, rdx                        ; flushes non-global entries
    mov rcx, [rbx]
MARK sys_cr3_done
    nop
BEND

; ---- port I/O at CPL 0: every width, immediate and DX ports, strings ----
BLOB sys_io
    mov al, 0x12
    out 0x80, al
    mov ax, 0x3456
    out 0x70, ax
    mov eax, 0x789abcde
    mov dx, 0x3f8
    out dx, eax
    in al, 0x61
    mov r8, rax
    mov dx, 0xcfc
    in ax, dx
    mov r9, rax
    in eax, dx
    mov r10, rax
    cld
    mov rsi, SCRATCH_VA
    mov dword [rsi], 0x44332211
    mov dx, 0x3f8
    mov ecx, 3
    rep outsb
    mov rdi, SCRATCH_VA + 0x10
    mov dx, 0x1f0
    mov ecx, 2
    rep insw
MARK sys_io_done
    nop
BEND

; ---- MMIO at CPL 0 (rbx: the MMIO page's linear address) ----
BLOB sys_mmio
    mov byte [rbx], 0x11
    mov word [rbx + 2], 0x2233
    mov dword [rbx + 4], 0x44556677
    mov r8, 0x8877665544332211
    mov [rbx + 8], r8
    movzx eax, byte [rbx + 0x10]
    mov r9, rax
    movzx eax, word [rbx + 0x12]
    mov r10, rax
    mov eax, [rbx + 0x14]
    mov r11, rax
    mov rax, [rbx + 0x18]
    mov r12, rax
MARK sys_mmio_straddle
    mov dword [rbx + 0xfff], 0xaabbccdd ; its last byte, then the next page
    mov r13, [rbx + 0xffc]              ; and a read across the same line
MARK sys_mmio_done
    nop
BEND

; ---- the instruction clock: rdtsc, 8 instructions, rdtsc ----
BLOB sys_tsc
    rdtsc
    shl rdx, 32
    or rax, rdx
    mov r8, rax
    nop
    nop
    nop
    nop
    nop
    rdtsc
    shl rdx, 32
    or rax, rdx
    mov r9, rax
    mov ecx, 0x10                       ; IA32_TIME_STAMP_COUNTER
    rdmsr
    shl rdx, 32
    or rax, rdx
    mov r10, rax
    rdtscp
    mov r11, rcx                        ; TSC_AUX
MARK sys_tsc_done
    nop
BEND

; ---- CPUID's hypervisor leaves ----
BLOB sys_cpuid
    mov eax, 1
    xor ecx, ecx
    cpuid
    mov r8d, ecx
    mov eax, 0x40000000
    xor ecx, ecx
    cpuid
    mov r9d, eax
    mov eax, 0x40000010
    xor ecx, ecx
    cpuid
    mov r10d, eax
    mov r11d, ebx
    mov eax, 0x80000001
    cpuid
    mov r12d, edx
MARK sys_cpuid_done
    nop
BEND

; ---- a multiboot-style 32-bit entry, as guest/arch/x86/boot.asm's
; _start, with its steps (long_mode.inc): protected mode without paging;
; build page tables, PAE, LME, paging, a 64-bit GDT and a far jump into
; 64-bit code. Copied to LOW_CODE_PA and run there (linear = physical). ----
%include "guest/arch/x86/long_mode.inc"
%define PM(l) (LOW_CODE_PA + (l) - sys_pm32)
%define PML4 (SPARE_PA)
%define PDPT (SPARE_PA + 0x1000)
%define PD (SPARE_PA + 0x2000)

section .rodata
align 16
global sys_pm32, sys_pm32_end, sys_pm32_long, sys_pm32_no_lm, sys_pm32_done
sys_pm32:
bits 32
    cli
    cld
    mov esp, PM(pm32_stack_top)
    mov [PM(pm32_magic)], eax
    mov [PM(pm32_info)], ebx

    LM_REQUIRE sys_pm32_no_lm

    ; identity map the first GiB with 2 MiB pages
    mov edi, PML4
    xor eax, eax
    mov ecx, 3 * 1024
    rep stosd
    mov dword [PML4], PDPT | 3
    mov dword [PDPT], PD | 3
    mov edi, PD
    mov eax, 0x83                       ; present, writable, 2 MiB
    mov ecx, 512
.pde:
    mov [edi], eax
    mov dword [edi + 4], 0
    add eax, 0x200000
    add edi, 8
    loop .pde

    LM_ENTER PML4, PM(pm32_gdt_ptr), PM(sys_pm32_long)

bits 64
sys_pm32_long:
    LM_DATA_SEGMENTS
    mov rsp, PM(pm32_stack_top)
    mov edi, [abs PM(pm32_magic)]
    mov esi, [abs PM(pm32_info)]
    mov rax, 0x123456789abcdef0         ; 64-bit operands work
    push rax
    pop r8
    lea r9, [rel sys_pm32_long]         ; RIP-relative addressing works
sys_pm32_done:
    hlt

bits 32
sys_pm32_no_lm:
    hlt

align 8
pm32_gdt:
    LM_GDT_ENTRIES
pm32_gdt_end:
pm32_gdt_ptr:
    dw pm32_gdt_end - pm32_gdt - 1
    dd PM(pm32_gdt)
align 4
pm32_magic: dd 0
pm32_info:  dd 0
align 16
    times 64 dd 0
pm32_stack_top:
sys_pm32_end:
bits 64

section .note.GNU-stack noalloc noexec nowrite progbits

; Exceptions at CPL 3, compared with what the host CPU reports to Linux
; (vector, error code, CR2, RIP and registers at the fault; RF set in the
; pushed RFLAGS for faults, SDM Vol. 3, 17.3.1.1). The interpreter's
; guest has Linux's GDT layout and no I/O permission, so privileged
; instructions, port I/O, INT n through a DPL-0 gate and segment loads
; fault alike on both sides. Flags: all compared (nothing here changes
; them before the fault).
%include "cases.inc"

CASE "ud2 (#UD)", 0, 2
    mov eax, 1
    ud2
ENDCASE
CASE "hlt at CPL 3 (#GP)", 0, 2
    hlt
ENDCASE
CASE "cli at CPL 3, IOPL 0 (#GP)", 0, 2
    cli
ENDCASE
CASE "sti at CPL 3, IOPL 0 (#GP)", 0, 2
    sti
ENDCASE
CASE "in al, dx without permission (#GP)", 0, 2
    mov edx, 0x80
    in al, dx
ENDCASE
CASE "out imm8, eax without permission (#GP)", 0, 2
    out 0x70, eax
ENDCASE
CASE "insb without permission (#GP)", 0, 2
    SCRPTR rdi, 0x100
    mov edx, 0x3f8
    insb
ENDCASE
CASE "mov rax, cr0 at CPL 3 (#GP)", 0, 2
    mov rax, cr0
ENDCASE
CASE "rdmsr at CPL 3 (#GP)", 0, 2
    mov ecx, 0x10
    rdmsr
ENDCASE
CASE "wbinvd at CPL 3 (#GP)", 0, 2
    wbinvd
ENDCASE
CASE "lgdt at CPL 3 (#GP)", 0, 2
    lgdt [SCRATCH_VA]
ENDCASE
CASE "int 0x21 through a DPL-0 gate (#GP, error IDT|vector)", 0, 2
    int 0x21
ENDCASE
CASE "int 0xff (#GP)", 0, 2
    int 0xff
ENDCASE
CASE "int3 (#BP: a trap, RIP after it)", 0, 4
    mov eax, 3
    int3
    mov eax, 4
ENDCASE
CASE "int 3 (CD 03: #BP too)", 0, 2
    db 0xcd, 0x03
ENDCASE
CASE "into (invalid in 64-bit mode: #UD)", 0, 2
    db 0xce
ENDCASE
CASE "push cs (invalid in 64-bit mode: #UD)", 0, 2
    db 0x0e
ENDCASE
CASE "daa (#UD)", 0, 2
    db 0x27
ENDCASE
CASE "aam (#UD)", 0, 2
    db 0xd4, 0x0a
ENDCASE
CASE "pusha (#UD)", 0, 2
    db 0x60
ENDCASE
CASE "bound / EVEX prefix 62 with mod=00 (#UD)", 0, 2
    db 0x62, 0x00
ENDCASE
CASE "lock on a register destination (#UD)", 0, 2
    db 0xf0, 0x01, 0xd8             ; lock add eax, ebx
ENDCASE
CASE "lock mov (#UD)", 0, 2
    db 0xf0, 0x89, 0x04, 0x25       ; lock mov [SCRATCH_VA], eax
    dd SCRATCH_VA
ENDCASE
CASE "lea with a register operand (#UD)", 0, 2
    db 0x48, 0x8d, 0xc3
ENDCASE
CASE "instruction longer than 15 bytes (#GP)", 0, 2
    times 14 db 0x66
    db 0x05, 0x01, 0x00             ; add ax, 1 with 14 prefixes: 17 bytes
ENDCASE

CASE "read from an unmapped page (#PF, error U)", 0, 2
    mov rax, [GUARD_VA + 8]
ENDCASE
CASE "write to an unmapped page (#PF, error U|W)", 0, 2
    mov [GUARD_VA + 0x10], ebx
ENDCASE
CASE "write straddling into an unmapped page (#PF at the page, memory unchanged)", 0, 2
    mov [GUARD_VA - 4], rcx
ENDCASE
CASE "read straddling into an unmapped page", 0, 2
    mov rdx, [GUARD_VA - 2]
ENDCASE
CASE "push into an unmapped page (#PF)", 0, 2
    mov rsp, GUARD_VA + 0x100
    push rax
ENDCASE
CASE "rep movsb running into an unmapped page (#PF mid-way)", 0, 2
    cld
    SCRPTR rsi, 0
    mov rdi, GUARD_VA - 0x10
    mov ecx, 0x40
    rep movsb
ENDCASE
CASE "execute in a no-execute page (#PF, error U|I)", 0, 2
    mov byte [SCRATCH_VA + 0x100], 0xc3
    SCRPTR rax, 0x100
    call rax
ENDCASE
CASE "jump to an unmapped page (#PF on the fetch)", 0, 2
    mov rax, GUARD_VA + 0x40
    jmp rax
ENDCASE
CASE "non-canonical read (#GP(0))", 0, 2
    mov rax, 0x8000000000000000
    mov rbx, [rax]
ENDCASE
CASE "non-canonical write, just above the lower half (#GP(0))", 0, 2
    mov rax, 0x0000800000000000
    mov [rax], ebx
ENDCASE
CASE "access straddling the canonical boundary (#GP(0))", 0, 2
    mov rax, 0x00007ffffffffffc
    mov rbx, [rax]
ENDCASE
CASE "non-canonical stack (#SS(0))", 0, 2
    mov rsp, 0x8000000000000010
    push rax
ENDCASE
CASE "non-canonical [rbp] (#SS(0): RBP addresses the stack)", 0, 2
    mov rbp, 0x8000000000000010
    mov eax, [rbp]
ENDCASE
CASE "jump to a non-canonical address (#GP on the jump)", 0, 2
    mov rax, 0x8000000000001000
    jmp rax
ENDCASE
CASE "ret to a non-canonical address (#GP)", 0, 2
    mov rax, 0x0000800000000000
    push rax
    ret
ENDCASE

CASE "mov ds, a code selector (readable: allowed)", 0, 2
    mov eax, SEL_UCODE
    mov ds, eax
ENDCASE
CASE "mov ss, a code selector (#GP(selector))", 0, 2
    mov eax, SEL_UCODE
    mov ss, eax
ENDCASE
CASE "mov ds, past the GDT limit (#GP(selector))", 0, 2
    mov eax, 0x1234
    mov ds, eax
ENDCASE
CASE "mov ds, the kernel's data selector (#GP: DPL 0)", 0, 2
    mov eax, 0x18
    mov ds, eax
ENDCASE
CASE "mov ss, null (#GP(0) at CPL 3)", 0, 2
    xor eax, eax
    mov ss, eax
ENDCASE
CASE "mov es, the TSS selector (#GP(selector))", 0, 2
    mov eax, 0x40
    mov es, eax
ENDCASE
CASE "mov cs (#UD)", 0, 2
    db 0x8e, 0xc8
ENDCASE
CASE "pop ds (invalid in 64-bit mode: #UD)", 0, 2
    db 0x1f
ENDCASE

; alignment checking: CR0.AM (Linux sets it, and so does the guest) and
; RFLAGS.AC at CPL 3 (SDM Vol. 3, 6.15 Interrupt 17)
CASE "unaligned load with AC set (#AC(0))", 0, 2
    push 0x40202
    popfq
    mov eax, [SCRATCH_VA + 1]
ENDCASE
CASE "aligned load with AC set", 0, 2
    push 0x40202
    popfq
    mov eax, [SCRATCH_VA + 4]
    push 0x202
    popfq
ENDCASE
CASE "unaligned push with AC set (#AC(0))", 0, 2
    push 0x40202
    popfq
    sub rsp, 4
    push rax
ENDCASE

; near branches with 66 in 64-bit mode: Intel ignores the prefix (AMD
; does not)
CASE "o16 ret (66 C3)", 0, 2, NEED_INTEL
    call .f
    jmp .e
.f: db 0x66, 0xc3
.e:
ENDCASE
CASE "o16 jmp r/m (66 FF /4)", 0, 2, NEED_INTEL
    lea rax, [rel .t]
    db 0x66, 0xff, 0xe0
    mov ebx, 1
.t:
ENDCASE
CASE "o16 call r/m (66 FF /2)", 0, 2, NEED_INTEL
    lea rax, [rel .t]
    db 0x66, 0xff, 0xd0
    mov ebx, 1
.t: pop rcx
ENDCASE
CASE "jmp ptr16:32 (EA, invalid in 64-bit mode: #UD)", 0, 2
    db 0xea, 0, 0, 0, 0, 0x33, 0
ENDCASE

; LOCK where it is not allowed: #UD (SDM Vol. 2, LOCK)
CASE "lock bt m32, r32 (#UD)", 0, 2
    db 0xf0, 0x0f, 0xa3, 0x04, 0x25
    dd SCRATCH_VA
ENDCASE
CASE "lock cmp m32, r32 (#UD)", 0, 2
    db 0xf0, 0x39, 0x04, 0x25
    dd SCRATCH_VA
ENDCASE
CASE "lock xchg r32, r32 (#UD)", 0, 2
    db 0xf0, 0x87, 0xc3
ENDCASE
CASE "lock cmpxchg8b with a register operand (#UD)", 0, 2
    db 0xf0, 0x0f, 0xc7, 0xc8
ENDCASE
CASE "ud0 / ud1 (#UD)", 0, 2
    db 0x0f, 0xb9, 0xc0
ENDCASE
CASE "mov from dr7 at CPL 3 (#GP)", 0, 2
    mov rax, dr7
ENDCASE
CASE "mov to cr8 at CPL 3 (#GP)", 0, 2
    mov cr8, rax
ENDCASE
CASE "swapgs at CPL 3 (#GP)", 0, 2
    swapgs
ENDCASE
CASE "sysret at CPL 3 (#GP)", 0, 2
    o64 sysret
ENDCASE
CASE "clts at CPL 3 (#GP)", 0, 2
    clts
ENDCASE
CASE "invlpg at CPL 3 (#GP)", 0, 2
    invlpg [SCRATCH_VA]
ENDCASE
CASE "rdpmc at CPL 3 with CR4.PCE clear (#GP)", 0, 2
    xor ecx, ecx
    rdpmc
ENDCASE

; Segment instructions at CPL 3 against the host: LAR LSL VERR VERW on
; the selectors both GDTs share (layout.h: Linux's layout up to the TSS),
; far transfers within CPL 3 (JMP/CALL FAR through memory, RETF, IRETQ),
; LSS, PUSH FS/GS and reading the selectors. Never a load of FS or GS:
; the host's FS base is its thread pointer. Flags: all compared (LAR,
; LSL, VERR and VERW set ZF and leave the others alone).
%include "cases.inc"

; selectors both sides agree on: null, kernel code/data (DPL 0), user
; code 32/64 and data, the TSS, one past both GDTs, one in the LDT
%macro SELS 2                  ; name, macro doing it with the selector in CX
%assign i 0
%rep 10
%if i == 0
%define SEL 0x00
%elif i == 1
%define SEL 0x08
%elif i == 2
%define SEL 0x10
%elif i == 3
%define SEL 0x18
%elif i == 4
%define SEL 0x23
%elif i == 5
%define SEL 0x2b
%elif i == 6
%define SEL 0x33
%elif i == 7
%define SEL 0x40
%elif i == 8
%define SEL 0x1230
%else
%define SEL 0x0f
%endif
CASE {%1, " ", %str(SEL)}, 0, 2
    mov ecx, SEL
    mov rax, 0x1122334455667788
    %2
ENDCASE
%assign i i + 1
%endrep
%endmacro

; LAR's bits 19:16 are undefined (SDM Vol. 2, LAR): cleared after it,
; with the flags kept
%macro LAR_MASK 0
    pushfq
    and eax, 0xfff0ffff
    popfq
%endmacro
%macro DO_LAR 0
    lar rax, cx
    LAR_MASK
%endmacro
%macro DO_LAR32 0
    lar eax, cx
    LAR_MASK
%endmacro
%macro DO_LSL 0
    lsl rax, cx
%endmacro
%macro DO_LSL16 0
    lsl ax, cx
%endmacro
%macro DO_VERR 0
    verr cx
%endmacro
%macro DO_VERW 0
    verw cx
%endmacro
SELS "lar r64, r16", DO_LAR
SELS "lar r32, r16", DO_LAR32
SELS "lsl r64, r16", DO_LSL
SELS "lsl r16, r16", DO_LSL16
SELS "verr", DO_VERR
SELS "verw", DO_VERW

CASE "lar r32, m16", 0, 2
    mov word [SCRATCH_VA + 0x10], SEL_UCODE
    lar eax, [SCRATCH_VA + 0x10]
    LAR_MASK
ENDCASE
CASE "lar with RPL 3 on a DPL-3 selector's RPL-0 form", 0, 2
    mov ecx, SEL_UDATA & ~3
    lar eax, cx
    LAR_MASK
ENDCASE

CASE "mov r, sreg for every segment register", 0, 2
    mov eax, cs
    mov ebx, ss
    mov ecx, ds
    mov edx, es
    mov esi, fs
    mov edi, gs
ENDCASE
CASE "push fs / push gs", 0, 2
    push fs
    push gs
    pop rax
    pop rbx
ENDCASE
CASE "push fs (16-bit)", 0, 2
    db 0x66, 0x0f, 0xa0
    pop ax
ENDCASE

CASE "jmp far m16:64 to the user code selector", 0, 2
    lea rax, [rel .t]
    mov [SCRATCH_VA + 0x20], rax
    mov word [SCRATCH_VA + 0x28], SEL_UCODE
    jmp far [SCRATCH_VA + 0x20]     ; REX.W FF /5
    mov ebx, 1
.t: mov ecx, 2
ENDCASE
CASE "jmp far m16:32", 0, 2
    lea rax, [rel .t]
    mov [SCRATCH_VA + 0x30], eax
    mov word [SCRATCH_VA + 0x34], SEL_UCODE
    db 0xff, 0x2c, 0x25             ; jmp far dword [SCRATCH_VA + 0x30]
    dd SCRATCH_VA + 0x30
    mov ebx, 1
.t: mov ecx, 2
ENDCASE
CASE "call far m16:64, retf", 0, 2
    lea rax, [rel .f]
    mov [SCRATCH_VA + 0x40], rax
    mov word [SCRATCH_VA + 0x48], SEL_UCODE
    call far [SCRATCH_VA + 0x40]
    jmp .end
.f: mov rdx, [rsp]
    mov rsi, [rsp + 8]
    retfq
.end:
ENDCASE
CASE "call far m16:32, retf (32-bit)", 0, 2
    lea rax, [rel .f]
    mov [SCRATCH_VA + 0x50], eax
    mov word [SCRATCH_VA + 0x54], SEL_UCODE
    db 0xff, 0x1c, 0x25             ; call far dword [SCRATCH_VA + 0x50]
    dd SCRATCH_VA + 0x50
    jmp .end
.f: mov edx, [rsp]
    mov esi, [rsp + 4]
    db 0xcb                         ; retf (32-bit operands)
.end:
ENDCASE
CASE "retf imm16", 0, 2
    lea rax, [rel .t]
    push SEL_UCODE
    push rax
    db 0x48, 0xca, 0x10, 0x00       ; retfq 16
    nop
.t: mov ebx, 3
ENDCASE
CASE "jmp far to a data selector (#GP(selector))", 0, 2
    lea rax, [rel .t]
    mov [SCRATCH_VA + 0x60], rax
    mov word [SCRATCH_VA + 0x68], SEL_UDATA
    jmp far [SCRATCH_VA + 0x60]
.t:
ENDCASE
CASE "jmp far to the kernel's code selector (#GP(selector))", 0, 2
    lea rax, [rel .t]
    mov [SCRATCH_VA + 0x60], rax
    mov word [SCRATCH_VA + 0x68], SEL_KCODE
    jmp far [SCRATCH_VA + 0x60]
.t:
ENDCASE
CASE "iretq to CPL 3 (same privilege), new RSP and flags", 0, 2
    lea rax, [rel .t]
    mov rbx, rsp
    push SEL_UDATA
    lea rcx, [rbx - 0x100]
    push rcx
    push 0x8d7                      ; flags: CF PF AF ZF SF OF (and IF kept)
    push SEL_UCODE
    push rax
    iretq
.t: mov rdx, rsp
    mov rsp, rbx
ENDCASE
CASE "iretq with a null SS at CPL 3 (#GP)", 0, 2
    lea rax, [rel .t]
    mov rbx, rsp
    push 0
    push rbx
    push 0x202
    push SEL_UCODE
    push rax
    iretq
.t:
ENDCASE
CASE "iretd (32-bit frame) to CPL 3", 0, 2
    lea rax, [rel .t]
    mov rbx, rsp
    sub rsp, 0x40
    mov dword [rsp], eax
    mov dword [rsp + 4], SEL_UCODE
    mov dword [rsp + 8], 0x246
    mov dword [rsp + 12], ebx
    mov dword [rsp + 16], SEL_UDATA
    iretd
.t: mov rdx, rsp
ENDCASE
CASE "lss rsp, m16:64", 0, 2
    mov rax, STACK_TOP - 0x80
    mov [SCRATCH_VA + 0x70], rax
    mov word [SCRATCH_VA + 0x78], SEL_UDATA
    lss rsp, [SCRATCH_VA + 0x70]
    push rcx
ENDCASE
CASE "lss with a null selector (#GP(0) at CPL 3)", 0, 2
    mov qword [SCRATCH_VA + 0x70], 0x100
    mov word [SCRATCH_VA + 0x78], 0
    lss rax, [SCRATCH_VA + 0x70]
ENDCASE
CASE "lds (invalid in 64-bit mode: #UD)", 0, 2
    db 0xc5, 0x04, 0x25             ; in 64-bit mode C5 is the VEX prefix
    dd SCRATCH_VA
ENDCASE

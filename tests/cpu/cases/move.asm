; MOV in its forms, MOVZX MOVSX MOVSXD, the CBW and CWD families, CMOVcc
; and SETcc on all 16 conditions, XCHG XADD CMPXCHG CMPXCHG8B/16B, LEA
; with every addressing form (RIP-relative, SIB, no base, RBP/R13 and
; RSP/R12 bases), the address-size prefix 67, LAHF and SAHF.
; Flags: all defined (the moves change none; XADD and CMPXCHG set them
; as ADD and CMP do; CMPXCHG8B/16B set only ZF).
%include "cases.inc"

CASE "mov r8, imm8 / r8h", 0
    mov al, 0x80
    mov bh, 0x7f
    mov r9b, 0xff
    mov sil, 1
ENDCASE
CASE "mov r16, imm16 (upper bits kept)", 0
    mov ax, 0x8000
    mov r10w, 0xffff
ENDCASE
CASE "mov r32, imm32 (zero-extends)", 0
    mov eax, 0x80000000
    mov r11d, 0xffffffff
ENDCASE
CASE "mov r64, imm64", 0
    mov rax, 0x8000000000000001
    mov r12, 0x123456789abcdef0
ENDCASE
CASE "mov r/m64, imm32 (sign-extends)", 0
    mov rbx, strict dword -2
    mov qword [SCRATCH_VA + 0x10], -0x80000000
ENDCASE
CASE "mov r8, r8h / r8h, r8", 0
    mov al, ch
    mov dh, bl
    mov ah, ah
ENDCASE
CASE "mov r8 rex, r8 rex", 0
    mov sil, dil
    mov r15b, bpl
ENDCASE
CASE "mov r16/r32/r64 between registers", 0
    mov cx, r8w
    mov edx, r9d
    mov rsi, r10
    mov edi, edi
ENDCASE
CASE "mov r, m and m, r in every size", 0
    mov al, [SCRATCH_VA + 0x20]
    mov bh, [RSCR(0x21)]
    mov cx, [SCRATCH_VA + 0x22]
    mov edx, [SCRATCH_VA + 0x24]
    mov r8, [RSCR(0x28)]
    mov [SCRATCH_VA + 0x30], r9b
    mov [RSCR(0x31)], ah
    mov [SCRATCH_VA + 0x32], r10w
    mov [SCRATCH_VA + 0x34], r11d
    mov [RSCR(0x38)], r12
ENDCASE
CASE "mov al/ax/eax/rax, moffs64 and back (A0-A3)", 0
    mov al, [qword SCRATCH_VA + 0x40]
    mov ax, [qword SCRATCH_VA + 0x41]
    mov eax, [qword SCRATCH_VA + 0x43]
    mov rax, [qword SCRATCH_VA + 0x47]
    mov [qword SCRATCH_VA + 0x50], al
    mov [qword SCRATCH_VA + 0x51], ax
    mov [qword SCRATCH_VA + 0x53], eax
    mov [qword SCRATCH_VA + 0x57], rax
ENDCASE
CASE "mov m8/m16/m32/m64, imm", 0
    mov byte [SCRATCH_VA + 0x60], 0x80
    mov word [RSCR(0x61)], 0x8001
    mov dword [SCRATCH_VA + 0x63], 0xdeadbeef
    mov qword [RSCR(0x67)], 0x7fffffff
ENDCASE
CASE "mov r32, sreg / mov r16, sreg / mov m16, sreg", 0
    mov eax, cs
    mov bx, ss
    mov rcx, ds
    mov [SCRATCH_VA + 0x70], ss
    mov dx, es
ENDCASE
CASE "mov ss and ds from the user data selector", 0
    mov eax, SEL_UDATA
    mov ss, eax
    mov ds, ax
    mov es, ax
ENDCASE

CASE "movzx r16/r32/r64, r8 and r8h", 0
    movzx ax, bl
    movzx ecx, dh
    movzx r8, r9b
    movzx esi, ah
ENDCASE
CASE "movzx r32/r64, r16 and m16", 0
    movzx edi, r10w
    movzx r11, word [SCRATCH_VA + 0x80]
    movzx ebp, byte [RSCR(0x82)]
ENDCASE
CASE "movsx r16/r32/r64, r8 and r8h", 0
    movsx ax, bl
    movsx ecx, dh
    movsx r8, r9b
    movsx esi, ah
ENDCASE
CASE "movsx r32/r64, r16 and m16, movsxd", 0
    movsx edi, r10w
    movsx r11, word [SCRATCH_VA + 0x84]
    movsxd r12, r13d
    movsxd r14, dword [RSCR(0x88)]
    movsx bp, byte [SCRATCH_VA + 0x8c]
ENDCASE
CASE "movsxd r32, r/m32 (no REX.W: a plain move)", 0
    db 0x63, 0xc3                   ; movsxd eax, ebx
ENDCASE

CASE "cbw", 0
    cbw
ENDCASE
CASE "cwde", 0
    cwde
ENDCASE
CASE "cdqe", 0
    cdqe
ENDCASE
CASE "cwd", 0
    cwd
ENDCASE
CASE "cdq", 0
    cdq
ENDCASE
CASE "cqo", 0
    cqo
ENDCASE

; all 16 conditions, on random flags
%macro CONDS 1
%assign cc 0
%rep 16
CASE {%str(%1), " cc=", %str(cc)}, 0, 24
%if %1 == 1
    db 0x0f, 0x40 + cc, 0xc3            ; cmovcc eax, ebx
    db 0x48, 0x0f, 0x40 + cc, 0xca      ; cmovcc rcx, rdx
    db 0x66, 0x0f, 0x40 + cc, 0xf7      ; cmovcc si, di
    db 0x4c, 0x0f, 0x40 + cc, 0x04, 0x25 ; cmovcc r8, [SCRATCH_VA + 0x90]
    dd SCRATCH_VA + 0x90
%else
    db 0x0f, 0x90 + cc, 0xc0            ; setcc al
    db 0x0f, 0x90 + cc, 0xc7            ; setcc bh
    db 0x41, 0x0f, 0x90 + cc, 0xc1      ; setcc r9b
    db 0x0f, 0x90 + cc, 0x04, 0x25      ; setcc [SCRATCH_VA + 0x98]
    dd SCRATCH_VA + 0x98
%endif
ENDCASE
%assign cc cc + 1
%endrep
%endmacro
CONDS 1
CONDS 2

CASE "xchg r8, r8h / r16 / r32 / r64", 0
    xchg al, ch
    xchg dx, r8w
    xchg esi, edi
    xchg r9, r10
ENDCASE
CASE "xchg eax, r32 (90+r zero-extends)", 0
    xchg eax, ebx
    xchg eax, r12d
ENDCASE
CASE "xchg rax, r64 (90+r)", 0
    xchg rax, rcx
    xchg rax, r15
ENDCASE
CASE "nop (90) does not zero-extend eax", 0
    nop
    db 0x66, 0x90
    db 0x0f, 0x1f, 0x44, 0x00, 0x00 ; nop dword [rax + rax]
ENDCASE
CASE "xchg r, m (implicitly locked)", 0
    xchg [SCRATCH_VA + 0x100], bl
    xchg [RSCR(0x102)], cx
    xchg edx, [SCRATCH_VA + 0x104]
    xchg [SCRATCH_VA + 0x108], r11
ENDCASE

CASE "xadd r8, r8", 0
    xadd al, bl
ENDCASE
CASE "xadd r8h, r8", 0
    xadd ah, dl
ENDCASE
CASE "xadd r16, r16", 0
    xadd cx, si
ENDCASE
CASE "xadd r32, r32", 0
    xadd edi, ebp
ENDCASE
CASE "xadd r64, r64", 0
    xadd r8, r9
ENDCASE
CASE "xadd r64, same", 0
    xadd r10, r10
ENDCASE
CASE "lock xadd m32, r32", 0
    lock xadd [SCRATCH_VA + 0x110], r11d
ENDCASE
CASE "xadd m64, r64", 0
    xadd [RSCR(0x118)], r12
ENDCASE
CASE "xadd m16, r16", 0
    xadd [SCRATCH_VA + 0x11e], r13w
ENDCASE

; CMPXCHG: random accumulators rarely match, so half the cases copy the
; destination into it first
%macro CMPX 0
CASE "cmpxchg r8, r8 (random)", 0
    cmpxchg bl, cl
ENDCASE
CASE "cmpxchg r8, r8 (equal)", 0
    mov al, bl
    cmpxchg bl, cl
ENDCASE
CASE "cmpxchg r8h, r8 (equal)", 0
    mov al, bh
    cmpxchg bh, dl
ENDCASE
CASE "cmpxchg r16, r16 (random)", 0
    cmpxchg si, di
ENDCASE
CASE "cmpxchg r16, r16 (equal)", 0
    mov ax, si
    cmpxchg si, di
ENDCASE
CASE "cmpxchg r32, r32 (random: eax zero-extended)", 0
    cmpxchg r8d, r9d
ENDCASE
CASE "cmpxchg r32, r32 (equal)", 0
    mov eax, r8d
    cmpxchg r8d, r9d
ENDCASE
CASE "cmpxchg r64, r64 (random)", 0
    cmpxchg r10, r11
ENDCASE
CASE "cmpxchg r64, r64 (equal)", 0
    mov rax, r10
    cmpxchg r10, r11
ENDCASE
CASE "cmpxchg eax, r32 (destination is the accumulator)", 0
    cmpxchg eax, ebx
ENDCASE
CASE "lock cmpxchg m32, r32 (random)", 0
    lock cmpxchg [SCRATCH_VA + 0x120], ecx
ENDCASE
CASE "lock cmpxchg m32, r32 (equal)", 0
    mov eax, [SCRATCH_VA + 0x120]
    lock cmpxchg [SCRATCH_VA + 0x120], ecx
ENDCASE
CASE "cmpxchg m64, r64 (equal)", 0
    mov rax, [RSCR(0x128)]
    cmpxchg [RSCR(0x128)], rdx
ENDCASE
CASE "cmpxchg m8, r8 (random)", 0
    cmpxchg [SCRATCH_VA + 0x130], bh
ENDCASE
CASE "cmpxchg8b (random)", 0
    cmpxchg8b [SCRATCH_VA + 0x138]
ENDCASE
CASE "cmpxchg8b (equal)", 0
    mov eax, [SCRATCH_VA + 0x138]
    mov edx, [SCRATCH_VA + 0x13c]
    lock cmpxchg8b [SCRATCH_VA + 0x138]
ENDCASE
CASE "cmpxchg16b (random)", 0, RUNS, NEED_CX16
    cmpxchg16b [SCRATCH_VA + 0x140]
ENDCASE
CASE "cmpxchg16b (equal)", 0, RUNS, NEED_CX16
    mov rax, [SCRATCH_VA + 0x140]
    mov rdx, [SCRATCH_VA + 0x148]
    lock cmpxchg16b [SCRATCH_VA + 0x140]
ENDCASE
CASE "cmpxchg16b misaligned (#GP)", 0, 4, NEED_CX16
    cmpxchg16b [SCRATCH_VA + 0x158]
ENDCASE
%endmacro
CMPX

; LEA: every ModR/M and SIB form; random registers, so the sums wrap
CASE "lea [base]", 0
    lea rax, [rbx]
    lea rcx, [r12]                  ; SIB required
    lea rdx, [r13]                  ; disp8 required
    lea rsi, [rsp]
    lea rdi, [rbp]
ENDCASE
CASE "lea [base + disp8/disp32]", 0
    lea rax, [rbx - 0x80]
    lea rcx, [rsi + 0x7f]
    lea rdx, [rdi + 0x12345678]
    lea r8, [r9 - 0x80000000]
ENDCASE
CASE "lea [base + index * scale + disp]", 0
    lea rax, [rbx + rcx]
    lea rdx, [rsi + rdi * 2 + 1]
    lea r8, [r9 + r10 * 4 - 0x100]
    lea r11, [r12 + r13 * 8 + 0x7fffffff]
    lea r14, [rbp + r15 * 8]
ENDCASE
CASE "lea [index * scale + disp32] (no base)", 0
    lea rax, [nosplit rcx * 2]
    lea rdx, [rsi * 4 + 0x10]
    lea rdi, [r8 * 8 - 1]
    lea r9, [nosplit rbx * 1 + 0]
ENDCASE
CASE "lea [disp32] (SIB, no base, no index)", 0
    db 0x48, 0x8d, 0x04, 0x25, 0x78, 0x56, 0x34, 0x12  ; lea rax, [0x12345678]
    db 0x48, 0x8d, 0x0c, 0x25, 0x00, 0x00, 0x00, 0x80  ; lea rcx, [-0x80000000]
ENDCASE
CASE "lea [rip + disp32]", 0
    lea rax, [rel CASE_START]
    lea rbx, [rel CASE_END]
    lea rcx, [RSCR(0x123)]
ENDCASE
CASE "lea with rsp as the index (REX.X: r12)", 0
    lea rax, [rbx + r12 * 2]
    db 0x48, 0x8d, 0x04, 0x63                          ; lea rax, [rbx] (index 100: none)
ENDCASE
CASE "lea r32 and r16 (operand size truncates)", 0
    lea eax, [rbx + rcx * 4 + 8]
    lea dx, [rsi + rdi]
    lea r8d, [r9 - 1]
ENDCASE
CASE "lea with address size 32 (67)", 0
    lea eax, [ebx + ecx * 4 + 8]
    lea rdx, [esi + edi]
    lea r8, [r9d - 1]
    lea r10w, [r11d + r12d * 8]
    db 0x67, 0x48, 0x8d, 0x2c, 0x25, 0x21, 0x43, 0x65, 0x87 ; lea rbp, [0x87654321] (a32)
ENDCASE
CASE "lea [eip + disp32] (67 with RIP-relative)", 0
    db 0x67, 0x48, 0x8d, 0x05, 0x00, 0x00, 0x00, 0x00  ; lea rax, [eip + 0]
ENDCASE

; memory accesses with address size 32: the upper half of the base and
; index is ignored and the sum wraps at 4 GiB
CASE "mov with 67: upper half of the base ignored", 0
    mov rbx, 0xdead000000000000 | (SCRATCH_VA + 0x200)
    mov eax, [ebx + 8]
    mov [ebx + 0x10], ecx
ENDCASE
CASE "mov with 67: the sum wraps at 4 GiB", 0
    mov ebx, 0xf0000000
    mov esi, 0x20010000 + 0x200 - 0x10000000 + 0x10000000
    mov eax, [ebx + esi]            ; 0x1_1001_0200 -> 0x1001_0200
    mov ecx, 0x80000000
    mov edx, [ecx * 2 + SCRATCH_VA + 0x204]
ENDCASE
CASE "mov with 67: [eip + disp32]", 0
    db 0x67, 0x8b, 0x05             ; mov eax, [eip + disp32]
    dd SCRATCH_VA - CODE_VA - 7 + 0x208
ENDCASE
CASE "string op with 67 uses esi/edi/ecx", 0
    mov rsi, 0x5555000000000000 | (SCRATCH_VA + 0x300)
    mov rdi, 0xaaaa000000000000 | (SCRATCH_VA + 0x380)
    mov rcx, 0x1234000000000010
    cld
    a32 rep movsb
ENDCASE

CASE "lahf", 0
    lahf
ENDCASE
CASE "sahf", 0
    sahf
ENDCASE
CASE "sahf then lahf", 0
    sahf
    mov bl, ah
    not ah
    lahf
ENDCASE

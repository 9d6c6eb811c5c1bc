; SHA-256's compression function (FIPS 180-4 6.2.2) on the SHA extensions
; (SDM Vol. 2: SHA256RNDS2, SHA256MSG1, SHA256MSG2), for sha256.c, which
; calls it only when CPUID reports SHA, SSSE3 and SSE4.1. One file for the
; guest (assembled with the kernel) and the host's netharness.
;
; void sha256_ni_blocks(uint32_t h[8], const uint8_t *p, size_t nblocks)
; System V: RDI = h, RSI = p (64-byte blocks, any alignment), RDX = count.
; Uses XMM0-XMM10, all caller-saved; the guest kernel is built with
; -mgeneral-regs-only, so no compiled code has XMM state to keep.

default rel

section .rodata
align 16
; K[0..63], FIPS 180-4 4.2.2
round_k:
    dd 0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5
    dd 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5
    dd 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3
    dd 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174
    dd 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc
    dd 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da
    dd 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7
    dd 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967
    dd 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13
    dd 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85
    dd 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3
    dd 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070
    dd 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5
    dd 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3
    dd 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208
    dd 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
; PSHUFB control: each dword's bytes reversed (the message words are
; big-endian, 3.1)
bswap32:
    db 3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12

; Registers. SHA256RNDS2 takes the state split in two: its destination
; holds C, D, G, H and its source A, B, E, F (dwords 3 down to 0), XMM0
; the two rounds' W + K in its low quadword, and leaves the new A, B, E, F
; in the destination. Two rounds later the old A, B, E, F are the new C,
; D, G, H, so the two registers swap roles every call.
%define WK      xmm0
%define ABEF    xmm1
%define CDGH    xmm2
%define TMP     xmm7
%define BSWAP   xmm8
%define ABEF0   xmm9                  ; the state before this block
%define CDGH0   xmm10

; Four rounds, 4*%1 to 4*%1+3, with the message words in %2 (W[4i] in
; dword 0). Leaves ABEF and CDGH as they were found.
%macro ROUNDS4 2
    movdqa WK, %2
    paddd WK, [round_k + 16 * (%1)]
    sha256rnds2 CDGH, ABEF            ; rounds 4i, 4i+1: CDGH := new ABEF
    pshufd WK, WK, 0x0e               ; W + K of rounds 4i+2, 4i+3, low
    sha256rnds2 ABEF, CDGH            ; ABEF (now C, D, G, H) := new ABEF
%endmacro

; The schedule (6.2.2 step 1): %1 holds W[t-16..t-13] and becomes
; W[t..t+3]; %2 = W[t-12..t-9], %3 = W[t-8..t-5], %4 = W[t-4..t-1].
; SHA256MSG1 adds sigma0 of the next word to each, PALIGNR gives
; W[t-7..t-4], SHA256MSG2 adds sigma1 of W[t-2] and W[t-1] (and of the
; first two results, for the last two).
%macro SCHEDULE4 4
    sha256msg1 %1, %2
    movdqa TMP, %4
    palignr TMP, %3, 4
    paddd %1, TMP
    sha256msg2 %1, %4
%endmacro

section .text
global sha256_ni_blocks
sha256_ni_blocks:
    test rdx, rdx
    jz .out
    ; h[0..7] = A..H to the two halves: ABEF = A, B, E, F and
    ; CDGH = C, D, G, H, dwords 3 down to 0
    movdqu ABEF, [rdi]                ; D C B A (dwords 3..0)
    movdqu CDGH, [rdi + 16]           ; H G F E
    pshufd ABEF, ABEF, 0xb1           ; C D A B
    pshufd CDGH, CDGH, 0x1b           ; E F G H
    movdqa TMP, ABEF
    palignr ABEF, CDGH, 8             ; A B E F
    pblendw CDGH, TMP, 0xf0           ; C D G H
    movdqa BSWAP, [bswap32]
.block:
    movdqa ABEF0, ABEF
    movdqa CDGH0, CDGH
    movdqu xmm3, [rsi]
    pshufb xmm3, BSWAP
    movdqu xmm4, [rsi + 16]
    pshufb xmm4, BSWAP
    movdqu xmm5, [rsi + 32]
    pshufb xmm5, BSWAP
    movdqu xmm6, [rsi + 48]
    pshufb xmm6, BSWAP
    ROUNDS4 0, xmm3
    ROUNDS4 1, xmm4
    ROUNDS4 2, xmm5
    ROUNDS4 3, xmm6
    ; W[16..63], four at a time in xmm3..xmm6 in turn
%assign i 4
%rep 3
    SCHEDULE4 xmm3, xmm4, xmm5, xmm6
    ROUNDS4 i, xmm3
    SCHEDULE4 xmm4, xmm5, xmm6, xmm3
    ROUNDS4 i + 1, xmm4
    SCHEDULE4 xmm5, xmm6, xmm3, xmm4
    ROUNDS4 i + 2, xmm5
    SCHEDULE4 xmm6, xmm3, xmm4, xmm5
    ROUNDS4 i + 3, xmm6
%assign i i + 4
%endrep
    paddd ABEF, ABEF0                 ; 6.2.2 step 4
    paddd CDGH, CDGH0
    add rsi, 64
    dec rdx
    jnz .block
    ; back to A..H in order
    pshufd ABEF, ABEF, 0x1b           ; F E B A
    pshufd CDGH, CDGH, 0xb1           ; D C H G
    movdqa TMP, ABEF
    pblendw ABEF, CDGH, 0xf0          ; D C B A
    palignr CDGH, TMP, 8              ; H G F E
    movdqu [rdi], ABEF
    movdqu [rdi + 16], CDGH
.out:
    ret

section .note.GNU-stack noalloc noexec nowrite progbits

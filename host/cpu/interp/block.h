/*
 * The block cache: runs of decoded instructions, so that the run loop
 * decodes an instruction once and, each time it runs, pays for one
 * lookup per block rather than per instruction.
 *
 * A block is the instructions from one RIP up to the first that ends a
 * block (X86_OP_SYS, X86_OP_END: branches, events, what can set TF, RF
 * or the interrupt shadow, HLT, string instructions), at most
 * X86_BLOCK_INSNS of them and X86_BLOCK_BYTES bytes, all in one page
 * (and within CS's limit). It is found by the host address of its first
 * byte and kept with a copy of its bytes, the RIP and the mode it was
 * decoded for; a lookup uses it only if all still match, so code written
 * since, a page mapped elsewhere or another mode simply miss, as the
 * per-instruction cache before it did.
 *
 * Comparing the bytes is needed only if they may have changed since the
 * last time: a block checked by a CPU carries the CPU and x86_code_epoch,
 * and the epoch moves when the CPU writes a page of checked blocks (a
 * small filter of their host pages, code_pages: a page pushed out of it
 * moves the epoch too), when a device is accessed (it may write RAM), and
 * when x86_run starts (anything may have written RAM in between).
 *
 * The run loop leaves a block early after an instruction that asked
 * x86_run to stop or accessed a device, or that wrote the block's own
 * bytes (x86_code_written), so the next one is decoded from what is
 * there now.
 *
 * Only the first instruction is decoded as the fetch would (faulting);
 * the rest are decoded ahead with d->probe, and a block stops before one
 * that would fault or needs bytes from the next page, which then starts
 * a block of its own: one instruction, whose bytes on the next page are
 * fetched through x86_fetch_ptr each time (faulting as its fetch would),
 * and compared unless they are where they were in the same epoch.
 */
#ifndef HOST_CPU_INTERP_BLOCK_H
#define HOST_CPU_INTERP_BLOCK_H

#include "cpu/interp/decode.h"
#include "cpu/interp/sys_internal.h"

#define X86_BLOCK_INSNS 16
#define X86_BLOCK_BYTES 128

struct x86_block {
    const uint8_t *at;      /* host address of the first byte; NULL: not
                             * cached (code that is not RAM) */
    uint64_t epoch;         /* x86_code_epoch when cpu last checked it (0 for
                             * one crossing a page: x86_block_get checks) */
    const struct x86_cpu *cpu;
    uint64_t tail_epoch;    /* one crossing a page: epoch of its last check, */
    const uint8_t *tail_at; /* and the host address its bytes there had */
    uint64_t rip;           /* RIP of the first instruction */
    struct x86_insn *insn;  /* the instructions (block.c's arena) */
    uint8_t *bytes;         /* and the bytes compared, after them */
    uint8_t mode;           /* code64 * 2 + code32 when decoded */
    uint8_t n;              /* instructions */
    uint16_t nbytes;        /* their bytes */
    uint16_t head;          /* of them in the first page: nbytes, but for an
                             * instruction that crosses into the next */
    uint16_t ncmp;          /* bytes compared at at: head, rounded up to 8
                             * where the page allows; then the rest of an
                             * instruction that crosses into the next */
};

#define X86_BLOCK_SLOTS 2048

/* Direct-mapped by the host address of the first byte; per thread, as
 * every x86_cpu of a thread can share it (an entry matches only the
 * bytes, RIP and mode it was decoded from). Allocated, with the arena,
 * by x86_run when the thread first runs a CPU: zero pages, touched only
 * as they are used. */
extern _Thread_local struct x86_block *x86_blocks;
void x86_blocks_alloc(void);

static inline uint8_t x86_block_mode(const struct x86_cpu *c)
{
    return (uint8_t)(c->code64 * 2 + c->code32);
}

/* The block at c->rip, whose bytes are at p, n of them readable there
 * (to the end of the page or CS's limit; p NULL: not RAM), found or
 * decoded. Faults as fetching and decoding the first instruction does. */
struct x86_block *x86_block_get(struct x86_cpu *c, const uint8_t *p, unsigned n);

/* The same, inline when the block was checked in this epoch. */
static inline struct x86_block *x86_block_find(struct x86_cpu *c, const uint8_t *p, unsigned n)
{
    uintptr_t a = (uintptr_t)p;
    struct x86_block *b = &x86_blocks[(a ^ (a >> 11)) % X86_BLOCK_SLOTS];
    if (__builtin_expect(b->at == p && b->epoch == x86_code_epoch && b->cpu == c &&
                         b->rip == c->rip && b->mode == x86_block_mode(c) && b->head <= n, 1))
        return b;
    return x86_block_get(c, p, n);
}

#endif

/* The block cache (see block.h): lookup, the check against the bytes in
 * memory now, and decoding a block. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cpu/interp/block.h"
#include "cpu/interp/exec.h"

_Thread_local struct x86_block *x86_blocks;
_Thread_local uint64_t x86_code_epoch = 1;
/* for code that is not RAM: decoded each time */
static _Thread_local struct x86_block uncached;

/* Every block's instructions and bytes, taken in turn from one arena
 * that starts over, every block forgotten, when it is full. */
#define ARENA_SIZE (4u << 20)
#define BLOCK_SPACE (X86_BLOCK_INSNS * sizeof(struct x86_insn) + X86_BLOCK_BYTES + 16)
static _Thread_local uint8_t *arena;
static _Thread_local size_t arena_used;

static inline struct x86_block *slot(const uint8_t *p)
{
    uintptr_t a = (uintptr_t)p;
    return &x86_blocks[(a ^ (a >> 11)) % X86_BLOCK_SLOTS];
}

void x86_blocks_alloc(void)
{
    x86_blocks = calloc(X86_BLOCK_SLOTS, sizeof *x86_blocks);
    arena = calloc(1, ARENA_SIZE);
    if (!x86_blocks || !arena) {
        fprintf(stderr, "x86: out of memory for the block cache\n");
        abort();
    }
}

static void forget_all(void)
{
    for (unsigned i = 0; i < X86_BLOCK_SLOTS; i++)
        x86_blocks[i].at = NULL;
    arena_used = 0;
}

/* A host page of checked code goes into the filter; one it pushes out
 * leaves blocks unwatched, so the epoch moves. */
static inline void watch_page(struct x86_cpu *c, uintptr_t pg)
{
    uintptr_t *s = &c->code_pages[pg % X86_CODE_PAGES];
    if (*s != pg) {
        if (*s)
            x86_code_epoch++;
        *s = pg;
    }
}

/* b matches memory now: it need not be compared again in this epoch.
 * One crossing a page has the bytes there at q. */
static inline void checked(struct x86_cpu *c, struct x86_block *b, const uint8_t *q)
{
    uintptr_t a = (uintptr_t)b->at;
    watch_page(c, a >> 12);
    if (X86_RARE((a ^ (a + b->head - 1)) >> 12))
        watch_page(c, (a + b->head - 1) >> 12);
    b->cpu = c;
    if (b->head == b->nbytes) {
        b->epoch = x86_code_epoch;
        return;
    }
    uintptr_t t = (uintptr_t)q;
    watch_page(c, t >> 12);
    watch_page(c, (t + b->nbytes - b->head - 1) >> 12);
    b->tail_at = q;
    b->tail_epoch = x86_code_epoch;
}

static inline uint64_t word(const uint8_t *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

/* ncmp bytes, in words: the last one overlaps the one before it when
 * ncmp is not a multiple of 8 (the end of a page) */
static inline bool same_bytes(const struct x86_block *b, const uint8_t *p)
{
    unsigned n = b->ncmp, i = 0;
    if (n < 8)
        return !memcmp(b->bytes, p, n);
    uint64_t diff = 0;
    for (; i + 8 < n; i += 8)
        diff |= word(b->bytes + i) ^ word(p + i);
    return !(diff | (word(b->bytes + n - 8) ^ word(p + n - 8)));
}

/* The CS offset n bytes on from rip. */
static inline uint64_t next_page(const struct x86_cpu *c, uint64_t rip, unsigned n)
{
    return c->code64 ? rip + n : (uint32_t)(rip + n);
}

/* Decodes into b the instructions from c->rip on (see block.h). */
static __attribute__((noinline)) void build(struct x86_cpu *c, struct x86_block *b,
                                            const uint8_t *p, unsigned n)
{
    unsigned off = 0, i = 0;
    uint64_t rip = c->rip;

    if (arena_used + BLOCK_SPACE > ARENA_SIZE)
        forget_all();
    b->at = NULL;       /* until it is whole: the first decode may fault */
    b->epoch = b->tail_epoch = 0;
    b->rip = rip;
    b->mode = x86_block_mode(c);
    b->insn = (struct x86_insn *)(arena + arena_used);
    for (;;) {
        struct x86_insn *d = &b->insn[i];
        unsigned room = n - off;
        if (i && room > X86_BLOCK_BYTES - off)
            room = X86_BLOCK_BYTES - off;
        d->code = p ? p + off : NULL;
        d->avail = room < X86_MAX_INSN ? room : X86_MAX_INSN;
        d->probe = i > 0;
        if (!x86_decode(c, d, rip))
            break;
        x86_exec_fn *fast = x86_fast_fn(c, d);
        if (fast)
            d->fn = fast;
        off += d->len;
        rip = d->next_rip;
        i++;
        if (d->end || i == X86_BLOCK_INSNS || off >= n || off >= X86_BLOCK_BYTES)
            break;
    }
    b->n = (uint8_t)i;
    if (!p)
        return;         /* not kept: its arena space is not taken */
    b->nbytes = (uint16_t)off;
    b->bytes = (uint8_t *)(b->insn + i);
    if (off > n) {
        /* one instruction, into the next page: its bytes there were just
         * fetched, so asking for them again cannot fault */
        unsigned m, tail = off - n;
        const uint8_t *q = x86_fetch_ptr(c, next_page(c, c->rip, n), &m);
        if (!q || m < tail)
            return;     /* not RAM there: not kept */
        b->tail_at = q;
        b->head = b->ncmp = (uint16_t)n;
        memcpy(b->bytes, p, n);
        memcpy(b->bytes + n, q, tail);
    } else {
        unsigned cmp = (off + 7) & ~7u;
        b->head = (uint16_t)off;
        b->ncmp = (uint16_t)(cmp < n ? cmp : n);
        memcpy(b->bytes, p, b->ncmp);
    }
    b->at = p;
    arena_used = ((size_t)(b->bytes - arena) + b->ncmp + (off - b->head) + 7) & ~(size_t)7;
}

/* Where the rest of an instruction that crosses a page is now, fetched
 * as its fetch would be (the exec TLB's hit of 64-bit code inline: see
 * run.c), NULL if not RAM or not all of it. */
static const uint8_t *tail_now(struct x86_cpu *c, const struct x86_block *b)
{
    uint64_t off = next_page(c, b->rip, b->head);
    unsigned m, tail = b->nbytes - b->head;
    if (c->code64) {
        const struct x86_tlb_entry *e = x86_tlb_slot(c, off, X86_EXEC);
        if (e->tag == x86_tlb_tag(c, off, X86_EXEC) && e->host)
            return e->host + (off & 0xfff);
    }
    const uint8_t *q = x86_fetch_ptr(c, off, &m);
    return q && m >= tail ? q : NULL;
}

struct x86_block *x86_block_get(struct x86_cpu *c, const uint8_t *p, unsigned n)
{
    struct x86_block *b = p ? slot(p) : &uncached;
    if (b->at == p && p && b->rip == c->rip && b->mode == x86_block_mode(c) && b->head <= n) {
        if (b->head == b->nbytes) {
            if (same_bytes(b, p)) {
                checked(c, b, NULL);
                return b;
            }
        } else if (b->head == n) {
            const uint8_t *q = tail_now(c, b);
            if (q && q == b->tail_at && b->tail_epoch == x86_code_epoch && b->cpu == c)
                return b;
            if (q && same_bytes(b, p) && !memcmp(q, b->bytes + b->head, b->nbytes - b->head)) {
                checked(c, b, q);
                return b;
            }
        }
    }
    build(c, b, p, n);
    if (b->at)
        checked(c, b, b->tail_at);
    return b;
}

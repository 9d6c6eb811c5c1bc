/*
 * A first-fit allocator over one range. Every block has a 16-byte header
 * (size, free flag); free blocks are merged with free neighbours when
 * released, so freeing everything gives the whole range back.
 */
#include "heap.h"
#include "kernel.h"

struct block {
    uint64_t size;          /* bytes after the header */
    uint64_t free;
};

#define HDR sizeof(struct block)
#define ALIGN16(n) (((n) + 15) & ~(size_t)15)

static uint8_t *heap_lo, *heap_hi;

static struct block *next_of(struct block *b)
{
    uint8_t *n = (uint8_t *)b + HDR + b->size;
    return n < heap_hi ? (struct block *)n : NULL;
}

void heap_init(uint64_t start, uint64_t end)
{
    heap_lo = (uint8_t *)(uintptr_t)((start + 15) & ~15ull);
    heap_hi = (uint8_t *)(uintptr_t)(end & ~15ull);
    struct block *b = (struct block *)heap_lo;
    b->size = (uint64_t)(heap_hi - heap_lo) - HDR;
    b->free = 1;
}

void *kmalloc(size_t n)
{
    if (!n || n > (size_t)(heap_hi - heap_lo))
        return NULL;
    n = ALIGN16(n);
    for (struct block *b = (struct block *)heap_lo; b; b = next_of(b)) {
        if (!b->free || b->size < n)
            continue;
        if (b->size >= n + HDR + 16) {       /* split off the rest */
            struct block *rest = (struct block *)((uint8_t *)b + HDR + n);
            rest->size = b->size - n - HDR;
            rest->free = 1;
            b->size = n;
        }
        b->free = 0;
        return b + 1;
    }
    return NULL;
}

void *kzalloc(size_t n)
{
    void *p = kmalloc(n);
    if (p)
        memset(p, 0, n);
    return p;
}

void kfree(void *p)
{
    if (!p)
        return;
    struct block *b = (struct block *)p - 1;
    if ((uint8_t *)b < heap_lo || (uint8_t *)b >= heap_hi || b->free)
        panic("kfree(%p): not an allocated block", p);
    b->free = 1;
    /* merge with every free block that follows, then start over from the
     * front so a free predecessor swallows this one */
    for (struct block *c = (struct block *)heap_lo; c; c = next_of(c)) {
        while (c->free) {
            struct block *n = next_of(c);
            if (!n || !n->free)
                break;
            c->size += HDR + n->size;
        }
    }
}

size_t heap_free_bytes(void)
{
    size_t sum = 0;
    for (struct block *b = (struct block *)heap_lo; b; b = next_of(b))
        if (b->free)
            sum += b->size;
    return sum;
}

size_t heap_largest_free(void)
{
    size_t best = 0;
    for (struct block *b = (struct block *)heap_lo; b; b = next_of(b))
        if (b->free && b->size > best)
            best = b->size;
    return best;
}

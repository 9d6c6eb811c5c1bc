/* The heap hands out aligned, disjoint blocks and takes them all back. */
#include "heap.h"
#include "kernel.h"
#include "tap.h"

SELFTEST(30, heap_alloc_free)
{
    size_t free0 = heap_free_bytes();
    uint8_t *p[8];
    for (int i = 0; i < 8; i++) {
        size_t n = (size_t)(i * 5 + 1);
        p[i] = kmalloc(n);
        EXPECT_TRUE(t, p[i] != NULL, "kmalloc returns memory");
        if (!p[i])
            return;
        EXPECT_EQ(t, 0, (uintptr_t)p[i] & 15, "16-byte alignment");
        memset(p[i], i, n);
    }
    /* each block still holds its own fill at both ends: no overlap */
    for (int i = 0; i < 8; i++) {
        size_t last = (size_t)(i * 5);
        if (p[i][0] != i || p[i][last] != i) {
            tap_failf(t, "blocks do not overlap", "fill %llu", (unsigned long long)i,
                      "%llu", p[i][p[i][0] != i ? 0 : last]);
            return;
        }
    }
    for (int i = 0; i < 8; i += 2)
        kfree(p[i]);
    void *again = kmalloc(20);
    EXPECT_TRUE(t, again != NULL, "reuse of a freed block");
    kfree(again);
    for (int i = 1; i < 8; i += 2)
        kfree(p[i]);
    EXPECT_EQ(t, free0, heap_free_bytes(), "free bytes after freeing everything");
    EXPECT_EQ(t, free0, heap_largest_free(), "largest free block (coalesced)");
    EXPECT_TRUE(t, kmalloc(0) == NULL, "kmalloc(0) is NULL");
    EXPECT_TRUE(t, kmalloc((size_t)1 << 40) == NULL, "an impossible size is NULL");
}

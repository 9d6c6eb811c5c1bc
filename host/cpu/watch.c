/* Watchpoints by trapping pages: the memory-slot layout and the hit
 * test (see watch.h). */
#include <stdlib.h>
#include "cpu/watch.h"

struct trap {
    uint64_t page;
    bool hole;          /* no slot at all (reads trap too) */
};

static int by_page(const void *a, const void *b)
{
    uint64_t x = ((const struct trap *)a)->page, y = ((const struct trap *)b)->page;
    return x < y ? -1 : x > y;
}

/* The trapped pages, sorted, each once (a hole wins over read-only). */
static int traps_of(const struct watch *w, int nw, struct trap *t)
{
    int n = 0;
    for (int i = 0; i < nw; i++) {
        if (!w[i].on)
            continue;
        /* an aligned range of at most 8 bytes never crosses a page, but
         * be safe about the last byte */
        uint64_t first = w[i].pa & ~(WATCH_PAGE - 1);
        uint64_t last = (w[i].pa + (w[i].len ? w[i].len : 1) - 1) & ~(WATCH_PAGE - 1);
        for (uint64_t p = first; p <= last; p += WATCH_PAGE) {
            int j;
            for (j = 0; j < n && t[j].page != p; j++)
                ;
            if (j == n)
                t[n++] = (struct trap){ p, false };
            if (w[i].kind != CPU_BP_WRITE)      /* reads must trap too */
                t[j].hole = true;
        }
    }
    qsort(t, (size_t)n, sizeof *t, by_page);
    return n;
}

static bool put(struct memslot *out, int *n, int max, struct memslot s)
{
    if (!s.size)
        return true;
    if (*n >= max)
        return false;
    out[(*n)++] = s;
    return true;
}

int watch_layout(const struct ram_range *ram, int nram, const struct watch *w, int nw,
                 struct memslot *out, int max)
{
    struct trap t[2 * 8];
    int nt = traps_of(w, nw < 8 ? nw : 8, t), n = 0;
    for (int r = 0; r < nram; r++) {
        uint64_t at = ram[r].gpa, end = ram[r].gpa + ram[r].size;
        for (int i = 0; i < nt; i++) {
            if (t[i].page < at || t[i].page >= end)
                continue;
            if (!put(out, &n, max, (struct memslot){ at, t[i].page - at,
                                                     ram[r].host_off + (at - ram[r].gpa), false }))
                return -1;
            if (!t[i].hole &&
                !put(out, &n, max, (struct memslot){ t[i].page, WATCH_PAGE,
                                                     ram[r].host_off + (t[i].page - ram[r].gpa),
                                                     true }))
                return -1;
            at = t[i].page + WATCH_PAGE;
        }
        if (!put(out, &n, max, (struct memslot){ at, end - at,
                                                 ram[r].host_off + (at - ram[r].gpa), false }))
            return -1;
    }
    return n;
}

int watch_hit(const struct watch *w, int nw, uint64_t pa, unsigned len, bool is_write)
{
    for (int i = 0; i < nw; i++) {
        if (!w[i].on || (w[i].kind == CPU_BP_WRITE && !is_write) ||
            (w[i].kind == CPU_BP_READ && is_write))
            continue;
        if (pa < w[i].pa + w[i].len && w[i].pa < pa + len)
            return i;
    }
    return -1;
}

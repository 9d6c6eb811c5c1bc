/*
 * Watchpoints by trapping pages, for hypervisors that ignore the debug
 * registers while they emulate the guest (this host's PVM does). The
 * page holding a watched range leaves the guest's direct mapping: for a
 * write watchpoint it becomes a read-only memory slot, for an access
 * watchpoint it gets no slot at all, so the accesses in question come to
 * pcemu as MMIO exits. pcemu performs them on RAM and reports the ones
 * that touch a watched range.
 */
#ifndef HOST_CPU_WATCH_H
#define HOST_CPU_WATCH_H

#include <stdbool.h>
#include <stdint.h>
#include "cpu/cpu.h"

#define WATCH_PAGE 4096ull

struct watch {
    bool on;
    uint8_t kind;       /* CPU_BP_WRITE, CPU_BP_READ or CPU_BP_ACCESS */
    uint8_t len;
    uint64_t pa;
};

/* A run of guest RAM backed by host memory at host_off into the RAM. */
struct ram_range {
    uint64_t gpa, size, host_off;
};

struct memslot {
    uint64_t gpa, size, host_off;
    bool readonly;
};

/* Splits the RAM ranges around the pages the watches live on: read-only
 * slots for pages with only write watches, no slot for pages with a read
 * or access watch. Returns the number of slots written to out, or -1 when
 * more than max would be needed. */
int watch_layout(const struct ram_range *ram, int nram, const struct watch *w, int nw,
                 struct memslot *out, int max);

/* Which watch an access of len bytes at pa (a write or not) sets off;
 * -1 for none. */
int watch_hit(const struct watch *w, int nw, uint64_t pa, unsigned len, bool is_write);

#endif

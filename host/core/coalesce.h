/*
 * Queued writes: ranges of a device's registers whose writes have no
 * effect the guest can see before it next reads the device (the e1000's
 * multicast table, which only stores; EERD, whose result is read back
 * from EERD) may be queued by the CPU backend and delivered, in order,
 * before the next exit is handled, instead of each costing an exit to
 * user space. The device model runs only between exits, so it sees them
 * in the order the guest made them. A region names such ranges with
 * region_set_write_queue; this keeps the backend's zones equal to where
 * those ranges are visible in the address space now, as BARs move and
 * decoding is switched on and off.
 */
#ifndef HOST_CORE_COALESCE_H
#define HOST_CORE_COALESCE_H

#include <stdbool.h>
#include <stdint.h>
#include "core/memory.h"

#define COALESCE_MAX 8
/* Zones a full set gives up to make room for new ones, over the whole
 * run: dropping a zone is the one costly call (KVM waits in
 * KVM_UNREGISTER_COALESCED_MMIO: docs/results.md), so a guest that moves a
 * BAR from place to place gets queued writes at its first few places
 * and plain exits after that, never a drop per move. */
#define COALESCE_ROOM_DROPS 4

struct coalesce_zone {
    uint64_t addr, len;
};

struct coalesce_set {
    struct coalesce_zone z[COALESCE_MAX];
    unsigned n;
    unsigned room_drops;    /* of COALESCE_ROOM_DROPS, used */
};

/* Tells the backend to add (on) or drop a zone; nonzero on failure. */
typedef int (*coalesce_set_fn)(void *opaque, uint64_t addr, uint64_t len, bool on);

/* Brings cur, and the backend through set, to the queued ranges visible
 * in as: zones where something else now answers are dropped first, new
 * ones added; a zone whose range answers nothing at all (decoding off, a
 * BAR moved away) stays, and gives way to a new one only within
 * COALESCE_ROOM_DROPS. A range the backend refuses, or finds no room
 * for, is left out (its writes simply exit, as any MMIO write). */
void coalesce_update(struct address_space *as, struct coalesce_set *cur,
                     coalesce_set_fn set, void *opaque);

#endif

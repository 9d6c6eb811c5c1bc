/*
 * A debugger's watchpoint on guest memory a device writes (a descriptor
 * the e1000 writes back, a receive buffer it fills): the write comes by
 * bus-master DMA, straight into RAM, where neither the CPU's debug
 * registers nor KVM's trapped pages (cpu/watch.c) see it. Every DMA
 * write that lands is checked here against the write and access
 * watchpoints in force, translated from the guest's linear addresses to
 * physical through its page tables; a hit stops the machine for gdb
 * with the watch reason, as a CPU store there would.
 */
#ifndef HOST_DEBUG_DMA_WATCH_H
#define HOST_DEBUG_DMA_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "cpu/cpu.h"

/* Which of the first `slots` watchpoints a write of len bytes at
 * physical pa touches: -1 for none. translate maps a watchpoint's linear
 * address to physical (false: not mapped, never hit). */
int dma_watch_hit(const struct cpu_debug *dbg, int slots, uint64_t pa, size_t len,
                  bool (*translate)(void *opaque, uint64_t va, uint64_t *pa), void *opaque);

/* The PCI bus's dma_written hook: opaque is the machine. */
void dma_watch_written(void *opaque, uint64_t pa, size_t len);

#endif

/*
 * isa-debug-exit as QEMU has it: a write of v to the port ends the machine
 * with exit status (v << 1) | 1. Reads return all ones.
 */
#ifndef HOST_HW_DEBUG_EXIT_H
#define HOST_HW_DEBUG_EXIT_H

#include "core/memory.h"

struct debug_exit;

/* exit_fn is called with the status; the machine stops at the next exit. */
struct debug_exit *debug_exit_create(void (*exit_fn)(void *opaque, int status),
                                     void *opaque);
void debug_exit_destroy(struct debug_exit *d);
struct region *debug_exit_region(struct debug_exit *d);

#endif

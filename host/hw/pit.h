/*
 * The 8254 PIT: three counters on PIT_HZ, modes 0-5, LSB/MSB/LSB-then-MSB
 * access, counter latch and read-back commands. Counter 0 drives IRQ 0
 * through a timer of the event loop; counters 1 and 2 count but have no
 * output wired (no speaker, no refresh).
 */
#ifndef HOST_HW_PIT_H
#define HOST_HW_PIT_H

#include <stdint.h>
#include "core/irq.h"
#include "core/loop.h"
#include "core/memory.h"

struct pit;

struct pit *pit_create(struct loop *loop, struct irq_line irq0);
void pit_destroy(struct pit *p);

/* Ports 0x40-0x43. */
struct region *pit_region(struct pit *p);

/* The reload value counter ch was programmed with (0 means 65536), and
 * how many IRQ 0 edges it has produced; for the monitor and tests. */
/* IRQ 0 edges come at most this often, whatever the count (KVM's own
 * PIT keeps the same floor): a faster period is served as one edge per
 * floor, on the counter's grid. Counts and OUT read exactly. */
#define PIT_MIN_IRQ_PERIOD_NS 200000ull

uint32_t pit_reload(struct pit *p, int ch);
uint64_t pit_irq_count(struct pit *p);

void pit_reset(struct pit *p);

#endif

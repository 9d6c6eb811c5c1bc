/* What the unit tests of the PC's port-I/O devices share: the device's
 * ports in an I/O space of the test's own and an interrupt line whose
 * rising edges the test counts. (The clock a test moves: clock_rig.h.) */
#ifndef TESTS_UNIT_IO_RIG_H
#define TESTS_UNIT_IO_RIG_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "core/irq.h"
#include "core/memory.h"

/* The 64 KiB of x86 port space, with the device's region at port (a
 * device with more regions adds them to io after). */
static inline void io_rig_ports(struct region *io, struct address_space *as, struct region *dev,
                                uint16_t port)
{
    region_init_container(io, "io", 0x10000);
    address_space_init(as, "I/O", io);
    region_add(io, dev, port, 0);
}

/* Interrupt line n, as the device drives it: its level and the count of
 * its rising edges go to the rig's fields that level and rises point to. */
struct irq_counter {
    int n;
    int *level, *rises;
};

static inline void irq_counter_set(void *opaque, int n, int level)
{
    struct irq_counter *c = opaque;
    assert_int_equal(n, c->n);
    if (level && !*c->level)
        ++*c->rises;
    *c->level = level;
}

static inline struct irq_line irq_counter_line(struct irq_counter *c, int n, int *level,
                                               int *rises)
{
    *c = (struct irq_counter){ n, level, rises };
    return (struct irq_line){ irq_counter_set, c, n };
}

#endif

/* A loop whose clock the test moves, for the device models' unit tests:
 * timers run when the test says, at the time it set. */
#ifndef TESTS_UNIT_CLOCK_RIG_H
#define TESTS_UNIT_CLOCK_RIG_H

#include <stdint.h>
#include "core/loop.h"
#include "hw/e1000.h"

struct clock_rig {
    struct loop loop;
    uint64_t now;           /* ns */
};

static inline uint64_t clock_rig_now(void *opaque)
{
    return ((const struct clock_rig *)opaque)->now;
}

/* The clock at 1 ms (not 0, which a model may take for "never"). */
static inline void clock_rig_init(struct clock_rig *k)
{
    loop_init(&k->loop);
    k->now = 1000000;
    k->loop.now = clock_rig_now;
    k->loop.now_opaque = k;
}

/* An e1000 register write, and the time the device takes to act on a
 * doorbell (E1000_DMA_DELAY_NS): the timers then due run. */
static inline void clock_rig_e1000_write(struct clock_rig *k, struct e1000 *nic, uint32_t reg,
                                         uint32_t v)
{
    e1000dev_reg_write(nic, reg, v);
    k->now += E1000_DMA_DELAY_NS;
    loop_run_timers(&k->loop);
}

#endif

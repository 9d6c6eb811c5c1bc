/* A loop whose clock the test moves, for the device models' unit tests:
 * timers run when the test says, at the time it set. */
#ifndef TESTS_UNIT_CLOCK_RIG_H
#define TESTS_UNIT_CLOCK_RIG_H

#include <stdint.h>
#include "core/loop.h"
#include "hw/e1000.h"

static inline uint64_t clock_rig_read(void *opaque)
{
    return *(const uint64_t *)opaque;
}

/* The loop's clock is *now (ns), from start on: a test's rig keeps both
 * and moves now itself. */
static inline void clock_rig_attach(struct loop *loop, uint64_t *now, uint64_t start)
{
    loop_init(loop);
    *now = start;
    loop->now = clock_rig_read;
    loop->now_opaque = now;
}

/* Moves the clock to t, each timer due by then running at its own
 * deadline, as the loop would. */
static inline void clock_rig_run_to(struct loop *loop, uint64_t *now, uint64_t t)
{
    while (loop_next_deadline(loop) <= t) {
        *now = loop_next_deadline(loop);
        loop_run_timers(loop);
    }
    *now = t;
}

struct clock_rig {
    struct loop loop;
    uint64_t now;           /* ns */
};

/* The clock at 1 ms (not 0, which a model may take for "never"). */
static inline void clock_rig_init(struct clock_rig *k)
{
    clock_rig_attach(&k->loop, &k->now, 1000000);
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

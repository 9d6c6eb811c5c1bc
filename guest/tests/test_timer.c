/* The PIT interrupts at the rate it was programmed for, measured with
 * the TSC (itself calibrated on the PIT's counter, not its interrupts). */
#include "clock.h"
#include "irq.h"
#include "kernel.h"
#include "tap.h"
#include "x86.h"

#define TEST_HZ 4000
#define TICKS   10

SELFTEST(10, timer_rate)
{
    EXPECT_TRUE(t, tsc_hz() > 0, "TSC calibrated against the PIT");
    pit_set_hz(TEST_HZ);
    uint64_t start_tick = pit_ticks;
    uint64_t guard = time_ns() + 100000000;     /* 100 ms: no interrupts at all */
    while (pit_ticks == start_tick && time_ns() < guard)
        sti_hlt();
    uint64_t t0 = time_ns(), first = pit_ticks;
    while (pit_ticks < first + TICKS && time_ns() < guard)
        sti_hlt();
    uint64_t elapsed = time_ns() - t0, got = pit_ticks - first;
    pit_set_hz(HZ);

    EXPECT_EQ(t, TICKS, got, "IRQ 0 ticks within 100 ms");
    uint64_t want = 1000000000ull * TICKS / TEST_HZ;
    if (elapsed < want * 8 / 10 || elapsed > want * 12 / 10)
        tap_failf(t, "10 ticks at 4000 Hz take 2.5 ms (within 20%)", "%llu ns", want,
                  "%llu ns", elapsed);
}

/* The PIT interrupts at the rate it was programmed for (HZ), measured
 * with the TSC (itself calibrated on the PIT's counter, not on its
 * interrupts). A few ticks are enough: the whole test set must stay
 * well under 10 ms. */
#include "clock.h"
#include "irq.h"
#include "kernel.h"
#include "tap.h"
#include "usermode.h"
#include "x86.h"

#define INTERVALS 3
#define GUARD_NS  200000000ull      /* 200 ms: IRQ 0 is not coming (generous: a busy host) */

/* Sleeps until pit_ticks passes `after` (or the guard time passes). The
 * check runs with interrupts off and sti;hlt opens them only as the CPU
 * halts, so a tick landing between the check and the hlt still wakes
 * it instead of being slept through. */
static void wait_tick(uint64_t after, uint64_t guard)
{
    for (;;) {
        cli();
        if (pit_ticks > after || time_ns() >= guard)
            break;
        sti_hlt();
    }
    sti();
}

SELFTEST(10, timer_rate)
{
    EXPECT_TRUE(t, tsc_hz() > 1, "TSC frequency known");
    uint64_t guard = time_ns() + GUARD_NS;
    uint64_t ns[INTERVALS + 1], ticks[INTERVALS + 1];
    wait_tick(pit_ticks, guard);                /* start on a tick */
    ns[0] = time_ns();
    ticks[0] = pit_ticks;
    for (int i = 1; i <= INTERVALS; i++) {
        wait_tick(ticks[i - 1], guard);
        ns[i] = time_ns();
        ticks[i] = pit_ticks;
    }
    /* a busy host may run two ticks into one interval: at least one each */
    EXPECT_TRUE(t, ticks[INTERVALS] - ticks[0] >= INTERVALS, "IRQ 0 ticks seen within 200 ms");
    if (ticks[INTERVALS] == ticks[INTERVALS - 1])
        return;

    /* The median time per tick: a host that stalls the guest (or QEMU's
     * thread) now and then stretches or merges one interval, not most. */
    uint64_t per[INTERVALS];
    for (int i = 0; i < INTERVALS; i++) {
        uint64_t n = ticks[i + 1] - ticks[i];
        per[i] = n ? (ns[i + 1] - ns[i]) / n : ~0ull;
    }
    for (int i = 1; i < INTERVALS; i++)         /* insertion sort */
        for (int j = i; j > 0 && per[j - 1] > per[j]; j--) {
            uint64_t x = per[j];
            per[j] = per[j - 1];
            per[j - 1] = x;
        }
    uint64_t want = 1000000000ull / HZ, median = per[INTERVALS / 2];
    if (median < want * 8 / 10 || median > want * 12 / 10) {
        char e[48], g[160];
        snprintf(e, sizeof e, "%llu ns per tick (HZ=%d), within 20%%",
                 (unsigned long long)want, HZ);
        size_t n = (size_t)snprintf(g, sizeof g, "median %llu ns per tick, sorted:",
                                    (unsigned long long)median);
        for (int i = 0; i < INTERVALS && n < sizeof g; i++)
            n += (size_t)snprintf(g + n, sizeof g - n, " %llu", (unsigned long long)per[i]);
        tap_fail(t, "time between PIT ticks", e, g);
    }
}

static uint64_t calibrate(uint64_t unused)
{
    (void)unused;
    return tsc_hz_calibrate();
}

/* The TSC frequency the clock uses (from the hypervisor's timing leaf,
 * or calibrated at boot) agrees with a calibration against the PIT's
 * counter now, within 2%: a wrong leaf, or a PIT counter running at the
 * wrong rate, shows here. Calibrated at CPL 0, where a port read costs
 * one exit instead of a trap. */
SELFTEST(11, tsc_rate)
{
    uint64_t now = kcall(calibrate, 0), used = tsc_hz();
    printf("# TSC %llu kHz from %s; %llu kHz measured on the PIT now\n",
           (unsigned long long)(used / 1000), tsc_source(), (unsigned long long)(now / 1000));
    if (now < used * 98 / 100 || now > used * 102 / 100)
        tap_failf(t, "TSC frequency against the PIT", "%llu kHz within 2%%",
                  (unsigned long long)(used / 1000), "%llu kHz",
                  (unsigned long long)(now / 1000));
}

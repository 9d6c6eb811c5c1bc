/* The PIT interrupts at the rate it was programmed for (HZ), measured
 * with the TSC (itself calibrated on the PIT's counter, not on its
 * interrupts, or stated by the hypervisor). The tick entry stamps every
 * tick with the TSC (isr.S), so the test reads the intervals between the
 * last ticks already taken, while the kernel booted, and waits only for
 * those that have not come yet: the boot test set must stay well under
 * 10 ms. */
#include "clock.h"
#include "irq.h"
#include "kernel.h"
#include "tap.h"
#include "usermode.h"
#include "x86.h"

#define INTERVALS 8                 /* < PIT_TICK_STAMPS: all still in the ring */
#define GUARD_NS  200000000ull      /* 200 ms: IRQ 0 is not coming (generous: a busy host) */
_Static_assert(INTERVALS < PIT_TICK_STAMPS, "the stamps of INTERVALS + 1 ticks");

/* Sleeps until pit_ticks reaches `want` (or the guard time passes). The
 * check runs with interrupts off and sti;hlt opens them only as the CPU
 * halts, so a tick landing between the check and the hlt still wakes
 * it instead of being slept through. */
static void wait_ticks(uint64_t want, uint64_t guard)
{
    for (;;) {
        cli();
        if (pit_ticks >= want || time_ns() >= guard)
            break;
        sti_hlt();
    }
    sti();
}

/* The newest INTERVALS + 1 tick stamps, taken with the tick held off;
 * false if fewer ticks came. Their intervals in ns, sorted, in per[]. */
static bool intervals(uint64_t per[INTERVALS], uint64_t *last)
{
    uint64_t stamp[INTERVALS + 1];
    cli();
    *last = pit_ticks;
    for (unsigned i = 0; i <= INTERVALS && *last >= INTERVALS; i++)
        stamp[i] = pit_tick_tsc[(*last - INTERVALS + i) % PIT_TICK_STAMPS];
    sti();
    if (*last < INTERVALS + 1)
        return false;
    for (int i = 0; i < INTERVALS; i++)
        per[i] = (stamp[i + 1] - stamp[i]) * 1000000000ull / tsc_hz();
    for (int i = 1; i < INTERVALS; i++)         /* insertion sort */
        for (int j = i; j > 0 && per[j - 1] > per[j]; j--) {
            uint64_t x = per[j];
            per[j] = per[j - 1];
            per[j - 1] = x;
        }
    return true;
}

/* The median interval: a host that stalls the guest (or QEMU's thread)
 * now and then stretches or shortens one or two, not most. A busy host
 * can disturb most of a window's eight (the PIT then skips the ticks it
 * could not deliver, hw/pit.c): up to WINDOWS windows of new ticks are
 * looked at, and one whose median is right passes. A PIT at the wrong
 * rate, or a TSC rate taken wrong, fails them all. */
#define WINDOWS 4

SELFTEST(10, timer_rate)
{
    EXPECT_TRUE(t, tsc_hz() > 1, "TSC frequency known");
    uint64_t want = 1000000000ull / HZ, per[INTERVALS], last = 0, median = 0;
    for (int w = 0; w < WINDOWS; w++) {
        wait_ticks(w ? last + INTERVALS : INTERVALS + 1, time_ns() + GUARD_NS);
        if (!intervals(per, &last)) {
            EXPECT_TRUE(t, false, "IRQ 0 ticks seen within 200 ms");
            return;
        }
        median = per[INTERVALS / 2];
        if (median >= want * 8 / 10 && median <= want * 12 / 10) {
            if (w)
                printf("# timer_rate: window %d of %d right (a busy host)\n", w + 1, WINDOWS);
            return;
        }
    }
    char e[48], g[200];
    snprintf(e, sizeof e, "%llu ns per tick (HZ=%d), within 20%%", (unsigned long long)want, HZ);
    size_t n = (size_t)snprintf(g, sizeof g, "off in all %d windows; the last: median %llu ns "
                                "per tick, sorted:", WINDOWS, (unsigned long long)median);
    for (int i = 0; i < INTERVALS && n < sizeof g; i++)
        n += (size_t)snprintf(g + n, sizeof g - n, " %llu", (unsigned long long)per[i]);
    tap_fail(t, "time between PIT ticks", e, g);
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

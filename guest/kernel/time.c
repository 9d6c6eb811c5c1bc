/*
 * Time from the TSC, calibrated against PIT counter 0, which counts down
 * at a known 1.193182 MHz: with interrupts off the counter is latched and
 * read in a loop for about 1 ms, its decrements summed across reloads,
 * and the TSC compared over the same span; three times, the median kept.
 * During calibration the counter runs with its longest period (55 ms):
 * a host that deschedules the guest for a few milliseconds between two
 * reads would otherwise hide whole periods, making the TSC look faster
 * than it is and every interval measured with it too short.
 */
#include "clock.h"
#include "contract/platform.h"
#include "irq.h"
#include "x86.h"

static uint64_t hz;
static uint64_t tsc0;
static uint64_t ns_mult;    /* ns per TSC tick, 32.32 fixed point */

static uint64_t calibrate_once(void)
{
    uint32_t reload = pit_reload() ? pit_reload() : 0x10000;
    uint16_t prev = pit_read_count();
    uint64_t start = rdtsc(), elapsed = 0;
    const uint64_t span = PIT_HZ / 1000;     /* about 1 ms */
    while (elapsed < span) {
        /* mode 2 counts reload..1; a count above the last one is a reload */
        uint16_t now = pit_read_count();
        elapsed += now <= prev ? (uint64_t)(prev - now) : prev + reload - now;
        prev = now;
    }
    return (rdtsc() - start) * PIT_HZ / elapsed;
}

void time_init(void)
{
    int on = irqs_enabled();
    cli();
    unsigned running_hz = PIT_HZ / (pit_reload() ? pit_reload() : 0x10000);
    pit_set_hz(18);                         /* reload 65536: the longest period */
    uint64_t f[3];
    for (int i = 0; i < 3; i++)
        f[i] = calibrate_once();
    pit_set_hz(running_hz ? running_hz : HZ);
    /* the median of three */
    hz = f[0] > f[1] ? (f[1] > f[2] ? f[1] : (f[0] > f[2] ? f[2] : f[0]))
                     : (f[0] > f[2] ? f[0] : (f[1] > f[2] ? f[2] : f[1]));
    if (!hz)
        hz = 1;
    ns_mult = (1000000000ull << 32) / hz;
    tsc0 = rdtsc();
    if (on)
        sti();
}

uint64_t tsc_hz(void)
{
    return hz;
}

uint64_t time_ns(void)
{
    uint64_t d = rdtsc() - tsc0;
    return (uint64_t)(((unsigned __int128)d * ns_mult) >> 32);
}

void delay_us(uint64_t us)
{
    uint64_t end = time_ns() + us * 1000;
    while (time_ns() < end)
        __asm__ volatile("pause");
}

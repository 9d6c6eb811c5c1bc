/*
 * Time from the TSC, calibrated against PIT counter 0, which counts down
 * at a known 1.193182 MHz: with interrupts off the counter is latched and
 * read in a loop for about 2 ms, its decrements summed across reloads,
 * and the TSC compared over the same span.
 */
#include "clock.h"
#include "contract/platform.h"
#include "irq.h"
#include "x86.h"

static uint64_t hz;
static uint64_t tsc0;
static uint64_t ns_mult;    /* ns per TSC tick, 32.32 fixed point */

void time_init(void)
{
    int on = irqs_enabled();
    cli();
    uint32_t reload = pit_reload() ? pit_reload() : 0x10000;
    uint16_t prev = pit_read_count();
    uint64_t start = rdtsc(), elapsed = 0;
    const uint64_t span = PIT_HZ / 500;      /* about 2 ms */
    while (elapsed < span) {
        /* mode 2 counts reload..1; a count above the last one is a reload */
        uint16_t now = pit_read_count();
        elapsed += now <= prev ? (uint64_t)(prev - now) : prev + reload - now;
        prev = now;
    }
    uint64_t dt = rdtsc() - start;
    hz = dt * PIT_HZ / elapsed;
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

/*
 * Time from the TSC, calibrated against PIT counter 0, which counts down
 * at a known 1.193182 MHz: with interrupts off the counter is latched and
 * read in a loop for about 2 ms, its decrements summed across reloads,
 * and the TSC compared over the same span; three times, the median kept.
 * During calibration the counter runs with its longest period (55 ms):
 * a host that deschedules the guest for a few milliseconds between two
 * reads would otherwise hide whole periods, making the TSC look faster
 * than it is and every interval measured with it too short.
 *
 * A hypervisor that states the TSC frequency in CPUID leaf 0x40000010
 * (pcemu does; QEMU with vmware-cpuid-freq) saves those 6 ms of port
 * reads: its figure is taken unless the command line says
 * tsc=calibrate. The tsc_rate self-test checks the two agree.
 */
#include "clock.h"
#include "contract/platform.h"
#include "irq.h"
#include "kernel.h"
#include "x86.h"

static uint64_t hz;
static uint64_t tsc0;
static uint64_t ns_mult;    /* ns per TSC tick, 32.32 fixed point */

/* Counter 0 latched, and the TSC at that moment: the middle of the two
 * TSC reads around the latch command, so the start and the end of a span
 * are stamped alike, whatever code runs between reads (emulated code at
 * CPL 0 costs microseconds here, a whole percent of a millisecond). */
static uint16_t read_count_at(uint64_t *tsc)
{
    uint64_t t0 = rdtsc();
    outb(PIT_MODE, PIT_SEL(0) | PIT_RW_LATCH);
    uint64_t t1 = rdtsc();
    uint8_t lo = inb(PIT_CH0);
    uint8_t hi = inb(PIT_CH0);
    *tsc = t0 + (t1 - t0) / 2;
    return (uint16_t)(lo | hi << 8);
}

static uint64_t calibrate_once(void)
{
    uint32_t reload = pit_reload() ? pit_reload() : 0x10000;
    uint64_t start, end;
    uint16_t prev = read_count_at(&start);
    uint64_t elapsed = 0;
    const uint64_t span = PIT_HZ / 500;      /* about 2 ms */
    while (elapsed < span) {
        /* mode 2 counts reload..1; a count above the last one is a reload */
        uint16_t now = read_count_at(&end);
        elapsed += now <= prev ? (uint64_t)(prev - now) : prev + reload - now;
        prev = now;
    }
    return (end - start) * PIT_HZ / elapsed;
}

static const char *source = "not yet";

/* The TSC frequency from the hypervisor's timing leaf, or 0. */
uint64_t tsc_hz_from_cpuid(void)
{
    uint32_t r[4];
    cpuid(1, r);
    if (!(r[2] & (1u << 31)))          /* no hypervisor */
        return 0;
    cpuid(PCEMU_CPUID_HV_BASE, r);
    if (r[0] < PCEMU_CPUID_TIMING || r[0] > PCEMU_CPUID_HV_BASE + 0xff)
        return 0;
    cpuid(PCEMU_CPUID_TIMING, r);
    return (uint64_t)r[0] * 1000;
}

static void set_hz(uint64_t f)
{
    hz = f ? f : 1;
    ns_mult = (1000000000ull << 32) / hz;
    tsc0 = rdtsc();
}

void time_init(void)
{
    const char *how = cmdline_get("tsc");
    uint64_t f = how && strcmp(how, "calibrate") == 0 ? 0 : tsc_hz_from_cpuid();
    if (f) {
        source = "the hypervisor's CPUID leaf 0x40000010";
        set_hz(f);
        return;
    }
    source = "calibration against the PIT";
    set_hz(tsc_hz_calibrate());
}

const char *tsc_source(void)
{
    return source;
}

uint64_t tsc_hz_calibrate(void)
{
    int on = irqs_enabled();
    cli();
    unsigned running_hz = PIT_HZ / (pit_reload() ? pit_reload() : 0x10000);
    pit_set_hz(18);                         /* reload 65536: the longest period */
    uint64_t f[3];
    for (int i = 0; i < 3; i++)
        f[i] = calibrate_once();
    pit_set_hz(running_hz ? running_hz : HZ);
    if (on)
        sti();
    /* the median of three */
    return f[0] > f[1] ? (f[1] > f[2] ? f[1] : (f[0] > f[2] ? f[2] : f[0]))
                       : (f[0] > f[2] ? f[0] : (f[1] > f[2] ? f[2] : f[1]));
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

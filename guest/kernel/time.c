/*
 * Time from the TSC, its rate measured against PIT counter 0 at boot
 * (kernel/tsc_calib.c: spans of about 2 ms between latches whose TSC
 * bracket is tight, the median of three that agree) with interrupts off
 * and the counter running with its longest period (55 ms).
 *
 * A hypervisor that states the TSC frequency in CPUID leaf 0x40000010
 * (pcemu does; QEMU with vmware-cpuid-freq) saves those port reads: its
 * figure is taken unless the command line says tsc=calibrate. The
 * tsc_rate self-test checks the two agree.
 */
#include "clock.h"
#include "contract/platform.h"
#include "irq.h"
#include "kernel.h"
#include "tsc_calib.h"
#include "x86.h"

static uint64_t hz;
static uint64_t tsc0;
static uint64_t ns_mult;    /* ns per TSC tick, 32.32 fixed point */

/* Counter 0 latched, between two TSC reads. */
static void pit_sample(void *ctx, struct pit_sample *s)
{
    (void)ctx;
    s->tsc_before = rdtsc();
    outb(PIT_MODE, PIT_SEL(0) | PIT_RW_LATCH);
    s->tsc_after = rdtsc();
    uint8_t lo = inb(PIT_CH0);
    uint8_t hi = inb(PIT_CH0);
    s->count = (uint16_t)(lo | hi << 8);
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
    f = tsc_hz_calibrate();
    if (!f)
        printf("# time: PIT counter 0 does not count: the TSC's rate is unknown\n");
    set_hz(f);
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
    uint64_t f = tsc_calibrate(pit_sample, NULL, pit_reload() ? pit_reload() : 0x10000);
    pit_set_hz(running_hz ? running_hz : HZ);
    if (on)
        sti();
    return f;
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

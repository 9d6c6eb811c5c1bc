/* The TSC's frequency measured on PIT counter 0 (kernel/tsc_calib.c):
 * the arithmetic only, fed by a function that reads the hardware, so
 * that the host's unit tests can feed it a clock of their own. */
#ifndef GUEST_TSC_CALIB_H
#define GUEST_TSC_CALIB_H

#include <stdint.h>

/* Counter 0 latched, with the TSC read just before and just after the
 * latch command: the count belongs to some instant between the two. */
struct pit_sample {
    uint64_t tsc_before, tsc_after;
    uint16_t count;
};

typedef void (*pit_sample_fn)(void *ctx, struct pit_sample *s);

/* Counter 0 running in mode 2 with this reload (0x10000 for a written
 * 0): TSC ticks per second, or 0 if no span could be measured (the
 * counter does not count). */
uint64_t tsc_calibrate(pit_sample_fn read, void *ctx, uint32_t reload);

#endif

/* Time from the TSC, calibrated against the PIT at boot (kernel/time.c). */
#ifndef GUEST_CLOCK_H
#define GUEST_CLOCK_H

#include <stdint.h>

void time_init(void);           /* needs the PIT running (pit_init) */
uint64_t tsc_hz(void);
uint64_t time_ns(void);         /* since time_init */
void delay_us(uint64_t us);

#endif

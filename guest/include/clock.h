/* Time from the TSC, calibrated against the PIT at boot. */
#ifndef GUEST_CLOCK_H
#define GUEST_CLOCK_H

#include <stdint.h>

void time_init(void);
uint64_t tsc_hz(void);
uint64_t time_ns(void);
void delay_us(uint64_t us);

#endif

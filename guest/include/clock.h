/* Time from the TSC, its frequency from the hypervisor or calibrated
 * against the PIT at boot (kernel/time.c). */
#ifndef GUEST_CLOCK_H
#define GUEST_CLOCK_H

#include <stdint.h>

void time_init(void);           /* needs the PIT running (pit_init) */
uint64_t tsc_hz(void);
const char *tsc_source(void);           /* where tsc_hz came from */
uint64_t tsc_hz_calibrate(void);        /* 6 ms or more of PIT reads; needs CPL 0 */
uint64_t tsc_hz_from_cpuid(void);       /* 0: no timing leaf */
uint64_t time_ns(void);         /* since time_init */
void delay_us(uint64_t us);

#endif

/* The guest's x86.h for the stack built on the host: no privileged
 * instructions. An idle wait (sti; hlt) moves the harness's clock, and
 * the TSC is a counter, so a run is the same every time. */
#ifndef GUEST_X86_H
#define GUEST_X86_H

#include <stdint.h>

void fuzz_idle(void);
uint64_t fuzz_tsc(void);

static inline void cli(void) { }
static inline void sti(void) { }
static inline void sti_hlt(void) { fuzz_idle(); }
static inline void cpu_relax(void) { }
static inline uint64_t rdtsc(void) { return fuzz_tsc(); }

#endif

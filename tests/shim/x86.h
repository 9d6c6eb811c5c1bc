/* The guest's x86.h for guest code built into host tests (the contract
 * tests, the stack's fuzzer, unit tests of guest modules): its
 * privileged instructions become calls the test's rig answers, the only
 * way the guest's code is built for the host. A rig defines those of
 * shim_* its code reaches: the contract rig sends port I/O to pcemu's
 * I/O space and takes interrupts between accesses; the network stack's
 * rigs move their clock on an idle wait and count the TSC. */
#ifndef GUEST_X86_H
#define GUEST_X86_H

#include <stdint.h>

uint32_t shim_port_read(uint16_t port, unsigned size);
void shim_port_write(uint16_t port, uint32_t v, unsigned size);
void shim_set_if(int on);
int shim_get_if(void);
void shim_hlt(void);            /* until the next interrupt (or tick) */
uint64_t shim_rdtsc(void);

static inline void outb(uint16_t port, uint8_t v) { shim_port_write(port, v, 1); }
static inline void outw(uint16_t port, uint16_t v) { shim_port_write(port, v, 2); }
static inline void outl(uint16_t port, uint32_t v) { shim_port_write(port, v, 4); }
static inline uint8_t inb(uint16_t port) { return (uint8_t)shim_port_read(port, 1); }
static inline uint16_t inw(uint16_t port) { return (uint16_t)shim_port_read(port, 2); }
static inline uint32_t inl(uint16_t port) { return shim_port_read(port, 4); }

static inline void cli(void) { shim_set_if(0); }
static inline void sti(void) { shim_set_if(1); }
static inline void hlt(void) { shim_hlt(); }
static inline void sti_hlt(void) { shim_set_if(1); shim_hlt(); }
static inline int irqs_enabled(void) { return shim_get_if(); }
static inline void cpu_relax(void) { }
static inline uint64_t rdtsc(void) { return shim_rdtsc(); }

#endif

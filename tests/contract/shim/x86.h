/* The contract tests' stand-in for guest/include/x86.h: port I/O goes to
 * pcemu's I/O address space, the interrupt flag and hlt to the rig
 * (contract_rig.c), which delivers the device's interrupts between
 * accesses as a CPU would between instructions. */
#ifndef GUEST_X86_H
#define GUEST_X86_H

#include <stdint.h>

uint32_t contract_port_read(uint16_t port, unsigned size);
void contract_port_write(uint16_t port, uint32_t v, unsigned size);
void contract_set_if(int on);
int contract_get_if(void);
void contract_hlt(void);
uint64_t contract_rdtsc(void);

static inline void outb(uint16_t port, uint8_t v) { contract_port_write(port, v, 1); }
static inline void outw(uint16_t port, uint16_t v) { contract_port_write(port, v, 2); }
static inline void outl(uint16_t port, uint32_t v) { contract_port_write(port, v, 4); }
static inline uint8_t inb(uint16_t port) { return (uint8_t)contract_port_read(port, 1); }
static inline uint16_t inw(uint16_t port) { return (uint16_t)contract_port_read(port, 2); }
static inline uint32_t inl(uint16_t port) { return contract_port_read(port, 4); }

static inline void cli(void) { contract_set_if(0); }
static inline void sti(void) { contract_set_if(1); }
static inline void hlt(void) { contract_hlt(); }
static inline void sti_hlt(void) { contract_set_if(1); contract_hlt(); }
static inline int irqs_enabled(void) { return contract_get_if(); }
static inline uint64_t rdtsc(void) { return contract_rdtsc(); }

#endif

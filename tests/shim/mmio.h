/* The contract tests' stand-in for guest/include/mmio.h: a register
 * access becomes an access to pcemu's memory address space at the same
 * address, so it reaches the device model through its BAR. */
#ifndef GUEST_MMIO_H
#define GUEST_MMIO_H

#include <stdint.h>

uint32_t shim_mmio_read(uint64_t addr, unsigned size);
void shim_mmio_write(uint64_t addr, uint32_t v, unsigned size);

static inline uint32_t mmio_read32(const volatile void *addr)
{
    return shim_mmio_read((uint64_t)(uintptr_t)addr, 4);
}

static inline void mmio_write32(volatile void *addr, uint32_t v)
{
    shim_mmio_write((uint64_t)(uintptr_t)addr, v, 4);
}

#endif

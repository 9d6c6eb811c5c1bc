/* Memory-mapped device registers. Every register access of a driver goes
 * through these two, so the contract tests can build the same driver for
 * the host and route them into the device model instead
 * (tests/contract/shim/mmio.h). */
#ifndef GUEST_MMIO_H
#define GUEST_MMIO_H

#include <stdint.h>

static inline uint32_t mmio_read32(const volatile void *addr)
{
    return *(const volatile uint32_t *)addr;
}

static inline void mmio_write32(volatile void *addr, uint32_t v)
{
    *(volatile uint32_t *)addr = v;
}

#endif

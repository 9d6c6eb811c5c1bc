/*
 * PCI in the guest: configuration mechanism #1, enumeration of every bus
 * reachable through bridges, BAR sizing (and assignment where firmware
 * left a BAR at zero; those it placed stay where they are, above 4 GiB
 * too), and a driver model: drivers declare ID tables and
 * probe/remove; the core binds each function to the first driver whose
 * table matches it.
 */
#ifndef GUEST_PCI_H
#define GUEST_PCI_H

#include <stdbool.h>
#include <stdint.h>
#include "contract/pci.h"

struct pci_bar {
    uint64_t addr;          /* bus address; for I/O, the port */
    uint64_t size;          /* 0: not implemented */
    bool io, mem64, prefetch;
};

struct pci_driver;

struct pci_dev {
    uint8_t bus, dev, fn;
    uint16_t vendor, device, subvendor, subdevice;
    uint16_t class_code;    /* base class << 8 | subclass */
    uint8_t prog_if, revision, header_type;
    uint8_t irq_line, irq_pin;
    struct pci_bar bars[PCI_NUM_BARS];
    const struct pci_driver *driver;   /* the binding, or NULL */
    void *driver_data;
    struct pci_dev *next;
};

#define PCI_ANY_ID 0xffffffffu

struct pci_device_id {
    uint32_t vendor, device;        /* PCI_ANY_ID matches any */
    uint32_t class_code, class_mask; /* (dev->class_code << 8 | prog_if) & mask */
};

struct pci_driver {
    const char *name;
    const struct pci_device_id *id_table;   /* ends with an all-zero entry */
    int (*probe)(struct pci_dev *dev, const struct pci_device_id *id);
    void (*remove)(struct pci_dev *dev);
};

/* Put a driver in the table the kernel registers at boot. */
#define PCI_DRIVER(drv)                                                           \
    static const struct pci_driver *const pci_driver_ptr_##drv                  \
        __attribute__((used, section(".pci_drivers"), aligned(8))) = &(drv)

/* ---- driver core (no hardware access; also built for host tests) ---- */
const struct pci_device_id *pci_match_id(const struct pci_device_id *table,
                                         const struct pci_dev *dev);
void pci_add_device(struct pci_dev *dev);
struct pci_dev *pci_devices(void);
struct pci_dev *pci_find(uint8_t bus, uint8_t dev, uint8_t fn);
/* Registers a driver and binds it to every unbound matching function;
 * returns how many it bound. */
int pci_register_driver(const struct pci_driver *drv);
/* Binds dev to the first registered driver that matches and probes
 * successfully; returns 0, or -1 when none took it. */
int pci_bind(struct pci_dev *dev);
/* Calls remove and forgets the binding. */
void pci_unbind(struct pci_dev *dev);
void pci_core_reset(void);          /* for tests */

/* ---- hardware ---- */
uint32_t pci_read32(const struct pci_dev *d, unsigned reg);
uint16_t pci_read16(const struct pci_dev *d, unsigned reg);
uint8_t pci_read8(const struct pci_dev *d, unsigned reg);
void pci_write32(const struct pci_dev *d, unsigned reg, uint32_t v);
void pci_write16(const struct pci_dev *d, unsigned reg, uint16_t v);
void pci_write8(const struct pci_dev *d, unsigned reg, uint8_t v);

/* Finds every function, sizes and (if needed) assigns BARs; returns the
 * number of functions found. */
int pci_init(void);
void pci_register_builtin_drivers(void);
void pci_print_table(void);
/* Sizes BAR idx again by the sizing protocol, restoring its value. */
struct pci_bar pci_size_bar(const struct pci_dev *d, int idx);
/* Memory and I/O decoding on for the BARs the function has, bus
 * mastering off: firmware (a UEFI driver, iPXE) may have left the
 * device running, and it must not reach memory before its driver has
 * reset it. Returns the command register as found. */
uint16_t pci_enable_decoding(struct pci_dev *d);
/* Bus mastering on: the device may now reach memory. */
void pci_set_master(struct pci_dev *d);
/* Both at once, for a device nothing can have left running. */
void pci_enable_device(struct pci_dev *d);
/* Memory BAR idx where the CPU reaches it: where firmware or the scan
 * put it, mapped by the kernel when beyond its identity map (a 64-bit
 * BAR above 4 GiB); NULL when it is no memory BAR or cannot be mapped. */
volatile void *pci_map_bar(struct pci_dev *d, int idx);
/* The kernel's side of pci_map_bar (arch/x86/paging.c): identity-maps
 * [base, base + size) uncached; 0, or -1 when out of page tables. */
int paging_map_mmio(uint64_t base, uint64_t size);

#endif

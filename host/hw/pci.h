/*
 * The PCI bus: configuration space semantics every function shares (read
 * only fields, write-1-to-clear status bits, BAR sizing, decode enables
 * mapping and unmapping the BAR regions, bus mastering gating DMA, INTx).
 * Device files describe their function and add hooks where they differ.
 */
#ifndef HOST_HW_PCI_H
#define HOST_HW_PCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "contract/pci.h"
#include "core/irq.h"
#include "core/memory.h"

struct pci_bus;
struct pci_device;

struct pci_bar_state {
    uint64_t size;              /* 0: not implemented */
    uint8_t type;               /* PCI_BASE_ADDRESS_SPACE_IO or memory type bits */
    struct region *region;
    bool mapped;
    uint64_t addr;              /* where it is mapped, when mapped */
};

struct pci_device {
    const char *name;           /* as `info qtree`/`info pci` show it */
    struct pci_bus *bus;
    uint8_t devfn;
    uint8_t config[PCI_CONFIG_SIZE];
    uint8_t wmask[PCI_CONFIG_SIZE];     /* bits software may write */
    uint8_t w1cmask[PCI_CONFIG_SIZE];   /* bits software clears by writing 1 */
    struct pci_bar_state bars[PCI_NUM_BARS];
    struct irq_line irq;        /* where INTx goes (set by the machine) */
    int irq_level;              /* what the function asserts */
    /* Called after the common write handling, for device side effects. */
    void (*config_written)(struct pci_device *d, unsigned addr, unsigned len);
    void *opaque;
};

struct pci_bus {
    const char *name;           /* "pci.0" */
    struct region *mem;         /* the "pci" container in system memory */
    struct region *io;          /* the I/O space root */
    struct address_space *dma;  /* what bus masters reach */
    struct pci_device *devs[PCI_MAX_DEV * PCI_MAX_FN];
    /* Told of every bus-master write that landed (a debugger watching
     * guest memory the device writes); NULL: nobody asks. */
    void (*dma_written)(void *opaque, uint64_t addr, size_t len);
    void *dma_opaque;
};

#define PCI_DEVFN(slot, fn) ((uint8_t)(((slot) << 3) | (fn)))
#define PCI_SLOT(devfn)     ((devfn) >> 3)
#define PCI_FUNC(devfn)     ((devfn) & 7)

void pci_bus_init(struct pci_bus *b, const char *name, struct region *mem,
                  struct region *io, struct address_space *dma);

/* Fills the header: IDs, class, header type, writable command bits,
 * INTx pin. Returns -1 when devfn is taken. */
int pci_device_init(struct pci_device *d, struct pci_bus *b, uint8_t devfn,
                    const char *name, uint16_t vendor, uint16_t device,
                    uint16_t class_code, uint8_t revision, uint8_t header_type);
void pci_set_subsystem(struct pci_device *d, uint16_t vendor, uint16_t id);
void pci_set_interrupt_pin(struct pci_device *d, uint8_t pin);

/* BAR idx of size (a power of two) backed by region, unmapped for now. */
void pci_register_bar(struct pci_device *d, int idx, uint8_t type, uint64_t size,
                      struct region *region);

/* What firmware does before handing over: program a BAR and enable. */
void pci_firmware_set_bar(struct pci_device *d, int idx, uint64_t addr);
void pci_firmware_set_command(struct pci_device *d, uint16_t command);

struct pci_device *pci_bus_find(struct pci_bus *b, uint8_t devfn);

/* Configuration accesses, len 1, 2 or 4 inside one dword. */
uint32_t pci_config_read(struct pci_device *d, unsigned addr, unsigned len);
void pci_config_write(struct pci_device *d, unsigned addr, uint32_t val, unsigned len);

/* INTx: level asserted by the function; honours INTX_DISABLE and sets
 * the interrupt status bit. */
void pci_set_irq(struct pci_device *d, int level);

/* Bus master DMA: false (and nothing copied) when bus mastering is off or
 * any part of the range is not RAM. */
bool pci_dma_read(struct pci_device *d, uint64_t addr, void *buf, size_t len);
bool pci_dma_write(struct pci_device *d, uint64_t addr, const void *buf, size_t len);
/* COMMAND.BME: whether the function may master the bus now. */
bool pci_bus_master(const struct pci_device *d);
/* Whether the whole range is RAM on the bus-master address space, BME
 * aside: for a device checking what a driver hands it. */
bool pci_dma_is_ram(const struct pci_device *d, uint64_t addr, size_t len);

static inline uint16_t pci_get_word(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t pci_get_long(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline void pci_set_word(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void pci_set_long(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

#endif

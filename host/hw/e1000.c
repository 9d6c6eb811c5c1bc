/*
 * The 82540EM's PCI face. Register accesses through either BAR are
 * accepted and reported once per register as not modelled yet, so a
 * driver written against the real device sees a quiet, all-zero chip
 * rather than a crash.
 */
#include <stdlib.h>
#include "core/log.h"
#include "hw/e1000.h"

struct e1000 {
    struct pci_device pci;
    struct region mmio, io;
    struct ratelimit rl;
};

static uint64_t mmio_read(void *opaque, uint64_t off, unsigned size)
{
    struct e1000 *e = opaque;
    log_warn_rl(&e->rl, "e1000: read of register 0x%05llx: not modelled yet, reads 0",
                (unsigned long long)off);
    return 0;
}

static void mmio_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct e1000 *e = opaque;
    log_warn_rl(&e->rl, "e1000: write 0x%llx to register 0x%05llx: not modelled yet, ignored",
                (unsigned long long)val, (unsigned long long)off);
}

static const struct region_ops mmio_ops = { mmio_read, mmio_write, 4 };
static const struct region_ops io_ops = { mmio_read, mmio_write, 4 };

struct e1000 *e1000_create(struct pci_bus *bus, uint8_t devfn)
{
    struct e1000 *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->rl = (struct ratelimit)RATELIMIT_INIT;
    if (pci_device_init(&e->pci, bus, devfn, "e1000", PCI_VENDOR_INTEL, PCI_DEVICE_82540EM,
                        PCI_CLASS_NETWORK_ETHERNET, 0x03, PCI_HEADER_TYPE_NORMAL) < 0) {
        free(e);
        return NULL;
    }
    e->pci.opaque = e;
    pci_set_subsystem(&e->pci, PCI_SUBVENDOR_QEMU, PCI_SUBDEVICE_QEMU);
    pci_set_interrupt_pin(&e->pci, PCI_INTERRUPT_PIN_A);
    region_init_io(&e->mmio, "e1000-mmio", E1000_BAR0_SIZE, &mmio_ops, e);
    region_init_io(&e->io, "e1000-io", E1000_BAR1_SIZE, &io_ops, e);
    pci_register_bar(&e->pci, 0, PCI_BASE_ADDRESS_MEM_TYPE_32, E1000_BAR0_SIZE, &e->mmio);
    pci_register_bar(&e->pci, 1, PCI_BASE_ADDRESS_SPACE_IO, E1000_BAR1_SIZE, &e->io);
    return e;
}

void e1000_destroy(struct e1000 *e)
{
    free(e);
}

struct pci_device *e1000_pci(struct e1000 *e)
{
    return &e->pci;
}

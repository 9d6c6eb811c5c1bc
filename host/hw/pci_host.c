/*
 * Configuration mechanism #1. CONFIG_ADDRESS (0xcf8) latches bus, device,
 * function and dword register only on 32-bit writes; narrower accesses
 * belong to other ISA devices and do nothing here. CONFIG_DATA
 * (0xcfc-0xcff) reads and writes the selected dword at any byte offset
 * and width inside it. With the enable bit clear, or no function at the
 * address, reads return all ones and writes vanish: that is how
 * software tells an empty slot (PCI Local Bus 3.0, 3.2.2.3.2).
 */
#include "contract/pci.h"
#include "hw/pci_host.h"

#define CONFIG_ADDRESS_MASK 0x80fffffcu   /* enable, bus, dev, fn, dword reg */

struct pci_device *pci_host_selected(struct pci_host *h, unsigned *reg)
{
    uint32_t a = h->config_address;
    if (!(a & PCI_CONFIG_ENABLE))
        return NULL;
    unsigned bus = (a >> 16) & 0xff;
    if (bus != 0)
        return NULL;           /* no bridges: only bus 0 exists */
    *reg = a & 0xfc;
    return pci_bus_find(&h->bus, (uint8_t)((a >> 8) & 0xff));
}

static uint64_t idx_read(void *opaque, uint64_t off, unsigned size)
{
    struct pci_host *h = opaque;
    return off == 0 && size == 4 ? h->config_address : UINT64_MAX;
}

static void idx_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct pci_host *h = opaque;
    if (off == 0 && size == 4)
        h->config_address = (uint32_t)val & CONFIG_ADDRESS_MASK;
}

static uint64_t data_read(void *opaque, uint64_t off, unsigned size)
{
    struct pci_host *h = opaque;
    unsigned reg;
    struct pci_device *d = pci_host_selected(h, &reg);
    if (!d || off + size > 4)
        return UINT64_MAX;
    return pci_config_read(d, reg + (unsigned)off, size);
}

static void data_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct pci_host *h = opaque;
    unsigned reg;
    struct pci_device *d = pci_host_selected(h, &reg);
    if (d && off + size <= 4)
        pci_config_write(d, reg + (unsigned)off, (uint32_t)val, size);
}

static const struct region_ops idx_ops = { idx_read, idx_write, 4 };
static const struct region_ops data_ops = { data_read, data_write, 4 };

void pci_host_init(struct pci_host *h, struct region *pci_mem, struct region *io,
                   struct address_space *dma)
{
    pci_bus_init(&h->bus, "pci.0", pci_mem, io, dma);
    pci_device_init(&h->dev, &h->bus, PCI_DEVFN(PCI_SLOT_HOST, 0), "i440FX",
                    PCI_VENDOR_INTEL, PCI_DEVICE_I440FX, PCI_CLASS_BRIDGE_HOST, 0x02,
                    PCI_HEADER_TYPE_NORMAL);
    pci_set_subsystem(&h->dev, PCI_SUBVENDOR_QEMU, PCI_SUBDEVICE_QEMU);
    /* The host bridge decodes memory and masters the bus from reset. */
    pci_set_word(h->dev.config + PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    region_init_io(&h->idx, "pci-conf-idx", 4, &idx_ops, h);
    /* CONFIG_ADDRESS only latches a value for the CONFIG_DATA access
     * that follows, which exits and finds queued writes delivered first:
     * a CPU backend may queue writes to it (core/coalesce.h). */
    region_set_write_queue(&h->idx, 0, 0, 4);
    region_init_io(&h->data, "pci-conf-data", 4, &data_ops, h);
    region_add(io, &h->idx, PCI_CONFIG_ADDRESS, 0);
    region_add(io, &h->data, PCI_CONFIG_DATA, 0);
}

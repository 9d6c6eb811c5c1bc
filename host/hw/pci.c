/*
 * Configuration space behaviour common to every PCI function.
 *
 * A write goes through two masks: wmask says which bits software can
 * change at all (IDs, class, header type and the BAR size bits cannot be),
 * w1cmask which bits it clears by writing 1 (the status error bits). After
 * a write touching the command register or a BAR, the BAR regions are
 * mapped or unmapped to match. (PCI Local Bus 3.0: the header 6.1, the
 * command and status registers 6.2.2-6.2.3, BARs and their sizing
 * 6.2.5.1.)
 */
#include <string.h>
#include "core/log.h"
#include "hw/pci.h"

void pci_bus_init(struct pci_bus *b, const char *name, struct region *mem,
                  struct region *io, struct address_space *dma)
{
    memset(b, 0, sizeof *b);
    b->name = name;
    b->mem = mem;
    b->io = io;
    b->dma = dma;
}

struct pci_device *pci_bus_find(struct pci_bus *b, uint8_t devfn)
{
    return b->devs[devfn];
}

int pci_device_init(struct pci_device *d, struct pci_bus *b, uint8_t devfn,
                    const char *name, uint16_t vendor, uint16_t device,
                    uint16_t class_code, uint8_t revision, uint8_t header_type)
{
    if (b->devs[devfn])
        return -1;
    memset(d, 0, sizeof *d);
    d->name = name;
    d->bus = b;
    d->devfn = devfn;
    pci_set_word(d->config + PCI_VENDOR_ID, vendor);
    pci_set_word(d->config + PCI_DEVICE_ID, device);
    pci_set_word(d->config + PCI_CLASS_DEVICE, class_code);
    d->config[PCI_REVISION_ID] = revision;
    d->config[PCI_HEADER_TYPE] = header_type;
    pci_set_word(d->config + PCI_STATUS, PCI_STATUS_DEVSEL_MEDIUM | PCI_STATUS_FAST_BACK);

    pci_set_word(d->wmask + PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
                 PCI_COMMAND_MASTER | PCI_COMMAND_PARITY | PCI_COMMAND_SERR |
                 PCI_COMMAND_INTX_DISABLE);
    pci_set_word(d->w1cmask + PCI_STATUS, PCI_STATUS_W1C);
    d->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
    d->wmask[PCI_LATENCY_TIMER] = 0xff;
    d->wmask[PCI_INTERRUPT_LINE] = 0xff;
    b->devs[devfn] = d;
    return 0;
}

void pci_set_subsystem(struct pci_device *d, uint16_t vendor, uint16_t id)
{
    pci_set_word(d->config + PCI_SUBSYSTEM_VENDOR_ID, vendor);
    pci_set_word(d->config + PCI_SUBSYSTEM_ID, id);
}

void pci_set_interrupt_pin(struct pci_device *d, uint8_t pin)
{
    d->config[PCI_INTERRUPT_PIN] = pin;
}

void pci_register_bar(struct pci_device *d, int idx, uint8_t type, uint64_t size,
                      struct region *region)
{
    struct pci_bar_state *bar = &d->bars[idx];
    bar->size = size;
    bar->type = type;
    bar->region = region;
    /* The size shows as the low address bits that do not stick. */
    uint32_t mask = (uint32_t)~(size - 1);
    if (type & PCI_BASE_ADDRESS_SPACE_IO)
        mask &= PCI_BASE_ADDRESS_IO_MASK;
    else
        mask &= PCI_BASE_ADDRESS_MEM_MASK;
    pci_set_long(d->config + PCI_BASE_ADDRESS_0 + 4 * idx, type);
    pci_set_long(d->wmask + PCI_BASE_ADDRESS_0 + 4 * idx, mask);
}

static uint64_t bar_address(const struct pci_device *d, int idx)
{
    uint32_t v = pci_get_long(d->config + PCI_BASE_ADDRESS_0 + 4 * idx);
    return d->bars[idx].type & PCI_BASE_ADDRESS_SPACE_IO ? v & PCI_BASE_ADDRESS_IO_MASK
                                                         : v & PCI_BASE_ADDRESS_MEM_MASK;
}

/* Map each BAR where its register says, when its decode is enabled and
 * the address is usable: not zero, not the all-ones of sizing, and for
 * I/O inside the 64 KiB port space. */
static void update_mappings(struct pci_device *d)
{
    uint16_t cmd = pci_get_word(d->config + PCI_COMMAND);
    for (int i = 0; i < PCI_NUM_BARS; i++) {
        struct pci_bar_state *bar = &d->bars[i];
        if (!bar->size)
            continue;
        bool io = bar->type & PCI_BASE_ADDRESS_SPACE_IO;
        uint64_t addr = bar_address(d, i);
        uint64_t mask = io ? (uint64_t)(uint32_t)~(bar->size - 1) & PCI_BASE_ADDRESS_IO_MASK
                           : (uint64_t)(uint32_t)~(bar->size - 1) & PCI_BASE_ADDRESS_MEM_MASK;
        bool on = (cmd & (io ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY)) && addr != 0 &&
                  addr != mask && (!io || addr + bar->size <= 0x10000);
        if (on == bar->mapped && (!on || addr == bar->addr))
            continue;
        if (bar->mapped)
            region_del(bar->region);
        bar->mapped = on;
        bar->addr = on ? addr : 0;
        if (on)
            region_add(io ? d->bus->io : d->bus->mem, bar->region, addr, 1);
    }
}

uint32_t pci_config_read(struct pci_device *d, unsigned addr, unsigned len)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < len && addr + i < PCI_CONFIG_SIZE; i++)
        v |= (uint32_t)d->config[addr + i] << (8 * i);
    return v;
}

void pci_config_write(struct pci_device *d, unsigned addr, uint32_t val, unsigned len)
{
    bool remap = false;
    for (unsigned i = 0; i < len && addr + i < PCI_CONFIG_SIZE; i++) {
        unsigned a = addr + i;
        uint8_t b = (uint8_t)(val >> (8 * i));
        uint8_t w = d->wmask[a], c = d->w1cmask[a];
        d->config[a] = (uint8_t)((d->config[a] & ~w) | (b & w));
        d->config[a] &= (uint8_t)~(b & c);
        if ((a >= PCI_COMMAND && a < PCI_COMMAND + 2) ||
            (a >= PCI_BASE_ADDRESS_0 && a < PCI_BASE_ADDRESS_0 + 4 * PCI_NUM_BARS))
            remap = true;
    }
    if (remap)
        update_mappings(d);
    /* INTX_DISABLE may have changed what the line should show. */
    if (addr <= PCI_COMMAND + 1 && addr + len > PCI_COMMAND)
        pci_set_irq(d, d->irq_level);
    if (d->config_written)
        d->config_written(d, addr, len);
}

void pci_firmware_set_bar(struct pci_device *d, int idx, uint64_t addr)
{
    pci_config_write(d, PCI_BASE_ADDRESS_0 + 4 * idx, (uint32_t)addr, 4);
}

void pci_firmware_set_command(struct pci_device *d, uint16_t command)
{
    pci_config_write(d, PCI_COMMAND, command, 2);
}

void pci_set_irq(struct pci_device *d, int level)
{
    d->irq_level = level;
    uint16_t st = pci_get_word(d->config + PCI_STATUS);
    st = level ? st | PCI_STATUS_INTERRUPT : st & ~PCI_STATUS_INTERRUPT;
    pci_set_word(d->config + PCI_STATUS, st);
    bool disabled = pci_get_word(d->config + PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE;
    irq_set(&d->irq, level && !disabled);
}

bool pci_bus_master(const struct pci_device *d)
{
    return pci_get_word(d->config + PCI_COMMAND) & PCI_COMMAND_MASTER;
}

bool pci_dma_read(struct pci_device *d, uint64_t addr, void *buf, size_t len)
{
    return pci_bus_master(d) && as_ram_read(d->bus->dma, addr, buf, len);
}

bool pci_dma_write(struct pci_device *d, uint64_t addr, const void *buf, size_t len)
{
    if (!pci_bus_master(d) || !as_ram_write(d->bus->dma, addr, buf, len))
        return false;
    if (d->bus->dma_written)
        d->bus->dma_written(d->bus->dma_opaque, addr, len);
    return true;
}

bool pci_dma_is_ram(const struct pci_device *d, uint64_t addr, size_t len)
{
    while (len) {
        uint64_t off;
        const struct region *r = address_space_lookup(d->bus->dma, addr, &off);
        if (!r || r->kind != REGION_RAM || addr + len < addr)
            return false;
        uint64_t n = r->size - off < len ? r->size - off : len;
        addr += n;
        len -= (size_t)n;
    }
    return true;
}

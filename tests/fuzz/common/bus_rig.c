#include <string.h>
#include "bus_rig.h"
#include "contract/pci.h"
#include "core/log.h"
#include "hw/piix3.h"

static uint8_t ram[RIG_RAM_SIZE];

static uint64_t rig_now(void *opaque)
{
    return ((struct bus_rig *)opaque)->now;
}

static void inta(void *opaque, int n, int level)
{
    struct bus_rig *r = opaque;
    if (level != r->irq_line)
        r->irq_edges++;
    r->irq_line = level;
}

/* Warnings are the model's answer to a hostile guest: expected here, and
 * too many to print. */
static void quiet(void *opaque, const char *line) { }

void bus_rig_init(struct bus_rig *r, bool firmware)
{
    memset(r, 0, sizeof *r);
    memset(ram, 0, sizeof ram);
    r->ram = ram;
    log_capture(quiet, NULL);
    region_init_container(&r->sysmem, "system", UINT64_MAX);
    region_init_ram(&r->ram_region, "pc.ram", RIG_RAM_SIZE, ram);
    region_add(&r->sysmem, &r->ram_region, 0, 0);
    region_init_container(&r->pci_mem, "pci", UINT64_MAX);
    region_add(&r->sysmem, &r->pci_mem, 0, -1);
    address_space_init(&r->mem_as, "memory", &r->sysmem);
    region_init_container(&r->io, "io", 0x10000);
    address_space_init(&r->io_as, "I/O", &r->io);
    pci_host_init(&r->host, &r->pci_mem, &r->io, &r->mem_as);
    piix3_init(&r->isa, &r->host.bus);
    loop_init(&r->loop);
    r->now = 1000000000ull;
    r->loop.now = rig_now;
    r->loop.now_opaque = r;
    static const uint8_t mac[6] = E1000_DEFAULT_MAC;
    r->nic = e1000_create(&r->host.bus, PCI_DEVFN(PCI_SLOT_E1000, 0), mac);
    e1000_attach_loop(r->nic, &r->loop);
    struct pci_device *d = e1000_pci(r->nic);
    d->irq = (struct irq_line){ inta, r, PCI_E1000_IRQ };
    d->config[PCI_INTERRUPT_LINE] = PCI_E1000_IRQ;
    if (firmware) {
        pci_firmware_set_bar(d, 0, E1000_BAR0_ADDR);
        pci_firmware_set_bar(d, 1, E1000_BAR1_ADDR);
        pci_firmware_set_command(d, PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    }
}

void bus_rig_fini(struct bus_rig *r)
{
    e1000_destroy(r->nic);
    r->nic = NULL;
}

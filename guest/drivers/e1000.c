/*
 * The e1000 driver, first stage: the ID table of the 8254x family (the
 * IDs Linux's e1000 driver lists), and a probe that enables the function
 * and maps its register BARs.
 */
#include "contract/e1000.h"
#include "e1000_drv.h"
#include "heap.h"
#include "kernel.h"

#define INTEL(dev) { PCI_VENDOR_INTEL, (dev), 0, 0 }

static const struct pci_device_id e1000_ids[] = {
    INTEL(0x1000), /* 82542 */
    INTEL(0x1001), INTEL(0x1004),                     /* 82543GC */
    INTEL(0x1008), INTEL(0x1009),                     /* 82544EI */
    INTEL(0x100c), INTEL(0x100d),                     /* 82544GC */
    INTEL(0x100e), INTEL(0x1015),                     /* 82540EM */
    INTEL(0x1016), INTEL(0x1017), INTEL(0x101e),      /* 82540EP */
    INTEL(0x100f), INTEL(0x1011),                     /* 82545EM */
    INTEL(0x1026), INTEL(0x1027), INTEL(0x1028),      /* 82545GM */
    INTEL(0x1010), INTEL(0x1012), INTEL(0x101d),      /* 82546EB */
    INTEL(0x1079), INTEL(0x107a), INTEL(0x107b),      /* 82546GB */
    INTEL(0x108a), INTEL(0x1099), INTEL(0x10b5),
    INTEL(0x1013), INTEL(0x1018),                     /* 82541EI */
    INTEL(0x1014), INTEL(0x1078),                     /* 82541ER */
    INTEL(0x1076), INTEL(0x1077), INTEL(0x107c),      /* 82541GI */
    INTEL(0x1019), INTEL(0x101a),                     /* 82547EI */
    INTEL(0x1075),                                    /* 82547GI */
    { 0, 0, 0, 0 },
};

unsigned e1000_probe_calls, e1000_remove_calls;

static int e1000_probe(struct pci_dev *pci, const struct pci_device_id *id)
{
    e1000_probe_calls++;
    const struct pci_bar *mmio = &pci->bars[0], *io = &pci->bars[1];
    if (!mmio->size || mmio->io || !mmio->addr) {
        printf("# e1000 %02x:%02x.%x: BAR0 is not a usable memory BAR\n", pci->bus, pci->dev,
               pci->fn);
        return -1;
    }
    struct e1000_nic *nic = kzalloc(sizeof *nic);
    if (!nic)
        return -1;
    pci_enable_device(pci);
    nic->pci = pci;
    nic->regs = (volatile uint8_t *)(uintptr_t)mmio->addr;
    nic->io_base = io->size && io->io ? (uint16_t)io->addr : 0;
    pci->driver_data = nic;
    return 0;
}

static void e1000_remove(struct pci_dev *pci)
{
    e1000_remove_calls++;
    /* stop its DMA before the memory goes away */
    pci_write16(pci, PCI_COMMAND, pci_read16(pci, PCI_COMMAND) & ~PCI_COMMAND_MASTER);
    kfree(pci->driver_data);
}

const struct pci_driver e1000_driver = {
    .name = "e1000",
    .id_table = e1000_ids,
    .probe = e1000_probe,
    .remove = e1000_remove,
};
PCI_DRIVER(e1000_driver);

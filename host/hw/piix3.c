/*
 * The PIIX3 ISA bridge as software sees it in configuration space. Its
 * header says multifunction (IDE, USB and power management sit at .1-.3
 * on a real board); those functions are absent here, which enumeration
 * must cope with. PIRQ routing registers (0x60-0x63) are writable and
 * read back but the machine routes INTA of slot 3 to IRQ 11 fixedly.
 */
#include "hw/piix3.h"

int piix3_init(struct pci_device *d, struct pci_bus *b, uint8_t devfn)
{
    if (pci_device_init(d, b, devfn, "PIIX3", PCI_VENDOR_INTEL,
                        PCI_DEVICE_PIIX3_ISA, PCI_CLASS_BRIDGE_ISA, 0x00,
                        PCI_HEADER_TYPE_NORMAL | PCI_HEADER_MULTIFUNCTION) < 0)
        return -1;
    pci_set_word(d->config + PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
                 PCI_COMMAND_MASTER);
    pci_set_subsystem(d, PCI_SUBVENDOR_QEMU, PCI_SUBDEVICE_QEMU);
    /* 82371SB (PIIX3) datasheet, PIRQRC[A:D] (PIRQx Route Control,
     * 60h-63h): default 80h, routing disabled; bit 7 is the disable, bits
     * 3:0 the IRQ, bits 6:4 reserved */
    for (unsigned r = 0x60; r < 0x64; r++) {
        d->config[r] = 0x80;
        d->wmask[r] = 0x8f;
    }
    return 0;
}

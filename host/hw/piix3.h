/* The PIIX3 PCI-to-ISA bridge function at 00:01.0. */
#ifndef HOST_HW_PIIX3_H
#define HOST_HW_PIIX3_H

#include "hw/pci.h"

int piix3_init(struct pci_device *d, struct pci_bus *b, uint8_t devfn);

#endif

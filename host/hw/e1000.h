/*
 * The Intel 82540EM gigabit controller ("e1000"), PCI 8086:100e.
 * So far: its PCI function with BAR0 (128 KiB registers) and BAR1
 * (64-byte IOADDR/IODATA window) and INTA. The register file arrives
 * with the device model proper.
 */
#ifndef HOST_HW_E1000_H
#define HOST_HW_E1000_H

#include "hw/pci.h"

struct e1000;

struct e1000 *e1000_create(struct pci_bus *bus, uint8_t devfn);
void e1000_destroy(struct e1000 *e);
struct pci_device *e1000_pci(struct e1000 *e);

#endif

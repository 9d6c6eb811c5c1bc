/*
 * The i440FX host bridge: configuration mechanism #1 on ports
 * 0xcf8-0xcff and the bridge's own function at 00:00.0.
 */
#ifndef HOST_HW_PCI_HOST_H
#define HOST_HW_PCI_HOST_H

#include "hw/pci.h"

struct pci_host {
    struct pci_bus bus;
    struct pci_device dev;      /* 00:00.0 */
    uint32_t config_address;
    struct region idx, data;    /* pci-conf-idx, pci-conf-data */
};

void pci_host_init(struct pci_host *h, struct region *pci_mem, struct region *io,
                   struct address_space *dma);

/* Mechanism #1 decoded, for tests: the function CONFIG_ADDRESS selects,
 * or NULL when disabled or absent. */
struct pci_device *pci_host_selected(struct pci_host *h, unsigned *reg);

#endif

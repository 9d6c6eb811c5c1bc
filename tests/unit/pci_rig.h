/* A memory and I/O space with the PCI host bridge, for device tests. */
#ifndef TESTS_UNIT_PCI_RIG_H
#define TESTS_UNIT_PCI_RIG_H

#include <string.h>
#include "hw/pci_host.h"

struct pci_rig {
    uint8_t ram[65536];
    struct region sysmem, ram_region, pci_mem, io;
    struct address_space mem_as, io_as;
    struct pci_host host;
};

static inline void pci_rig_init(struct pci_rig *r)
{
    memset(r, 0, sizeof *r);
    region_init_container(&r->sysmem, "system", UINT64_MAX);
    region_init_ram(&r->ram_region, "ram", sizeof r->ram, r->ram);
    region_add(&r->sysmem, &r->ram_region, 0, 0);
    region_init_container(&r->pci_mem, "pci", UINT64_MAX);
    region_add(&r->sysmem, &r->pci_mem, 0, -1);
    address_space_init(&r->mem_as, "memory", &r->sysmem);
    region_init_container(&r->io, "io", 0x10000);
    address_space_init(&r->io_as, "I/O", &r->io);
    pci_host_init(&r->host, &r->pci_mem, &r->io, &r->mem_as);
}

#endif

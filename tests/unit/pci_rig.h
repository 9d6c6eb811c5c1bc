/* A board for device tests: 64 KiB of RAM at 0, the memory and I/O
 * spaces and the PCI host bridge; a test adds the PC's devices it needs
 * from their board entries (board_pc.c), as pcemu builds them. */
#ifndef TESTS_UNIT_PCI_RIG_H
#define TESTS_UNIT_PCI_RIG_H

#include <string.h>
#include "board.h"
#include "contract/e1000.h"
#include "core/log.h"

struct pci_rig {
    uint8_t ram[65536];
    struct region sysmem, ram_region, io;
    struct address_space mem_as, io_as;
    struct board b;
};

static inline void pci_rig_init(struct pci_rig *r)
{
    memset(r, 0, sizeof *r);
    board_spaces_init(&r->sysmem, &r->io, &r->mem_as, &r->io_as);
    region_init_ram(&r->ram_region, "ram", sizeof r->ram, r->ram);
    region_add(&r->sysmem, &r->ram_region, 0, 0);
    static const struct board_config cfg = { .mac = E1000_DEFAULT_MAC };
    board_init(&r->b, &cfg, &r->sysmem, &r->io, &r->mem_as, &r->io_as);
}

/* A cmocka teardown for a setup that left the pci_rig in *state: the
 * board and its devices go, and warnings print again. */
static inline int pci_rig_teardown(void **state)
{
    struct pci_rig *r = *state;
    board_destroy(&r->b);
    log_capture(NULL, NULL);
    return 0;
}

/* The PC's device name, with firmware's BARs and decoding (firmware) or
 * as the guest finds it at reset. Its interrupt goes where r->b.irq[] says
 * and its timers to r->b.loop (NULL: every interrupt at once, DMA inside
 * the doorbell's write). */
static inline void *pci_rig_add(struct pci_rig *r, const char *name, bool firmware)
{
    r->b.cfg.unassigned_bars = !firmware;
    return board_add(&r->b, board_pc_device(name));
}

#endif

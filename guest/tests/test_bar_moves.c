/* A guest that moves the e1000's BAR0 again and again, decoding on, to
 * a new place each time, and uses the multicast table there: every
 * write must read back at once, wherever the BAR went (pcemu may queue
 * the table's writes, core/coalesce.c, but never past a read). On
 * demand (tests=pci_bar0_moves): it unbinds the driver while it runs.
 * It prints what a move cost, for docs/results.md; no time limit. */
#include "clock.h"
#include "contract/e1000.h"
#include "e1000_drv.h"
#include "kernel.h"
#include "mmio.h"
#include "pci.h"
#include "tap.h"

#define MOVES      64
#define MOVE_BASE  0xe0000000u      /* free PCI memory on pcemu and QEMU (64 MiB RAM) */

SELFTEST_ON_DEMAND(59, pci_bar0_moves)
{
    struct pci_dev *nic = pci_find(0, PCI_SLOT_E1000, 0);
    if (!nic) {
        tap_fail(t, "e1000 present", "00:03.0", "nothing");
        return;
    }
    bool bound = nic->driver != NULL;
    if (bound)
        pci_unbind(nic);
    uint32_t bar0 = pci_read32(nic, PCI_BASE_ADDRESS_0);
    uint16_t cmd = pci_read16(nic, PCI_COMMAND);
    pci_write16(nic, PCI_COMMAND, cmd | PCI_COMMAND_MEMORY);
    uint64_t ns[MOVES], worst = 0, total = 0;
    int bad = 0;
    for (int i = 0; i < MOVES && !bad; i++) {
        uint32_t at = MOVE_BASE + (uint32_t)i * E1000_BAR0_SIZE;
        volatile uint8_t *regs = (volatile uint8_t *)(uintptr_t)at;
        uint32_t v = 0x5a000000u | (uint32_t)i << 8 | (uint32_t)i;
        uint64_t t0 = time_ns();
        pci_write32(nic, PCI_BASE_ADDRESS_0, at);
        mmio_write32(regs + E1000_MTA + 4 * (i % 128), v);
        uint32_t got = mmio_read32(regs + E1000_MTA + 4 * (i % 128));
        ns[i] = time_ns() - t0;
        total += ns[i];
        if (ns[i] > worst)
            worst = ns[i];
        if (got != v) {
            tap_failf(t, "multicast table entry read back after a BAR0 move", "0x%llx", v,
                      "0x%llx", got);
            bad = 1;
        }
        if (pci_read32(nic, PCI_BASE_ADDRESS_0) != at) {
            tap_failf(t, "BAR0 moved", "0x%llx", at, "0x%llx",
                      pci_read32(nic, PCI_BASE_ADDRESS_0));
            bad = 1;
        }
    }
    pci_write32(nic, PCI_BASE_ADDRESS_0, bar0);
    pci_write16(nic, PCI_COMMAND, cmd);
    if (!bad) {
        for (int i = 1; i < MOVES; i++)                 /* insertion sort */
            for (int j = i; j > 0 && ns[j - 1] > ns[j]; j--) {
                uint64_t x = ns[j];
                ns[j] = ns[j - 1];
                ns[j - 1] = x;
            }
        printf("# pci_bar0_moves: %d moves, each with a write and a read there: "
               "median %llu us, worst %llu us, all %llu us\n", MOVES,
               (unsigned long long)(ns[MOVES / 2] / 1000), (unsigned long long)(worst / 1000),
               (unsigned long long)(total / 1000));
    }
    if (bound)
        EXPECT_EQ(t, 0, (uint64_t)pci_bind(nic), "the driver binds again at the old BAR0");
}

/*
 * The kernel's page tables are static data built by boot.asm: the first
 * 4 GiB identity-mapped, page 0 left out so NULL faults. Building them
 * here instead costs more than the whole test run on a host whose KVM
 * emulates each guest instruction (PVM; docs/results.md). The multiboot path
 * enters long mode on them; the pcemu path switches to them here. Both
 * lose the guard pages under the boot stack and the entry stack here.
 * The UEFI path arrives on the firmware's tables and switches too.
 * MMIO above 4 GiB is mapped when a driver asks (pci_map_bar).
 */
#include <stdint.h>
#include "kernel.h"
#include "pci.h"
#include "trap.h"
#include "x86.h"

/* boot.asm */
extern uint64_t kernel_pml4[512], kernel_pt0[512];
extern char boot_stack_guard[], entry_stack_guard[];

static void unmap_guard(uint64_t guard)
{
    if (guard >= (2ull << 20))      /* kernel_pt0 maps the first 2 MiB */
        panic("stack guard at 0x%llx is beyond the 4 KiB-mapped 2 MiB",
              (unsigned long long)guard);
    kernel_pt0[guard >> 12] = 0;
    __asm__ volatile("invlpg (%0)" :: "r"(guard) : "memory");
}

/* ---- MMIO beyond the identity map ----
 *
 * Firmware may place 64-bit BARs above 4 GiB (OVMF puts them in a window
 * past the top of RAM). pci_map_bar has those identity-mapped here on
 * demand, with 2 MiB pages, uncached (PCD and PWT: UC with the power-on
 * PAT, whatever the MTRRs say of that range), user-accessible like the
 * rest of the kernel's mappings. The page tables come from a small pool:
 * a page directory a GiB touched, a PDPT each 512 GiB. */
#define PTE_P   0x001ull
#define PTE_RW  0x002ull
#define PTE_US  0x004ull
#define PTE_PWT 0x008ull
#define PTE_PCD 0x010ull
#define PTE_PS  0x080ull
#define PTE_ADDR 0x000ffffffffff000ull
#define MMIO_TABLES 8

static uint64_t mmio_tables[MMIO_TABLES][512] __attribute__((aligned(4096)));
static unsigned mmio_tables_used;

/* The table entry e points at, made when absent; NULL when out of pool. */
static uint64_t *next_table(uint64_t *e)
{
    if (!(*e & PTE_P)) {
        if (mmio_tables_used == MMIO_TABLES)
            return NULL;
        uint64_t *t = mmio_tables[mmio_tables_used++];
        *e = (uint64_t)t | PTE_P | PTE_RW | PTE_US;
    }
    return (uint64_t *)(*e & PTE_ADDR);
}

int paging_map_mmio(uint64_t base, uint64_t size)
{
    const uint64_t page = 2ull << 20;
    for (uint64_t a = base & ~(page - 1); a < base + size; a += page) {
        uint64_t *pdpt = next_table(&kernel_pml4[(a >> 39) & 511]);
        if (!pdpt)
            return -1;
        uint64_t *pde = &pdpt[(a >> 30) & 511];
        if ((*pde & PTE_P) && (*pde & PTE_PS))
            continue;           /* a 1 GiB page already covers it */
        uint64_t *pd = next_table(pde);
        if (!pd)
            return -1;
        if (!(pd[(a >> 21) & 511] & PTE_P))
            pd[(a >> 21) & 511] = a | PTE_P | PTE_RW | PTE_US | PTE_PS | PTE_PCD | PTE_PWT;
    }
    /* entries went from not present to present: nothing to invalidate */
    return 0;
}

void paging_init(void)
{
    unmap_guard((uint64_t)boot_stack_guard);
    unmap_guard((uint64_t)entry_stack_guard);
    if (read_cr3() != (uint64_t)kernel_pml4)
        write_cr3((uint64_t)kernel_pml4);
}

/*
 * The kernel's page tables are static data built by boot.asm: the first
 * 4 GiB identity-mapped, page 0 left out so NULL faults. The multiboot
 * path enters long mode on them; the pcemu path switches to them here.
 */
#include <stdint.h>
#include "trap.h"
#include "x86.h"

extern uint64_t kernel_pml4[512];

void paging_init(void)
{
    if (read_cr3() != (uint64_t)kernel_pml4)
        write_cr3((uint64_t)kernel_pml4);
}

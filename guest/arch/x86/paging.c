/*
 * The kernel's page tables are static data built by boot.asm: the first
 * 4 GiB identity-mapped, page 0 left out so NULL faults. Building them
 * here instead costs 14-21 ms on a host whose KVM emulates each guest
 * instruction (PVM), more than the whole test run. The multiboot path
 * enters long mode on them; the pcemu path switches to them here. Both
 * lose the guard pages under the boot stack and the entry stack here.
 */
#include <stdint.h>
#include "kernel.h"
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

void paging_init(void)
{
    unmap_guard((uint64_t)boot_stack_guard);
    unmap_guard((uint64_t)entry_stack_guard);
    if (read_cr3() != (uint64_t)kernel_pml4)
        write_cr3((uint64_t)kernel_pml4);
}

/*
 * Page table entry bits of 4-level paging (SDM Vol. 3, 4.5, tables 4-15
 * to 4-20); the PAE and 32-bit forms keep the low ones where they are.
 */
#ifndef HOST_CPU_INTERP_PTE_H
#define HOST_CPU_INTERP_PTE_H

#define PTE_P   0x001ull
#define PTE_RW  0x002ull
#define PTE_US  0x004ull
#define PTE_A   0x020ull
#define PTE_D   0x040ull
#define PTE_PS  0x080ull
#define PTE_XD  (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull

#endif

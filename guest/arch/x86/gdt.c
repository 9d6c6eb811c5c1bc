/*
 * The kernel's GDT: 64-bit code and data for CPL 0 and for CPL 3, and a
 * TSS whose RSP0 is the entry stack for interrupts and exceptions taken
 * at CPL 3 and whose IST1 stack takes double faults, NMIs and machine
 * checks, so even a blown kernel stack is reported. Its I/O permission
 * bitmap allows every port, so the kernel's port I/O at CPL 3 runs
 * without a #GP (IOPL stays 0: cli, sti and hlt still trap).
 */
#include <stddef.h>
#include <stdint.h>
#include "kernel.h"
#include "trap.h"
#include "usermode.h"

struct __attribute__((packed)) tss {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3, iomap_base;
    /* one bit a port, clear: allowed; the CPU reads a byte past the last
     * port's, which must have every bit set */
    uint8_t iomap[65536 / 8 + 1];
};
_Static_assert(offsetof(struct tss, iomap) == 104, "tss layout");

static struct tss tss;
static uint8_t ist1_stack[16384] __attribute__((aligned(16)));
static uint64_t gdt[7] __attribute__((aligned(16)));
extern char entry_stack_top[];      /* boot.asm */

#define SEL_CODE 0x08
#define SEL_DATA 0x10
#define SEL_TSS  0x18

void gdt_init(void)
{
    uint64_t base = (uint64_t)&tss, limit = sizeof tss - 1;
    gdt[0] = 0;
    gdt[1] = 0x00af9a000000ffffull;          /* code: long mode, present, DPL 0 */
    gdt[2] = 0x00cf92000000ffffull;          /* data */
    gdt[3] = (limit & 0xffff) | (base & 0xffffff) << 16 | 0x89ull << 40 |  /* available TSS */
             ((limit >> 16) & 0xf) << 48 | ((base >> 24) & 0xff) << 56;
    gdt[4] = base >> 32;
    gdt[SEL_UDATA >> 3] = 0x00cff2000000ffffull;   /* data, DPL 3 */
    gdt[SEL_UCODE >> 3] = 0x00affa000000ffffull;   /* code: long mode, DPL 3 */
    tss.rsp[0] = (uint64_t)entry_stack_top;
    tss.ist[0] = (uint64_t)(ist1_stack + sizeof ist1_stack);
    tss.iomap_base = offsetof(struct tss, iomap);
    tss.iomap[sizeof tss.iomap - 1] = 0xff;

    struct __attribute__((packed)) { uint16_t limit; uint64_t base; } ptr = {
        sizeof gdt - 1, (uint64_t)gdt };
    __asm__ volatile(
        "lgdt %0\n\t"
        "pushq %1\n\t"
        "leaq 1f(%%rip), %%rax\n\t"
        "pushq %%rax\n\t"
        "lretq\n"
        "1:\n\t"
        "movw %w2, %%ax\n\t"
        "movw %%ax, %%ds\n\t"
        "movw %%ax, %%es\n\t"
        "movw %%ax, %%ss\n\t"
        "movw %%ax, %%fs\n\t"
        "movw %%ax, %%gs\n\t"
        "ltr %w3"
        :: "m"(ptr), "i"(SEL_CODE), "r"(SEL_DATA), "r"(SEL_TSS) : "rax", "memory");
}

/*
 * The pcemu long-mode entry (contract/boot.h): identity-mapped page
 * tables for the first 4 GiB, a flat GDT, the boot info in low memory and
 * the vcpu already in 64-bit mode at the note's entry point.
 */
#include <stdio.h>
#include <string.h>
#include "boot/boot_internal.h"
#include "contract/boot.h"
#include "machine.h"

#define PTE_P   0x1ull
#define PTE_RW  0x2ull
#define PTE_PS  0x80ull

void boot_identity_map(struct machine *m)
{
    uint64_t pml4[512] = { PCEMU_BOOT_PDPT | PTE_P | PTE_RW };
    uint64_t pdpt[512] = { 0 };
    boot_put(m, PCEMU_BOOT_PML4, pml4, sizeof pml4);
    for (unsigned g = 0; g < 4; g++) {
        uint64_t pd[512];
        uint64_t pd_gpa = PCEMU_BOOT_PD + g * 0x1000ull;
        for (unsigned i = 0; i < 512; i++)
            pd[i] = ((uint64_t)g << 30) + ((uint64_t)i << 21) + (PTE_P | PTE_RW | PTE_PS);
        boot_put(m, pd_gpa, pd, sizeof pd);
        pdpt[g] = pd_gpa | PTE_P | PTE_RW;
    }
    boot_put(m, PCEMU_BOOT_PDPT, pdpt, sizeof pdpt);
}

int boot_entry64(struct machine *m, const struct elf_image *img, uint64_t entry,
                 struct cpu_state *st, char *why, size_t whylen)
{
    if (boot_load_segments(m, img, why, whylen) < 0)
        return -1;
    if (entry < PCEMU_LOAD_MIN || entry >= m->lowmem) {
        snprintf(why, whylen, "pcemu entry note points at 0x%llx, outside the loaded RAM",
                 (unsigned long long)entry);
        return -1;
    }

    size_t len;
    const char *cmdline = boot_cmdline(m, &len, why, whylen);
    if (!cmdline)
        return -1;
    boot_put(m, PCEMU_BOOT_CMDLINE, cmdline, len + 1);

    struct pcemu_boot_info bi = {
        .magic = PCEMU_BOOT_MAGIC,
        .version = PCEMU_BOOT_INFO_VERSION,
        .ram_bytes = m->ram_size,
        .cmdline = PCEMU_BOOT_CMDLINE,
        .cmdline_len = (uint32_t)len,
    };
    struct mem_range r[BOOT_MAX_RANGES];
    bi.mmap_count = boot_memory_map(m, r);
    for (unsigned i = 0; i < bi.mmap_count; i++)
        bi.mmap[i] = (struct pcemu_mem_range){ r[i].base, r[i].length, r[i].type, 0 };
    boot_put(m, PCEMU_BOOT_INFO, &bi, sizeof bi);

    boot_identity_map(m);
    boot_write_gdt(m, st);
    st->cs = (struct cpu_seg){ .limit = 0xffffffff, .selector = BOOT_SEL_CODE64,
                               .type = 11, .s = 1, .present = 1, .l = 1, .g = 1 };
    st->cr0 = 0x80010031;   /* PG | WP | NE | ET | PE */
    st->cr3 = PCEMU_BOOT_PML4;
    st->cr4 = 0x20;         /* PAE */
    st->efer = 0x500;       /* LMA | LME */
    st->rip = entry;
    st->rax = PCEMU_BOOT_MAGIC;
    st->rdi = PCEMU_BOOT_INFO;
    return 0;
}

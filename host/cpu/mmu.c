/*
 * A page-table walk for the debugger: 32-bit (4 KiB/4 MiB pages), PAE and
 * 4-level long mode (2 MiB/1 GiB pages), reading tables from guest RAM.
 */
#include "cpu/cpu.h"
#include "machine.h"

#define CR0_PG   (1ull << 31)
#define CR4_PSE  (1ull << 4)
#define CR4_PAE  (1ull << 5)
#define EFER_LMA (1ull << 10)
#define PTE_P    1ull
#define PTE_PS   (1ull << 7)
#define ADDR_MASK 0x000ffffffffff000ull

static bool read_pte(struct machine *m, uint64_t pa, unsigned size, uint64_t *v)
{
    *v = 0;
    return as_ram_read(&m->mem_as, pa, v, size);
}

bool cpu_translate(struct machine *m, const struct cpu_state *s, uint64_t va, uint64_t *pa)
{
    if (!(s->cr0 & CR0_PG)) {
        *pa = va & 0xffffffffull;
        return true;
    }
    uint64_t e;
    if (!(s->cr4 & CR4_PAE)) {             /* two-level 32-bit paging */
        uint32_t v = (uint32_t)va;
        if (!read_pte(m, (s->cr3 & 0xfffff000u) + ((v >> 22) << 2), 4, &e) || !(e & PTE_P))
            return false;
        if ((e & PTE_PS) && (s->cr4 & CR4_PSE)) {
            *pa = (e & 0xffc00000u) | (v & 0x3fffff);
            return true;
        }
        if (!read_pte(m, (e & 0xfffff000u) + (((v >> 12) & 0x3ff) << 2), 4, &e) || !(e & PTE_P))
            return false;
        *pa = (e & 0xfffff000u) | (v & 0xfff);
        return true;
    }
    int levels = s->efer & EFER_LMA ? 4 : 3;
    uint64_t table = levels == 4 ? s->cr3 & ADDR_MASK : s->cr3 & 0xffffffe0u;
    for (int l = levels; l >= 1; l--) {
        unsigned shift = 12 + 9 * (unsigned)(l - 1);
        unsigned idx = (unsigned)((va >> shift) & (l == 3 && levels == 3 ? 3 : 511));
        if (!read_pte(m, table + idx * 8, 8, &e) || !(e & PTE_P))
            return false;
        if (l > 1 && l < 4 && (e & PTE_PS)) {
            uint64_t span = 1ull << shift;
            *pa = (e & ADDR_MASK & ~(span - 1)) | (va & (span - 1));
            return true;
        }
        table = e & ADDR_MASK;
    }
    *pa = table | (va & 0xfff);
    return true;
}

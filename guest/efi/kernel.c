/*
 * The carried kernel ELF: its PT_LOAD segments, which give the physical
 * range to reserve, and its PT_NOTE, which names the long-mode entry
 * (contract/boot.h). The image was built with the application, but is
 * checked as input all the same: a wrong build must fail with a reason.
 */
#include <elf.h>
#include "loader.h"

static UINTN image_size(void)
{
    return (UINTN)(kernel_elf_end - kernel_elf);
}

static const Elf64_Phdr *phdr(const Elf64_Ehdr *eh, unsigned i)
{
    return (const Elf64_Phdr *)(kernel_elf + eh->e_phoff + (UINT64)i * eh->e_phentsize);
}

static int in_image(UINT64 off, UINT64 len)
{
    return off <= image_size() && len <= image_size() - off;
}

/* The pcemu note's descriptor in one PT_NOTE segment, or 0. */
static UINT64 note_entry(const Elf64_Phdr *ph)
{
    UINT64 off = ph->p_offset, end = ph->p_offset + ph->p_filesz;
    while (off + sizeof(Elf64_Nhdr) <= end) {
        const Elf64_Nhdr *n = (const Elf64_Nhdr *)(kernel_elf + off);
        UINT64 name = off + sizeof *n, desc = name + ((n->n_namesz + 3) & ~3u);
        UINT64 next = desc + ((n->n_descsz + 3) & ~3u);
        if (next > end)
            break;
        if (n->n_type == PCEMU_NOTE_ENTRY64 && n->n_namesz == sizeof PCEMU_NOTE_NAME &&
            CompareMem(kernel_elf + name, PCEMU_NOTE_NAME, sizeof PCEMU_NOTE_NAME) == 0 &&
            n->n_descsz == 8)
            return *(const UINT64 *)(kernel_elf + desc);
        off = next;
    }
    return 0;
}

int kernel_parse(struct kernel_image *k, const char **why)
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)kernel_elf;
    *k = (struct kernel_image){ .lo = ~0ull };
    if (image_size() < sizeof *eh || CompareMem(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
        eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_machine != EM_X86_64) {
        *why = "the carried kernel is not an x86-64 ELF64";
        return -1;
    }
    if (eh->e_phentsize < sizeof(Elf64_Phdr) ||
        !in_image(eh->e_phoff, (UINT64)eh->e_phnum * eh->e_phentsize)) {
        *why = "the kernel's program headers lie outside the image";
        return -1;
    }
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        const Elf64_Phdr *ph = phdr(eh, i);
        if (!in_image(ph->p_offset, ph->p_filesz) || ph->p_filesz > ph->p_memsz) {
            *why = "a kernel segment lies outside the image";
            return -1;
        }
        if (ph->p_type == PT_NOTE && !k->entry64)
            k->entry64 = note_entry(ph);
        if (ph->p_type != PT_LOAD || !ph->p_memsz)
            continue;
        if (ph->p_paddr < PCEMU_LOAD_MIN || ph->p_paddr + ph->p_memsz < ph->p_paddr) {
            *why = "a kernel segment loads below 1 MiB or wraps";
            return -1;
        }
        if (ph->p_paddr < k->lo)
            k->lo = ph->p_paddr;
        if (ph->p_paddr + ph->p_memsz > k->hi)
            k->hi = ph->p_paddr + ph->p_memsz;
    }
    k->lo &= ~(UINT64)EFI_PAGE_MASK;
    k->hi = (k->hi + EFI_PAGE_MASK) & ~(UINT64)EFI_PAGE_MASK;
    if (k->lo >= k->hi) {
        *why = "the kernel has nothing to load";
        return -1;
    }
    if (!k->entry64 || k->entry64 < k->lo || k->entry64 >= k->hi) {
        *why = "the kernel has no pcemu long-mode entry note inside its image";
        return -1;
    }
    return 0;
}

void kernel_place(const struct kernel_image *k)
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)kernel_elf;
    SetMem((void *)(UINTN)k->lo, k->hi - k->lo, 0);       /* .bss and the gaps */
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        const Elf64_Phdr *ph = phdr(eh, i);
        if (ph->p_type == PT_LOAD && ph->p_filesz)
            CopyMem((void *)(UINTN)ph->p_paddr, kernel_elf + ph->p_offset,
                    ph->p_filesz);
    }
}

/* Just enough ELF to load a kernel: validated program headers and notes. */
#ifndef HOST_BOOT_ELF_H
#define HOST_BOOT_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ELF_MAX_PHDRS 64

struct elf_segment {
    uint32_t type;
    uint64_t offset, paddr, vaddr, filesz, memsz;
};

struct elf_image {
    const uint8_t *data;
    size_t size;
    bool is64;
    uint16_t machine;
    uint64_t entry;
    unsigned nsegs;
    struct elf_segment segs[ELF_MAX_PHDRS];
};

/* Checks the header and every program header against the file size.
 * Returns 0, or -1 with a reason in why (a static string or buf). */
int elf_parse(struct elf_image *img, const uint8_t *data, size_t size,
              char *why, size_t whylen);

/* Finds a note by name and type in the PT_NOTE segments; returns its
 * descriptor and length, or NULL. */
const void *elf_find_note(const struct elf_image *img, const char *name,
                          uint32_t type, size_t *desclen);

#endif

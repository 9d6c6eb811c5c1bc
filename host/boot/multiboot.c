/*
 * Multiboot v1, as GRUB boots a kernel: 32-bit protected mode, paging off,
 * EAX = the bootloader magic, EBX = the information structure with the
 * memory map and the command line.
 */
#include <stdio.h>
#include <string.h>
#include "boot/boot_internal.h"
#include "contract/boot.h"
#include "machine.h"

#define MBI_ADDR      PCEMU_BOOT_INFO
#define MBI_MMAP      (PCEMU_BOOT_INFO + 0x100)
#define MBI_NAME      (PCEMU_BOOT_INFO + 0x300)
#define MBI_CMDLINE   PCEMU_BOOT_CMDLINE
/* Flags in the low half are requirements: a loader must refuse what it
 * cannot honour. pcemu honours these (it has no display, so no video
 * mode: a kernel that requires one is refused). */
#define MB_SUPPORTED  (MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO)

static const struct multiboot_header *find_header(const struct elf_image *img,
                                                  uint64_t *offset)
{
    size_t end = img->size < MULTIBOOT_SEARCH ? img->size : MULTIBOOT_SEARCH;
    for (size_t off = 0; off + 12 <= end; off += 4) {
        uint32_t w[3];
        memcpy(w, img->data + off, sizeof w);
        if (w[0] == MULTIBOOT_HEADER_MAGIC && w[0] + w[1] + w[2] == 0) {
            *offset = off;
            return (const struct multiboot_header *)(img->data + off);
        }
    }
    return NULL;
}

/* The a.out kludge: the header's own addresses say what to load where. */
static int load_kludge(struct machine *m, const struct elf_image *img,
                       const struct multiboot_header *h, uint64_t hoff,
                       char *why, size_t whylen)
{
    if (hoff + sizeof *h > img->size) {
        snprintf(why, whylen, "multiboot header with address fields is truncated");
        return -1;
    }
    uint64_t load_end = h->load_end_addr ? h->load_end_addr : h->load_addr + (img->size - hoff);
    if (h->header_addr < h->load_addr || h->header_addr - h->load_addr > hoff ||
        load_end < h->load_addr ||
        (h->bss_end_addr && h->bss_end_addr < load_end)) {
        snprintf(why, whylen, "multiboot address fields are inconsistent");
        return -1;
    }
    uint64_t file_off = hoff - (h->header_addr - h->load_addr);
    uint64_t filesz = load_end - h->load_addr;
    uint64_t memsz = (h->bss_end_addr ? h->bss_end_addr : load_end) - h->load_addr;
    if (filesz > img->size - file_off) {
        snprintf(why, whylen, "truncated (multiboot load range runs past the end of the file)");
        return -1;
    }
    if (h->load_addr < PCEMU_LOAD_MIN || h->load_addr >= m->lowmem ||
        memsz > m->lowmem - h->load_addr) {
        snprintf(why, whylen, "multiboot load range 0x%x-0x%llx is outside RAM above 1 MiB",
                 h->load_addr, (unsigned long long)(h->load_addr + memsz));
        return -1;
    }
    memcpy(m->ram + h->load_addr, img->data + file_off, filesz);
    memset(m->ram + h->load_addr + filesz, 0, memsz - filesz);
    return 0;
}

static int write_info(struct machine *m, char *why, size_t whylen)
{
    size_t len;
    const char *cmdline = boot_cmdline(m, &len, why, whylen);
    if (!cmdline)
        return -1;
    boot_put(m, MBI_CMDLINE, cmdline, len + 1);
    boot_put(m, MBI_NAME, "pcemu", 6);

    struct mem_range r[BOOT_MAX_RANGES];
    unsigned n = boot_memory_map(m, r);
    struct multiboot_mmap_entry e[BOOT_MAX_RANGES];
    for (unsigned i = 0; i < n; i++)
        e[i] = (struct multiboot_mmap_entry){ sizeof e[i] - 4, r[i].base, r[i].length,
                                              r[i].type };
    boot_put(m, MBI_MMAP, e, n * sizeof e[0]);

    struct multiboot_info mbi = {
        .flags = MULTIBOOT_INFO_MEMORY | MULTIBOOT_INFO_CMDLINE | MULTIBOOT_INFO_MEM_MAP |
                 MULTIBOOT_INFO_BOOT_LOADER,
        .mem_lower = 0x9fc00 / 1024,
        .mem_upper = (uint32_t)((m->lowmem - 0x100000) / 1024),
        .cmdline = MBI_CMDLINE,
        .mmap_length = n * (uint32_t)sizeof e[0],
        .mmap_addr = MBI_MMAP,
        .boot_loader_name = MBI_NAME,
    };
    boot_put(m, MBI_ADDR, &mbi, sizeof mbi);
    return 0;
}

int boot_multiboot(struct machine *m, const struct elf_image *img,
                   struct cpu_state *st, char *why, size_t whylen)
{
    uint64_t hoff;
    const struct multiboot_header *h = find_header(img, &hoff);
    if (!h) {
        snprintf(why, whylen, "no multiboot header in the first 8 KiB%s",
                 img->is64 ? " and no pcemu entry note" : "");
        return -1;
    }
    uint32_t flags = h->flags;
    if ((flags & 0xffff) & ~MB_SUPPORTED) {
        snprintf(why, whylen, "multiboot header requires features 0x%x pcemu lacks%s",
                 (flags & 0xffff) & ~MB_SUPPORTED,
                 flags & MULTIBOOT_VIDEO_MODE ? " (a video mode: pcemu has no display)" : "");
        return -1;
    }
    uint64_t entry = img->entry;
    if (flags & MULTIBOOT_AOUT_KLUDGE) {
        if (load_kludge(m, img, h, hoff, why, whylen) < 0)
            return -1;
        entry = h->entry_addr;
    } else if (boot_load_segments(m, img, why, whylen) < 0) {
        return -1;
    }
    if (entry < PCEMU_LOAD_MIN || entry >= m->lowmem || entry > 0xffffffffu) {
        snprintf(why, whylen, "entry point 0x%llx is outside the loaded RAM",
                 (unsigned long long)entry);
        return -1;
    }
    if (write_info(m, why, whylen) < 0)
        return -1;

    boot_write_gdt(m, st);
    st->cs = (struct cpu_seg){ .limit = 0xffffffff, .selector = BOOT_SEL_CODE32,
                               .type = 11, .s = 1, .present = 1, .db = 1, .g = 1 };
    st->cr0 = 0x11;         /* ET | PE */
    st->rip = entry;
    st->rax = MULTIBOOT_BOOTLOADER_MAGIC;
    st->rbx = MBI_ADDR;
    return 0;
}

/* Shared between the loader's pieces. */
#ifndef HOST_BOOT_INTERNAL_H
#define HOST_BOOT_INTERNAL_H

#include <stddef.h>
#include "boot/elf.h"
#include "cpu/cpu.h"

struct machine;

struct mem_range { uint64_t base, length; uint32_t type; };
#define BOOT_MAX_RANGES 5
/* The e820-style map both boot paths describe; returns the count. */
unsigned boot_memory_map(const struct machine *m, struct mem_range *out);

/* Copies into guest RAM; false when the range is not RAM. */
bool boot_put(struct machine *m, uint64_t gpa, const void *src, size_t len);

/* The -append line and its length; NULL (and why) when it does not fit
 * the page every boot path keeps it in. */
const char *boot_cmdline(const struct machine *m, size_t *len, char *why, size_t whylen);

/* Flat 4 GiB GDT at PCEMU_BOOT_GDT with 64-bit code, data and 32-bit code. */
#define BOOT_SEL_CODE64 0x08
#define BOOT_SEL_DATA   0x10
#define BOOT_SEL_CODE32 0x18
void boot_write_gdt(struct machine *m, struct cpu_state *st);

/* Page tables at PCEMU_BOOT_PML4 identity-mapping the first 4 GiB with
 * 2 MiB pages. */
void boot_identity_map(struct machine *m);

/* Reads a whole regular file of at most limit bytes; NULL with a reason. */
uint8_t *boot_read_file(const char *path, size_t *size, size_t limit, char *why,
                        size_t whylen);

int boot_entry64(struct machine *m, const struct elf_image *img, uint64_t entry,
                 struct cpu_state *st, char *why, size_t whylen);
int boot_multiboot(struct machine *m, const struct elf_image *img,
                   struct cpu_state *st, char *why, size_t whylen);
/* A Linux bzImage (boot/linux.h) with its initrd, if any. */
int boot_linux(struct machine *m, const uint8_t *data, size_t size,
               const uint8_t *initrd, size_t initrd_size, struct cpu_state *st,
               char *why, size_t whylen);
/* Copies PT_LOAD segments to their physical addresses. */
int boot_load_segments(struct machine *m, const struct elf_image *img,
                       char *why, size_t whylen);

#endif

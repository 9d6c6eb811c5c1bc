/*
 * pcemu-efi: the guest kernel as a UEFI application. BOOTX64.EFI carries
 * the kernel ELF (build/guest.elf, linked at its fixed physical address)
 * as data; it reserves that range, gathers the command line, the
 * firmware's and the machine's names, exits boot services and enters
 * the kernel's long-mode entry (the pcemu note's, contract/boot.h) with
 * a boot info built from the UEFI memory map. The kernel then installs
 * its own GDT, IDT and page tables as on every other path.
 */
#ifndef PCEMU_EFI_LOADER_H
#define PCEMU_EFI_LOADER_H

#include <efi.h>
#include <efilib.h>
#include "contract/boot.h"

/* The kernel ELF as linked into the application (payload.c). */
extern const UINT8 kernel_elf[], kernel_elf_end[];

struct kernel_image {
    UINT64 lo, hi;          /* the physical range its PT_LOAD segments span */
    UINT64 entry64;         /* the pcemu note's long-mode entry */
};

/* kernel.c: checks the ELF and finds the range and the entry; 0, or -1
 * with *why set. Then copies the segments to their physical addresses
 * (reserved by the caller), clearing what the file does not cover. */
int kernel_parse(struct kernel_image *k, const char **why);
void kernel_place(const struct kernel_image *k);

/* cmdline.c: the load options when they are text, else CMDLINE.TXT next
 * to the application, else empty; printable ASCII, at most max - 1
 * characters and a NUL. */
void cmdline_get(EFI_HANDLE image, char *out, UINTN max);

/* smbios.c: "manufacturer product" of SMBIOS's system information, or
 * an empty string. */
void smbios_machine(char *out, UINTN max);

/* memmap.c: the memory map read so that ExitBootServices takes it;
 * buffers sized before the first call, since no boot service but
 * GetMemoryMap may be used after that. */
struct efi_map {
    UINT8 *buf;
    UINTN cap, size, key, desc_size;
    UINT32 desc_version;
    struct pcemu_mem_range *scratch;    /* for memmap_to_boot_info */
    UINTN scratch_cap;
};
EFI_STATUS memmap_alloc(struct efi_map *m);
EFI_STATUS memmap_read(struct efi_map *m);
/* The map as the kernel reads it: the RAM the OS may use, sorted and
 * merged, at most PCEMU_BOOT_MMAP_MAX ranges (those at 0 and holding
 * the kernel first, then the largest); returns the machine's RAM in
 * bytes, rounded up to a MiB. */
UINT64 memmap_to_boot_info(struct efi_map *m, const struct kernel_image *k,
                           struct pcemu_boot_info *bi);
/* The first map entry overlapping [lo, hi) that is not free memory, for
 * the message when the kernel's range is taken; 0 when none. */
int memmap_owner(struct efi_map *m, UINT64 lo, UINT64 hi, UINT32 *type, UINT64 *start,
                 UINT64 *end);

/* handoff.c: exit boot services and enter the kernel; returns only when
 * the map cannot be read before the first ExitBootServices. */
EFI_STATUS handoff(EFI_HANDLE image, struct efi_map *m, const struct kernel_image *k,
                   struct pcemu_efi_boot_info *bi);

/* Before ExitBootServices: a TAP bail-out on the console (Print makes
 * each \n a CR LF), then the failing verdict on the debug-exit port
 * (main.c), which stops a test VM as the kernel's own verdict would;
 * nothing answers there on a PC. */
void verdict_fail(void);
#define BAIL(fmt, ...) \
    (Print(L"Bail out! pcemu-efi: " fmt L"\n", ##__VA_ARGS__), verdict_fail())

#endif

/*
 * The boot hand-off between pcemu and a guest kernel.
 *
 * A guest that wants to start directly in 64-bit long mode carries an ELF
 * note (in a PT_NOTE segment) named PCEMU_NOTE_NAME with type
 * PCEMU_NOTE_ENTRY64 whose descriptor is the 64-bit physical address of
 * its long-mode entry point. This is the same idea as Xen's PVH entry note,
 * with our own name so nothing mistakes one for the other.
 *
 * At that entry the CPU state is:
 *   - 64-bit long mode, paging on, the first 4 GiB identity-mapped with
 *     2 MiB pages (page tables below PCEMU_BOOT_AREA_END);
 *   - CS a 64-bit code segment, DS/ES/SS/FS/GS a flat data segment
 *     (GDT below PCEMU_BOOT_AREA_END);
 *   - RFLAGS = 0x2 (interrupts off), no IDT;
 *   - EAX = PCEMU_BOOT_MAGIC, RDI = physical address of a struct
 *     pcemu_boot_info, RSP = 0 (the guest sets up its own stack).
 *
 * Any other kernel with a multiboot v1 header is started the way GRUB
 * would: 32-bit protected mode, EAX = MULTIBOOT_BOOTLOADER_MAGIC, EBX =
 * the multiboot information structure.
 *
 * The UEFI application (guest/efi/) enters the same long-mode entry after
 * ExitBootServices with EAX = PCEMU_EFI_BOOT_MAGIC and RDI = a struct
 * pcemu_efi_boot_info. The CPU is as the firmware left it, in long mode
 * (UEFI 2.10 section 2.3.4: paging on, everything identity-mapped, a
 * flat GDT of its own), interrupts off, CR4.SMEP, SMAP, PKE and CET
 * clear; the boot info and its strings are in loader memory below
 * 4 GiB, which the map reports as RAM: read them before reusing it.
 */
#ifndef CONTRACT_BOOT_H
#define CONTRACT_BOOT_H

#include <stdint.h>

#define PCEMU_NOTE_NAME          "pcemu"
#define PCEMU_NOTE_ENTRY64       0x50434501u  /* desc: uint64_t entry */

#define PCEMU_BOOT_MAGIC         0x50434275u  /* "uBCP" in EAX at entry */
#define PCEMU_BOOT_INFO_VERSION  1

/* Low memory pcemu uses for the hand-off; the guest may reuse it once it
 * has copied what it needs from the boot info. */
#define PCEMU_BOOT_GDT           0x1000u
#define PCEMU_BOOT_PML4          0x2000u
#define PCEMU_BOOT_PDPT          0x3000u
#define PCEMU_BOOT_PD            0x4000u     /* four pages: 4 GiB */
#define PCEMU_BOOT_INFO          0x8000u
#define PCEMU_BOOT_CMDLINE       0x9000u
#define PCEMU_BOOT_CMDLINE_MAX   4096u
#define PCEMU_BOOT_AREA_END      0xa000u

/* Lowest address a guest image may load at. */
#define PCEMU_LOAD_MIN           0x100000u

enum pcemu_mem_type {
    PCEMU_MEM_RAM      = 1,
    PCEMU_MEM_RESERVED = 2,
};

struct pcemu_mem_range {
    uint64_t base;
    uint64_t length;
    uint32_t type;        /* enum pcemu_mem_type */
    uint32_t reserved;
};
_Static_assert(sizeof(struct pcemu_mem_range) == 24, "pcemu_mem_range layout");

#define PCEMU_BOOT_MMAP_MAX 8

struct pcemu_boot_info {
    uint32_t magic;       /* PCEMU_BOOT_MAGIC */
    uint32_t version;     /* PCEMU_BOOT_INFO_VERSION */
    uint64_t ram_bytes;   /* total guest RAM */
    uint64_t cmdline;     /* physical address of a NUL-terminated string */
    uint32_t cmdline_len; /* without the NUL */
    uint32_t mmap_count;
    struct pcemu_mem_range mmap[PCEMU_BOOT_MMAP_MAX];
};
_Static_assert(sizeof(struct pcemu_boot_info) == 32 + 24 * PCEMU_BOOT_MMAP_MAX,
               "pcemu_boot_info layout");

/* The UEFI application's hand-off: the same boot info (its magic is
 * PCEMU_EFI_BOOT_MAGIC; the map lists only RAM the OS may use), then
 * what firmware and machine the kernel runs on. */
#define PCEMU_EFI_BOOT_MAGIC     0x50434575u  /* "uECP" in EAX at entry */

struct pcemu_efi_boot_info {
    struct pcemu_boot_info base;
    uint64_t firmware;    /* physical address of a NUL-terminated string:
                             UEFI revision, firmware vendor and revision */
    uint64_t machine;     /* SMBIOS system manufacturer and product, or "" */
};
_Static_assert(sizeof(struct pcemu_efi_boot_info) == sizeof(struct pcemu_boot_info) + 16,
               "pcemu_efi_boot_info layout");

/* Multiboot v1, the parts both sides use. */
#define MULTIBOOT_HEADER_MAGIC      0x1BADB002u
#define MULTIBOOT_BOOTLOADER_MAGIC  0x2BADB002u
#define MULTIBOOT_SEARCH            8192u
#define MULTIBOOT_PAGE_ALIGN        (1u << 0)
#define MULTIBOOT_MEMORY_INFO       (1u << 1)
#define MULTIBOOT_VIDEO_MODE        (1u << 2)
#define MULTIBOOT_AOUT_KLUDGE       (1u << 16)

#define MULTIBOOT_INFO_MEMORY       (1u << 0)
#define MULTIBOOT_INFO_CMDLINE      (1u << 2)
#define MULTIBOOT_INFO_MEM_MAP      (1u << 6)
#define MULTIBOOT_INFO_BOOT_LOADER  (1u << 9)

struct multiboot_header {
    uint32_t magic, flags, checksum;
    /* valid with MULTIBOOT_AOUT_KLUDGE */
    uint32_t header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr;
};
_Static_assert(sizeof(struct multiboot_header) == 32, "multiboot_header layout");

struct multiboot_info {
    uint32_t flags;
    uint32_t mem_lower, mem_upper;
    uint32_t boot_device;
    uint32_t cmdline;
    uint32_t mods_count, mods_addr;
    uint32_t syms[4];
    uint32_t mmap_length, mmap_addr;
    uint32_t drives_length, drives_addr;
    uint32_t config_table;
    uint32_t boot_loader_name;
    uint32_t apm_table;
    uint32_t vbe[4];      /* VBE fields, unused here */
};
_Static_assert(sizeof(struct multiboot_info) == 88, "multiboot_info layout");

/* One memory map entry; `size` counts the bytes after itself. */
struct __attribute__((packed)) multiboot_mmap_entry {
    uint32_t size;
    uint64_t addr;
    uint64_t len;
    uint32_t type;        /* 1 = available RAM */
};
_Static_assert(sizeof(struct multiboot_mmap_entry) == 24, "multiboot mmap layout");

#endif

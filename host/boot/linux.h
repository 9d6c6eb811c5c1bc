/*
 * The Linux x86 boot protocol (Documentation/arch/x86/boot.rst and
 * zero-page.rst), as a boot loader without a BIOS uses it: the setup
 * header read from the bzImage, the protected-mode kernel at 1 MiB, a
 * struct boot_params ("zero page") with the e820 map, the command line
 * and the initrd, and the kernel entered through the 64-bit boot
 * protocol (or the 32-bit one where the kernel has no 64-bit entry). The
 * real-mode setup code is never run.
 *
 * The parsing and planning below are pure functions of the image and
 * the machine's size, so tests can give them any bzImage.
 */
#ifndef HOST_BOOT_LINUX_H
#define HOST_BOOT_LINUX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Setup header fields (boot.rst, "The Real-Mode Kernel Header"): offsets
 * in the bzImage file and in struct boot_params alike. */
#define LINUX_SETUP_SECTS       0x1f1
#define LINUX_SYSSIZE           0x1f4
#define LINUX_VID_MODE          0x1fa
#define LINUX_BOOT_FLAG         0x1fe   /* 0xaa55 */
#define LINUX_JUMP              0x200   /* 0xeb, then the header's length - 0x202 + 0x200 */
#define LINUX_HEADER            0x202   /* "HdrS" */
#define LINUX_VERSION           0x206
#define LINUX_TYPE_OF_LOADER    0x210
#define LINUX_LOADFLAGS         0x211
#define LINUX_CODE32_START      0x214
#define LINUX_RAMDISK_IMAGE     0x218
#define LINUX_RAMDISK_SIZE      0x21c
#define LINUX_CMD_LINE_PTR      0x228
#define LINUX_INITRD_ADDR_MAX   0x22c
#define LINUX_KERNEL_ALIGNMENT  0x230
#define LINUX_RELOCATABLE       0x234
#define LINUX_XLOADFLAGS        0x236
#define LINUX_CMDLINE_SIZE      0x238
#define LINUX_PREF_ADDRESS      0x258
#define LINUX_INIT_SIZE         0x260

#define LINUX_HDRS_MAGIC        0x53726448u   /* "HdrS" */
#define LINUX_BOOT_FLAG_MAGIC   0xaa55u
#define LINUX_LOADED_HIGH       0x01          /* loadflags: a bzImage */
#define LINUX_XLF_KERNEL_64     0x0001        /* xloadflags: 64-bit entry at +0x200 */
#define LINUX_LOADER_UNDEFINED  0xff          /* type_of_loader: no assigned id */
#define LINUX_VID_NORMAL        0xffff        /* vid_mode "normal" */

/* struct boot_params (zero-page.rst) */
#define LINUX_BP_SIZE           0x1000
#define LINUX_BP_E820_ENTRIES   0x1e8
#define LINUX_BP_SENTINEL       0x1ef
#define LINUX_BP_HDR_END        0x290         /* edd_mbr_sig_buffer follows the header */
#define LINUX_BP_E820_TABLE     0x2d0
#define LINUX_BP_E820_MAX       128
#define LINUX_E820_ENTRY_SIZE   20            /* u64 addr, u64 size, u32 type, packed */

/* The oldest protocol pcemu boots: 2.06 (Linux 2.6.22) gave the
 * command line a size (cmdline_size); 2.03 gave initrd_addr_max. */
#define LINUX_MIN_VERSION       0x0206
/* The protected-mode kernel goes where every bzImage may be loaded. */
#define LINUX_LOAD_ADDR         0x100000u
/* The 64-bit entry is at the protected-mode kernel + 0x200. */
#define LINUX_ENTRY64_OFFSET    0x200u
/* __BOOT_CS and __BOOT_DS, the selectors both entries require. */
#define LINUX_BOOT_CS           0x10
#define LINUX_BOOT_DS           0x18

/* What the setup header says, checked against the file. */
struct linux_image {
    uint16_t version;           /* 0x020f: protocol 2.15 */
    size_t setup_size;          /* boot sector and setup code: (setup_sects + 1) * 512 */
    size_t hdr_end;             /* end of the setup header: 0x202 + byte at 0x201 */
    const uint8_t *kernel;      /* the protected-mode kernel: everything after setup */
    size_t kernel_size;
    bool entry64;               /* XLF_KERNEL_64: the 64-bit entry exists */
    bool relocatable;
    uint32_t kernel_alignment;
    uint32_t initrd_addr_max;   /* highest byte an initrd may occupy */
    uint32_t cmdline_size;      /* longest command line, without its NUL */
    uint64_t pref_address;
    uint32_t init_size;         /* memory the kernel needs from its runtime start */
};

/* Whether data starts like a bzImage: "HdrS" at 0x202. */
bool linux_is_bzimage(const uint8_t *data, size_t size);

/* Reads and checks the setup header; -1 with a reason when the file is
 * not a bzImage pcemu can boot (too short, no boot flag, a zImage, a
 * protocol older than 2.06, a header or kernel past the end of the file). */
int linux_parse(struct linux_image *li, const uint8_t *data, size_t size,
                char *why, size_t whylen);

/* Where everything goes in guest RAM below lowmem. */
struct linux_layout {
    uint64_t kernel;            /* protected-mode kernel: LINUX_LOAD_ADDR */
    uint64_t kernel_end;        /* the highest byte + 1 the kernel needs while it
                                   decompresses and starts (runtime start + init_size) */
    uint64_t initrd;            /* 0 without one */
    uint64_t initrd_size;
    uint64_t entry;             /* the entry the CPU starts at */
};

/* Places the kernel and the initrd (at the top of RAM below
 * initrd_addr_max, page-aligned, above what the kernel needs); -1 with a
 * reason (and what -m would help) when they do not fit. */
int linux_plan(const struct linux_image *li, uint64_t lowmem, uint64_t initrd_size,
               size_t cmdline_len, struct linux_layout *lo, char *why, size_t whylen);

struct mem_range;

/* Fills bp (LINUX_BP_SIZE bytes) as the 32- and 64-bit boot protocols
 * want it: zeroed, the setup header copied from the image, the fields
 * a loader writes, and the e820 map. */
void linux_boot_params(uint8_t *bp, const struct linux_image *li, const uint8_t *image,
                       const struct linux_layout *lo, uint64_t cmdline_addr,
                       const struct mem_range *map, unsigned nmap);

#endif

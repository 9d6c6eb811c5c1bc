/*
 * A Linux bzImage through the x86 boot protocol, as -kernel does on QEMU
 * and kvmtool, but without their BIOS and real-mode setup code: pcemu
 * writes struct boot_params itself and enters the protected-mode kernel
 * directly (Documentation/arch/x86/boot.rst, "64-bit Boot Protocol").
 *
 * Why the 64-bit entry: pcemu's long-mode boot already builds what it
 * needs (identity-mapped page tables, a flat GDT), it is the entry kexec
 * uses for a 64-bit bzImage, and it skips the decompressor's own way
 * into long mode (startup_32's page tables and its 5-level paging
 * trampoline), so fewer mode switches stand between the loader and the
 * kernel. A kernel without it (XLF_KERNEL_64 clear: a 32-bit kernel, or
 * a protocol before 2.12) gets the 32-bit entry at its load address.
 */
#include <stdio.h>
#include <string.h>
#include "boot/boot_internal.h"
#include "boot/linux.h"
#include "contract/boot.h"
#include "core/le.h"
#include "machine.h"

bool linux_is_bzimage(const uint8_t *data, size_t size)
{
    return size >= LINUX_HEADER + 4 && get_le32(data + LINUX_HEADER) == LINUX_HDRS_MAGIC;
}

int linux_parse(struct linux_image *li, const uint8_t *data, size_t size,
                char *why, size_t whylen)
{
    memset(li, 0, sizeof *li);
    /* the first two sectors hold the boot sector and the whole header */
    if (size < 1024 || !linux_is_bzimage(data, size)) {
        snprintf(why, whylen, "not a Linux bzImage (%s)", size < 1024 ?
                 "shorter than its two header sectors" : "no \"HdrS\" at 0x202");
        return -1;
    }
    if (get_le16(data + LINUX_BOOT_FLAG) != LINUX_BOOT_FLAG_MAGIC) {
        snprintf(why, whylen, "Linux image without the 0xaa55 boot flag at 0x1fe");
        return -1;
    }
    li->version = get_le16(data + LINUX_VERSION);
    if (li->version < LINUX_MIN_VERSION) {
        snprintf(why, whylen, "Linux boot protocol %u.%02u is too old: pcemu boots 2.06 "
                 "(Linux 2.6.22) and later", li->version >> 8, li->version & 0xff);
        return -1;
    }
    if (!(data[LINUX_LOADFLAGS] & LINUX_LOADED_HIGH)) {
        snprintf(why, whylen, "a zImage (loads at 0x10000): pcemu boots only bzImage kernels");
        return -1;
    }
    unsigned sects = data[LINUX_SETUP_SECTS] ? data[LINUX_SETUP_SECTS] : 4;
    li->setup_size = (sects + 1) * 512u;
    li->hdr_end = 0x202u + data[LINUX_JUMP + 1];
    /* the header must hold the fields its version promises: cmdline_size
     * (2.06), pref_address and init_size (2.10) */
    size_t need = li->version >= 0x020a ? LINUX_INIT_SIZE + 4 : LINUX_CMDLINE_SIZE + 4;
    if (data[LINUX_JUMP] != 0xeb || li->hdr_end < need || li->hdr_end > LINUX_BP_HDR_END) {
        snprintf(why, whylen, "Linux setup header of protocol %u.%02u ends at 0x%zx, "
                 "outside 0x%zx-0x%x", li->version >> 8, li->version & 0xff, li->hdr_end,
                 need, LINUX_BP_HDR_END);
        return -1;
    }
    if (li->setup_size >= size) {
        snprintf(why, whylen, "truncated: %zu bytes, but the setup code alone is %zu",
                 size, li->setup_size);
        return -1;
    }
    li->kernel = data + li->setup_size;
    li->kernel_size = size - li->setup_size;
    uint64_t syssize = (uint64_t)get_le32(data + LINUX_SYSSIZE) * 16;
    if (syssize > li->kernel_size) {
        snprintf(why, whylen, "truncated: the header says %llu bytes of protected-mode "
                 "kernel, the file has %zu", (unsigned long long)syssize, li->kernel_size);
        return -1;
    }
    li->initrd_addr_max = get_le32(data + LINUX_INITRD_ADDR_MAX);
    li->kernel_alignment = get_le32(data + LINUX_KERNEL_ALIGNMENT);
    li->relocatable = data[LINUX_RELOCATABLE] != 0;
    li->cmdline_size = get_le32(data + LINUX_CMDLINE_SIZE);
    if (li->version >= 0x020a) {
        li->pref_address = get_le64(data + LINUX_PREF_ADDRESS);
        li->init_size = get_le32(data + LINUX_INIT_SIZE);
    }
    if (li->version >= 0x020c)
        li->entry64 = get_le16(data + LINUX_XLOADFLAGS) & LINUX_XLF_KERNEL_64;
    return 0;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
    return a && (a & (a - 1)) == 0 ? (v + a - 1) & ~(a - 1) : v;
}

int linux_plan(const struct linux_image *li, uint64_t lowmem, uint64_t initrd_size,
               size_t cmdline_len, struct linux_layout *lo, char *why, size_t whylen)
{
    memset(lo, 0, sizeof *lo);
    if (cmdline_len > li->cmdline_size) {
        snprintf(why, whylen, "command line (-append) is %zu bytes, this kernel takes at "
                 "most %u", cmdline_len, li->cmdline_size);
        return -1;
    }
    lo->kernel = LINUX_LOAD_ADDR;
    lo->entry = lo->kernel + (li->entry64 ? LINUX_ENTRY64_OFFSET : 0);
    /* boot.rst, init_size: the runtime start is the load address aligned
     * up (relocatable) or pref_address; and the decompressor never runs a
     * kernel below LOAD_PHYSICAL_ADDR, which pref_address holds
     * (arch/x86/boot/compressed/head_64.S). */
    uint64_t runtime = li->relocatable ? align_up(lo->kernel, li->kernel_alignment)
                                       : li->pref_address;
    if (runtime < li->pref_address)
        runtime = li->pref_address;
    if (runtime >= lowmem) {
        snprintf(why, whylen, "the kernel runs at 0x%llx (its pref_address), beyond the "
                 "%llu MiB of RAM below the PCI hole", (unsigned long long)runtime,
                 (unsigned long long)(lowmem >> 20));
        return -1;
    }
    /* runtime < lowmem and init_size < 4 GiB: no sum below can wrap */
    uint64_t need = runtime + li->init_size;
    if (need < lo->kernel + li->kernel_size)
        need = lo->kernel + li->kernel_size;
    if (need > lowmem) {
        snprintf(why, whylen, "the kernel needs RAM up to %llu MiB to start (its init_size "
                 "from 0x%llx), -m gives %llu MiB below the PCI hole",
                 (unsigned long long)((need + (1 << 20) - 1) >> 20),
                 (unsigned long long)runtime, (unsigned long long)(lowmem >> 20));
        return -1;
    }
    lo->kernel_end = need;
    if (!initrd_size)
        return 0;
    /* boot.rst, initrd_addr_max: the highest byte the initrd may occupy */
    uint64_t top = (uint64_t)li->initrd_addr_max + 1;
    if (top > lowmem)
        top = lowmem;
    if (initrd_size > top || ((top - initrd_size) & ~0xfffull) < lo->kernel_end) {
        snprintf(why, whylen, "-initrd: %llu bytes do not fit between the kernel (up to "
                 "0x%llx) and 0x%llx (%s); try a larger -m",
                 (unsigned long long)initrd_size, (unsigned long long)lo->kernel_end,
                 (unsigned long long)top,
                 top == lowmem ? "the end of RAM" : "the kernel's initrd_addr_max");
        return -1;
    }
    lo->initrd = (top - initrd_size) & ~0xfffull;
    lo->initrd_size = initrd_size;
    return 0;
}

void linux_boot_params(uint8_t *bp, const struct linux_image *li, const uint8_t *image,
                       const struct linux_layout *lo, uint64_t cmdline_addr,
                       const struct mem_range *map, unsigned nmap)
{
    memset(bp, 0, LINUX_BP_SIZE);
    /* "the setup header from offset 0x01f1 of kernel image on should be
     * loaded into struct boot_params" (32-bit Boot Protocol) */
    memcpy(bp + LINUX_SETUP_SECTS, image + LINUX_SETUP_SECTS, li->hdr_end - LINUX_SETUP_SECTS);
    put_le16(bp + LINUX_VID_MODE, LINUX_VID_NORMAL);              /* obligatory */
    bp[LINUX_TYPE_OF_LOADER] = LINUX_LOADER_UNDEFINED;          /* obligatory */
    put_le32(bp + LINUX_CODE32_START, (uint32_t)lo->kernel);       /* reloc */
    put_le32(bp + LINUX_RAMDISK_IMAGE, (uint32_t)lo->initrd);      /* obligatory */
    put_le32(bp + LINUX_RAMDISK_SIZE, (uint32_t)lo->initrd_size);
    put_le32(bp + LINUX_CMD_LINE_PTR, (uint32_t)cmdline_addr);     /* obligatory */
    if (nmap > LINUX_BP_E820_MAX)
        nmap = LINUX_BP_E820_MAX;
    bp[LINUX_BP_E820_ENTRIES] = (uint8_t)nmap;
    for (unsigned i = 0; i < nmap; i++) {
        uint8_t *e = bp + LINUX_BP_E820_TABLE + i * LINUX_E820_ENTRY_SIZE;
        put_le64(e, map[i].base);
        put_le64(e + 8, map[i].length);
        put_le32(e + 16, map[i].type);     /* pcemu's types are e820's: 1 RAM, 2 reserved */
    }
}

/* The GDT both entries want: __BOOT_CS (64-bit code for the 64-bit entry,
 * 32-bit code for the 32-bit one) and __BOOT_DS, both flat over 4 GiB. */
static void write_gdt(struct machine *m, struct cpu_state *st, bool long_mode)
{
    const uint64_t gdt[] = {
        0, 0,
        long_mode ? 0x00af9b000000ffffull : 0x00cf9b000000ffffull,  /* 0x10 __BOOT_CS */
        0x00cf93000000ffffull,                                      /* 0x18 __BOOT_DS */
    };
    boot_put(m, PCEMU_BOOT_GDT, gdt, sizeof gdt);
    st->gdt_base = PCEMU_BOOT_GDT;
    st->gdt_limit = sizeof gdt - 1;
    struct cpu_seg data = { .limit = 0xffffffff, .selector = LINUX_BOOT_DS,
                            .type = 3, .s = 1, .present = 1, .db = 1, .g = 1 };
    st->ds = st->es = st->fs = st->gs = st->ss = data;
    st->cs = (struct cpu_seg){ .limit = 0xffffffff, .selector = LINUX_BOOT_CS, .type = 11,
                               .s = 1, .present = 1, .l = long_mode, .db = !long_mode,
                               .g = 1 };
    /* VMX wants a usable busy TSS in TR even if the guest never uses it. */
    st->tr = (struct cpu_seg){ .limit = 0x67, .type = 11, .present = 1 };
    st->ldt = (struct cpu_seg){ .type = 2 };
    st->rflags = 0x2;           /* interrupts disabled */
}

int boot_linux(struct machine *m, const uint8_t *data, size_t size,
               const uint8_t *initrd, size_t initrd_size, struct cpu_state *st,
               char *why, size_t whylen)
{
    struct linux_image li;
    if (linux_parse(&li, data, size, why, whylen) < 0)
        return -1;
    /* pcemu's own limit too: the line lives in its 4 KiB boot page */
    size_t len;
    const char *cmdline = boot_cmdline(m, &len, why, whylen);
    if (!cmdline)
        return -1;
    struct linux_layout lo;
    if (linux_plan(&li, m->lowmem, initrd_size, len, &lo, why, whylen) < 0)
        return -1;

    boot_put(m, lo.kernel, li.kernel, li.kernel_size);
    if (initrd_size)
        boot_put(m, lo.initrd, initrd, initrd_size);
    boot_put(m, PCEMU_BOOT_CMDLINE, cmdline, len + 1);
    struct mem_range map[BOOT_MAX_RANGES];
    unsigned n = boot_memory_map(m, map);
    uint8_t bp[LINUX_BP_SIZE];
    linux_boot_params(bp, &li, data, &lo, PCEMU_BOOT_CMDLINE, map, n);
    boot_put(m, PCEMU_BOOT_INFO, bp, sizeof bp);

    memset(st, 0, sizeof *st);
    write_gdt(m, st, li.entry64);
    st->rip = lo.entry;
    st->rsi = PCEMU_BOOT_INFO;          /* both entries: %rsi/%esi = boot_params */
    /* No stack is promised; the kernel sets its own before it pushes.
     * Below the GDT is free low memory should anything push early. */
    st->rsp = PCEMU_BOOT_GDT;
    if (li.entry64) {
        /* "the range with setup_header.init_size from start address of
         * loaded kernel and zero page and command line buffer get ident
         * mapping": the first 4 GiB, where all of them are */
        boot_identity_map(m);
        st->cr0 = 0x80010031;   /* PG | WP | NE | ET | PE */
        st->cr3 = PCEMU_BOOT_PML4;
        st->cr4 = 0x20;         /* PAE */
        st->efer = 0x500;       /* LMA | LME */
    } else {
        st->cr0 = 0x11;         /* ET | PE, paging off; EBP, EDI, EBX zero */
    }
    return 0;
}

/*
 * Reads the kernel file and picks the boot path: a Linux bzImage ("HdrS"
 * at 0x202) boots through Linux's own protocol (boot/linux.c), with
 * -initrd; an ELF64 image with the pcemu entry note starts in long mode;
 * anything with a multiboot header starts as GRUB would start it. An
 * ELF32 image is always booted through multiboot, which lets the same
 * guest be tried on both paths.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "boot/boot_internal.h"
#include "boot/linux.h"
#include "boot/loader.h"
#include "contract/boot.h"
#include "core/log.h"
#include "machine.h"

unsigned boot_memory_map(const struct machine *m, struct mem_range *out)
{
    unsigned n = 0;
    out[n++] = (struct mem_range){ 0, 0x9fc00, PCEMU_MEM_RAM };
    out[n++] = (struct mem_range){ 0x9fc00, 0x400, PCEMU_MEM_RESERVED };
    out[n++] = (struct mem_range){ 0xf0000, 0x10000, PCEMU_MEM_RESERVED };
    out[n++] = (struct mem_range){ 0x100000, m->lowmem - 0x100000, PCEMU_MEM_RAM };
    if (m->highmem)
        out[n++] = (struct mem_range){ PCEMU_HIGHMEM_BASE, m->highmem, PCEMU_MEM_RAM };
    return n;
}

bool boot_put(struct machine *m, uint64_t gpa, const void *src, size_t len)
{
    return as_ram_write(&m->mem_as, gpa, src, len);
}

const char *boot_cmdline(const struct machine *m, size_t *len, char *why, size_t whylen)
{
    const char *cmdline = m->cfg.append ? m->cfg.append : "";
    *len = strlen(cmdline);
    if (*len < PCEMU_BOOT_CMDLINE_MAX)
        return cmdline;
    snprintf(why, whylen, "command line (-append) is %zu bytes, at most %u fit", *len,
             PCEMU_BOOT_CMDLINE_MAX - 1);
    return NULL;
}

void boot_write_gdt(struct machine *m, struct cpu_state *st)
{
    static const uint64_t gdt[] = {
        0,
        0x00af9b000000ffffull,   /* 0x08: 64-bit code */
        0x00cf93000000ffffull,   /* 0x10: flat data */
        0x00cf9b000000ffffull,   /* 0x18: flat 32-bit code */
    };
    boot_put(m, PCEMU_BOOT_GDT, gdt, sizeof gdt);
    st->gdt_base = PCEMU_BOOT_GDT;
    st->gdt_limit = sizeof gdt - 1;

    struct cpu_seg data = { .base = 0, .limit = 0xffffffff, .selector = BOOT_SEL_DATA,
                            .type = 3, .s = 1, .present = 1, .db = 1, .g = 1 };
    st->ds = st->es = st->fs = st->gs = st->ss = data;
    /* VMX wants a usable busy TSS in TR even if the guest never uses it. */
    st->tr = (struct cpu_seg){ .limit = 0x67, .type = 11, .present = 1 };
    st->ldt = (struct cpu_seg){ .type = 2 };
    st->rflags = 0x2;
}

int boot_load_segments(struct machine *m, const struct elf_image *img,
                       char *why, size_t whylen)
{
    int loaded = 0;
    for (unsigned i = 0; i < img->nsegs; i++) {
        const struct elf_segment *s = &img->segs[i];
        if (s->type != 1 /* PT_LOAD */ || s->memsz == 0)
            continue;
        if (s->paddr < PCEMU_LOAD_MIN) {
            snprintf(why, whylen, "segment %u loads at 0x%llx, below 1 MiB where pcemu "
                     "keeps the boot data", i, (unsigned long long)s->paddr);
            return -1;
        }
        if (s->paddr >= m->lowmem || s->memsz > m->lowmem - s->paddr) {
            /* RAM below the hole ends at 3.5 GiB whatever -m says */
            bool larger_helps = m->lowmem < PCEMU_LOWMEM_MAX &&
                                s->paddr < PCEMU_LOWMEM_MAX &&
                                s->memsz <= PCEMU_LOWMEM_MAX - s->paddr;
            snprintf(why, whylen, "segment %u (0x%llx, %llu bytes) does not fit in the "
                     "%llu MiB of RAM below the PCI hole%s", i,
                     (unsigned long long)s->paddr, (unsigned long long)s->memsz,
                     (unsigned long long)(m->lowmem >> 20),
                     larger_helps ? " (try a larger -m)" :
                     " (which ends at 3584 MiB whatever -m says)");
            return -1;
        }
        memcpy(m->ram + s->paddr, img->data + s->offset, s->filesz);
        memset(m->ram + s->paddr + s->filesz, 0, s->memsz - s->filesz);
        loaded++;
    }
    if (!loaded) {
        snprintf(why, whylen, "no loadable segments");
        return -1;
    }
    return 0;
}

uint8_t *boot_read_file(const char *path, size_t *size, size_t limit, char *why,
                        size_t whylen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(why, whylen, "%s", strerror(errno));
        return NULL;
    }
    struct stat st;
    uint8_t *buf = NULL;
    if (fstat(fd, &st) < 0) {
        snprintf(why, whylen, "%s", strerror(errno));
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(why, whylen, "not a regular file");
        goto out;
    }
    if ((uint64_t)st.st_size > limit) {
        snprintf(why, whylen, "%lld bytes is larger than guest RAM", (long long)st.st_size);
        goto out;
    }
    buf = malloc(st.st_size ? (size_t)st.st_size : 1);
    if (!buf) {
        snprintf(why, whylen, "out of memory");
        goto out;
    }
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            snprintf(why, whylen, "%s", r < 0 ? strerror(errno) : "file shrank while reading");
            free(buf);
            buf = NULL;
            goto out;
        }
        got += (size_t)r;
    }
    *size = got;
out:
    close(fd);
    return buf;
}

int boot_load(struct machine *m, struct cpu_state *st)
{
    const char *path = m->cfg.kernel;
    char why[256];
    size_t size = 0;
    int ret = -1;

    uint8_t *data = boot_read_file(path, &size, m->ram_size, why, sizeof why);
    if (!data)
        goto fail;

    if (linux_is_bzimage(data, size)) {
        uint8_t *initrd = NULL;
        size_t initrd_size = 0;
        if (m->cfg.initrd) {
            initrd = boot_read_file(m->cfg.initrd, &initrd_size, m->ram_size, why, sizeof why);
            if (!initrd) {
                log_error("-initrd %s: %s", m->cfg.initrd, why);
                free(data);
                return -1;
            }
        }
        ret = boot_linux(m, data, size, initrd, initrd_size, st, why, sizeof why);
        free(initrd);
        if (ret == 0) {
            free(data);
            return 0;
        }
        goto fail;
    }
    if (m->cfg.initrd) {
        snprintf(why, sizeof why, "-initrd is for a Linux bzImage, and this is not one");
        goto fail;
    }

    struct elf_image img;
    if (elf_parse(&img, data, size, why, sizeof why) < 0)
        goto fail;

    memset(st, 0, sizeof *st);
    size_t desclen = 0;
    const void *note = img.is64 ? elf_find_note(&img, PCEMU_NOTE_NAME, PCEMU_NOTE_ENTRY64,
                                                &desclen) : NULL;
    if (note) {
        uint64_t entry;
        if (desclen != sizeof entry) {
            snprintf(why, sizeof why, "pcemu entry note has %zu bytes, expected 8", desclen);
            goto fail;
        }
        memcpy(&entry, note, sizeof entry);
        ret = boot_entry64(m, &img, entry, st, why, sizeof why);
    } else {
        ret = boot_multiboot(m, &img, st, why, sizeof why);
    }
    if (ret == 0) {
        free(data);
        return 0;
    }
fail:
    log_error("%s: %s", path, why);
    free(data);
    return -1;
}

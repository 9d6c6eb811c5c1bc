/* What every part of the kernel uses: printing, panicking, the boot
 * information and the command line. */
#ifndef GUEST_KERNEL_H
#define GUEST_KERNEL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include "lib.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints, reports the failing verdict and stops. */
void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void verdict(int failed) __attribute__((noreturn));
void halt_forever(void) __attribute__((noreturn));

struct boot_params {
    const char *path;           /* "pcemu long-mode entry" or "multiboot" */
    const char *loader;         /* the multiboot loader's name, if given */
    char loader_name[32];       /* (copied: the loader may have put it
                                   where the heap will be) */
    uint64_t ram_bytes;
    uint64_t heap_start, heap_end;
    bool console_ok;            /* serial_init found the UART */
    char cmdline[1024];
    /* what the memory map said, for the boot_info self-test */
    unsigned ram_ranges;        /* RAM entries */
    bool low_ram;               /* RAM from address 0 */
    bool image_in_ram;          /* one RAM entry holds the whole kernel image */
    uint32_t mb_flags;          /* multiboot: the information's flags */
};
extern struct boot_params boot;

/* QEMU's multiboot loader calls itself "qemu": tests name QEMU's known
 * gaps by it. */
int booted_by_qemu(void);

/* The value of key=value on the command line, or NULL; it stays valid. */
const char *cmdline_get(const char *key);

#endif

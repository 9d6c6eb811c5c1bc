/*
 * kernel_main: normalise what the boot path handed over (pcemu boot info,
 * the UEFI application's, or multiboot information), bring up the CPU
 * tables, the console, the interrupt controller and the tick, then run
 * the self-tests, at CPL 3 where the host emulates CPL 0 (usermode.h
 * says why).
 */
#include "clock.h"
#include "contract/boot.h"
#include "heap.h"
#include "irq.h"
#include "kernel.h"
#include "pci.h"
#include "serial.h"
#include "sha256.h"
#include "tap.h"
#include "trap.h"
#include "usermode.h"
#include "x86.h"

struct boot_params boot;

/* selftest.loop_seconds=N: the selected tests again and again, each
 * round a TAP run of its own, until N seconds have passed (the soak,
 * tools/soak.sh); failing when any round failed. Otherwise one run. */
static int run_rounds(void)
{
    const char *v = cmdline_get("selftest.loop_seconds");
    if (!v)
        return tap_run() != 0;
    uint64_t secs = 0;
    for (const char *p = v; *p >= '0' && *p <= '9'; p++)
        secs = secs * 10 + (uint64_t)(*p - '0');
    uint64_t end = time_ns() + secs * 1000000000ull;
    unsigned rounds = 0, failed = 0;
    do {
        printf("# selftest.loop_seconds: round %u\n", ++rounds);
        failed += tap_run() != 0;
    } while (time_ns() < end);
    printf("# selftest.loop_seconds=%llu: %u rounds, %u failed\n", (unsigned long long)secs,
           rounds, failed);
    return failed != 0;
}

/* Everything after the CPU, interrupt and clock set-up: at CPL 3 where
 * the host runs that natively and emulates CPL 0 (and so formats text
 * hundreds of times faster). PCI enumeration takes its configuration
 * accesses down to CPL 0 in batches (pci.c). */
static void __attribute__((noreturn)) run_tests(void)
{
    printf("# pcemu guest: booted via %s%s%s, %llu MiB RAM, console %s, cmdline '%s'\n%s%s%s",
           boot.path, boot.loader ? " from " : "", boot.loader ? boot.loader : "",
           (unsigned long long)(boot.ram_bytes >> 20), boot.console_ok ? "ok" : "missing",
           boot.cmdline,
           current_cpl() == 3 ? "# self-tests at CPL 3: " : "",
           current_cpl() == 3 ? usermode_reason() : "",
           current_cpl() == 3 ? " (usermode=0 keeps them at CPL 0)\n" : "");
    pci_init();
    pci_register_builtin_drivers();
    pci_print_table();
    verdict(run_rounds());
}
extern char __image_start[], __image_end[];

static void copy_cmdline(const char *s)
{
    size_t i = 0;
    for (; s && s[i] && i + 1 < sizeof boot.cmdline; i++)
        boot.cmdline[i] = s[i];
    boot.cmdline[i] = 0;
}

/* The heap is the RAM range holding the kernel, from its end on, at most
 * 64 MiB of it (the tests need far less). Also notes what boot_info
 * checks of each RAM range. */
static void heap_range(uint64_t base, uint64_t len)
{
    boot.ram_ranges++;
    boot.low_ram |= base == 0 && len;
    boot.image_in_ram |= (uint64_t)__image_start >= base &&
                         (uint64_t)__image_end <= base + len;
    uint64_t start = (uint64_t)__image_end;
    if (start < base || start >= base + len)
        return;
    uint64_t end = base + len;
    if (end > start + (64ull << 20))
        end = start + (64ull << 20);
    boot.heap_start = start;
    boot.heap_end = end;
}

static void from_pcemu(const struct pcemu_boot_info *bi)
{
    boot.path = "pcemu long-mode entry";
    boot.ram_bytes = bi->ram_bytes;
    copy_cmdline((const char *)(uintptr_t)bi->cmdline);
    for (uint32_t i = 0; i < bi->mmap_count && i < PCEMU_BOOT_MMAP_MAX; i++)
        if (bi->mmap[i].type == PCEMU_MEM_RAM)
            heap_range(bi->mmap[i].base, bi->mmap[i].length);
}

/* The UEFI application's hand-off (guest/efi/): pcemu's boot info, then
 * the firmware and the machine, for the banner. Tests name QEMU's known
 * device gaps by boot.loader "qemu" (kernel.h), which QEMU's multiboot
 * loader sets: under OVMF it is SMBIOS that says QEMU. */
static char efi_path[256];

static void from_efi(const struct pcemu_efi_boot_info *bi)
{
    from_pcemu(&bi->base);
    const char *fw = (const char *)(uintptr_t)bi->firmware;
    const char *machine = (const char *)(uintptr_t)bi->machine;
    snprintf(efi_path, sizeof efi_path, "UEFI (%s; machine %s)", fw ? fw : "?",
             machine && machine[0] ? machine : "unknown");
    boot.path = efi_path;
    if (machine && strncmp(machine, "QEMU", 4) == 0 && (machine[4] == ' ' || !machine[4]))
        boot.loader = "qemu";
}

static void from_multiboot(const struct multiboot_info *mbi)
{
    boot.path = "multiboot";
    boot.mb_flags = mbi->flags;
    if (mbi->flags & MULTIBOOT_INFO_BOOT_LOADER) {
        const char *name = (const char *)(uintptr_t)mbi->boot_loader_name;
        size_t i = 0;
        for (; name[i] && i + 1 < sizeof boot.loader_name; i++)
            boot.loader_name[i] = name[i];
        boot.loader_name[i] = 0;
        boot.loader = boot.loader_name;
    }
    if (mbi->flags & MULTIBOOT_INFO_CMDLINE)
        copy_cmdline((const char *)(uintptr_t)mbi->cmdline);
    uint64_t ram = 0;
    if (mbi->flags & MULTIBOOT_INFO_MEM_MAP) {
        uint64_t p = mbi->mmap_addr, end = p + mbi->mmap_length;
        while (p < end) {
            const struct multiboot_mmap_entry *e = (const void *)(uintptr_t)p;
            if (e->type == 1) {
                ram += e->len;
                heap_range(e->addr, e->len);
            }
            p += e->size + 4;
        }
    } else if (mbi->flags & MULTIBOOT_INFO_MEMORY) {
        ram = (1ull << 20) + (uint64_t)mbi->mem_upper * 1024;
        heap_range(1ull << 20, (uint64_t)mbi->mem_upper * 1024);
    }
    /* what the map leaves out below 1 MiB is still the first megabyte */
    boot.ram_bytes = ram ? (ram + (1ull << 20) - 1) & ~((1ull << 20) - 1) : 0;
}

/* The interrupt gates, the heap, the PIC and the tick, then the tests;
 * at CPL 3 where usermode_wanted (enter_user starts it with interrupts
 * off). */
static void __attribute__((noreturn)) kernel_rest(void)
{
    idt_fill();
    heap_init(boot.heap_start, boot.heap_end);
    pic_init();
    pit_init(HZ);
    sti();
    time_init();
    run_tests();
}

/* SSE for sha256_ni.asm, the only code using XMM registers (the rest is
 * built -mgeneral-regs-only, so nothing saves them): CR4.OSFXSR and
 * OSXMMEXCPT (SDM Vol. 3A 2.5, 13.1.3), where CPUID.1:EDX has FXSR (bit
 * 24) and SSE (bit 25); without OSFXSR SSE instructions raise #UD. */
static void sse_enable(void)
{
    uint32_t r[4];
    cpuid(1, r);
    if ((r[3] & (3u << 24)) != 3u << 24)
        return;
    write_cr4(read_cr4() | 1u << 9 | 1u << 10);
}

void kernel_main(uint32_t magic, uint64_t info);

void kernel_main(uint32_t magic, uint64_t info)
{
    boot.console_ok = serial_init() == 0;
    if (magic == PCEMU_BOOT_MAGIC)
        from_pcemu((const struct pcemu_boot_info *)(uintptr_t)info);
    else if (magic == PCEMU_EFI_BOOT_MAGIC)
        from_efi((const struct pcemu_efi_boot_info *)(uintptr_t)info);
    else if (magic == MULTIBOOT_BOOTLOADER_MAGIC)
        from_multiboot((const struct multiboot_info *)(uintptr_t)info);
    else
        panic("unknown boot magic 0x%x: not started by pcemu, UEFI or a multiboot loader",
              magic);

    /* only what needs CPL 0 here: the rest runs at CPL 3 by default */
    sse_enable();
    gdt_init();
    idt_init();
    paging_init();
    if (!boot.heap_start)
        panic("no RAM above the kernel in the memory map");
    if (usermode_wanted())
        enter_user(kernel_rest);
    /* CPL 0 throughout: a host emulating it (PVM) fails on the SHA
     * extensions (KVM_INTERNAL_ERROR_EMULATION) */
    if (usermode_cpl0_emulated())
        sha256_ni_allow(false);
    kernel_rest();
}

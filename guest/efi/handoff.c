/*
 * Leaving the firmware: ExitBootServices with the key of the map just
 * read, then the kernel's long-mode entry. UEFI 2.10 section 7.4: when
 * the key is stale ExitBootServices returns EFI_INVALID_PARAMETER and
 * the map must be read again; after the first call the firmware may be
 * partly shut down, so nothing but GetMemoryMap is called until it
 * succeeds, and a failure from then on can only be reported on the
 * UART directly.
 */
#include "contract/platform.h"
#include "loader.h"

#define EBS_TRIES 8

#define CR4_SMEP (1ull << 20)
#define CR4_SMAP (1ull << 21)
#define CR4_PKE  (1ull << 22)
#define CR4_CET  (1ull << 23)

static void outb(UINT16 port, UINT8 v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
static UINT8 inb(UINT16 port) { UINT8 v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }

/* COM1 polled, as the firmware left it, then the failing verdict. */
static void __attribute__((noreturn)) die_after_ebs(const char *msg)
{
    for (; *msg; msg++) {
        for (int spin = 0; spin < 100000 && !(inb(COM1_BASE + UART_LSR) & UART_LSR_THRE); spin++)
            ;
        outb(COM1_BASE + UART_THR, (UINT8)*msg);
    }
    outb(DEBUG_EXIT_PORT, VERDICT_FAIL);
    for (;;)
        __asm__ volatile("cli; hlt");
}

/* The kernel's entry (boot.asm's _start64) sets its own stack, GDT, IDT
 * and page tables. Its tables mark every page user-accessible, which
 * SMEP and SMAP would fault on at CPL 0; PKE and CET it does not set up
 * (the pcemu entry has CR4 = PAE alone). */
static void __attribute__((noreturn)) enter(UINT64 entry, struct pcemu_efi_boot_info *bi)
{
    UINT64 cr4;
    __asm__ volatile("cli; mov %%cr4, %0" : "=r"(cr4));
    cr4 &= ~(CR4_SMEP | CR4_SMAP | CR4_PKE | CR4_CET);
    __asm__ volatile("mov %0, %%cr4" :: "r"(cr4));
    __asm__ volatile("cld; jmp *%2" :: "a"(PCEMU_EFI_BOOT_MAGIC), "D"(bi), "r"(entry) : "memory");
    __builtin_unreachable();
}

EFI_STATUS handoff(EFI_HANDLE image, struct efi_map *m, const struct kernel_image *k,
                   struct pcemu_efi_boot_info *bi)
{
    EFI_STATUS st = memmap_read(m);
    if (EFI_ERROR(st))
        return st;
    st = BS->ExitBootServices(image, m->key);
    for (int tries = 1; st == EFI_INVALID_PARAMETER && tries < EBS_TRIES; tries++) {
        if (EFI_ERROR(memmap_read(m)))
            die_after_ebs("Bail out! pcemu-efi: GetMemoryMap failed after a first "
                          "ExitBootServices\r\n");
        st = BS->ExitBootServices(image, m->key);
    }
    if (EFI_ERROR(st))
        die_after_ebs("Bail out! pcemu-efi: ExitBootServices kept failing\r\n");
    bi->base.ram_bytes = memmap_to_boot_info(m, k, &bi->base);
    enter(k->entry64, bi);
}

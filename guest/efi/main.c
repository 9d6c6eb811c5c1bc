/*
 * efi_main: the kernel's range reserved at its link address, its
 * segments copied there, the command line, firmware and machine noted,
 * the map buffers allocated, then the hand-off. Every failure before
 * ExitBootServices is a TAP bail-out on the console.
 */
#include "contract/platform.h"
#include "loader.h"

#define STR_MAX 128

void verdict_fail(void)
{
    __asm__ volatile("outb %0, %1" :: "a"((UINT8)VERDICT_FAIL), "Nd"((UINT16)DEBUG_EXIT_PORT));
}

static const char *type_name(UINT32 t)
{
    static const char *const names[] = {
        "reserved", "loader code", "loader data", "boot services code",
        "boot services data", "runtime services code", "runtime services data",
        "free", "unusable", "ACPI tables", "ACPI NVS", "MMIO", "MMIO port space",
        "PAL code", "persistent memory",
    };
    return t < sizeof names / sizeof names[0] ? names[t] : "another type";
}

/* AllocateAddress: the kernel is linked at a fixed physical address
 * (UEFI 2.10 section 7.2, AllocatePages). */
static int reserve(const struct kernel_image *k, struct efi_map *m)
{
    EFI_PHYSICAL_ADDRESS at = k->lo;
    UINTN pages = (k->hi - k->lo) >> EFI_PAGE_SHIFT;
    EFI_STATUS st = BS->AllocatePages(AllocateAddress, EfiLoaderCode, pages, &at);
    if (st == EFI_SUCCESS)
        return 0;
    UINT32 type = 0;
    UINT64 s = 0, e = 0;
    if (memmap_alloc(m) == EFI_SUCCESS && memmap_read(m) == EFI_SUCCESS &&
        memmap_owner(m, k->lo, k->hi, &type, &s, &e))
        BAIL(L"the kernel's range 0x%lx-0x%lx is taken: the firmware has 0x%lx-0x%lx "
             L"as %a", k->lo, k->hi, s, e, type_name(type));
    else
        BAIL(L"the kernel's range 0x%lx-0x%lx cannot be reserved: %r", k->lo, k->hi, st);
    return -1;
}

static char *ascii(const CHAR16 *s, char *out, UINTN max)
{
    UINTN n = 0;
    for (; s && s[n] && n + 1 < max; n++)
        out[n] = s[n] >= 0x20 && s[n] < 0x7f ? (char)s[n] : '?';
    out[n] = 0;
    return out;
}

/* What the kernel is handed, in loader memory below 4 GiB, which the
 * kernel's identity map covers (7.2, AllocateMaxAddress). */
struct handover {
    struct pcemu_efi_boot_info bi;
    char cmdline[PCEMU_BOOT_CMDLINE_MAX];
    char firmware[STR_MAX], machine[STR_MAX];
};

static struct handover *prepare(EFI_HANDLE image)
{
    EFI_PHYSICAL_ADDRESS at = 0xffffffff;
    UINTN pages = EFI_SIZE_TO_PAGES(sizeof(struct handover));
    if (BS->AllocatePages(AllocateMaxAddress, EfiLoaderData, pages, &at) != EFI_SUCCESS)
        return NULL;
    struct handover *h = (struct handover *)(UINTN)at;
    SetMem(h, sizeof *h, 0);
    cmdline_get(image, h->cmdline, sizeof h->cmdline);
    char vendor[STR_MAX];
    UINT32 rev = ST->Hdr.Revision;
    ascii(ST->FirmwareVendor, vendor, sizeof vendor);
    CHAR16 text[STR_MAX];
    SPrint(text, sizeof text, L"UEFI %d.%d, %a 0x%x", rev >> 16, (rev & 0xffff) / 10,
           vendor, ST->FirmwareRevision);
    ascii(text, h->firmware, sizeof h->firmware);
    smbios_machine(h->machine, sizeof h->machine);
    h->bi.base = (struct pcemu_boot_info){
        .magic = PCEMU_EFI_BOOT_MAGIC,
        .version = PCEMU_BOOT_INFO_VERSION,
        .cmdline = (UINT64)(UINTN)h->cmdline,
        .cmdline_len = (UINT32)strlena((CHAR8 *)h->cmdline),
    };
    h->bi.firmware = (UINT64)(UINTN)h->firmware;
    h->bi.machine = (UINT64)(UINTN)h->machine;
    return h;
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
    InitializeLib(image, systab);
    struct kernel_image k;
    struct efi_map m = { 0 };
    const char *why = NULL;
    if (kernel_parse(&k, &why) < 0) {
        BAIL(L"%a", why);
        return EFI_LOAD_ERROR;
    }
    /* the kernel's own page tables are four-level (boot.asm) */
    UINT64 cr4;
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    if (cr4 & (1ull << 12)) {
        BAIL(L"the firmware runs with 5-level paging (CR4.LA57), the kernel has 4 levels");
        return EFI_UNSUPPORTED;
    }
    if (reserve(&k, &m) < 0)
        return EFI_OUT_OF_RESOURCES;
    struct handover *h = prepare(image);
    if (!h) {
        BAIL(L"no memory below 4 GiB for the boot information");
        return EFI_OUT_OF_RESOURCES;
    }
    kernel_place(&k);
    Print(L"# pcemu-efi: kernel at 0x%lx-0x%lx, entry 0x%lx; %a; machine '%a'; "
          L"exiting boot services\n", k.lo, k.hi, k.entry64, h->firmware, h->machine);
    /* the map's buffers last: allocating changes the map */
    EFI_STATUS st = memmap_alloc(&m);
    if (!EFI_ERROR(st))
        st = handoff(image, &m, &k, &h->bi);
    BAIL(L"the memory map cannot be read: %r", st);
    return st;
}

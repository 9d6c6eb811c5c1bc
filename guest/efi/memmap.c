/*
 * The UEFI memory map (UEFI 2.10 section 7.2, GetMemoryMap) and what the
 * kernel is told of it. After ExitBootServices the loader's, the boot
 * services' and the free memory are the OS's to use (Table 7-6, memory
 * type usage after ExitBootServices); runtime services, ACPI and
 * reserved memory are not, and are left out: the kernel only looks for
 * RAM. Descriptors are DescriptorSize apart, which may exceed the
 * structure the headers know.
 */
#include "loader.h"

/* descriptors of slack: allocating the buffer itself, and whatever the
 * firmware does before ExitBootServices, may add entries (7.2) */
#define MAP_SLACK 16

static EFI_MEMORY_DESCRIPTOR *desc(const struct efi_map *m, UINTN i)
{
    return (EFI_MEMORY_DESCRIPTOR *)(m->buf + i * m->desc_size);
}

static UINTN count(const struct efi_map *m)
{
    return m->desc_size ? m->size / m->desc_size : 0;
}

static int os_usable(UINT32 type)
{
    return type == EfiLoaderCode || type == EfiLoaderData || type == EfiBootServicesCode ||
           type == EfiBootServicesData || type == EfiConventionalMemory;
}

/* RAM whoever owns it, for the size the kernel reports */
static int is_ram(UINT32 type)
{
    return os_usable(type) || type == EfiRuntimeServicesCode ||
           type == EfiRuntimeServicesData || type == EfiACPIReclaimMemory ||
           type == EfiACPIMemoryNVS;
}

EFI_STATUS memmap_alloc(struct efi_map *m)
{
    UINTN size = 0, key, dsize;
    UINT32 dver;
    EFI_STATUS st = BS->GetMemoryMap(&size, NULL, &key, &dsize, &dver);
    if (st != EFI_BUFFER_TOO_SMALL)
        return st;
    m->desc_size = dsize;
    m->cap = size + MAP_SLACK * dsize;
    st = BS->AllocatePool(EfiLoaderData, m->cap, (void **)&m->buf);
    if (EFI_ERROR(st))
        return st;
    m->scratch_cap = m->cap / dsize;
    return BS->AllocatePool(EfiLoaderData, m->scratch_cap * sizeof *m->scratch,
                            (void **)&m->scratch);
}

EFI_STATUS memmap_read(struct efi_map *m)
{
    m->size = m->cap;
    return BS->GetMemoryMap(&m->size, (EFI_MEMORY_DESCRIPTOR *)m->buf, &m->key,
                            &m->desc_size, &m->desc_version);
}

int memmap_owner(struct efi_map *m, UINT64 lo, UINT64 hi, UINT32 *type, UINT64 *start,
                 UINT64 *end)
{
    for (UINTN i = 0; i < count(m); i++) {
        const EFI_MEMORY_DESCRIPTOR *d = desc(m, i);
        UINT64 s = d->PhysicalStart, e = s + (d->NumberOfPages << EFI_PAGE_SHIFT);
        if (s < hi && e > lo && d->Type != EfiConventionalMemory) {
            *type = d->Type;
            *start = s;
            *end = e;
            return 1;
        }
    }
    return 0;
}

static int holds(const struct pcemu_mem_range *r, UINT64 a)
{
    return a >= r->base && a - r->base < r->length;
}

/* Ranges the kernel must hear of whatever else is dropped: RAM at 0 and
 * the range holding the kernel (its heap follows the image there). */
static int wanted(const struct pcemu_mem_range *r, const struct kernel_image *k)
{
    return r->base == 0 || holds(r, k->lo);
}

UINT64 memmap_to_boot_info(struct efi_map *m, const struct kernel_image *k,
                           struct pcemu_boot_info *bi)
{
    struct pcemu_mem_range *r = m->scratch;
    UINTN n = 0;
    UINT64 total = 0;
    for (UINTN i = 0; i < count(m) && n < m->scratch_cap; i++) {
        const EFI_MEMORY_DESCRIPTOR *d = desc(m, i);
        if (is_ram(d->Type))
            total += d->NumberOfPages << EFI_PAGE_SHIFT;
        if (!os_usable(d->Type) || !d->NumberOfPages)
            continue;
        struct pcemu_mem_range x = { d->PhysicalStart, d->NumberOfPages << EFI_PAGE_SHIFT,
                                     PCEMU_MEM_RAM, 0 };
        UINTN j = n++;
        for (; j > 0 && r[j - 1].base > x.base; j--)      /* sorted by address */
            r[j] = r[j - 1];
        r[j] = x;
    }
    UINTN merged = 0;
    for (UINTN i = 0; i < n; i++) {
        if (merged && r[merged - 1].base + r[merged - 1].length >= r[i].base) {
            UINT64 end = r[i].base + r[i].length;
            if (end > r[merged - 1].base + r[merged - 1].length)
                r[merged - 1].length = end - r[merged - 1].base;
        } else {
            r[merged++] = r[i];
        }
    }
    /* the ranges that must be there, then the largest of the rest */
    bi->mmap_count = 0;
    for (UINTN i = 0; i < merged && bi->mmap_count < PCEMU_BOOT_MMAP_MAX; i++)
        if (wanted(&r[i], k))
            bi->mmap[bi->mmap_count++] = r[i];
    while (bi->mmap_count < PCEMU_BOOT_MMAP_MAX) {
        UINTN best = merged;
        for (UINTN i = 0; i < merged; i++)
            if (r[i].length && !wanted(&r[i], k) &&
                (best == merged || r[i].length > r[best].length))
                best = i;
        if (best == merged)
            break;
        bi->mmap[bi->mmap_count++] = r[best];
        r[best].length = 0;
    }
    /* in address order, as the other boot paths give them */
    for (UINT32 i = 1; i < bi->mmap_count; i++)
        for (UINT32 j = i; j > 0 && bi->mmap[j - 1].base > bi->mmap[j].base; j--) {
            struct pcemu_mem_range t = bi->mmap[j];
            bi->mmap[j] = bi->mmap[j - 1];
            bi->mmap[j - 1] = t;
        }
    return (total + (1ull << 20) - 1) & ~((1ull << 20) - 1);     /* as multiboot's */
}

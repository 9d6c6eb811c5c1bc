/*
 * Which machine this is, from SMBIOS's System Information (DSP0134
 * section 7.2, type 1: manufacturer at offset 4, product name at 5),
 * found through the configuration table (UEFI 2.10 section 4.6):
 * the SMBIOS 3 entry point (DSP0134 5.2.2, a 64-bit table address)
 * when the firmware has one, else the 2.1 one (5.2.1). The kernel names
 * QEMU's known device gaps by it, and the TAP log says where it ran.
 */
#include "loader.h"

static EFI_GUID smbios3_guid = SMBIOS3_TABLE_GUID;
static EFI_GUID smbios_guid = SMBIOS_TABLE_GUID;

static UINT16 get16(const UINT8 *p) { return (UINT16)(p[0] | p[1] << 8); }
static UINT32 get32(const UINT8 *p) { return get16(p) | (UINT32)get16(p + 2) << 16; }
static UINT64 get64(const UINT8 *p) { return get32(p) | (UINT64)get32(p + 4) << 32; }

/* String number idx (from 1) of the structure at s, within end. */
static const char *string_of(const UINT8 *s, const UINT8 *end, UINT8 idx)
{
    const UINT8 *p = s + s[1];
    for (UINT8 i = 1; idx && p < end && *p; i++) {
        if (i == idx)
            return (const char *)p;
        while (p < end && *p)
            p++;
        p++;
    }
    return NULL;
}

static UINTN append(char *out, UINTN n, UINTN max, const char *s, const UINT8 *end)
{
    if (n && n + 1 < max)
        out[n++] = ' ';
    for (; s && (const UINT8 *)s < end && *s && n + 1 < max; s++)
        if (*s >= 0x20 && *s < 0x7f)
            out[n++] = *s;
    out[n] = 0;
    return n;
}

static void find_system(const UINT8 *table, UINT64 len, char *out, UINTN max)
{
    const UINT8 *p = table, *end = table + len;
    while (p + 4 <= end && p[1] >= 4 && p[0] != 127) {      /* 127: end of table */
        if (p[0] == 1 && p[1] >= 6) {
            UINTN n = append(out, 0, max, string_of(p, end, p[4]), end);
            append(out, n, max, string_of(p, end, p[5]), end);
            return;
        }
        const UINT8 *q = p + p[1];      /* past the strings: a double NUL */
        while (q + 1 < end && (q[0] || q[1]))
            q++;
        p = q + 2;
    }
}

void smbios_machine(char *out, UINTN max)
{
    void *ep = NULL;
    out[0] = 0;
    if (LibGetSystemConfigurationTable(&smbios3_guid, &ep) == EFI_SUCCESS && ep &&
        CompareMem(ep, "_SM3_", 5) == 0) {
        const UINT8 *e = ep;
        find_system((const UINT8 *)(UINTN)get64(e + 0x10), get32(e + 0x0c), out, max);
    } else if (LibGetSystemConfigurationTable(&smbios_guid, &ep) == EFI_SUCCESS && ep &&
               CompareMem(ep, "_SM_", 4) == 0) {
        const UINT8 *e = ep;
        find_system((const UINT8 *)(UINTN)get32(e + 0x18), get16(e + 0x16), out, max);
    }
}

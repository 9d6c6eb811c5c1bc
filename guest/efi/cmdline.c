/*
 * The kernel's command line. First the load options (UEFI 2.10 section
 * 9.1, EFI_LOADED_IMAGE_PROTOCOL.LoadOptions): what the UEFI Shell passes
 * after the application's name, or OVMF's -append under QEMU's -kernel.
 * A boot entry's OptionalData lands there too and may be binary
 * (3.1.3), so only UCS-2 text is taken. Without text there, CMDLINE.TXT
 * in the application's own directory, so a USB stick or an EFI partition
 * carries its command line in a file. The kernel ignores words without
 * '=' (the Shell's first word is the application's path).
 */
#include "loader.h"

#define CMDLINE_FILE L"CMDLINE.TXT"
#define PATH_MAX_CHARS 256

static int printable(UINT32 c)
{
    return c >= 0x20 && c < 0x7f;
}

/* UCS-2 text up to its NUL, or nothing when any character is not
 * printable ASCII (binary data, or text the kernel could not take). */
static UINTN from_load_options(const EFI_LOADED_IMAGE *li, char *out, UINTN max)
{
    const CHAR16 *s = li->LoadOptions;
    UINTN n = li->LoadOptionsSize / sizeof(CHAR16), len = 0;
    if (!s || li->LoadOptionsSize % sizeof(CHAR16))
        return 0;
    for (; len < n && s[len]; len++)
        if (!printable(s[len]) || len + 1 >= max)
            return 0;
    for (UINTN i = 0; i < len; i++)
        out[i] = (char)s[i];
    out[len] = 0;
    return len;
}

/* The directory of the application's file path (its file path nodes,
 * UEFI 10.3.5.4, joined) with CMDLINE_FILE appended; 0 when it has no
 * file path (loaded from memory, as OVMF loads QEMU's -kernel). */
static int sibling_path(const EFI_LOADED_IMAGE *li, CHAR16 *path, UINTN max)
{
    UINTN n = 0;
    for (EFI_DEVICE_PATH *p = li->FilePath; p && !IsDevicePathEnd(p); p = NextDevicePathNode(p)) {
        if (DevicePathNodeLength(p) < 4)
            return 0;       /* malformed: stop before looping for ever */
        if (DevicePathType(p) != MEDIA_DEVICE_PATH || DevicePathSubType(p) != MEDIA_FILEPATH_DP)
            continue;
        const CHAR16 *name = ((const FILEPATH_DEVICE_PATH *)p)->PathName;
        UINTN chars = (DevicePathNodeLength(p) - SIZE_OF_FILEPATH_DEVICE_PATH) / sizeof(CHAR16);
        if (n && path[n - 1] != L'\\' && chars && name[0] != L'\\' && n + 1 < max)
            path[n++] = L'\\';
        for (UINTN i = 0; i < chars && name[i] && n + 1 < max; i++)
            path[n++] = name[i];
    }
    while (n && path[n - 1] != L'\\')
        n--;                /* the application's own name */
    if (!n)
        return 0;
    const CHAR16 *file = CMDLINE_FILE;
    for (UINTN i = 0; file[i]; i++)
        if (n + 1 < max)
            path[n++] = file[i];
    path[n] = 0;
    return 1;
}

/* The file's text with line ends and tabs made spaces; other bytes
 * outside printable ASCII dropped. */
static UINTN from_file(const EFI_LOADED_IMAGE *li, char *out, UINTN max)
{
    CHAR16 path[PATH_MAX_CHARS];
    if (!sibling_path(li, path, PATH_MAX_CHARS))
        return 0;
    EFI_FILE_HANDLE root = LibOpenRoot(li->DeviceHandle), f;
    if (!root)
        return 0;
    UINTN len = 0;
    if (root->Open(root, &f, path, EFI_FILE_MODE_READ, 0) == EFI_SUCCESS) {
        UINTN size = max - 1;
        if (f->Read(f, &size, out) == EFI_SUCCESS) {
            for (UINTN i = 0; i < size; i++) {
                char c = out[i];
                if (c == '\n' || c == '\r' || c == '\t')
                    c = ' ';
                if (printable((UINT8)c))
                    out[len++] = c;
            }
            Print(L"# pcemu-efi: command line from %s\n", path);
        }
        f->Close(f);
    }
    root->Close(root);
    while (len && out[len - 1] == ' ')
        len--;
    out[len] = 0;
    return len;
}

void cmdline_get(EFI_HANDLE image, char *out, UINTN max)
{
    EFI_LOADED_IMAGE *li = NULL;
    out[0] = 0;
    if (BS->HandleProtocol(image, &LoadedImageProtocol, (void **)&li) != EFI_SUCCESS || !li)
        return;
    if (from_load_options(li, out, max))
        Print(L"# pcemu-efi: command line from the load options\n");
    else
        from_file(li, out, max);
}

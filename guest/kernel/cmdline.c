/* The command line: space-separated key=value words; words without '='
 * (QEMU's multiboot loader puts the kernel's path first) are ignored.
 * The first lookup copies it with each space turned into a NUL, so every
 * value returned points into that copy and stays valid. */
#include "kernel.h"

static char words[sizeof boot.cmdline];
static size_t words_len;

const char *cmdline_get(const char *key)
{
    if (!words_len) {
        words_len = strlen(boot.cmdline);
        for (size_t i = 0; i < words_len; i++)
            words[i] = boot.cmdline[i] == ' ' ? 0 : boot.cmdline[i];
    }
    size_t klen = strlen(key);
    for (size_t i = 0; i < words_len;) {
        const char *w = words + i;
        size_t len = strlen(w);
        if (len > klen && strncmp(w, key, klen) == 0 && w[klen] == '=')
            return w + klen + 1;
        i += len + 1;
    }
    return NULL;
}

int booted_by_qemu(void)
{
    return boot.loader && strcmp(boot.loader, "qemu") == 0;
}

/* The command line: space-separated key=value words; words without '='
 * (QEMU's multiboot loader puts the kernel's path first) are ignored. */
#include "kernel.h"

const char *cmdline_get(const char *key)
{
    static char value[256];
    size_t klen = strlen(key);
    const char *p = boot.cmdline;
    while (*p) {
        while (*p == ' ')
            p++;
        const char *w = p;
        while (*p && *p != ' ')
            p++;
        if ((size_t)(p - w) > klen && strncmp(w, key, klen) == 0 && w[klen] == '=') {
            size_t n = (size_t)(p - w) - klen - 1;
            if (n >= sizeof value)
                n = sizeof value - 1;
            memcpy(value, w + klen + 1, n);
            value[n] = 0;
            return value;
        }
    }
    return NULL;
}

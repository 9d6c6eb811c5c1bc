/* Building an input in a target's encoding (the reverse of
 * common/input.h): little-endian fields appended to a buffer, written
 * out as one corpus file. */
#ifndef TESTS_FUZZ_GEN_WRITER_H
#define TESTS_FUZZ_GEN_WRITER_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct seed {
    uint8_t b[8192];
    size_t n;
};

static inline void w8(struct seed *s, unsigned v)
{
    if (s->n < sizeof s->b)
        s->b[s->n++] = (uint8_t)v;
}

static inline void w16(struct seed *s, unsigned v) { w8(s, v); w8(s, v >> 8); }
static inline void w32(struct seed *s, uint32_t v) { w16(s, v); w16(s, v >> 16); }
static inline void w64(struct seed *s, uint64_t v) { w32(s, (uint32_t)v); w32(s, (uint32_t)(v >> 32)); }

static inline void wbytes(struct seed *s, const void *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        w8(s, ((const uint8_t *)p)[i]);
}

static inline void wstr(struct seed *s, const char *str) { wbytes(s, str, strlen(str)); }

/* Writes the seed as DIR/NAME and empties it. */
static inline void emit(struct seed *s, const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(s->b, 1, s->n, f) != s->n || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
    s->n = 0;
}

#endif

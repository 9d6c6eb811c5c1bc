/* Structure-aware decoding of a fuzzer's bytes: each harness reads its
 * operations and their arguments from the input with these, and an
 * input that runs out reads as zeros, so every prefix of an input is an
 * input too (what lets libFuzzer's mutations keep the structure). */
#ifndef TESTS_FUZZ_INPUT_H
#define TESTS_FUZZ_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct input {
    const uint8_t *p;
    size_t n;
};

static inline bool in_empty(const struct input *in) { return in->n == 0; }

static inline uint8_t in_u8(struct input *in)
{
    if (!in->n)
        return 0;
    in->n--;
    return *in->p++;
}

static inline uint16_t in_u16(struct input *in)
{
    uint16_t lo = in_u8(in);
    return (uint16_t)(lo | in_u8(in) << 8);
}

static inline uint32_t in_u32(struct input *in)
{
    uint32_t lo = in_u16(in);
    return lo | (uint32_t)in_u16(in) << 16;
}

static inline uint64_t in_u64(struct input *in)
{
    uint64_t lo = in_u32(in);
    return lo | (uint64_t)in_u32(in) << 32;
}

/* A value in [0, n), n > 0. */
static inline unsigned in_below(struct input *in, unsigned n)
{
    return n > 256 ? in_u16(in) % n : in_u8(in) % n;
}

static inline bool in_bool(struct input *in) { return in_u8(in) & 1; }

/* Up to max bytes of the input (fewer when it runs out); the count. */
static inline size_t in_bytes(struct input *in, void *out, size_t max)
{
    size_t n = max < in->n ? max : in->n;
    memcpy(out, in->p, n);
    in->p += n;
    in->n -= n;
    return n;
}

#endif

#include "values.h"

uint64_t seed_for(uint64_t seed, const char *name, uint64_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;         /* FNV-1a */
    for (const char *p = name; *p; p++)
        h = (h ^ (uint8_t)*p) * 0x100000001b3ull;
    struct rng g = { seed ^ h ^ (n * 0x9e3779b97f4a7c15ull) };
    return rng_next(&g);
}

static const uint64_t edges[] = {
    0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000,
    0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull,
    0x7fffffffffffffffull, 0x8000000000000000ull, 0xffffffffffffffffull,
    0xffffffffffffff80ull, 0xffffffffffff8000ull, 0xffffffff80000000ull,
    0x8080808080808080ull, 0x7f7f7f7f7f7f7f7full, 0x5555555555555555ull,
    0xaaaaaaaaaaaaaaaaull,
};

uint64_t edge_value(struct rng *g)
{
    uint64_t r = rng_next(g);
    switch (r & 7) {
    case 0:                                     /* small, either sign */
        return (r >> 8 & 1) ? (uint64_t)-(int64_t)(r >> 16 & 15) : (r >> 16 & 31);
    case 1: case 2: {                           /* an edge, maybe +-1 */
        uint64_t v = edges[(r >> 8) % (sizeof edges / sizeof edges[0])];
        switch (r >> 40 & 3) {
        case 1: return v + 1;
        case 2: return v - 1;
        default: return v;
        }
    }
    case 3: {                                   /* a power of two, maybe -1 */
        uint64_t v = 1ull << (r >> 8 & 63);
        return (r >> 20 & 1) ? v - 1 : v;
    }
    case 4: {                                   /* an edge in the low half,
                                                 * random above */
        uint64_t v = edges[(r >> 8) % (sizeof edges / sizeof edges[0])];
        return (rng_next(g) << 32) | (v & 0xffffffff);
    }
    default:
        return rng_next(g);
    }
}

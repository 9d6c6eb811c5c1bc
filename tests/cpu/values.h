/* The deterministic random source and the operand values tests draw. */
#ifndef TESTS_CPU_VALUES_H
#define TESTS_CPU_VALUES_H

#include <stdint.h>

struct rng { uint64_t s; };

/* splitmix64: every seed, 0 included, gives a good stream */
static inline uint64_t rng_next(struct rng *g)
{
    uint64_t z = (g->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static inline unsigned rng_below(struct rng *g, unsigned n)
{
    return (unsigned)(rng_next(g) % n);
}

/* A seed for one named thing from the run's seed: adding a case does not
 * change the inputs of the others. */
uint64_t seed_for(uint64_t seed, const char *name, uint64_t n);

/* An operand value, edge values heavily mixed in: 0, 1, -1, the signed
 * and unsigned limits of every width and their neighbours, powers of two,
 * small numbers, and plain random ones. */
uint64_t edge_value(struct rng *g);

#endif

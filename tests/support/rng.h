/* A small deterministic PRNG (splitmix64) for tests that print their seed. */
#ifndef HY_TEST_RNG_H
#define HY_TEST_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct hy_rng {
    uint64_t state;
} hy_rng;

static inline uint64_t hy_rng_next(hy_rng *r)
{
    uint64_t z = (r->state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* Uniform-enough in [0, n) for test purposes; n > 0. */
static inline uint64_t hy_rng_below(hy_rng *r, uint64_t n)
{
    return hy_rng_next(r) % n;
}

static inline void hy_rng_fill(hy_rng *r, uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)hy_rng_next(r);
}

#endif

/* A deterministic platform for tests: a clock that ticks one millisecond per reading and
 * "random" bytes from a seeded PRNG, so runs repeat exactly. */
#ifndef HY_TEST_PLATFORM_H
#define HY_TEST_PLATFORM_H

#include "hypha.h"
#include "rng.h"

typedef struct test_platform {
    hy_platform platform;
    hy_rng rng;
    int64_t now;
} test_platform;

void test_platform_init(test_platform *t, uint64_t seed);

#endif

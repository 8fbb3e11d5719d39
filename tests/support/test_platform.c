#include "test_platform.h"

static int64_t test_now(void *user)
{
    test_platform *t = user;
    return ++t->now;
}

static hy_err test_random(void *user, uint8_t *buf, size_t len)
{
    test_platform *t = user;
    hy_rng_fill(&t->rng, buf, len);
    return HY_OK;
}

void test_platform_init(test_platform *t, uint64_t seed)
{
    t->platform.version = HY_PLATFORM_VERSION;
    t->platform.user = t;
    t->platform.now_ms = test_now;
    t->platform.random_bytes = test_random;
    t->rng.state = seed;
    t->now = 1700000000000;
}

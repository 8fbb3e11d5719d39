#include "store_fixture.h"

#include <string.h>

hy_store_config fixture_store_config(test_platform *p, hy_allocator alloc, uint64_t seed)
{
    test_platform_init(p, seed);
    hy_store_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.alloc = alloc;
    cfg.platform = &p->platform;
    return cfg;
}

hy_store *fixture_store(test_platform *p, hy_allocator alloc, uint64_t seed)
{
    hy_store_config cfg = fixture_store_config(p, alloc, seed);
    hy_store *s = NULL;
    return hy_store_new(&cfg, &s) == HY_OK ? s : NULL;
}

hy_err fixture_store_sync(hy_store *from, hy_store *to)
{
    uint8_t *batch;
    size_t len;
    hy_err err = hy_store_changes(from, NULL, 0, &batch, &len);
    if (err)
        return err;
    err = hy_store_merge(to, batch, len);
    hy_store_buffer_free(from, batch, len);
    return err == HY_E_MISSING_DEPS ? HY_OK : err;
}

/* Helpers shared by the record-store tests. */
#ifndef HY_STORE_FIXTURE_H
#define HY_STORE_FIXTURE_H

#include "hypha.h"
#include "test_platform.h"

/* A configuration on a deterministic platform seeded with seed (p must outlive the store). */
hy_store_config fixture_store_config(test_platform *p, hy_allocator alloc, uint64_t seed);
/* A new store as above; NULL on failure. */
hy_store *fixture_store(test_platform *p, hy_allocator alloc, uint64_t seed);
/* Sends every change of from to to, as one batch; HY_E_MISSING_DEPS counts as success. */
hy_err fixture_store_sync(hy_store *from, hy_store *to);

#endif

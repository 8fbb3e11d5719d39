/* The fixed workloads the budgets measure, shared by the benchmark (bench_*.c), the
 * cold-start program (coldstart.c) and the callgrind workloads (workload.c), so that each
 * budget names one workload wherever it is measured. Stores run on a fixed platform: a
 * constant clock and a counter for randomness (nothing here is secret), which WebAssembly
 * needs (it has no POSIX platform) and which makes runs repeat instruction for instruction. */
#ifndef HY_BUDGET_FIXTURES_H
#define HY_BUDGET_FIXTURES_H

#include <stddef.h>
#include <stdint.h>

#include "alloc.h"
#include "hypha.h"

typedef struct fixture_env {
    hy_platform platform;
    uint64_t random_state;
    hy_alloc_stats count; /* the store's allocations: live and peak bytes */
} fixture_env;

/* A store configuration on env's fixed platform and counting allocator; seed picks the actor
 * key. env must outlive every store made with it. */
hy_store_config fixture_config(fixture_env *env, uint64_t seed);
/* A new store with fixture_config; NULL on failure. */
hy_store *fixture_store(fixture_env *env, uint64_t seed);

/* `ops` register writes (an int each, over 1,000 records of collection "items"), committed
 * ops_per_change to a change: the seed budget's "10K ops" with 1 or 100 a change. */
hy_err fixture_write_ops(hy_store *store, size_t ops, size_t ops_per_change);

/* `records` records of 3 fields (a 12-byte string, a bool, a counter) in collection "tasks",
 * 1,000 records a change: the seed budget's "100K records". records is a multiple of 1,000. */
hy_err fixture_write_records(hy_store *store, size_t records);

/* A synthetic editing trace: `keystrokes` edits of field doc/d1/body, one change each, from a
 * fixed pseudo-random walk (mostly typing at the cursor, some backspaces, some jumps). */
hy_err fixture_type_text(hy_store *store, size_t keystrokes);

#endif

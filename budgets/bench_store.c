/* The record store's seed budgets (issue 3): merging 10,000 ops from another replica,
 * memory for 100,000 records of 3 fields, and the time of one field write and one read. */
#include "bench.h"

#include "alloc.h"
#include "hypha.h"

#include <stdlib.h>
#include <string.h>

/* The same benchmark runs in WebAssembly, which has no POSIX platform: a fixed clock and a
 * counter for "randomness" (nothing here is secret) keep runs comparable everywhere. */
static int64_t fixed_now(void *user)
{
    (void)user;
    return 1700000000000;
}

static hy_err counter_random(void *user, uint8_t *buf, size_t len)
{
    uint64_t *state = user;
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)((*state += 0x9e3779b97f4a7c15u) >> 56);
    return HY_OK;
}

typedef struct bench_env {
    hy_platform platform;
    uint64_t random_state;
    hy_alloc_stats count;
} bench_env;

static hy_store *open_store(bench_env *env, uint64_t seed)
{
    env->random_state = seed;
    env->platform.version = HY_PLATFORM_VERSION;
    env->platform.user = &env->random_state;
    env->platform.now_ms = fixed_now;
    env->platform.random_bytes = counter_random;
    hy_store_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.alloc = hy_allocator_counting(&env->count);
    cfg.platform = &env->platform;
    hy_store *s = NULL;
    return hy_store_new(&cfg, &s) == HY_OK ? s : NULL;
}

static void record_key(char *key, size_t cap, uint64_t i)
{
    snprintf(key, cap, "r%llu", (unsigned long long)i);
}

/* Writes ops register values, ops_per_change to a change. */
static hy_err write_ops(hy_store *s, size_t ops, size_t ops_per_change)
{
    char key[32];
    hy_err err = HY_OK;
    for (size_t i = 0; err == HY_OK && i < ops; i += ops_per_change) {
        err = hy_txn_begin(s);
        for (size_t k = i; err == HY_OK && k < i + ops_per_change && k < ops; k++) {
            hy_value v = { .type = HY_TYPE_INT, .as.integer = (int64_t)k };
            record_key(key, sizeof key, k % 1000);
            err = hy_put(s, "items", key, "n", &v);
        }
        err = err ? (hy_txn_rollback(s), err) : hy_txn_commit(s);
    }
    return err;
}

/* Milliseconds to merge `ops` ops made in changes of ops_per_change into a fresh replica. */
static double merge_ms(size_t ops, size_t ops_per_change, bool quick)
{
    bench_env a_env, b_env;
    memset(&a_env, 0, sizeof a_env);
    memset(&b_env, 0, sizeof b_env);
    hy_store *a = open_store(&a_env, 1);
    uint8_t *batch = NULL;
    size_t len = 0;
    double best = -1;
    if (a == NULL || write_ops(a, quick ? 100 : ops, ops_per_change) ||
        hy_store_changes(a, NULL, 0, &batch, &len))
        return -1;
    for (int run = 0; run < (quick ? 1 : 5); run++) {
        hy_store *b = open_store(&b_env, 2 + (uint64_t)run);
        double start = bench_seconds();
        hy_err err = b ? hy_store_merge(b, batch, len) : HY_E_NOMEM;
        double ms = (bench_seconds() - start) * 1e3;
        hy_store_free(b);
        if (err)
            return -1;
        best = best < 0 || ms < best ? ms : best;
    }
    hy_store_buffer_free(a, batch, len);
    hy_store_free(a);
    return best;
}

typedef struct field_work {
    hy_store *store;
    uint64_t next;
} field_work;

static void write_fields(void *context, uint64_t iterations)
{
    field_work *w = context;
    char key[32];
    for (uint64_t i = 0; i < iterations; i++) {
        hy_value v = { .type = HY_TYPE_INT, .as.integer = (int64_t)w->next };
        record_key(key, sizeof key, w->next++ % 1000);
        hy_put(w->store, "items", key, "n", &v);
    }
}

static void read_fields(void *context, uint64_t iterations)
{
    field_work *w = context;
    char key[32];
    hy_value v;
    for (uint64_t i = 0; i < iterations; i++) {
        record_key(key, sizeof key, w->next++ % 1000);
        hy_get(w->store, "items", key, "n", &v);
    }
}

int bench_store(const bench_config *config, bench_json *json)
{
    double single = merge_ms(10000, 1, config->quick);
    double batched = merge_ms(10000, 100, config->quick);
    if (single < 0 || batched < 0)
        return fprintf(stderr, "bench store: merge failed\n"), 1;
    bench_json_number(json, "merge_10k_ops_as_10k_changes_ms", single);
    bench_json_number(json, "merge_10k_ops_as_100_changes_ms", batched);

    /* 100,000 records of 3 fields (a string, an int, a counter), 1,000 records a change. */
    bench_env env;
    memset(&env, 0, sizeof env);
    hy_store *s = open_store(&env, 7);
    size_t records = config->quick ? 1000 : 100000;
    char key[32];
    hy_err err = s ? HY_OK : HY_E_NOMEM;
    for (size_t r = 0; err == HY_OK && r < records; r += 1000) {
        err = hy_txn_begin(s);
        for (size_t i = r; err == HY_OK && i < r + 1000; i++) {
            record_key(key, sizeof key, i);
            hy_value title = { .type = HY_TYPE_STRING,
                               .as.bytes = { (const uint8_t *)"a task title", 12 } };
            hy_value done = { .type = HY_TYPE_BOOL, .as.boolean = (int)(i & 1) };
            err = hy_put(s, "tasks", key, "title", &title);
            if (err == HY_OK)
                err = hy_put(s, "tasks", key, "done", &done);
            if (err == HY_OK)
                err = hy_counter_add(s, "tasks", key, "votes", 1);
        }
        err = err ? (hy_txn_rollback(s), err) : hy_txn_commit(s);
    }
    if (err)
        return fprintf(stderr, "bench store: records: %s\n", hy_err_str(err)), 1;
    bench_json_number(json, "records", (double)records);
    bench_json_number(json, "records_live_mb", (double)env.count.live / 1e6);
    bench_json_number(json, "records_peak_mb", (double)env.count.peak / 1e6);
    hy_store_free(s);

    /* One field write (its own change: encode, hash, apply) and one read, on 1,000 records. */
    memset(&env, 0, sizeof env);
    field_work w = { open_store(&env, 9), 0 };
    if (w.store == NULL)
        return 1;
    write_fields(&w, 1000);
    bench_json_number(json, "field_write_us", 1e6 / bench_rate(config, write_fields, &w));
    bench_json_number(json, "field_read_us", 1e6 / bench_rate(config, read_fields, &w));
    hy_store_free(w.store);
    return 0;
}

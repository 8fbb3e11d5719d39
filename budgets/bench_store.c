/* The record store's seed budgets (issue 3): merging 10,000 ops from another replica,
 * memory for 100,000 records of 3 fields, and the time of one field write and one read. */
#include "bench.h"

#include "fixtures.h"

#include <string.h>

/* Milliseconds to merge `ops` ops made in changes of ops_per_change into a fresh replica. */
static double merge_ms(size_t ops, size_t ops_per_change, bool quick)
{
    fixture_env a_env, b_env;
    memset(&a_env, 0, sizeof a_env);
    memset(&b_env, 0, sizeof b_env);
    hy_store *a = fixture_store(&a_env, 1);
    uint8_t *batch = NULL;
    size_t len = 0;
    double best = -1;
    if (a == NULL || fixture_write_ops(a, quick ? 100 : ops, ops_per_change) ||
        hy_store_changes(a, NULL, 0, &batch, &len))
        return -1;
    for (int run = 0; run < (quick ? 1 : 5); run++) {
        hy_store *b = fixture_store(&b_env, 2 + (uint64_t)run);
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
        snprintf(key, sizeof key, "r%llu", (unsigned long long)(w->next++ % 1000));
        hy_put(w->store, "items", key, "n", &v);
    }
}

static void read_fields(void *context, uint64_t iterations)
{
    field_work *w = context;
    char key[32];
    hy_value v;
    for (uint64_t i = 0; i < iterations; i++) {
        snprintf(key, sizeof key, "r%llu", (unsigned long long)(w->next++ % 1000));
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

    fixture_env env;
    memset(&env, 0, sizeof env);
    hy_store *s = fixture_store(&env, 7);
    size_t records = config->quick ? 1000 : 100000;
    hy_err err = s ? fixture_write_records(s, records) : HY_E_NOMEM;
    if (err)
        return fprintf(stderr, "bench store: records: %s\n", hy_err_str(err)), 1;
    bench_json_number(json, "records", (double)records);
    bench_json_number(json, "records_live_mb", (double)env.count.live / 1e6);
    bench_json_number(json, "records_peak_mb", (double)env.count.peak / 1e6);
    hy_store_free(s);

    /* One field write (its own change: encode, hash, apply) and one read, on 1,000 records. */
    memset(&env, 0, sizeof env);
    field_work w = { fixture_store(&env, 9), 0 };
    if (w.store == NULL)
        return 1;
    write_fields(&w, 1000);
    bench_json_number(json, "field_write_us", 1e6 / bench_rate(config, write_fields, &w));
    bench_json_number(json, "field_read_us", 1e6 / bench_rate(config, read_fields, &w));
    hy_store_free(w.store);
    return 0;
}

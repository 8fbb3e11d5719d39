/* A stand-in for the sync budget until the sync protocol exists (issue 5): ops per second
 * moved between two in-process stores through the public change API alone. Each round the
 * writer makes 100 one-op changes (not timed); then, timed, the receiver gives its heads, the
 * writer answers with the batch of what the receiver lacks (signed), and the receiver merges
 * it (signatures checked). No protocol framing, no network, no persistence: an upper bound on
 * what a sync session can move, not a measurement of one. */
#include "bench.h"

#include "fixtures.h"

#include <string.h>

#define ROUND_OPS 100
#define HEADS_CAP 16

typedef struct sync_pair {
    fixture_env writer_env, receiver_env;
    hy_store *writer, *receiver;
} sync_pair;

/* One round's exchange; returns its seconds, or -1 on an error. */
static double exchange(sync_pair *p)
{
    uint8_t heads[HEADS_CAP * HY_HASH_LEN];
    size_t count = 0, len = 0;
    uint8_t *batch = NULL;
    double start = bench_seconds();
    hy_err err = hy_store_heads(p->receiver, heads, HEADS_CAP, &count);
    if (err == HY_OK)
        err = hy_store_changes(p->writer, heads, count, &batch, &len);
    if (err == HY_OK)
        err = hy_store_merge(p->receiver, batch, len);
    hy_store_buffer_free(p->writer, batch, len);
    double seconds = bench_seconds() - start;
    return err == HY_OK ? seconds : -1;
}

int bench_sync(const bench_config *config, bench_json *json)
{
    sync_pair p;
    memset(&p, 0, sizeof p);
    size_t rounds = config->quick ? 2 : 100;
    hy_store_config cfg = fixture_config(&p.receiver_env, 2);
    cfg.require_signatures = 1;
    p.writer = fixture_store(&p.writer_env, 1);
    if (p.writer == NULL || hy_store_new(&cfg, &p.receiver) != HY_OK)
        return fprintf(stderr, "bench sync: set-up failed\n"), 1;
    double seconds = 0;
    for (size_t r = 0; r < rounds; r++) {
        double round = fixture_write_ops(p.writer, ROUND_OPS, 1) ? -1 : exchange(&p);
        if (round < 0)
            return fprintf(stderr, "bench sync: round %zu failed\n", r), 1;
        seconds += round;
    }
    bench_json_number(json, "standin_ops", (double)(rounds * ROUND_OPS));
    bench_json_number(json, "standin_ops_per_round", ROUND_OPS);
    bench_json_number(json, "standin_changes_merge_ops_per_s",
                      (double)(rounds * ROUND_OPS) / seconds);
    hy_store_free(p.writer);
    hy_store_free(p.receiver);
    return 0;
}

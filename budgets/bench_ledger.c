/* The credit ledger's budgets (issue 6): a local spend with its signature, merging and
 * validating 10,000 spends from a peer, and a member's checkpoint over 100,000 ops. */
#include "bench.h"

#include "fixtures.h"

#include <string.h>

#define MEMBERS 4

/* A ledger whose committee is MEMBERS keys from fixed seeds, and a replica of it. */
typedef struct ledger_world {
    uint8_t member_seed[MEMBERS][HY_KEY_LEN];
    uint8_t genesis[128 + MEMBERS * HY_KEY_LEN];
    size_t genesis_len;
} ledger_world;

typedef struct replica {
    fixture_env env;
    uint8_t seed[HY_KEY_LEN], key[HY_KEY_LEN];
    hy_store *store;
    hy_ledger *ledger;
} replica;

static hy_err world_init(ledger_world *w)
{
    uint8_t keys[MEMBERS * HY_KEY_LEN];
    for (int i = 0; i < MEMBERS; i++) {
        memset(w->member_seed[i], 0x40 + i, HY_KEY_LEN);
        hy_key_public(keys + i * HY_KEY_LEN, w->member_seed[i]);
    }
    hy_genesis g = { .name = "bench", .name_len = 5, .committee = keys,
                     .committee_count = MEMBERS, .credit_limit = HY_AMOUNT_MAX };
    return hy_genesis_encode(&g, w->genesis, sizeof w->genesis, &w->genesis_len);
}

static void replica_close(replica *r)
{
    hy_ledger_free(r->ledger);
    hy_store_free(r->store);
    r->ledger = NULL;
    r->store = NULL;
}

static hy_err replica_open(replica *r, const ledger_world *w, uint8_t seed_byte)
{
    memset(r->seed, seed_byte, HY_KEY_LEN);
    hy_key_public(r->key, r->seed);
    hy_store_config cfg = fixture_config(&r->env, seed_byte);
    cfg.actor_seed = r->seed;
    cfg.require_signatures = 1;
    r->ledger = NULL;
    r->store = NULL;
    hy_err err = hy_store_new(&cfg, &r->store);
    if (err == HY_OK)
        err = hy_ledger_open(r->store, w->genesis, w->genesis_len, &r->ledger);
    if (err)
        replica_close(r);
    return err;
}

/* A payer that opened its account and spent `spends` times 1 to another key. */
static hy_err payer_with_spends(replica *payer, const ledger_world *w, size_t spends)
{
    hy_err err = replica_open(payer, w, 0x11);
    if (err == HY_OK)
        err = hy_ledger_open_account(payer->ledger, HY_AMOUNT_MAX);
    uint8_t to[HY_KEY_LEN];
    memset(to, 0x22, sizeof to);
    for (size_t i = 0; err == HY_OK && i < spends; i++)
        err = hy_ledger_spend(payer->ledger, payer->key, to, 1);
    if (err)
        replica_close(payer); /* its own on failure: callers close it only after success */
    return err;
}

typedef struct spend_work {
    replica *payer;
    uint8_t to[HY_KEY_LEN];
    hy_err err;
} spend_work;

static void spend_once_each(void *context, uint64_t iterations)
{
    spend_work *s = context;
    for (uint64_t i = 0; i < iterations && s->err == HY_OK; i++)
        s->err = hy_ledger_spend(s->payer->ledger, s->payer->key, s->to, 1);
}

typedef enum timed { TIME_MERGE, TIME_CHECKPOINT } timed;

/* Milliseconds, best of runs: a fresh replica (seed_byte picks its key; member 0's is 0x40)
 * takes the payer's whole history in one batch, and what is timed is either that merge or,
 * after it, the member's checkpoint over it (frontier, state digest over every op,
 * signature, commit). */
static double replay_ms(const ledger_world *w, replica *payer, int runs, uint8_t seed_byte,
                        timed what)
{
    uint8_t *batch;
    size_t len;
    if (hy_store_changes(payer->store, NULL, 0, &batch, &len))
        return -1;
    double best = -1;
    for (int run = 0; run < runs; run++) {
        replica peer;
        if (replica_open(&peer, w, seed_byte)) {
            best = -1;
            break;
        }
        double start = bench_seconds();
        hy_err err = hy_store_merge(peer.store, batch, len);
        uint64_t epoch = 1;
        if (what == TIME_CHECKPOINT) {
            start = bench_seconds();
            if (err == HY_OK)
                err = hy_ledger_checkpoint(peer.ledger, 0, &epoch);
        }
        double ms = (bench_seconds() - start) * 1e3;
        hy_account_info info;
        if (err == HY_OK)
            err = hy_ledger_account(peer.ledger, payer->key, &info);
        replica_close(&peer);
        if (err || epoch != 1) {
            best = -1;
            break;
        }
        best = best < 0 || ms < best ? ms : best;
    }
    hy_store_buffer_free(payer->store, batch, len);
    return best;
}

/* A payer with `spends` spends, replayed as replay_ms does, its time written as name. */
static int replay_figure(bench_json *json, const char *name, const ledger_world *w,
                         size_t spends, int runs, uint8_t seed_byte, timed what)
{
    replica payer;
    if (payer_with_spends(&payer, w, spends))
        return fprintf(stderr, "bench ledger: payer\n"), 1;
    double ms = replay_ms(w, &payer, runs, seed_byte, what);
    replica_close(&payer);
    if (ms < 0)
        return fprintf(stderr, "bench ledger: %s failed\n", name), 1;
    bench_json_number(json, name, ms);
    return 0;
}

int bench_ledger(const bench_config *config, bench_json *json)
{
    ledger_world w;
    if (world_init(&w))
        return fprintf(stderr, "bench ledger: genesis\n"), 1;

    replica payer;
    if (payer_with_spends(&payer, &w, 0))
        return fprintf(stderr, "bench ledger: payer\n"), 1;
    spend_work s = { .payer = &payer, .err = HY_OK };
    memset(s.to, 0x22, sizeof s.to);
    double spends_per_s = bench_rate(config, spend_once_each, &s);
    replica_close(&payer);
    if (s.err)
        return fprintf(stderr, "bench ledger: spend: %s\n", hy_err_str(s.err)), 1;
    bench_json_number(json, "spend_per_s", spends_per_s);

    size_t merged = config->quick ? 100 : 10000;
    int err = replay_figure(json, "merge_10k_spends_ms", &w, merged, config->quick ? 1 : 5, 0x60,
                            TIME_MERGE);
    size_t checkpointed = config->quick ? 1000 : 100000;
    /* The payer's OPEN is one of the ops. */
    return err ? err : replay_figure(json, "checkpoint_100k_ops_ms", &w, checkpointed - 1,
                                     config->quick ? 1 : 3, 0x40, TIME_CHECKPOINT);
}

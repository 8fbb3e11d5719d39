#include "ledger_fixture.h"

#include "store_fixture.h"

#include <string.h>

void ledger_test_seed(uint8_t seed[HY_KEY_LEN], uint64_t n)
{
    hy_rng r = { n * 0x100000001b3u + 7 };
    hy_rng_fill(&r, seed, HY_KEY_LEN);
}

void ledger_world_init(ledger_world *w, size_t members, int64_t credit_limit, uint64_t seed)
{
    memset(w, 0, sizeof *w);
    w->members = members;
    uint8_t keys[LEDGER_FIXTURE_MAX_MEMBERS * HY_KEY_LEN];
    for (size_t i = 0; i < members; i++) {
        ledger_test_seed(w->member_seed[i], seed * 1000 + i + 1);
        hy_key_public(w->member_key[i], w->member_seed[i]);
        memcpy(keys + i * HY_KEY_LEN, w->member_key[i], HY_KEY_LEN);
    }
    hy_genesis g = { .name = "ledger", .name_len = 6, .committee = keys,
                     .committee_count = members, .credit_limit = credit_limit };
    hy_genesis_encode(&g, w->genesis, sizeof w->genesis, &w->genesis_len);
}

hy_err ledger_replica_open(ledger_replica *r, const ledger_world *w, const uint8_t seed[HY_KEY_LEN],
                           uint64_t platform_seed)
{
    memset(r, 0, sizeof *r);
    memcpy(r->seed, seed, HY_KEY_LEN);
    hy_key_public(r->key, seed);
    hy_store_config cfg = fixture_store_config(&r->platform, hy_allocator_default(), platform_seed);
    cfg.actor_seed = r->seed;
    cfg.require_signatures = 1;
    hy_err err = hy_store_new(&cfg, &r->store);
    if (err == HY_OK)
        err = hy_ledger_open(r->store, w->genesis, w->genesis_len, &r->ledger);
    if (err)
        ledger_replica_close(r);
    return err;
}

void ledger_replica_close(ledger_replica *r)
{
    hy_ledger_free(r->ledger);
    hy_store_free(r->store);
    r->ledger = NULL;
    r->store = NULL;
}

hy_err ledger_replica_sync(ledger_replica *from, ledger_replica *to)
{
    /* Only what to lacks (by its heads), as a sync session would send: the property test
     * syncs hundreds of pairs a seed. */
    uint8_t heads[64 * HY_HASH_LEN];
    size_t count;
    hy_err err = hy_store_heads(to->store, heads, 64, &count);
    if (err == HY_E_TOO_LARGE)
        return fixture_store_sync(from->store, to->store);
    uint8_t *batch;
    size_t len;
    if (err == HY_OK)
        err = hy_store_changes(from->store, heads, count, &batch, &len);
    if (err)
        return err;
    err = hy_store_merge(to->store, batch, len);
    hy_store_buffer_free(from->store, batch, len);
    return err == HY_E_MISSING_DEPS ? HY_OK : err;
}

#include "ledger_fixture.h"

#include "ledger_ops.h"
#include "store_fixture.h"
#include "store_owner.h"

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

hy_err ledger_replica_clone(ledger_replica *clone, ledger_replica *from, const ledger_world *w,
                            uint64_t platform_seed)
{
    memset(clone, 0, sizeof *clone);
    memcpy(clone->seed, from->seed, HY_KEY_LEN);
    memcpy(clone->key, from->key, HY_KEY_LEN);
    uint8_t *saved;
    size_t len;
    hy_err err = hy_store_save(from->store, &saved, &len);
    if (err)
        return err;
    hy_store_config cfg = fixture_store_config(&clone->platform, hy_allocator_default(),
                                               platform_seed);
    cfg.actor_seed = clone->seed;
    cfg.require_signatures = 1;
    err = hy_store_load(&cfg, saved, len, &clone->store, NULL);
    hy_store_buffer_free(from->store, saved, len);
    if (err == HY_OK)
        err = hy_ledger_open(clone->store, w->genesis, w->genesis_len, &clone->ledger);
    if (err)
        ledger_replica_close(clone);
    return err;
}

hy_err ledger_forge_vote(hy_store *store, const uint8_t ledger_id[HY_HASH_LEN], uint64_t epoch,
                         const uint8_t *frontier, size_t count,
                         const uint8_t state[HY_HASH_LEN], const uint8_t sig_seed[HY_KEY_LEN])
{
    uint8_t digest[HY_HASH_LEN], msg[LEDGER_CHECKPOINT_MSG_LEN], sig[HY_SIG_LEN];
    ledger_checkpoint_digest(ledger_id, epoch, frontier, count, state, digest);
    ledger_checkpoint_msg(msg, digest);
    hy_sign(sig, sig_seed, msg, sizeof msg);
    ledger_op op = { .kind = OP_CHECKPOINT, .epoch = epoch, .frontier = frontier,
                     .frontier_count = count, .state = state, .sig = sig };
    hy_writer w;
    hy_writer_init(&w, hy_allocator_default());
    ledger_op_encode(&op, &w);
    hy_err err = w.err ? w.err : hy_store_commit_owned(store, w.data, w.len, NULL);
    hy_writer_free(&w);
    return err;
}

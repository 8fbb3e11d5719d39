/* Writing as the local actor: committing changes and signing the local chain. */
#include "log_internal.h"

#include "alloc.h"
#include "ed25519.h"
#include "try.h"

#include <string.h>

hy_err hy_log_set_local(hy_log *log, const uint8_t seed[HY_KEY_LEN])
{
    uint8_t pub[HY_KEY_LEN];
    hy_ed25519_public_key(pub, seed);
    uint32_t actor = hy_log_actor_find(log, pub);
    if (actor == HY_LOG_NONE)
        HY_TRY(log_add_actor(log, pub, &actor));
    memcpy(log->local_seed, seed, HY_KEY_LEN);
    memcpy(log->local_pub, pub, HY_KEY_LEN);
    log->local_actor = actor;
    log->has_local = true;
    return HY_OK;
}

uint32_t hy_log_local_actor(const hy_log *log)
{
    return log->local_actor;
}

uint64_t hy_log_next_op(const hy_log *log)
{
    return log->max_op + 1;
}

/* Fixed fields of an encoded change take at most this many bytes. */
#define CHANGE_FIXED_MAX 96

void log_flush_hashes(hy_log *log)
{
    if (log->unhashed_from == HY_LOG_NONE)
        return;
    hy_writer *w = &log->scratch;
    for (uint32_t i = log->unhashed_from; i < log->changes.len; i++) {
        log_change *rec = log_change_at(log, i);
        /* Its one dep, if any, is hashed by now: the commit before it, or an older change. */
        hy_change c;
        log_change_view(log, rec, rec->dep_count ? log_change_at(log, *log_deps_of(log, rec))->hash
                                                 : NULL, &c);
        /* The commit checked the change and reserved the scratch room and the map slot. */
        w->len = 0;
        (void)hy_change_encode(w, &c);
        hy_change_hash(w->data, w->len, rec->hash);
        (void)hy_table_insert(&log->by_hash, &log->cfg.alloc, i);
    }
    log->unhashed_from = HY_LOG_NONE;
}

/* A commit that only continues the local chain (its one dep, if any, the only head) needs
 * no hash now: nothing sorts it among other heads. Everything hashing it later will need is
 * reserved here, so that hashing cannot fail. */
static hy_err commit_lazily(hy_log *log, const hy_change *c, uint32_t prev)
{
    if (hy_change_check(c))
        return HY_E_INVALID_ARG;
    size_t unhashed = log->unhashed_from == HY_LOG_NONE
                          ? 0 : log->changes.len - log->unhashed_from;
    size_t encoded_max = CHANGE_FIXED_MAX + c->dep_count * HY_HASH_LEN + c->ops_len;
    if (hy_writer_reserve(&log->scratch, encoded_max) == NULL) {
        log->scratch.err = HY_OK;
        return HY_E_NOMEM;
    }
    HY_TRY(hy_table_reserve(&log->by_hash, &log->cfg.alloc, unhashed + 1));
    return log_apply(log, c, NULL, &prev, NULL);
}

hy_err hy_log_commit(hy_log *log, int64_t time_ms, uint64_t op_count, const uint8_t *ops,
                     size_t ops_len, uint32_t *index)
{
    if (!log->has_local)
        return HY_E_INVALID_ARG;
    uint32_t actor = log->local_actor;
    uint32_t seq = hy_log_actor_seq(log, actor);
    uint32_t prev = seq ? HY_VEC_AT(&log_actor_at(log, actor)->chain, uint32_t, seq - 1)
                        : HY_LOG_NONE;
    hy_change c;
    memcpy(c.actor, log->local_pub, HY_KEY_LEN);
    c.seq = (uint64_t)seq + 1;
    c.start_op = hy_log_next_op(log);
    c.time_ms = time_ms;
    c.op_count = op_count;
    c.ops = ops;
    c.ops_len = ops_len;
    c.deps = NULL;
    uint32_t applied_at = (uint32_t)log->changes.len;
    const uint32_t *heads = log->heads.data;
    size_t head_count = log->heads.len;
    if ((head_count == 0 && prev == HY_LOG_NONE) || (head_count == 1 && heads[0] == prev)) {
        c.dep_count = head_count;
        HY_TRY(commit_lazily(log, &c, prev));
        if (index)
            *index = applied_at;
        return HY_OK;
    }

    /* Deps: the heads, plus the actor's own previous change when another change already
     * covers it (the chain rule needs it named). Heads are sorted by hash; keep it so. */
    log_flush_hashes(log);
    size_t dep_count = head_count;
    uint32_t dep_index[HY_CHANGE_MAX_DEPS];
    if (head_count + 1 > HY_CHANGE_MAX_DEPS)
        return HY_E_LIMIT;
    bool prev_listed = prev == HY_LOG_NONE;
    size_t n = 0;
    for (size_t i = 0; i < head_count; i++) {
        if (!prev_listed && memcmp(log_change_at(log, prev)->hash,
                                   log_change_at(log, heads[i])->hash, HY_HASH_LEN) <= 0) {
            prev_listed = true;
            if (prev != heads[i]) {
                dep_index[n++] = prev;
                dep_count++;
            }
        }
        dep_index[n++] = heads[i];
    }
    if (!prev_listed) {
        dep_index[n++] = prev;
        dep_count++;
    }
    /* The hashes of the deps, then the encoding, in the reused scratch buffer. */
    hy_writer *w = &log->scratch;
    w->len = 0;
    uint8_t *dep_hashes = hy_writer_reserve(w, dep_count * HY_HASH_LEN);
    if (dep_hashes == NULL && dep_count)
        return HY_E_NOMEM;
    for (size_t i = 0; i < dep_count; i++)
        memcpy(dep_hashes + i * HY_HASH_LEN, log_change_at(log, dep_index[i])->hash,
               HY_HASH_LEN);
    w->len = dep_count * HY_HASH_LEN;
    c.dep_count = dep_count;
    /* Reserve the whole encoding first: the deps point into the buffer that encoding appends
     * to, so it must not move. */
    if (hy_writer_reserve(w, CHANGE_FIXED_MAX + dep_count * HY_HASH_LEN + ops_len) == NULL) {
        w->err = HY_OK;
        return HY_E_NOMEM;
    }
    c.deps = w->data;
    size_t start = w->len;
    hy_err err = hy_change_encode(w, &c);
    if (err)
        return err;
    uint8_t hash[HY_HASH_LEN];
    hy_change_hash(w->data + start, w->len - start, hash);
    HY_TRY(log_apply(log, &c, hash, dep_index, NULL));
    if (index)
        *index = applied_at;
    return HY_OK;
}

hy_err hy_log_sign_statement(const hy_log *log, const void *msg, size_t len,
                             uint8_t sig[HY_SIG_LEN])
{
    if (!log->has_local || (len >= sizeof(HY_CHANGE_SIG_CONTEXT) - 1 &&
                            memcmp(msg, HY_CHANGE_SIG_CONTEXT,
                                   sizeof(HY_CHANGE_SIG_CONTEXT) - 1) == 0))
        return HY_E_INVALID_ARG;
    hy_ed25519_sign(sig, log->local_seed, log->local_pub, msg, len);
    return HY_OK;
}

hy_err hy_log_sign_local(hy_log *log)
{
    if (!log->has_local)
        return HY_OK;
    const log_actor *act = log_actor_at(log, log->local_actor);
    if (act->chain.len == 0)
        return HY_OK;
    uint32_t newest = HY_VEC_AT(&act->chain, uint32_t, act->chain.len - 1);
    if (act->signed_change == newest)
        return HY_OK;
    uint8_t msg[HY_CHANGE_SIG_MSG_LEN], sig[HY_SIG_LEN];
    hy_change_sig_msg(msg, hy_log_hash(log, newest));
    hy_ed25519_sign(sig, log->local_seed, log->local_pub, msg, sizeof msg);
    return log_record_sig(log, newest, sig);
}

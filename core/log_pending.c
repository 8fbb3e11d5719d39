/* The bounded queue of changes that arrived before their deps. Each waits on a count of
 * missing deps; a map from each missing hash to the list of changes waiting for it makes the
 * release of a change cost only what it unblocks. */
#include "log_internal.h"

#include "alloc.h"
#include "try.h"

#include <string.h>

static log_pending *pending_at(const hy_log *log, uint32_t i)
{
    return &HY_VEC_AT(&log->pending, log_pending, i);
}

/* Once nothing waits, the bookkeeping is dropped so the queue holds no memory when idle. */
static void reset_if_idle(hy_log *log)
{
    if (log->pending_live != 0)
        return;
    const hy_allocator *a = &log->cfg.alloc;
    hy_vec_free(&log->pending, a);
    hy_vec_free(&log->waits, a);
    hy_table_free(&log->pending_by_hash, a);
    hy_table_free(&log->waiting, a);
    log->pending_bytes = 0;
}

hy_err log_pending_add(hy_log *log, const uint8_t *encoded, size_t len,
                       const uint8_t hash[HY_HASH_LEN], const hy_change *c,
                       const uint8_t *sig)
{
    const hy_allocator *a = &log->cfg.alloc;
    if (hy_table_get(&log->pending_by_hash, hash, NULL))
        return HY_E_MISSING_DEPS; /* already waiting */
    if (log->pending_live >= log->cfg.max_pending ||
        len > log->cfg.max_pending_bytes - log->pending_bytes ||
        log->pending.len >= HY_LOG_NONE - 1 || log->waits.len + c->dep_count >= HY_LOG_NONE)
        return HY_E_QUEUE_FULL;
    uint8_t *copy = hy_alloc(a, len);
    if (copy == NULL ||
        hy_vec_reserve(&log->pending, a, log->pending.len + 1) ||
        hy_vec_reserve(&log->waits, a, log->waits.len + c->dep_count) ||
        hy_table_reserve(&log->pending_by_hash, a, 1) ||
        hy_table_reserve(&log->waiting, a, c->dep_count)) {
        hy_free(a, copy, len);
        return HY_E_NOMEM;
    }
    memcpy(copy, encoded, len);
    uint32_t index = (uint32_t)log->pending.len;
    log_pending p;
    memcpy(p.hash, hash, HY_HASH_LEN);
    p.bytes = copy;
    p.len = len;
    p.missing = 0;
    p.has_sig = sig != NULL;
    if (sig)
        memcpy(p.sig, sig, HY_SIG_LEN);
    for (size_t i = 0; i < c->dep_count; i++) {
        const uint8_t *dep = c->deps + i * HY_HASH_LEN;
        if (hy_log_find(log, dep) != HY_LOG_NONE)
            continue;
        uint32_t head = HY_LOG_NONE;
        hy_table_get(&log->waiting, dep, &head);
        log_wait w = { index, head };
        hy_table_put(&log->waiting, a, dep, (uint32_t)log->waits.len);
        hy_vec_push(&log->waits, a, &w);
        p.missing++;
    }
    hy_vec_push(&log->pending, a, &p);
    hy_table_put(&log->pending_by_hash, a, hash, index);
    log->pending_live++;
    log->pending_bytes += len;
    return HY_E_MISSING_DEPS;
}

/* Takes a pending change out of the queue (its bytes are the caller's to free). */
static void take(hy_log *log, log_pending *p)
{
    hy_table_remove(&log->pending_by_hash, p->hash);
    log->pending_live--;
    log->pending_bytes -= p->len;
}

/* Applies the pending change that no longer misses anything; errors drop it. */
static hy_err apply_ready(hy_log *log, uint32_t index, hy_vec *released)
{
    const hy_allocator *a = &log->cfg.alloc;
    log_pending *p = pending_at(log, index);
    uint8_t *bytes = p->bytes;
    size_t len = p->len;
    uint8_t hash[HY_HASH_LEN], sig[HY_SIG_LEN];
    bool has_sig = p->has_sig;
    memcpy(hash, p->hash, HY_HASH_LEN);
    memcpy(sig, p->sig, HY_SIG_LEN);
    p->bytes = NULL;
    take(log, p);
    hy_change c;
    hy_err err = hy_change_decode(&c, bytes, len, NULL);
    uint32_t dep_index[HY_CHANGE_MAX_DEPS];
    for (size_t i = 0; err == HY_OK && i < c.dep_count; i++) {
        dep_index[i] = hy_log_find(log, c.deps + i * HY_HASH_LEN);
        if (dep_index[i] == HY_LOG_NONE)
            err = HY_E_MISSING_DEPS; /* cannot happen: missing reached 0 */
    }
    if (err == HY_OK && hy_log_find(log, hash) == HY_LOG_NONE) {
        err = log_apply(log, &c, hash, dep_index, has_sig ? sig : NULL);
        if (hy_log_find(log, hash) != HY_LOG_NONE) {
            hy_err pushed = hy_vec_push(released, a, hash);
            err = err ? err : pushed;
        }
    }
    hy_free(a, bytes, len);
    return err;
}

hy_err log_pending_release(hy_log *log, const uint8_t hash[HY_HASH_LEN])
{
    if (log->pending_live == 0)
        return HY_OK;
    const hy_allocator *a = &log->cfg.alloc;
    /* A worklist of applied hashes instead of recursion: a long chain released at once
     * must not grow the C stack. */
    hy_vec released;
    hy_vec_init(&released, HY_HASH_LEN);
    hy_err first_err = hy_vec_push(&released, a, hash);
    for (size_t r = 0; r < released.len && log->pending_live > 0; r++) {
        uint8_t done[HY_HASH_LEN];
        memcpy(done, hy_vec_at(&released, r), HY_HASH_LEN);
        uint32_t w;
        if (!hy_table_get(&log->waiting, done, &w))
            continue;
        hy_table_remove(&log->waiting, done);
        for (; w != HY_LOG_NONE; w = HY_VEC_AT(&log->waits, log_wait, w).next) {
            uint32_t index = HY_VEC_AT(&log->waits, log_wait, w).pending;
            log_pending *p = pending_at(log, index);
            if (p->bytes == NULL || --p->missing > 0)
                continue;
            hy_err err = apply_ready(log, index, &released);
            if (first_err == HY_OK)
                first_err = err;
        }
    }
    hy_vec_free(&released, a);
    reset_if_idle(log);
    return first_err;
}

void log_pending_free(hy_log *log)
{
    const hy_allocator *a = &log->cfg.alloc;
    for (uint32_t i = 0; i < log->pending.len; i++)
        hy_free(a, pending_at(log, i)->bytes, pending_at(log, i)->len);
    log->pending_live = 0;
    reset_if_idle(log);
}

size_t hy_log_pending_count(const hy_log *log)
{
    return log->pending_live;
}

hy_err hy_log_wanted(hy_log *log, size_t max, hy_vec *out)
{
    const hy_allocator *a = &log->cfg.alloc;
    for (uint32_t i = 0; i < log->pending.len && out->len < max; i++) {
        const log_pending *p = pending_at(log, i);
        hy_change c;
        if (p->bytes == NULL || hy_change_decode(&c, p->bytes, p->len, NULL) != HY_OK)
            continue;
        for (size_t d = 0; d < c.dep_count && out->len < max; d++) {
            const uint8_t *dep = c.deps + d * HY_HASH_LEN;
            if (hy_log_find(log, dep) != HY_LOG_NONE ||
                hy_table_get(&log->pending_by_hash, dep, NULL))
                continue;
            bool listed = false;
            for (size_t k = 0; k < out->len && !listed; k++)
                listed = memcmp(hy_vec_at(out, k), dep, HY_HASH_LEN) == 0;
            if (!listed)
                HY_TRY(hy_vec_push(out, a, dep));
        }
    }
    return HY_OK;
}

/* Adding changes from other replicas: one at a time or as a signed batch. */
#include "log_internal.h"

#include "alloc.h"
#include "try.h"

#include <string.h>

/* Applies an authenticated, decoded change, or queues it when deps are missing; then applies
 * whatever it unblocks. */
static hy_err add_authenticated(hy_log *log, const hy_change *c, const uint8_t *encoded,
                                size_t len, const uint8_t hash[HY_HASH_LEN],
                                const uint8_t *sig)
{
    uint32_t known = hy_log_find(log, hash);
    if (known != HY_LOG_NONE) /* a duplicate may still bring a newer signature */
        return sig ? log_record_sig(log, known, sig) : HY_OK;
    uint32_t dep_index[HY_CHANGE_MAX_DEPS];
    bool missing = false;
    for (size_t i = 0; i < c->dep_count; i++) {
        dep_index[i] = hy_log_find(log, c->deps + i * HY_HASH_LEN);
        missing |= dep_index[i] == HY_LOG_NONE;
    }
    if (missing)
        return log_pending_add(log, encoded, len, hash, c, sig);
    hy_err err = log_apply(log, c, hash, dep_index, sig);
    if (err && hy_log_find(log, hash) == HY_LOG_NONE)
        return err; /* not applied */
    hy_err released = log_pending_release(log, hash);
    return err ? err : released;
}

hy_err hy_log_add(hy_log *log, const uint8_t *encoded, size_t len, const uint8_t *sig,
                  size_t *err_offset)
{
    hy_change c;
    HY_TRY(hy_change_decode(&c, encoded, len, err_offset));
    uint8_t hash[HY_HASH_LEN];
    hy_change_hash(encoded, len, hash);
    if (hy_log_find(log, hash) != HY_LOG_NONE && sig == NULL)
        return HY_OK;
    if (sig)
        HY_TRY(log_verify_sig(c.actor, hash, sig));
    else if (log->cfg.require_signatures)
        return HY_E_BAD_SIGNATURE;
    return add_authenticated(log, &c, encoded, len, hash, sig);
}

/* Per change of a batch: its decoding, hash, and the signature that names it, if any. */
typedef struct batch_item {
    hy_change change;
    uint8_t hash[HY_HASH_LEN];
    const uint8_t *sig;
    bool covered;
} batch_item;

/* The batch's index by hash stores item indexes; the hashes are in the items. */
static const uint8_t *item_hash_of(const void *items, uint32_t index, size_t *len)
{
    *len = HY_HASH_LEN;
    return ((const batch_item *)items)[index].hash;
}

/* Whether item d is the change before item cur in cur's actor's chain. */
static bool chain_predecessor(const batch_item *items, uint32_t d, uint32_t cur)
{
    const hy_change *c = &items[cur].change;
    return items[d].change.seq + 1 == c->seq &&
           memcmp(items[d].change.actor, c->actor, HY_KEY_LEN) == 0;
}

/* Marks the run of the actor's changes in the batch below the signed change `top`. */
static void cover_chain(batch_item *items, const hy_table *by_hash, uint32_t top)
{
    for (uint32_t cur = top;;) {
        const hy_change *c = &items[cur].change;
        uint32_t prev = HY_LOG_NONE;
        /* A run of one actor usually comes in a row: try the item before first. */
        if (cur > 0 && c->dep_count == 1 && chain_predecessor(items, cur - 1, cur) &&
            memcmp(c->deps, items[cur - 1].hash, HY_HASH_LEN) == 0)
            prev = cur - 1;
        for (size_t i = 0; i < c->dep_count && prev == HY_LOG_NONE; i++) {
            uint32_t d;
            if (hy_table_find(by_hash, c->deps + i * HY_HASH_LEN, HY_HASH_LEN, &d) &&
                chain_predecessor(items, d, cur))
                prev = d;
        }
        if (prev == HY_LOG_NONE || items[prev].covered)
            return;
        items[prev].covered = true;
        cur = prev;
    }
}

static hy_err check_batch(hy_log *log, batch_item *items, const hy_bytes *changes,
                          size_t count, const hy_log_sig *sigs, size_t sig_count,
                          hy_table *by_hash, size_t *bad)
{
    const hy_allocator *a = &log->cfg.alloc;
    HY_TRY(hy_table_reserve(by_hash, a, count));
    for (size_t i = 0; i < count; i++) {
        *bad = i;
        items[i].sig = NULL;
        items[i].covered = false;
        HY_TRY(hy_change_decode(&items[i].change, changes[i].data, changes[i].len, NULL));
        if (!hy_log_may_write(log, items[i].change.actor))
            return HY_E_FORBIDDEN;
        hy_change_hash(changes[i].data, changes[i].len, items[i].hash);
        /* A change sent twice is indexed at its first copy. */
        if (!hy_table_find(by_hash, items[i].hash, HY_HASH_LEN, NULL))
            HY_TRY(hy_table_insert(by_hash, a, (uint32_t)i));
    }
    for (size_t k = 0; k < sig_count; k++) {
        *bad = k;
        uint32_t i;
        if (!hy_table_find(by_hash, sigs[k].hash, HY_HASH_LEN, &i))
            return HY_E_BAD_SIGNATURE;
        HY_TRY(log_verify_sig(items[i].change.actor, items[i].hash, sigs[k].sig));
        items[i].sig = sigs[k].sig;
        items[i].covered = true;
    }
    /* Walk down from each signed change only after all are marked, so that each walk stops
     * at the first change another signature already covers. */
    for (size_t k = 0; k < sig_count; k++) {
        uint32_t i;
        hy_table_find(by_hash, sigs[k].hash, HY_HASH_LEN, &i);
        cover_chain(items, by_hash, i);
    }
    if (log->cfg.require_signatures) {
        for (size_t i = 0; i < count; i++) {
            *bad = i;
            if (!items[i].covered && hy_log_find(log, items[i].hash) == HY_LOG_NONE)
                return HY_E_BAD_SIGNATURE;
        }
    }
    return HY_OK;
}

/* With signatures required, marks in skip the changes that would apply now only under a
 * signature whose own change must wait in the queue (a dep of it is missing): applied, they
 * would leave the log holding a change no held signature covers, which it could neither save
 * loadably nor pass on. They are dropped instead (the sender sends them again with their
 * signed change), and so is what depends on them; the rest applies or waits as usual. */
static hy_err skip_uncovered(hy_log *log, batch_item *items, size_t count,
                             const hy_log_sig *sigs, size_t sig_count, const hy_table *by_hash,
                             bool *skip)
{
    const hy_allocator *a = &log->cfg.alloc;
    bool *ready = hy_alloc(a, count ? count : 1);
    if (ready == NULL)
        return HY_E_NOMEM;
    for (bool dropped = true; dropped;) {
        dropped = false;
        for (size_t i = 0; i < count; i++) {
            const hy_change *c = &items[i].change;
            ready[i] = !skip[i];
            for (size_t d = 0; ready[i] && d < c->dep_count; d++) {
                uint32_t at;
                const uint8_t *dep = c->deps + d * HY_HASH_LEN;
                ready[i] = hy_log_find(log, dep) != HY_LOG_NONE ||
                           (hy_table_find(by_hash, dep, HY_HASH_LEN, &at) && at < i && ready[at]);
            }
            items[i].covered = false;
        }
        for (size_t k = 0; k < sig_count; k++) {
            uint32_t i;
            hy_table_find(by_hash, sigs[k].hash, HY_HASH_LEN, &i);
            if (ready[i] && !items[i].covered) {
                items[i].covered = true;
                cover_chain(items, by_hash, i);
            }
        }
        for (size_t i = 0; i < count; i++)
            if (ready[i] && !items[i].covered && hy_log_find(log, items[i].hash) == HY_LOG_NONE) {
                skip[i] = true;
                dropped = true;
            }
    }
    hy_free(a, ready, count ? count : 1);
    return HY_OK;
}

hy_err hy_log_add_batch(hy_log *log, const hy_bytes *changes, size_t count,
                        const hy_log_sig *sigs, size_t sig_count, size_t *bad)
{
    const hy_allocator *a = &log->cfg.alloc;
    size_t bad_index = 0;
    if (count >= UINT32_MAX)
        return HY_E_LIMIT;
    /* Filled as the changes decode (zeroing first would touch all that memory twice). */
    batch_item *items = hy_alloc(a, hy_size_mul(count ? count : 1, sizeof *items));
    if (items == NULL)
        return HY_E_NOMEM;
    hy_table by_hash;
    hy_table_init_external(&by_hash, item_hash_of, items, log->cfg.hash_seed ^ 0x9e3779b9u);
    hy_err err = check_batch(log, items, changes, count, sigs, sig_count, &by_hash, &bad_index);
    /* Room for the whole batch at once, as a loader does: growing by doubling would copy the
     * log's arrays again and again. */
    size_t dep_total = 0, ops_total = 0;
    for (size_t i = 0; err == HY_OK && i < count; i++) {
        dep_total += items[i].change.dep_count;
        ops_total += items[i].change.ops_len;
    }
    if (err == HY_OK)
        err = log_reserve(log, count, dep_total, ops_total);
    bool *skip = err == HY_OK && log->cfg.require_signatures
                     ? hy_alloc_zero(a, count ? count : 1, sizeof(bool)) : NULL;
    if (err == HY_OK && log->cfg.require_signatures)
        err = skip == NULL ? HY_E_NOMEM
                           : skip_uncovered(log, items, count, sigs, sig_count, &by_hash, skip);
    bool queued = false;
    for (size_t i = 0; err == HY_OK && i < count; i++) {
        bad_index = i;
        if (skip && skip[i]) {
            queued = true; /* not applied: to the caller, as good as waiting */
            continue;
        }
        err = add_authenticated(log, &items[i].change, changes[i].data, changes[i].len,
                                items[i].hash, items[i].sig);
        if (err == HY_E_MISSING_DEPS) {
            queued = true;
            err = HY_OK;
        }
    }
    hy_table_free(&by_hash, a);
    hy_free(a, skip, skip ? (count ? count : 1) * sizeof(bool) : 0);
    hy_free(a, items, (count ? count : 1) * sizeof *items);
    if (err && bad)
        *bad = bad_index;
    return err ? err : queued ? HY_E_MISSING_DEPS : HY_OK;
}

/* The DAG itself: creating and freeing a log, applying a change, signatures, accessors. */
#include "log_internal.h"

#include "alloc.h"
#include "ed25519.h"
#include "try.h"
#include "wipe.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_PENDING 4096
#define DEFAULT_MAX_PENDING_BYTES ((size_t)16 << 20)

/* The by_hash map stores change indexes only; the hashes are in the change records. */
static const uint8_t *change_hash_of(const void *log, uint32_t index, size_t *len)
{
    *len = HY_HASH_LEN;
    return log_change_at(log, index)->hash;
}

static int key_cmp(const void *a, const void *b) { return memcmp(a, b, HY_KEY_LEN); }

hy_err hy_log_new(const hy_log_config *config, hy_log **out)
{
    if (config == NULL || config->alloc.fn == NULL || out == NULL)
        return HY_E_INVALID_ARG;
    hy_log *log = hy_alloc_zero(&config->alloc, 1, sizeof *log);
    if (log == NULL)
        return HY_E_NOMEM;
    log->cfg = *config;
    if (config->writer_count) {
        size_t bytes = hy_size_mul(config->writer_count, HY_KEY_LEN);
        log->writers = config->writers && bytes != SIZE_MAX ? hy_alloc(&config->alloc, bytes)
                                                            : NULL;
        if (log->writers == NULL) {
            hy_free(&config->alloc, log, sizeof *log);
            return config->writers ? HY_E_NOMEM : HY_E_INVALID_ARG;
        }
        memcpy(log->writers, config->writers, bytes);
        qsort(log->writers, config->writer_count, HY_KEY_LEN, key_cmp);
    }
    log->cfg.writers = NULL;
    /* A writers rule without signatures would be a name check anyone passes by claiming a
     * writer's key in an unsigned change. */
    if (config->writer_count)
        log->cfg.require_signatures = true;
    if (log->cfg.max_pending == 0)
        log->cfg.max_pending = DEFAULT_MAX_PENDING;
    if (log->cfg.max_pending_bytes == 0)
        log->cfg.max_pending_bytes = DEFAULT_MAX_PENDING_BYTES;
    hy_vec_init(&log->changes, sizeof(log_change));
    hy_vec_init(&log->deps, sizeof(uint32_t));
    hy_vec_init(&log->ops, 1);
    hy_vec_init(&log->actors, sizeof(log_actor));
    hy_vec_init(&log->heads, sizeof(uint32_t));
    hy_vec_init(&log->equivocations, sizeof(hy_equivocation));
    hy_vec_init(&log->branch_sigs, sizeof(log_branch_sig));
    hy_vec_init(&log->pending, sizeof(log_pending));
    hy_vec_init(&log->waits, sizeof(log_wait));
    /* Distinct seeds per map, all derived from the caller's secret one. */
    uint64_t seed = config->hash_seed;
    hy_table_init_external(&log->by_hash, change_hash_of, log, seed);
    hy_table_init(&log->actor_by_key, HY_KEY_LEN, seed ^ 0x5bd1e995u);
    hy_table_init(&log->pending_by_hash, HY_HASH_LEN, seed ^ 0x27d4eb2fu);
    hy_table_init(&log->waiting, HY_HASH_LEN, seed ^ 0x165667b1u);
    hy_writer_init(&log->scratch, config->alloc);
    log->local_actor = HY_LOG_NONE;
    log->unhashed_from = HY_LOG_NONE;
    *out = log;
    return HY_OK;
}

void hy_log_free(hy_log *log)
{
    if (log == NULL)
        return;
    const hy_allocator *a = &log->cfg.alloc;
    for (uint32_t i = 0; i < log->actors.len; i++) {
        hy_vec_free(&log_actor_at(log, i)->chain, a);
        log_free_reach(log, log_actor_at(log, i));
    }
    hy_vec_free(&log->changes, a);
    hy_vec_free(&log->deps, a);
    hy_vec_free(&log->ops, a);
    hy_vec_free(&log->actors, a);
    hy_vec_free(&log->heads, a);
    hy_vec_free(&log->equivocations, a);
    hy_vec_free(&log->branch_sigs, a);
    hy_table_free(&log->by_hash, a);
    hy_table_free(&log->actor_by_key, a);
    log_pending_free(log);
    hy_writer_free(&log->scratch);
    hy_free(a, log->writers, log->cfg.writer_count * HY_KEY_LEN);
    hy_wipe(log->local_seed, sizeof log->local_seed);
    hy_allocator alloc = log->cfg.alloc;
    hy_free(&alloc, log, sizeof *log);
}

/* ---- applying ---- */

bool hy_log_may_write(const hy_log *log, const uint8_t key[HY_KEY_LEN])
{
    return log->cfg.writer_count == 0 ||
           bsearch(key, log->writers, log->cfg.writer_count, HY_KEY_LEN, key_cmp) != NULL;
}

hy_err log_add_actor(hy_log *log, const uint8_t key[HY_KEY_LEN], uint32_t *index)
{
    const hy_allocator *a = &log->cfg.alloc;
    if (log->actors.len >= HY_LOG_NONE - 1)
        return HY_E_LIMIT;
    HY_TRY(hy_vec_reserve(&log->actors, a, log->actors.len + 1));
    HY_TRY(hy_table_reserve(&log->actor_by_key, a, 1));
    log_actor fresh;
    memset(&fresh, 0, sizeof fresh);
    memcpy(fresh.key, key, HY_KEY_LEN);
    hy_vec_init(&fresh.chain, sizeof(uint32_t));
    hy_vec_init(&fresh.reach, sizeof(hy_vec));
    fresh.signed_change = HY_LOG_NONE;
    *index = (uint32_t)log->actors.len;
    hy_vec_push(&log->actors, a, &fresh);
    hy_table_put(&log->actor_by_key, a, key, *index);
    return HY_OK;
}

/* The change of this actor at seq - 1 among the deps, or HY_LOG_NONE. */
static uint32_t predecessor_in_deps(const hy_log *log, uint32_t actor, uint64_t seq,
                                    const uint32_t *dep_index, size_t dep_count)
{
    for (size_t i = 0; i < dep_count; i++) {
        const log_change *d = log_change_at(log, dep_index[i]);
        if (d->actor == actor && d->seq + 1 == seq)
            return dep_index[i];
    }
    return HY_LOG_NONE;
}

static int compare_hash(const hy_log *log, uint32_t a, uint32_t b)
{
    return memcmp(log_change_at(log, a)->hash, log_change_at(log, b)->hash, HY_HASH_LEN);
}

/* Replaces the heads that index depends on by index itself; capacity is reserved. */
static void update_heads(hy_log *log, uint32_t index, const uint32_t *dep_index,
                         size_t dep_count)
{
    uint32_t *heads = log->heads.data;
    size_t kept = 0;
    for (size_t i = 0; i < log->heads.len; i++) {
        bool covered = false;
        for (size_t j = 0; j < dep_count && !covered; j++)
            covered = heads[i] == dep_index[j];
        if (!covered)
            heads[kept++] = heads[i];
    }
    size_t at = kept;
    while (at > 0 && compare_hash(log, heads[at - 1], index) > 0)
        at--;
    memmove(heads + at + 1, heads + at, (kept - at) * sizeof *heads);
    heads[at] = index;
    log->heads.len = kept + 1;
}

hy_err log_apply(hy_log *log, const hy_change *c, const uint8_t hash[HY_HASH_LEN],
                 const uint32_t *dep_index, const uint8_t *sig)
{
    const hy_allocator *a = &log->cfg.alloc;
    /* A hashed change may sort among the heads or name any change by hash: every id must be
     * known from here on. */
    if (hash)
        log_flush_hashes(log);
    /* Lamport: every op counter exceeds those of the ops it saw. This also makes ascending
     * start_op a topological order, which the compact form relies on. */
    for (size_t i = 0; i < c->dep_count; i++) {
        const log_change *d = log_change_at(log, dep_index[i]);
        if (c->start_op < d->start_op + d->op_count)
            return HY_E_SEQ;
    }
    /* The chain rule: a change names its actor's previous change, so that a signature on the
     * newest change authenticates every one before it. */
    if (!hy_log_may_write(log, c->actor))
        return HY_E_FORBIDDEN;
    uint32_t actor = hy_log_actor_find(log, c->actor);
    if (c->seq > 1 && (actor == HY_LOG_NONE ||
                       predecessor_in_deps(log, actor, c->seq, dep_index, c->dep_count) ==
                           HY_LOG_NONE))
        return HY_E_SEQ;
    if (log->changes.len >= HY_LOG_NONE - 1 || log->deps.len + c->dep_count >= UINT32_MAX ||
        c->ops_len > UINT32_MAX)
        return HY_E_LIMIT;
    /* An actor without changes is invisible (saves skip it), so entering it first is safe
     * even if a later step fails. */
    if (actor == HY_LOG_NONE)
        HY_TRY(log_add_actor(log, c->actor, &actor));
    HY_TRY(log_note_reach(log, actor, (uint32_t)c->seq, dep_index, c->dep_count));
    log_actor *act = log_actor_at(log, actor);
    bool equivocating = c->seq <= act->chain.len;

    /* Reserve everything first, so that nothing below can fail half-way. */
    if (hy_vec_reserve(&log->changes, a, log->changes.len + 1) ||
        hy_vec_reserve(&log->deps, a, log->deps.len + c->dep_count) ||
        hy_vec_reserve(&log->ops, a, log->ops.len + c->ops_len) ||
        hy_vec_reserve(&log->heads, a, log->heads.len + 1) ||
        (hash && hy_table_reserve(&log->by_hash, a, 1)) ||
        hy_vec_reserve(&act->chain, a, act->chain.len + 1) ||
        (equivocating && hy_vec_reserve(&log->equivocations, a, log->equivocations.len + 1)))
        return HY_E_NOMEM;

    uint32_t index = (uint32_t)log->changes.len;
    log_change rec;
    if (hash)
        memcpy(rec.hash, hash, HY_HASH_LEN);
    else if (log->unhashed_from == HY_LOG_NONE)
        log->unhashed_from = index;
    rec.start_op = c->start_op;
    rec.op_count = c->op_count;
    rec.time_ms = c->time_ms;
    rec.ops_at = log->ops.len;
    rec.ops_len = (uint32_t)c->ops_len;
    rec.actor = actor;
    rec.seq = (uint32_t)c->seq;
    rec.deps_at = (uint32_t)log->deps.len;
    rec.dep_count = (uint32_t)c->dep_count;
    hy_vec_push(&log->changes, a, &rec);
    if (c->dep_count)
        memcpy(hy_vec_at(&log->deps, log->deps.len), dep_index, c->dep_count * sizeof(uint32_t));
    log->deps.len += c->dep_count;
    if (c->ops_len)
        memcpy(hy_vec_at(&log->ops, log->ops.len), c->ops, c->ops_len);
    log->ops.len += c->ops_len;
    if (hash)
        hy_table_insert(&log->by_hash, a, index);
    if (equivocating) {
        hy_equivocation e = { actor, rec.seq, HY_VEC_AT(&act->chain, uint32_t, rec.seq - 1),
                              index };
        hy_vec_push(&log->equivocations, a, &e);
        act->equivocated = true;
    } else {
        hy_vec_push(&act->chain, a, &index);
    }
    update_heads(log, index, dep_index, c->dep_count);
    uint64_t last_op = c->start_op + c->op_count - 1;
    if (last_op > log->max_op)
        log->max_op = last_op;
    if (sig)
        HY_TRY(log_record_sig(log, index, sig));
    return log->cfg.on_apply ? log->cfg.on_apply(log->cfg.on_apply_user, log, index) : HY_OK;
}

/* Room for a batch or a load plus half as much again: an exact fit would make the next
 * single change (the first keystroke after loading a document, the first change after a
 * catch-up) double the vectors and copy everything, ~20 ms for a 100,000-record store.
 * Capacity never touched costs address space, not memory. */
static size_t with_headroom(size_t total) { return total + total / 2; }

hy_err log_reserve(hy_log *log, size_t changes, size_t deps, size_t ops)
{
    const hy_allocator *a = &log->cfg.alloc;
    HY_TRY(hy_vec_reserve(&log->changes, a, with_headroom(log->changes.len + changes)));
    HY_TRY(hy_vec_reserve(&log->deps, a, with_headroom(log->deps.len + deps)));
    HY_TRY(hy_vec_reserve(&log->ops, a, with_headroom(log->ops.len + ops)));
    return hy_table_reserve(&log->by_hash, a, changes);
}

/* ---- signatures ---- */

hy_err log_verify_sig(const uint8_t actor[HY_KEY_LEN], const uint8_t hash[HY_HASH_LEN],
                      const uint8_t sig[HY_SIG_LEN])
{
    uint8_t msg[HY_CHANGE_SIG_MSG_LEN];
    hy_change_sig_msg(msg, hash);
    return hy_ed25519_verify(sig, actor, msg, sizeof msg);
}

hy_err log_chain_path(const hy_log *log, uint32_t from, uint32_t to, hy_vec *path)
{
    const hy_allocator *a = &log->cfg.alloc;
    uint32_t target_seq = log_change_at(log, to)->seq;
    size_t base = path->len;
    /* Depth-first down the actor's changes, each visited once. Seq falls by one per step,
     * and only an equivocating actor ever offers more than one way down. */
    hy_table visited;
    hy_table_init(&visited, sizeof(uint32_t), log->cfg.hash_seed);
    hy_err err = hy_vec_push(path, a, &from);
    if (err == HY_OK)
        err = hy_table_put(&visited, a, &from, 0);
    bool found = false;
    while (err == HY_OK && !found && path->len > base) {
        uint32_t cur = HY_VEC_AT(path, uint32_t, path->len - 1);
        const log_change *c = log_change_at(log, cur);
        if (cur == to) {
            found = true;
            break;
        }
        uint32_t next = HY_LOG_NONE;
        const uint32_t *deps = log_deps_of(log, c);
        for (uint32_t i = 0; c->seq > target_seq && i < c->dep_count && next == HY_LOG_NONE; i++) {
            const log_change *d = log_change_at(log, deps[i]);
            if (d->actor == c->actor && d->seq + 1 == c->seq &&
                !hy_table_get(&visited, &deps[i], NULL))
                next = deps[i];
        }
        if (next == HY_LOG_NONE) {
            path->len--;
            continue;
        }
        err = hy_table_put(&visited, a, &next, 0);
        if (err == HY_OK)
            err = hy_vec_push(path, a, &next);
    }
    hy_table_free(&visited, a);
    if (err || !found) {
        path->len = base;
        return err ? err : HY_E_NOT_FOUND;
    }
    /* Reverse into upward order. */
    uint32_t *p = &HY_VEC_AT(path, uint32_t, base);
    for (size_t i = 0, j = path->len - base - 1; i < j; i++, j--) {
        uint32_t t = p[i];
        p[i] = p[j];
        p[j] = t;
    }
    return HY_OK;
}

hy_err log_record_sig(hy_log *log, uint32_t index, const uint8_t sig[HY_SIG_LEN])
{
    const hy_allocator *a = &log->cfg.alloc;
    const log_change *c = log_change_at(log, index);
    log_actor *act = log_actor_at(log, c->actor);
    if (act->signed_change == index)
        return HY_OK;
    if (act->signed_change == HY_LOG_NONE) {
        act->signed_change = index;
        memcpy(act->sig, sig, HY_SIG_LEN);
        return HY_OK;
    }
    bool newest = log_change_at(log, act->signed_change)->seq < c->seq;
    /* On one chain, a newer signature covers everything the older one did, so it replaces
     * it. An equivocating actor's other branches keep theirs, to prove the equivocation;
     * the highest seq is the actor's newest, whatever order signatures arrive in. */
    bool replaces = newest && !act->equivocated;
    if (newest && act->equivocated) {
        hy_vec path;
        hy_vec_init(&path, sizeof(uint32_t));
        hy_err err = log_chain_path(log, index, act->signed_change, &path);
        hy_vec_free(&path, a);
        if (err && err != HY_E_NOT_FOUND)
            return err;
        replaces = err == HY_OK;
    }
    if (!act->equivocated || replaces) {
        if (newest) {
            act->signed_change = index;
            memcpy(act->sig, sig, HY_SIG_LEN);
        }
        return HY_OK;
    }
    log_branch_sig b;
    if (newest) {
        b.change = act->signed_change;
        memcpy(b.sig, act->sig, HY_SIG_LEN);
        act->signed_change = index;
        memcpy(act->sig, sig, HY_SIG_LEN);
    } else {
        b.change = index;
        memcpy(b.sig, sig, HY_SIG_LEN);
    }
    /* A signature that arrives again (every batch repeats them) is kept once, so that two
     * logs holding the same changes save the same bytes. */
    for (size_t i = 0; i < log->branch_sigs.len; i++)
        if (HY_VEC_AT(&log->branch_sigs, log_branch_sig, i).change == b.change)
            return HY_OK;
    return hy_vec_push(&log->branch_sigs, a, &b);
}

/* ---- reading ---- */

const hy_allocator *hy_log_allocator(const hy_log *log)
{
    return &log->cfg.alloc;
}

uint32_t hy_log_count(const hy_log *log)
{
    return (uint32_t)log->changes.len;
}

void hy_log_get(const hy_log *log, uint32_t index, hy_log_entry *out)
{
    const log_change *c = log_change_at(log, index);
    out->hash = index < log->unhashed_from ? c->hash : NULL;
    out->actor = c->actor;
    out->seq = c->seq;
    out->start_op = c->start_op;
    out->op_count = c->op_count;
    out->time_ms = c->time_ms;
    out->ops = (const uint8_t *)log->ops.data + c->ops_at;
    out->ops_len = c->ops_len;
    out->dep_count = c->dep_count;
    out->deps = log_deps_of(log, c);
}

const uint8_t *hy_log_hash(hy_log *log, uint32_t index)
{
    log_flush_hashes(log);
    return log_change_at(log, index)->hash;
}

bool hy_log_requires_signatures(const hy_log *log)
{
    return log->cfg.require_signatures;
}

uint32_t hy_log_find(hy_log *log, const uint8_t hash[HY_HASH_LEN])
{
    log_flush_hashes(log);
    uint32_t index;
    return hy_table_find(&log->by_hash, hash, HY_HASH_LEN, &index) ? index : HY_LOG_NONE;
}

hy_err hy_log_encode(hy_log *log, uint32_t index, hy_writer *w)
{
    log_flush_hashes(log);
    const log_change *rec = log_change_at(log, index);
    const uint32_t *deps = log_deps_of(log, rec);
    /* The deps' hashes, side by side in the reused scratch buffer. */
    hy_writer *scratch = &log->scratch;
    scratch->len = 0;
    uint8_t *dep_hashes = hy_writer_reserve(scratch, (size_t)rec->dep_count * HY_HASH_LEN);
    if (dep_hashes == NULL && rec->dep_count) {
        scratch->err = HY_OK;
        return HY_E_NOMEM;
    }
    for (uint32_t i = 0; i < rec->dep_count; i++)
        memcpy(dep_hashes + (size_t)i * HY_HASH_LEN, log_change_at(log, deps[i])->hash,
               HY_HASH_LEN);
    hy_change c;
    log_change_view(log, rec, dep_hashes, &c);
    return hy_change_encode(w, &c);
}

void log_change_view(const hy_log *log, const log_change *rec, const uint8_t *dep_hashes,
                     hy_change *out)
{
    memcpy(out->actor, log_actor_at(log, rec->actor)->key, HY_KEY_LEN);
    out->seq = rec->seq;
    out->start_op = rec->start_op;
    out->time_ms = rec->time_ms;
    out->dep_count = rec->dep_count;
    out->deps = dep_hashes;
    out->op_count = rec->op_count;
    out->ops = (const uint8_t *)log->ops.data + rec->ops_at;
    out->ops_len = rec->ops_len;
}

uint32_t hy_log_actor_count(const hy_log *log)
{
    return (uint32_t)log->actors.len;
}

const uint8_t *hy_log_actor_key(const hy_log *log, uint32_t actor)
{
    return log_actor_at(log, actor)->key;
}

uint32_t hy_log_actor_find(const hy_log *log, const uint8_t key[HY_KEY_LEN])
{
    uint32_t index;
    return hy_table_get(&log->actor_by_key, key, &index) ? index : HY_LOG_NONE;
}

uint32_t hy_log_actor_seq(const hy_log *log, uint32_t actor)
{
    return (uint32_t)log_actor_at(log, actor)->chain.len;
}

uint32_t hy_log_actor_signature(const hy_log *log, uint32_t actor, uint8_t sig[HY_SIG_LEN])
{
    const log_actor *act = log_actor_at(log, actor);
    if (sig && act->signed_change != HY_LOG_NONE)
        memcpy(sig, act->sig, HY_SIG_LEN);
    return act->signed_change;
}

static hy_err push_sig(const hy_log *log, hy_vec *out, uint32_t change, const uint8_t *sig)
{
    hy_log_sig entry;
    memcpy(entry.hash, log_change_at(log, change)->hash, HY_HASH_LEN);
    memcpy(entry.sig, sig, HY_SIG_LEN);
    return hy_vec_push(out, &log->cfg.alloc, &entry);
}

hy_err hy_log_signatures(hy_log *log, hy_vec *out)
{
    log_flush_hashes(log);
    for (uint32_t i = 0; i < log->actors.len; i++) {
        const log_actor *act = log_actor_at(log, i);
        if (act->signed_change != HY_LOG_NONE)
            HY_TRY(push_sig(log, out, act->signed_change, act->sig));
    }
    for (size_t i = 0; i < log->branch_sigs.len; i++) {
        const log_branch_sig *b = &HY_VEC_AT(&log->branch_sigs, log_branch_sig, i);
        HY_TRY(push_sig(log, out, b->change, b->sig));
    }
    return HY_OK;
}

uint32_t hy_log_head_count(const hy_log *log)
{
    return (uint32_t)log->heads.len;
}

uint32_t hy_log_head(const hy_log *log, uint32_t i)
{
    return HY_VEC_AT(&log->heads, uint32_t, i);
}

size_t hy_log_equivocation_count(const hy_log *log)
{
    return log->equivocations.len;
}

void hy_log_equivocation(const hy_log *log, size_t i, hy_equivocation *out)
{
    *out = HY_VEC_AT(&log->equivocations, hy_equivocation, i);
}

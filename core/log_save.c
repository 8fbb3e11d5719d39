/* Saving the compact form of a whole log (docs/format.md, "Log file"): changes in a
 * canonical order, their fields in run-length encoded columns, deps as backward distances,
 * no hashes but the heads. */
#include "log_internal.h"

#include "alloc.h"
#include "column.h"
#include "try.h"

#include <stdlib.h>
#include <string.h>

/* ---- save ---- */

typedef struct sort_key {
    uint64_t start_op;
    uint32_t actor_rank;
    uint32_t index;
    const uint8_t *hash;
} sort_key;

/* Ascending start_op is a topological order (Lamport); actor and hash break ties so that
 * every replica picks the same order. */
static int compare_keys(const void *pa, const void *pb)
{
    const sort_key *a = pa, *b = pb;
    if (a->start_op != b->start_op)
        return a->start_op < b->start_op ? -1 : 1;
    if (a->actor_rank != b->actor_rank)
        return a->actor_rank < b->actor_rank ? -1 : 1;
    return memcmp(a->hash, b->hash, HY_HASH_LEN);
}

typedef struct actor_key {
    const uint8_t *key;
    uint32_t index;
} actor_key;

static int compare_actor_keys(const void *pa, const void *pb)
{
    return memcmp(((const actor_key *)pa)->key, ((const actor_key *)pb)->key, HY_KEY_LEN);
}

typedef struct saved_sig {
    uint32_t position;
    const uint8_t *sig;
} saved_sig;

static int compare_sigs(const void *pa, const void *pb)
{
    const saved_sig *a = pa, *b = pb;
    if (a->position != b->position)
        return a->position < b->position ? -1 : 1;
    return memcmp(a->sig, b->sig, HY_SIG_LEN);
}

/* Scratch arrays of a save, allocated together and freed together. */
typedef struct save_scratch {
    actor_key *actors;
    uint32_t *actor_rank;  /* by actor index */
    sort_key *order;
    uint32_t *position;    /* by change index */
    uint64_t *column;      /* one column's values at a time */
    uint64_t *deps;
    uint64_t *last_seq;    /* by actor rank */
    saved_sig *sigs;
} save_scratch;

static void write_columns(const hy_log *log, const save_scratch *s, hy_writer *w,
                          size_t dep_total)
{
    size_t n = log->changes.len;
    for (int col = 0; col < COL_COUNT; col++) {
        uint64_t prev = 0;
        memset(s->last_seq, 0, log->actors.len * sizeof *s->last_seq);
        for (size_t p = 0; p < n; p++) {
            const log_change *c = log_change_at(log, s->order[p].index);
            uint32_t rank = s->actor_rank[c->actor];
            uint64_t v = 0;
            switch (col) {
            case COL_ACTOR: v = rank; break;
            case COL_SEQ:
                v = hy_zigzag((int64_t)c->seq - (int64_t)s->last_seq[rank]);
                s->last_seq[rank] = c->seq;
                break;
            case COL_START_OP: v = c->start_op - prev; prev = c->start_op; break;
            case COL_TIME:
                v = hy_zigzag((int64_t)((uint64_t)c->time_ms - prev));
                prev = (uint64_t)c->time_ms;
                break;
            case COL_DEP_COUNT: v = c->dep_count; break;
            case COL_OP_COUNT: v = c->op_count; break;
            case COL_OPS_LEN: v = c->ops_len; break;
            }
            s->column[p] = v;
        }
        hy_col_write(w, s->column, n);
        if (col == COL_DEP_COUNT) {
            /* Most changes depend on the one just before them: distances of 1 in runs. */
            size_t k = 0;
            for (size_t p = 0; p < n; p++) {
                const log_change *c = log_change_at(log, s->order[p].index);
                const uint32_t *deps = log_deps_of(log, c);
                for (uint32_t i = 0; i < c->dep_count; i++)
                    s->deps[k++] = p - s->position[deps[i]];
            }
            hy_col_write(w, s->deps, dep_total);
        }
    }
}

/* The ops of every change in file order: their total length, then the bytes as they are or
 * as the owner's codec packs them (a count of bytes, then the packing). */
static hy_err write_ops(const hy_log *log, const save_scratch *s, hy_writer *w)
{
    size_t n = log->changes.len, ops_total = 0;
    for (size_t p = 0; p < n; p++)
        ops_total += log_change_at(log, s->order[p].index)->ops_len;
    const hy_ops_codec *codec = log->cfg.ops_codec;
    hy_write_varint(w, codec ? LOG_OPS_PACKED : LOG_OPS_PLAIN);
    hy_write_varint(w, ops_total);
    if (codec == NULL) {
        for (size_t p = 0; p < n; p++) {
            const log_change *c = log_change_at(log, s->order[p].index);
            hy_write_bytes(w, (const uint8_t *)log->ops.data + c->ops_at, c->ops_len);
        }
        return w->err;
    }
    const hy_allocator *a = &log->cfg.alloc;
    hy_ops_change *changes = hy_alloc(a, hy_size_mul(n + 1, sizeof *changes));
    if (changes == NULL)
        return HY_E_NOMEM;
    for (size_t p = 0; p < n; p++) {
        const log_change *c = log_change_at(log, s->order[p].index);
        changes[p] = (hy_ops_change){ log_actor_at(log, c->actor)->key, c->start_op,
                                      (const uint8_t *)log->ops.data + c->ops_at, c->ops_len };
    }
    hy_writer packed;
    hy_writer_init(&packed, *a);
    hy_err err = codec->pack(codec->user, a, changes, n, &packed);
    hy_free(a, changes, (n + 1) * sizeof *changes);
    if (err == HY_OK) {
        hy_write_varint(w, packed.len);
        hy_write_bytes(w, packed.data, packed.len);
        err = w->err;
    }
    hy_writer_free(&packed);
    return err;
}

hy_err hy_log_save(hy_log *log, hy_writer *w)
{
    log_flush_hashes(log);
    HY_TRY(hy_log_sign_local(log));
    const hy_allocator *a = &log->cfg.alloc;
    size_t n = log->changes.len, actors = log->actors.len, dep_total = log->deps.len;
    size_t sig_total = actors + log->branch_sigs.len;
    save_scratch s;
    s.actors = hy_alloc(a, hy_size_mul(actors + 1, sizeof *s.actors));
    s.actor_rank = hy_alloc(a, hy_size_mul(actors + 1, sizeof *s.actor_rank));
    s.last_seq = hy_alloc(a, hy_size_mul(actors + 1, sizeof *s.last_seq));
    s.order = hy_alloc(a, hy_size_mul(n + 1, sizeof *s.order));
    s.position = hy_alloc(a, hy_size_mul(n + 1, sizeof *s.position));
    s.column = hy_alloc(a, hy_size_mul(n + 1, sizeof *s.column));
    s.deps = hy_alloc(a, hy_size_mul(dep_total + 1, sizeof *s.deps));
    s.sigs = hy_alloc(a, hy_size_mul(sig_total + 1, sizeof *s.sigs));
    hy_err err = HY_OK;
    if (!s.actors || !s.actor_rank || !s.last_seq || !s.order || !s.position || !s.column ||
        !s.deps || !s.sigs) {
        err = HY_E_NOMEM;
        goto done;
    }
    /* Only actors with changes: the local actor is entered before its first commit, and an
     * actor without changes must not make two otherwise equal logs save differently. */
    size_t saved_actors = 0;
    for (uint32_t i = 0; i < actors; i++) {
        if (log_actor_at(log, i)->chain.len == 0)
            continue;
        s.actors[saved_actors].key = log_actor_at(log, i)->key;
        s.actors[saved_actors++].index = i;
    }
    qsort(s.actors, saved_actors, sizeof *s.actors, compare_actor_keys);
    for (uint32_t r = 0; r < saved_actors; r++)
        s.actor_rank[s.actors[r].index] = r;
    for (uint32_t i = 0; i < n; i++) {
        const log_change *c = log_change_at(log, i);
        s.order[i] = (sort_key){ c->start_op, s.actor_rank[c->actor], i, c->hash };
    }
    qsort(s.order, n, sizeof *s.order, compare_keys);
    for (uint32_t p = 0; p < n; p++)
        s.position[s.order[p].index] = p;

    hy_write_bytes(w, LOG_MAGIC, LOG_MAGIC_LEN);
    hy_write_varint(w, LOG_FORMAT_VERSION);
    hy_write_varint(w, saved_actors);
    for (uint32_t r = 0; r < saved_actors; r++)
        hy_write_bytes(w, s.actors[r].key, HY_KEY_LEN);
    hy_write_varint(w, n);
    write_columns(log, &s, w, dep_total);
    err = write_ops(log, &s, w);
    if (err)
        goto done;
    hy_write_varint(w, log->heads.len);
    for (size_t i = 0; i < log->heads.len; i++)
        hy_write_bytes(w, log_change_at(log, HY_VEC_AT(&log->heads, uint32_t, i))->hash,
                       HY_HASH_LEN);
    size_t sig_count = 0;
    for (uint32_t i = 0; i < actors; i++) {
        const log_actor *act = log_actor_at(log, i);
        if (act->signed_change != HY_LOG_NONE)
            s.sigs[sig_count++] = (saved_sig){ s.position[act->signed_change], act->sig };
    }
    for (size_t i = 0; i < log->branch_sigs.len; i++) {
        const log_branch_sig *b = &HY_VEC_AT(&log->branch_sigs, log_branch_sig, i);
        s.sigs[sig_count++] = (saved_sig){ s.position[b->change], b->sig };
    }
    qsort(s.sigs, sig_count, sizeof *s.sigs, compare_sigs);
    hy_write_varint(w, sig_count);
    for (size_t i = 0; i < sig_count; i++) {
        hy_write_varint(w, s.sigs[i].position);
        hy_write_bytes(w, s.sigs[i].sig, HY_SIG_LEN);
    }
    err = w->err;
done:
    hy_free(a, s.actors, (actors + 1) * sizeof *s.actors);
    hy_free(a, s.actor_rank, (actors + 1) * sizeof *s.actor_rank);
    hy_free(a, s.last_seq, (actors + 1) * sizeof *s.last_seq);
    hy_free(a, s.order, (n + 1) * sizeof *s.order);
    hy_free(a, s.position, (n + 1) * sizeof *s.position);
    hy_free(a, s.column, (n + 1) * sizeof *s.column);
    hy_free(a, s.deps, (dep_total + 1) * sizeof *s.deps);
    hy_free(a, s.sigs, (sig_total + 1) * sizeof *s.sigs);
    return err;
}

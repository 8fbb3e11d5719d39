/* The ancestry of a set of changes, as a version vector.
 *
 * The chain rule (a change names its actor's previous one) makes every ancestry closed
 * downwards along each actor's chain: whoever holds an actor's change at seq s holds its
 * changes 1..s. So an ancestry is a version vector, and computing it needs only the deps that
 * cross from one actor's chain to another's. Each actor keeps, per other actor, the points of
 * its chain where such a dep reached further than any before it; the closure then costs a
 * few binary searches per pair of actors, however long the history. An equivocating actor
 * has no single chain, so callers fall back to walking the DAG when there is one. */
#include "log_internal.h"

#include "alloc.h"
#include "try.h"

/* From the actor's change at seq on, its ancestry holds the other actor's chain up to
 * other_seq. */
typedef struct log_reach {
    uint32_t seq;
    uint32_t other_seq;
} log_reach;

static hy_vec *reach_list(const log_actor *act, uint32_t other)
{
    return other < act->reach.len ? &HY_VEC_AT(&act->reach, hy_vec, other) : NULL;
}

hy_err log_note_reach(hy_log *log, uint32_t actor, uint32_t seq, const uint32_t *dep_index,
                      size_t dep_count)
{
    const hy_allocator *a = &log->cfg.alloc;
    log_actor *act = log_actor_at(log, actor);
    for (size_t i = 0; i < dep_count; i++) {
        const log_change *d = log_change_at(log, dep_index[i]);
        if (d->actor == actor)
            continue;
        if (d->actor >= act->reach.len) {
            HY_TRY(hy_vec_reserve(&act->reach, a, log->actors.len));
            while (act->reach.len < log->actors.len)
                hy_vec_init(&HY_VEC_AT(&act->reach, hy_vec, act->reach.len++), sizeof(log_reach));
        }
        hy_vec *list = reach_list(act, d->actor);
        const log_reach *last = list->len ? &HY_VEC_AT(list, log_reach, list->len - 1) : NULL;
        if (last && last->other_seq >= d->seq)
            continue;
        /* A change applied again after a failed attempt finds its own entry: keep one. (An
         * earlier seq can only come from an equivocating actor, whose lists go unused.) */
        if (last && last->seq >= seq) {
            if (last->seq == seq)
                HY_VEC_AT(list, log_reach, list->len - 1).other_seq = d->seq;
            continue;
        }
        log_reach entry = { seq, d->seq };
        HY_TRY(hy_vec_push(list, a, &entry));
    }
    return HY_OK;
}

void log_free_reach(hy_log *log, log_actor *act)
{
    for (size_t i = 0; i < act->reach.len; i++)
        hy_vec_free(&HY_VEC_AT(&act->reach, hy_vec, i), &log->cfg.alloc);
    hy_vec_free(&act->reach, &log->cfg.alloc);
}

/* The furthest the actor's chain up to seq reaches into other's: the last entry at or below
 * seq (entries ascend in both members). */
static uint32_t reached(const log_actor *act, uint32_t other, uint32_t seq)
{
    const hy_vec *list = reach_list(act, other);
    if (list == NULL)
        return 0;
    size_t lo = 0, hi = list->len; /* the answer is the entry before lo */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (HY_VEC_AT(list, log_reach, mid).seq <= seq)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? HY_VEC_AT(list, log_reach, lo - 1).other_seq : 0;
}

hy_err log_ancestry_vv(const hy_log *log, const uint32_t *changes, size_t count, uint32_t *vv)
{
    const hy_allocator *a = &log->cfg.alloc;
    size_t actors = log->actors.len;
    for (size_t i = 0; i < actors; i++)
        vv[i] = 0;
    /* Actors whose entry rose and whose reach is not followed yet; each is listed once. */
    uint32_t *work = hy_alloc(a, (actors ? actors : 1) * sizeof *work);
    bool *listed = hy_alloc_zero(a, actors ? actors : 1, sizeof *listed);
    hy_err err = work && listed ? HY_OK : HY_E_NOMEM;
    size_t pending = 0;
    for (size_t i = 0; err == HY_OK && i < count; i++) {
        const log_change *c = log_change_at(log, changes[i]);
        if (c->seq > vv[c->actor]) {
            vv[c->actor] = c->seq;
            if (!listed[c->actor]) {
                listed[c->actor] = true;
                work[pending++] = c->actor;
            }
        }
    }
    while (err == HY_OK && pending > 0) {
        uint32_t actor = work[--pending];
        listed[actor] = false;
        const log_actor *act = log_actor_at(log, actor);
        for (uint32_t other = 0; other < act->reach.len; other++) {
            uint32_t seq = reached(act, other, vv[actor]);
            if (seq > vv[other]) {
                vv[other] = seq;
                if (!listed[other]) {
                    listed[other] = true;
                    work[pending++] = other;
                }
            }
        }
    }
    hy_free(a, work, (actors ? actors : 1) * sizeof *work);
    hy_free(a, listed, (actors ? actors : 1) * sizeof *listed);
    return err;
}

/* The highest op counter of each actor among the changes walked from the deps. */
static hy_err horizon_by_walk(const hy_log *log, const log_change *c, uint64_t *horizon)
{
    const hy_allocator *a = &log->cfg.alloc;
    size_t n = log->changes.len;
    uint8_t *seen = hy_alloc_zero(a, n ? n : 1, 1);
    uint32_t *stack = hy_alloc(a, (n ? n : 1) * sizeof *stack);
    hy_err err = seen && stack ? HY_OK : HY_E_NOMEM;
    size_t top = 0;
    const uint32_t *deps = log_deps_of(log, c);
    for (uint32_t i = 0; err == HY_OK && i < c->dep_count; i++)
        if (!seen[deps[i]])
            seen[stack[top++] = deps[i]] = 1;
    while (err == HY_OK && top > 0) {
        const log_change *d = log_change_at(log, stack[--top]);
        uint64_t last = d->start_op + d->op_count - 1;
        if (last > horizon[d->actor])
            horizon[d->actor] = last;
        const uint32_t *up = log_deps_of(log, d);
        for (uint32_t i = 0; i < d->dep_count; i++)
            if (!seen[up[i]])
                seen[stack[top++] = up[i]] = 1;
    }
    hy_free(a, seen, n ? n : 1);
    hy_free(a, stack, (n ? n : 1) * sizeof *stack);
    return err;
}

hy_err hy_log_horizon(const hy_log *log, uint32_t index, uint64_t *horizon)
{
    const hy_allocator *a = &log->cfg.alloc;
    const log_change *c = log_change_at(log, index);
    size_t actors = log->actors.len;
    for (size_t i = 0; i < actors; i++)
        horizon[i] = 0;
    if (log->equivocations.len)
        return horizon_by_walk(log, c, horizon);
    uint32_t *vv = hy_alloc(a, (actors ? actors : 1) * sizeof *vv);
    if (vv == NULL)
        return HY_E_NOMEM;
    hy_err err = log_ancestry_vv(log, log_deps_of(log, c), c->dep_count, vv);
    for (uint32_t actor = 0; err == HY_OK && actor < actors; actor++) {
        if (vv[actor] == 0)
            continue;
        const hy_vec *chain = &log_actor_at(log, actor)->chain;
        const log_change *d = log_change_at(log, HY_VEC_AT(chain, uint32_t, vv[actor] - 1));
        horizon[actor] = d->start_op + d->op_count - 1;
    }
    hy_free(a, vv, (actors ? actors : 1) * sizeof *vv);
    return err;
}

/* What a peer lacks, from its version vector or from its heads. */
#include "log_internal.h"

#include "alloc.h"
#include "try.h"

#include <stdlib.h>
#include <string.h>

static int compare_index(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Appends the changes beyond known (one seq per actor) in applied order. With no
 * equivocation these are the tails of the actors' chains: the cost follows what is missing,
 * not the length of the history. */
static hy_err append_beyond(const hy_log *log, const uint32_t *known, hy_vec *out)
{
    const hy_allocator *a = &log->cfg.alloc;
    size_t from = out->len;
    if (log->equivocations.len) {
        for (uint32_t i = 0; i < log->changes.len; i++) {
            const log_change *c = log_change_at(log, i);
            if (c->seq > known[c->actor])
                HY_TRY(hy_vec_push(out, a, &i));
        }
        return HY_OK;
    }
    for (uint32_t actor = 0; actor < log->actors.len; actor++) {
        const hy_vec *chain = &log_actor_at(log, actor)->chain;
        for (size_t seq = known[actor]; seq < chain->len; seq++)
            HY_TRY(hy_vec_push(out, a, &HY_VEC_AT(chain, uint32_t, seq)));
    }
    if (out->len > from)
        qsort(hy_vec_at(out, from), out->len - from, sizeof(uint32_t), compare_index);
    return HY_OK;
}

hy_err hy_log_missing_by_vv(const hy_log *log, const hy_vv_entry *vv, size_t count,
                            hy_vec *out)
{
    const hy_allocator *a = &log->cfg.alloc;
    /* The peer's seq per actor of ours; actors it does not list are at 0. */
    size_t actors = log->actors.len;
    uint32_t *known = hy_alloc_zero(a, actors ? actors : 1, sizeof *known);
    if (known == NULL)
        return HY_E_NOMEM;
    for (size_t i = 0; i < count; i++) {
        uint32_t actor = hy_log_actor_find(log, vv[i].actor);
        if (actor != HY_LOG_NONE)
            known[actor] = vv[i].seq > HY_SEQ_MAX ? HY_SEQ_MAX : (uint32_t)vv[i].seq;
    }
    hy_err err = append_beyond(log, known, out);
    hy_free(a, known, (actors ? actors : 1) * sizeof *known);
    return err;
}

/* Without equivocations: the peer holds the ancestry of its heads, a version vector. */
static hy_err missing_by_ancestry(hy_log *log, const uint8_t *heads, size_t count, hy_vec *out)
{
    const hy_allocator *a = &log->cfg.alloc;
    size_t actors = log->actors.len;
    uint32_t *vv = hy_alloc(a, (actors ? actors : 1) * sizeof *vv);
    uint32_t *known = hy_alloc(a, (count ? count : 1) * sizeof *known);
    hy_err err = vv && known ? HY_OK : HY_E_NOMEM;
    size_t found = 0;
    for (size_t i = 0; err == HY_OK && i < count; i++) {
        uint32_t h = hy_log_find(log, heads + i * HY_HASH_LEN);
        if (h != HY_LOG_NONE)
            known[found++] = h;
    }
    if (err == HY_OK)
        err = log_ancestry_vv(log, known, found, vv);
    if (err == HY_OK)
        err = append_beyond(log, vv, out);
    hy_free(a, vv, (actors ? actors : 1) * sizeof *vv);
    hy_free(a, known, (count ? count : 1) * sizeof *known);
    return err;
}

hy_err hy_log_missing_by_heads(hy_log *log, const uint8_t *heads, size_t count,
                               hy_vec *out)
{
    if (log->equivocations.len == 0)
        return missing_by_ancestry(log, heads, count, out);
    /* An equivocating actor has two chains: walk the DAG. */
    const hy_allocator *a = &log->cfg.alloc;
    size_t n = log->changes.len;
    uint8_t *has = hy_alloc_zero(a, n ? n : 1, 1); /* 1: the peer holds it */
    hy_vec stack;
    hy_vec_init(&stack, sizeof(uint32_t));
    hy_err err = has ? HY_OK : HY_E_NOMEM;
    for (size_t i = 0; err == HY_OK && i < count; i++) {
        uint32_t h = hy_log_find(log, heads + i * HY_HASH_LEN);
        if (h != HY_LOG_NONE && !has[h]) {
            has[h] = 1;
            err = hy_vec_push(&stack, a, &h);
        }
    }
    /* Everything under the peer's heads is held by the peer. */
    while (err == HY_OK && stack.len > 0) {
        uint32_t cur = HY_VEC_AT(&stack, uint32_t, --stack.len);
        const log_change *c = log_change_at(log, cur);
        const uint32_t *deps = log_deps_of(log, c);
        for (uint32_t i = 0; err == HY_OK && i < c->dep_count; i++) {
            if (!has[deps[i]]) {
                has[deps[i]] = 1;
                err = hy_vec_push(&stack, a, &deps[i]);
            }
        }
    }
    for (uint32_t i = 0; err == HY_OK && i < n; i++)
        if (!has[i])
            err = hy_vec_push(out, a, &i);
    hy_vec_free(&stack, a);
    hy_free(a, has, n ? n : 1);
    return err;
}

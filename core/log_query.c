/* What a peer lacks, from its version vector or from its heads. */
#include "log_internal.h"

#include "alloc.h"
#include "try.h"

#include <string.h>

hy_err hy_log_missing_by_vv(const hy_log *log, const hy_vv_entry *vv, size_t count,
                            hy_vec *out)
{
    const hy_allocator *a = &log->cfg.alloc;
    /* The peer's seq per actor of ours; actors it does not list are at 0. */
    size_t actors = log->actors.len;
    uint64_t *known = hy_alloc_zero(a, actors ? actors : 1, sizeof *known);
    if (known == NULL)
        return HY_E_NOMEM;
    for (size_t i = 0; i < count; i++) {
        uint32_t actor = hy_log_actor_find(log, vv[i].actor);
        if (actor != HY_LOG_NONE)
            known[actor] = vv[i].seq;
    }
    hy_err err = HY_OK;
    for (uint32_t i = 0; err == HY_OK && i < log->changes.len; i++) {
        const log_change *c = log_change_at(log, i);
        if (c->seq > known[c->actor])
            err = hy_vec_push(out, a, &i);
    }
    hy_free(a, known, (actors ? actors : 1) * sizeof *known);
    return err;
}

hy_err hy_log_missing_by_heads(const hy_log *log, const uint8_t *heads, size_t count,
                               hy_vec *out)
{
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

/* A store's owner (store_owner.h): the module that reads its changes' ops itself. */
#include "store_owner.h"

#include "store_internal.h"
#include "try.h"

hy_err hy_store_set_owner(hy_store *s, hy_store_owner_fn fn, void *user)
{
    if (s == NULL)
        return HY_E_INVALID_ARG;
    if (fn == NULL) { /* always possible: the owner may be going away */
        s->owner_fn = NULL;
        s->owner_user = NULL;
        return HY_OK;
    }
    if (s->in_txn || s->owner_fn != NULL)
        return HY_E_INVALID_ARG;
    uint32_t count = hy_log_count(s->log);
    for (uint32_t i = 0; i < count; i++)
        HY_TRY(fn(user, s->log, i));
    s->owner_fn = fn;
    s->owner_user = user;
    return HY_OK;
}

hy_err hy_store_commit_owned(hy_store *s, const uint8_t *ops, size_t len, uint32_t *index)
{
    if (s == NULL || s->in_txn || ops == NULL || len == 0)
        return HY_E_INVALID_ARG;
    int64_t now = s->platform.now_ms ? s->platform.now_ms(s->platform.user) : 0;
    HY_TRY(hy_log_commit(s->log, now, 1, ops, len, index));
    return hy_log_sign_local(s->log);
}

uint64_t hy_store_hash_seed(const hy_store *s)
{
    return s->hash_seed ^ 0x243f6a8885a308d3u;
}

bool hy_store_requires_signatures(const hy_store *s)
{
    return hy_log_requires_signatures(s->log);
}

/* Changes between replicas, and the store as bytes. */
#include "store_internal.h"
#include "store_log.h"

#include "alloc.h"
#include "try.h"

#include <string.h>

hy_log *hy_store_log(hy_store *s) { return s->log; }

hy_err hy_store_changes(hy_store *s, const uint8_t *heads, size_t count, uint8_t **out,
                        size_t *out_len)
{
    if (out == NULL || out_len == NULL || (count && heads == NULL))
        return HY_E_INVALID_ARG;
    hy_vec missing;
    hy_vec_init(&missing, sizeof(uint32_t));
    hy_writer w;
    hy_writer_init(&w, s->alloc);
    hy_err err = hy_log_missing_by_heads(s->log, heads, count, &missing);
    if (err == HY_OK)
        err = hy_log_write_batch(s->log, missing.data, missing.len, &w);
    hy_vec_free(&missing, &s->alloc);
    if (err) {
        hy_writer_free(&w);
        return err;
    }
    return hy_writer_take(&w, out, out_len);
}

hy_err hy_store_heads(hy_store *s, uint8_t *out, size_t cap, size_t *count)
{
    if (count == NULL || (cap && out == NULL))
        return HY_E_INVALID_ARG;
    uint32_t n = hy_log_head_count(s->log);
    *count = n;
    if (n > cap)
        return HY_E_TOO_LARGE;
    for (uint32_t i = 0; i < n; i++)
        memcpy(out + (size_t)i * HY_HASH_LEN, hy_log_hash(s->log, hy_log_head(s->log, i)),
               HY_HASH_LEN);
    return HY_OK;
}

hy_err hy_store_merge(hy_store *s, const uint8_t *batch, size_t len)
{
    if (s->in_txn || (len && batch == NULL))
        return HY_E_INVALID_ARG; /* a transaction's op ids assume nothing arrives meanwhile */
    hy_err err = hy_log_read_batch(s->log, batch, len, NULL);
    store_deliver(s);
    return err;
}

hy_err hy_store_save(hy_store *s, uint8_t **out, size_t *out_len)
{
    if (out == NULL || out_len == NULL)
        return HY_E_INVALID_ARG;
    hy_writer w;
    hy_writer_init(&w, s->alloc);
    hy_err err = hy_log_save(s->log, &w);
    if (err == HY_OK)
        s->saved_count = hy_log_count(s->log);
    if (err) {
        hy_writer_free(&w);
        return err;
    }
    return hy_writer_take(&w, out, out_len);
}

hy_err hy_store_save_incremental(hy_store *s, uint8_t **out, size_t *out_len)
{
    if (out == NULL || out_len == NULL)
        return HY_E_INVALID_ARG;
    uint32_t count = hy_log_count(s->log);
    hy_vec since;
    hy_vec_init(&since, sizeof(uint32_t));
    hy_err err = hy_vec_reserve(&since, &s->alloc, count - s->saved_count);
    for (uint32_t i = s->saved_count; err == HY_OK && i < count; i++)
        err = hy_vec_push(&since, &s->alloc, &i);
    hy_writer w;
    hy_writer_init(&w, s->alloc);
    if (err == HY_OK)
        err = hy_log_write_batch(s->log, since.data, since.len, &w);
    hy_vec_free(&since, &s->alloc);
    if (err) {
        hy_writer_free(&w);
        return err;
    }
    s->saved_count = count;
    return hy_writer_take(&w, out, out_len);
}

void hy_store_buffer_free(hy_store *s, uint8_t *data, size_t len)
{
    hy_free(&s->alloc, data, len);
}

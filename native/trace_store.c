/* What the trace replays share: edits of the one text field, reading it back, saving and
 * loading, and moving changes between replicas through the public API only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alloc.h"
#include "cli.h"
#include "trace_replay.h"
#include "utf8.h"

static const char *const C = "doc", *const K = "trace", *const F = "text";

void trace_utf8_free(trace_utf8 *buf)
{
    free(buf->data);
    buf->data = NULL;
    buf->cap = 0;
}

/* The UTF-8 of n code points, in buf; its length, or SIZE_MAX when out of memory. */
static size_t to_utf8(trace_utf8 *buf, const uint32_t *cps, size_t n)
{
    size_t need = hy_size_mul(n, 4);
    if (need == SIZE_MAX)
        return SIZE_MAX;
    if (buf->cap < need) {
        size_t cap = need + 64;
        char *grown = realloc(buf->data, cap);
        if (grown == NULL)
            return SIZE_MAX;
        buf->data = grown;
        buf->cap = cap;
    }
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        len += hy_utf8_encode(cps[i], (uint8_t *)buf->data + len);
    return len;
}

double trace_now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

hy_err trace_insert(hy_store *store, size_t pos, const uint32_t *cps, size_t n,
                    trace_utf8 *buf)
{
    size_t len = to_utf8(buf, cps, n);
    return len == SIZE_MAX ? HY_E_NOMEM : hy_text_insert(store, C, K, F, pos, buf->data, len);
}

/* A txn of one patch needs no explicit transaction: each edit commits on its own. */
hy_err trace_apply_txn(hy_store *store, const hy_trace *trace, size_t index, trace_utf8 *buf)
{
    const hy_trace_txn *txn = &trace->txns[index];
    bool several = txn->patch_count > 1;
    hy_err err = several ? hy_txn_begin(store) : HY_OK;
    for (uint32_t p = 0; err == HY_OK && p < txn->patch_count; p++) {
        const hy_trace_patch *patch = &trace->patches[txn->first_patch + p];
        if (patch->del_count)
            err = hy_text_delete(store, C, K, F, patch->pos, patch->del_count);
        if (err == HY_OK && patch->ins_len)
            err = trace_insert(store, patch->pos, trace->text + patch->ins_start,
                               patch->ins_len, buf);
    }
    if (several) {
        if (err)
            hy_txn_rollback(store);
        else
            err = hy_txn_commit(store);
    }
    return err;
}

bool trace_text_is_end(hy_store *store, const hy_trace *trace, trace_utf8 *buf,
                       size_t *final_len)
{
    size_t want_len = to_utf8(buf, trace->end_content, trace->end_len), len = 0;
    if (want_len == SIZE_MAX || hy_text_len(store, C, K, F, final_len) != HY_OK)
        return false;
    char *got = malloc(want_len + 1);
    hy_err err = got ? hy_text_read(store, C, K, F, got, want_len + 1, &len) : HY_E_NOMEM;
    bool same = err == HY_OK && len == want_len && memcmp(got, buf->data, len) == 0;
    free(got);
    return same;
}

hy_err trace_save_load(hy_store *store, const hy_store_config *config, const hy_trace *trace,
                       bool load, trace_figures *figures, trace_utf8 *buf)
{
    uint8_t *saved = NULL;
    size_t saved_len = 0;
    double start = trace_now_ms();
    hy_err err = hy_store_save(store, &saved, &saved_len);
    figures->save_ms = trace_now_ms() - start;
    if (err)
        return err;
    figures->save_bytes = saved_len;
    if (load) {
        hy_store *loaded = NULL;
        start = trace_now_ms();
        err = hy_store_load(config, saved, saved_len, &loaded, NULL);
        figures->load_ms = trace_now_ms() - start;
        size_t len;
        figures->ok = figures->ok && err == HY_OK && trace_text_is_end(loaded, trace, buf, &len);
        hy_store_free(loaded);
    }
    hy_store_buffer_free(store, saved, saved_len);
    return err;
}

void trace_report(hy_err err, size_t txn)
{
    if (txn == SIZE_MAX)
        cli_error("trace: %s", hy_err_str(err));
    else
        cli_error("trace: txn %zu: %s", txn, hy_err_str(err));
}

hy_err trace_read_heads(hy_store *store, trace_heads *heads)
{
    hy_err err = hy_store_heads(store, heads->hashes, heads->cap, &heads->count);
    if (err != HY_E_TOO_LARGE)
        return err;
    uint8_t *grown = realloc(heads->hashes, hy_size_mul(heads->count, HY_HASH_LEN));
    if (grown == NULL)
        return HY_E_NOMEM;
    heads->hashes = grown;
    heads->cap = heads->count;
    return hy_store_heads(store, heads->hashes, heads->cap, &heads->count);
}

void trace_heads_free(trace_heads *heads)
{
    free(heads->hashes);
    *heads = (trace_heads){ NULL, 0, 0 };
}

hy_err trace_sync(hy_store *into, hy_store *from, trace_heads *scratch,
                  trace_figures *figures)
{
    uint8_t *batch = NULL;
    size_t len = 0;
    hy_err err = trace_read_heads(into, scratch);
    if (err == HY_OK)
        err = hy_store_changes(from, scratch->hashes, scratch->count, &batch, &len);
    if (err)
        return err;
    double start = trace_now_ms();
    err = hy_store_merge(into, batch, len);
    if (figures)
        figures->merge_ms += trace_now_ms() - start;
    hy_store_buffer_free(from, batch, len);
    return err;
}

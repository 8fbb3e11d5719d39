/* `hypha trace --mode local|remote`: a sequential trace typed into one replica, one change
 * per txn; remote also sends every change to a fresh replica and loads the snapshot. */
#include <stdint.h>

#include "trace_replay.h"

hy_err trace_replay_sequential(const hy_trace *trace, const hy_store_config *config,
                               bool remote, trace_figures *figures)
{
    trace_utf8 buf = { NULL, 0 };
    trace_heads heads = { NULL, 0, 0 };
    hy_store *typist = NULL, *fresh = NULL;
    size_t failed_txn = SIZE_MAX;
    hy_err err = hy_store_new(config, &typist);
    if (err == HY_OK && trace->start_len)
        err = trace_insert(typist, 0, trace->start_content, trace->start_len, &buf);
    double start = trace_now_ms();
    for (size_t i = 0; err == HY_OK && i < trace->txn_count; i++) {
        err = trace_apply_txn(typist, trace, i, &buf);
        if (err)
            failed_txn = i;
    }
    figures->apply_ms = trace_now_ms() - start;
    if (err == HY_OK)
        figures->ok = trace_text_is_end(typist, trace, &buf, &figures->final_len);
    if (err == HY_OK && remote) {
        err = hy_store_new(config, &fresh);
        if (err == HY_OK)
            err = trace_sync(fresh, typist, &heads, figures);
        size_t len;
        figures->ok = figures->ok && err == HY_OK && trace_text_is_end(fresh, trace, &buf, &len);
    }
    if (err == HY_OK)
        err = trace_save_load(typist, config, trace, remote, figures, &buf);
    if (err) {
        figures->ok = false;
        trace_report(err, failed_txn);
    }
    hy_store_free(typist);
    hy_store_free(fresh);
    trace_heads_free(&heads);
    trace_utf8_free(&buf);
    return err;
}

/* Replaying a loaded editing trace through the record store, for `hypha trace`: the
 * sequential modes (trace_sequential.c), the concurrent one (trace_concurrent.c) and what
 * they share (trace_store.c). The whole document is one text field; every txn of the trace
 * becomes one change (none when it edits nothing).
 *
 * A replay prints its own error line ("hypha: trace: ...") when it fails, and fills as much
 * of the figures as it got to, so that the command can print them either way. */
#ifndef HY_TRACE_REPLAY_H
#define HY_TRACE_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hypha.h"
#include "trace_file.h"

/* What `hypha trace` prints besides the trace's own counts; budgets/README.md says what each
 * means in each mode. */
typedef struct trace_figures {
    double apply_ms;
    double save_ms;
    size_t save_bytes;
    double load_ms;
    double merge_ms;
    size_t final_len;
    bool ok; /* every replica checked reads endContent */
} trace_figures;

/* Replays a sequential trace as local edits of one replica, saves it, and with remote also
 * merges every change into a fresh replica and loads the snapshot. Every store is made from
 * config. */
hy_err trace_replay_sequential(const hy_trace *trace, const hy_store_config *config,
                               bool remote, trace_figures *figures);

/* Replays a concurrent trace with one replica per agent (configs copied from config, each
 * with its own actor seed), merges them all into a fresh replica, saves it and loads the
 * snapshot. */
hy_err trace_replay_concurrent(const hy_trace *trace, const hy_store_config *config,
                               trace_figures *figures);

/* ---- shared by the replays ------------------------------------------------------------- */

/* A buffer for UTF-8, grown as needed: inserts and reads go through it. */
typedef struct trace_utf8 {
    char *data;
    size_t cap;
} trace_utf8;

void trace_utf8_free(trace_utf8 *buf);

/* Milliseconds on a monotonic clock. */
double trace_now_ms(void);

/* Inserts n code points at pos of the store's text field. */
hy_err trace_insert(hy_store *store, size_t pos, const uint32_t *cps, size_t n,
                    trace_utf8 *buf);

/* Applies the patches of txns[index] to the store's text field as one transaction. */
hy_err trace_apply_txn(hy_store *store, const hy_trace *trace, size_t index, trace_utf8 *buf);

/* Whether the store's text equals endContent; *final_len gets its length in code points. */
bool trace_text_is_end(hy_store *store, const hy_trace *trace, trace_utf8 *buf,
                       size_t *final_len);

/* Saves the store (save_ms, save_bytes); then, with load, loads the snapshot (load_ms) and
 * clears figures->ok unless the loaded store reads endContent. */
hy_err trace_save_load(hy_store *store, const hy_store_config *config, const hy_trace *trace,
                       bool load, trace_figures *figures, trace_utf8 *buf);

/* Reports a failed replay in one line: "hypha: trace: [txn N: ]<err>" (txn SIZE_MAX: none). */
void trace_report(hy_err err, size_t txn);

/* A store's heads, in a buffer grown as needed. */
typedef struct trace_heads {
    uint8_t *hashes; /* count hashes of HY_HASH_LEN bytes */
    size_t count;
    size_t cap; /* in hashes */
} trace_heads;

hy_err trace_read_heads(hy_store *store, trace_heads *heads);
void trace_heads_free(trace_heads *heads);

/* Brings into up to date with from: merges a batch of every change of from that into lacks
 * (found through into's heads, read into scratch). With figures, the merge's time is added to
 * figures->merge_ms. */
hy_err trace_sync(hy_store *into, hy_store *from, trace_heads *scratch,
                  trace_figures *figures);

#endif

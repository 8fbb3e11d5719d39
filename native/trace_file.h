/* Editing traces (../shared/traces/README.md; copies in tests/data/traces/), loaded into
 * memory for `hypha trace`, the benchmarks and the tests.
 *
 * A trace is stored in a few flat arrays rather than one allocation per item, because the
 * largest one (automerge-paper) has 259,778 txns. Every string of the file is a span of one
 * array of Unicode code points, since the traces count positions in code points.
 *
 * A loaded trace is structurally sound, so that replayers may index with its numbers
 * unchecked: every txn's patches and parents lie within their arrays; in a concurrent trace
 * every parent names an earlier txn, at most once per txn; every agent is below agent_count;
 * every child_count equals the number of txns naming that txn as a parent. What loading
 * cannot check is whether each patch fits the document it applies to: that takes a replay
 * (hy_trace_replay for sequential traces, a CRDT for concurrent ones). */
#ifndef HY_TRACE_FILE_H
#define HY_TRACE_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hypha.h"

/* Larger inputs are refused (16 times automerge-paper's 16 MB of JSON). This keeps every count
 * and offset within uint32_t, since each item takes at least a byte of JSON, and bounds what a
 * gzip bomb can make us allocate: at most 4 bytes per byte of JSON (a code point). */
#define HY_TRACE_MAX_JSON_BYTES (UINT64_C(256) << 20)
/* Replayers hold one replica per agent. */
#define HY_TRACE_MAX_AGENTS 65536

typedef enum hy_trace_kind {
    HY_TRACE_SEQUENTIAL, /* one user; the txns apply in order */
    HY_TRACE_CONCURRENT, /* several agents; each txn applies to the version its parents name */
} hy_trace_kind;

/* At pos, delete del_count code points, then insert text[ins_start .. ins_start + ins_len). */
typedef struct hy_trace_patch {
    uint32_t pos;
    uint32_t del_count;
    uint32_t ins_start;
    uint32_t ins_len;
} hy_trace_patch;

typedef struct hy_trace_txn {
    uint32_t first_patch; /* its patches are patches[first_patch .. + patch_count) */
    uint32_t patch_count;
    /* Concurrent traces only; zero in sequential ones. */
    uint32_t first_parent; /* its parents are parents[first_parent .. + parent_count) */
    uint32_t parent_count;
    uint32_t agent;
    uint32_t child_count; /* numChildren */
} hy_trace_txn;

typedef struct hy_trace {
    hy_trace_kind kind;
    uint32_t agent_count; /* numAgents; 1 for a sequential trace */
    hy_trace_txn *txns;
    size_t txn_count;
    hy_trace_patch *patches; /* of all txns, in order */
    size_t patch_count;
    uint32_t *parents; /* txn indexes, of all txns, in order */
    size_t parent_count;
    uint32_t *text; /* every code point of the trace's strings */
    size_t text_len;
    uint32_t *start_content; /* within text; empty for a concurrent trace */
    size_t start_len;
    uint32_t *end_content; /* within text */
    size_t end_len;
    /* Counted as the traces README counts them: a patch that inserts text is an insert, one
     * that deletes is a delete (a patch doing both is both). */
    size_t insert_patches;
    size_t delete_patches;
    uint64_t inserted_chars;
    uint64_t deleted_chars;
    hy_allocator alloc; /* holds every array above */
} hy_trace;

/* Loads the trace in the file at path, plain JSON or gzip-compressed: the content decides,
 * by the gzip magic bytes, whatever the name. On HY_OK, *out holds the trace (release it
 * with hy_trace_free). Otherwise err holds one line naming the file and, for malformed
 * content, the byte offset in the JSON and the place in the trace ("txns[12].patches[0][1]"),
 * and the result says what kind of failure it was: HY_E_IO (unreadable, or corrupt gzip),
 * HY_E_TRUNCATED (the file ends early), HY_E_FORMAT (not a trace), HY_E_TOO_LARGE,
 * HY_E_NOMEM. Every allocation goes through alloc. */
hy_err hy_trace_load(const char *path, hy_allocator alloc, hy_trace **out, char *err,
                     size_t err_len);

/* Like hy_trace_load, from len bytes of JSON in memory (messages start with "trace"). */
hy_err hy_trace_parse(const uint8_t *json, size_t len, hy_allocator alloc, hy_trace **out,
                      char *err, size_t err_len);

/* Accepts NULL. */
void hy_trace_free(hy_trace *trace);

/* The reference replay of a sequential trace: applies every patch in order to a gap buffer
 * holding startContent, and compares the result with endContent. Sets *final_len to the
 * length of the result whenever every patch applied. HY_OK when the result equals endContent;
 * otherwise err says why: HY_E_FORMAT for a patch beyond the end of the document or a result
 * that differs (from which code point), HY_E_INVALID_ARG for a concurrent trace (it takes a
 * CRDT), HY_E_NOMEM. */
hy_err hy_trace_replay(const hy_trace *trace, size_t *final_len, char *err, size_t err_len);

#endif

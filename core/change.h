/* A change: one committed transaction of one actor, the unit of the change log.
 *
 * Its canonical encoding (docs/format.md, "Change") is what its hash, and so its identity,
 * covers. Decoding is zero-copy: the decoded view points into the input. */
#ifndef HY_CHANGE_H
#define HY_CHANGE_H

#include "bytes.h"

#define HY_CHANGE_FORMAT 1
/* Counters stay below 2^53 so that JavaScript numbers hold them exactly. */
#define HY_COUNTER_MAX (((uint64_t)1 << 53) - 1)
/* Bounds that keep a hostile change from making the engine allocate without limit. */
#define HY_CHANGE_MAX_DEPS 1024
#define HY_SEQ_MAX UINT32_MAX

typedef struct hy_change {
    uint8_t actor[HY_KEY_LEN];  /* Ed25519 public key of the author */
    uint64_t seq;               /* 1, 2, 3... per actor */
    uint64_t start_op;          /* Lamport counter of the first op */
    int64_t time_ms;            /* wall clock at commit, informational only */
    size_t dep_count;
    const uint8_t *deps;        /* dep_count hashes of HY_HASH_LEN bytes, strictly ascending */
    uint64_t op_count;
    const uint8_t *ops;         /* the ops, opaque to the log */
    size_t ops_len;
} hy_change;

/* Appends the canonical encoding of c. HY_E_INVALID_ARG when c breaks a rule that decoding
 * enforces (seq 0, unsorted deps...), so nothing unreadable is ever written. */
hy_err hy_change_encode(hy_writer *w, const hy_change *c);

/* Decodes exactly len bytes. On error, *err_offset (may be NULL) is the byte offset at which
 * the input went bad. */
hy_err hy_change_decode(hy_change *c, const uint8_t *buf, size_t len, size_t *err_offset);

/* Decodes one change from r and leaves r after it. */
hy_err hy_change_read(hy_change *c, hy_reader *r);

/* The rules a change obeys whatever its origin (shared by encode and decode). */
hy_err hy_change_check(const hy_change *c);

void hy_change_hash(const uint8_t *encoded, size_t len, uint8_t out[HY_HASH_LEN]);

/* The message an actor signs to authenticate the chain ending in the change with this hash. */
#define HY_CHANGE_SIG_CONTEXT "hypha change v1"
#define HY_CHANGE_SIG_MSG_LEN (sizeof(HY_CHANGE_SIG_CONTEXT) - 1 + HY_HASH_LEN)
void hy_change_sig_msg(uint8_t msg[HY_CHANGE_SIG_MSG_LEN], const uint8_t hash[HY_HASH_LEN]);

#endif

/* The sequence CRDT behind text and list fields.
 *
 * Elements are 32-bit payloads (a code point for text, a value slot for lists). Every element
 * has an id (actor index, Lamport counter); concurrent inserts are ordered by FugueMax (see
 * docs/decisions.md, "Sequence CRDT"), so they never interleave, forwards or backwards.
 * Elements inserted as one run by one actor with consecutive counters are stored as one span,
 * deletions leave tombstones, and spans live in a B-tree with cached visible, total and
 * UTF-16 lengths, so edits at a position, UTF-16 conversions and look-ups by id cost
 * O(log n).
 *
 * Limits: fewer than 2^32 - 1 elements (tombstones included) and counters below 2^53. Ids
 * must be unique: the change log guarantees it, the sequence only checks cheaply (first and
 * last id of an insert). Not thread-safe; reads may run concurrently with each other. */
#ifndef HY_SEQ_H
#define HY_SEQ_H

#include "hypha.h"
#include "bytes.h"
#include "vec.h"

typedef struct hy_id {
    uint32_t actor;   /* index into the store's actor table */
    uint64_t counter; /* Lamport counter, < 2^53 */
} hy_id;

/* An origin with this counter is absent: the start (left) or end (right) of the sequence. */
#define HY_SEQ_NONE UINT64_MAX
/* Counters stop below 2^53 (docs/decisions.md, "Change log"). */
#define HY_SEQ_COUNTER_LIMIT ((uint64_t)1 << 53)

/* What a replica needs to integrate an insert. To replicate it, serialise id, n, origin_left,
 * origin_right (either may be absent: counter HY_SEQ_NONE) and the n values. Element k has
 * id (id.actor, id.counter + k); element 0 was inserted between origin_left and origin_right,
 * element k > 0 right after element k - 1, before origin_right. */
typedef struct hy_seq_op {
    hy_id id;
    hy_id origin_left;
    hy_id origin_right;
    size_t n;
    const uint32_t *values;
} hy_seq_op;

/* n elements with consecutive ids starting at first (one actor). */
typedef struct hy_seq_range {
    hy_id first;
    size_t n;
} hy_seq_range;

/* Raw conflicts (two inserts with the same origins) are ordered by actor. Actor indexes are
 * local to a store, so a store whose replicas may number actors differently must pass an
 * order that every replica agrees on (e.g. comparing actor keys). Returns <0, 0 or >0. */
typedef int (*hy_seq_actor_cmp)(void *user, uint32_t a, uint32_t b);

typedef struct hy_seq_config {
    uint64_t seed;              /* hash seed for the id index (from the platform's randomness) */
    hy_seq_actor_cmp actor_cmp; /* NULL: by index */
    void *actor_user;
} hy_seq_config;

/* Called once per visible run removed by a remote delete, in order; index is relative to the
 * sequence as it stands after the previous calls (apply the patches in order). */
typedef void (*hy_seq_removed_fn)(void *user, size_t index, size_t n);

typedef struct hy_seq hy_seq;

/* An empty sequence; cfg may be NULL (seed 0, order by actor index). The allocator is copied;
 * it must outlive the sequence. */
hy_err hy_seq_new(const hy_allocator *a, const hy_seq_config *cfg, hy_seq **out);
/* Accepts NULL. */
void hy_seq_free(hy_seq *s);

/* Visible elements. */
size_t hy_seq_len(const hy_seq *s);
/* Spans held (tombstones included): a measure of fragmentation. */
size_t hy_seq_span_count(const hy_seq *s);

/* Local insert of n >= 1 values before visible position pos (0 <= pos <= len), the elements
 * getting ids first, first + 1, ...: the caller owns the counters (first.counter + n <=
 * 2^53, not used before). Fills *op for replication; op->values aliases values.
 * HY_E_INVALID_ARG for a bad position, count or counter, HY_E_LIMIT when the sequence would
 * exceed its size limit, HY_E_NOMEM; on error nothing changed. */
hy_err hy_seq_insert(hy_seq *s, size_t pos, hy_id first, const uint32_t *values, size_t n,
                     hy_seq_op *op);

/* Local delete of the n visible elements from position pos (pos + n <= len). Appends to
 * *ranges (a hy_vec of hy_seq_range, which may be NULL) the ids to replicate, in document
 * order, consecutive ids merged. HY_E_INVALID_ARG, HY_E_NOMEM; on error nothing changed. */
hy_err hy_seq_delete(hy_seq *s, size_t pos, size_t n, hy_vec *ranges);

/* Integrates a replicated insert whose origins are present (causally ready). *index_out is
 * the visible position of its first element, or SIZE_MAX for a duplicate (already present:
 * nothing changes, HY_OK). HY_E_NOT_FOUND when an origin is missing, HY_E_INVALID_ARG for a
 * malformed op, HY_E_LIMIT, HY_E_NOMEM; on error nothing changed. */
hy_err hy_seq_apply_insert(hy_seq *s, const hy_seq_op *op, size_t *index_out);

/* Applies a replicated delete of ids first .. first + n - 1 (all present). Elements already
 * deleted stay deleted (idempotent). removed (may be NULL) hears each visible run that
 * disappears. HY_E_NOT_FOUND when an id is missing, HY_E_INVALID_ARG, HY_E_NOMEM; on error
 * nothing changed and removed was not called. */
hy_err hy_seq_apply_delete(hy_seq *s, hy_id first, size_t n, hy_seq_removed_fn removed,
                           void *user);

/* UTF-16 positions, for callers whose strings count UTF-16 code units (JavaScript): elements
 * >= 0x10000 (code points outside the BMP) count two units, others one. The tree keeps the
 * count of such elements per subtree, so each call costs O(log n), whatever the length.
 *
 * The visible length in UTF-16 code units. */
size_t hy_seq_len_utf16(const hy_seq *s);
/* The UTF-16 offset of visible position pos (0 <= pos <= len). HY_E_INVALID_ARG when out of
 * range. */
hy_err hy_seq_pos_to_utf16(const hy_seq *s, size_t pos, size_t *utf16);
/* The visible position at UTF-16 offset utf16 (0 <= utf16 <= hy_seq_len_utf16).
 * HY_E_INVALID_ARG when out of range or between the two units of one element. */
hy_err hy_seq_pos_from_utf16(const hy_seq *s, size_t utf16, size_t *pos);

/* The value at visible position pos < len (0 when out of range). */
uint32_t hy_seq_get(const hy_seq *s, size_t pos);
/* The id of the element at visible position pos; HY_E_INVALID_ARG when out of range. */
hy_err hy_seq_id_at(const hy_seq *s, size_t pos, hy_id *out);
/* Copies up to n values from visible position pos into out; returns how many. */
size_t hy_seq_read(const hy_seq *s, size_t pos, uint32_t *out, size_t n);

/* Checks the internal invariants (counts, links, index); HY_E_FORMAT when broken. For tests
 * and fuzzers: it visits everything. */
hy_err hy_seq_check(const hy_seq *s);

/* Writes the whole state: maximal runs in document order (ids delta-encoded, tombstones as
 * runs without values), then the visible values. Equal states give identical bytes whatever
 * order the ops arrived in. Actor indexes are written as they are: a store that numbers
 * actors differently per replica must map them. Returns w's (sticky) error. */
hy_err hy_seq_save(const hy_seq *s, hy_writer *w);
/* Reads what hy_seq_save wrote (from r->pos; stops after it). Hostile input gives an error
 * with r->pos at the offending value: HY_E_TRUNCATED, HY_E_VARINT, HY_E_TOO_LARGE,
 * HY_E_FORMAT (non-canonical or inconsistent), HY_E_NOMEM. cfg as for hy_seq_new. */
hy_err hy_seq_load(const hy_allocator *a, const hy_seq_config *cfg, hy_reader *r,
                   hy_seq **out);

#endif

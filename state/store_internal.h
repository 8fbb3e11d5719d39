/* The record store's representation, shared by state/store*.c and nobody else. */
#ifndef HY_STORE_INTERNAL_H
#define HY_STORE_INTERNAL_H

#include "log.h"
#include "try.h"
#include "table.h"
#include "seq.h"
#include "vec.h"

/* An op's identity: the actor (index in the log's actor table) and its Lamport counter. */
typedef struct op_id {
    uint32_t actor;
    uint64_t counter;
} op_id;

/* A register's current value: one per concurrent write not yet overwritten. */
typedef struct reg_entry {
    op_id id;
    hy_value value; /* STRING and BYTES own their bytes */
} reg_entry;

enum field_kind { FIELD_NONE, FIELD_REGISTER, FIELD_COUNTER, FIELD_TEXT, FIELD_SET };

typedef struct field {
    char *path;         /* collection, key and name, each NUL-terminated, for patches */
    size_t path_len;
    enum field_kind kind;
    op_id kind_id;      /* the newest op that gave the field its kind */
    hy_vec entries;     /* reg_entry, winner first */
    int64_t counter;
    hy_seq *text;       /* code points; NULL until the first text op */
    hy_vec elements;    /* set_element, ascending by encoded value */
} field;

/* A value in a set, with the ids of the adds that put it there and no remove has seen. */
typedef struct set_element {
    hy_value value; /* owned */
    hy_vec tags;    /* op_id */
} set_element;

/* Op kinds inside a change's ops (docs/format.md, "Store ops"). */
enum op_kind {
    OP_NONE = 0,
    OP_PUT = 1,
    OP_REMOVE = 2,
    OP_COUNTER_ADD = 3,
    OP_TEXT_INSERT = 4,
    OP_TEXT_DELETE = 5,
    OP_SET_ADD = 6,
    OP_SET_REMOVE = 7,
};

/* A field that changed, waiting to be reported to subscribers. */
typedef struct pending_patch {
    uint32_t field;
    hy_patch_kind kind;  /* SET stands for any register change */
    int64_t delta;
    size_t index, count; /* text */
    uint8_t *text;       /* inserted UTF-8, or an element's encoded value; owned */
    size_t text_len;
} pending_patch;

typedef struct subscription {
    uint32_t id;
    hy_subscriber fn;   /* NULL once unsubscribed */
    void *user;
    char *filter[3];    /* collection, key, field; NULL for any */
} subscription;

/* One edit of the open transaction, kept so that rollback can undo it. */
typedef struct undo {
    uint32_t field;
    enum field_kind kind;
    op_id kind_id;
    op_id added;        /* the entry a put added (counter 0: none) */
    hy_vec removed;     /* reg_entry the edit took out, owned here until commit */
    int64_t delta;      /* a counter add */
    bool rebuild;       /* a text or set edit: rollback rebuilds the field from the log */
} undo;

struct hy_store {
    hy_allocator alloc;
    hy_platform platform;
    hy_log *log;
    hy_vec fields;        /* field */
    hy_table field_by_path; /* BLAKE3 of the encoded path -> field index */
    uint64_t hash_seed;

    bool in_txn;
    bool txn_broken;      /* an edit failed after changing the state: commit must roll back */
    bool committing;      /* the log is applying our own commit: state already has it */
    uint64_t txn_next_op; /* counter of the transaction's next op */
    uint64_t txn_ops;     /* ops in the transaction */
    hy_writer txn_body;   /* encoded ops */
    hy_vec txn_actors;    /* keys (HY_KEY_LEN bytes) referenced by the ops, after the author */
    hy_vec undo;          /* undo */
    size_t txn_patches;   /* patches pending when the transaction began */

    hy_vec patches;       /* pending_patch, reported after a commit or a merge */
    hy_vec subscriptions; /* subscription */
    hy_vec delivered;     /* hy_patch, scratch for one subscriber's call */
    uint32_t next_subscription;
    bool delivering;
    uint32_t only_field;  /* while rebuilding one field from the log; UINT32_MAX otherwise */
    hy_vec code_points;   /* uint32_t scratch for text ops */
    uint32_t saved_count; /* changes in the log at the last save or incremental save */
};

/* ---- fields (store_field.c) ---- */

/* The field at (collection, key, name). With op OP_NONE, a look-up for reading
 * (HY_E_NOT_FOUND when absent); otherwise the field is created if need be and an op of that
 * kind on it is begun in the open transaction's body. Names are checked (UTF-8, length). */
hy_err store_field(hy_store *s, const char *collection, const char *key, const char *name,
                   enum op_kind op, uint32_t *index);
/* For reading a field of one kind: *out is NULL when it was never written (read as empty);
 * HY_E_INVALID_ARG when it holds another kind. */
hy_err store_field_of_kind(hy_store *s, const char *collection, const char *key,
                           const char *name, enum field_kind kind, const field **out);
/* The same from an encoded path (three length-prefixed names) read from r. */
hy_err store_field_read(hy_store *s, hy_reader *r, uint32_t *index);
static inline field *store_field_at(const hy_store *s, uint32_t i)
{
    return &HY_VEC_AT(&s->fields, field, i);
}
/* Orders op ids: Lamport counter, then actor key; > 0 when a is newer. */
int store_id_cmp(const hy_store *s, op_id a, op_id b);

/* ---- subscriptions (store_subscribe.c) ---- */

/* Notes that a field changed. Reporting is best effort: when memory runs out the patch is
 * lost, never the edit. */
void store_note_patch(hy_store *s, uint32_t index, hy_patch_kind kind, int64_t delta);
/* Notes a text insert (with its code points) or delete at a visible index. */
void store_note_text(hy_store *s, uint32_t index, hy_patch_kind kind, size_t at, size_t count,
                     const uint32_t *inserted);
/* Notes an element patch whose value is encoded in bytes (taken over, freed with it). */
void store_note_bytes(hy_store *s, uint32_t index, hy_patch_kind kind, uint8_t *bytes,
                      size_t len);
/* Drops the patches noted from index `from` on (a rolled-back transaction's). */
void store_drop_patches(hy_store *s, size_t from);
/* Reports the pending patches to the subscribers. */
void store_deliver(hy_store *s);
void store_subscriptions_free(hy_store *s);

/* ---- values (store_value.c) ---- */

hy_err store_value_check(const hy_value *v);
void store_value_write(hy_writer *w, const hy_value *v);
/* Decodes a value that points into r's input. */
hy_err store_value_read(hy_reader *r, hy_value *v);
/* A copy whose bytes the store owns. */
hy_err store_value_copy(hy_store *s, const hy_value *in, hy_value *out);
/* Frees the bytes of a value the store owns (a copy) and makes it NULL. */
void store_value_free(hy_store *s, hy_value *v);

/* ---- applying ops (store_apply.c) ---- */

/* The semantics of each op. removed, when given, receives the entries an op took out (a
 * local edit keeps them for rollback); otherwise they are freed. */
hy_err store_put(hy_store *s, uint32_t index, op_id id, const hy_value *value,
                 const op_id *preds, size_t pred_count, hy_vec *removed);
hy_err store_remove(hy_store *s, uint32_t index, const op_id *preds, size_t pred_count,
                    hy_vec *removed);
void store_counter_add(hy_store *s, uint32_t index, op_id id, int64_t delta);
/* The field's sequence, created on first use; HY_E_INVALID_ARG when the field holds another
 * type (for a local edit: check is set). */
hy_err store_text_of(hy_store *s, uint32_t index, hy_seq **out);
int store_actor_cmp(void *user, uint32_t a, uint32_t b);
/* Set ops: add tags a value with op id; remove drops the tags it saw. */
hy_err store_set_add(hy_store *s, uint32_t index, op_id id, const hy_value *value);
hy_err store_set_remove(hy_store *s, uint32_t index, const hy_value *value,
                        const op_id *tags, size_t tag_count);
void store_set_free(hy_store *s, field *f);
/* Rebuilds one field's state from the log (after a rolled-back text or set edit). */
hy_err store_rebuild_field(hy_store *s, uint32_t index);

/* Applies every op of a change: first decodes and checks them all, so a change whose ops are
 * malformed changes nothing on any replica. */
hy_err store_apply_change(hy_store *s, const hy_log_entry *e);
/* The log's callback for every applied change. */
hy_err store_on_apply(void *user, const hy_log *log, uint32_t index);

/* ---- saving (store_pack.c) ---- */

/* Packs the ops of saved changes into columns (given to the log as its ops codec). */
extern const hy_ops_codec store_ops_codec;

/* ---- local edits (store_txn.c) ---- */

/* Opens an implicit transaction when none is open (*implicit tells the caller to close it). */
hy_err store_edit_begin(hy_store *s, bool *implicit);
/* Commits an implicit transaction, or rolls it back when err is set. */
hy_err store_edit_end(hy_store *s, bool implicit, hy_err err);
/* The first of n op ids the next local op gets (and counts them in the transaction). */
op_id store_next_local_ids(hy_store *s, uint64_t n);
#define store_next_local_id(s) store_next_local_ids((s), 1)
/* Writes an op id into a pred list: a reference to its actor (0: the author; k: the k-th
 * key of the change's actor table) and its counter. */
hy_err store_write_pred(hy_store *s, op_id id);
/* Writes a sequence origin: 0 for none, else the actor reference + 1 and the counter. */
hy_err store_write_origin(hy_store *s, hy_id id);

/* ---- edits (store.c, store_text.c, store_set.c) ---- */

/* Records that rollback must rebuild this field from the log. */
hy_err store_push_rebuild_undo(hy_store *s, uint32_t index);

/* State of the transaction before an edit, to drop a half-written op when the edit fails. */
typedef struct edit_mark {
    size_t body_len;
    size_t actors_len;
    uint64_t ops;
} edit_mark;

static inline edit_mark mark_edit(const hy_store *s)
{
    edit_mark m = { s->txn_body.len, s->txn_actors.len, s->txn_ops };
    return m;
}

static inline void drop_edit(hy_store *s, edit_mark m)
{
    s->txn_body.len = m.body_len;
    s->txn_body.err = HY_OK;
    s->txn_actors.len = m.actors_len;
    s->txn_ops = m.ops;
}

/* Runs one edit inside the open transaction, or in one of its own. */
#define EDIT(s, call)                                                                         \
    do {                                                                                      \
        bool implicit_;                                                                       \
        HY_TRY(store_edit_begin((s), &implicit_));                                            \
        edit_mark mark_ = mark_edit(s);                                                       \
        hy_err edit_err_ = (call);                                                            \
        if (edit_err_)                                                                        \
            drop_edit((s), mark_);                                                            \
        return store_edit_end((s), implicit_, edit_err_);                                     \
    } while (0)

#endif

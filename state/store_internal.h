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

/* One value of a register and the write that put it there, packed into 24 bytes (a store
 * holds one per register field): the op id's counter and actor, the value's type and its
 * payload. STRING and BYTES point to a copy the store owns that starts with the length (4
 * bytes, native order), or are NULL when empty. store_entry_* convert. */
typedef struct reg_entry {
    uint64_t counter;
    union {
        int64_t integer; /* INT; BOOL as 0 or 1 */
        double number;
        uint8_t *bytes;
    } as;
    uint32_t actor;
    uint8_t type;    /* hy_type */
} reg_entry;

/* A register's entries when concurrent writes left more than one. */
typedef struct reg_many {
    uint32_t len, cap;
    reg_entry items[];
} reg_many;

/* A register's entries, winner first. Without concurrent writes a register holds one entry,
 * kept inline (op counters start at 1, so a counter of 0 tells the other forms apart);
 * more spill into an array, which stays once made so that rollback can put entries back
 * without allocating. Zeroed, a register is empty. Use store_reg_*. */
typedef union reg {
    reg_entry one;
    struct {
        uint64_t none;  /* 0: not one inline entry */
        reg_many *many; /* NULL: empty */
    } spill;
} reg;

enum field_kind {
    FIELD_NONE,
    FIELD_REGISTER,
    FIELD_COUNTER,
    FIELD_TEXT,
    FIELD_SET,
    FIELD_LIST,
    FIELD_MAP,
};

/* A register's entries (the preds of an op that overwrites it) and a set remove's tags are
 * bounded, so that op lists fit on the stack and an op's size is bounded. */
#define MAX_PREDS 64

/* A field's state beyond one register or one counter: a text, list, set or map, or the
 * state of several types at once (writers of different types met: each type keeps its own,
 * and the newest op chooses which the field reads as). */
typedef struct field_more {
    reg reg;
    int64_t counter;
    hy_seq *text;       /* code points; NULL until the first text op */
    hy_seq *list;       /* handles into list_values; NULL until the first list op */
    hy_vec list_values; /* hy_value (owned): a list element's value, by handle */
    hy_vec elements;    /* set_element, ascending by encoded value */
    hy_vec map;         /* map_entry, ascending by name bytes; none without a value */
} field_more;

/* What a field's state union holds. Most fields only ever hold a register or a counter, so
 * those live in the field itself (48 bytes in all); anything else moves the state into a
 * field_more, for good. */
enum field_holds {
    HOLDS_NOTHING,
    HOLDS_REGISTER,
    HOLDS_COUNTER,
    HOLDS_MORE,
};

typedef struct field {
    const char *path;      /* in the store's path pool: see store_path_len */
    uint64_t kind_counter; /* the newest op that gave the field its kind (store_kind_id) */
    uint32_t kind_actor;
    uint8_t kind;          /* enum field_kind */
    uint8_t holds;         /* enum field_holds */
    bool rebuild;          /* an edit of the open transaction is undone by rebuilding the field */
    union {
        reg reg;
        int64_t counter;
        field_more *more;
    } as;
} field;

/* Fields live in pages that never move (a store of many fields wastes at most a page). */
#define FIELDS_PER_PAGE 128

/* An entry of a nested map: a register under a name. */
typedef struct map_entry {
    char *name;       /* NUL-terminated, owned */
    reg reg;          /* never empty while in the map */
    uint8_t name_len; /* without the NUL (names are at most HY_NAME_MAX bytes) */
} map_entry;

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
    OP_LIST_INSERT = 8,
    OP_LIST_DELETE = 9,
    OP_MAP_PUT = 10,
    OP_MAP_REMOVE = 11,
};

/* A field that changed, waiting to be reported to subscribers. */
typedef struct pending_patch {
    uint32_t field;
    hy_patch_kind kind;  /* SET (MAP_SET) stands for any register (map entry) change */
    int64_t delta;
    size_t index, count; /* text and list */
    size_t index_utf16;  /* text: index in UTF-16 units when the edit applied */
    uint8_t *text;       /* inserted UTF-8, an element's encoded value, or a map entry's
                            NUL-terminated name; owned */
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
} undo;

struct hy_store {
    hy_allocator alloc;
    hy_platform platform;
    hy_log *log;
    hy_vec field_pages;   /* field *, FIELDS_PER_PAGE each */
    uint32_t field_count;
    hy_table field_by_path; /* path (external key: the field's own) -> field index */
    uint32_t last_field;  /* the field found last (edits repeat one), or UINT32_MAX */
    hy_vec path_chunks;   /* path_chunk: the path pool */
    size_t path_used;     /* bytes used in the last chunk */
    uint64_t hash_seed;

    bool in_txn;
    bool txn_broken;      /* an edit failed after changing the state: commit must roll back */
    bool committing;      /* the log is applying our own commit: state already has it */
    hy_err (*owner_fn)(void *user, const hy_log *log, uint32_t index); /* store_owner.h */
    void *owner_user;
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

/* Checks a name (UTF-8, at most HY_NAME_MAX bytes) and gives its length. */
hy_err store_name_check(const char *name, size_t *len);
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
/* Sets up the fields of a new store (after its hash_seed), and frees them with the pool. */
void store_fields_init(hy_store *s);
void store_fields_free(hy_store *s);
static inline field *store_field_at(const hy_store *s, uint32_t i)
{
    return &HY_VEC_AT(&s->field_pages, field *, i / FIELDS_PER_PAGE)[i % FIELDS_PER_PAGE];
}

/* A field's path in the pool is, for each of collection, key and name, a length byte, the
 * bytes and a NUL: the whole is the field's key in field_by_path, and each name reads as a C
 * string. The length of the whole: */
size_t store_path_len(const char *path);
/* Name i (0: collection, 1: key, 2: the field's name). */
const char *store_path_name(const char *path, int i);

/* ---- a field's state (store_field_state.c) ---- */

/* For reading: the field's register, counter and other state, empty when it has none. */
const reg *store_field_reg(const field *f);
int64_t store_field_counter(const field *f);
const field_more *store_field_more(const field *f);
/* For an op that changes them: made if need be (moving the field's state into a field_more
 * when it holds another type's already). HY_E_NOMEM leaves the field as it was; once a field
 * has a state of some type, these allocate nothing for it. */
hy_err store_field_reg_mut(hy_store *s, field *f, reg **out);
hy_err store_field_counter_mut(hy_store *s, field *f, int64_t **out);
hy_err store_field_more_mut(hy_store *s, field *f, field_more **out);
/* Whether a local op of this kind may edit the field: it has that kind, none yet, or is a
 * register without a value (removed), which any type may replace. */
bool store_field_accepts(const field *f, enum field_kind kind);
/* Frees the field's state and makes it as new (its path stays). */
void store_field_clear(hy_store *s, field *f);
/* The newest op that gave the field its kind; setting kind and id as they are given
 * (store_set_kind keeps the newest). */
op_id store_kind_id(const field *f);
void store_kind_assign(field *f, enum field_kind kind, op_id id);
/* Orders op ids: Lamport counter, then actor key; > 0 when a is newer. */
int store_id_cmp(const hy_store *s, op_id a, op_id b);

/* ---- subscriptions (store_subscribe.c) ---- */

/* Notes that a field changed. Reporting is best effort: when memory runs out the patch is
 * lost, never the edit. */
void store_note_patch(hy_store *s, uint32_t index, hy_patch_kind kind, int64_t delta);
/* Notes a text insert (with its code points), or a text or list delete, at a visible index. */
void store_note_text(hy_store *s, uint32_t index, hy_patch_kind kind, size_t at, size_t count,
                     const uint32_t *inserted);
/* Notes a patch that carries a value (a set element, a list element inserted at `at`). */
void store_note_value(hy_store *s, uint32_t index, hy_patch_kind kind, size_t at,
                      const hy_value *v);
/* Notes a change of the map entry `name` (len bytes). */
void store_note_entry(hy_store *s, uint32_t index, const char *name, size_t len);
/* Drops the patches noted from index `from` on (a rolled-back transaction's). */
void store_drop_patches(hy_store *s, size_t from);
/* Reports the pending patches to the subscribers. */
void store_deliver(hy_store *s);
void store_subscriptions_free(hy_store *s);

/* ---- registers (store_register.c) ---- */

/* A register's entries, winner first (pointers valid until it changes). */
size_t store_reg_len(const reg *r);
const reg_entry *store_reg_at(const reg *r, size_t i);
/* A register, wherever it lives (a field, a map entry). A put replaces the entries its preds
 * name with its own; a remove only drops them. removed (reg_entry), when given, receives the
 * entries taken out (a local edit keeps them for rollback); otherwise they are freed. On
 * error nothing changed. */
hy_err store_register_put(hy_store *s, reg *r, op_id id, const hy_value *value,
                          const op_id *preds, size_t pred_count, hy_vec *removed);
hy_err store_register_remove(hy_store *s, reg *r, const op_id *preds, size_t pred_count,
                             hy_vec *removed);
/* Undoes a local put (added; counter 0 for a remove) that took out `removed`: the entries go
 * back (their ownership too) and removed is emptied. Allocates nothing. */
void store_register_undo(hy_store *s, reg *r, op_id added, hy_vec *removed);
void store_register_free(hy_store *s, reg *r);
/* The ids of a register's entries, the preds of an op that overwrites it; HY_E_LIMIT above
 * MAX_PREDS. */
hy_err store_register_ids(const reg *r, op_id ids[MAX_PREDS], size_t *count);

/* ---- values (store_value.c) ---- */

hy_err store_value_check(const hy_value *v);
void store_value_write(hy_writer *w, const hy_value *v);
/* Decodes a value that points into r's input. */
hy_err store_value_read(hy_reader *r, hy_value *v);
/* A copy whose bytes the store owns. */
hy_err store_value_copy(hy_store *s, const hy_value *in, hy_value *out);
/* Frees the bytes of a value the store owns (a copy) and makes it NULL. */
void store_value_free(hy_store *s, hy_value *v);
/* A register entry of op id holding a copy of value (HY_E_TOO_LARGE above 4 GB); its value
 * as a hy_value (pointing into the entry's copy); freeing its copy. */
hy_err store_entry_make(hy_store *s, op_id id, const hy_value *value, reg_entry *out);
hy_value store_entry_value(const reg_entry *e);
void store_entry_free(hy_store *s, reg_entry *e);
static inline op_id store_entry_id(const reg_entry *e)
{
    op_id id = { e->actor, e->counter };
    return id;
}

/* ---- applying ops (store_apply.c) ---- */

/* The semantics of each op on a field. */
hy_err store_put(hy_store *s, uint32_t index, op_id id, const hy_value *value,
                 const op_id *preds, size_t pred_count, hy_vec *removed);
hy_err store_remove(hy_store *s, uint32_t index, const op_id *preds, size_t pred_count,
                    hy_vec *removed);
hy_err store_counter_add(hy_store *s, uint32_t index, op_id id, int64_t delta);
/* Op id gives the field this kind unless a newer op gave it its kind (newest op wins). */
void store_set_kind(hy_store *s, uint32_t index, enum field_kind kind, op_id id);
int store_actor_cmp(void *user, uint32_t a, uint32_t b);
/* Set ops: add tags a value with op id; remove drops the tags it saw. */
hy_err store_set_add(hy_store *s, uint32_t index, op_id id, const hy_value *value);
hy_err store_set_remove(hy_store *s, uint32_t index, const hy_value *value,
                        const op_id *tags, size_t tag_count);
void store_set_free(hy_store *s, field_more *m);

/* The field a hy_remove empties: its path and index. */
typedef struct removal_target {
    const char *collection, *key, *name;
    uint32_t index;
} removal_target;

/* ---- sequence fields: text and list (store_seq.c) ---- */

/* The field's sequence of that kind (FIELD_TEXT or FIELD_LIST), created on first use. */
hy_err store_seq_of(hy_store *s, uint32_t index, enum field_kind kind, hy_seq **out);
/* The same for a local edit: HY_E_INVALID_ARG when the field holds another type. */
hy_err store_seq_for_edit(hy_store *s, uint32_t index, enum field_kind kind, hy_seq **out);
/* A local insert of n elements before pos into seq (the field's, from store_seq_for_edit):
 * applies it (rollback rebuilds the field), gives the field its kind and writes the op's
 * origins; the caller writes the payload after them. On error before the insert applied, the
 * sequence is unchanged; after, the transaction is broken (it can only roll back). */
hy_err store_seq_insert(hy_store *s, uint32_t index, enum field_kind kind, hy_seq *seq,
                        size_t pos, const uint32_t *values, size_t n);
/* A local delete of n elements from pos in the text or list field at this path (op: its
 * delete op kind): the whole op, and its patch. Nothing when n is 0. */
hy_err store_seq_delete(hy_store *s, const char *c, const char *k, const char *name,
                        enum op_kind op, enum field_kind kind, size_t pos, size_t n);
/* hy_remove of a text or list field (kind): one delete of every element this replica sees,
 * so what others insert concurrently survives. HY_E_NOT_FOUND when it is empty. */
hy_err store_seq_remove_all(hy_store *s, const removal_target *t, enum field_kind kind);
/* A replicated insert (op: ids, origins and values) as op id: *landed is its index, or
 * SIZE_MAX for a duplicate. The caller notes the patch. */
hy_err store_seq_apply_insert(hy_store *s, uint32_t index, enum field_kind kind, op_id id,
                              const hy_seq_op *op, size_t *landed);
/* A replicated delete of ids first .. first + n - 1, as op id, noting its patches. */
hy_err store_seq_apply_delete(hy_store *s, uint32_t index, enum field_kind kind, op_id id,
                              hy_id first, size_t n);

/* ---- lists (store_list.c) and nested maps (store_map.c) ---- */

/* A replicated list insert of one value (op: id and origins; its values are set here). */
hy_err store_list_apply_insert(hy_store *s, uint32_t index, op_id id, hy_seq_op *op,
                               const hy_value *value);
void store_list_free(hy_store *s, field_more *m);
/* Map ops on the entry name (len bytes, no NUL): a put or remove of its register. */
hy_err store_map_put(hy_store *s, uint32_t index, const char *name, size_t len, op_id id,
                     const hy_value *value, const op_id *preds, size_t pred_count);
hy_err store_map_remove(hy_store *s, uint32_t index, const char *name, size_t len, op_id id,
                        const op_id *preds, size_t pred_count);
/* The entry name, or NULL. */
const map_entry *store_map_find(const field_more *m, const char *name, size_t len);
void store_map_free(hy_store *s, field_more *m);
/* hy_remove of a map or set field: removes every entry or value this replica sees (one op
 * each), so what others add concurrently survives. HY_E_NOT_FOUND when it is empty. */
hy_err store_map_remove_all(hy_store *s, const removal_target *t);
hy_err store_set_remove_all(hy_store *s, const removal_target *t);

/* Applies every op of change index (e): first decodes and checks them all, so a change whose
 * ops are malformed, or name ids outside its causal past, changes nothing on any replica. */
hy_err store_apply_change(hy_store *s, uint32_t index, const hy_log_entry *e);
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
/* Writes an id list (a register write's preds, a set remove's tags): count, then each. */
hy_err store_write_ids(hy_store *s, const op_id *ids, size_t n);
/* Writes a sequence origin: 0 for none, else the actor reference + 1 and the counter. */
hy_err store_write_origin(hy_store *s, hy_id id);
/* Records that rollback must rebuild this field from the log (once per transaction). */
hy_err store_push_rebuild_undo(hy_store *s, uint32_t index);
/* For an edit that has changed the state already: a body that could not be written breaks
 * the transaction (it can only roll back). */
hy_err store_body_written(hy_store *s);

/* ---- edits (store.c, store_text.c, store_set.c, store_list.c, store_map.c) ---- */

/* Runs remove_last count times, each an edit that takes out the field's last entry or value:
 * an error after the first breaks the transaction (the state has the earlier removes, whose
 * ops the failed edit drops). */
hy_err store_remove_each(hy_store *s, const removal_target *t, size_t count,
                         hy_err (*remove_last)(hy_store *, const removal_target *));

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

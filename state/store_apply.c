/* Applying ops to the state: the semantics of each field type, shared by local edits and by
 * changes from other replicas, and the decoding of a change's ops (docs/format.md, "Store
 * ops"). */
#include "store_internal.h"

#include "alloc.h"
#include "try.h"
#include "utf8.h"

#include <string.h>

void store_set_kind(hy_store *s, uint32_t index, enum field_kind kind, op_id id)
{
    field *f = store_field_at(s, index);
    if (store_id_cmp(s, id, store_kind_id(f)) > 0)
        store_kind_assign(f, kind, id);
}

hy_err store_put(hy_store *s, uint32_t index, op_id id, const hy_value *value,
                 const op_id *preds, size_t pred_count, hy_vec *removed)
{
    reg *r;
    HY_TRY(store_field_reg_mut(s, store_field_at(s, index), &r));
    HY_TRY(store_register_put(s, r, id, value, preds, pred_count, removed));
    store_set_kind(s, index, FIELD_REGISTER, id);
    store_note_patch(s, index, HY_PATCH_SET, 0);
    return HY_OK;
}

hy_err store_remove(hy_store *s, uint32_t index, const op_id *preds, size_t pred_count,
                    hy_vec *removed)
{
    field *f = store_field_at(s, index);
    reg *r;
    /* A field without a register's state has nothing to remove (and needs no room for it). */
    if (store_reg_len(store_field_reg(f)) > 0) {
        HY_TRY(store_field_reg_mut(s, f, &r));
        HY_TRY(store_register_remove(s, r, preds, pred_count, removed));
    }
    store_note_patch(s, index, HY_PATCH_SET, 0);
    return HY_OK;
}

hy_err store_counter_add(hy_store *s, uint32_t index, op_id id, int64_t delta)
{
    int64_t *counter;
    HY_TRY(store_field_counter_mut(s, store_field_at(s, index), &counter));
    /* Wrapping addition: every replica wraps the same way, and signed overflow is UB. */
    *counter = (int64_t)((uint64_t)*counter + (uint64_t)delta);
    store_set_kind(s, index, FIELD_COUNTER, id);
    store_note_patch(s, index, HY_PATCH_COUNTER, delta);
    return HY_OK;
}

int store_actor_cmp(void *user, uint32_t a, uint32_t b)
{
    const hy_store *s = user;
    return memcmp(hy_log_actor_key(s->log, a), hy_log_actor_key(s->log, b), HY_KEY_LEN);
}

/* ---- decoding a change's ops ---- */

/* The actors a change's ops refer to (index 0 is the author, then the table's keys), and what
 * the change may name. */
typedef struct actor_table {
    uint32_t author;
    const uint8_t *keys;
    size_t count;
    uint32_t change;    /* its index in the log */
    uint64_t next;      /* the id of the op being read: the author's ids below it are past */
    uint64_t *horizon;  /* per actor, the newest op id in the change's causal past; NULL
                           until an op names another actor's id */
    size_t actors;      /* entries of horizon */
} actor_table;

/* An op names only ids of its change's causal past (or earlier ops of its own change): every
 * replica holds those before it applies the change, so an id outside that past, which only a
 * hostile writer names, would make replicas that happen to hold it decode the change
 * differently from those that do not. Refusing it depends on the change alone. */
static hy_err check_in_past(const hy_store *s, actor_table *t, op_id last)
{
    if (last.actor == t->author)
        return last.counter < t->next ? HY_OK : HY_E_FORMAT;
    if (t->horizon == NULL) {
        size_t actors = hy_log_actor_count(s->log);
        t->horizon = hy_alloc(&s->alloc, actors * sizeof *t->horizon);
        if (t->horizon == NULL)
            return HY_E_NOMEM;
        t->actors = actors;
        HY_TRY(hy_log_horizon(s->log, t->change, t->horizon));
    }
    return last.counter <= t->horizon[last.actor] ? HY_OK : HY_E_FORMAT;
}

/* The rest of an id whose actor ref (0: the change's author, k: the k-th key of the table)
 * was read from `at`: its counter, then the checks every id passes (known actor, causal past). */
static hy_err read_id_after_ref(const hy_store *s, actor_table *t, hy_reader *r, size_t at,
                                uint64_t ref, op_id *out)
{
    uint64_t counter;
    HY_TRY(hy_read_varint(r, &counter));
    hy_err err = HY_OK;
    if (ref > t->count || counter == 0 || counter > HY_COUNTER_MAX) {
        err = HY_E_FORMAT;
    } else {
        out->actor = ref == 0 ? t->author
                              : hy_log_actor_find(s->log, t->keys + (ref - 1) * HY_KEY_LEN);
        out->counter = counter;
        /* A named op is in the change's causal past, so its actor is known. */
        err = out->actor == HY_LOG_NONE ? HY_E_FORMAT : check_in_past(s, t, *out);
    }
    if (err)
        r->pos = at;
    return err;
}

static hy_err read_pred(const hy_store *s, actor_table *t, hy_reader *r, op_id *out)
{
    uint64_t ref;
    size_t at = r->pos;
    HY_TRY(hy_read_varint(r, &ref));
    return read_id_after_ref(s, t, r, at, ref, out);
}

/* A list of op ids (a register write's preds, a set remove's tags): count, then each. */
static hy_err read_preds(const hy_store *s, actor_table *t, hy_reader *r,
                         op_id ids[MAX_PREDS], size_t *count)
{
    HY_TRY(hy_read_count(r, 2, count));
    if (*count > MAX_PREDS)
        return HY_E_TOO_LARGE;
    for (size_t i = 0; i < *count; i++)
        HY_TRY(read_pred(s, t, r, &ids[i]));
    return HY_OK;
}

/* An origin: 0 for none, else a pred's form with the actor ref shifted by one. */
static hy_err read_origin(const hy_store *s, actor_table *t, hy_reader *r, hy_id *out)
{
    uint64_t ref;
    size_t at = r->pos;
    HY_TRY(hy_read_varint(r, &ref));
    if (ref == 0) {
        out->actor = 0;
        out->counter = HY_SEQ_NONE;
        return HY_OK;
    }
    op_id named;
    HY_TRY(read_id_after_ref(s, t, r, at, ref - 1, &named));
    out->actor = named.actor;
    out->counter = named.counter;
    return HY_OK;
}

/* A text or list op's body after its path. *used is how many op counters it takes. */
static hy_err read_seq_op(hy_store *s, actor_table *t, hy_reader *r, uint8_t kind,
                          uint32_t index, op_id id, bool apply, uint64_t *used)
{
    enum field_kind seq_kind =
        kind == OP_TEXT_INSERT || kind == OP_TEXT_DELETE ? FIELD_TEXT : FIELD_LIST;
    *used = 1;
    if (kind == OP_TEXT_INSERT || kind == OP_LIST_INSERT) {
        hy_seq_op op;
        HY_TRY(read_origin(s, t, r, &op.origin_left));
        HY_TRY(read_origin(s, t, r, &op.origin_right));
        op.id.actor = id.actor;
        op.id.counter = id.counter;
        if (kind == OP_LIST_INSERT) {
            hy_value value;
            HY_TRY(store_value_read(r, &value));
            return apply ? store_list_apply_insert(s, index, id, &op, &value) : HY_OK;
        }
        size_t len;
        const uint8_t *utf8;
        size_t at = r->pos;
        HY_TRY(hy_read_count(r, 1, &len));
        HY_TRY(hy_read_view(r, len, &utf8));
        if (len == 0 || !hy_utf8_valid(utf8, len)) {
            r->pos = at;
            return HY_E_FORMAT;
        }
        HY_TRY(hy_vec_reserve(&s->code_points, &s->alloc, len));
        op.n = hy_utf8_decode(utf8, len, s->code_points.data);
        op.values = s->code_points.data;
        *used = op.n;
        if (!apply)
            return HY_OK;
        size_t landed;
        HY_TRY(store_seq_apply_insert(s, index, FIELD_TEXT, id, &op, &landed));
        if (landed != SIZE_MAX)
            store_note_text(s, index, HY_PATCH_TEXT_INSERT, landed, op.n, op.values);
        return HY_OK;
    }
    size_t ranges;
    HY_TRY(hy_read_count(r, 3, &ranges));
    for (size_t i = 0; i < ranges; i++) {
        op_id first;
        uint64_t n;
        HY_TRY(read_pred(s, t, r, &first));
        size_t at = r->pos;
        HY_TRY(hy_read_varint(r, &n));
        /* The range's first id is checked as a pred; its last must be past too. */
        op_id last = { first.actor, first.counter + n - 1 };
        hy_err err = n == 0 || n > HY_COUNTER_MAX - first.counter + 1 ? HY_E_FORMAT
                                                                     : check_in_past(s, t, last);
        if (err) {
            r->pos = at;
            return err;
        }
        hy_id target = { first.actor, first.counter };
        if (apply)
            HY_TRY(store_seq_apply_delete(s, index, seq_kind, id, target, (size_t)n));
    }
    return HY_OK;
}

/* A register write's body (a field's or a map entry's): the value of a put, then the preds. */
typedef struct register_op {
    hy_value value;
    op_id preds[MAX_PREDS];
    size_t count;
} register_op;

static hy_err read_register_op(const hy_store *s, actor_table *t, hy_reader *r, bool put,
                               register_op *op)
{
    if (put)
        HY_TRY(store_value_read(r, &op->value));
    return read_preds(s, t, r, op->preds, &op->count);
}

/* A map op's body after its path: the entry's name, then as PUT or REMOVE. */
static hy_err read_map_op(hy_store *s, actor_table *t, hy_reader *r, uint8_t kind,
                          uint32_t index, op_id id, bool apply)
{
    uint8_t len;
    const uint8_t *name;
    size_t at = r->pos;
    HY_TRY(hy_read_u8(r, &len));
    HY_TRY(hy_read_view(r, len, &name));
    /* Readers get names as C strings: an embedded NUL would hide the rest of one. */
    if (!hy_utf8_valid(name, len) || memchr(name, 0, len) != NULL) {
        r->pos = at;
        return HY_E_FORMAT;
    }
    register_op op;
    HY_TRY(read_register_op(s, t, r, kind == OP_MAP_PUT, &op));
    if (!apply)
        return HY_OK;
    const char *n = (const char *)name;
    return kind == OP_MAP_PUT ? store_map_put(s, index, n, len, id, &op.value, op.preds, op.count)
                              : store_map_remove(s, index, n, len, id, op.preds, op.count);
}

/* One op, decoded. When apply is set, applies it as op `id`; otherwise only checks it.
 * *used is how many op counters it takes. */
static hy_err read_op(hy_store *s, actor_table *t, hy_reader *r, op_id id, bool apply,
                      uint64_t *used)
{
    uint8_t kind;
    size_t at = r->pos;
    *used = 1;
    HY_TRY(hy_read_u8(r, &kind));
    if (kind < OP_PUT || kind > OP_MAP_REMOVE) {
        r->pos = at;
        return HY_E_FORMAT;
    }
    uint32_t index = 0;
    if (apply) {
        HY_TRY(store_field_read(s, r, &index));
        /* Rebuilding one field from the log skips the others' ops. */
        apply = s->only_field == UINT32_MAX || s->only_field == index;
    } else {
        for (int i = 0; i < 3; i++) {
            uint8_t len;
            const uint8_t *name;
            HY_TRY(hy_read_u8(r, &len));
            HY_TRY(hy_read_view(r, len, &name));
        }
    }
    if (kind == OP_TEXT_INSERT || kind == OP_TEXT_DELETE || kind == OP_LIST_INSERT ||
        kind == OP_LIST_DELETE)
        return read_seq_op(s, t, r, kind, index, id, apply, used);
    if (kind == OP_MAP_PUT || kind == OP_MAP_REMOVE)
        return read_map_op(s, t, r, kind, index, id, apply);
    if (kind == OP_SET_ADD || kind == OP_SET_REMOVE) {
        hy_value value;
        HY_TRY(store_value_read(r, &value));
        if (kind == OP_SET_ADD)
            return apply ? store_set_add(s, index, id, &value) : HY_OK;
        size_t tag_count;
        op_id tags[MAX_PREDS];
        HY_TRY(read_preds(s, t, r, tags, &tag_count));
        return apply ? store_set_remove(s, index, &value, tags, tag_count) : HY_OK;
    }
    if (kind == OP_COUNTER_ADD) {
        uint64_t delta;
        HY_TRY(hy_read_varint(r, &delta));
        return apply ? store_counter_add(s, index, id, hy_unzigzag(delta)) : HY_OK;
    }
    register_op op;
    HY_TRY(read_register_op(s, t, r, kind == OP_PUT, &op));
    if (!apply)
        return HY_OK;
    return kind == OP_PUT ? store_put(s, index, id, &op.value, op.preds, op.count, NULL)
                          : store_remove(s, index, op.preds, op.count, NULL);
}

/* Decodes the change's ops, and with apply set applies them. */
static hy_err read_ops(hy_store *s, const hy_log_entry *e, actor_table *t, hy_reader *r,
                       bool apply)
{
    /* Ops take consecutive counters (a text insert one per code point) and must use exactly
     * the change's. */
    uint64_t end = e->start_op + e->op_count;
    t->next = e->start_op;
    while (hy_reader_left(r) > 0 && t->next < end) {
        op_id id = { e->actor, t->next };
        uint64_t used;
        HY_TRY(read_op(s, t, r, id, apply, &used));
        t->next += used;
    }
    return hy_reader_left(r) != 0 || t->next != end ? HY_E_FORMAT : HY_OK;
}

hy_err store_apply_change(hy_store *s, uint32_t index, const hy_log_entry *e)
{
    hy_reader r = hy_reader_make(e->ops, e->ops_len);
    actor_table t = { e->actor, NULL, 0, index, 0, NULL, 0 };
    HY_TRY(hy_read_count(&r, HY_KEY_LEN, &t.count));
    HY_TRY(hy_read_view(&r, t.count * HY_KEY_LEN, &t.keys));
    size_t ops_at = r.pos;
    hy_err err = read_ops(s, e, &t, &r, false);
    r.pos = ops_at;
    if (err == HY_OK)
        err = read_ops(s, e, &t, &r, true);
    hy_free(&s->alloc, t.horizon, t.actors * sizeof *t.horizon);
    return err;
}

hy_err store_on_apply(void *user, const hy_log *log, uint32_t index)
{
    hy_store *s = user;
    if (s->owner_fn)
        HY_TRY(s->owner_fn(s->owner_user, log, index));
    if (s->committing)
        return HY_OK; /* our own commit: its ops are applied already */
    hy_log_entry e;
    hy_log_get(log, index, &e);
    /* A change whose ops do not decode stays in the log (it is validly signed history) but
     * changes no state, the same on every replica. Running out of memory is reported. */
    hy_err err = store_apply_change(s, index, &e);
    return err == HY_E_NOMEM ? err : HY_OK;
}

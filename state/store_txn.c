/* Transactions: local edits apply to the state at once (reads see them), are encoded into
 * the transaction's body, and become one change at commit; rollback undoes them in reverse. */
#include "store_internal.h"

#include "alloc.h"
#include "try.h"

#include <string.h>

hy_err hy_txn_begin(hy_store *s)
{
    if (s->in_txn)
        return HY_E_INVALID_ARG;
    /* Refused before any edit applies, rather than at commit after the state has moved. */
    if (!hy_log_may_write(s->log, hy_store_actor(s)))
        return HY_E_FORBIDDEN;
    s->in_txn = true;
    s->txn_broken = false;
    s->txn_next_op = hy_log_next_op(s->log);
    s->txn_ops = 0;
    s->txn_body.len = 0;
    s->txn_body.err = HY_OK;
    s->txn_actors.len = 0;
    s->txn_patches = s->patches.len;
    return HY_OK;
}

static void free_undo(hy_store *s, undo *u)
{
    for (size_t i = 0; i < u->removed.len; i++)
        store_entry_free(s, &HY_VEC_AT(&u->removed, reg_entry, i));
    hy_vec_free(&u->removed, &s->alloc);
}

static void end_txn(hy_store *s)
{
    for (size_t i = 0; i < s->undo.len; i++) {
        undo *u = &HY_VEC_AT(&s->undo, undo, i);
        store_field_at(s, u->field)->rebuild = false;
        free_undo(s, u);
    }
    s->undo.len = 0;
    s->in_txn = false;
}

hy_err store_push_rebuild_undo(hy_store *s, uint32_t index)
{
    field *f = store_field_at(s, index);
    if (f->rebuild)
        return HY_OK; /* the field is rebuilt once, whatever else the transaction did to it */
    undo u;
    memset(&u, 0, sizeof u);
    u.field = index;
    hy_vec_init(&u.removed, sizeof(reg_entry));
    HY_TRY(hy_vec_push(&s->undo, &s->alloc, &u));
    f->rebuild = true;
    return HY_OK;
}

/* Rebuilds one field's whole state by replaying the log's ops on it: the state before the
 * transaction, since the log does not hold the transaction's edits. */
static hy_err rebuild_field(hy_store *s, uint32_t index)
{
    store_field_clear(s, store_field_at(s, index));
    s->only_field = index;
    hy_err err = HY_OK;
    for (uint32_t i = 0; err == HY_OK && i < hy_log_count(s->log); i++) {
        hy_log_entry e;
        hy_log_get(s->log, i, &e);
        err = store_apply_change(s, i, &e);
        if (err != HY_E_NOMEM)
            err = HY_OK; /* a change whose ops never applied stays so */
    }
    s->only_field = UINT32_MAX;
    return err;
}

void hy_txn_rollback(hy_store *s)
{
    if (!s->in_txn)
        return;
    /* Register and counter edits are undone in reverse; a field that is rebuilt gets all of
     * its state back from the log, so its other undo records are only freed. */
    for (size_t i = s->undo.len; i-- > 0;) {
        undo *u = &HY_VEC_AT(&s->undo, undo, i);
        field *f = store_field_at(s, u->field);
        if (f->rebuild)
            continue;
        /* The edit gave the field the state it undoes, so finding it allocates nothing. */
        if (u->delta) {
            int64_t *counter;
            if (store_field_counter_mut(s, f, &counter) == HY_OK)
                *counter = (int64_t)((uint64_t)*counter - (uint64_t)u->delta);
        } else if (u->added.counter || u->removed.len) {
            reg *r;
            if (store_field_reg_mut(s, f, &r) == HY_OK)
                store_register_undo(s, r, u->added, &u->removed);
        }
        store_kind_assign(f, u->kind, u->kind_id);
    }
    for (size_t i = 0; i < s->undo.len; i++) {
        field *f = store_field_at(s, HY_VEC_AT(&s->undo, undo, i).field);
        if (f->rebuild) {
            f->rebuild = false;
            rebuild_field(s, HY_VEC_AT(&s->undo, undo, i).field);
        }
    }
    if (s->patches.len > s->txn_patches)
        store_drop_patches(s, s->txn_patches); /* nothing happened: nothing to report */
    end_txn(s);
}

hy_err hy_txn_commit(hy_store *s)
{
    if (!s->in_txn)
        return HY_E_INVALID_ARG;
    if (s->txn_broken) {
        hy_txn_rollback(s);
        return HY_E_NOMEM;
    }
    if (s->txn_ops == 0) {
        end_txn(s);
        return HY_OK;
    }
    /* The ops: the table of actors the preds name, then the body. */
    hy_writer ops;
    hy_writer_init(&ops, s->alloc);
    hy_write_varint(&ops, s->txn_actors.len);
    hy_write_bytes(&ops, s->txn_actors.data, s->txn_actors.len * HY_KEY_LEN);
    hy_write_bytes(&ops, s->txn_body.data, s->txn_body.len);
    hy_err err = ops.err ? ops.err : s->txn_body.err;
    if (err == HY_OK) {
        int64_t now = s->platform.now_ms ? s->platform.now_ms(s->platform.user) : 0;
        s->committing = true;
        err = hy_log_commit(s->log, now, s->txn_ops, ops.data, ops.len, NULL);
        s->committing = false;
    }
    hy_writer_free(&ops);
    if (err) {
        hy_txn_rollback(s);
        return err;
    }
    end_txn(s);
    store_deliver(s);
    return HY_OK;
}

hy_err store_edit_begin(hy_store *s, bool *implicit)
{
    *implicit = !s->in_txn;
    return *implicit ? hy_txn_begin(s) : HY_OK;
}

hy_err store_edit_end(hy_store *s, bool implicit, hy_err err)
{
    if (!implicit)
        return err;
    if (err) {
        hy_txn_rollback(s);
        return err;
    }
    return hy_txn_commit(s);
}

op_id store_next_local_ids(hy_store *s, uint64_t n)
{
    op_id id = { hy_log_local_actor(s->log), s->txn_next_op + s->txn_ops };
    s->txn_ops += n;
    return id;
}

/* 0 for the author, k for the k-th key of the change's actor table. */
static hy_err actor_ref(hy_store *s, uint32_t actor, uint64_t *ref)
{
    *ref = 0;
    if (actor == hy_log_local_actor(s->log))
        return HY_OK;
    const uint8_t *key = hy_log_actor_key(s->log, actor);
    size_t k = 0;
    while (k < s->txn_actors.len && memcmp(hy_vec_at(&s->txn_actors, k), key, HY_KEY_LEN))
        k++;
    if (k == s->txn_actors.len)
        HY_TRY(hy_vec_push(&s->txn_actors, &s->alloc, key));
    *ref = k + 1;
    return HY_OK;
}

hy_err store_write_pred(hy_store *s, op_id id)
{
    uint64_t ref;
    HY_TRY(actor_ref(s, id.actor, &ref));
    hy_write_varint(&s->txn_body, ref);
    hy_write_varint(&s->txn_body, id.counter);
    return s->txn_body.err;
}

hy_err store_write_ids(hy_store *s, const op_id *ids, size_t n)
{
    hy_write_varint(&s->txn_body, n);
    for (size_t i = 0; i < n; i++)
        HY_TRY(store_write_pred(s, ids[i]));
    return s->txn_body.err;
}

hy_err store_body_written(hy_store *s)
{
    if (s->txn_body.err)
        s->txn_broken = true;
    return s->txn_body.err;
}

hy_err store_write_origin(hy_store *s, hy_id id)
{
    if (id.counter == HY_SEQ_NONE) {
        hy_write_varint(&s->txn_body, 0);
        return s->txn_body.err;
    }
    uint64_t ref;
    HY_TRY(actor_ref(s, id.actor, &ref));
    hy_write_varint(&s->txn_body, ref + 1);
    hy_write_varint(&s->txn_body, id.counter);
    return s->txn_body.err;
}

/* Sequence fields: what text and list fields share over the sequence CRDT (state/seq.h): the
 * field's sequence, local inserts and deletes with their origins and ranges, and the
 * replicated ops. Text elements are code points; list elements are handles of values. */
#include "store_internal.h"

#include "alloc.h"
#include "try.h"

#include <string.h>

hy_err store_seq_of(hy_store *s, uint32_t index, enum field_kind kind, hy_seq **out)
{
    field_more *m;
    HY_TRY(store_field_more_mut(s, store_field_at(s, index), &m));
    /* Text and list keep apart, so that a type clash between writers mixes no elements. */
    hy_seq **seq = kind == FIELD_TEXT ? &m->text : &m->list;
    if (*seq == NULL) {
        /* Sequence ties break by actor key: indexes differ between replicas. */
        hy_seq_config cfg = { s->hash_seed ^ index, store_actor_cmp, s };
        HY_TRY(hy_seq_new(&s->alloc, &cfg, seq));
    }
    *out = *seq;
    return HY_OK;
}

hy_err store_seq_for_edit(hy_store *s, uint32_t index, enum field_kind kind, hy_seq **out)
{
    if (!store_field_accepts(store_field_at(s, index), kind))
        return HY_E_INVALID_ARG;
    return store_seq_of(s, index, kind, out);
}

static hy_id seq_id(op_id id)
{
    hy_id out = { id.actor, id.counter };
    return out;
}

hy_err store_seq_insert(hy_store *s, uint32_t index, enum field_kind kind, hy_seq *seq,
                        size_t pos, const uint32_t *values, size_t n)
{
    if (pos > hy_seq_len(seq))
        return HY_E_INVALID_ARG;
    HY_TRY(store_push_rebuild_undo(s, index));
    op_id id = store_next_local_ids(s, n);
    hy_seq_op op;
    HY_TRY(hy_seq_insert(seq, pos, seq_id(id), values, n, &op));
    store_set_kind(s, index, kind, id);
    if (store_write_origin(s, op.origin_left) || store_write_origin(s, op.origin_right)) {
        s->txn_broken = true; /* the state has the insert, the body cannot: undo it all */
        return HY_E_NOMEM;
    }
    return HY_OK;
}

hy_err store_seq_delete(hy_store *s, const char *c, const char *k, const char *name,
                        enum op_kind op, enum field_kind kind, size_t pos, size_t n)
{
    if (n == 0)
        return HY_OK;
    uint32_t index;
    HY_TRY(store_field(s, c, k, name, op, &index));
    hy_seq *seq;
    HY_TRY(store_seq_for_edit(s, index, kind, &seq));
    if (pos > hy_seq_len(seq) || n > hy_seq_len(seq) - pos)
        return HY_E_INVALID_ARG;
    HY_TRY(store_push_rebuild_undo(s, index));
    hy_vec ranges;
    hy_vec_init(&ranges, sizeof(hy_seq_range));
    hy_err err = hy_seq_delete(seq, pos, n, &ranges);
    if (err) {
        hy_vec_free(&ranges, &s->alloc);
        return err;
    }
    op_id id = store_next_local_id(s);
    store_set_kind(s, index, kind, id);
    hy_write_varint(&s->txn_body, ranges.len);
    for (size_t i = 0; i < ranges.len && err == HY_OK; i++) {
        const hy_seq_range *r = hy_vec_at(&ranges, i);
        op_id first = { r->first.actor, r->first.counter };
        err = store_write_pred(s, first);
        hy_write_varint(&s->txn_body, r->n);
    }
    hy_vec_free(&ranges, &s->alloc);
    if (err || s->txn_body.err) {
        s->txn_broken = true; /* the state has the delete, the body cannot: undo it all */
        return HY_E_NOMEM;
    }
    hy_patch_kind patch = kind == FIELD_TEXT ? HY_PATCH_TEXT_DELETE : HY_PATCH_LIST_DELETE;
    store_note_text(s, index, patch, pos, n, NULL);
    return HY_OK;
}

hy_err store_seq_remove_all(hy_store *s, const removal_target *t, enum field_kind kind)
{
    const field_more *m = store_field_more(store_field_at(s, t->index));
    const hy_seq *seq = kind == FIELD_TEXT ? m->text : m->list;
    size_t len = seq ? hy_seq_len(seq) : 0;
    if (len == 0)
        return HY_E_NOT_FOUND;
    enum op_kind op = kind == FIELD_TEXT ? OP_TEXT_DELETE : OP_LIST_DELETE;
    return store_seq_delete(s, t->collection, t->key, t->name, op, kind, 0, len);
}

hy_err store_seq_apply_insert(hy_store *s, uint32_t index, enum field_kind kind, op_id id,
                              const hy_seq_op *op, size_t *landed)
{
    hy_seq *seq;
    HY_TRY(store_seq_of(s, index, kind, &seq));
    HY_TRY(hy_seq_apply_insert(seq, op, landed));
    store_set_kind(s, index, kind, id);
    return HY_OK;
}

typedef struct removal {
    hy_store *s;
    uint32_t field;
    hy_patch_kind patch;
} removal;

static void note_removed(void *user, size_t index, size_t n)
{
    removal *rm = user;
    store_note_text(rm->s, rm->field, rm->patch, index, n, NULL);
}

hy_err store_seq_apply_delete(hy_store *s, uint32_t index, enum field_kind kind, op_id id,
                              hy_id first, size_t n)
{
    hy_seq *seq;
    HY_TRY(store_seq_of(s, index, kind, &seq));
    removal rm = { s, index, kind == FIELD_TEXT ? HY_PATCH_TEXT_DELETE : HY_PATCH_LIST_DELETE };
    HY_TRY(hy_seq_apply_delete(seq, first, n, note_removed, &rm));
    store_set_kind(s, index, kind, id);
    return HY_OK;
}

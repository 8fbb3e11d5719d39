/* List fields: a sequence (state/seq.h, shared with text through store_seq.c) whose elements
 * are handles into the field's table of values. A handle is local to this replica (never
 * written anywhere); ops carry the value itself. */
#include "store_internal.h"

#include "alloc.h"
#include "try.h"

#include <string.h>

/* A copy of value in a free slot of the field's table (room for it reserved): *handle names
 * it once it is pushed. */
static hy_err copy_for_table(hy_store *s, field_more *m, const hy_value *value, hy_value *copy,
                             uint32_t *handle)
{
    if (m->list_values.len >= UINT32_MAX)
        return HY_E_LIMIT;
    HY_TRY(hy_vec_reserve(&m->list_values, &s->alloc, m->list_values.len + 1));
    HY_TRY(store_value_copy(s, value, copy));
    *handle = (uint32_t)m->list_values.len;
    return HY_OK;
}

hy_err store_list_apply_insert(hy_store *s, uint32_t index, op_id id, hy_seq_op *op,
                               const hy_value *value)
{
    field_more *m;
    HY_TRY(store_field_more_mut(s, store_field_at(s, index), &m));
    hy_value copy;
    uint32_t handle;
    HY_TRY(copy_for_table(s, m, value, &copy, &handle));
    op->n = 1;
    op->values = &handle;
    size_t landed;
    hy_err err = store_seq_apply_insert(s, index, FIELD_LIST, id, op, &landed);
    if (err || landed == SIZE_MAX) { /* not inserted, or a duplicate */
        store_value_free(s, &copy);
        return err;
    }
    hy_vec_push(&m->list_values, &s->alloc, &copy); /* room reserved */
    store_note_value(s, index, HY_PATCH_LIST_INSERT, landed, value);
    return HY_OK;
}

void store_list_free(hy_store *s, field_more *m)
{
    hy_seq_free(m->list);
    m->list = NULL;
    for (size_t i = 0; i < m->list_values.len; i++)
        store_value_free(s, &HY_VEC_AT(&m->list_values, hy_value, i));
    hy_vec_free(&m->list_values, &s->alloc);
}

/* ---- public ---- */

static hy_err insert_in_txn(hy_store *s, const char *c, const char *k, const char *name,
                            size_t pos, const hy_value *value)
{
    HY_TRY(store_value_check(value));
    uint32_t index;
    HY_TRY(store_field(s, c, k, name, OP_LIST_INSERT, &index));
    hy_seq *seq;
    HY_TRY(store_seq_for_edit(s, index, FIELD_LIST, &seq));
    field_more *m;
    HY_TRY(store_field_more_mut(s, store_field_at(s, index), &m)); /* made with seq */
    hy_value copy;
    uint32_t handle;
    HY_TRY(copy_for_table(s, m, value, &copy, &handle));
    size_t len = hy_seq_len(seq);
    hy_err err = store_seq_insert(s, index, FIELD_LIST, seq, pos, &handle, 1);
    if (hy_seq_len(seq) == len) { /* the insert did not apply */
        store_value_free(s, &copy);
        return err;
    }
    hy_vec_push(&m->list_values, &s->alloc, &copy); /* room reserved */
    HY_TRY(err);
    store_value_write(&s->txn_body, value);
    HY_TRY(store_body_written(s));
    store_note_value(s, index, HY_PATCH_LIST_INSERT, pos, value);
    return HY_OK;
}

hy_err hy_list_insert(hy_store *s, const char *c, const char *k, const char *name,
                      size_t index, const hy_value *value)
{
    if (value == NULL)
        return HY_E_INVALID_ARG;
    EDIT(s, insert_in_txn(s, c, k, name, index, value));
}

hy_err hy_list_delete(hy_store *s, const char *c, const char *k, const char *name,
                      size_t index, size_t n)
{
    EDIT(s, store_seq_delete(s, c, k, name, OP_LIST_DELETE, FIELD_LIST, index, n));
}

/* The field's list for reading: NULL (empty) when never written. */
static hy_err list_for_read(hy_store *s, const char *c, const char *k, const char *name,
                            const field_more **m)
{
    const field *f;
    HY_TRY(store_field_of_kind(s, c, k, name, FIELD_LIST, &f));
    *m = f && store_field_more(f)->list ? store_field_more(f) : NULL;
    return HY_OK;
}

hy_err hy_list_len(hy_store *s, const char *c, const char *k, const char *name, size_t *out)
{
    const field_more *m;
    if (out == NULL)
        return HY_E_INVALID_ARG;
    HY_TRY(list_for_read(s, c, k, name, &m));
    *out = m ? hy_seq_len(m->list) : 0;
    return HY_OK;
}

hy_err hy_list_get(hy_store *s, const char *c, const char *k, const char *name, size_t index,
                   hy_value *out)
{
    const field_more *m;
    if (out == NULL)
        return HY_E_INVALID_ARG;
    HY_TRY(list_for_read(s, c, k, name, &m));
    if (m == NULL || index >= hy_seq_len(m->list))
        return HY_E_NOT_FOUND;
    *out = HY_VEC_AT(&m->list_values, hy_value, hy_seq_get(m->list, index));
    return HY_OK;
}

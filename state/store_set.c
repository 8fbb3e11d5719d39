/* Sets: each value keeps the ids of the adds that put it there; a remove drops only the adds
 * it saw, so an add made concurrently survives (add wins). Values compare by type, then by
 * content (doubles by their bits, so NaN equals itself and -0 differs from 0), which is also
 * the order every replica lists them in. */
#include "store_internal.h"

#include "alloc.h"
#include "try.h"

#include <string.h>

static int compare_values(const hy_value *a, const hy_value *b)
{
    if (a->type != b->type)
        return a->type < b->type ? -1 : 1;
    switch (a->type) {
    case HY_TYPE_NULL:
        return 0;
    case HY_TYPE_BOOL:
        return (a->as.boolean != 0) - (b->as.boolean != 0);
    case HY_TYPE_INT:
        return (a->as.integer > b->as.integer) - (a->as.integer < b->as.integer);
    case HY_TYPE_DOUBLE: {
        uint64_t x, y;
        memcpy(&x, &a->as.number, sizeof x);
        memcpy(&y, &b->as.number, sizeof y);
        return (x > y) - (x < y);
    }
    case HY_TYPE_STRING:
    case HY_TYPE_BYTES: {
        size_t n = a->as.bytes.len < b->as.bytes.len ? a->as.bytes.len : b->as.bytes.len;
        int c = n ? memcmp(a->as.bytes.data, b->as.bytes.data, n) : 0;
        if (c)
            return c;
        return (a->as.bytes.len > b->as.bytes.len) - (a->as.bytes.len < b->as.bytes.len);
    }
    }
    return 0;
}

static set_element *element_at(const field_more *m, size_t i)
{
    return &HY_VEC_AT(&m->elements, set_element, i);
}

/* The index of value, or where it would go (*found false). */
static size_t find(const field_more *m, const hy_value *value, bool *found)
{
    size_t lo = 0, hi = m->elements.len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = compare_values(&element_at(m, mid)->value, value);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return lo;
}

hy_err store_set_add(hy_store *s, uint32_t index, op_id id, const hy_value *value)
{
    field_more *m;
    HY_TRY(store_field_more_mut(s, store_field_at(s, index), &m));
    bool found;
    size_t at = find(m, value, &found);
    if (!found) {
        set_element e;
        hy_vec_init(&e.tags, sizeof(op_id));
        HY_TRY(hy_vec_reserve(&m->elements, &s->alloc, m->elements.len + 1));
        HY_TRY(hy_vec_push(&e.tags, &s->alloc, &id));
        hy_err err = store_value_copy(s, value, &e.value);
        if (err) {
            hy_vec_free(&e.tags, &s->alloc);
            return err;
        }
        memmove(element_at(m, at) + 1, element_at(m, at),
                (m->elements.len - at) * sizeof(set_element));
        *element_at(m, at) = e;
        m->elements.len++;
        store_note_value(s, index, HY_PATCH_ELEMENT_ADD, 0, value);
    } else {
        HY_TRY(hy_vec_push(&element_at(m, at)->tags, &s->alloc, &id));
    }
    store_set_kind(s, index, FIELD_SET, id);
    return HY_OK;
}

hy_err store_set_remove(hy_store *s, uint32_t index, const hy_value *value,
                        const op_id *tags, size_t tag_count)
{
    bool found;
    size_t at = find(store_field_more(store_field_at(s, index)), value, &found);
    if (!found)
        return HY_OK; /* every add it saw is gone already */
    field_more *m;
    HY_TRY(store_field_more_mut(s, store_field_at(s, index), &m)); /* it has one */
    set_element *e = element_at(m, at);
    size_t kept = 0;
    for (size_t i = 0; i < e->tags.len; i++) {
        op_id t = HY_VEC_AT(&e->tags, op_id, i);
        bool seen = false;
        for (size_t k = 0; k < tag_count && !seen; k++)
            seen = tags[k].actor == t.actor && tags[k].counter == t.counter;
        if (!seen)
            HY_VEC_AT(&e->tags, op_id, kept++) = t;
    }
    e->tags.len = kept;
    if (kept == 0) {
        store_note_value(s, index, HY_PATCH_ELEMENT_REMOVE, 0, &e->value);
        store_value_free(s, &e->value);
        hy_vec_free(&e->tags, &s->alloc);
        memmove(e, e + 1, (m->elements.len - at - 1) * sizeof *e);
        m->elements.len--;
    }
    return HY_OK;
}

void store_set_free(hy_store *s, field_more *m)
{
    for (size_t i = 0; i < m->elements.len; i++) {
        store_value_free(s, &element_at(m, i)->value);
        hy_vec_free(&element_at(m, i)->tags, &s->alloc);
    }
    hy_vec_free(&m->elements, &s->alloc);
}

/* ---- public ---- */

/* The set field for a local edit, refusing fields of another type. */
static hy_err set_for_edit(hy_store *s, uint32_t index)
{
    return store_field_accepts(store_field_at(s, index), FIELD_SET) ? HY_OK : HY_E_INVALID_ARG;
}

static hy_err add_in_txn(hy_store *s, const char *c, const char *k, const char *name,
                         const hy_value *v)
{
    HY_TRY(store_value_check(v));
    uint32_t index;
    HY_TRY(store_field(s, c, k, name, OP_SET_ADD, &index));
    HY_TRY(set_for_edit(s, index));
    store_value_write(&s->txn_body, v);
    HY_TRY(s->txn_body.err);
    HY_TRY(store_push_rebuild_undo(s, index));
    /* On failure the set is unchanged (and the undo entry only rebuilds it as it is). */
    return store_set_add(s, index, store_next_local_id(s), v);
}

static hy_err delete_in_txn(hy_store *s, const char *c, const char *k, const char *name,
                            const hy_value *v)
{
    HY_TRY(store_value_check(v));
    uint32_t index;
    HY_TRY(store_field(s, c, k, name, OP_NONE, &index));
    bool found;
    size_t at = find(store_field_more(store_field_at(s, index)), v, &found);
    if (!found || set_for_edit(s, index))
        return found ? HY_E_INVALID_ARG : HY_E_NOT_FOUND;
    HY_TRY(store_field(s, c, k, name, OP_SET_REMOVE, &index));
    store_value_write(&s->txn_body, v);
    const set_element *e = element_at(store_field_more(store_field_at(s, index)), at);
    if (e->tags.len > MAX_PREDS)
        return HY_E_LIMIT;
    op_id tags[MAX_PREDS];
    size_t n = e->tags.len;
    memcpy(tags, e->tags.data, n * sizeof *tags);
    HY_TRY(store_write_ids(s, tags, n));
    HY_TRY(store_push_rebuild_undo(s, index));
    store_next_local_id(s);
    return store_set_remove(s, index, v, tags, n);
}

/* Removes the set's last value: the remove names every add this replica sees, so the value
 * leaves the set. */
static hy_err remove_last(hy_store *s, const removal_target *t)
{
    const field_more *m = store_field_more(store_field_at(s, t->index));
    /* The element's own value: the remove reads it until it frees it with the element. */
    return delete_in_txn(s, t->collection, t->key, t->name,
                         &element_at(m, m->elements.len - 1)->value);
}

hy_err store_set_remove_all(hy_store *s, const removal_target *t)
{
    size_t total = store_field_more(store_field_at(s, t->index))->elements.len;
    return total ? store_remove_each(s, t, total, remove_last) : HY_E_NOT_FOUND;
}

hy_err hy_set_add(hy_store *s, const char *c, const char *k, const char *name, const hy_value *v)
{
    if (v == NULL)
        return HY_E_INVALID_ARG;
    EDIT(s, add_in_txn(s, c, k, name, v));
}

hy_err hy_set_delete(hy_store *s, const char *c, const char *k, const char *name,
                     const hy_value *v)
{
    if (v == NULL)
        return HY_E_INVALID_ARG;
    EDIT(s, delete_in_txn(s, c, k, name, v));
}

hy_err hy_set_has(hy_store *s, const char *c, const char *k, const char *name,
                  const hy_value *v, int *present)
{
    const field *f;
    if (v == NULL || present == NULL)
        return HY_E_INVALID_ARG;
    HY_TRY(store_field_of_kind(s, c, k, name, FIELD_SET, &f));
    bool found = false;
    if (f)
        find(store_field_more(f), v, &found);
    *present = found;
    return HY_OK;
}

size_t hy_set_count(hy_store *s, const char *c, const char *k, const char *name)
{
    const field *f;
    return store_field_of_kind(s, c, k, name, FIELD_SET, &f) == HY_OK && f
               ? store_field_more(f)->elements.len
               : 0;
}

hy_err hy_set_item(hy_store *s, const char *c, const char *k, const char *name, size_t i,
                   hy_value *out)
{
    const field *f;
    if (out == NULL)
        return HY_E_INVALID_ARG;
    HY_TRY(store_field_of_kind(s, c, k, name, FIELD_SET, &f));
    if (f == NULL || i >= store_field_more(f)->elements.len)
        return HY_E_NOT_FOUND;
    *out = element_at(store_field_more(f), i)->value;
    return HY_OK;
}

/* Nested maps: a field holding named entries, each a register (store_register_* in
 * store_apply.c, as a field's own), kept in byte order of their names so that every replica
 * lists them alike. An entry whose register is emptied leaves the map. One level deep
 * (docs/decisions.md, "The record store"). */
#include "store_internal.h"

#include "alloc.h"
#include "try.h"

#include <string.h>

static map_entry *entry_at(const field_more *m, size_t i)
{
    return &HY_VEC_AT(&m->map, map_entry, i);
}

static int compare_name(const map_entry *e, const char *name, size_t len)
{
    size_t n = e->name_len < len ? e->name_len : len;
    int c = n ? memcmp(e->name, name, n) : 0;
    if (c)
        return c;
    return (e->name_len > len) - (e->name_len < len);
}

/* The index of entry name, or where it would go (*found false). */
static size_t find(const field_more *m, const char *name, size_t len, bool *found)
{
    size_t lo = 0, hi = m->map.len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = compare_name(entry_at(m, mid), name, len);
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

const map_entry *store_map_find(const field_more *m, const char *name, size_t len)
{
    bool found;
    size_t at = find(m, name, len, &found);
    return found ? entry_at(m, at) : NULL;
}

/* A new entry holding one write, inserted at `at`; on error nothing changed. */
static hy_err add_entry(hy_store *s, field_more *m, size_t at, const char *name, size_t len,
                        op_id id, const hy_value *value)
{
    map_entry e;
    memset(&e, 0, sizeof e);
    e.name_len = (uint8_t)len;
    HY_TRY(hy_vec_reserve(&m->map, &s->alloc, m->map.len + 1));
    e.name = hy_alloc(&s->alloc, len + 1);
    if (e.name == NULL)
        return HY_E_NOMEM;
    memcpy(e.name, name, len);
    e.name[len] = '\0';
    /* No preds: a write that saw the entry finds it present. */
    hy_err err = store_register_put(s, &e.reg, id, value, NULL, 0, NULL);
    if (err) {
        hy_free(&s->alloc, e.name, len + 1);
        return err;
    }
    memmove(entry_at(m, at) + 1, entry_at(m, at), (m->map.len - at) * sizeof e);
    *entry_at(m, at) = e;
    m->map.len++;
    return HY_OK;
}

static void drop_entry(hy_store *s, field_more *m, size_t at)
{
    map_entry *e = entry_at(m, at);
    store_register_free(s, &e->reg);
    hy_free(&s->alloc, e->name, (size_t)e->name_len + 1);
    memmove(e, e + 1, (m->map.len - at - 1) * sizeof *e);
    m->map.len--;
}

hy_err store_map_put(hy_store *s, uint32_t index, const char *name, size_t len, op_id id,
                     const hy_value *value, const op_id *preds, size_t pred_count)
{
    field_more *m;
    HY_TRY(store_field_more_mut(s, store_field_at(s, index), &m));
    bool found;
    size_t at = find(m, name, len, &found);
    if (found)
        HY_TRY(store_register_put(s, &entry_at(m, at)->reg, id, value, preds, pred_count, NULL));
    else
        HY_TRY(add_entry(s, m, at, name, len, id, value));
    store_set_kind(s, index, FIELD_MAP, id);
    store_note_entry(s, index, name, len);
    return HY_OK;
}

hy_err store_map_remove(hy_store *s, uint32_t index, const char *name, size_t len, op_id id,
                        const op_id *preds, size_t pred_count)
{
    field *f = store_field_at(s, index);
    bool found;
    size_t at = find(store_field_more(f), name, len, &found);
    if (found) {
        field_more *m;
        HY_TRY(store_field_more_mut(s, f, &m)); /* it has one */
        map_entry *e = entry_at(m, at);
        HY_TRY(store_register_remove(s, &e->reg, preds, pred_count, NULL));
        store_note_entry(s, index, name, len); /* before name, which may be the entry's, goes */
        if (store_reg_len(&e->reg) == 0)
            drop_entry(s, m, at);
    }
    store_set_kind(s, index, FIELD_MAP, id);
    return HY_OK;
}

void store_map_free(hy_store *s, field_more *m)
{
    while (m->map.len)
        drop_entry(s, m, m->map.len - 1);
    hy_vec_free(&m->map, &s->alloc);
}

/* ---- public ---- */

/* Begins an op on entry name of a map field after its path: checks the field's type, writes
 * the name, and gives the entry's current ids (the op's preds). */
static hy_err begin_entry_edit(hy_store *s, uint32_t index, const char *name, size_t len,
                               op_id preds[MAX_PREDS], size_t *count)
{
    const field *f = store_field_at(s, index);
    if (!store_field_accepts(f, FIELD_MAP))
        return HY_E_INVALID_ARG; /* a map op on another type */
    const map_entry *e = store_map_find(store_field_more(f), name, len);
    *count = 0;
    if (e)
        HY_TRY(store_register_ids(&e->reg, preds, count));
    hy_write_u8(&s->txn_body, (uint8_t)len);
    hy_write_bytes(&s->txn_body, name, len);
    return s->txn_body.err;
}

static hy_err put_in_txn(hy_store *s, const char *c, const char *k, const char *field_name,
                         const char *name, const hy_value *value)
{
    size_t len;
    HY_TRY(store_value_check(value));
    HY_TRY(store_name_check(name, &len));
    uint32_t index;
    HY_TRY(store_field(s, c, k, field_name, OP_MAP_PUT, &index));
    op_id preds[MAX_PREDS];
    size_t count;
    HY_TRY(begin_entry_edit(s, index, name, len, preds, &count));
    store_value_write(&s->txn_body, value);
    HY_TRY(store_write_ids(s, preds, count));
    HY_TRY(store_push_rebuild_undo(s, index));
    return store_map_put(s, index, name, len, store_next_local_id(s), value, preds, count);
}

static hy_err remove_in_txn(hy_store *s, const char *c, const char *k, const char *field_name,
                            const char *name)
{
    size_t len;
    HY_TRY(store_name_check(name, &len));
    uint32_t index;
    HY_TRY(store_field(s, c, k, field_name, OP_NONE, &index));
    const field *f = store_field_at(s, index);
    if (!store_field_accepts(f, FIELD_MAP))
        return HY_E_INVALID_ARG;
    if (store_map_find(store_field_more(f), name, len) == NULL)
        return HY_E_NOT_FOUND;
    HY_TRY(store_field(s, c, k, field_name, OP_MAP_REMOVE, &index));
    op_id preds[MAX_PREDS];
    size_t count;
    HY_TRY(begin_entry_edit(s, index, name, len, preds, &count));
    HY_TRY(store_write_ids(s, preds, count));
    HY_TRY(store_push_rebuild_undo(s, index));
    return store_map_remove(s, index, name, len, store_next_local_id(s), preds, count);
}

/* Removes the map's last entry: the remove takes every value this replica sees, so the
 * entry leaves the map. */
static hy_err remove_last(hy_store *s, const removal_target *t)
{
    const field_more *m = store_field_more(store_field_at(s, t->index));
    return remove_in_txn(s, t->collection, t->key, t->name, entry_at(m, m->map.len - 1)->name);
}

hy_err store_map_remove_all(hy_store *s, const removal_target *t)
{
    size_t total = store_field_more(store_field_at(s, t->index))->map.len;
    return total ? store_remove_each(s, t, total, remove_last) : HY_E_NOT_FOUND;
}

hy_err hy_map_put(hy_store *s, const char *c, const char *k, const char *field_name,
                  const char *name, const hy_value *value)
{
    if (value == NULL)
        return HY_E_INVALID_ARG;
    EDIT(s, put_in_txn(s, c, k, field_name, name, value));
}

hy_err hy_map_remove(hy_store *s, const char *c, const char *k, const char *field_name,
                     const char *name)
{
    EDIT(s, remove_in_txn(s, c, k, field_name, name));
}

/* The field's map for reading: NULL (empty) when never written. */
static hy_err map_for_read(hy_store *s, const char *c, const char *k, const char *field_name,
                           const field **f)
{
    return store_field_of_kind(s, c, k, field_name, FIELD_MAP, f);
}

/* The entry for reading; HY_E_NOT_FOUND when absent. */
static hy_err entry_for_read(hy_store *s, const char *c, const char *k, const char *field_name,
                             const char *name, const map_entry **e)
{
    size_t len;
    const field *f;
    HY_TRY(store_name_check(name, &len));
    HY_TRY(map_for_read(s, c, k, field_name, &f));
    *e = f ? store_map_find(store_field_more(f), name, len) : NULL;
    return *e ? HY_OK : HY_E_NOT_FOUND;
}

hy_err hy_map_get(hy_store *s, const char *c, const char *k, const char *field_name,
                  const char *name, hy_value *out)
{
    return hy_map_get_conflict(s, c, k, field_name, name, 0, out);
}

size_t hy_map_get_conflicts(hy_store *s, const char *c, const char *k, const char *field_name,
                            const char *name)
{
    const map_entry *e;
    return entry_for_read(s, c, k, field_name, name, &e) == HY_OK ? store_reg_len(&e->reg) : 0;
}

hy_err hy_map_get_conflict(hy_store *s, const char *c, const char *k, const char *field_name,
                           const char *name, size_t i, hy_value *out)
{
    const map_entry *e;
    if (out == NULL)
        return HY_E_INVALID_ARG;
    HY_TRY(entry_for_read(s, c, k, field_name, name, &e));
    if (i >= store_reg_len(&e->reg))
        return HY_E_NOT_FOUND;
    *out = store_entry_value(store_reg_at(&e->reg, i));
    return HY_OK;
}

size_t hy_map_count(hy_store *s, const char *c, const char *k, const char *field_name)
{
    const field *f;
    return map_for_read(s, c, k, field_name, &f) == HY_OK && f ? store_field_more(f)->map.len
                                                              : 0;
}

hy_err hy_map_name(hy_store *s, const char *c, const char *k, const char *field_name, size_t i,
                   const char **name)
{
    const field *f;
    if (name == NULL)
        return HY_E_INVALID_ARG;
    HY_TRY(map_for_read(s, c, k, field_name, &f));
    if (f == NULL || i >= store_field_more(f)->map.len)
        return HY_E_NOT_FOUND;
    *name = entry_at(store_field_more(f), i)->name;
    return HY_OK;
}

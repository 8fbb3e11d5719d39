/* Nested maps: a field holding named entries, each a register (store_register_* in
 * store_apply.c, as a field's own), kept in byte order of their names so that every replica
 * lists them alike. An entry whose register is emptied leaves the map. One level deep
 * (docs/decisions.md, "The record store"). */
#include "store_internal.h"

#include "alloc.h"
#include "try.h"

#include <string.h>

static map_entry *entry_at(const field *f, size_t i)
{
    return &HY_VEC_AT(&f->map, map_entry, i);
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
static size_t find(const field *f, const char *name, size_t len, bool *found)
{
    size_t lo = 0, hi = f->map.len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = compare_name(entry_at(f, mid), name, len);
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

const map_entry *store_map_find(const field *f, const char *name, size_t len)
{
    bool found;
    size_t at = find(f, name, len, &found);
    return found ? entry_at(f, at) : NULL;
}

/* A new entry holding one write, inserted at `at`; on error nothing changed. */
static hy_err add_entry(hy_store *s, field *f, size_t at, const char *name, size_t len,
                        op_id id, const hy_value *value)
{
    map_entry e;
    hy_vec_init(&e.entries, sizeof(reg_entry));
    e.name_len = len;
    HY_TRY(hy_vec_reserve(&f->map, &s->alloc, f->map.len + 1));
    e.name = hy_alloc(&s->alloc, len + 1);
    if (e.name == NULL)
        return HY_E_NOMEM;
    memcpy(e.name, name, len);
    e.name[len] = '\0';
    /* No preds: a write that saw the entry finds it present. */
    hy_err err = store_register_put(s, &e.entries, id, value, NULL, 0, NULL);
    if (err) {
        hy_vec_free(&e.entries, &s->alloc);
        hy_free(&s->alloc, e.name, len + 1);
        return err;
    }
    memmove(entry_at(f, at) + 1, entry_at(f, at), (f->map.len - at) * sizeof e);
    *entry_at(f, at) = e;
    f->map.len++;
    return HY_OK;
}

static void drop_entry(hy_store *s, field *f, size_t at)
{
    map_entry *e = entry_at(f, at);
    store_register_free(s, &e->entries);
    hy_free(&s->alloc, e->name, e->name_len + 1);
    memmove(e, e + 1, (f->map.len - at - 1) * sizeof *e);
    f->map.len--;
}

hy_err store_map_put(hy_store *s, uint32_t index, const char *name, size_t len, op_id id,
                     const hy_value *value, const op_id *preds, size_t pred_count)
{
    field *f = store_field_at(s, index);
    bool found;
    size_t at = find(f, name, len, &found);
    if (found)
        HY_TRY(store_register_put(s, &entry_at(f, at)->entries, id, value, preds, pred_count,
                                  NULL));
    else
        HY_TRY(add_entry(s, f, at, name, len, id, value));
    store_set_kind(s, index, FIELD_MAP, id);
    store_note_entry(s, index, name, len);
    return HY_OK;
}

hy_err store_map_remove(hy_store *s, uint32_t index, const char *name, size_t len, op_id id,
                        const op_id *preds, size_t pred_count)
{
    field *f = store_field_at(s, index);
    bool found;
    size_t at = find(f, name, len, &found);
    if (found) {
        map_entry *e = entry_at(f, at);
        HY_TRY(store_register_remove(s, &e->entries, preds, pred_count, NULL));
        store_note_entry(s, index, name, len); /* before name, which may be the entry's, goes */
        if (e->entries.len == 0)
            drop_entry(s, f, at);
    }
    store_set_kind(s, index, FIELD_MAP, id);
    return HY_OK;
}

void store_map_free(hy_store *s, field *f)
{
    while (f->map.len)
        drop_entry(s, f, f->map.len - 1);
    hy_vec_free(&f->map, &s->alloc);
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
    const map_entry *e = store_map_find(f, name, len);
    *count = 0;
    if (e)
        HY_TRY(store_register_ids(&e->entries, preds, count));
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
    if (store_map_find(f, name, len) == NULL)
        return HY_E_NOT_FOUND;
    HY_TRY(store_field(s, c, k, field_name, OP_MAP_REMOVE, &index));
    op_id preds[MAX_PREDS];
    size_t count;
    HY_TRY(begin_entry_edit(s, index, name, len, preds, &count));
    HY_TRY(store_write_ids(s, preds, count));
    HY_TRY(store_push_rebuild_undo(s, index));
    return store_map_remove(s, index, name, len, store_next_local_id(s), preds, count);
}

hy_err store_map_remove_all(hy_store *s, const char *c, const char *k, const char *field_name,
                            uint32_t index)
{
    size_t total = store_field_at(s, index)->map.len;
    if (total == 0)
        return HY_E_NOT_FOUND;
    /* One remove per entry, from the last: each takes every value this replica sees, so its
     * entry leaves the map. */
    for (size_t left = total; left > 0; left--) {
        const field *f = store_field_at(s, index);
        hy_err err = remove_in_txn(s, c, k, field_name, entry_at(f, f->map.len - 1)->name);
        if (err) {
            if (left < total)
                s->txn_broken = true; /* earlier removes applied; their ops are dropped */
            return err;
        }
    }
    return HY_OK;
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
    *e = f ? store_map_find(f, name, len) : NULL;
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
    return entry_for_read(s, c, k, field_name, name, &e) == HY_OK ? e->entries.len : 0;
}

hy_err hy_map_get_conflict(hy_store *s, const char *c, const char *k, const char *field_name,
                           const char *name, size_t i, hy_value *out)
{
    const map_entry *e;
    if (out == NULL)
        return HY_E_INVALID_ARG;
    HY_TRY(entry_for_read(s, c, k, field_name, name, &e));
    if (i >= e->entries.len)
        return HY_E_NOT_FOUND;
    *out = HY_VEC_AT(&e->entries, reg_entry, i).value;
    return HY_OK;
}

size_t hy_map_count(hy_store *s, const char *c, const char *k, const char *field_name)
{
    const field *f;
    return map_for_read(s, c, k, field_name, &f) == HY_OK && f ? f->map.len : 0;
}

hy_err hy_map_name(hy_store *s, const char *c, const char *k, const char *field_name, size_t i,
                   const char **name)
{
    const field *f;
    if (name == NULL)
        return HY_E_INVALID_ARG;
    HY_TRY(map_for_read(s, c, k, field_name, &f));
    if (f == NULL || i >= f->map.len)
        return HY_E_NOT_FOUND;
    *name = entry_at(f, i)->name;
    return HY_OK;
}

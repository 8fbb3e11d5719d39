/* Registers: the entries of the writes no later write has seen, winner (newest) first. One
 * entry sits inline in the register; concurrent writes spill into an array (reg_many). */
#include "store_internal.h"

#include "alloc.h"
#include "try.h"

#include <string.h>

static bool is_inline(const reg *r)
{
    return r->spill.none != 0;
}

size_t store_reg_len(const reg *r)
{
    if (is_inline(r))
        return 1;
    return r->spill.many ? r->spill.many->len : 0;
}

static reg_entry *items(reg *r)
{
    return is_inline(r) ? &r->one : r->spill.many->items;
}

const reg_entry *store_reg_at(const reg *r, size_t i)
{
    return is_inline(r) ? &r->one : &r->spill.many->items[i];
}

static void set_len(reg *r, size_t len)
{
    if (!is_inline(r)) {
        if (r->spill.many)
            r->spill.many->len = (uint32_t)len;
    } else if (len == 0) { /* the inline entry left */
        r->spill.none = 0;
        r->spill.many = NULL;
    }
}

static size_t many_bytes(size_t cap)
{
    return sizeof(reg_many) + cap * sizeof(reg_entry);
}

/* Room for total entries: one fits inline unless the register has spilled already. */
static hy_err reserve(hy_store *s, reg *r, size_t total)
{
    reg_many *many = is_inline(r) ? NULL : r->spill.many;
    size_t cap = many ? many->cap : 1;
    if (total <= cap)
        return HY_OK;
    /* Doubling stays within the array's 32-bit count and, on 32-bit targets, its size. */
    if (total > UINT32_MAX / 2 || total > (SIZE_MAX - sizeof *many) / sizeof(reg_entry) / 2)
        return HY_E_LIMIT;
    size_t want = cap * 2 > total ? cap * 2 : total;
    size_t old_bytes = many ? many_bytes(cap) : 0;
    many = hy_realloc(&s->alloc, many, old_bytes, many_bytes(want));
    if (many == NULL)
        return HY_E_NOMEM;
    if (old_bytes == 0) {
        many->len = 0;
        if (is_inline(r))
            many->items[many->len++] = r->one;
    }
    many->cap = (uint32_t)want;
    r->spill.none = 0;
    r->spill.many = many;
    return HY_OK;
}

static bool is_pred(op_id id, const op_id *preds, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (preds[i].actor == id.actor && preds[i].counter == id.counter)
            return true;
    return false;
}

static size_t count_kept(const reg *r, const op_id *preds, size_t n)
{
    size_t kept = 0;
    for (size_t i = 0; i < store_reg_len(r); i++)
        kept += !is_pred(store_entry_id(store_reg_at(r, i)), preds, n);
    return kept;
}

/* Moves the entries an op overwrites (its preds) out of the register: into removed when
 * given (a local edit keeps them for rollback), freed otherwise. removed has room reserved. */
static void take_preds(hy_store *s, reg *r, const op_id *preds, size_t n, hy_vec *removed)
{
    size_t len = store_reg_len(r), kept = 0;
    reg_entry *e = len ? items(r) : NULL;
    for (size_t i = 0; i < len; i++) {
        if (!is_pred(store_entry_id(&e[i]), preds, n))
            e[kept++] = e[i];
        else if (removed)
            hy_vec_push(removed, &s->alloc, &e[i]);
        else
            store_entry_free(s, &e[i]);
    }
    set_len(r, kept);
}

/* Inserts e where its id ranks (winner first); room is there. */
static void insert_entry(hy_store *s, reg *r, const reg_entry *e)
{
    size_t len = store_reg_len(r);
    if (len == 0 && r->spill.many == NULL) {
        r->one = *e; /* its counter is not 0: the register now reads as inline */
        return;
    }
    reg_entry *at = items(r);
    size_t i = 0;
    while (i < len && store_id_cmp(s, store_entry_id(&at[i]), store_entry_id(e)) > 0)
        i++;
    memmove(&at[i + 1], &at[i], (len - i) * sizeof *at);
    at[i] = *e;
    set_len(r, len + 1);
}

hy_err store_register_put(hy_store *s, reg *r, op_id id, const hy_value *value,
                          const op_id *preds, size_t pred_count, hy_vec *removed)
{
    HY_TRY(reserve(s, r, count_kept(r, preds, pred_count) + 1));
    if (removed)
        HY_TRY(hy_vec_reserve(removed, &s->alloc, removed->len + store_reg_len(r)));
    reg_entry e;
    HY_TRY(store_entry_make(s, id, value, &e));
    take_preds(s, r, preds, pred_count, removed);
    insert_entry(s, r, &e);
    return HY_OK;
}

hy_err store_register_remove(hy_store *s, reg *r, const op_id *preds, size_t pred_count,
                             hy_vec *removed)
{
    if (removed)
        HY_TRY(hy_vec_reserve(removed, &s->alloc, removed->len + store_reg_len(r)));
    take_preds(s, r, preds, pred_count, removed);
    return HY_OK;
}

void store_register_undo(hy_store *s, reg *r, op_id added, hy_vec *removed)
{
    if (added.counter)
        take_preds(s, r, &added, 1, NULL);
    /* The register held these before the edit, so they fit: an inline register took out at
     * most its one entry, and a spilled one keeps its array. */
    for (size_t k = 0; k < removed->len; k++)
        insert_entry(s, r, &HY_VEC_AT(removed, reg_entry, k));
    removed->len = 0; /* ownership went back to the register */
}

void store_register_free(hy_store *s, reg *r)
{
    size_t len = store_reg_len(r);
    reg_entry *e = len ? items(r) : NULL;
    for (size_t i = 0; i < len; i++)
        store_entry_free(s, &e[i]);
    if (!is_inline(r) && r->spill.many)
        hy_free(&s->alloc, r->spill.many, many_bytes(r->spill.many->cap));
    memset(r, 0, sizeof *r);
}

hy_err store_register_ids(const reg *r, op_id ids[MAX_PREDS], size_t *count)
{
    size_t len = store_reg_len(r);
    if (len > MAX_PREDS)
        return HY_E_LIMIT;
    *count = len;
    for (size_t i = 0; i < len; i++)
        ids[i] = store_entry_id(store_reg_at(r, i));
    return HY_OK;
}

/* The store's lifecycle and its public edits and reads for registers and counters. */
#include "store_internal.h"

#include "alloc.h"
#include "ed25519.h"
#include "try.h"
#include "wipe.h"

#include <string.h>

static hy_err init_store(const hy_store_config *config, hy_store **out)
{
    if (config == NULL || config->platform == NULL || config->platform->random_bytes == NULL ||
        config->platform->version < 1 || out == NULL)
        return HY_E_INVALID_ARG;
    hy_allocator alloc = config->alloc.fn ? config->alloc : hy_allocator_default();
    hy_store *s = hy_alloc_zero(&alloc, 1, sizeof *s);
    if (s == NULL)
        return HY_E_NOMEM;
    s->alloc = alloc;
    s->platform = *config->platform;
    hy_vec_init(&s->fields, sizeof(field));
    hy_vec_init(&s->txn_actors, HY_KEY_LEN);
    hy_vec_init(&s->undo, sizeof(undo));
    hy_vec_init(&s->patches, sizeof(pending_patch));
    hy_vec_init(&s->subscriptions, sizeof(subscription));
    hy_vec_init(&s->delivered, sizeof(hy_patch));
    hy_vec_init(&s->code_points, sizeof(uint32_t));
    s->only_field = UINT32_MAX;
    hy_writer_init(&s->txn_body, alloc);
    uint8_t seed[8];
    hy_err err = s->platform.random_bytes(s->platform.user, seed, sizeof seed);
    if (err) {
        hy_free(&alloc, s, sizeof *s);
        return err;
    }
    for (int i = 0; i < 8; i++)
        s->hash_seed = s->hash_seed << 8 | seed[i];
    hy_table_init(&s->field_by_path, HY_HASH_LEN, s->hash_seed);
    *out = s;
    return HY_OK;
}

static hy_log_config log_config(hy_store *s, const hy_store_config *config)
{
    hy_log_config c;
    memset(&c, 0, sizeof c);
    c.alloc = s->alloc;
    c.hash_seed = s->hash_seed ^ 0x6a09e667f3bcc908u;
    c.require_signatures = config->require_signatures != 0;
    c.on_apply = store_on_apply;
    c.on_apply_user = s;
    c.ops_codec = &store_ops_codec;
    return c;
}

static hy_err set_actor(hy_store *s, const hy_store_config *config)
{
    uint8_t seed[HY_KEY_LEN];
    if (config->actor_seed)
        memcpy(seed, config->actor_seed, HY_KEY_LEN);
    else
        HY_TRY(s->platform.random_bytes(s->platform.user, seed, sizeof seed));
    hy_err err = hy_log_set_local(s->log, seed);
    hy_wipe(seed, sizeof seed);
    return err;
}

/* A store, empty or (data not NULL) replaying a saved log: the state is a function of the
 * log, so loading replays every change into the store. */
static hy_err open_store(const hy_store_config *config, const uint8_t *data, size_t len,
                         hy_store **out, size_t *err_offset)
{
    hy_store *s;
    HY_TRY(init_store(config, &s));
    hy_log_config lc = log_config(s, config);
    hy_err err = hy_log_new(&lc, &s->log);
    if (err == HY_OK && data)
        err = hy_log_load_into(s->log, data, len, err_offset);
    if (err == HY_OK)
        s->saved_count = hy_log_count(s->log);
    if (err == HY_OK)
        err = set_actor(s, config);
    if (err) {
        hy_store_free(s);
        return err;
    }
    *out = s;
    return HY_OK;
}

hy_err hy_store_new(const hy_store_config *config, hy_store **out)
{
    return open_store(config, NULL, 0, out, NULL);
}

hy_err hy_store_load(const hy_store_config *config, const uint8_t *data, size_t len,
                     hy_store **out, size_t *err_offset)
{
    if (data == NULL)
        return HY_E_INVALID_ARG;
    return open_store(config, data, len, out, err_offset);
}

void hy_store_free(hy_store *s)
{
    if (s == NULL)
        return;
    hy_txn_rollback(s);
    for (size_t i = 0; i < s->fields.len; i++) {
        field *f = store_field_at(s, (uint32_t)i);
        store_field_clear(s, f);
        hy_free(&s->alloc, f->path, f->path_len);
    }
    hy_vec_free(&s->code_points, &s->alloc);
    store_subscriptions_free(s);
    hy_vec_free(&s->undo, &s->alloc);
    hy_vec_free(&s->fields, &s->alloc);
    hy_vec_free(&s->txn_actors, &s->alloc);
    hy_table_free(&s->field_by_path, &s->alloc);
    hy_writer_free(&s->txn_body);
    hy_log_free(s->log);
    hy_allocator alloc = s->alloc;
    hy_free(&alloc, s, sizeof *s);
}

const uint8_t *hy_store_actor(const hy_store *s)
{
    return hy_log_actor_key(s->log, hy_log_local_actor(s->log));
}

/* ---- edits ---- */

/* Writes the preds of a register edit (every current entry) and records the undo entry. */
static hy_err begin_register_edit(hy_store *s, uint32_t index, op_id *preds, size_t *count,
                                  undo **u)
{
    field *f = store_field_at(s, index);
    if (!store_field_accepts(f, FIELD_REGISTER))
        return HY_E_INVALID_ARG; /* a register op on another type */
    HY_TRY(store_register_ids(&f->entries, preds, count));
    HY_TRY(store_write_ids(s, preds, *count));
    HY_TRY(hy_vec_push(&s->undo, &s->alloc, NULL));
    *u = &HY_VEC_AT(&s->undo, undo, s->undo.len - 1);
    (*u)->field = index;
    (*u)->kind = f->kind;
    (*u)->kind_id = f->kind_id;
    hy_vec_init(&(*u)->removed, sizeof(reg_entry));
    return HY_OK;
}

static hy_err put_in_txn(hy_store *s, const char *c, const char *k, const char *name,
                         const hy_value *value)
{
    HY_TRY(store_value_check(value));
    uint32_t index;
    HY_TRY(store_field(s, c, k, name, OP_PUT, &index));
    store_value_write(&s->txn_body, value);
    op_id preds[MAX_PREDS];
    size_t count;
    undo *u;
    HY_TRY(begin_register_edit(s, index, preds, &count, &u));
    op_id id = store_next_local_id(s);
    hy_err err = store_put(s, index, id, value, preds, count, &u->removed);
    if (err) {
        s->undo.len--;
        hy_vec_free(&u->removed, &s->alloc);
        return err;
    }
    u->added = id;
    return s->txn_body.err;
}

static hy_err remove_in_txn(hy_store *s, const char *c, const char *k, const char *name)
{
    uint32_t index;
    HY_TRY(store_field(s, c, k, name, OP_NONE, &index));
    enum field_kind kind = store_field_at(s, index)->kind;
    if (kind == FIELD_LIST)
        return store_list_remove_all(s, c, k, name, index);
    if (kind == FIELD_MAP)
        return store_map_remove_all(s, c, k, name, index);
    if (store_field_at(s, index)->entries.len == 0)
        return HY_E_NOT_FOUND;
    HY_TRY(store_field(s, c, k, name, OP_REMOVE, &index));
    op_id preds[MAX_PREDS];
    size_t count;
    undo *u;
    HY_TRY(begin_register_edit(s, index, preds, &count, &u));
    store_next_local_id(s);
    hy_err err = store_remove(s, index, preds, count, &u->removed);
    if (err) {
        s->undo.len--;
        hy_vec_free(&u->removed, &s->alloc);
    }
    return err ? err : s->txn_body.err;
}

static hy_err counter_in_txn(hy_store *s, const char *c, const char *k, const char *name,
                             int64_t delta)
{
    uint32_t index;
    HY_TRY(store_field(s, c, k, name, OP_COUNTER_ADD, &index));
    field *f = store_field_at(s, index);
    if (!store_field_accepts(f, FIELD_COUNTER))
        return HY_E_INVALID_ARG; /* a counter op on another type */
    hy_write_varint(&s->txn_body, hy_zigzag(delta));
    HY_TRY(s->txn_body.err);
    undo u;
    memset(&u, 0, sizeof u);
    u.field = index;
    u.kind = f->kind;
    u.kind_id = f->kind_id;
    u.delta = delta;
    hy_vec_init(&u.removed, sizeof(reg_entry));
    HY_TRY(hy_vec_push(&s->undo, &s->alloc, &u));
    store_counter_add(s, index, store_next_local_id(s), delta);
    return HY_OK;
}

hy_err hy_put(hy_store *s, const char *c, const char *k, const char *name, const hy_value *v)
{
    if (v == NULL)
        return HY_E_INVALID_ARG;
    EDIT(s, put_in_txn(s, c, k, name, v));
}

hy_err hy_remove(hy_store *s, const char *c, const char *k, const char *name)
{
    EDIT(s, remove_in_txn(s, c, k, name));
}

hy_err hy_counter_add(hy_store *s, const char *c, const char *k, const char *name,
                      int64_t delta)
{
    EDIT(s, counter_in_txn(s, c, k, name, delta));
}

/* ---- reads ---- */

static hy_err register_of(hy_store *s, const char *c, const char *k, const char *name,
                          const field **out)
{
    uint32_t index;
    HY_TRY(store_field(s, c, k, name, OP_NONE, &index));
    const field *f = store_field_at(s, index);
    if (f->kind != FIELD_REGISTER && f->kind != FIELD_NONE)
        return HY_E_INVALID_ARG;
    if (f->entries.len == 0)
        return HY_E_NOT_FOUND;
    *out = f;
    return HY_OK;
}

hy_err hy_get(hy_store *s, const char *c, const char *k, const char *name, hy_value *out)
{
    return hy_get_conflict(s, c, k, name, 0, out);
}

size_t hy_get_conflicts(hy_store *s, const char *c, const char *k, const char *name)
{
    const field *f;
    return register_of(s, c, k, name, &f) == HY_OK ? f->entries.len : 0;
}

hy_err hy_get_conflict(hy_store *s, const char *c, const char *k, const char *name, size_t i,
                       hy_value *out)
{
    const field *f;
    if (out == NULL)
        return HY_E_INVALID_ARG;
    HY_TRY(register_of(s, c, k, name, &f));
    if (i >= f->entries.len)
        return HY_E_NOT_FOUND;
    *out = HY_VEC_AT(&f->entries, reg_entry, i).value;
    return HY_OK;
}

hy_err hy_counter_get(hy_store *s, const char *c, const char *k, const char *name,
                      int64_t *out)
{
    uint32_t index;
    if (out == NULL)
        return HY_E_INVALID_ARG;
    HY_TRY(store_field(s, c, k, name, OP_NONE, &index));
    const field *f = store_field_at(s, index);
    if (f->kind != FIELD_COUNTER)
        return f->kind == FIELD_NONE ? HY_E_NOT_FOUND : HY_E_INVALID_ARG;
    *out = f->counter;
    return HY_OK;
}

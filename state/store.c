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
    store_fields_init(s);
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
    c.writers = config->writers;
    c.writer_count = config->writer_count;
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
    store_fields_free(s);
    hy_vec_free(&s->code_points, &s->alloc);
    store_subscriptions_free(s);
    hy_vec_free(&s->undo, &s->alloc);
    hy_vec_free(&s->txn_actors, &s->alloc);
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
    HY_TRY(store_register_ids(store_field_reg(f), preds, count));
    HY_TRY(store_write_ids(s, preds, *count));
    HY_TRY(hy_vec_push(&s->undo, &s->alloc, NULL));
    *u = &HY_VEC_AT(&s->undo, undo, s->undo.len - 1);
    (*u)->field = index;
    (*u)->kind = f->kind;
    (*u)->kind_id = store_kind_id(f);
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
    int64_t *counter;
    HY_TRY(store_field_counter_mut(s, f, &counter)); /* so that the add below cannot fail */
    undo u;
    memset(&u, 0, sizeof u);
    u.field = index;
    u.kind = f->kind;
    u.kind_id = store_kind_id(f);
    u.delta = delta;
    hy_vec_init(&u.removed, sizeof(reg_entry));
    HY_TRY(hy_vec_push(&s->undo, &s->alloc, &u));
    return store_counter_add(s, index, store_next_local_id(s), delta);
}

hy_err store_remove_each(hy_store *s, const removal_target *t, size_t count,
                         hy_err (*remove_last)(hy_store *, const removal_target *))
{
    for (size_t left = count; left > 0; left--) {
        hy_err err = remove_last(s, t);
        if (err) {
            if (left < count)
                s->txn_broken = true; /* earlier removes applied; their ops are dropped */
            return err;
        }
    }
    return HY_OK;
}

/* Removes every value of a register this replica sees. */
static hy_err remove_register(hy_store *s, const char *c, const char *k, const char *name,
                              uint32_t index)
{
    if (store_reg_len(store_field_reg(store_field_at(s, index))) == 0)
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

/* hy_remove on every type removes what this replica sees, so that what others add
 * concurrently survives (docs/decisions.md). */
static hy_err remove_in_txn(hy_store *s, const char *c, const char *k, const char *name)
{
    uint32_t index;
    HY_TRY(store_field(s, c, k, name, OP_NONE, &index));
    const field *f = store_field_at(s, index);
    removal_target t = { c, k, name, index };
    switch (f->kind) {
    case FIELD_TEXT:
    case FIELD_LIST:
        return store_seq_remove_all(s, &t, f->kind);
    case FIELD_MAP:
        return store_map_remove_all(s, &t);
    case FIELD_SET:
        return store_set_remove_all(s, &t);
    case FIELD_COUNTER: {
        /* Adding the negation of the value seen: increments made concurrently survive. */
        uint64_t seen = (uint64_t)store_field_counter(f);
        return seen ? counter_in_txn(s, c, k, name, (int64_t)(0 - seen)) : HY_E_NOT_FOUND;
    }
    default:
        return remove_register(s, c, k, name, index);
    }
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
                          const reg **out)
{
    uint32_t index;
    HY_TRY(store_field(s, c, k, name, OP_NONE, &index));
    const field *f = store_field_at(s, index);
    if (f->kind != FIELD_REGISTER && f->kind != FIELD_NONE)
        return HY_E_INVALID_ARG;
    *out = store_field_reg(f);
    return store_reg_len(*out) ? HY_OK : HY_E_NOT_FOUND;
}

hy_err hy_get(hy_store *s, const char *c, const char *k, const char *name, hy_value *out)
{
    return hy_get_conflict(s, c, k, name, 0, out);
}

size_t hy_get_conflicts(hy_store *s, const char *c, const char *k, const char *name)
{
    const reg *r;
    return register_of(s, c, k, name, &r) == HY_OK ? store_reg_len(r) : 0;
}

hy_err hy_get_conflict(hy_store *s, const char *c, const char *k, const char *name, size_t i,
                       hy_value *out)
{
    const reg *r;
    if (out == NULL)
        return HY_E_INVALID_ARG;
    HY_TRY(register_of(s, c, k, name, &r));
    if (i >= store_reg_len(r))
        return HY_E_NOT_FOUND;
    *out = store_entry_value(store_reg_at(r, i));
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
    *out = store_field_counter(f);
    return HY_OK;
}

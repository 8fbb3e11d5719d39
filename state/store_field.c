/* Fields, found by their path (collection, key, name). The map is keyed by the BLAKE3 hash of
 * the encoded path, so the key is fixed-size and, being collision resistant, exact. */
#include "store_internal.h"

#include "alloc.h"
#include "blake3.h"
#include "try.h"
#include "utf8.h"

#include <string.h>

hy_err store_name_check(const char *name, size_t *len)
{
    if (name == NULL)
        return HY_E_INVALID_ARG;
    *len = strlen(name);
    if (*len > HY_NAME_MAX || !hy_utf8_valid((const uint8_t *)name, *len))
        return HY_E_INVALID_ARG;
    return HY_OK;
}

static void hash_path(const uint8_t *const names[3], const size_t lens[3],
                      uint8_t out[HY_HASH_LEN])
{
    hy_blake3_hasher h;
    hy_blake3_init(&h);
    for (int i = 0; i < 3; i++) {
        uint8_t len = (uint8_t)lens[i];
        hy_blake3_update(&h, &len, 1);
        hy_blake3_update(&h, names[i], lens[i]);
    }
    hy_blake3_final(&h, out, HY_HASH_LEN);
}

static hy_err find_or_create(hy_store *s, const uint8_t hash[HY_HASH_LEN],
                             const uint8_t *const names[3], const size_t lens[3], bool create,
                             uint32_t *index)
{
    if (hy_table_get(&s->field_by_path, hash, index))
        return HY_OK;
    if (!create)
        return HY_E_NOT_FOUND;
    if (s->fields.len >= UINT32_MAX - 1)
        return HY_E_LIMIT;
    field f;
    memset(&f, 0, sizeof f);
    f.path_len = lens[0] + lens[1] + lens[2] + 3;
    f.path = hy_alloc(&s->alloc, f.path_len);
    if (f.path == NULL || hy_vec_reserve(&s->fields, &s->alloc, s->fields.len + 1) ||
        hy_table_put(&s->field_by_path, &s->alloc, hash, (uint32_t)s->fields.len)) {
        hy_free(&s->alloc, f.path, f.path_len);
        return HY_E_NOMEM;
    }
    char *at = f.path;
    for (int i = 0; i < 3; i++) {
        memcpy(at, names[i], lens[i]);
        at[lens[i]] = '\0';
        at += lens[i] + 1;
    }
    hy_vec_init(&f.entries, sizeof(reg_entry));
    hy_vec_init(&f.list_values, sizeof(hy_value));
    hy_vec_init(&f.elements, sizeof(set_element));
    hy_vec_init(&f.map, sizeof(map_entry));
    *index = (uint32_t)s->fields.len;
    hy_vec_push(&s->fields, &s->alloc, &f);
    return HY_OK;
}

hy_err store_field(hy_store *s, const char *collection, const char *key, const char *name,
                   enum op_kind op, uint32_t *index)
{
    const uint8_t *names[3] = { (const uint8_t *)collection, (const uint8_t *)key,
                                (const uint8_t *)name };
    size_t lens[3];
    HY_TRY(store_name_check(collection, &lens[0]));
    HY_TRY(store_name_check(key, &lens[1]));
    HY_TRY(store_name_check(name, &lens[2]));
    uint8_t hash[HY_HASH_LEN];
    hash_path(names, lens, hash);
    HY_TRY(find_or_create(s, hash, names, lens, op != OP_NONE, index));
    if (op != OP_NONE) {
        /* An op starts with its kind and names its target by the same path. */
        hy_write_u8(&s->txn_body, (uint8_t)op);
        for (int i = 0; i < 3; i++) {
            hy_write_u8(&s->txn_body, (uint8_t)lens[i]);
            hy_write_bytes(&s->txn_body, names[i], lens[i]);
        }
    }
    return HY_OK;
}

hy_err store_field_read(hy_store *s, hy_reader *r, uint32_t *index)
{
    const uint8_t *names[3];
    size_t lens[3];
    for (int i = 0; i < 3; i++) {
        uint8_t len;
        size_t at = r->pos;
        HY_TRY(hy_read_u8(r, &len));
        HY_TRY(hy_read_view(r, len, &names[i]));
        if (!hy_utf8_valid(names[i], len)) {
            r->pos = at;
            return HY_E_FORMAT;
        }
        lens[i] = len;
    }
    uint8_t hash[HY_HASH_LEN];
    hash_path(names, lens, hash);
    return find_or_create(s, hash, names, lens, true, index);
}

bool store_field_accepts(const field *f, enum field_kind kind)
{
    return f->kind == kind || f->kind == FIELD_NONE ||
           (f->kind == FIELD_REGISTER && f->entries.len == 0);
}

void store_field_clear(hy_store *s, field *f)
{
    store_register_free(s, &f->entries);
    f->counter = 0;
    hy_seq_free(f->text);
    f->text = NULL;
    store_list_free(s, f);
    store_set_free(s, f);
    store_map_free(s, f);
    f->kind = FIELD_NONE;
    f->kind_id.actor = 0;
    f->kind_id.counter = 0;
}

int store_id_cmp(const hy_store *s, op_id a, op_id b)
{
    if (a.counter != b.counter)
        return a.counter > b.counter ? 1 : -1;
    if (a.actor == b.actor)
        return 0;
    /* Actor indexes differ between replicas; keys do not. */
    return memcmp(hy_log_actor_key(s->log, a.actor), hy_log_actor_key(s->log, b.actor),
                  HY_KEY_LEN);
}

hy_err store_field_of_kind(hy_store *s, const char *collection, const char *key,
                           const char *name, enum field_kind kind, const field **out)
{
    uint32_t index;
    *out = NULL;
    hy_err err = store_field(s, collection, key, name, OP_NONE, &index);
    if (err == HY_E_NOT_FOUND)
        return HY_OK;
    HY_TRY(err);
    const field *f = store_field_at(s, index);
    if (f->kind != kind && f->kind != FIELD_NONE)
        return HY_E_INVALID_ARG;
    *out = f;
    return HY_OK;
}

/* Fields, found by their path (collection, key, name). Paths are packed into a pool of
 * chunks and are the keys of field_by_path themselves (an external-key table: 4 bytes a
 * slot); the field found last is tried first, since edits come in runs on one field. */
#include "store_internal.h"

#include "alloc.h"
#include "try.h"
#include "utf8.h"

#include <string.h>

/* A path: three names, each a length byte, at most HY_NAME_MAX bytes and a NUL. */
#define PATH_MAX_BYTES (3 * (HY_NAME_MAX + 2))

/* Chunks of the path pool grow from the first size to the last and stay at it, so that a
 * small store holds little and a large one wastes at most a path's bytes a chunk. */
#define FIRST_CHUNK 256
#define LAST_CHUNK 65536

typedef struct path_chunk {
    char *bytes;
    size_t cap;
} path_chunk;

hy_err store_name_check(const char *name, size_t *len)
{
    if (name == NULL)
        return HY_E_INVALID_ARG;
    *len = strlen(name);
    if (*len > HY_NAME_MAX || !hy_utf8_valid((const uint8_t *)name, *len))
        return HY_E_INVALID_ARG;
    return HY_OK;
}

size_t store_path_len(const char *path)
{
    const uint8_t *p = (const uint8_t *)path;
    size_t len = 0;
    for (int i = 0; i < 3; i++)
        len += (size_t)p[len] + 2;
    return len;
}

const char *store_path_name(const char *path, int i)
{
    const uint8_t *p = (const uint8_t *)path;
    size_t at = 0;
    while (i-- > 0)
        at += (size_t)p[at] + 2;
    return path + at + 1;
}

/* Encodes a path (names of at most HY_NAME_MAX bytes) into out; gives its length. */
static size_t encode_path(const uint8_t *const names[3], const size_t lens[3],
                          uint8_t out[PATH_MAX_BYTES])
{
    size_t at = 0;
    for (int i = 0; i < 3; i++) {
        out[at++] = (uint8_t)lens[i];
        memcpy(out + at, names[i], lens[i]);
        at += lens[i];
        out[at++] = 0;
    }
    return at;
}

static const uint8_t *path_of(const void *user, uint32_t index, size_t *len)
{
    const char *path = store_field_at(user, index)->path;
    *len = store_path_len(path);
    return (const uint8_t *)path;
}

void store_fields_init(hy_store *s)
{
    hy_vec_init(&s->field_pages, sizeof(field *));
    hy_vec_init(&s->path_chunks, sizeof(path_chunk));
    hy_table_init_external(&s->field_by_path, path_of, s, s->hash_seed);
    s->last_field = UINT32_MAX;
}

static bool find(hy_store *s, const uint8_t *path, size_t len, uint32_t *index)
{
    if (s->last_field != UINT32_MAX) {
        const char *last = store_field_at(s, s->last_field)->path;
        if (store_path_len(last) == len && memcmp(last, path, len) == 0) {
            *index = s->last_field;
            return true;
        }
    }
    if (!hy_table_find(&s->field_by_path, path, len, index))
        return false;
    s->last_field = *index;
    return true;
}

/* Room in the pool for len bytes: the rest of the last chunk, or a new one. */
static hy_err pool_room(hy_store *s, size_t len, char **at)
{
    path_chunk *last = s->path_chunks.len ? hy_vec_at(&s->path_chunks, s->path_chunks.len - 1)
                                          : NULL;
    if (last && last->cap - s->path_used >= len) {
        *at = last->bytes + s->path_used;
        return HY_OK;
    }
    path_chunk c = { NULL, last ? last->cap * 2 : FIRST_CHUNK };
    c.cap = c.cap > LAST_CHUNK ? LAST_CHUNK : c.cap;
    c.cap = c.cap < len ? len : c.cap;
    HY_TRY(hy_vec_reserve(&s->path_chunks, &s->alloc, s->path_chunks.len + 1));
    c.bytes = hy_alloc(&s->alloc, c.cap);
    if (c.bytes == NULL)
        return HY_E_NOMEM;
    hy_vec_push(&s->path_chunks, &s->alloc, &c); /* room reserved */
    s->path_used = 0;
    *at = c.bytes;
    return HY_OK;
}

/* Room for one more field: its page. */
static hy_err page_room(hy_store *s)
{
    if (s->field_count / FIELDS_PER_PAGE < s->field_pages.len)
        return HY_OK;
    HY_TRY(hy_vec_reserve(&s->field_pages, &s->alloc, s->field_pages.len + 1));
    field *page = hy_alloc(&s->alloc, FIELDS_PER_PAGE * sizeof(field));
    if (page == NULL)
        return HY_E_NOMEM;
    hy_vec_push(&s->field_pages, &s->alloc, &page); /* room reserved */
    return HY_OK;
}

static hy_err create(hy_store *s, const uint8_t *path, size_t len, uint32_t *index)
{
    if (s->field_count >= UINT32_MAX - 1)
        return HY_E_LIMIT;
    char *at;
    /* Room first: what is allocated for a field that then fails serves the next one. */
    HY_TRY(hy_table_reserve(&s->field_by_path, &s->alloc, 1));
    HY_TRY(page_room(s));
    HY_TRY(pool_room(s, len, &at));
    memcpy(at, path, len);
    s->path_used += len;
    *index = s->field_count++;
    field *f = store_field_at(s, *index);
    memset(f, 0, sizeof *f);
    f->path = at;
    hy_table_insert(&s->field_by_path, &s->alloc, *index); /* room reserved */
    s->last_field = *index;
    return HY_OK;
}

/* The field at names (checked for length); made if create is set. Names are checked for
 * UTF-8 only when no field has them: a field's names were checked when it was made. */
static hy_err find_or_create(hy_store *s, const uint8_t *const names[3], const size_t lens[3],
                             bool create_it, uint32_t *index)
{
    uint8_t path[PATH_MAX_BYTES];
    size_t len = encode_path(names, lens, path);
    if (find(s, path, len, index))
        return HY_OK;
    for (int i = 0; i < 3; i++)
        if (!hy_utf8_valid(names[i], lens[i]))
            return HY_E_INVALID_ARG;
    return create_it ? create(s, path, len, index) : HY_E_NOT_FOUND;
}

hy_err store_field(hy_store *s, const char *collection, const char *key, const char *name,
                   enum op_kind op, uint32_t *index)
{
    const uint8_t *names[3] = { (const uint8_t *)collection, (const uint8_t *)key,
                                (const uint8_t *)name };
    size_t lens[3];
    for (int i = 0; i < 3; i++) {
        if (names[i] == NULL)
            return HY_E_INVALID_ARG;
        lens[i] = strlen((const char *)names[i]);
        if (lens[i] > HY_NAME_MAX)
            return HY_E_INVALID_ARG;
    }
    HY_TRY(find_or_create(s, names, lens, op != OP_NONE, index));
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
    size_t at = r->pos;
    for (int i = 0; i < 3; i++) {
        uint8_t len;
        HY_TRY(hy_read_u8(r, &len));
        HY_TRY(hy_read_view(r, len, &names[i]));
        lens[i] = len;
    }
    hy_err err = find_or_create(s, names, lens, true, index);
    if (err == HY_E_INVALID_ARG) {
        r->pos = at;
        return HY_E_FORMAT;
    }
    return err;
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

void store_fields_free(hy_store *s)
{
    for (uint32_t i = 0; i < s->field_count; i++)
        store_field_clear(s, store_field_at(s, i));
    for (size_t i = 0; i < s->field_pages.len; i++)
        hy_free(&s->alloc, HY_VEC_AT(&s->field_pages, field *, i),
                FIELDS_PER_PAGE * sizeof(field));
    hy_vec_free(&s->field_pages, &s->alloc);
    for (size_t i = 0; i < s->path_chunks.len; i++) {
        path_chunk *c = hy_vec_at(&s->path_chunks, i);
        hy_free(&s->alloc, c->bytes, c->cap);
    }
    hy_vec_free(&s->path_chunks, &s->alloc);
    hy_table_free(&s->field_by_path, &s->alloc);
}

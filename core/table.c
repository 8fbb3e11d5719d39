#include "table.h"

#include "alloc.h"
#include "bytes.h"
#include "try.h"

#include <string.h>

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9u;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebu;
    x ^= x >> 31;
    return x;
}

uint64_t hy_hash64(const void *data, size_t len, uint64_t seed)
{
    const uint8_t *p = data;
    uint64_t h = mix64(seed ^ (uint64_t)len);
    while (len >= 8) {
        h = mix64(h ^ hy_load_u64le(p));
        p += 8;
        len -= 8;
    }
    uint64_t tail = 0;
    for (size_t i = 0; i < len; i++)
        tail |= (uint64_t)p[i] << (8 * i);
    return mix64(h ^ tail ^ 0x9e3779b97f4a7c15u);
}

void hy_table_init(hy_table *m, size_t key_size, uint64_t seed)
{
    m->vals = NULL;
    m->tags = NULL;
    m->keys = NULL;
    m->key_of = NULL;
    m->key_user = NULL;
    m->cap = 0;
    m->len = 0;
    m->key_size = key_size;
    m->seed = seed;
}

void hy_table_init_external(hy_table *m, hy_table_key_fn key_of, const void *user, uint64_t seed)
{
    hy_table_init(m, 0, seed);
    m->key_of = key_of;
    m->key_user = user;
}

void hy_table_free(hy_table *m, const hy_allocator *a)
{
    hy_free(a, m->vals, m->cap * sizeof(uint32_t));
    hy_free(a, m->tags, m->cap);
    hy_free(a, m->keys, m->cap * m->key_size);
    m->vals = NULL;
    m->tags = NULL;
    m->keys = NULL;
    m->cap = 0;
    m->len = 0;
}

/* A key's hash gives its home slot (low bits) and its tag (the top byte). */
static size_t home_of(const hy_table *m, uint64_t hash)
{
    return (size_t)hash & (m->cap - 1);
}

static uint8_t tag_of(uint64_t hash)
{
    return (uint8_t)(hash >> 56);
}

/* The key in occupied slot i. */
static const uint8_t *key_in(const hy_table *m, size_t i, size_t *len)
{
    if (m->key_of)
        return m->key_of(m->key_user, m->vals[i] - 1, len);
    *len = m->key_size;
    return m->keys + i * m->key_size;
}

static size_t home_of_slot(const hy_table *m, size_t i)
{
    size_t len;
    const uint8_t *key = key_in(m, i, &len);
    return home_of(m, hy_hash64(key, len, m->seed));
}

#define NO_SLOT SIZE_MAX

static size_t find(const hy_table *m, const void *key, size_t len)
{
    if (m->len == 0)
        return NO_SLOT;
    uint64_t hash = hy_hash64(key, len, m->seed);
    uint8_t tag = tag_of(hash);
    for (size_t i = home_of(m, hash);; i = (i + 1) & (m->cap - 1)) {
        if (m->vals[i] == 0)
            return NO_SLOT;
        /* The tag spares most probes a look at the key, which for external keys lies
         * wherever the owner keeps it (a cache miss each). */
        if (m->tags[i] != tag)
            continue;
        size_t have_len;
        const uint8_t *have = key_in(m, i, &have_len);
        if (have_len == len && memcmp(have, key, len) == 0)
            return i;
    }
}

bool hy_table_find(const hy_table *m, const void *key, size_t len, uint32_t *value)
{
    size_t i = find(m, key, len);
    if (i == NO_SLOT)
        return false;
    if (value)
        *value = m->vals[i] - 1;
    return true;
}

bool hy_table_get(const hy_table *m, const void *key, uint32_t *value)
{
    return hy_table_find(m, key, m->key_size, value);
}

/* Places a stored value (value + 1) with this key in the first empty slot of its probe
 * sequence; the key must be absent. */
static void place(hy_table *m, const void *key, size_t len, uint32_t stored)
{
    uint64_t hash = hy_hash64(key, len, m->seed);
    size_t i = home_of(m, hash);
    while (m->vals[i] != 0)
        i = (i + 1) & (m->cap - 1);
    m->vals[i] = stored;
    m->tags[i] = tag_of(hash);
    if (m->key_of == NULL)
        memcpy(m->keys + i * m->key_size, key, len);
}

static hy_err grow(hy_table *m, const hy_allocator *a, size_t cap)
{
    uint32_t *vals = hy_alloc_zero(a, cap, sizeof(uint32_t));
    uint8_t *tags = hy_alloc(a, cap);
    uint8_t *keys = m->key_of ? NULL : hy_alloc(a, hy_size_mul(cap, m->key_size));
    if (vals == NULL || tags == NULL || (keys == NULL && m->key_of == NULL)) {
        hy_free(a, vals, cap * sizeof(uint32_t));
        hy_free(a, tags, cap);
        hy_free(a, keys, cap * m->key_size);
        return HY_E_NOMEM;
    }
    hy_table old = *m;
    m->vals = vals;
    m->tags = tags;
    m->keys = keys;
    m->cap = cap;
    for (size_t i = 0; i < old.cap; i++) {
        if (old.vals[i]) {
            size_t len;
            const uint8_t *key = key_in(&old, i, &len);
            place(m, key, len, old.vals[i]);
        }
    }
    hy_free(a, old.vals, old.cap * sizeof(uint32_t));
    hy_free(a, old.tags, old.cap);
    hy_free(a, old.keys, old.cap * old.key_size);
    return HY_OK;
}

hy_err hy_table_reserve(hy_table *m, const hy_allocator *a, size_t extra)
{
    /* Keep the load at or below 3/4 so probe runs stay short. */
    size_t cap = m->cap ? m->cap : 16;
    while ((m->len + extra) > cap / 4 * 3) {
        if (cap > SIZE_MAX / 2)
            return HY_E_NOMEM;
        cap *= 2;
    }
    return (cap == m->cap) ? HY_OK : grow(m, a, cap);
}

hy_err hy_table_put(hy_table *m, const hy_allocator *a, const void *key, uint32_t value)
{
    if (value == UINT32_MAX)
        return HY_E_INVALID_ARG;
    size_t existing = find(m, key, m->key_size);
    if (existing != NO_SLOT) {
        m->vals[existing] = value + 1;
        return HY_OK;
    }
    HY_TRY(hy_table_reserve(m, a, 1));
    place(m, key, m->key_size, value + 1);
    m->len++;
    return HY_OK;
}

hy_err hy_table_insert(hy_table *m, const hy_allocator *a, uint32_t value)
{
    if (value == UINT32_MAX || m->key_of == NULL)
        return HY_E_INVALID_ARG;
    HY_TRY(hy_table_reserve(m, a, 1));
    size_t len;
    const uint8_t *key = m->key_of(m->key_user, value, &len);
    place(m, key, len, value + 1);
    m->len++;
    return HY_OK;
}

bool hy_table_remove(hy_table *m, const void *key)
{
    size_t hole = m->key_of ? NO_SLOT : find(m, key, m->key_size), mask = m->cap - 1;
    if (hole == NO_SLOT)
        return false;
    /* Backward shift: move later entries of the run into the hole when their home slot
     * does not lie cyclically between the hole and their current slot. */
    for (size_t i = (hole + 1) & mask; m->vals[i] != 0; i = (i + 1) & mask) {
        size_t home = home_of_slot(m, i);
        if (((i - home) & mask) >= ((i - hole) & mask)) {
            m->vals[hole] = m->vals[i];
            m->tags[hole] = m->tags[i];
            memcpy(m->keys + hole * m->key_size, m->keys + i * m->key_size, m->key_size);
            hole = i;
        }
    }
    m->vals[hole] = 0;
    m->len--;
    return true;
}

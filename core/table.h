/* An open-addressing hash map (linear probing, backward-shift deletion) to uint32_t values.
 * Keys are either fixed-size and stored inline, or external: the owner already stores each
 * value's key (a change's hash, a field's path) and the map keeps only the values, 4 bytes a
 * slot, asking key_of for a stored value's key when it must compare or rehash. The hash is
 * seeded by the owner (from the platform's randomness where keys come from peers) so that
 * peers cannot aim many keys at one slot. A byte of each key's hash beside each slot lets a
 * probe skip the keys that cannot match. */
#ifndef HY_TABLE_H
#define HY_TABLE_H

#include "hypha.h"

#include <stdbool.h>

/* The key of a stored value (external keys); *len receives its length. */
typedef const uint8_t *(*hy_table_key_fn)(const void *user, uint32_t value, size_t *len);

typedef struct hy_table {
    uint32_t *vals;   /* value + 1; 0 marks an empty slot */
    uint8_t *tags;    /* the top byte of each occupied slot's key hash */
    uint8_t *keys;    /* cap * key_size (inline keys only) */
    hy_table_key_fn key_of; /* NULL for inline keys */
    const void *key_user;
    size_t cap;       /* a power of two, or 0 */
    size_t len;
    size_t key_size;
    uint64_t seed;
} hy_table;

void hy_table_init(hy_table *m, size_t key_size, uint64_t seed);
/* A map whose keys are external: the key of value v is key_of(user, v). */
void hy_table_init_external(hy_table *m, hy_table_key_fn key_of, const void *user, uint64_t seed);
void hy_table_free(hy_table *m, const hy_allocator *a);
/* true and *value (may be NULL) set when key is present. */
bool hy_table_get(const hy_table *m, const void *key, uint32_t *value);
/* Inserts or overwrites; value must be below UINT32_MAX. */
hy_err hy_table_put(hy_table *m, const hy_allocator *a, const void *key, uint32_t value);

/* The same for external maps, whose keys may have any length: look up a key, and enter a
 * value whose key (key_of(user, value)) is absent. External maps do not remove. */
bool hy_table_find(const hy_table *m, const void *key, size_t len, uint32_t *value);
hy_err hy_table_insert(hy_table *m, const hy_allocator *a, uint32_t value);
/* Ensures that the next extra puts of new keys allocate nothing (so they cannot fail). */
hy_err hy_table_reserve(hy_table *m, const hy_allocator *a, size_t extra);
/* Inline maps: true when key was present. */
bool hy_table_remove(hy_table *m, const void *key);

uint64_t hy_hash64(const void *data, size_t len, uint64_t seed);

#endif

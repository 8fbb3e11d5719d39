/* An open-addressing hash map (linear probing, backward-shift deletion) from fixed-size keys
 * stored inline to uint32_t values. The hash is seeded by the owner (from the platform's
 * randomness where keys come from peers) so that peers cannot aim many keys at one slot. */
#ifndef HY_MAP_H
#define HY_MAP_H

#include "hypha.h"

#include <stdbool.h>

typedef struct hy_map {
    uint32_t *vals;   /* value + 1; 0 marks an empty slot */
    uint8_t *keys;    /* cap * key_size */
    size_t cap;       /* a power of two, or 0 */
    size_t len;
    size_t key_size;
    uint64_t seed;
} hy_map;

void hy_map_init(hy_map *m, size_t key_size, uint64_t seed);
void hy_map_free(hy_map *m, const hy_allocator *a);
/* true and *value (may be NULL) set when key is present. */
bool hy_map_get(const hy_map *m, const void *key, uint32_t *value);
/* Inserts or overwrites; value must be below UINT32_MAX. */
hy_err hy_map_put(hy_map *m, const hy_allocator *a, const void *key, uint32_t value);
/* Ensures that the next extra puts of new keys allocate nothing (so they cannot fail). */
hy_err hy_map_reserve(hy_map *m, const hy_allocator *a, size_t extra);
/* true when key was present. */
bool hy_map_remove(hy_map *m, const void *key);

uint64_t hy_hash64(const void *data, size_t len, uint64_t seed);

#endif

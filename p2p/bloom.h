/* The Bloom filter of NEED (docs/protocol.md, "NEED"): probes are words of the hash itself,
 * which BLAKE3 makes uniform, so no further hashing is needed. */
#ifndef HY_P2P_BLOOM_H
#define HY_P2P_BLOOM_H

#include "hypha.h"

#include <stdbool.h>

#define BLOOM_BITS_PER_ITEM 10
#define BLOOM_PROBES 7

/* Bytes for n items at BLOOM_BITS_PER_ITEM each (0 for none). */
size_t bloom_len_for(size_t n);
void bloom_add(uint8_t *bits, size_t len, uint8_t k, const uint8_t hash[HY_HASH_LEN]);
/* false for an empty filter: it holds nothing. */
bool bloom_has(const uint8_t *bits, size_t len, uint8_t k, const uint8_t hash[HY_HASH_LEN]);

#endif

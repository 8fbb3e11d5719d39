#include "bloom.h"

#include "bytes.h"

size_t bloom_len_for(size_t n) { return (n * BLOOM_BITS_PER_ITEM + 7) / 8; }

static size_t probe(size_t len, const uint8_t *hash, uint8_t i)
{
    return hy_load_u32le(hash + 4u * i) % (len * 8);
}

void bloom_add(uint8_t *bits, size_t len, uint8_t k, const uint8_t hash[HY_HASH_LEN])
{
    for (uint8_t i = 0; len && i < k; i++) {
        size_t b = probe(len, hash, i);
        bits[b / 8] |= (uint8_t)(1u << (b % 8));
    }
}

bool bloom_has(const uint8_t *bits, size_t len, uint8_t k, const uint8_t hash[HY_HASH_LEN])
{
    if (len == 0 || k == 0)
        return false;
    for (uint8_t i = 0; i < k; i++) {
        size_t b = probe(len, hash, i);
        if (!(bits[b / 8] & (1u << (b % 8))))
            return false;
    }
    return true;
}

/* The values array of a sequence and its wide map (seq_internal.h): a bit per value saying
 * whether it lies outside the BMP, and per block of 64 the wide count before it. Spans point
 * into the array, so the wide count of any span or piece of one is a difference of two
 * prefix counts: splits, merges and moves of spans never touch the map, only appends do. */
#include "seq_internal.h"

#include "try.h"

#include <string.h>

static uint32_t popcount64(uint64_t x)
{
    x -= (x >> 1) & 0x5555555555555555u;
    x = (x & 0x3333333333333333u) + ((x >> 2) & 0x3333333333333333u);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fu;
    return (uint32_t)((x * 0x0101010101010101u) >> 56);
}

static size_t blocks_for(size_t values)
{
    return values / SEQ_WIDE_BLOCK + 1;
}

hy_err seq_values_init(hy_seq *s)
{
    hy_vec_init(&s->values, sizeof(uint32_t));
    hy_vec_init(&s->wide_map, sizeof(seq_wide_block));
    return hy_vec_push(&s->wide_map, &s->alloc, NULL);
}

hy_err seq_values_reserve(hy_seq *s, size_t n)
{
    HY_TRY(hy_vec_reserve(&s->values, &s->alloc, s->values.len + n));
    return hy_vec_reserve(&s->wide_map, &s->alloc, blocks_for(s->values.len + n));
}

/* Sets the bits of values [from, len), whose bits are zero (placeholders: all zero, no bits to
 * set), and opens each block they fill; returns how many are wide. */
static uint32_t map_from(hy_seq *s, size_t from, bool placeholders)
{
    const uint32_t *v = s->values.data;
    seq_wide_block *b = s->wide_map.data;
    uint32_t wide = 0;
    for (size_t i = from; i < s->values.len;) {
        seq_wide_block *blk = &b[i / SEQ_WIDE_BLOCK];
        size_t end = (i / SEQ_WIDE_BLOCK + 1) * SEQ_WIDE_BLOCK;
        bool full = end <= s->values.len;
        if (!full)
            end = s->values.len;
        uint64_t bits = 0;
        for (; !placeholders && i < end; i++)
            bits |= (uint64_t)(v[i] >= SEQ_WIDE_MIN) << (i % SEQ_WIDE_BLOCK);
        i = end;
        blk->bits |= bits;
        wide += popcount64(bits);
        if (full)
            blk[1] = (seq_wide_block){ 0, blk->before + popcount64(blk->bits) };
    }
    s->wide_map.len = blocks_for(s->values.len);
    return wide;
}

uint32_t seq_values_append(hy_seq *s, const uint32_t *values, size_t n)
{
    uint32_t *end = (uint32_t *)s->values.data + s->values.len;
    if (values)
        memcpy(end, values, n * sizeof(uint32_t));
    else
        memset(end, 0, n * sizeof(uint32_t));
    size_t from = s->values.len;
    s->values.len += n;
    return map_from(s, from, values == NULL);
}

void seq_values_remap(hy_seq *s)
{
    memset(s->wide_map.data, 0, s->wide_map.len * sizeof(seq_wide_block));
    map_from(s, 0, false);
}

/* Wide values among values[0 .. i), i <= values.len. */
static uint32_t wide_before(const hy_seq *s, size_t i)
{
    const seq_wide_block *blk = (const seq_wide_block *)s->wide_map.data + i / SEQ_WIDE_BLOCK;
    uint64_t below = ((uint64_t)1 << (i % SEQ_WIDE_BLOCK)) - 1;
    return blk->before + popcount64(blk->bits & below);
}

uint32_t seq_values_wide(const hy_seq *s, size_t off, size_t n)
{
    return wide_before(s, off + n) - wide_before(s, off);
}

uint32_t seq_values_fit_utf16(const hy_seq *s, size_t off, uint32_t n, size_t units)
{
    /* k + wide(k) grows strictly with k: binary search for the last k within units. */
    uint32_t lo = 0, hi = n;
    uint32_t base = wide_before(s, off);
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo + 1) / 2;
        if (mid + (size_t)(wide_before(s, off + mid) - base) <= units)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

bool seq_values_check(const hy_seq *s)
{
    if (s->wide_map.len != blocks_for(s->values.len))
        return false;
    const uint32_t *v = s->values.data;
    const seq_wide_block *b = s->wide_map.data;
    uint32_t before = 0;
    for (size_t k = 0; k < s->wide_map.len; k++) {
        uint64_t bits = 0;
        for (size_t i = k * SEQ_WIDE_BLOCK; i < s->values.len && i < (k + 1) * SEQ_WIDE_BLOCK;
             i++)
            bits |= (uint64_t)(v[i] >= SEQ_WIDE_MIN) << (i % SEQ_WIDE_BLOCK);
        if (b[k].bits != bits || b[k].before != before)
            return false;
        before += popcount64(bits);
    }
    return true;
}

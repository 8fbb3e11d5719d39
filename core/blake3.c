/* BLAKE3, written from the specification (Aumasson, Neves, O'Connor, Wilcox-O'Hearn, 2020).
 *
 * Input is split into 1 KiB chunks hashed independently, then combined pairwise in a binary
 * tree. The scalar compression function handles the chunk being filled and the tree's
 * right edge; runs of whole chunks taken straight from the caller's buffer go through
 * hash_many(), which on targets with 128-bit SIMD hashes four chunks (or four parents) at once,
 * one per vector lane, using the GCC/clang vector extension, so the same source becomes SSE2,
 * NEON or wasm SIMD and no intrinsics are needed. */
#include "blake3.h"

#include <string.h>

/* The lanes load message words a whole vector at a time, which reads them little-endian only
 * on a little-endian host. Defining HY_BLAKE3_PORTABLE forces the scalar path (to test it). */
#if !defined(HY_BLAKE3_PORTABLE) && (defined(__GNUC__) || defined(__clang__)) &&            \
    (defined(__SSE2__) || defined(__ARM_NEON) || defined(__wasm_simd128__)) &&              \
    defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HY_B3_LANES 4
#endif

#define BLOCK_LEN 64
#define CHUNK_LEN 1024

/* Chunks per subtree hashed in one go from the caller's buffer: large enough that most parent
 * nodes are also computed four at a time, small enough that its scratch fits the stack. */
#define MAX_SUBTREE 32

enum {
    CHUNK_START = 1 << 0,
    CHUNK_END = 1 << 1,
    PARENT = 1 << 2,
    ROOT = 1 << 3,
    KEYED_HASH = 1 << 4,
    DERIVE_KEY_CONTEXT = 1 << 5,
    DERIVE_KEY_MATERIAL = 1 << 6,
};

static const uint32_t IV[8] = {
    0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A, 0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19,
};

/* The message words each round reads, in order: the spec permutes the message between rounds;
 * indexing through the permutation composed r times instead avoids moving 16 words each
 * round. */
static const uint8_t SCHEDULE[7][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8},
    {3, 4, 10, 12, 13, 2, 7, 14, 6, 5, 9, 0, 11, 15, 8, 1},
    {10, 7, 12, 9, 14, 3, 13, 15, 4, 0, 11, 2, 5, 8, 1, 6},
    {12, 13, 9, 11, 15, 10, 14, 8, 7, 2, 5, 3, 0, 1, 6, 4},
    {9, 14, 11, 5, 8, 12, 15, 1, 13, 3, 0, 10, 2, 6, 4, 7},
    {11, 15, 5, 0, 1, 9, 8, 6, 14, 10, 2, 12, 3, 4, 7, 13},
};

static uint32_t load32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void store32(uint8_t *p, uint32_t w)
{
    p[0] = (uint8_t)w;
    p[1] = (uint8_t)(w >> 8);
    p[2] = (uint8_t)(w >> 16);
    p[3] = (uint8_t)(w >> 24);
}

/* Written with operators only, these serve both uint32_t and the vector type: one round
 * function for the scalar and the multi-lane paths. */
#define ROTR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))
#define G(v, a, b, c, d, x, y)                                                                    \
    do {                                                                                          \
        v[a] = v[a] + v[b] + (x);                                                                 \
        v[d] = ROTR(v[d] ^ v[a], 16);                                                             \
        v[c] = v[c] + v[d];                                                                       \
        v[b] = ROTR(v[b] ^ v[c], 12);                                                             \
        v[a] = v[a] + v[b] + (y);                                                                 \
        v[d] = ROTR(v[d] ^ v[a], 8);                                                              \
        v[c] = v[c] + v[d];                                                                       \
        v[b] = ROTR(v[b] ^ v[c], 7);                                                              \
    } while (0)
#define ROUND(v, m, r)                                                                            \
    do {                                                                                          \
        G(v, 0, 4, 8, 12, m[SCHEDULE[r][0]], m[SCHEDULE[r][1]]);                                  \
        G(v, 1, 5, 9, 13, m[SCHEDULE[r][2]], m[SCHEDULE[r][3]]);                                  \
        G(v, 2, 6, 10, 14, m[SCHEDULE[r][4]], m[SCHEDULE[r][5]]);                                 \
        G(v, 3, 7, 11, 15, m[SCHEDULE[r][6]], m[SCHEDULE[r][7]]);                                 \
        G(v, 0, 5, 10, 15, m[SCHEDULE[r][8]], m[SCHEDULE[r][9]]);                                 \
        G(v, 1, 6, 11, 12, m[SCHEDULE[r][10]], m[SCHEDULE[r][11]]);                               \
        G(v, 2, 7, 8, 13, m[SCHEDULE[r][12]], m[SCHEDULE[r][13]]);                                \
        G(v, 3, 4, 9, 14, m[SCHEDULE[r][14]], m[SCHEDULE[r][15]]);                                \
    } while (0)
/* Unrolled so that every message index is a constant. */
#define ROUNDS(v, m)                                                                              \
    do {                                                                                          \
        ROUND(v, m, 0);                                                                           \
        ROUND(v, m, 1);                                                                           \
        ROUND(v, m, 2);                                                                           \
        ROUND(v, m, 3);                                                                           \
        ROUND(v, m, 4);                                                                           \
        ROUND(v, m, 5);                                                                           \
        ROUND(v, m, 6);                                                                           \
    } while (0)

/* The full 16-word output: words 0-7 are the next chaining value; all 16 are root output. */
static void compress(const uint32_t cv[8], const uint8_t block[BLOCK_LEN], uint64_t counter,
                     uint32_t len, uint32_t flags, uint32_t out[16])
{
    uint32_t m[16], v[16];
    for (int i = 0; i < 16; i++)
        m[i] = load32(block + 4 * i);
    for (int i = 0; i < 8; i++)
        v[i] = cv[i];
    for (int i = 0; i < 4; i++)
        v[8 + i] = IV[i];
    v[12] = (uint32_t)counter;
    v[13] = (uint32_t)(counter >> 32);
    v[14] = len;
    v[15] = flags;
    ROUNDS(v, m);
    for (int i = 0; i < 8; i++) {
        out[i] = v[i] ^ v[i + 8];
        out[i + 8] = v[i + 8] ^ cv[i];
    }
}

/* A node whose output is not taken yet: the last chunk and the parents on the tree's right
 * edge stay in this form until we know whether they are the root. */
typedef struct node {
    uint32_t cv[8];
    uint8_t block[BLOCK_LEN];
    uint64_t counter;
    uint32_t len;
    uint32_t flags;
} node;

static void node_cv(const node *n, uint8_t cv[32])
{
    uint32_t w[16];
    compress(n->cv, n->block, n->counter, n->len, n->flags, w);
    for (int i = 0; i < 8; i++)
        store32(cv + 4 * i, w[i]);
}

/* The root's output is a stream: block i of it is the root compressed with counter i. */
static void node_root(const node *n, uint8_t *out, size_t out_len)
{
    for (uint64_t counter = 0; out_len > 0; counter++) {
        uint32_t w[16];
        uint8_t bytes[BLOCK_LEN];
        size_t take = out_len < BLOCK_LEN ? out_len : BLOCK_LEN;
        compress(n->cv, n->block, counter, n->len, n->flags | ROOT, w);
        for (int i = 0; i < 16; i++)
            store32(bytes + 4 * i, w[i]);
        memcpy(out, bytes, take);
        out += take;
        out_len -= take;
    }
}

static node parent_node(const uint32_t key[8], uint32_t flags, const uint8_t left[32],
                        const uint8_t right[32])
{
    node n;
    memcpy(n.cv, key, sizeof n.cv);
    memcpy(n.block, left, 32);
    memcpy(n.block + 32, right, 32);
    n.counter = 0;
    n.len = BLOCK_LEN;
    n.flags = flags | PARENT;
    return n;
}

/* ---- many inputs at once ------------------------------------------------------------------ */

#ifdef HY_B3_LANES
typedef uint32_t u32x4 __attribute__((vector_size(16)));

static u32x4 splat(uint32_t x)
{
    return (u32x4){x, x, x, x};
}

/* hash_many() for exactly four inputs, each in one vector lane. */
static void hash4(const uint8_t *in, size_t blocks, const uint32_t key[8], uint64_t counter,
                  uint64_t step, uint32_t flags, uint32_t flags_start, uint32_t flags_end,
                  uint8_t *out)
{
    const size_t stride = blocks * BLOCK_LEN;
    const uint8_t *p0 = in, *p1 = in + stride, *p2 = in + 2 * stride, *p3 = in + 3 * stride;
    const u32x4 lo = {(uint32_t)counter, (uint32_t)(counter + step),
                      (uint32_t)(counter + 2 * step), (uint32_t)(counter + 3 * step)};
    const u32x4 hi = {(uint32_t)(counter >> 32), (uint32_t)((counter + step) >> 32),
                      (uint32_t)((counter + 2 * step) >> 32),
                      (uint32_t)((counter + 3 * step) >> 32)};
    u32x4 h[8];
    for (int i = 0; i < 8; i++)
        h[i] = splat(key[i]);
    for (size_t b = 0; b < blocks; b++) {
        const size_t off = b * BLOCK_LEN;
        uint32_t f = flags;
        u32x4 m[16], v[16];
        /* Four words of each lane per load, then a 4x4 transpose: m[i] holds word i of
         * every lane. */
        for (int i = 0; i < 16; i += 4) {
            u32x4 q0, q1, q2, q3;
            memcpy(&q0, p0 + off + 4 * i, sizeof q0);
            memcpy(&q1, p1 + off + 4 * i, sizeof q1);
            memcpy(&q2, p2 + off + 4 * i, sizeof q2);
            memcpy(&q3, p3 + off + 4 * i, sizeof q3);
            m[i] = (u32x4){q0[0], q1[0], q2[0], q3[0]};
            m[i + 1] = (u32x4){q0[1], q1[1], q2[1], q3[1]};
            m[i + 2] = (u32x4){q0[2], q1[2], q2[2], q3[2]};
            m[i + 3] = (u32x4){q0[3], q1[3], q2[3], q3[3]};
        }
        if (b == 0)
            f |= flags_start;
        if (b + 1 == blocks)
            f |= flags_end;
        for (int i = 0; i < 8; i++)
            v[i] = h[i];
        for (int i = 0; i < 4; i++)
            v[8 + i] = splat(IV[i]);
        v[12] = lo;
        v[13] = hi;
        v[14] = splat(BLOCK_LEN);
        v[15] = splat(f);
        ROUNDS(v, m);
        for (int i = 0; i < 8; i++)
            h[i] = v[i] ^ v[i + 8];
    }
    for (int lane = 0; lane < 4; lane++)
        for (int i = 0; i < 8; i++)
            store32(out + 32 * lane + 4 * i, h[i][lane]);
}
#endif

/* Hash n inputs of `blocks` whole blocks each, laid out back to back from in, into n chaining
 * values at out. Input i uses counter + i * step (chunks count up; parents use 0); its first
 * block gets flags_start and its last flags_end. Every input is read before its output is
 * written and outputs never run ahead of inputs, so out may equal in (parents reduce in
 * place). */
static void hash_many(const uint8_t *in, size_t n, size_t blocks, const uint32_t key[8],
                      uint64_t counter, uint64_t step, uint32_t flags, uint32_t flags_start,
                      uint32_t flags_end, uint8_t *out)
{
#ifdef HY_B3_LANES
    for (; n >= 4; n -= 4) {
        hash4(in, blocks, key, counter, step, flags, flags_start, flags_end, out);
        in += 4 * blocks * BLOCK_LEN;
        out += 4 * 32;
        counter += 4 * step;
    }
#endif
    for (; n > 0; n--) {
        uint32_t cv[8], w[16];
        memcpy(cv, key, sizeof cv);
        for (size_t b = 0; b < blocks; b++) {
            uint32_t f = flags | (b == 0 ? flags_start : 0) | (b + 1 == blocks ? flags_end : 0);
            compress(cv, in + b * BLOCK_LEN, counter, BLOCK_LEN, f, w);
            memcpy(cv, w, sizeof cv);
        }
        for (int i = 0; i < 8; i++)
            store32(out + 4 * i, cv[i]);
        in += blocks * BLOCK_LEN;
        out += 32;
        counter += step;
    }
}

/* The chaining value of n whole chunks (n a power of two, at most MAX_SUBTREE) starting at
 * chunk index `chunk`, which the caller knows is not the root. */
static void subtree_cv(const uint8_t *in, size_t n, const uint32_t key[8], uint64_t chunk,
                       uint32_t flags, uint8_t out[32])
{
    uint8_t cvs[MAX_SUBTREE][32];
    hash_many(in, n, CHUNK_LEN / BLOCK_LEN, key, chunk, 1, flags, CHUNK_START, CHUNK_END,
              cvs[0]);
    for (; n > 1; n /= 2)
        hash_many(cvs[0], n / 2, 1, key, 0, 0, flags | PARENT, 0, 0, cvs[0]);
    memcpy(out, cvs[0], 32);
}

/* ---- the incremental hasher --------------------------------------------------------------- */

/* Move the chunk state on by n chunks, to an empty chunk. */
static void next_chunk(hy_blake3_hasher *h, uint64_t n)
{
    memcpy(h->cv, h->key, sizeof h->cv);
    h->chunk += n;
    h->buf_len = 0;
    h->blocks = 0;
}

static void init_with(hy_blake3_hasher *h, const uint32_t key[8], uint8_t flags)
{
    memcpy(h->key, key, sizeof h->key);
    h->chunk = 0;
    next_chunk(h, 0);
    h->flags = flags;
    h->stack_len = 0;
}

void hy_blake3_init(hy_blake3_hasher *h)
{
    init_with(h, IV, 0);
}

static void init_keyed_flags(hy_blake3_hasher *h, const uint8_t key[32], uint8_t flags)
{
    uint32_t k[8];
    for (int i = 0; i < 8; i++)
        k[i] = load32(key + 4 * i);
    init_with(h, k, flags);
}

void hy_blake3_init_keyed(hy_blake3_hasher *h, const uint8_t key[HY_BLAKE3_KEY_LEN])
{
    init_keyed_flags(h, key, KEYED_HASH);
}

void hy_blake3_init_derive_key(hy_blake3_hasher *h, const char *context)
{
    uint8_t context_key[HY_BLAKE3_KEY_LEN];
    init_with(h, IV, DERIVE_KEY_CONTEXT);
    hy_blake3_update(h, context, strlen(context));
    hy_blake3_final(h, context_key, sizeof context_key);
    init_keyed_flags(h, context_key, DERIVE_KEY_MATERIAL);
}

static void chunk_block(hy_blake3_hasher *h, const uint8_t block[BLOCK_LEN])
{
    uint32_t w[16];
    compress(h->cv, block, h->chunk, BLOCK_LEN, h->flags | (h->blocks == 0 ? CHUNK_START : 0),
             w);
    memcpy(h->cv, w, sizeof h->cv);
    h->blocks++;
}

/* Add n > 0 bytes to the current chunk; the caller keeps the chunk within CHUNK_LEN. The
 * newest block stays buffered (so buf_len > 0 exactly when the chunk has input) because only
 * once more input arrives is it known not to be the chunk's last, CHUNK_END block. */
static void chunk_absorb(hy_blake3_hasher *h, const uint8_t *p, size_t n)
{
    if (h->buf_len > 0) {
        size_t room = (size_t)(BLOCK_LEN - h->buf_len);
        size_t take = room < n ? room : n;
        memcpy(h->buf + h->buf_len, p, take);
        h->buf_len = (uint8_t)(h->buf_len + take);
        p += take;
        n -= take;
        if (n == 0)
            return;
        chunk_block(h, h->buf);
    }
    for (; n > BLOCK_LEN; n -= BLOCK_LEN, p += BLOCK_LEN)
        chunk_block(h, p);
    memcpy(h->buf, p, n);
    h->buf_len = (uint8_t)n;
}

static node chunk_node(const hy_blake3_hasher *h)
{
    node n;
    memcpy(n.cv, h->cv, sizeof n.cv);
    memset(n.block, 0, sizeof n.block);
    memcpy(n.block, h->buf, h->buf_len);
    n.counter = h->chunk;
    n.len = h->buf_len;
    n.flags = h->flags | CHUNK_END | (h->blocks == 0 ? CHUNK_START : 0);
    return n;
}

static void push(hy_blake3_hasher *h, const uint8_t cv[32])
{
    memcpy(h->stack[h->stack_len], cv, 32);
    h->stack_len++;
}

/* Merging is lazy: a pair of subtrees is joined only once input beyond them is known to exist,
 * since the last pair joined may be the root. With `chunks` finished chunks and more to come,
 * the finished subtrees are the powers of two in the binary form of chunks, one per set bit. */
static void merge(hy_blake3_hasher *h, uint64_t chunks)
{
    unsigned bits = 0;
    for (; chunks != 0; chunks &= chunks - 1)
        bits++;
    while (h->stack_len > bits) {
        node n = parent_node(h->key, h->flags, h->stack[h->stack_len - 2],
                             h->stack[h->stack_len - 1]);
        node_cv(&n, h->stack[h->stack_len - 2]);
        h->stack_len--;
    }
}

void hy_blake3_update(hy_blake3_hasher *h, const void *data, size_t len)
{
    const uint8_t *p = data;
    if (len == 0)
        return;
    if (h->buf_len > 0) {
        size_t room = CHUNK_LEN - (size_t)h->blocks * BLOCK_LEN - h->buf_len;
        size_t take = room < len ? room : len;
        if (take > 0)
            chunk_absorb(h, p, take);
        p += take;
        len -= take;
        if (len == 0)
            return;
        node n = chunk_node(h);
        uint8_t cv[32];
        node_cv(&n, cv);
        push(h, cv);
        next_chunk(h, 1);
    }
    /* Whole subtrees straight from the caller's buffer, while input remains after them (so
     * none is the root). A subtree of n chunks must start at a multiple of n to be a node of
     * the tree. */
    while (len > CHUNK_LEN) {
        size_t n = MAX_SUBTREE;
        while (n > 1 && (n * CHUNK_LEN >= len || (h->chunk & (n - 1)) != 0))
            n /= 2;
        uint8_t cv[32];
        merge(h, h->chunk);
        subtree_cv(p, n, h->key, h->chunk, h->flags, cv);
        push(h, cv);
        next_chunk(h, n);
        p += n * CHUNK_LEN;
        len -= n * CHUNK_LEN;
    }
    merge(h, h->chunk);
    chunk_absorb(h, p, len);
}

void hy_blake3_final(const hy_blake3_hasher *h, uint8_t *out, size_t out_len)
{
    node n = chunk_node(h);
    for (size_t i = h->stack_len; i-- > 0;) {
        uint8_t cv[32];
        node_cv(&n, cv);
        n = parent_node(h->key, h->flags, h->stack[i], cv);
    }
    node_root(&n, out, out_len);
}

void hy_blake3(const void *data, size_t len, uint8_t out[HY_BLAKE3_OUT_LEN])
{
    hy_blake3_hasher h;
    hy_blake3_init(&h);
    hy_blake3_update(&h, data, len);
    hy_blake3_final(&h, out, HY_BLAKE3_OUT_LEN);
}

void hy_blake3_keyed(const uint8_t key[HY_BLAKE3_KEY_LEN], const void *data, size_t len,
                     uint8_t out[HY_BLAKE3_OUT_LEN])
{
    hy_blake3_hasher h;
    hy_blake3_init_keyed(&h, key);
    hy_blake3_update(&h, data, len);
    hy_blake3_final(&h, out, HY_BLAKE3_OUT_LEN);
}

void hy_hash(const void *data, size_t len, uint8_t out[HY_HASH_LEN])
{
    hy_blake3(data, len, out);
}

/* BLAKE3 (hash, keyed hash, key derivation, extendable output), written from the BLAKE3
 * specification. Internal to hypha; the public entry point is hy_hash() in hypha.h.
 *
 * The hasher is a plain caller-owned struct: no allocation, no global state, so it can live on
 * the stack, in an arena, or inside another object. Its fields are private. The typedef is
 * hy_blake3_hasher, not hy_blake3, because C gives typedefs and functions one namespace and
 * hy_blake3() is the one-shot hash; `struct hy_blake3` names the same type. */
#ifndef HY_BLAKE3_H
#define HY_BLAKE3_H

#include <stddef.h>
#include <stdint.h>

#include "hypha.h"

#define HY_BLAKE3_OUT_LEN 32
#define HY_BLAKE3_KEY_LEN 32

/* One chaining value per tree level: 2^54 chunks of 1 KiB already cover 2^64 bytes of input. */
#define HY_BLAKE3_MAX_DEPTH 54

typedef struct hy_blake3 {
    uint32_t key[8];
    uint32_t cv[8];           /* chaining value of the chunk being filled */
    uint64_t chunk;           /* index of the chunk being filled */
    uint8_t buf[64];          /* its block not yet compressed */
    uint8_t buf_len;
    uint8_t blocks;           /* blocks of this chunk already compressed */
    uint8_t flags;            /* mode flags: keyed, derive-key context or material */
    uint8_t stack_len;
    uint8_t stack[HY_BLAKE3_MAX_DEPTH][32]; /* chaining values of finished subtrees */
} hy_blake3_hasher;

/* Start an unkeyed hash. */
void hy_blake3_init(hy_blake3_hasher *h);

/* Start a keyed hash (a MAC or PRF) with a 32-byte secret key. */
void hy_blake3_init_keyed(hy_blake3_hasher *h, const uint8_t key[HY_BLAKE3_KEY_LEN]);

/* Start a key derivation: context is a NUL-terminated, hardcoded, globally unique string
 * naming the application and purpose; the key material is then fed with hy_blake3_update. */
void hy_blake3_init_derive_key(hy_blake3_hasher *h, const char *context);

/* Absorb len bytes; data may be NULL when len is 0. Any split of the input gives the same
 * result as one call with all of it. */
void hy_blake3_update(hy_blake3_hasher *h, const void *data, size_t len);

/* Write out_len bytes of output (any length: the first 32 are the usual hash, and a longer
 * output extends a shorter one). h is not changed: more input may follow, and calling this
 * again gives the output for everything absorbed so far. */
void hy_blake3_final(const hy_blake3_hasher *h, uint8_t *out, size_t out_len);

/* One-shot hash and keyed hash of data, 32-byte output. */
void hy_blake3(const void *data, size_t len, uint8_t out[HY_BLAKE3_OUT_LEN]);
void hy_blake3_keyed(const uint8_t key[HY_BLAKE3_KEY_LEN], const void *data, size_t len,
                     uint8_t out[HY_BLAKE3_OUT_LEN]);

#endif

/* SHA-512 (FIPS 180-4). Used by Ed25519; not a general-purpose hash for the engine (that is
 * BLAKE3, hy_hash). */
#ifndef HY_SHA512_H
#define HY_SHA512_H

#include <stddef.h>
#include <stdint.h>

/* Streaming state. Plain data: may be copied to fork a hash of a common prefix. The typedef
 * cannot be named hy_sha512 (typedefs and functions share one namespace in C, and the
 * one-shot function has that name); "struct hy_sha512" works too. */
typedef struct hy_sha512 {
    uint64_t h[8];       /* chaining value */
    uint64_t bytes;      /* total bytes absorbed (messages below 2^64 bytes) */
    uint8_t buf[128];    /* partial block */
    size_t buf_len;      /* bytes in buf, always < 128 between calls */
} hy_sha512_state;

void hy_sha512_init(hy_sha512_state *s);
/* Absorbs len bytes; data may be NULL when len is 0. */
void hy_sha512_update(hy_sha512_state *s, const void *data, size_t len);
/* Writes the 64-byte digest and wipes s (it may hold secret input); re-init to reuse. */
void hy_sha512_final(hy_sha512_state *s, uint8_t out[64]);
/* One-shot SHA-512 of data. */
void hy_sha512(const void *data, size_t len, uint8_t out[64]);

#endif

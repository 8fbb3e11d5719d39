/* Arithmetic modulo L = 2^252 + 27742317777372353535851937790883648493, the order of the
 * Ed25519 base point. Scalars are 32-byte little-endian strings. Internal to core/. */
#ifndef HY_SC25519_H
#define HY_SC25519_H

#include <stdint.h>

/* out = in mod L, for a 64-byte input (a SHA-512 digest). Constant time. */
void hy_sc_reduce(uint8_t out[32], const uint8_t in[64]);
/* out = (a * b + c) mod L. Needs a * b + c < 2^512, which holds for a, c < L and any b.
 * Constant time. out may alias any input. */
void hy_sc_muladd(uint8_t out[32], const uint8_t a[32], const uint8_t b[32],
                  const uint8_t c[32]);
/* 1 when s < L (the only encoding RFC 8032 accepts for S), else 0. */
unsigned hy_sc_is_canonical(const uint8_t s[32]);

#endif

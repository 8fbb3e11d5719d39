/* The Ed25519 group: points of the twisted Edwards curve -x^2 + y^2 = 1 + d x^2 y^2 over
 * GF(2^255 - 19). Internal to core/. Formulas: Hisil, Wong, Carter, Dawson, "Twisted Edwards
 * curves revisited" (2008), for a = -1. */
#ifndef HY_GE25519_H
#define HY_GE25519_H

#include <stdint.h>

#include "fe25519.h"

/* Extended: x = X/Z, y = Y/Z, and T = XY/Z. */
typedef struct hy_ge_p3 {
    hy_fe X, Y, Z, T;
} hy_ge_p3;

/* Fixed-base comb table: entry [k][j] is (j + 1) * 2^(32 k) * B for k, j in 0..7, in affine
 * form as three canonical 32-byte little-endian field elements y + x, y - x, 2 d x y.
 * 6144 bytes, stored as bytes (not limbs) so that one table serves both field
 * representations. Generated offline; tests/unit/test_ed25519.c regenerates it from B. */
extern const uint8_t hy_ge_base_table[8][8][96];

/* Decodes a point (RFC 8032 section 5.1.3): 0 on success, -1 when y has no x on the curve or
 * x = 0 with the sign bit set. y in [p, 2^255) is taken mod p (callers that must refuse such
 * encodings check first). Variable time: for public input only. */
int hy_ge_frombytes_vartime(hy_ge_p3 *r, const uint8_t s[32]);
/* The canonical 32-byte encoding of p. Constant time. */
void hy_ge_p3_tobytes(uint8_t s[32], const hy_ge_p3 *p);
/* Encodes two points at the cost of one field inversion (instead of two): s = enc(p),
 * t = enc(q). Constant time. */
void hy_ge_p3_tobytes2(uint8_t s[32], const hy_ge_p3 *p, uint8_t t[32], const hy_ge_p3 *q);
/* r = 2p, and r = p + q (complete formulas: valid for every input, including p = q). */
void hy_ge_dbl(hy_ge_p3 *r, const hy_ge_p3 *p);
void hy_ge_add(hy_ge_p3 *r, const hy_ge_p3 *p, const hy_ge_p3 *q);
/* r = a * B for the base point B. Needs a < 2^255 (true for clamped and reduced scalars).
 * Constant time in a; wipes its own temporaries. */
void hy_ge_scalarmult_base(hy_ge_p3 *r, const uint8_t a[32]);
/* out = encoding of a * A + b * B. Needs a, b < 2^253 (true for scalars below L).
 * Variable time: for public input only (signature verification). */
void hy_ge_double_scalarmult_vartime(uint8_t out[32], const uint8_t a[32], const hy_ge_p3 *A,
                                     const uint8_t b[32]);

#endif

/* Arithmetic in GF(2^255 - 19), the field under Ed25519. Internal to core/.
 *
 * Two representations sit behind one API, chosen at compile time:
 *   - 64-bit targets with a native 64x64->128 multiply (__int128): 5 limbs of 51 bits.
 *   - everything else, notably wasm32 (whose 128-bit multiply is a slow library call):
 *     10 limbs alternating 26 and 25 bits ("radix 2^25.5"), 32x32->64 products.
 * Define HY_FE_32 to force the second one (the tests run it natively that way too).
 *
 * Limbs are unsigned in both, so no arithmetic here can hit signed overflow or shifts of
 * negative numbers. Elements are kept partly reduced; the bounds that make that safe:
 *   - "tight": every limb is at most a little above its nominal width (2^51, or 2^26 and 2^25).
 *     Outputs of mul, sq, sub, neg, frombytes and constants are tight.
 *   - hy_fe_add does not carry. mul, sq and sub accept inputs that are sums of up to three
 *     tight elements (the product sums then stay below 2^115 and 2^63, and sub's 4p bias
 *     stays above the subtrahend's limbs). Never feed an add result that exceeds that.
 * Every function here runs in time independent of the values (no branches or indexes on
 * limbs), so they are safe on secret data. */
#ifndef HY_FE25519_H
#define HY_FE25519_H

#include <stdint.h>

#if !defined(HY_FE_32) && defined(__SIZEOF_INT128__) && UINTPTR_MAX > 0xffffffffu && \
    !defined(__wasm__)
#define HY_FE_64 1
#endif

#ifdef HY_FE_64

typedef uint64_t hy_limb;
#define HY_FE_LIMBS 5
typedef struct hy_fe {
    hy_limb v[HY_FE_LIMBS];
} hy_fe;

/* -Wpedantic objects to __int128; __extension__ tells it we mean it. */
__extension__ typedef unsigned __int128 hy_u128;

#define HY_FE_M51 ((uint64_t)0x7ffffffffffff)

static inline void hy_fe_add(hy_fe *h, const hy_fe *f, const hy_fe *g)
{
    for (int i = 0; i < 5; i++) {
        h->v[i] = f->v[i] + g->v[i];
    }
}

/* f + 4p - g, then one parallel carry pass. The 4p bias keeps every limb non-negative for a
 * subtrahend of up to three tight elements; the carry pass brings the result back to tight. */
static inline void hy_fe_sub(hy_fe *h, const hy_fe *f, const hy_fe *g)
{
    uint64_t t0 = (f->v[0] + 0x1fffffffffffb4u) - g->v[0];
    uint64_t t1 = (f->v[1] + 0x1ffffffffffffcu) - g->v[1];
    uint64_t t2 = (f->v[2] + 0x1ffffffffffffcu) - g->v[2];
    uint64_t t3 = (f->v[3] + 0x1ffffffffffffcu) - g->v[3];
    uint64_t t4 = (f->v[4] + 0x1ffffffffffffcu) - g->v[4];
    h->v[0] = (t0 & HY_FE_M51) + 19 * (t4 >> 51);
    h->v[1] = (t1 & HY_FE_M51) + (t0 >> 51);
    h->v[2] = (t2 & HY_FE_M51) + (t1 >> 51);
    h->v[3] = (t3 & HY_FE_M51) + (t2 >> 51);
    h->v[4] = (t4 & HY_FE_M51) + (t3 >> 51);
}

/* Carries 128-bit column sums (each below 2^115) into a tight element. The top column has no
 * 19-multiples in it, so its carry times 19 still fits 64 bits. */
static inline void hy_fe_carry_wide(hy_fe *h, hy_u128 r0, hy_u128 r1, hy_u128 r2, hy_u128 r3,
                                    hy_u128 r4)
{
    r1 += (uint64_t)(r0 >> 51);
    r2 += (uint64_t)(r1 >> 51);
    r3 += (uint64_t)(r2 >> 51);
    r4 += (uint64_t)(r3 >> 51);
    uint64_t h0 = ((uint64_t)r0 & HY_FE_M51) + 19 * (uint64_t)(r4 >> 51);
    h->v[1] = ((uint64_t)r1 & HY_FE_M51) + (h0 >> 51);
    h->v[0] = h0 & HY_FE_M51;
    h->v[2] = (uint64_t)r2 & HY_FE_M51;
    h->v[3] = (uint64_t)r3 & HY_FE_M51;
    h->v[4] = (uint64_t)r4 & HY_FE_M51;
}

/* Schoolbook product; 2^255 = 19 (mod p) folds the upper half back in as 19 * g. */
static inline void hy_fe_mul(hy_fe *h, const hy_fe *f, const hy_fe *g)
{
    const uint64_t f0 = f->v[0], f1 = f->v[1], f2 = f->v[2], f3 = f->v[3], f4 = f->v[4];
    const uint64_t g0 = g->v[0], g1 = g->v[1], g2 = g->v[2], g3 = g->v[3], g4 = g->v[4];
    const uint64_t g1_19 = 19 * g1, g2_19 = 19 * g2, g3_19 = 19 * g3, g4_19 = 19 * g4;
    hy_u128 r0 = (hy_u128)f0 * g0 + (hy_u128)f1 * g4_19 + (hy_u128)f2 * g3_19 +
                 (hy_u128)f3 * g2_19 + (hy_u128)f4 * g1_19;
    hy_u128 r1 = (hy_u128)f0 * g1 + (hy_u128)f1 * g0 + (hy_u128)f2 * g4_19 +
                 (hy_u128)f3 * g3_19 + (hy_u128)f4 * g2_19;
    hy_u128 r2 = (hy_u128)f0 * g2 + (hy_u128)f1 * g1 + (hy_u128)f2 * g0 +
                 (hy_u128)f3 * g4_19 + (hy_u128)f4 * g3_19;
    hy_u128 r3 = (hy_u128)f0 * g3 + (hy_u128)f1 * g2 + (hy_u128)f2 * g1 + (hy_u128)f3 * g0 +
                 (hy_u128)f4 * g4_19;
    hy_u128 r4 = (hy_u128)f0 * g4 + (hy_u128)f1 * g3 + (hy_u128)f2 * g2 + (hy_u128)f3 * g1 +
                 (hy_u128)f4 * g0;
    hy_fe_carry_wide(h, r0, r1, r2, r3, r4);
}

/* The product with itself: symmetric terms are computed once and doubled (15 products). */
static inline void hy_fe_sq(hy_fe *h, const hy_fe *f)
{
    const uint64_t f0 = f->v[0], f1 = f->v[1], f2 = f->v[2], f3 = f->v[3], f4 = f->v[4];
    const uint64_t f0_2 = 2 * f0, f1_2 = 2 * f1;
    const uint64_t f1_38 = 38 * f1, f2_38 = 38 * f2, f3_38 = 38 * f3;
    const uint64_t f3_19 = 19 * f3, f4_19 = 19 * f4;
    hy_u128 r0 = (hy_u128)f0 * f0 + (hy_u128)f1_38 * f4 + (hy_u128)f2_38 * f3;
    hy_u128 r1 = (hy_u128)f0_2 * f1 + (hy_u128)f2_38 * f4 + (hy_u128)f3_19 * f3;
    hy_u128 r2 = (hy_u128)f0_2 * f2 + (hy_u128)f1 * f1 + (hy_u128)f3_38 * f4;
    hy_u128 r3 = (hy_u128)f0_2 * f3 + (hy_u128)f1_2 * f2 + (hy_u128)f4_19 * f4;
    hy_u128 r4 = (hy_u128)f0_2 * f4 + (hy_u128)f1_2 * f3 + (hy_u128)f2 * f2;
    hy_fe_carry_wide(h, r0, r1, r2, r3, r4);
}

#else /* radix 2^25.5 */

typedef uint32_t hy_limb;
#define HY_FE_LIMBS 10
typedef struct hy_fe {
    hy_limb v[HY_FE_LIMBS]; /* even limbs 26 bits, odd limbs 25 bits */
} hy_fe;

#define HY_FE_M26 ((uint32_t)0x3ffffff)
#define HY_FE_M25 ((uint32_t)0x1ffffff)

static inline void hy_fe_add(hy_fe *h, const hy_fe *f, const hy_fe *g)
{
    for (int i = 0; i < 10; i++) {
        h->v[i] = f->v[i] + g->v[i];
    }
}

/* f + 4p - g, then one parallel carry pass (see the 64-bit version). */
static inline void hy_fe_sub(hy_fe *h, const hy_fe *f, const hy_fe *g)
{
    uint32_t t[10];
    t[0] = (f->v[0] + 0x0fffffb4u) - g->v[0];
    for (int i = 1; i < 10; i++) {
        t[i] = (f->v[i] + ((i & 1) ? 0x07fffffcu : 0x0ffffffcu)) - g->v[i];
    }
    h->v[0] = (t[0] & HY_FE_M26) + 19 * (t[9] >> 25);
    for (int i = 1; i < 10; i++) {
        if (i & 1) {
            h->v[i] = (t[i] & HY_FE_M25) + (t[i - 1] >> 26);
        } else {
            h->v[i] = (t[i] & HY_FE_M26) + (t[i - 1] >> 25);
        }
    }
}

/* Carries 64-bit column sums (each below 2^63) into a tight element. Two chains run side
 * by side (from limbs 0 and 4) to shorten the dependency path; afterwards only limbs 1 and 5
 * may exceed their width, by at most 2^17. */
static inline void hy_fe_carry_wide(hy_fe *h, uint64_t t[10])
{
    uint64_t c;
    c = t[0] >> 26; t[1] += c; t[0] &= HY_FE_M26;
    c = t[4] >> 26; t[5] += c; t[4] &= HY_FE_M26;
    c = t[1] >> 25; t[2] += c; t[1] &= HY_FE_M25;
    c = t[5] >> 25; t[6] += c; t[5] &= HY_FE_M25;
    c = t[2] >> 26; t[3] += c; t[2] &= HY_FE_M26;
    c = t[6] >> 26; t[7] += c; t[6] &= HY_FE_M26;
    c = t[3] >> 25; t[4] += c; t[3] &= HY_FE_M25;
    c = t[7] >> 25; t[8] += c; t[7] &= HY_FE_M25;
    c = t[4] >> 26; t[5] += c; t[4] &= HY_FE_M26;
    c = t[8] >> 26; t[9] += c; t[8] &= HY_FE_M26;
    c = t[9] >> 25; t[0] += 19 * c; t[9] &= HY_FE_M25;
    c = t[0] >> 26; t[1] += c; t[0] &= HY_FE_M26;
    for (int i = 0; i < 10; i++) {
        h->v[i] = (uint32_t)t[i];
    }
}

/* Schoolbook product. Limb i stands for 2^ceil(25.5 i), so a product of two odd limbs lands
 * one bit above its column's base: those take a factor 2. Columns past limb 9 fold back with
 * 2^255 = 19 (mod p). The 19- and 2-multiples fit 32 bits for inputs within the bounds in the
 * header comment. */
static inline void hy_fe_mul(hy_fe *h, const hy_fe *f, const hy_fe *g)
{
    const uint32_t f0 = f->v[0], f1 = f->v[1], f2 = f->v[2], f3 = f->v[3], f4 = f->v[4];
    const uint32_t f5 = f->v[5], f6 = f->v[6], f7 = f->v[7], f8 = f->v[8], f9 = f->v[9];
    const uint32_t g0 = g->v[0], g1 = g->v[1], g2 = g->v[2], g3 = g->v[3], g4 = g->v[4];
    const uint32_t g5 = g->v[5], g6 = g->v[6], g7 = g->v[7], g8 = g->v[8], g9 = g->v[9];
    const uint32_t f1_2 = 2 * f1, f3_2 = 2 * f3, f5_2 = 2 * f5, f7_2 = 2 * f7, f9_2 = 2 * f9;
    const uint32_t g1_19 = 19 * g1, g2_19 = 19 * g2, g3_19 = 19 * g3, g4_19 = 19 * g4;
    const uint32_t g5_19 = 19 * g5, g6_19 = 19 * g6, g7_19 = 19 * g7, g8_19 = 19 * g8;
    const uint32_t g9_19 = 19 * g9;
    uint64_t t[10];
    t[0] = (uint64_t)f0 * g0 + (uint64_t)f1_2 * g9_19 + (uint64_t)f2 * g8_19 +
           (uint64_t)f3_2 * g7_19 + (uint64_t)f4 * g6_19 + (uint64_t)f5_2 * g5_19 +
           (uint64_t)f6 * g4_19 + (uint64_t)f7_2 * g3_19 + (uint64_t)f8 * g2_19 +
           (uint64_t)f9_2 * g1_19;
    t[1] = (uint64_t)f0 * g1 + (uint64_t)f1 * g0 + (uint64_t)f2 * g9_19 +
           (uint64_t)f3 * g8_19 + (uint64_t)f4 * g7_19 + (uint64_t)f5 * g6_19 +
           (uint64_t)f6 * g5_19 + (uint64_t)f7 * g4_19 + (uint64_t)f8 * g3_19 +
           (uint64_t)f9 * g2_19;
    t[2] = (uint64_t)f0 * g2 + (uint64_t)f1_2 * g1 + (uint64_t)f2 * g0 +
           (uint64_t)f3_2 * g9_19 + (uint64_t)f4 * g8_19 + (uint64_t)f5_2 * g7_19 +
           (uint64_t)f6 * g6_19 + (uint64_t)f7_2 * g5_19 + (uint64_t)f8 * g4_19 +
           (uint64_t)f9_2 * g3_19;
    t[3] = (uint64_t)f0 * g3 + (uint64_t)f1 * g2 + (uint64_t)f2 * g1 + (uint64_t)f3 * g0 +
           (uint64_t)f4 * g9_19 + (uint64_t)f5 * g8_19 + (uint64_t)f6 * g7_19 +
           (uint64_t)f7 * g6_19 + (uint64_t)f8 * g5_19 + (uint64_t)f9 * g4_19;
    t[4] = (uint64_t)f0 * g4 + (uint64_t)f1_2 * g3 + (uint64_t)f2 * g2 + (uint64_t)f3_2 * g1 +
           (uint64_t)f4 * g0 + (uint64_t)f5_2 * g9_19 + (uint64_t)f6 * g8_19 +
           (uint64_t)f7_2 * g7_19 + (uint64_t)f8 * g6_19 + (uint64_t)f9_2 * g5_19;
    t[5] = (uint64_t)f0 * g5 + (uint64_t)f1 * g4 + (uint64_t)f2 * g3 + (uint64_t)f3 * g2 +
           (uint64_t)f4 * g1 + (uint64_t)f5 * g0 + (uint64_t)f6 * g9_19 +
           (uint64_t)f7 * g8_19 + (uint64_t)f8 * g7_19 + (uint64_t)f9 * g6_19;
    t[6] = (uint64_t)f0 * g6 + (uint64_t)f1_2 * g5 + (uint64_t)f2 * g4 + (uint64_t)f3_2 * g3 +
           (uint64_t)f4 * g2 + (uint64_t)f5_2 * g1 + (uint64_t)f6 * g0 +
           (uint64_t)f7_2 * g9_19 + (uint64_t)f8 * g8_19 + (uint64_t)f9_2 * g7_19;
    t[7] = (uint64_t)f0 * g7 + (uint64_t)f1 * g6 + (uint64_t)f2 * g5 + (uint64_t)f3 * g4 +
           (uint64_t)f4 * g3 + (uint64_t)f5 * g2 + (uint64_t)f6 * g1 + (uint64_t)f7 * g0 +
           (uint64_t)f8 * g9_19 + (uint64_t)f9 * g8_19;
    t[8] = (uint64_t)f0 * g8 + (uint64_t)f1_2 * g7 + (uint64_t)f2 * g6 + (uint64_t)f3_2 * g5 +
           (uint64_t)f4 * g4 + (uint64_t)f5_2 * g3 + (uint64_t)f6 * g2 + (uint64_t)f7_2 * g1 +
           (uint64_t)f8 * g0 + (uint64_t)f9_2 * g9_19;
    t[9] = (uint64_t)f0 * g9 + (uint64_t)f1 * g8 + (uint64_t)f2 * g7 + (uint64_t)f3 * g6 +
           (uint64_t)f4 * g5 + (uint64_t)f5 * g4 + (uint64_t)f6 * g3 + (uint64_t)f7 * g2 +
           (uint64_t)f8 * g1 + (uint64_t)f9 * g0;
    hy_fe_carry_wide(h, t);
}

/* The product with itself: each cross term once, with its factor 2 (and 4 for two odd limbs)
 * on the left operand and the 19 on the right, so both stay within 32 bits. */
static inline void hy_fe_sq(hy_fe *h, const hy_fe *f)
{
    const uint32_t f0 = f->v[0], f1 = f->v[1], f2 = f->v[2], f3 = f->v[3], f4 = f->v[4];
    const uint32_t f5 = f->v[5], f6 = f->v[6], f7 = f->v[7], f8 = f->v[8], f9 = f->v[9];
    const uint32_t f0_2 = 2 * f0, f1_2 = 2 * f1, f2_2 = 2 * f2, f3_2 = 2 * f3, f4_2 = 2 * f4;
    const uint32_t f5_2 = 2 * f5, f6_2 = 2 * f6, f7_2 = 2 * f7, f8_2 = 2 * f8, f9_2 = 2 * f9;
    const uint32_t f1_4 = 4 * f1, f3_4 = 4 * f3, f5_4 = 4 * f5, f7_4 = 4 * f7;
    const uint32_t f5_19 = 19 * f5, f6_19 = 19 * f6, f7_19 = 19 * f7, f8_19 = 19 * f8;
    const uint32_t f9_19 = 19 * f9;
    uint64_t t[10];
    t[0] = (uint64_t)f0 * f0 + (uint64_t)f1_4 * f9_19 + (uint64_t)f2_2 * f8_19 +
           (uint64_t)f3_4 * f7_19 + (uint64_t)f4_2 * f6_19 + (uint64_t)f5_2 * f5_19;
    t[1] = (uint64_t)f0_2 * f1 + (uint64_t)f2_2 * f9_19 + (uint64_t)f3_2 * f8_19 +
           (uint64_t)f4_2 * f7_19 + (uint64_t)f5_2 * f6_19;
    t[2] = (uint64_t)f0_2 * f2 + (uint64_t)f1_2 * f1 + (uint64_t)f3_4 * f9_19 +
           (uint64_t)f4_2 * f8_19 + (uint64_t)f5_4 * f7_19 + (uint64_t)f6 * f6_19;
    t[3] = (uint64_t)f0_2 * f3 + (uint64_t)f1_2 * f2 + (uint64_t)f4_2 * f9_19 +
           (uint64_t)f5_2 * f8_19 + (uint64_t)f6_2 * f7_19;
    t[4] = (uint64_t)f0_2 * f4 + (uint64_t)f1_4 * f3 + (uint64_t)f2 * f2 +
           (uint64_t)f5_4 * f9_19 + (uint64_t)f6_2 * f8_19 + (uint64_t)f7_2 * f7_19;
    t[5] = (uint64_t)f0_2 * f5 + (uint64_t)f1_2 * f4 + (uint64_t)f2_2 * f3 +
           (uint64_t)f6_2 * f9_19 + (uint64_t)f7_2 * f8_19;
    t[6] = (uint64_t)f0_2 * f6 + (uint64_t)f1_4 * f5 + (uint64_t)f2_2 * f4 +
           (uint64_t)f3_2 * f3 + (uint64_t)f7_4 * f9_19 + (uint64_t)f8 * f8_19;
    t[7] = (uint64_t)f0_2 * f7 + (uint64_t)f1_2 * f6 + (uint64_t)f2_2 * f5 +
           (uint64_t)f3_2 * f4 + (uint64_t)f8_2 * f9_19;
    t[8] = (uint64_t)f0_2 * f8 + (uint64_t)f1_4 * f7 + (uint64_t)f2_2 * f6 +
           (uint64_t)f3_4 * f5 + (uint64_t)f4 * f4 + (uint64_t)f9_2 * f9_19;
    t[9] = (uint64_t)f0_2 * f9 + (uint64_t)f1_2 * f8 + (uint64_t)f2_2 * f7 +
           (uint64_t)f3_2 * f6 + (uint64_t)f4_2 * f5;
    hy_fe_carry_wide(h, t);
}

#endif /* representation */

static inline void hy_fe_0(hy_fe *h)
{
    for (unsigned i = 0; i < HY_FE_LIMBS; i++) {
        h->v[i] = 0;
    }
}

static inline void hy_fe_1(hy_fe *h)
{
    hy_fe_0(h);
    h->v[0] = 1;
}

static inline void hy_fe_neg(hy_fe *h, const hy_fe *f)
{
    hy_fe zero;
    hy_fe_0(&zero);
    hy_fe_sub(h, &zero, f);
}

/* f = g when b is 1, unchanged when b is 0; b must be 0 or 1. Branch-free (mask select). */
static inline void hy_fe_cmov(hy_fe *f, const hy_fe *g, unsigned b)
{
    for (unsigned i = 0; i < HY_FE_LIMBS; i++) {
        f->v[i] ^= (f->v[i] ^ g->v[i]) & (0 - (hy_limb)b);
    }
}

/* Swaps f and g when b is 1; b must be 0 or 1. Branch-free. */
static inline void hy_fe_cswap(hy_fe *f, hy_fe *g, unsigned b)
{
    for (unsigned i = 0; i < HY_FE_LIMBS; i++) {
        hy_limb x = (f->v[i] ^ g->v[i]) & (0 - (hy_limb)b);
        f->v[i] ^= x;
        g->v[i] ^= x;
    }
}

/* Decodes 32 little-endian bytes, ignoring the top bit (RFC 8032 keeps the sign of x there).
 * Values in [p, 2^255) are accepted and behave as their residue mod p. */
void hy_fe_frombytes(hy_fe *h, const uint8_t s[32]);
/* The canonical (fully reduced) 32-byte encoding; the top bit is 0. */
void hy_fe_tobytes(uint8_t s[32], const hy_fe *f);
/* 1/f (0 for f = 0), as f^(p-2). */
void hy_fe_invert(hy_fe *out, const hy_fe *f);
/* f^((p-5)/8), the core of the square root in point decoding. */
void hy_fe_pow22523(hy_fe *out, const hy_fe *f);
/* The low bit of the canonical encoding ("negative" in RFC 8032's sense). */
unsigned hy_fe_isnegative(const hy_fe *f);
/* 1 when f = 0 (mod p), else 0. */
unsigned hy_fe_iszero(const hy_fe *f);

#endif

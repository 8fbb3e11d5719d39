#include "sc25519.h"

#include "wipe.h"

/* L in 32-bit little-endian words. */
static const uint32_t L_W[8] = {
    0x5cf5d3ed, 0x5812631a, 0xa2f79cd6, 0x14def9de, 0x00000000, 0x00000000, 0x00000000,
    0x10000000,
};

/* floor(2^512 / L), the Barrett constant (260 bits). */
static const uint32_t MU[9] = {
    0x0a2c131b, 0xed9ce5a3, 0x086329a7, 0x2106215d, 0xffffffeb, 0xffffffff, 0xffffffff,
    0xffffffff, 0x0000000f,
};

static uint32_t load_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

/* r[0..8] -= L when r >= L, without a branch: subtract, then keep the difference only if it
 * did not borrow. r is below 2^288 (nine words). */
static void sub_l_if_ge(uint32_t r[9])
{
    uint32_t d[9];
    uint64_t borrow = 0;
    for (int i = 0; i < 9; i++) {
        uint64_t x = (uint64_t)r[i] - (i < 8 ? L_W[i] : 0) - borrow;
        d[i] = (uint32_t)x;
        borrow = (x >> 63) & 1;
    }
    uint32_t keep_d = (uint32_t)borrow - 1; /* all ones when no borrow, i.e. r >= L */
    for (int i = 0; i < 9; i++) {
        r[i] = (d[i] & keep_d) | (r[i] & ~keep_d);
    }
    hy_wipe(d, sizeof d);
}

/* x mod L for x < 2^512 given as 16 words, by Barrett reduction (Handbook of Applied
 * Cryptography, algorithm 14.42, with base 2^32 and k = 8): q = floor(floor(x / 2^224) * MU
 * / 2^288) underestimates floor(x / L) by at most 2, so r = x - q L lies in [0, 3L) and two
 * conditional subtractions finish. Every step does the same work for every x. */
static void reduce_words(uint8_t out[32], const uint32_t x[16])
{
    uint32_t q[18] = {0}, r[9];
    /* q = x[7..15] * MU; only its top nine words are used. */
    for (int i = 0; i < 9; i++) {
        uint64_t carry = 0;
        for (int j = 0; j < 9; j++) {
            uint64_t t = (uint64_t)x[7 + i] * MU[j] + q[i + j] + carry;
            q[i + j] = (uint32_t)t;
            carry = t >> 32;
        }
        q[i + 9] = (uint32_t)carry;
    }
    /* r = (x - q[9..17] * L) mod 2^288: the true difference is below 3L < 2^288, so the low
     * nine words suffice and the rest is discarded. */
    uint32_t ql[9] = {0};
    for (int i = 0; i < 9; i++) {
        uint64_t carry = 0;
        for (int j = 0; j < 8 && i + j < 9; j++) {
            uint64_t t = (uint64_t)q[9 + i] * L_W[j] + ql[i + j] + carry;
            ql[i + j] = (uint32_t)t;
            carry = t >> 32;
        }
        if (i + 8 < 9) {
            ql[i + 8] += (uint32_t)carry;
        }
    }
    uint64_t borrow = 0;
    for (int i = 0; i < 9; i++) {
        uint64_t t = (uint64_t)x[i] - ql[i] - borrow;
        r[i] = (uint32_t)t;
        borrow = (t >> 63) & 1;
    }
    sub_l_if_ge(r);
    sub_l_if_ge(r);
    for (int i = 0; i < 32; i++) {
        out[i] = (uint8_t)(r[i / 4] >> (8 * (i % 4)));
    }
    hy_wipe(q, sizeof q);
    hy_wipe(ql, sizeof ql);
    hy_wipe(r, sizeof r);
}

void hy_sc_reduce(uint8_t out[32], const uint8_t in[64])
{
    uint32_t x[16];
    for (int i = 0; i < 16; i++) {
        x[i] = load_le32(in + 4 * i);
    }
    reduce_words(out, x);
    hy_wipe(x, sizeof x);
}

void hy_sc_muladd(uint8_t out[32], const uint8_t a[32], const uint8_t b[32],
                  const uint8_t c[32])
{
    uint32_t aw[8], bw[8], x[16] = {0};
    for (int i = 0; i < 8; i++) {
        aw[i] = load_le32(a + 4 * i);
        bw[i] = load_le32(b + 4 * i);
        x[i] = load_le32(c + 4 * i);
    }
    /* x = c + a * b, schoolbook; the contract keeps it below 2^512. */
    for (int i = 0; i < 8; i++) {
        uint64_t carry = 0;
        for (int j = 0; j < 8; j++) {
            uint64_t t = (uint64_t)aw[i] * bw[j] + x[i + j] + carry;
            x[i + j] = (uint32_t)t;
            carry = t >> 32;
        }
        x[i + 8] = (uint32_t)carry; /* no earlier row reached this word */
    }
    reduce_words(out, x);
    hy_wipe(aw, sizeof aw);
    hy_wipe(bw, sizeof bw);
    hy_wipe(x, sizeof x);
}

unsigned hy_sc_is_canonical(const uint8_t s[32])
{
    /* s - L borrows exactly when s < L. */
    uint64_t borrow = 0;
    for (int i = 0; i < 8; i++) {
        uint64_t t = (uint64_t)load_le32(s + 4 * i) - L_W[i] - borrow;
        borrow = (t >> 63) & 1;
    }
    return (unsigned)borrow;
}

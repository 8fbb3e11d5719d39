#include "fe25519.h"

#ifdef HY_FE_64

/* Written out so that compilers see a plain (unaligned, little-endian) 64-bit load. */
static uint64_t load_le64(const uint8_t *p)
{
    return (uint64_t)p[0] | ((uint64_t)p[1] << 8) | ((uint64_t)p[2] << 16) |
           ((uint64_t)p[3] << 24) | ((uint64_t)p[4] << 32) | ((uint64_t)p[5] << 40) |
           ((uint64_t)p[6] << 48) | ((uint64_t)p[7] << 56);
}

void hy_fe_frombytes(hy_fe *h, const uint8_t s[32])
{
    uint64_t w0 = load_le64(s), w1 = load_le64(s + 8);
    uint64_t w2 = load_le64(s + 16), w3 = load_le64(s + 24);
    h->v[0] = w0 & HY_FE_M51;
    h->v[1] = ((w0 >> 51) | (w1 << 13)) & HY_FE_M51;
    h->v[2] = ((w1 >> 38) | (w2 << 26)) & HY_FE_M51;
    h->v[3] = ((w2 >> 25) | (w3 << 39)) & HY_FE_M51;
    h->v[4] = (w3 >> 12) & HY_FE_M51; /* drops bit 255 */
}

void hy_fe_tobytes(uint8_t s[32], const hy_fe *f)
{
    uint64_t t0 = f->v[0], t1 = f->v[1], t2 = f->v[2], t3 = f->v[3], t4 = f->v[4];
    /* Carry once around so every limb is below 2^51 and the value below 2^255 + 2^7. */
    t1 += t0 >> 51; t0 &= HY_FE_M51;
    t2 += t1 >> 51; t1 &= HY_FE_M51;
    t3 += t2 >> 51; t2 &= HY_FE_M51;
    t4 += t3 >> 51; t3 &= HY_FE_M51;
    t0 += 19 * (t4 >> 51); t4 &= HY_FE_M51;
    /* The value is now below 2p, so it is reduced by subtracting p at most once. Whether to
     * is the carry out of bit 255 of value + 19; adding 19 * q and dropping bit 255 then
     * subtracts q * p, all without a branch. */
    uint64_t q = (t0 + 19) >> 51;
    q = (t1 + q) >> 51;
    q = (t2 + q) >> 51;
    q = (t3 + q) >> 51;
    q = (t4 + q) >> 51;
    t0 += 19 * q;
    t1 += t0 >> 51; t0 &= HY_FE_M51;
    t2 += t1 >> 51; t1 &= HY_FE_M51;
    t3 += t2 >> 51; t2 &= HY_FE_M51;
    t4 += t3 >> 51; t3 &= HY_FE_M51;
    t4 &= HY_FE_M51;
    uint64_t w[4] = {t0 | (t1 << 51), (t1 >> 13) | (t2 << 38), (t2 >> 26) | (t3 << 25),
                     (t3 >> 39) | (t4 << 12)};
    for (int i = 0; i < 32; i++) {
        s[i] = (uint8_t)(w[i / 8] >> (8 * (i % 8)));
    }
}

#else /* radix 2^25.5 */

/* Bit offset of limb i: ceil(25.5 * i). */
static const uint8_t limb_shift[10] = {0, 26, 51, 77, 102, 128, 153, 179, 204, 230};

static unsigned limb_bits(int i)
{
    return (i & 1) ? 25 : 26;
}

void hy_fe_frombytes(hy_fe *h, const uint8_t s[32])
{
    /* Every limb lies within one aligned-enough 32-bit window: (offset mod 8) + width <= 32,
     * and the last window ends at byte 31. Limb 9's 25-bit mask drops bit 255. */
    for (int i = 0; i < 10; i++) {
        unsigned off = limb_shift[i];
        const uint8_t *p = s + off / 8;
        uint32_t w = (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
                     ((uint32_t)p[3] << 24);
        h->v[i] = (w >> (off % 8)) & ((1u << limb_bits(i)) - 1);
    }
}

void hy_fe_tobytes(uint8_t s[32], const hy_fe *f)
{
    uint32_t t[10];
    for (int i = 0; i < 10; i++) {
        t[i] = f->v[i];
    }
    /* Same two steps as the 64-bit version: carry around, then subtract p when
     * value + 19 reaches 2^255. */
    for (int i = 0; i < 9; i++) {
        t[i + 1] += t[i] >> limb_bits(i);
        t[i] &= (1u << limb_bits(i)) - 1;
    }
    t[0] += 19 * (t[9] >> 25);
    t[9] &= HY_FE_M25;
    uint32_t q = (t[0] + 19) >> 26;
    for (int i = 1; i < 10; i++) {
        q = (t[i] + q) >> limb_bits(i);
    }
    t[0] += 19 * q;
    for (int i = 0; i < 9; i++) {
        t[i + 1] += t[i] >> limb_bits(i);
        t[i] &= (1u << limb_bits(i)) - 1;
    }
    t[9] &= HY_FE_M25;
    /* Concatenate the 255 bits. */
    uint64_t acc = 0;
    unsigned nbits = 0, pos = 0;
    for (int i = 0; i < 10; i++) {
        acc |= (uint64_t)t[i] << nbits;
        nbits += limb_bits(i);
        while (nbits >= 8) {
            s[pos++] = (uint8_t)acc;
            acc >>= 8;
            nbits -= 8;
        }
    }
    s[pos] = (uint8_t)acc; /* the last 7 bits */
}

#endif /* representation */

/* n successive squarings. */
static void fe_sqn(hy_fe *out, const hy_fe *f, int n)
{
    hy_fe_sq(out, f);
    for (int i = 1; i < n; i++) {
        hy_fe_sq(out, out);
    }
}

/* Shared head of both exponentiations: returns z^(2^250 - 1) and z^11. The chain builds
 * z^(2^k - 1) for k = 5, 10, 20, 40, 50, 100, 200, 250 by squaring and multiplying. */
static void fe_pow2250m1(hy_fe *z2250m1, hy_fe *z11, const hy_fe *z)
{
    hy_fe t0, t1, t2, t3;
    hy_fe_sq(&t0, z);                 /* z^2 */
    fe_sqn(&t1, &t0, 2);              /* z^8 */
    hy_fe_mul(&t1, &t1, z);           /* z^9 */
    hy_fe_mul(z11, &t0, &t1);         /* z^11 */
    hy_fe_sq(&t2, z11);               /* z^22 */
    hy_fe_mul(&t1, &t1, &t2);         /* z^31 = z^(2^5 - 1) */
    fe_sqn(&t2, &t1, 5);
    hy_fe_mul(&t1, &t2, &t1);         /* z^(2^10 - 1) */
    fe_sqn(&t2, &t1, 10);
    hy_fe_mul(&t2, &t2, &t1);         /* z^(2^20 - 1) */
    fe_sqn(&t3, &t2, 20);
    hy_fe_mul(&t2, &t3, &t2);         /* z^(2^40 - 1) */
    fe_sqn(&t2, &t2, 10);
    hy_fe_mul(&t1, &t2, &t1);         /* z^(2^50 - 1) */
    fe_sqn(&t2, &t1, 50);
    hy_fe_mul(&t2, &t2, &t1);         /* z^(2^100 - 1) */
    fe_sqn(&t3, &t2, 100);
    hy_fe_mul(&t2, &t3, &t2);         /* z^(2^200 - 1) */
    fe_sqn(&t2, &t2, 50);
    hy_fe_mul(z2250m1, &t2, &t1);     /* z^(2^250 - 1) */
}

void hy_fe_invert(hy_fe *out, const hy_fe *f)
{
    hy_fe t, z11;
    fe_pow2250m1(&t, &z11, f);
    fe_sqn(&t, &t, 5);                /* z^(2^255 - 32) */
    hy_fe_mul(out, &t, &z11);         /* z^(2^255 - 21) = z^(p - 2) */
}

void hy_fe_pow22523(hy_fe *out, const hy_fe *f)
{
    hy_fe t, z11;
    fe_pow2250m1(&t, &z11, f);
    fe_sqn(&t, &t, 2);                /* z^(2^252 - 4) */
    hy_fe_mul(out, &t, f);            /* z^(2^252 - 3) = z^((p - 5) / 8) */
}

unsigned hy_fe_isnegative(const hy_fe *f)
{
    uint8_t s[32];
    hy_fe_tobytes(s, f);
    return s[0] & 1;
}

unsigned hy_fe_iszero(const hy_fe *f)
{
    uint8_t s[32];
    unsigned acc = 0;
    hy_fe_tobytes(s, f);
    for (int i = 0; i < 32; i++) {
        acc |= s[i];
    }
    return ((acc - 1) >> 8) & 1; /* 1 only when acc was 0; no branch */
}

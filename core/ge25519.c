#include "ge25519.h"

#include <string.h>

#include "wipe.h"

/* Projective: x = X/Z, y = Y/Z. What doubling needs, and one multiplication cheaper to reach
 * from p1p1 than p3. */
typedef struct ge_p2 {
    hy_fe X, Y, Z;
} ge_p2;

/* "Completed" point, the raw output of an addition or doubling: x = X/Z, y = Y/T. Converting
 * to p2 costs 3 multiplications, to p3 4. */
typedef struct ge_p1p1 {
    hy_fe X, Y, Z, T;
} ge_p1p1;

/* Affine point prepared for mixed addition (Z = 1): y + x, y - x, 2 d x y. */
typedef struct ge_precomp {
    hy_fe ypx, ymx, xy2d;
} ge_precomp;

/* Extended point prepared for addition: Y + X, Y - X, Z, 2 d T. */
typedef struct ge_cached {
    hy_fe ypx, ymx, Z, T2d;
} ge_cached;

/* Curve constants in the active representation (values derived from their definitions:
 * d = -121665/121666, sqrt(-1) = 2^((p-1)/4)). */
#ifdef HY_FE_64
static const hy_fe FE_D = {
    {0x34dca135978a3, 0x1a8283b156ebd, 0x5e7a26001c029, 0x739c663a03cbb, 0x52036cee2b6ff}};
static const hy_fe FE_D2 = {
    {0x69b9426b2f159, 0x35050762add7a, 0x3cf44c0038052, 0x6738cc7407977, 0x2406d9dc56dff}};
static const hy_fe FE_SQRTM1 = {
    {0x61b274a0ea0b0, 0x0d5a5fc8f189d, 0x7ef5e9cbd0c60, 0x78595a6804c9e, 0x2b8324804fc1d}};
#else
static const hy_fe FE_D = {{0x35978a3, 0x0d37284, 0x3156ebd, 0x06a0a0e, 0x001c029, 0x179e898,
                            0x3a03cbb, 0x1ce7198, 0x2e2b6ff, 0x1480db3}};
static const hy_fe FE_D2 = {{0x2b2f159, 0x1a6e509, 0x22add7a, 0x0d4141d, 0x0038052, 0x0f3d130,
                             0x3407977, 0x19ce331, 0x1c56dff, 0x0901b67}};
static const hy_fe FE_SQRTM1 = {{0x20ea0b0, 0x186c9d2, 0x08f189d, 0x035697f, 0x0bd0c60,
                                 0x1fbd7a7, 0x2804c9e, 0x1e16569, 0x004fc1d, 0x0ae0c92}};
#endif

static void p3_0(hy_ge_p3 *r)
{
    hy_fe_0(&r->X);
    hy_fe_1(&r->Y);
    hy_fe_1(&r->Z);
    hy_fe_0(&r->T);
}

static void p1p1_to_p2(ge_p2 *r, const ge_p1p1 *p)
{
    hy_fe_mul(&r->X, &p->X, &p->T);
    hy_fe_mul(&r->Y, &p->Y, &p->Z);
    hy_fe_mul(&r->Z, &p->Z, &p->T);
}

static void p1p1_to_p3(hy_ge_p3 *r, const ge_p1p1 *p)
{
    hy_fe_mul(&r->X, &p->X, &p->T);
    hy_fe_mul(&r->Y, &p->Y, &p->Z);
    hy_fe_mul(&r->Z, &p->Z, &p->T);
    hy_fe_mul(&r->T, &p->X, &p->Y);
}

static void p3_to_p2(ge_p2 *r, const hy_ge_p3 *p)
{
    r->X = p->X;
    r->Y = p->Y;
    r->Z = p->Z;
}

static void p3_to_cached(ge_cached *r, const hy_ge_p3 *p)
{
    hy_fe_add(&r->ypx, &p->Y, &p->X);
    hy_fe_sub(&r->ymx, &p->Y, &p->X);
    r->Z = p->Z;
    hy_fe_mul(&r->T2d, &p->T, &FE_D2);
}

/* r = 2p (dbl-2008-hwcd with a = -1), with A = X^2, B = Y^2:
 * x = 2XY / (B - A) and y = (B + A) / (2Z^2 - (B - A)). */
static void p2_dbl(ge_p1p1 *r, const ge_p2 *p)
{
    hy_fe a, zz, xy;
    hy_fe_sq(&a, &p->X);
    hy_fe_sq(&r->Z, &p->Y);             /* B for now */
    hy_fe_sq(&zz, &p->Z);
    hy_fe_add(&xy, &p->X, &p->Y);
    hy_fe_sq(&xy, &xy);                 /* (X + Y)^2 = A + B + 2XY */
    hy_fe_add(&r->Y, &r->Z, &a);        /* B + A */
    hy_fe_sub(&r->Z, &r->Z, &a);        /* B - A */
    hy_fe_sub(&r->X, &xy, &r->Y);       /* 2XY */
    hy_fe_add(&zz, &zz, &zz);           /* 2Z^2 */
    hy_fe_sub(&r->T, &zz, &r->Z);
}

/* r = p + q and r = p - q (add-2008-hwcd-3 with k = 2d): with A = (Y1 - X1)(Y2 - X2),
 * B = (Y1 + X1)(Y2 + X2), C = 2d T1 T2, D = 2 Z1 Z2, the sum is
 * x = (B - A) / (D + C), y = (B + A) / (D - C). Subtraction is addition of (-x, y), which
 * swaps Y2 + X2 with Y2 - X2 and negates C. */
static void add_cached(ge_p1p1 *r, const hy_ge_p3 *p, const ge_cached *q)
{
    hy_fe a, b, c, d;
    hy_fe_sub(&a, &p->Y, &p->X);
    hy_fe_mul(&a, &a, &q->ymx);
    hy_fe_add(&b, &p->Y, &p->X);
    hy_fe_mul(&b, &b, &q->ypx);
    hy_fe_mul(&c, &p->T, &q->T2d);
    hy_fe_mul(&d, &p->Z, &q->Z);
    hy_fe_add(&d, &d, &d);
    hy_fe_sub(&r->X, &b, &a);
    hy_fe_add(&r->Y, &b, &a);
    hy_fe_add(&r->Z, &d, &c);           /* three tight summands: the most mul accepts */
    hy_fe_sub(&r->T, &d, &c);
}

static void sub_cached(ge_p1p1 *r, const hy_ge_p3 *p, const ge_cached *q)
{
    hy_fe a, b, c, d;
    hy_fe_sub(&a, &p->Y, &p->X);
    hy_fe_mul(&a, &a, &q->ypx);
    hy_fe_add(&b, &p->Y, &p->X);
    hy_fe_mul(&b, &b, &q->ymx);
    hy_fe_mul(&c, &p->T, &q->T2d);
    hy_fe_mul(&d, &p->Z, &q->Z);
    hy_fe_add(&d, &d, &d);
    hy_fe_sub(&r->X, &b, &a);
    hy_fe_add(&r->Y, &b, &a);
    hy_fe_sub(&r->Z, &d, &c);
    hy_fe_add(&r->T, &d, &c);
}

/* Mixed addition and subtraction: as above with Z2 = 1, one multiplication fewer. */
static void add_precomp(ge_p1p1 *r, const hy_ge_p3 *p, const ge_precomp *q)
{
    hy_fe a, b, c, d;
    hy_fe_sub(&a, &p->Y, &p->X);
    hy_fe_mul(&a, &a, &q->ymx);
    hy_fe_add(&b, &p->Y, &p->X);
    hy_fe_mul(&b, &b, &q->ypx);
    hy_fe_mul(&c, &p->T, &q->xy2d);
    hy_fe_add(&d, &p->Z, &p->Z);
    hy_fe_sub(&r->X, &b, &a);
    hy_fe_add(&r->Y, &b, &a);
    hy_fe_add(&r->Z, &d, &c);
    hy_fe_sub(&r->T, &d, &c);
}

static void sub_precomp(ge_p1p1 *r, const hy_ge_p3 *p, const ge_precomp *q)
{
    hy_fe a, b, c, d;
    hy_fe_sub(&a, &p->Y, &p->X);
    hy_fe_mul(&a, &a, &q->ypx);
    hy_fe_add(&b, &p->Y, &p->X);
    hy_fe_mul(&b, &b, &q->ymx);
    hy_fe_mul(&c, &p->T, &q->xy2d);
    hy_fe_add(&d, &p->Z, &p->Z);
    hy_fe_sub(&r->X, &b, &a);
    hy_fe_add(&r->Y, &b, &a);
    hy_fe_sub(&r->Z, &d, &c);
    hy_fe_add(&r->T, &d, &c);
}

void hy_ge_dbl(hy_ge_p3 *r, const hy_ge_p3 *p)
{
    ge_p2 q;
    ge_p1p1 t;
    p3_to_p2(&q, p);
    p2_dbl(&t, &q);
    p1p1_to_p3(r, &t);
}

void hy_ge_add(hy_ge_p3 *r, const hy_ge_p3 *p, const hy_ge_p3 *q)
{
    ge_cached c;
    ge_p1p1 t;
    p3_to_cached(&c, q);
    add_cached(&t, p, &c);
    p1p1_to_p3(r, &t);
}

/* The encoding is affine y with the parity of x on top; zi = 1/Z. */
static void encode_zi(uint8_t s[32], const hy_fe *X, const hy_fe *Y, const hy_fe *zi)
{
    hy_fe x, y;
    hy_fe_mul(&x, X, zi);
    hy_fe_mul(&y, Y, zi);
    hy_fe_tobytes(s, &y);
    s[31] ^= (uint8_t)(hy_fe_isnegative(&x) << 7);
}

static void encode(uint8_t s[32], const hy_fe *X, const hy_fe *Y, const hy_fe *Z)
{
    hy_fe zi;
    hy_fe_invert(&zi, Z);
    encode_zi(s, X, Y, &zi);
}

void hy_ge_p3_tobytes(uint8_t s[32], const hy_ge_p3 *p)
{
    encode(s, &p->X, &p->Y, &p->Z);
}

void hy_ge_p3_tobytes2(uint8_t s[32], const hy_ge_p3 *p, uint8_t t[32], const hy_ge_p3 *q)
{
    /* Montgomery's trick: with i = 1/(Zp Zq), 1/Zp = i Zq and 1/Zq = i Zp. The Z of a point
     * is never 0 (the formulas are complete), so this is always defined. */
    hy_fe i, zpi, zqi;
    hy_fe_mul(&i, &p->Z, &q->Z);
    hy_fe_invert(&i, &i);
    hy_fe_mul(&zpi, &i, &q->Z);
    hy_fe_mul(&zqi, &i, &p->Z);
    encode_zi(s, &p->X, &p->Y, &zpi);
    encode_zi(t, &q->X, &q->Y, &zqi);
}

int hy_ge_frombytes_vartime(hy_ge_p3 *r, const uint8_t s[32])
{
    /* x^2 = u / v with u = y^2 - 1, v = d y^2 + 1. The candidate root
     * x = u v^3 (u v^7)^((p-5)/8) needs no inversion; it is a root of u/v or of -u/v
     * (then times sqrt(-1) fixes it), or u/v is not a square and there is no point. */
    hy_fe u, v, v3, vxx, check;
    unsigned sign = s[31] >> 7;
    hy_fe_frombytes(&r->Y, s);
    hy_fe_1(&r->Z);
    hy_fe_sq(&u, &r->Y);
    hy_fe_mul(&v, &u, &FE_D);
    hy_fe_sub(&u, &u, &r->Z);
    hy_fe_add(&v, &v, &r->Z);
    hy_fe_sq(&v3, &v);
    hy_fe_mul(&v3, &v3, &v);            /* v^3 */
    hy_fe_sq(&r->X, &v3);
    hy_fe_mul(&r->X, &r->X, &v);
    hy_fe_mul(&r->X, &r->X, &u);        /* u v^7 */
    hy_fe_pow22523(&r->X, &r->X);
    hy_fe_mul(&r->X, &r->X, &v3);
    hy_fe_mul(&r->X, &r->X, &u);
    hy_fe_sq(&vxx, &r->X);
    hy_fe_mul(&vxx, &vxx, &v);          /* v x^2, to compare with u */
    hy_fe_sub(&check, &vxx, &u);
    if (!hy_fe_iszero(&check)) {
        hy_fe_add(&check, &vxx, &u);
        if (!hy_fe_iszero(&check)) {
            return -1;
        }
        hy_fe_mul(&r->X, &r->X, &FE_SQRTM1);
    }
    if (sign && hy_fe_iszero(&r->X)) {
        return -1; /* -0 is not an encoding (RFC 8032 5.1.3, step 4) */
    }
    if (hy_fe_isnegative(&r->X) != sign) {
        hy_fe_neg(&r->X, &r->X);
    }
    hy_fe_mul(&r->T, &r->X, &r->Y);
    return 0;
}

/* ---- fixed-base multiplication (constant time) ---------------------------------------- */

/* Scratch space of the table select, owned by the caller so that it is wiped once per
 * multiplication rather than once per lookup. */
typedef struct select_scratch {
    uint64_t mask[8], acc[12];
    hy_fe one, minus;
} select_scratch;

/* Writes into out entry |digit| * 2^(32 k) * B, negated when digit < 0; digit in [-8, 8].
 * Every entry of the row is read and masked in, whichever is wanted, so neither the memory
 * access pattern nor the branches depend on the secret digit. The select works on 64-bit
 * words of the byte table; being bitwise, it is the same on either byte order. */
static void select_base(ge_precomp *out, select_scratch *s, int k, int8_t digit)
{
    uint32_t u = (uint32_t)(int32_t)digit; /* two's complement by C's conversion rules */
    uint32_t neg = u >> 31;
    uint32_t abs = (u ^ (0u - neg)) + neg;
    for (uint32_t j = 0; j < 8; j++) {
        /* all ones when abs == j + 1: (x - 1) has its top bit set only for x == 0 */
        s->mask[j] = 0 - (uint64_t)(((abs ^ (j + 1)) - 1) >> 31);
    }
    for (int w = 0; w < 12; w++) {
        uint64_t acc = 0; /* a local: the byte table could alias s->acc, a local cannot */
        for (int j = 0; j < 8; j++) {
            uint64_t word;
            memcpy(&word, hy_ge_base_table[k][j] + 8 * w, 8);
            acc |= word & s->mask[j];
        }
        s->acc[w] = acc;
    }
    const uint8_t *bytes = (const uint8_t *)s->acc;
    hy_fe_frombytes(&out->ypx, bytes);
    hy_fe_frombytes(&out->ymx, bytes + 32);
    hy_fe_frombytes(&out->xy2d, bytes + 64);
    /* digit 0: nothing was selected (all zeros); the neutral element is (1, 1, 0). */
    unsigned zero = (unsigned)(((abs - 1) >> 31) & 1);
    hy_fe_1(&s->one);
    hy_fe_cmov(&out->ypx, &s->one, zero);
    hy_fe_cmov(&out->ymx, &s->one, zero);
    /* -P = (-x, y): swaps y + x with y - x and negates 2dxy. */
    hy_fe_cswap(&out->ypx, &out->ymx, neg);
    hy_fe_neg(&s->minus, &out->xy2d);
    hy_fe_cmov(&out->xy2d, &s->minus, neg);
}

/* Comb method. Write a = sum e_i 16^i with signed digits e_i in [-8, 8] (i = 0..63) and
 * group i = 8k + j: a B = sum_j 16^j (sum_k e_(8k+j) 2^(32k) B). Horner's rule over j
 * then costs 7 * 4 doublings and 64 mixed additions of table entries, with a table of
 * 8 rows (k) of 8 multiples. Signed digits halve the table (negation is nearly free). */
void hy_ge_scalarmult_base(hy_ge_p3 *r, const uint8_t a[32])
{
    int8_t e[64];
    select_scratch scratch;
    ge_precomp pc;
    ge_p1p1 t;
    ge_p2 q;

    /* Recode the nibbles to [-8, 7] by carrying 16 into the next digit whenever a nibble
     * (plus the carry) is 8 or more; the top digit takes the last carry, reaching at most 8
     * because a < 2^255. Unsigned arithmetic only, no branches. */
    uint32_t carry = 0;
    for (int i = 0; i < 64; i++) {
        uint32_t v = ((uint32_t)(a[i / 2] >> (4 * (i & 1))) & 15) + carry;
        carry = (i < 63) ? (v + 8) >> 4 : 0; /* branch on the index, not on a */
        e[i] = (int8_t)((int32_t)v - (int32_t)(carry << 4));
    }

    p3_0(r);
    for (int j = 7; j >= 0; j--) {
        if (j < 7) { /* r = 16 r */
            p3_to_p2(&q, r);
            p2_dbl(&t, &q);
            p1p1_to_p2(&q, &t);
            p2_dbl(&t, &q);
            p1p1_to_p2(&q, &t);
            p2_dbl(&t, &q);
            p1p1_to_p2(&q, &t);
            p2_dbl(&t, &q);
            p1p1_to_p3(r, &t);
        }
        for (int k = 0; k < 8; k++) {
            select_base(&pc, &scratch, k, e[8 * k + j]);
            add_precomp(&t, r, &pc);
            p1p1_to_p3(r, &t);
        }
    }
    hy_wipe(e, sizeof e);
    hy_wipe(&scratch, sizeof scratch);
    hy_wipe(&pc, sizeof pc);
    hy_wipe(&t, sizeof t);
    hy_wipe(&q, sizeof q);
}

/* ---- double-base multiplication (variable time) --------------------------------------- */

/* Width-w non-adjacent form: naf[i] is 0 or odd with |naf[i]| < 2^(w-1), any two non-zero
 * digits are at least w positions apart, and s = sum naf[i] 2^i. Scans s bit by bit; at each
 * bit that (with the carry from a negative digit) is set, takes the w-bit window there as an
 * odd digit, made negative if at least 2^(w-1) so that the remainder carries upward. A
 * negative digit at i needs bit i + w - 1 set, so for s < 2^253 the carry stays below bit
 * 256. */
static void wnaf(int8_t naf[256], const uint8_t s[32], unsigned w)
{
    unsigned carry = 0;
    memset(naf, 0, 256);
    for (unsigned i = 0; i < 256;) {
        unsigned bit = (s[i / 8] >> (i % 8)) & 1;
        if (bit == carry) {
            i++; /* digit 0; a carry of 1 on a 1 bit moves on as a carry */
            continue;
        }
        unsigned window = carry;
        for (unsigned j = 0; j < w && i + j < 256; j++) {
            window += (unsigned)((s[(i + j) / 8] >> ((i + j) % 8)) & 1) << j;
        }
        if (window >= (1u << (w - 1))) {
            naf[i] = (int8_t)((int)window - (1 << w));
            carry = 1;
        } else {
            naf[i] = (int8_t)window;
            carry = 0;
        }
        i += w;
    }
}

/* Straus/Shamir: one shared chain of doublings, adding odd multiples of A (window 5,
 * computed here: A, 3A, .., 15A) and of B (window 4: B, 3B, 5B, 7B, taken from the first
 * row of the comb table, so verification needs no table of its own). */
void hy_ge_double_scalarmult_vartime(uint8_t out[32], const uint8_t a[32], const hy_ge_p3 *A,
                                     const uint8_t b[32])
{
    int8_t an[256], bn[256];
    ge_cached ai[8];
    ge_precomp bi[4];
    hy_ge_p3 a2, u;
    ge_p1p1 t;
    ge_p2 r;

    wnaf(an, a, 5);
    wnaf(bn, b, 4);

    p3_to_cached(&ai[0], A);
    hy_ge_dbl(&a2, A);
    u = *A;
    for (int i = 1; i < 8; i++) {
        hy_ge_add(&u, &u, &a2);
        p3_to_cached(&ai[i], &u);
    }
    for (int i = 0; i < 4; i++) {
        const uint8_t *e = hy_ge_base_table[0][2 * i];
        hy_fe_frombytes(&bi[i].ypx, e);
        hy_fe_frombytes(&bi[i].ymx, e + 32);
        hy_fe_frombytes(&bi[i].xy2d, e + 64);
    }

    int i = 255;
    while (i >= 0 && an[i] == 0 && bn[i] == 0) {
        i--;
    }
    hy_fe_0(&r.X);
    hy_fe_1(&r.Y);
    hy_fe_1(&r.Z);
    for (; i >= 0; i--) {
        p2_dbl(&t, &r);
        if (an[i] > 0) {
            p1p1_to_p3(&u, &t);
            add_cached(&t, &u, &ai[an[i] / 2]);
        } else if (an[i] < 0) {
            p1p1_to_p3(&u, &t);
            sub_cached(&t, &u, &ai[-an[i] / 2]);
        }
        if (bn[i] > 0) {
            p1p1_to_p3(&u, &t);
            add_precomp(&t, &u, &bi[bn[i] / 2]);
        } else if (bn[i] < 0) {
            p1p1_to_p3(&u, &t);
            sub_precomp(&t, &u, &bi[-bn[i] / 2]);
        }
        p1p1_to_p2(&r, &t);
    }
    encode(out, &r.X, &r.Y, &r.Z);
}

#include "ed25519.h"

#include <string.h>

#include "ge25519.h"
#include "sc25519.h"
#include "sha512.h"
#include "wipe.h"

/* The secret scalar is the first half of SHA-512(seed) with the low 3 bits cleared (a
 * multiple of the cofactor 8), bit 255 cleared and bit 254 set (RFC 8032 section 5.1.5).
 * The second half is the prefix that makes nonces deterministic. */
static void expand_seed(uint8_t az[64], const uint8_t seed[32])
{
    hy_sha512(seed, 32, az);
    az[0] &= 248;
    az[31] &= 127;
    az[31] |= 64;
}

void hy_ed25519_public_key(uint8_t pub[32], const uint8_t seed[32])
{
    uint8_t az[64];
    hy_ge_p3 A;
    expand_seed(az, seed);
    hy_ge_scalarmult_base(&A, az);
    hy_ge_p3_tobytes(pub, &A);
    hy_wipe(az, sizeof az);
    hy_wipe(&A, sizeof A);
}

/* r = SHA-512(prefix || msg) mod L, the secret nonce: deterministic, and unpredictable
 * without the prefix (the second half of the expanded seed). */
static void nonce(uint8_t r[32], const uint8_t prefix[32], const void *msg, size_t len)
{
    uint8_t h[64];
    hy_sha512_state hs;
    hy_sha512_init(&hs);
    hy_sha512_update(&hs, prefix, 32);
    hy_sha512_update(&hs, msg, len);
    hy_sha512_final(&hs, h);
    hy_sc_reduce(r, h);
    hy_wipe(h, sizeof h);
}

/* sig = R || S with S = (r + k a) mod L, k = SHA-512(R || pub || msg) mod L. sig is written
 * only after the last read of msg, so a caller may sign in place (sig overlapping msg). */
static void finish(uint8_t sig[64], const uint8_t renc[32], const uint8_t pub[32],
                   const uint8_t az[64], const uint8_t r[32], const void *msg, size_t len)
{
    uint8_t h[64], k[32];
    hy_sha512_state hs;
    hy_sha512_init(&hs);
    hy_sha512_update(&hs, renc, 32);
    hy_sha512_update(&hs, pub, 32);
    hy_sha512_update(&hs, msg, len);
    hy_sha512_final(&hs, h);
    hy_sc_reduce(k, h);
    hy_sc_muladd(k, k, az, r); /* S, reusing k's buffer */
    memcpy(sig, renc, 32);
    memcpy(sig + 32, k, 32);
}

void hy_ed25519_sign(uint8_t sig[64], const uint8_t seed[32], const uint8_t pub[32],
                     const void *msg, size_t len)
{
    uint8_t az[64], r[32], renc[32];
    hy_ge_p3 R;
    expand_seed(az, seed);
    nonce(r, az + 32, msg, len);
    hy_ge_scalarmult_base(&R, r);
    hy_ge_p3_tobytes(renc, &R);
    finish(sig, renc, pub, az, r, msg, len);
    hy_wipe(az, sizeof az);
    hy_wipe(r, sizeof r);
    hy_wipe(&R, sizeof R);
}

/* 1 when the 255-bit y of the encoding s (sign bit ignored) is below p. */
static int y_is_canonical(const uint8_t s[32])
{
    /* p = 2^255 - 19: y >= p only when bytes 1..30 are 0xff, byte 31 is 0x7f (sign masked)
     * and byte 0 is at least 0xed. */
    if ((s[31] & 0x7f) != 0x7f || s[0] < 0xed) {
        return 1;
    }
    for (int i = 1; i < 31; i++) {
        if (s[i] != 0xff) {
            return 1;
        }
    }
    return 0;
}

/* 1 when y (sign bit ignored, reduced mod p) is the y of a point of order 1, 2, 4 or 8:
 * y = 1 (the neutral point), y = -1 (order 2), y = 0 (order 4), and the two y values shared
 * by the four points of order 8. These are all 8 small-order points; both signs of x are
 * covered because the sign bit is ignored, and so are the non-canonical encodings p and
 * p + 1 of 0 and 1. This is the same set of 32-byte strings as libsodium's blocklist. */
static int has_small_order(const uint8_t s[32])
{
    static const uint8_t small_y[5][32] = {
        {0x00}, /* 0, order 4 */
        {0x01}, /* 1, order 1 */
        {0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
         0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
         0xff, 0xff, 0xff, 0x7f}, /* p - 1, order 2 */
        {0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef,
         0x98, 0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88,
         0x6d, 0x53, 0xfc, 0x05}, /* order 8 */
        {0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10,
         0x67, 0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77,
         0x92, 0xac, 0x03, 0x7a}, /* p minus the one above, order 8 */
    };
    uint8_t y[32];
    hy_fe f;
    hy_fe_frombytes(&f, s); /* drops the sign bit */
    hy_fe_tobytes(y, &f);   /* reduces mod p */
    for (int i = 0; i < 5; i++) {
        if (memcmp(y, small_y[i], 32) == 0) {
            return 1;
        }
    }
    return 0;
}

hy_err hy_ed25519_verify(const uint8_t sig[64], const uint8_t pub[32], const void *msg,
                         size_t len)
{
    uint8_t h[64], k[32], check[32];
    hy_sha512_state hs;
    hy_ge_p3 A;

    /* The rule set of libsodium 1.0.18's crypto_sign_verify_detached (docs/crypto.md). */
    if (!hy_sc_is_canonical(sig + 32)) {
        return HY_E_BAD_SIGNATURE; /* S >= L: malleable */
    }
    if (has_small_order(sig)) {
        return HY_E_BAD_SIGNATURE; /* small-order R */
    }
    if (!y_is_canonical(pub) || has_small_order(pub)) {
        return HY_E_BAD_SIGNATURE;
    }
    if (hy_ge_frombytes_vartime(&A, pub) != 0) {
        return HY_E_BAD_SIGNATURE; /* not on the curve */
    }

    hy_sha512_init(&hs);
    hy_sha512_update(&hs, sig, 32);
    hy_sha512_update(&hs, pub, 32);
    hy_sha512_update(&hs, msg, len);
    hy_sha512_final(&hs, h);
    hy_sc_reduce(k, h);

    /* Cofactorless check: encode([S]B - [k]A) must equal the R bytes. A canonical encoding
     * comes out, so a non-canonical R never matches. */
    hy_fe_neg(&A.X, &A.X);
    hy_fe_neg(&A.T, &A.T);
    hy_ge_double_scalarmult_vartime(check, k, &A, sig + 32);
    return memcmp(check, sig, 32) == 0 ? HY_OK : HY_E_BAD_SIGNATURE;
}

/* ---- public API (hypha.h) ------------------------------------------------------------- */

void hy_key_public(uint8_t pub[HY_KEY_LEN], const uint8_t seed[HY_KEY_LEN])
{
    hy_ed25519_public_key(pub, seed);
}

/* The same signature as hy_ed25519_sign with the derived key, but the nonce does not depend
 * on the public key, so A and R are computed first and encoded with one shared inversion. */
void hy_sign(uint8_t sig[HY_SIG_LEN], const uint8_t seed[HY_KEY_LEN], const void *msg,
             size_t len)
{
    uint8_t az[64], r[32], renc[32], pub[32];
    hy_ge_p3 A, R;
    expand_seed(az, seed);
    nonce(r, az + 32, msg, len);
    hy_ge_scalarmult_base(&A, az);
    hy_ge_scalarmult_base(&R, r);
    hy_ge_p3_tobytes2(pub, &A, renc, &R);
    finish(sig, renc, pub, az, r, msg, len);
    hy_wipe(az, sizeof az);
    hy_wipe(r, sizeof r);
    hy_wipe(&A, sizeof A);
    hy_wipe(&R, sizeof R);
}

hy_err hy_verify(const uint8_t sig[HY_SIG_LEN], const uint8_t pub[HY_KEY_LEN],
                 const void *msg, size_t len)
{
    return hy_ed25519_verify(sig, pub, msg, len);
}

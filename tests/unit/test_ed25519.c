#include "hy_test.h"
#include "unhex.h"

#include <string.h>

#include "ed25519.h"
#include "fe25519.h"
#include "ge25519.h"
#include "hypha.h"
#include "sc25519.h"
#include "sha512.h"

/* ---- RFC 8032 section 7.1 ------------------------------------------------------------- */

static const struct {
    const char *name, *seed, *pub, *msg, *sig;
} rfc[] = {
    {"TEST 1", "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
     "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
    {"TEST 2", "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
     "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
    {"TEST 3", "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
     "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"},
    {"TEST 1024", "f5e5767cf153319517630f226876b86c8160cc583bc013744c6bf255f5cc0ee5",
     "278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e",
     "08b8b2b733424243760fe426a4b54908632110a66c2f6591eabd3345e3e4eb98"
     "fa6e264bf09efe12ee50f8f54e9f77b1e355f6c50544e23fb1433ddf73be84d8"
     "79de7c0046dc4996d9e773f4bc9efe5738829adb26c81b37c93a1b270b20329d"
     "658675fc6ea534e0810a4432826bf58c941efb65d57a338bbd2e26640f89ffbc"
     "1a858efcb8550ee3a5e1998bd177e93a7363c344fe6b199ee5d02e82d522c4fe"
     "ba15452f80288a821a579116ec6dad2b3b310da903401aa62100ab5d1a36553e"
     "06203b33890cc9b832f79ef80560ccb9a39ce767967ed628c6ad573cb116dbef"
     "efd75499da96bd68a8a97b928a8bbc103b6621fcde2beca1231d206be6cd9ec7"
     "aff6f6c94fcd7204ed3455c68c83f4a41da4af2b74ef5c53f1d8ac70bdcb7ed1"
     "85ce81bd84359d44254d95629e9855a94a7c1958d1f8ada5d0532ed8a5aa3fb2"
     "d17ba70eb6248e594e1a2297acbbb39d502f1a8c6eb6f1ce22b3de1a1f40cc24"
     "554119a831a9aad6079cad88425de6bde1a9187ebb6092cf67bf2b13fd65f270"
     "88d78b7e883c8759d2c4f5c65adb7553878ad575f9fad878e80a0c9ba63bcbcc"
     "2732e69485bbc9c90bfbd62481d9089beccf80cfe2df16a2cf65bd92dd597b07"
     "07e0917af48bbb75fed413d238f5555a7a569d80c3414a8d0859dc65a46128ba"
     "b27af87a71314f318c782b23ebfe808b82b0ce26401d2e22f04d83d1255dc51a"
     "ddd3b75a2b1ae0784504df543af8969be3ea7082ff7fc9888c144da2af58429e"
     "c96031dbcad3dad9af0dcbaaaf268cb8fcffead94f3c7ca495e056a9b47acdb7"
     "51fb73e666c6c655ade8297297d07ad1ba5e43f1bca32301651339e22904cc8c"
     "42f58c30c04aafdb038dda0847dd988dcda6f3bfd15c4b4c4525004aa06eeff8"
     "ca61783aacec57fb3d1f92b0fe2fd1a85f6724517b65e614ad6808d6f6ee34df"
     "f7310fdc82aebfd904b01e1dc54b2927094b2db68d6f903b68401adebf5a7e08"
     "d78ff4ef5d63653a65040cf9bfd4aca7984a74d37145986780fc0b16ac451649"
     "de6188a7dbdf191f64b5fc5e2ab47b57f7f7276cd419c17a3ca8e1b939ae49e4"
     "88acba6b965610b5480109c8b17b80e1b7b750dfc7598d5d5011fd2dcc5600a3"
     "2ef5b52a1ecc820e308aa342721aac0943bf6686b64b2579376504ccc493d97e"
     "6aed3fb0f9cd71a43dd497f01f17c0e2cb3797aa2a2f256656168e6c496afc5f"
     "b93246f6b1116398a346f1a641f3b041e989f7914f90cc2c7fff357876e506b5"
     "0d334ba77c225bc307ba537152f3f1610e4eafe595f6d9d90d11faa933a15ef1"
     "369546868a7f3a45a96768d40fd9d03412c091c6315cf4fde7cb68606937380d"
     "b2eaaa707b4c4185c32eddcdd306705e4dc1ffc872eeee475a64dfac86aba41c"
     "0618983f8741c5ef68d3a101e8a3b8cac60c905c15fc910840b94c00a0b9d0",
     "0aab4c900501b3e24d7cdf4663326a3a87df5e4843b2cbdb67cbf6e460fec350"
     "aa5371b1508f9f4528ecea23c436d94b5e8fcd4f681e30a6ac00a9704a188a03"},
    {"TEST SHA(abc)", "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
     "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
     "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
     "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
     "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b589"
     "09351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704"},
};

#define NRFC (sizeof rfc / sizeof rfc[0])

typedef struct vec {
    uint8_t seed[32], pub[32], sig[64], msg[1023];
    size_t len;
} vec;

static void load(vec *v, size_t i)
{
    unhex(v->seed, rfc[i].seed, 32);
    unhex(v->pub, rfc[i].pub, 32);
    unhex(v->sig, rfc[i].sig, 64);
    v->len = strlen(rfc[i].msg) / 2;
    unhex(v->msg, rfc[i].msg, v->len);
}

static void test_rfc8032_vectors(void **state)
{
    (void)state;
    vec v;
    uint8_t pub[32], sig[64];
    for (size_t i = 0; i < NRFC; i++) {
        load(&v, i);
        hy_ed25519_public_key(pub, v.seed);
        assert_memory_equal(pub, v.pub, 32);
        hy_key_public(pub, v.seed);
        assert_memory_equal(pub, v.pub, 32);
        hy_ed25519_sign(sig, v.seed, v.pub, v.msg, v.len);
        assert_memory_equal(sig, v.sig, 64);
        memset(sig, 0, sizeof sig);
        hy_sign(sig, v.seed, v.msg, v.len);
        assert_memory_equal(sig, v.sig, 64);
        assert_int_equal(hy_ed25519_verify(v.sig, v.pub, v.msg, v.len), HY_OK);
        assert_int_equal(hy_verify(v.sig, v.pub, v.msg, v.len), HY_OK);
    }
    /* signing in place: sig written over the start of msg gives the same signature */
    load(&v, 3);
    uint8_t buf[1023];
    memcpy(buf, v.msg, v.len);
    hy_sign(buf, v.seed, buf, v.len);
    assert_memory_equal(buf, v.sig, 64);
    /* an empty message may be passed as NULL */
    load(&v, 0);
    hy_sign(sig, v.seed, NULL, 0);
    assert_memory_equal(sig, v.sig, 64);
    assert_int_equal(hy_verify(v.sig, v.pub, NULL, 0), HY_OK);
}

/* Every single-bit change of signature, key or message is rejected. */
static void test_bit_flips(void **state)
{
    (void)state;
    vec v;
    load(&v, 2);
    for (int bit = 0; bit < 512; bit++) {
        v.sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        assert_int_equal(hy_verify(v.sig, v.pub, v.msg, v.len), HY_E_BAD_SIGNATURE);
        v.sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    for (int bit = 0; bit < 256; bit++) {
        v.pub[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        assert_int_equal(hy_verify(v.sig, v.pub, v.msg, v.len), HY_E_BAD_SIGNATURE);
        v.pub[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    for (size_t bit = 0; bit < 8 * v.len; bit++) {
        v.msg[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        assert_int_equal(hy_verify(v.sig, v.pub, v.msg, v.len), HY_E_BAD_SIGNATURE);
        v.msg[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    assert_int_equal(hy_verify(v.sig, v.pub, v.msg, v.len - 1), HY_E_BAD_SIGNATURE);
    assert_int_equal(hy_verify(v.sig, v.pub, v.msg, v.len), HY_OK);
}

/* ---- helpers for hand-made signatures ------------------------------------------------- */

static const char L_HEX[] = "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010";
static const uint8_t IDENTITY[32] = {1};

/* k = SHA-512(R || A || msg) mod L, as the verifier computes it. */
static void challenge(uint8_t k[32], const uint8_t R[32], const uint8_t A[32],
                      const void *msg, size_t len)
{
    uint8_t h[64];
    hy_sha512_state s;
    hy_sha512_init(&s);
    hy_sha512_update(&s, R, 32);
    hy_sha512_update(&s, A, 32);
    hy_sha512_update(&s, msg, len);
    hy_sha512_final(&s, h);
    hy_sc_reduce(k, h);
}

/* The cofactorless equation alone: encode([S]B - [k]A) == R, with A decoded mod p. */
static int equation_holds(const uint8_t sig[64], const uint8_t A[32], const void *msg,
                          size_t len)
{
    uint8_t k[32], check[32];
    hy_ge_p3 P;
    if (hy_ge_frombytes_vartime(&P, A) != 0) {
        return 0;
    }
    challenge(k, sig, A, msg, len);
    hy_fe_neg(&P.X, &P.X);
    hy_fe_neg(&P.T, &P.T);
    hy_ge_double_scalarmult_vartime(check, k, &P, sig + 32);
    return memcmp(check, sig, 32) == 0;
}

/* out = a + b as 256-bit little-endian numbers (no overflow for the values used). */
static void add256(uint8_t out[32], const uint8_t a[32], const uint8_t b[32])
{
    unsigned carry = 0;
    for (int i = 0; i < 32; i++) {
        carry += (unsigned)a[i] + b[i];
        out[i] = (uint8_t)carry;
        carry >>= 8;
    }
}

/* ---- S must be canonical -------------------------------------------------------------- */

static void test_reject_noncanonical_s(void **state)
{
    (void)state;
    vec v;
    uint8_t L[32], sig[64], zero[32] = {0};
    unhex(L, L_HEX, 32);
    for (size_t i = 0; i < NRFC; i++) {
        load(&v, i);
        /* S + L is the same scalar mod L: the equation still holds, the rule refuses it */
        memcpy(sig, v.sig, 64);
        add256(sig + 32, v.sig + 32, L);
        assert_true(equation_holds(sig, v.pub, v.msg, v.len));
        assert_int_equal(hy_verify(sig, v.pub, v.msg, v.len), HY_E_BAD_SIGNATURE);
        /* top three bits set */
        memcpy(sig, v.sig, 64);
        sig[63] |= 0xe0;
        assert_int_equal(hy_verify(sig, v.pub, v.msg, v.len), HY_E_BAD_SIGNATURE);
    }
    /* S = L exactly, with R = identity and A = a real key: [L]B - [k]A = -[k]A != R */
    load(&v, 0);
    memcpy(sig, IDENTITY, 32);
    memcpy(sig + 32, L, 32);
    assert_int_equal(hy_verify(sig, v.pub, v.msg, v.len), HY_E_BAD_SIGNATURE);
    /* S = L - 1 is canonical: accepted by the S rule (and then fails the equation) */
    sig[32] = (uint8_t)(L[0] - 1);
    assert_true(hy_sc_is_canonical(sig + 32));
    assert_false(hy_sc_is_canonical(L));
    assert_true(hy_sc_is_canonical(zero));
}

/* ---- small-order points --------------------------------------------------------------- */

/* Finds the 8 points of order dividing 8 without a hard-coded list: the torsion part [L]P of
 * a curve point P is one of them, and for the first P whose torsion part has order 8, its
 * multiples are all 8. */
static void torsion_points(uint8_t enc[8][32])
{
    uint8_t L[32], zero[32] = {0}, y[32] = {0};
    hy_ge_p3 P, T, Q;
    unhex(L, L_HEX, 32);
    for (uint8_t v = 2;; v++) {
        y[0] = v;
        if (hy_ge_frombytes_vartime(&P, y) != 0) {
            continue;
        }
        hy_ge_double_scalarmult_vartime(enc[0], L, &P, zero);
        assert_int_equal(hy_ge_frombytes_vartime(&T, enc[0]), 0);
        hy_ge_dbl(&Q, &T);
        hy_ge_dbl(&Q, &Q);
        hy_ge_p3_tobytes(enc[1], &Q);
        if (memcmp(enc[1], IDENTITY, 32) != 0) {
            break; /* 4T != O: T has order 8 */
        }
    }
    Q = T;
    for (int i = 0; i < 8; i++) {
        hy_ge_p3_tobytes(enc[i], &Q); /* (i + 1) T */
        hy_ge_add(&Q, &Q, &T);
    }
    assert_memory_equal(enc[7], IDENTITY, 32); /* 8T = O */
}

/* Every encoding whose y (mod p) is that of a small-order point: both sign bits, and for
 * y = 0 and y = 1 also the non-canonical p and p + 1. */
static size_t small_order_encodings(uint8_t out[20][32])
{
    uint8_t t[8][32];
    size_t n = 0;
    torsion_points(t);
    for (int i = 0; i < 8; i++) {
        memcpy(out[n], t[i], 32);
        out[n++][31] ^= 0x80;
        memcpy(out[n++], t[i], 32);
    }
    for (int extra = 0; extra < 2; extra++) { /* p and p + 1 */
        for (int sign = 0; sign < 2; sign++) {
            memset(out[n], 0xff, 32);
            out[n][0] = (uint8_t)(0xed + extra);
            out[n][31] = (uint8_t)(sign ? 0xff : 0x7f);
            n++;
        }
    }
    return n;
}

static void clamped_scalar(uint8_t a[32], const uint8_t seed[32])
{
    uint8_t h[64];
    hy_sha512(seed, 32, h);
    h[0] &= 248;
    h[31] &= 127;
    h[31] |= 64;
    memcpy(a, h, 32);
}

static void test_reject_small_order_r(void **state)
{
    (void)state;
    uint8_t enc[20][32], sig[64], k[32], a[32], zero[32] = {0};
    vec v;
    size_t n = small_order_encodings(enc);
    load(&v, 1);
    /* R = identity with S = k a: [S]B - [k]A = O = R, so the equation holds; the rule
     * refuses it. */
    clamped_scalar(a, v.seed);
    memcpy(sig, IDENTITY, 32);
    challenge(k, sig, v.pub, v.msg, v.len);
    hy_sc_muladd(sig + 32, k, a, zero);
    assert_true(equation_holds(sig, v.pub, v.msg, v.len));
    assert_int_equal(hy_verify(sig, v.pub, v.msg, v.len), HY_E_BAD_SIGNATURE);
    for (size_t i = 0; i < n; i++) {
        memcpy(sig, enc[i], 32);
        memcpy(sig + 32, v.sig + 32, 32);
        assert_int_equal(hy_verify(sig, v.pub, v.msg, v.len), HY_E_BAD_SIGNATURE);
    }
}

static void test_reject_small_order_a(void **state)
{
    (void)state;
    uint8_t enc[20][32], sig[64] = {1}, msg[1] = {0};
    hy_ge_p3 P;
    size_t n = small_order_encodings(enc), with_equation = 0;
    /* R = O, S = 0: the equation is [k]A = O, which holds whenever the order of A divides k.
     * For each A that decodes, find such a message, then check the rule refuses it anyway.
     * (x = 0 with the sign bit set does not decode; those are refused all the same.) */
    for (size_t i = 0; i < n; i++) {
        if (hy_ge_frombytes_vartime(&P, enc[i]) == 0) {
            int found = 0;
            for (unsigned m = 0; m < 256 && !found; m++) {
                msg[0] = (uint8_t)m;
                found = equation_holds(sig, enc[i], msg, 1);
            }
            assert_true(found);
            with_equation++;
        }
        assert_int_equal(hy_verify(sig, enc[i], msg, 1), HY_E_BAD_SIGNATURE);
    }
    assert_true(with_equation >= 16);
}

/* y >= p (19 values, either sign) is refused as a key, even where it decodes mod p. */
static void test_reject_noncanonical_a(void **state)
{
    (void)state;
    vec v;
    uint8_t pub[32];
    hy_ge_p3 P;
    int decodable = 0;
    load(&v, 0);
    for (int extra = 0; extra < 19; extra++) {
        for (int sign = 0; sign < 2; sign++) {
            memset(pub, 0xff, 32);
            pub[0] = (uint8_t)(0xed + extra);
            pub[31] = (uint8_t)(sign ? 0xff : 0x7f);
            decodable += hy_ge_frombytes_vartime(&P, pub) == 0;
            assert_int_equal(hy_verify(v.sig, pub, v.msg, v.len), HY_E_BAD_SIGNATURE);
        }
    }
    assert_true(decodable > 0); /* some of them are points, so the check is not vacuous */
    /* a key that is not on the curve: y = 2 has no x */
    memset(pub, 0, 32);
    pub[0] = 2;
    assert_int_not_equal(hy_ge_frombytes_vartime(&P, pub), 0);
    assert_int_equal(hy_verify(v.sig, pub, v.msg, v.len), HY_E_BAD_SIGNATURE);
}

/* A key with a small-order component (A + T8) is not itself small order: it is accepted,
 * and the cofactorless equation decides. */
static void test_mixed_order_key(void **state)
{
    (void)state;
    uint8_t t[8][32], pub[32], sig[64], k[32], a[32], r[32] = {7};
    hy_ge_p3 A, T, R;
    vec v;
    load(&v, 0);
    torsion_points(t);
    assert_int_equal(hy_ge_frombytes_vartime(&A, v.pub), 0);
    assert_int_equal(hy_ge_frombytes_vartime(&T, t[0]), 0); /* order 8 */
    hy_ge_add(&A, &A, &T);
    hy_ge_p3_tobytes(pub, &A);
    /* sign with the real scalar a under the mixed key: [S]B - [k](A + T) = R - [k]T, which
     * equals R exactly when the order of T (8) divides k */
    clamped_scalar(a, v.seed);
    hy_ge_scalarmult_base(&R, r);
    int accepted = 0, refused = 0;
    for (unsigned m = 0; m < 64; m++) {
        uint8_t msg[1] = {(uint8_t)m};
        hy_ge_p3_tobytes(sig, &R);
        challenge(k, sig, pub, msg, 1);
        hy_sc_muladd(sig + 32, k, a, r);
        hy_err want = (k[0] & 7) == 0 ? HY_OK : HY_E_BAD_SIGNATURE;
        assert_int_equal(hy_verify(sig, pub, msg, 1), want);
        accepted += want == HY_OK;
        refused += want != HY_OK;
    }
    assert_true(accepted > 0 && refused > 0);
}

/* ---- scalars mod L -------------------------------------------------------------------- */

static void test_scalar_reduce(void **state)
{
    (void)state;
    /* x, x mod L (from Python), around the multiples of L where Barrett's estimate is low */
    static const char *cases[][2] = {
        {"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
         "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
         "000f9c44e31106a447938568a71b0ed065bef517d273ecce3d9a307c1b419903"},
        {"fef063bb1ceef95bb86c7a9758e4f12f9a410ae82d8c1331c265cf83e4be66fc"
         "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
         "ecd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010"},
        {"fff063bb1ceef95bb86c7a9758e4f12f9a410ae82d8c1331c265cf83e4be66fc"
         "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
         "0000000000000000000000000000000000000000000000000000000000000000"},
        {"edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010"
         "0000000000000000000000000000000000000000000000000000000000000000",
         "0000000000000000000000000000000000000000000000000000000000000000"},
        {"ecd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010"
         "0000000000000000000000000000000000000000000000000000000000000000",
         "ecd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010"},
        {"d9a7ebb934c624b0ac39ef45bdf3bd2900000000000000000000000000000020"
         "0000000000000000000000000000000000000000000000000000000000000000",
         "ecd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010"},
        {"c67be1164f29370883d6e6e89bed9c3e00000000000000000000000000000030"
         "0000000000000000000000000000000000000000000000000000000000000000",
         "ecd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010"},
        {"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
         "0000000000000000000000000000000000000000000000000000000000000000",
         "1c95988d7431ecd670cf7d73f45befc6feffffffffffffffffffffffffffff0f"},
    };
    uint8_t in[64], want[32], got[32];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unhex(in, cases[i][0], 64);
        unhex(want, cases[i][1], 32);
        hy_sc_reduce(got, in);
        assert_memory_equal(got, want, 32);
    }
    /* a b + c mod L (from Python), including the largest inputs the contract allows */
    static const char *mac[][4] = {
        {"490b1f2afcecee04549fa0850bdacb3c8aece0676d94ec6259e3ee97e430480f",
         "8e6fc699fbbee260be0cfbaf81fe2c08f5cea89ee2a64860e58a5a6df15e323f",
         "4aab755e987ff2baca108aede7c7c389d4f30b583f2b62ee4ef92104b2eb0401",
         "ee5adb76fca3aa0a15a4639f06397a50cf7d243a6755866c0aa1440886437204"},
        {"ecd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010",
         "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
         "ecd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010",
         "d03e5dcfa531268165cd792fea9def4d01000000000000000000000000000000"},
    };
    uint8_t a[32], b[32], c[32];
    for (size_t i = 0; i < sizeof mac / sizeof mac[0]; i++) {
        unhex(a, mac[i][0], 32);
        unhex(b, mac[i][1], 32);
        unhex(c, mac[i][2], 32);
        unhex(want, mac[i][3], 32);
        hy_sc_muladd(got, a, b, c);
        assert_memory_equal(got, want, 32);
        hy_sc_muladd(a, a, b, c); /* output aliasing an input */
        assert_memory_equal(a, want, 32);
    }
}

/* ---- the fixed-base table ------------------------------------------------------------- */

static void fe_small(hy_fe *h, uint32_t v)
{
    uint8_t b[32] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16)};
    hy_fe_frombytes(h, b);
}

/* Recomputes every entry from the base point with the plain group law, so a wrong byte in
 * the static table cannot go unnoticed (it would otherwise only show as wrong signatures
 * for some keys). */
static void test_base_table(void **state)
{
    (void)state;
    uint8_t benc[32], out[96];
    hy_ge_p3 T, P;
    hy_fe d2, t, zi, x, y;
    /* 2d with d = -121665 / 121666 */
    fe_small(&d2, 121665);
    fe_small(&t, 121666);
    hy_fe_invert(&t, &t);
    hy_fe_mul(&d2, &d2, &t);
    hy_fe_neg(&d2, &d2);
    hy_fe_add(&d2, &d2, &d2);
    /* B: y = 4/5, x positive */
    memset(benc, 0x66, 32);
    benc[0] = 0x58;
    assert_int_equal(hy_ge_frombytes_vartime(&T, benc), 0);
    for (int k = 0; k < 8; k++) {
        for (int i = 0; k > 0 && i < 32; i++) {
            hy_ge_dbl(&T, &T);
        }
        P = T;
        for (int j = 0; j < 8; j++) {
            if (j > 0) {
                hy_ge_add(&P, &P, &T);
            }
            hy_fe_invert(&zi, &P.Z);
            hy_fe_mul(&x, &P.X, &zi);
            hy_fe_mul(&y, &P.Y, &zi);
            hy_fe_add(&t, &y, &x);
            hy_fe_tobytes(out, &t);
            hy_fe_sub(&t, &y, &x);
            hy_fe_tobytes(out + 32, &t);
            hy_fe_mul(&t, &x, &y);
            hy_fe_mul(&t, &t, &d2);
            hy_fe_tobytes(out + 64, &t);
            assert_memory_equal(out, hy_ge_base_table[k][j], 96);
        }
    }
}

/* Fixed-base multiplication against the variable-base path, for scalars whose signed
 * digits hit every table entry, both signs, zero digits and the top-digit carry. */
static void test_scalarmult_base_matches_generic(void **state)
{
    (void)state;
    uint8_t s[32], zero[32] = {0}, one[32] = {1}, want[32], got[32], benc[32];
    hy_ge_p3 B, R;
    memset(benc, 0x66, 32);
    benc[0] = 0x58;
    assert_int_equal(hy_ge_frombytes_vartime(&B, benc), 0);
    for (int i = 0; i < 64; i++) {
        for (int j = 0; j < 32; j++) {
            s[j] = (uint8_t)(j * 17 + i * 29 + ((j * i) >> 3));
        }
        if (i == 0) {
            memset(s, 0, 32); /* zero: the neutral point */
        } else if (i == 1) {
            memset(s, 0x88, 32); /* every digit recodes to -8 + carry */
        } else if (i == 2) {
            memset(s, 0xff, 32); /* all nibbles 15: every digit -1 with carries */
        }
        s[31] &= 0x1f; /* below 2^253, as the generic path requires */
        hy_ge_scalarmult_base(&R, s);
        hy_ge_p3_tobytes(got, &R);
        hy_ge_double_scalarmult_vartime(want, zero, &B, s); /* B's odd multiples */
        assert_memory_equal(got, want, 32);
        hy_ge_double_scalarmult_vartime(want, s, &B, zero); /* computed multiples */
        assert_memory_equal(got, want, 32);
    }
    /* the largest allowed scalar (clamped: bit 254 set) against B's encoding scaled up */
    memset(s, 0xff, 32);
    s[31] = 0x7f;
    hy_ge_scalarmult_base(&R, s);
    hy_ge_p3_tobytes(got, &R);
    /* 2^255 - 1 = (2^253 - 1) * 4 + 3: check via the generic path on B */
    uint8_t q[32];
    memset(q, 0xff, 32);
    q[31] = 0x1f;
    hy_ge_p3 Q;
    hy_ge_scalarmult_base(&Q, q);
    hy_ge_dbl(&Q, &Q);
    hy_ge_dbl(&Q, &Q);
    hy_ge_p3 three;
    uint8_t three_s[32] = {3};
    hy_ge_scalarmult_base(&three, three_s);
    hy_ge_add(&Q, &Q, &three);
    hy_ge_p3_tobytes(want, &Q);
    assert_memory_equal(got, want, 32);
    hy_ge_scalarmult_base(&R, one);
    hy_ge_p3_tobytes(got, &R);
    assert_memory_equal(got, benc, 32);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc8032_vectors),
        cmocka_unit_test(test_bit_flips),
        cmocka_unit_test(test_reject_noncanonical_s),
        cmocka_unit_test(test_reject_small_order_r),
        cmocka_unit_test(test_reject_small_order_a),
        cmocka_unit_test(test_reject_noncanonical_a),
        cmocka_unit_test(test_mixed_order_key),
        cmocka_unit_test(test_scalar_reduce),
        cmocka_unit_test(test_base_table),
        cmocka_unit_test(test_scalarmult_base_matches_generic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

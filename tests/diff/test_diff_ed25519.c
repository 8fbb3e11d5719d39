/* Differential test of SHA-512, scalar arithmetic and Ed25519 against libsodium (native
 * only; link with -lsodium). Usage: test_diff_ed25519 [seed] [iterations]
 *
 * Keys and signatures must be byte-equal to libsodium's, each side must accept the other's
 * signatures, and on mutated and hand-made inputs (bit flips, S + L, small-order and
 * non-canonical points, mixed-order keys, garbage keys) both must reach the same
 * accept/reject decision: our verification rules are meant to be exactly those of
 * libsodium 1.0.18's crypto_sign_verify_detached (docs/crypto.md). Ends with a short
 * in-process timing of both. Exit status 0 on success, 1 on the first difference. */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ed25519.h"
#include "ge25519.h"
#include "hypha.h"
#include "sc25519.h"
#include "sha512.h"

/* ---- deterministic PRNG (splitmix64) -------------------------------------------------- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static size_t rnd_below(size_t n)
{
    return (size_t)(rnd() % n);
}

static void rnd_bytes(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        p[i] = (uint8_t)rnd();
    }
}

static uint64_t seed_used;
static unsigned long checks;

static void hexdump(const char *label, const uint8_t *p, size_t n)
{
    fprintf(stderr, "  %s: ", label);
    for (size_t i = 0; i < n; i++) {
        fprintf(stderr, "%02x", p[i]);
    }
    fprintf(stderr, "\n");
}

static void fail(const char *what)
{
    fprintf(stderr, "FAIL (seed %" PRIu64 "): %s\n", seed_used, what);
    exit(1);
}

/* ---- SHA-512 -------------------------------------------------------------------------- */

static void diff_sha512(int rounds)
{
    static uint8_t msg[1100];
    uint8_t a[64], b[64];
    for (int r = 0; r < rounds; r++) {
        size_t len = rnd_below(1025);
        rnd_bytes(msg, len);
        crypto_hash_sha512(a, msg, len);
        hy_sha512(msg, len, b);
        if (memcmp(a, b, 64) != 0) {
            fprintf(stderr, "  len %zu\n", len);
            fail("SHA-512 one-shot differs from crypto_hash_sha512");
        }
        /* the same through random update splits */
        hy_sha512_state s;
        hy_sha512_init(&s);
        for (size_t off = 0; off < len;) {
            size_t n = rnd_below(len - off + 1);
            hy_sha512_update(&s, msg + off, n);
            off += n;
        }
        hy_sha512_final(&s, b);
        if (memcmp(a, b, 64) != 0) {
            fail("SHA-512 incremental differs from crypto_hash_sha512");
        }
        checks += 2;
    }
}

/* ---- scalars -------------------------------------------------------------------------- */

static void diff_scalars(int rounds)
{
    uint8_t in[64], a[32], b[32], c[32], want[32], got[32], t[32];
    for (int r = 0; r < rounds; r++) {
        rnd_bytes(in, 64);
        if (r % 8 == 1) {
            memset(in, 0xff, 64 - rnd_below(40)); /* long runs of ones: large quotients */
        }
        crypto_core_ed25519_scalar_reduce(want, in);
        hy_sc_reduce(got, in);
        if (memcmp(want, got, 32) != 0) {
            hexdump("in", in, 64);
            fail("sc_reduce differs from crypto_core_ed25519_scalar_reduce");
        }
        /* muladd with a, c < L (the contract) and b any 256-bit value */
        rnd_bytes(in, 64);
        crypto_core_ed25519_scalar_reduce(a, in);
        rnd_bytes(in, 64);
        crypto_core_ed25519_scalar_reduce(c, in);
        rnd_bytes(b, 32);
        uint8_t b_red[32], b_wide[64] = {0};
        memcpy(b_wide, b, 32);
        crypto_core_ed25519_scalar_reduce(b_red, b_wide);
        crypto_core_ed25519_scalar_mul(t, a, b_red);
        crypto_core_ed25519_scalar_add(want, t, c);
        hy_sc_muladd(got, a, b, c);
        if (memcmp(want, got, 32) != 0) {
            fail("sc_muladd differs from libsodium's scalar_mul + scalar_add");
        }
        checks += 2;
    }
}

/* ---- signatures ----------------------------------------------------------------------- */

static const uint8_t L_BYTES[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58,
                                    0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
                                    [31] = 0x10};

/* Both verifiers must agree on (sig, pub, msg). Returns the shared decision. */
static int same_decision(const uint8_t sig[64], const uint8_t pub[32], const uint8_t *msg,
                         size_t len, const char *what)
{
    int sodium_ok = crypto_sign_verify_detached(sig, msg, len, pub) == 0;
    int ours_ok = hy_verify(sig, pub, msg, len) == HY_OK;
    checks++;
    if (sodium_ok != ours_ok) {
        fprintf(stderr, "  libsodium %s, ours %s\n", sodium_ok ? "accepts" : "rejects",
                ours_ok ? "accepts" : "rejects");
        hexdump("sig", sig, 64);
        hexdump("pub", pub, 32);
        hexdump("msg", msg, len);
        fail(what);
    }
    return ours_ok;
}

static void add256(uint8_t out[32], const uint8_t a[32], const uint8_t b[32])
{
    unsigned carry = 0;
    for (int i = 0; i < 32; i++) {
        carry += (unsigned)a[i] + b[i];
        out[i] = (uint8_t)carry;
        carry >>= 8;
    }
}

/* The 8 small-order points, found as multiples of the torsion part [L]P of a curve point
 * with an order-8 torsion part; written as encodings with both sign bits, plus the
 * non-canonical encodings p and p + 1 (of y = 0 and y = 1) with both sign bits. */
static size_t small_order_encodings(uint8_t out[20][32])
{
    static const uint8_t identity[32] = {1};
    uint8_t y[32] = {0}, zero[32] = {0}, enc[32];
    hy_ge_p3 P, T, Q;
    for (uint8_t v = 2;; v++) {
        y[0] = v;
        if (hy_ge_frombytes_vartime(&P, y) != 0) {
            continue;
        }
        hy_ge_double_scalarmult_vartime(enc, L_BYTES, &P, zero);
        if (hy_ge_frombytes_vartime(&T, enc) != 0) {
            fail("torsion point does not decode");
        }
        hy_ge_dbl(&Q, &T);
        hy_ge_dbl(&Q, &Q);
        hy_ge_p3_tobytes(enc, &Q);
        if (memcmp(enc, identity, 32) != 0) {
            break;
        }
    }
    size_t n = 0;
    Q = T;
    for (int i = 0; i < 8; i++) {
        hy_ge_p3_tobytes(out[n], &Q);
        memcpy(out[n + 1], out[n], 32);
        out[n + 1][31] ^= 0x80;
        n += 2;
        hy_ge_add(&Q, &Q, &T);
    }
    for (int extra = 0; extra < 2; extra++) {
        for (int sign = 0; sign < 2; sign++) {
            memset(out[n], 0xff, 32);
            out[n][0] = (uint8_t)(0xed + extra);
            out[n][31] = (uint8_t)(sign ? 0xff : 0x7f);
            n++;
        }
    }
    return n;
}

static void challenge(uint8_t k[32], const uint8_t R[32], const uint8_t A[32],
                      const uint8_t *msg, size_t len)
{
    uint8_t h[64];
    crypto_hash_sha512_state s;
    crypto_hash_sha512_init(&s);
    crypto_hash_sha512_update(&s, R, 32);
    crypto_hash_sha512_update(&s, A, 32);
    crypto_hash_sha512_update(&s, msg, len);
    crypto_hash_sha512_final(&s, h);
    crypto_core_ed25519_scalar_reduce(k, h);
}

static void diff_signatures(int rounds)
{
    static uint8_t msg[1100];
    uint8_t small[20][32];
    size_t nsmall = small_order_encodings(small);
    unsigned long accepted_mutants = 0;

    for (int r = 0; r < rounds; r++) {
        uint8_t seed[32], pk[32], sk[64], pub[32], sig_s[64], sig_h[64], sig[64], key[32];
        size_t len = (r % 50 == 0) ? rnd_below(1025) : rnd_below(200);
        rnd_bytes(seed, 32);
        rnd_bytes(msg, len);

        /* keys and signatures: byte-equal */
        crypto_sign_seed_keypair(pk, sk, seed);
        hy_key_public(pub, seed);
        if (memcmp(pk, pub, 32) != 0) {
            hexdump("seed", seed, 32);
            fail("public key differs");
        }
        crypto_sign_detached(sig_s, NULL, msg, len, sk);
        hy_sign(sig_h, seed, msg, len);
        if (memcmp(sig_s, sig_h, 64) != 0) {
            hexdump("seed", seed, 32);
            fail("signature differs (hy_sign)");
        }
        hy_ed25519_sign(sig_h, seed, pub, msg, len);
        if (memcmp(sig_s, sig_h, 64) != 0) {
            fail("signature differs (hy_ed25519_sign)");
        }
        if (!same_decision(sig_h, pub, msg, len, "valid signature")) {
            fail("valid signature rejected by both");
        }
        checks += 3;

        /* random bit flips in signature, key, message */
        memcpy(sig, sig_h, 64);
        sig[rnd_below(64)] ^= (uint8_t)(1u << rnd_below(8));
        accepted_mutants += (unsigned long)same_decision(sig, pub, msg, len, "sig bit flip");
        memcpy(key, pub, 32);
        key[rnd_below(32)] ^= (uint8_t)(1u << rnd_below(8));
        accepted_mutants += (unsigned long)same_decision(sig_h, key, msg, len, "key flip");
        if (len > 0) {
            size_t i = rnd_below(len);
            uint8_t bit = (uint8_t)(1u << rnd_below(8));
            msg[i] ^= bit;
            accepted_mutants += (unsigned long)same_decision(sig_h, pub, msg, len, "msg flip");
            msg[i] ^= bit;
        }

        /* S + L (same scalar mod L); random S; S with high bits; S = L */
        memcpy(sig, sig_h, 64);
        add256(sig + 32, sig_h + 32, L_BYTES);
        same_decision(sig, pub, msg, len, "S + L");
        rnd_bytes(sig + 32, 32);
        sig[63] &= (uint8_t)(r % 3 == 0 ? 0x1f : 0xff);
        same_decision(sig, pub, msg, len, "random S");
        memcpy(sig + 32, L_BYTES, 32);
        same_decision(sig, pub, msg, len, "S = L");

        /* small-order and non-canonical R and A */
        memcpy(sig, sig_h, 64);
        memcpy(sig, small[rnd_below(nsmall)], 32);
        same_decision(sig, pub, msg, len, "small-order R");
        memcpy(sig, sig_h, 64);
        sig[31] ^= 0x80; /* the other x for R's y */
        same_decision(sig, pub, msg, len, "R sign flip");
        same_decision(sig_h, small[rnd_below(nsmall)], msg, len, "small-order A");
        {
            /* R = O, S = 0 under a small-order A: the equation [k]A = O holds for about
             * 1 in ord(A) messages; the rules must refuse all of them alike */
            uint8_t s0[64] = {1};
            same_decision(s0, small[rnd_below(nsmall)], msg, len, "small-order A, R = O");
            /* R = O with S = k a under the real key: equation holds, R rule refuses */
            uint8_t k[32], a[64], zero[32] = {0};
            challenge(k, s0, pub, msg, len);
            crypto_hash_sha512(a, seed, 32);
            a[0] &= 248;
            a[31] &= 127;
            a[31] |= 64;
            hy_sc_muladd(s0 + 32, k, a, zero);
            same_decision(s0, pub, msg, len, "R = O, S = k a");
        }

        /* garbage keys: random 32 bytes (about half are points), and y near p */
        rnd_bytes(key, 32);
        same_decision(sig_h, key, msg, len, "random key");
        memset(key, 0xff, 32);
        key[0] = (uint8_t)(0xd9 + rnd_below(0x27)); /* y in [p - 20, 2^255) */
        key[31] = (uint8_t)(rnd() & 1 ? 0xff : 0x7f);
        same_decision(sig_h, key, msg, len, "key near p");
        memset(sig, 0xff, 32);
        sig[0] = (uint8_t)(0xd9 + rnd_below(0x27));
        sig[31] = (uint8_t)(rnd() & 1 ? 0xff : 0x7f);
        memcpy(sig + 32, sig_h + 32, 32);
        same_decision(sig, pub, msg, len, "R near p");

        /* mixed-order key A + T: valid signatures by the real scalar verify under the
         * cofactorless equation exactly when ord(T) divides k */
        {
            hy_ge_p3 A, T;
            uint8_t mixed[32], k[32], a[64], nonce_wide[64], nonce[32], Rb[32], s1[64];
            hy_ge_p3 R;
            if (hy_ge_frombytes_vartime(&A, pub) != 0 ||
                hy_ge_frombytes_vartime(&T, small[2 * rnd_below(8)]) != 0) {
                fail("decode failed");
            }
            hy_ge_add(&A, &A, &T);
            hy_ge_p3_tobytes(mixed, &A);
            rnd_bytes(nonce_wide, 64);
            crypto_core_ed25519_scalar_reduce(nonce, nonce_wide);
            hy_ge_scalarmult_base(&R, nonce);
            hy_ge_p3_tobytes(Rb, &R);
            memcpy(s1, Rb, 32);
            challenge(k, Rb, mixed, msg, len);
            crypto_hash_sha512(a, seed, 32);
            a[0] &= 248;
            a[31] &= 127;
            a[31] |= 64;
            hy_sc_muladd(s1 + 32, k, a, nonce);
            accepted_mutants +=
                (unsigned long)same_decision(s1, mixed, msg, len, "mixed-order key");
        }
    }
    printf("signatures: %d rounds, %lu mutated or hand-made inputs accepted by both\n", rounds,
           accepted_mutants);
}

/* ---- timing --------------------------------------------------------------------------- */

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Best of several short rounds, interleaved between the two libraries, so that a noisy
 * machine penalizes both alike. */
static void timing(void)
{
    enum { N = 500, ROUNDS = 7 };
    uint8_t seed[32] = {42}, pk[32], sk[64], sig[64], msg[64] = {1};
    double best[6] = {0};
    int bad = 0;
    crypto_sign_seed_keypair(pk, sk, seed);
    crypto_sign_detached(sig, NULL, msg, sizeof msg, sk);
    for (int round = 0; round < ROUNDS; round++) {
        for (int which = 0; which < 6; which++) {
            double t0 = now();
            for (int i = 0; i < N; i++) {
                switch (which) {
                case 0: crypto_sign_detached(sig, NULL, msg, sizeof msg, sk); break;
                case 1: hy_ed25519_sign(sig, seed, pk, msg, sizeof msg); break;
                case 2: hy_sign(sig, seed, msg, sizeof msg); break;
                case 3: bad |= crypto_sign_verify_detached(sig, msg, sizeof msg, pk); break;
                case 4: bad |= hy_verify(sig, pk, msg, sizeof msg) != HY_OK; break;
                default: hy_key_public(pk, seed); break;
                }
            }
            double rate = N / (now() - t0);
            if (rate > best[which]) {
                best[which] = rate;
            }
        }
    }
    if (bad) {
        fail("timing loop: a signature did not verify");
    }
    printf("timing (64-byte messages, best of %d x %d):\n", ROUNDS, N);
    printf("  sign    libsodium %8.0f/s  hy_ed25519_sign %8.0f/s  (%.2fx slower)\n", best[0],
           best[1], best[0] / best[1]);
    printf("  hy_sign (derives the public key first)     %8.0f/s  (%.2fx)\n", best[2],
           best[0] / best[2]);
    printf("  verify  libsodium %8.0f/s  hy_verify       %8.0f/s  (%.2fx slower)\n", best[3],
           best[4], best[3] / best[4]);
    printf("  keygen  hy_key_public %8.0f/s\n", best[5]);
}

int main(int argc, char **argv)
{
    int rounds = 3000;
    seed_used = 0x8032;
    if (argc > 1) {
        seed_used = strtoull(argv[1], NULL, 0);
    }
    if (argc > 2) {
        rounds = atoi(argv[2]);
    }
    if (sodium_init() < 0) {
        fprintf(stderr, "sodium_init failed\n");
        return 1;
    }
    printf("test_diff_ed25519: seed %" PRIu64 " (rerun: test_diff_ed25519 %" PRIu64 " %d)\n",
           seed_used, seed_used, rounds);
    rng_state = seed_used;
    diff_sha512(rounds);
    diff_scalars(rounds);
    diff_signatures(rounds);
    printf("%lu checks passed\n", checks);
    timing();
    return 0;
}

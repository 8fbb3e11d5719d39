/* The crypto section: BLAKE3 throughput, Ed25519 signs and verifies per second, and, in
 * native builds, libsodium's Ed25519 measured in the same run, since the target is
 * relative to it (no slower than 2x). */
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "blake3.h"
#include "ed25519.h"

#ifdef HYPHA_BENCH_SODIUM
#include <sodium.h>
#endif

/* ---- BLAKE3 ---------------------------------------------------------------------------- */

typedef struct hash_work {
    uint8_t *data;
    size_t len;
} hash_work;

static void hash_repeatedly(void *context, uint64_t iterations)
{
    hash_work *work = context;
    uint8_t digest[HY_BLAKE3_OUT_LEN];
    for (uint64_t i = 0; i < iterations; i++) {
        hy_blake3(work->data, work->len, digest);
        /* Each input depends on the previous digest: no hash can be skipped or hoisted. */
        work->data[0] ^= digest[0];
    }
}

static const struct {
    const char *name;
    size_t len;
} hash_sizes[] = {
    { "64B", 64 },
    { "1KiB", 1024 },
    { "64KiB", 64 * 1024 },
    { "1MiB", 1024 * 1024 },
};
#define LARGEST_HASH_INPUT (1024 * 1024)

static int bench_blake3(const bench_config *config, bench_json *json)
{
    uint8_t *data = malloc(LARGEST_HASH_INPUT);
    if (data == NULL) {
        fputs("bench: out of memory\n", stderr);
        return 1;
    }
    for (size_t i = 0; i < LARGEST_HASH_INPUT; i++)
        data[i] = (uint8_t)(i * 31 + 7);
    bench_json_begin(json, "blake3_mb_per_s");
    for (size_t i = 0; i < sizeof hash_sizes / sizeof hash_sizes[0]; i++) {
        hash_work work = { data, hash_sizes[i].len };
        double hashes_per_second = bench_rate(config, hash_repeatedly, &work);
        bench_json_number(json, hash_sizes[i].name, hashes_per_second * (double)work.len / 1e6);
    }
    bench_json_end(json);
    free(data);
    return 0;
}

/* ---- Ed25519 --------------------------------------------------------------------------- */

/* One key and one message for every signer, so the figures compare like for like. The
 * message is the size of a hash and a little header: what signing a change head costs. */
typedef struct sign_work {
    uint8_t seed[32];
    uint8_t public_key[32];
    uint8_t message[64];
    uint8_t signature[64];
    uint64_t rejected; /* verifications that failed: must stay 0 */
#ifdef HYPHA_BENCH_SODIUM
    uint8_t sodium_secret_key[crypto_sign_SECRETKEYBYTES];
#endif
} sign_work;

static void hypha_sign_repeatedly(void *context, uint64_t iterations)
{
    sign_work *work = context;
    for (uint64_t i = 0; i < iterations; i++) {
        hy_ed25519_sign(work->signature, work->seed, work->public_key, work->message,
                        sizeof work->message);
        work->message[0] ^= work->signature[0];
    }
}

static void hypha_verify_repeatedly(void *context, uint64_t iterations)
{
    sign_work *work = context;
    for (uint64_t i = 0; i < iterations; i++) {
        work->rejected += hy_ed25519_verify(work->signature, work->public_key, work->message,
                                            sizeof work->message) != HY_OK;
    }
}

/* Leaves a valid signature of the current message in work, for the verify benchmarks. */
static void hypha_sign_once(sign_work *work)
{
    hy_ed25519_sign(work->signature, work->seed, work->public_key, work->message,
                    sizeof work->message);
}

#ifdef HYPHA_BENCH_SODIUM
static void sodium_sign_repeatedly(void *context, uint64_t iterations)
{
    sign_work *work = context;
    for (uint64_t i = 0; i < iterations; i++) {
        crypto_sign_detached(work->signature, NULL, work->message, sizeof work->message,
                             work->sodium_secret_key);
        work->message[0] ^= work->signature[0];
    }
}

static void sodium_verify_repeatedly(void *context, uint64_t iterations)
{
    sign_work *work = context;
    for (uint64_t i = 0; i < iterations; i++) {
        work->rejected += crypto_sign_verify_detached(work->signature, work->message,
                                                      sizeof work->message,
                                                      work->public_key) != 0;
    }
}

/* libsodium measured on the same key and message; the ratios are time per operation,
 * ours over libsodium's (the target is at most 2). */
static int bench_sodium(const bench_config *config, bench_json *json, sign_work *work,
                        double hypha_sign_rate, double hypha_verify_rate)
{
    uint8_t sodium_public_key[crypto_sign_PUBLICKEYBYTES];
    uint8_t hypha_signature[64];
    if (sodium_init() < 0) {
        fputs("bench: libsodium failed to initialise\n", stderr);
        return 1;
    }
    crypto_sign_seed_keypair(sodium_public_key, work->sodium_secret_key, work->seed);
    hypha_sign_once(work);
    memcpy(hypha_signature, work->signature, sizeof hypha_signature);
    crypto_sign_detached(work->signature, NULL, work->message, sizeof work->message,
                         work->sodium_secret_key);
    /* Ed25519 is deterministic: anything but equal outputs means unequal work. */
    if (memcmp(sodium_public_key, work->public_key, sizeof sodium_public_key) != 0 ||
        memcmp(hypha_signature, work->signature, sizeof hypha_signature) != 0) {
        fputs("bench: hypha and libsodium disagree on a key or signature\n", stderr);
        return 1;
    }
    double sign_rate = bench_rate(config, sodium_sign_repeatedly, work);
    crypto_sign_detached(work->signature, NULL, work->message, sizeof work->message,
                         work->sodium_secret_key);
    double verify_rate = bench_rate(config, sodium_verify_repeatedly, work);
    bench_json_number(json, "libsodium_sign_per_s", sign_rate);
    bench_json_number(json, "libsodium_verify_per_s", verify_rate);
    bench_json_number(json, "sign_time_vs_libsodium", sign_rate / hypha_sign_rate);
    bench_json_number(json, "verify_time_vs_libsodium", verify_rate / hypha_verify_rate);
    return 0;
}
#endif

static int bench_ed25519(const bench_config *config, bench_json *json)
{
    sign_work work = { .rejected = 0 };
    for (size_t i = 0; i < sizeof work.seed; i++)
        work.seed[i] = (uint8_t)(0xa5 ^ i);
    for (size_t i = 0; i < sizeof work.message; i++)
        work.message[i] = (uint8_t)i;
    hy_ed25519_public_key(work.public_key, work.seed);

    double sign_rate = bench_rate(config, hypha_sign_repeatedly, &work);
    hypha_sign_once(&work);
    double verify_rate = bench_rate(config, hypha_verify_repeatedly, &work);
    bench_json_number(json, "ed25519_sign_per_s", sign_rate);
    bench_json_number(json, "ed25519_verify_per_s", verify_rate);
    int status = 0;
#ifdef HYPHA_BENCH_SODIUM
    status = bench_sodium(config, json, &work, sign_rate, verify_rate);
#endif
    if (status == 0 && work.rejected != 0) {
        fputs("bench: a valid signature was rejected\n", stderr);
        status = 1;
    }
    return status;
}

int bench_crypto(const bench_config *config, bench_json *json)
{
    int status = bench_blake3(config, json);
    return status != 0 ? status : bench_ed25519(config, json);
}

/* The change log's figures: committing changes, receiving them as one signed batch (decode,
 * hash, one signature check, apply), and saving and loading the whole log. */
#include "bench.h"

#include "ed25519.h"
#include "log.h"

#include <stdlib.h>
#include <string.h>

#define FULL_CHANGES 100000
#define QUICK_CHANGES 1000

static hy_log *new_log(bool require_signatures)
{
    hy_log_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.alloc = hy_allocator_default();
    cfg.hash_seed = 0x9e3779b97f4a7c15u;
    cfg.require_signatures = require_signatures;
    hy_log *log = NULL;
    return hy_log_new(&cfg, &log) == HY_OK ? log : NULL;
}

/* Encodes every change of src for a batch; returns the writers (caller frees). */
static hy_writer *encode_all(hy_log *src, hy_bytes *bytes, uint32_t n)
{
    hy_writer *enc = calloc(n, sizeof *enc);
    for (uint32_t i = 0; enc && i < n; i++) {
        hy_writer_init(&enc[i], hy_allocator_default());
        if (hy_log_encode(src, i, &enc[i]) != HY_OK)
            return NULL;
        bytes[i].data = enc[i].data;
        bytes[i].len = enc[i].len;
    }
    return enc;
}

int bench_log(const bench_config *config, bench_json *json)
{
    uint32_t n = config->quick ? QUICK_CHANGES : FULL_CHANGES;
    uint8_t seed[HY_KEY_LEN];
    memset(seed, 7, sizeof seed);
    hy_log *src = new_log(true), *dst = new_log(true), *loaded = NULL;
    hy_bytes *bytes = calloc(n, sizeof *bytes);
    if (src == NULL || dst == NULL || bytes == NULL || hy_log_set_local(src, seed) != HY_OK)
        return fprintf(stderr, "bench log: set-up failed\n"), 1;

    /* Keystroke-sized changes: one op of 8 bytes each. */
    double start = bench_seconds();
    for (uint32_t i = 0; i < n; i++)
        if (hy_log_commit(src, 1700000000000 + i, 1, (const uint8_t *)"ins:a@42", 8, NULL))
            return fprintf(stderr, "bench log: commit failed\n"), 1;
    double commit_s = bench_seconds() - start;
    if (hy_log_sign_local(src) != HY_OK)
        return fprintf(stderr, "bench log: signing failed\n"), 1;

    hy_writer *enc = encode_all(src, bytes, n);
    hy_log_sig sig;
    memcpy(sig.hash, hy_log_hash(src, n - 1), HY_HASH_LEN);
    hy_log_actor_signature(src, 0, sig.sig);
    start = bench_seconds();
    hy_err err = enc ? hy_log_add_batch(dst, bytes, n, &sig, 1, NULL) : HY_E_NOMEM;
    double verify_s = bench_seconds() - start;
    if (err || hy_log_count(dst) != n)
        return fprintf(stderr, "bench log: batch failed: %s\n", hy_err_str(err)), 1;

    hy_writer saved;
    hy_writer_init(&saved, hy_allocator_default());
    start = bench_seconds();
    err = hy_log_save(src, &saved);
    double save_s = bench_seconds() - start;
    hy_log_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.alloc = hy_allocator_default();
    cfg.require_signatures = true;
    start = bench_seconds();
    if (err == HY_OK)
        err = hy_log_load(&cfg, saved.data, saved.len, &loaded, NULL);
    double load_s = bench_seconds() - start;
    if (err || hy_log_count(loaded) != n)
        return fprintf(stderr, "bench log: save/load failed: %s\n", hy_err_str(err)), 1;

    bench_json_number(json, "changes", n);
    bench_json_number(json, "commit_per_s", n / commit_s);
    bench_json_number(json, "batch_verify_apply_per_s", n / verify_s);
    bench_json_number(json, "save_ms", save_s * 1e3);
    bench_json_number(json, "save_bytes", (double)saved.len);
    bench_json_number(json, "save_bytes_per_change", (double)saved.len / n);
    bench_json_number(json, "load_ms", load_s * 1e3);

    for (uint32_t i = 0; i < n; i++)
        hy_writer_free(&enc[i]);
    free(enc);
    free(bytes);
    hy_writer_free(&saved);
    hy_log_free(src);
    hy_log_free(dst);
    hy_log_free(loaded);
    return 0;
}

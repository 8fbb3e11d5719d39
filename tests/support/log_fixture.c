#include "log_fixture.h"

#include "alloc.h"
#include "bytes.h"

#include <string.h>

void fixture_seed(uint8_t seed[HY_KEY_LEN], unsigned n)
{
    for (unsigned i = 0; i < HY_KEY_LEN; i++)
        seed[i] = (uint8_t)(n * 31u + i * 7u + 1u);
}

hy_log_config fixture_config(hy_allocator alloc, bool require_signatures)
{
    hy_log_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.alloc = alloc;
    cfg.hash_seed = 0x1234;
    cfg.require_signatures = require_signatures;
    return cfg;
}

hy_log *fixture_log(hy_allocator alloc, unsigned actor, bool require_signatures)
{
    hy_log_config cfg = fixture_config(alloc, require_signatures);
    hy_log *log = NULL;
    if (hy_log_new(&cfg, &log))
        return NULL;
    uint8_t seed[HY_KEY_LEN];
    fixture_seed(seed, actor);
    if (hy_log_set_local(log, seed)) {
        hy_log_free(log);
        return NULL;
    }
    return log;
}

hy_err fixture_commit(hy_log *log, const char *text)
{
    return hy_log_commit(log, 1700000000000, 1, (const uint8_t *)text, strlen(text), NULL);
}

hy_err fixture_sync(hy_log *from, hy_log *to)
{
    hy_allocator a = hy_allocator_default();
    hy_err err = hy_log_sign_local(from);
    if (err)
        return err;
    uint32_t head_count = hy_log_head_count(to);
    uint8_t *heads = hy_alloc_zero(&a, head_count + 1, HY_HASH_LEN);
    hy_vec missing;
    hy_vec_init(&missing, sizeof(uint32_t));
    for (uint32_t i = 0; i < head_count; i++)
        memcpy(heads + i * HY_HASH_LEN, hy_log_hash(to, hy_log_head(to, i)), HY_HASH_LEN);
    err = hy_log_missing_by_heads(from, heads, head_count, &missing);
    size_t n = missing.len;
    hy_writer *enc = hy_alloc_zero(&a, n + 1, sizeof *enc);
    hy_bytes *bytes = hy_alloc_zero(&a, n + 1, sizeof *bytes);
    for (size_t i = 0; err == HY_OK && i < n; i++) {
        hy_writer_init(&enc[i], a);
        err = hy_log_encode(from, HY_VEC_AT(&missing, uint32_t, i), &enc[i]);
        bytes[i].data = enc[i].data;
        bytes[i].len = enc[i].len;
    }
    /* The signatures whose changes are sent: they cover every change sent. */
    hy_vec held, sigs;
    hy_vec_init(&held, sizeof(hy_log_sig));
    hy_vec_init(&sigs, sizeof(hy_log_sig));
    if (err == HY_OK)
        err = hy_log_signatures(from, &held);
    for (size_t k = 0; err == HY_OK && k < held.len; k++) {
        const hy_log_sig *s = hy_vec_at(&held, k);
        uint32_t index = hy_log_find(from, s->hash);
        for (size_t i = 0; err == HY_OK && i < n; i++)
            if (HY_VEC_AT(&missing, uint32_t, i) == index)
                err = hy_vec_push(&sigs, &a, s);
    }
    if (err == HY_OK)
        err = hy_log_add_batch(to, bytes, n, sigs.data, sigs.len, NULL);
    for (size_t i = 0; i < n; i++)
        hy_writer_free(&enc[i]);
    hy_free(&a, enc, (n + 1) * sizeof *enc);
    hy_free(&a, bytes, (n + 1) * sizeof *bytes);
    hy_vec_free(&held, hy_log_allocator(from));
    hy_vec_free(&sigs, &a);
    hy_free(&a, heads, (head_count + 1) * HY_HASH_LEN);
    hy_vec_free(&missing, hy_log_allocator(from));
    return err;
}

hy_err fixture_save(hy_log *log, uint8_t **data, size_t *len)
{
    hy_writer w;
    hy_writer_init(&w, hy_allocator_default());
    hy_err err = hy_log_save(log, &w);
    if (err) {
        hy_writer_free(&w);
        return err;
    }
    return hy_writer_take(&w, data, len);
}

void fixture_free(uint8_t *data, size_t len)
{
    hy_allocator a = hy_allocator_default();
    hy_free(&a, data, len);
}

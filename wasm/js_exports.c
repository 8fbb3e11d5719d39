/* The C half of the browser module: only what the JS API (the .mjs files beside it) cannot
 * do through the exports of hypha.h alone. A store needs a platform, a struct of C function
 * pointers, so stores are made here with one whose clock and randomness come from JS; a
 * subscription needs a C callback, so one trampoline here hands every delivery to JS; the
 * genesis codec and sessions take config structs, filled here from plain arguments; and the
 * leak tests need the heap in use. The ledger (wasm/ledger.mjs) calls hy_ledger_* directly. */
#include "hypha.h"
#include "layouts.h" /* the JS API reads the core's structs at fixed offsets */

#include <emscripten/em_js.h>
#include <emscripten/em_macros.h>
#include <malloc.h>

EM_JS(double, hyjs_now_ms, (void), { return Date.now(); })

/* getRandomValues fills at most 65,536 bytes per call. */
EM_JS(void, hyjs_fill_random, (uint8_t *buf, size_t len), {
    crypto.getRandomValues(HEAPU8.subarray(buf >>> 0, (buf >>> 0) + (len >>> 0)));
})

/* Module.hyjsDeliver is set by wasm/subscriptions.mjs. */
EM_JS(void, hyjs_deliver, (uint32_t token, const hy_patch *patches, size_t count), {
    Module.hyjsDeliver(token >>> 0, patches >>> 0, count >>> 0);
})

static int64_t now_ms(void *user)
{
    (void)user;
    return (int64_t)hyjs_now_ms();
}

static hy_err random_bytes(void *user, uint8_t *buf, size_t len)
{
    (void)user;
    const size_t chunk = 65536;
    for (size_t at = 0; at < len; at += chunk)
        hyjs_fill_random(buf + at, len - at < chunk ? len - at : chunk);
    return HY_OK;
}

static const hy_platform js_platform = {
    .version = HY_PLATFORM_VERSION,
    .now_ms = now_ms,
    .random_bytes = random_bytes,
};

/* A store's config with the JS platform. genesis (genesis_len bytes, or NULL: anyone may
 * write) gives the writers the store enforces; they point into genesis, which the store
 * copies. A ledger's genesis (a committee) makes the store require signatures, as a ledger
 * needs. */
static hy_err config_of(const uint8_t *actor_seed, int require_signatures,
                        const uint8_t *genesis, size_t genesis_len, hy_store_config *config)
{
    *config = (hy_store_config){
        .platform = &js_platform,
        .actor_seed = actor_seed,
        .require_signatures = require_signatures,
    };
    if (genesis == NULL)
        return HY_OK;
    hy_genesis policy = { 0 };
    hy_err err = hy_genesis_decode(genesis, genesis_len, &policy, NULL);
    config->writers = policy.writers;
    config->writer_count = policy.writer_count;
    config->require_signatures |= policy.committee_count != 0;
    return err;
}

/* hy_store_new with the JS platform; actor_seed NULL: a fresh actor. */
hy_err hyjs_store_new(const uint8_t *actor_seed, int require_signatures, const uint8_t *genesis,
                      size_t genesis_len, hy_store **out);
hy_err hyjs_store_new(const uint8_t *actor_seed, int require_signatures, const uint8_t *genesis,
                      size_t genesis_len, hy_store **out)
{
    hy_store_config config;
    hy_err err = config_of(actor_seed, require_signatures, genesis, genesis_len, &config);
    return err ? err : hy_store_new(&config, out);
}

/* hy_store_load with the JS platform. */
hy_err hyjs_store_load(const uint8_t *actor_seed, int require_signatures, const uint8_t *genesis,
                       size_t genesis_len, const uint8_t *data, size_t len, hy_store **out,
                       size_t *err_offset);
hy_err hyjs_store_load(const uint8_t *actor_seed, int require_signatures, const uint8_t *genesis,
                       size_t genesis_len, const uint8_t *data, size_t len, hy_store **out,
                       size_t *err_offset)
{
    hy_store_config config;
    hy_err err = config_of(actor_seed, require_signatures, genesis, genesis_len, &config);
    return err ? err : hy_store_load(&config, data, len, out, err_offset);
}

/* hy_genesis_encode of the name, the key lists and the credit limit given apart. */
hy_err hyjs_genesis_encode(const char *name, size_t name_len, const uint8_t *writers,
                           size_t writer_count, const uint8_t *readers, size_t reader_count,
                           const uint8_t *committee, size_t committee_count,
                           int64_t credit_limit, uint8_t *out, size_t cap, size_t *len);
hy_err hyjs_genesis_encode(const char *name, size_t name_len, const uint8_t *writers,
                           size_t writer_count, const uint8_t *readers, size_t reader_count,
                           const uint8_t *committee, size_t committee_count,
                           int64_t credit_limit, uint8_t *out, size_t cap, size_t *len)
{
    hy_genesis genesis = {
        .name = name,
        .name_len = name_len,
        .writers = writers,
        .writer_count = writer_count,
        .readers = readers,
        .reader_count = reader_count,
        .committee = committee,
        .committee_count = committee_count,
        .credit_limit = credit_limit,
    };
    return hy_genesis_encode(&genesis, out, cap, len);
}

/* The store id of canonical genesis bytes: their BLAKE3, once they decode. */
hy_err hyjs_store_id(const uint8_t *genesis, size_t len, uint8_t id[HY_HASH_LEN],
                     size_t *err_offset);
hy_err hyjs_store_id(const uint8_t *genesis, size_t len, uint8_t id[HY_HASH_LEN],
                     size_t *err_offset)
{
    hy_genesis policy;
    hy_err err = hy_genesis_decode(genesis, len, &policy, err_offset);
    if (err == HY_OK)
        hy_hash(genesis, len, id);
    return err;
}

/* hy_session_new from plain arguments (0 limits: the defaults), with a fresh nonce.
 * enforced: whether the store was made with this genesis. A store that was not does not
 * refuse the changes of other writers, so it may sync only under a genesis naming none:
 * HY_E_INVALID_ARG otherwise. */
hy_err hyjs_session_new(hy_store *store, const uint8_t *genesis, size_t genesis_len,
                        int enforced, const uint8_t *node_seed, size_t max_frame,
                        size_t max_batch, hy_session **out);
hy_err hyjs_session_new(hy_store *store, const uint8_t *genesis, size_t genesis_len,
                        int enforced, const uint8_t *node_seed, size_t max_frame,
                        size_t max_batch, hy_session **out)
{
    hy_genesis policy;
    hy_err err = hy_genesis_decode(genesis, genesis_len, &policy, NULL);
    if (err)
        return err;
    if (!enforced && policy.writer_count)
        return HY_E_INVALID_ARG;
    uint8_t nonce[HY_NONCE_LEN];
    random_bytes(NULL, nonce, sizeof nonce);
    hy_session_config config = {
        .store = store,
        .genesis = genesis,
        .genesis_len = genesis_len,
        .node_seed = node_seed,
        .nonce = nonce,
        .max_frame = max_frame,
        .max_batch = max_batch,
    };
    return hy_session_new(&config, out);
}

static void deliver(void *user, const hy_patch *patches, size_t count)
{
    hyjs_deliver((uint32_t)(uintptr_t)user, patches, count);
}

/* hy_subscribe with deliveries going to JS under token, which names the JS callback. */
hy_err hyjs_subscribe(hy_store *store, const char *collection, const char *key,
                      const char *field, uint32_t token, uint32_t *id);
hy_err hyjs_subscribe(hy_store *store, const char *collection, const char *key,
                      const char *field, uint32_t token, uint32_t *id)
{
    return hy_subscribe(store, collection, key, field, deliver, (void *)(uintptr_t)token, id);
}

/* Bytes of the heap in use: the tests compare it before and after many failed calls. */
size_t hyjs_heap_used(void);
size_t hyjs_heap_used(void)
{
    return mallinfo().uordblks;
}

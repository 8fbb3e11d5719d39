/* The C half of the browser module: only what the JS API (the .mjs files beside it) cannot
 * do through the exports of hypha.h alone. A store needs a platform, a struct of C function
 * pointers, so stores are made here with one whose clock and randomness come from JS; a
 * subscription needs a C callback, so one trampoline here hands every delivery to JS; and the
 * leak tests need the heap in use. */
#include "hypha.h"

#include <emscripten/em_js.h>
#include <emscripten/em_macros.h>
#include <malloc.h>
#include <stddef.h>

/* The JS API reads hy_value and hy_patch straight from the heap at these offsets
 * (wasm/layout.mjs): a change of either struct must fail this build, not the JS. */
_Static_assert(sizeof(void *) == 4 && sizeof(size_t) == 4, "wasm32 is assumed");
_Static_assert(sizeof(hy_value) == 16 && offsetof(hy_value, as) == 8, "hy_value layout");
_Static_assert(offsetof(hy_patch, collection) == 4 && offsetof(hy_patch, key) == 8 &&
                   offsetof(hy_patch, field) == 12 && offsetof(hy_patch, value) == 16 &&
                   offsetof(hy_patch, delta) == 32 && offsetof(hy_patch, index) == 40 &&
                   offsetof(hy_patch, count) == 44 && offsetof(hy_patch, text) == 48 &&
                   offsetof(hy_patch, text_len) == 52 && offsetof(hy_patch, name) == 56 &&
                   offsetof(hy_patch, index_utf16) == 60 &&
                   sizeof(hy_patch) == 64,
               "hy_patch layout");

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

static hy_store_config config_of(const uint8_t *actor_seed, int require_signatures)
{
    hy_store_config config = {
        .platform = &js_platform,
        .actor_seed = actor_seed,
        .require_signatures = require_signatures,
    };
    return config;
}

/* hy_store_new with the JS platform; actor_seed NULL: a fresh actor. */
hy_err hyjs_store_new(const uint8_t *actor_seed, int require_signatures, hy_store **out);
hy_err hyjs_store_new(const uint8_t *actor_seed, int require_signatures, hy_store **out)
{
    hy_store_config config = config_of(actor_seed, require_signatures);
    return hy_store_new(&config, out);
}

/* hy_store_load with the JS platform. */
hy_err hyjs_store_load(const uint8_t *actor_seed, int require_signatures, const uint8_t *data,
                       size_t len, hy_store **out, size_t *err_offset);
hy_err hyjs_store_load(const uint8_t *actor_seed, int require_signatures, const uint8_t *data,
                       size_t len, hy_store **out, size_t *err_offset)
{
    hy_store_config config = config_of(actor_seed, require_signatures);
    return hy_store_load(&config, data, len, out, err_offset);
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

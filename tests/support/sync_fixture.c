#include "sync_fixture.h"

#include "store_fixture.h"

#include <string.h>

hy_err sync_fixture_open(sync_fixture *f)
{
    memset(f, 0, sizeof *f);
    hy_genesis g = { .name = "fuzz", .name_len = 4 };
    hy_err err = hy_genesis_encode(&g, f->genesis, sizeof f->genesis, &f->genesis_len);
    hy_store_config cfg = fixture_store_config(&f->platform, hy_allocator_default(), 11);
    if (err == HY_OK)
        err = hy_store_new(&cfg, &f->store);
    hy_value v = { .type = HY_TYPE_INT, .as.integer = 7 };
    if (err == HY_OK)
        err = hy_put(f->store, "c", "k", "x", &v);
    if (err == HY_OK)
        err = hy_text_insert(f->store, "c", "k", "body", 0, "abc", 3);
    uint8_t seed[HY_KEY_LEN], nonce[HY_NONCE_LEN];
    memset(seed, 0x21, sizeof seed);
    memset(nonce, 0x42, sizeof nonce);
    hy_session_config c = { .store = f->store, .genesis = f->genesis,
                            .genesis_len = f->genesis_len, .node_seed = seed, .nonce = nonce };
    if (err == HY_OK)
        err = hy_session_new(&c, &f->session);
    const uint8_t *hello;
    size_t len;
    if (err == HY_OK)
        err = hy_session_next(f->session, &hello, &len);
    uint8_t id[HY_HASH_LEN];
    hy_hash(f->genesis, f->genesis_len, id);
    wire_peer_init(&f->peer, 0x23, 0x24, id);
    /* The HELLO frame's payload follows its type and a one-byte length. */
    if (err == HY_OK && (len < 2 || hello[0] != WIRE_HELLO))
        err = HY_E_FORMAT;
    if (err == HY_OK)
        err = wire_peer_heard(&f->peer, hello + 2, len - 2);
    if (err)
        sync_fixture_close(f);
    return err;
}

void sync_fixture_greeting(const sync_fixture *f, hy_writer *w)
{
    wire_peer_greet(&f->peer, w);
}

void sync_fixture_close(sync_fixture *f)
{
    hy_session_free(f->session);
    hy_store_free(f->store);
    f->session = NULL;
    f->store = NULL;
}

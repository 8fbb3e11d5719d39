/* A sync session with everything fixed (store, keys, nonces) and a hand-played peer, so that
 * the fuzz target and the corpus it starts from (tests/fuzz/make_corpus.c) meet the same
 * session byte for byte. */
#ifndef HY_SYNC_FIXTURE_H
#define HY_SYNC_FIXTURE_H

#include "test_platform.h"
#include "wire.h"

typedef struct sync_fixture {
    test_platform platform;
    hy_store *store;
    hy_session *session;
    wire_peer peer;
    uint8_t genesis[64];
    size_t genesis_len;
} sync_fixture;

/* A store holding a few changes and a fresh session on it whose HELLO the peer has heard
 * (drained from the session). */
hy_err sync_fixture_open(sync_fixture *f);
/* The peer's HELLO and AUTH frames, appended to w. */
void sync_fixture_greeting(const sync_fixture *f, hy_writer *w);
void sync_fixture_close(sync_fixture *f);

#endif

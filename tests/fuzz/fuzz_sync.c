/* Arbitrary bytes against the sync protocol's decoders. The first byte picks the target:
 *   0  a fresh session (it has sent its HELLO and heard nothing)
 *   1  a session after a valid HELLO and AUTH from a scripted peer (READY)
 *   2  hy_genesis_decode (what it accepts re-encodes to the same bytes) and hy_hello_store_id
 * For the sessions, the rest is transport messages, each a 3-byte little-endian length and
 * that many bytes (the last one takes what is left): 3 bytes, so that a message can carry a
 * whole 65,536-byte CHANGES part. Never a crash or leak; every refusal
 * closes the session with an ERROR frame of the same code as its last frame; a closed
 * session stays closed; the store stays usable. */
#include "fuzz.h"

#include "sync_fixture.h"

#include <string.h>

/* Drains the session; returns the code of the last frame if it is an ERROR, else 0. */
static uint64_t drain_error(hy_session *s)
{
    const uint8_t *frame;
    size_t len;
    uint64_t code = 0;
    while (hy_session_next(s, &frame, &len) == HY_OK) {
        wire_view v;
        size_t at = 0;
        FUZZ_CHECK(wire_read(frame, len, &at, &v) == HY_OK && at == len);
        code = 0;
        if (v.type == WIRE_ERROR)
            FUZZ_CHECK(wire_read_error(v.payload, v.len, &code) == HY_OK && code != 0);
    }
    return code;
}

static void fuzz_genesis(const uint8_t *data, size_t size)
{
    hy_genesis g;
    size_t offset = SIZE_MAX;
    hy_err err = hy_genesis_decode(data, size, &g, &offset);
    if (err) {
        FUZZ_CHECK(offset <= size);
    } else {
        uint8_t again[3 * HY_GENESIS_MAX_KEYS * HY_KEY_LEN + 512]; /* writers, readers, committee */
        size_t len = 0;
        FUZZ_CHECK(hy_genesis_encode(&g, again, sizeof again, &len) == HY_OK);
        FUZZ_CHECK(len == size && memcmp(again, data, size) == 0);
    }
    uint8_t id[HY_HASH_LEN];
    hy_hello_store_id(data, size, id);
}

static void fuzz_session(int ready, const uint8_t *data, size_t size)
{
    sync_fixture f;
    FUZZ_CHECK(sync_fixture_open(&f) == HY_OK);
    if (ready) {
        hy_writer w;
        hy_writer_init(&w, hy_allocator_default());
        sync_fixture_greeting(&f, &w);
        FUZZ_CHECK(w.err == HY_OK);
        FUZZ_CHECK(hy_session_receive(f.session, w.data, w.len) == HY_OK);
        hy_writer_free(&w);
        FUZZ_CHECK(hy_session_get_state(f.session) == HY_SESSION_READY);
        FUZZ_CHECK(drain_error(f.session) == 0);
    }
    size_t at = 0;
    while (at < size) {
        size_t len = 0, prefix = 0;
        for (; prefix < 3 && at < size; prefix++)
            len |= (size_t)data[at++] << (8 * prefix);
        if (len > size - at)
            len = size - at;
        bool was_closed = hy_session_get_state(f.session) == HY_SESSION_CLOSED;
        hy_err err = hy_session_receive(f.session, data + at, len);
        at += len;
        hy_session_state st = hy_session_get_state(f.session);
        uint64_t sent_error = drain_error(f.session);
        if (was_closed) {
            FUZZ_CHECK(err == HY_E_CLOSED && sent_error == 0);
        } else if (err) {
            FUZZ_CHECK(st == HY_SESSION_CLOSED);
            /* Our refusal is told to the peer; the peer's ERROR is not answered. */
            FUZZ_CHECK(err == HY_E_CLOSED ? sent_error == 0
                                          : sent_error == (uint64_t)err &&
                                                hy_session_error(f.session) == err);
        } else {
            FUZZ_CHECK(st != HY_SESSION_CLOSED);
        }
        hy_session_tick(f.session);
        hy_session_changed(f.session);
        drain_error(f.session);
    }
    /* The store still takes an edit and saves. */
    FUZZ_CHECK(hy_counter_add(f.store, "c", "fuzz", "n", 1) == HY_OK);
    uint8_t *saved;
    size_t len;
    FUZZ_CHECK(hy_store_save(f.store, &saved, &len) == HY_OK);
    hy_store_buffer_free(f.store, saved, len);
    sync_fixture_close(&f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    if (data[0] % 3 == 2)
        fuzz_genesis(data + 1, size - 1);
    else
        fuzz_session(data[0] % 3, data + 1, size - 1);
    return 0;
}

/* Hostile peers against an honest sync session (docs/protocol.md). The peer is played by hand
 * (tests/support/wire.h builds its frames from the spec, not from p2p/): forged and replayed
 * AUTH, another store, another version, a reader not listed, malformed, oversized, truncated
 * and unknown frames, batches over the limit, forged change signatures, forbidden writers and
 * an equivocating actor. Each refusal must be exactly the code the spec gives, sent to the
 * peer as the session's last frame (an ERROR), with the session closed for good, nothing
 * sent to a peer that never authenticated, the honest store unchanged and still able to sync
 * with an honest peer afterwards. */
#include "hy_test.h"

#include "store_asserts.h"
#include "store_internal.h"
#include "test_alloc.h"
#include "wire.h"

#include <stdlib.h>
#include <string.h>

enum stage { FRESH, GREETED, READY };

typedef struct policy {
    const uint8_t *writers;
    size_t writer_count;
    const uint8_t *readers;
    size_t reader_count;
    int require_signatures;
    size_t max_frame, max_batch;
} policy;

/* The honest end: a store with a little state, and one session at a time on it. */
typedef struct victim {
    test_platform platform;
    hy_test_alloc counts;
    hy_store *store;
    hy_session *session;
    policy policy;
    uint8_t genesis[512];
    size_t genesis_len;
    uint8_t store_id[HY_HASH_LEN];
    uint8_t seed[HY_KEY_LEN], key[HY_KEY_LEN];
    uint8_t hello[128];
    size_t hello_len;
    wire_peer peer;
    unsigned sessions;
    bool ready;
    uint8_t *saved;
    size_t saved_len;
} victim;

#define VICTIM_NODE 0x11
#define PEER_NODE 0x22
#define STRANGER_NODE 0x33
#define VICTIM_ACTOR 0x44
#define AUTHOR_ACTOR 0x55
#define ROGUE_ACTOR 0x66

static void key_of(uint8_t key[HY_KEY_LEN], uint8_t seed_byte)
{
    uint8_t seed[HY_KEY_LEN];
    memset(seed, seed_byte, sizeof seed);
    hy_key_public(key, seed);
}

static hy_writer scratch(void)
{
    hy_writer w;
    hy_writer_init(&w, hy_allocator_default());
    return w;
}

/* Appends a frame of type around payload, and frees the payload. */
static void put_frame(hy_writer *w, uint8_t type, hy_writer *payload)
{
    assert_int_equal(payload->err, HY_OK);
    wire_frame(w, type, payload->data, payload->len);
    hy_writer_free(payload);
}

static hy_store_config store_config(test_platform *p, uint64_t seed, const uint8_t *actor,
                                    const policy *pol)
{
    hy_store_config cfg = fixture_store_config(p, hy_allocator_default(), seed);
    cfg.actor_seed = actor;
    cfg.require_signatures = pol->require_signatures;
    cfg.writers = pol->writers;
    cfg.writer_count = pol->writer_count;
    return cfg;
}

static void put_int(hy_store *s, const char *name, int64_t v)
{
    hy_value value = { .type = HY_TYPE_INT, .as.integer = v };
    assert_int_equal(hy_put(s, "c", "k", name, &value), HY_OK);
}

static void victim_init(victim *v, const policy *pol)
{
    memset(v, 0, sizeof *v);
    v->policy = *pol;
    hy_genesis g = { .name = "vault", .name_len = 5, .writers = pol->writers,
                     .writer_count = pol->writer_count, .readers = pol->readers,
                     .reader_count = pol->reader_count };
    assert_int_equal(hy_genesis_encode(&g, v->genesis, sizeof v->genesis, &v->genesis_len),
                     HY_OK);
    hy_hash(v->genesis, v->genesis_len, v->store_id);
    uint8_t actor[HY_KEY_LEN];
    memset(actor, VICTIM_ACTOR, sizeof actor);
    hy_store_config cfg = store_config(&v->platform, 7, actor, pol);
    assert_int_equal(hy_store_new(&cfg, &v->store), HY_OK);
    put_int(v->store, "x", 1);
    assert_int_equal(hy_text_insert(v->store, "c", "k", "body", 0, "hello", 5), HY_OK);
    memset(v->seed, VICTIM_NODE, sizeof v->seed);
    hy_key_public(v->key, v->seed);
}

static void victim_free(victim *v)
{
    hy_session_free(v->session);
    hy_store_free(v->store);
}

/* Everything the session queued, as frames. */
static hy_writer drained(victim *v)
{
    hy_writer w = scratch();
    wire_drain(v->session, &w);
    assert_int_equal(w.err, HY_OK);
    return w;
}

static void save(hy_store *s, uint8_t **out, size_t *len)
{
    assert_int_equal(hy_store_save(s, out, len), HY_OK);
}

/* A new session on the victim's store, its HELLO checked against the spec, a peer ready to
 * answer it; and the store as it was, to compare with later. */
static void victim_open(victim *v, uint8_t peer_node)
{
    uint8_t nonce[HY_NONCE_LEN];
    memset(nonce, 0x70 + (int)v->sessions++, sizeof nonce);
    hy_session_config c = { .alloc = hy_test_allocator(&v->counts), .store = v->store,
                            .genesis = v->genesis, .genesis_len = v->genesis_len,
                            .node_seed = v->seed, .nonce = nonce,
                            .max_frame = v->policy.max_frame,
                            .max_batch = v->policy.max_batch };
    assert_int_equal(hy_session_new(&c, &v->session), HY_OK);
    assert_int_equal(hy_session_get_state(v->session), HY_SESSION_HANDSHAKE);
    v->ready = false;
    hy_writer out = drained(v);
    size_t at = 0;
    wire_view f;
    assert_int_equal(wire_read(out.data, out.len, &at, &f), HY_OK);
    assert_int_equal(at, out.len); /* one frame: HELLO */
    assert_int_equal(f.type, WIRE_HELLO);
    assert_int_equal(f.len, 1 + HY_KEY_LEN + HY_NONCE_LEN + HY_HASH_LEN);
    assert_int_equal(f.payload[0], 1);
    assert_memory_equal(f.payload + 1, v->key, HY_KEY_LEN);
    assert_memory_equal(f.payload + 1 + HY_KEY_LEN, nonce, HY_NONCE_LEN);
    assert_memory_equal(f.payload + 1 + HY_KEY_LEN + HY_NONCE_LEN, v->store_id, HY_HASH_LEN);
    memcpy(v->hello, f.payload, f.len);
    v->hello_len = f.len;
    wire_peer_init(&v->peer, peer_node, (uint8_t)(0x90 + v->sessions), v->store_id);
    assert_int_equal(wire_peer_heard(&v->peer, f.payload, f.len), HY_OK);
    hy_writer_free(&out);
    save(v->store, &v->saved, &v->saved_len);
}

/* The peer's HELLO and AUTH: the victim answers with an AUTH that verifies over the spec's
 * transcript and a SYNC of its heads with the reply bit. */
static void victim_ready(victim *v)
{
    hy_writer w = scratch();
    wire_peer_greet(&v->peer, &w);
    assert_int_equal(hy_session_receive(v->session, w.data, w.len), HY_OK);
    hy_writer_free(&w);
    assert_int_equal(hy_session_get_state(v->session), HY_SESSION_READY);
    assert_memory_equal(hy_session_peer_key(v->session), v->peer.key, HY_KEY_LEN);
    hy_writer out = drained(v);
    size_t at = 0;
    wire_view f;
    assert_int_equal(wire_read(out.data, out.len, &at, &f), HY_OK);
    assert_int_equal(f.type, WIRE_AUTH);
    assert_int_equal(f.len, HY_SIG_LEN);
    uint8_t digest[HY_HASH_LEN];
    wire_auth_digest(digest, v->hello, v->hello_len, v->peer.hello, v->peer.hello_len);
    assert_int_equal(hy_verify(f.payload, v->key, digest, sizeof digest), HY_OK);
    assert_int_equal(wire_read(out.data, out.len, &at, &f), HY_OK);
    assert_int_equal(f.type, WIRE_SYNC);
    wire_sync_view sync;
    assert_int_equal(wire_read_sync(f.payload, f.len, &sync), HY_OK);
    assert_int_equal(sync.flags, 1);
    uint8_t heads[8 * HY_HASH_LEN];
    size_t count;
    assert_int_equal(hy_store_heads(v->store, heads, 8, &count), HY_OK);
    assert_int_equal(sync.head_count, count);
    assert_memory_equal(sync.heads, heads, count * HY_HASH_LEN);
    assert_int_equal(wire_read(out.data, out.len, &at, &f), HY_E_NOT_FOUND);
    hy_writer_free(&out);
    v->ready = true;
}

/* Ends the open session without a verdict. */
static void victim_end(victim *v)
{
    hy_session_free(v->session);
    v->session = NULL;
    hy_store_buffer_free(v->store, v->saved, v->saved_len);
}

static void open_at(victim *v, enum stage stage)
{
    victim_open(v, PEER_NODE);
    if (stage == GREETED) {
        hy_writer w = scratch();
        wire_frame(&w, WIRE_HELLO, v->peer.hello, v->peer.hello_len);
        assert_int_equal(hy_session_receive(v->session, w.data, w.len), HY_OK);
        hy_writer_free(&w);
        hy_writer out = drained(v); /* its AUTH */
        hy_writer_free(&out);
    } else if (stage == READY) {
        victim_ready(v);
    }
}

static void assert_store_unchanged(victim *v)
{
    uint8_t *now;
    size_t len;
    save(v->store, &now, &len);
    assert_int_equal(len, v->saved_len);
    assert_memory_equal(now, v->saved, len);
    hy_store_buffer_free(v->store, now, len);
}

/* The session refused what it got with want: said so to the peer in a final ERROR, sent a
 * peer that never authenticated nothing of the store, left the store alone, and is closed
 * for good. */
static void assert_refused(victim *v, hy_err got, hy_err want, const char *what)
{
    if (got != want)
        fail_msg("%s: %s, expected %s", what, hy_err_str(got), hy_err_str(want));
    assert_int_equal(hy_session_get_state(v->session), HY_SESSION_CLOSED);
    assert_int_equal(hy_session_error(v->session), want);
    assert_null(hy_session_peer_key(v->session));
    hy_writer out = drained(v);
    size_t at = 0;
    wire_view f = { 0 };
    bool error_last = false;
    while (wire_read(out.data, out.len, &at, &f) == HY_OK) {
        if (!v->ready && (f.type == WIRE_SYNC || f.type == WIRE_CHANGES || f.type == WIRE_NEED))
            fail_msg("%s: the session sent frame type %d to a peer that never authenticated",
                     what, f.type);
        uint64_t code = 0;
        error_last = f.type == WIRE_ERROR &&
                     wire_read_error(f.payload, f.len, &code) == HY_OK && code == want;
    }
    if (!error_last)
        fail_msg("%s: the session's last frame is not ERROR %s", what, hy_err_str(want));
    hy_writer_free(&out);
    assert_store_unchanged(v);
    /* Closed for good: nothing more is read, sent or announced. */
    assert_int_equal(hy_session_receive(v->session, v->peer.hello, 1), HY_E_CLOSED);
    assert_int_equal(hy_session_tick(v->session), HY_E_CLOSED);
    assert_int_equal(hy_session_changed(v->session), HY_E_CLOSED);
    const uint8_t *frame;
    size_t len;
    assert_int_equal(hy_session_next(v->session, &frame, &len), HY_E_NOT_FOUND);
    victim_end(v);
    assert_int_equal(v->counts.live_blocks, 0);
}

/* Feeds bytes (then frees them) to the open session and checks it refuses them with want. */
static void refused(victim *v, hy_writer *bytes, hy_err want, const char *what)
{
    assert_int_equal(bytes->err, HY_OK);
    hy_err got = hy_session_receive(v->session, bytes->data, bytes->len);
    hy_writer_free(bytes);
    assert_refused(v, got, want, what);
}

/* After all that, an honest peer still syncs with the store. */
static void assert_healthy(victim *v)
{
    test_platform p;
    uint8_t actor[HY_KEY_LEN];
    memset(actor, AUTHOR_ACTOR, sizeof actor);
    hy_store_config cfg = store_config(&p, 99, actor, &v->policy);
    hy_store *honest;
    assert_int_equal(hy_store_new(&cfg, &honest), HY_OK);
    uint8_t seed[HY_KEY_LEN], nonce[HY_NONCE_LEN];
    memset(seed, PEER_NODE, sizeof seed);
    memset(nonce, 0xEE, sizeof nonce);
    hy_session_config c = { .store = honest, .genesis = v->genesis,
                            .genesis_len = v->genesis_len, .node_seed = seed, .nonce = nonce };
    hy_session *theirs;
    assert_int_equal(hy_session_new(&c, &theirs), HY_OK);
    memset(nonce, 0xEF, sizeof nonce);
    c.store = v->store;
    c.node_seed = v->seed;
    assert_int_equal(hy_session_new(&c, &v->session), HY_OK);
    wire_pump(v->session, theirs);
    assert_true(hy_session_in_sync(v->session));
    assert_true(hy_session_in_sync(theirs));
    assert_same_saves(v->store, honest);
    hy_session_free(theirs);
    hy_session_free(v->session);
    v->session = NULL;
    hy_store_free(honest);
}

/* ---- the handshake ---- */

static void forged_or_replayed_auth_is_refused(void **state)
{
    (void)state;
    policy pol = { 0 };
    victim v;
    victim_init(&v, &pol);
    uint8_t sig[HY_SIG_LEN], replayed[HY_SIG_LEN];

    /* One bit of a valid AUTH flipped. */
    open_at(&v, GREETED);
    hy_writer w = scratch();
    wire_auth_sig(sig, v.peer.seed, v.peer.hello, v.peer.hello_len, v.hello, v.hello_len);
    memcpy(replayed, sig, sizeof sig); /* valid for this session only */
    sig[17] ^= 0x10;
    wire_frame(&w, WIRE_AUTH, sig, sizeof sig);
    refused(&v, &w, HY_E_BAD_SIGNATURE, "an AUTH with a flipped bit");

    /* The AUTH of the last session, whose victim nonce was another. */
    open_at(&v, GREETED);
    w = scratch();
    wire_frame(&w, WIRE_AUTH, replayed, sizeof replayed);
    refused(&v, &w, HY_E_BAD_SIGNATURE, "an AUTH replayed from another session");

    /* A valid signature by another key than the HELLO names. */
    open_at(&v, GREETED);
    w = scratch();
    uint8_t other[HY_KEY_LEN];
    memset(other, STRANGER_NODE, sizeof other);
    wire_auth_sig(sig, other, v.peer.hello, v.peer.hello_len, v.hello, v.hello_len);
    wire_frame(&w, WIRE_AUTH, sig, sizeof sig);
    refused(&v, &w, HY_E_BAD_SIGNATURE, "an AUTH by another key");

    /* The right key over the transcript in the victim's order (its own HELLO first). */
    open_at(&v, GREETED);
    w = scratch();
    wire_auth_sig(sig, v.peer.seed, v.hello, v.hello_len, v.peer.hello, v.peer.hello_len);
    wire_frame(&w, WIRE_AUTH, sig, sizeof sig);
    refused(&v, &w, HY_E_BAD_SIGNATURE, "an AUTH over the swapped transcript");

    /* Reflection: the victim's own HELLO sent back as the peer's, then its own AUTH. The
     * attacker holds no key at all; it must not get a session (the victim's own node key is
     * typically among the readers). */
    open_at(&v, FRESH);
    w = scratch();
    wire_frame(&w, WIRE_HELLO, v.hello, v.hello_len);
    hy_err err = hy_session_receive(v.session, w.data, w.len);
    hy_writer_free(&w);
    if (err == HY_OK) {
        hy_writer out = drained(&v);
        size_t at = 0;
        wire_view f;
        assert_int_equal(wire_read(out.data, out.len, &at, &f), HY_OK);
        assert_int_equal(f.type, WIRE_AUTH);
        w = scratch();
        wire_frame(&w, WIRE_AUTH, f.payload, f.len);
        hy_writer_free(&out);
        err = hy_session_receive(v.session, w.data, w.len);
        hy_writer_free(&w);
    }
    assert_refused(&v, err, HY_E_PROTOCOL, "the victim's own HELLO and AUTH reflected");
    assert_healthy(&v);
    victim_free(&v);
}

static void strangers_are_refused(void **state)
{
    (void)state;
    uint8_t readers[2 * HY_KEY_LEN];
    key_of(readers, VICTIM_NODE);
    key_of(readers + HY_KEY_LEN, PEER_NODE);
    if (memcmp(readers, readers + HY_KEY_LEN, HY_KEY_LEN) > 0) { /* ascending */
        uint8_t t[HY_KEY_LEN];
        memcpy(t, readers, HY_KEY_LEN);
        memcpy(readers, readers + HY_KEY_LEN, HY_KEY_LEN);
        memcpy(readers + HY_KEY_LEN, t, HY_KEY_LEN);
    }
    policy pol = { .readers = readers, .reader_count = 2 };
    victim v;
    victim_init(&v, &pol);

    /* Another store: NOT_FOUND, before the victim says anything but its HELLO. */
    open_at(&v, FRESH);
    uint8_t other_id[HY_HASH_LEN];
    memcpy(other_id, v.store_id, sizeof other_id);
    other_id[0] ^= 1;
    hy_writer w = scratch(), p = scratch();
    wire_hello(&p, 1, v.peer.key, v.peer.nonce, other_id);
    put_frame(&w, WIRE_HELLO, &p);
    refused(&v, &w, HY_E_NOT_FOUND, "a HELLO for another store");

    /* Another protocol version. */
    open_at(&v, FRESH);
    w = scratch();
    p = scratch();
    wire_hello(&p, 2, v.peer.key, v.peer.nonce, v.store_id);
    put_frame(&w, WIRE_HELLO, &p);
    refused(&v, &w, HY_E_VERSION, "a HELLO of version 2");

    /* A node key outside the readers, with a perfectly valid handshake. */
    victim_open(&v, STRANGER_NODE);
    w = scratch();
    wire_peer_greet(&v.peer, &w);
    refused(&v, &w, HY_E_FORBIDDEN, "a reader not in the genesis");

    /* A listed reader gets in. */
    open_at(&v, READY);
    victim_end(&v);
    assert_healthy(&v);
    victim_free(&v);
}

/* Until AUTH verifies, SYNC, CHANGES and NEED do nothing (docs/protocol.md: ignored, not
 * acted on): no reply, nothing merged, then or after the handshake completes. */
static void nothing_counts_before_auth(void **state)
{
    (void)state;
    policy pol = { 0 };
    victim v;
    victim_init(&v, &pol);
    test_platform p;
    uint8_t actor[HY_KEY_LEN];
    memset(actor, AUTHOR_ACTOR, sizeof actor);
    hy_store_config cfg = store_config(&p, 5, actor, &pol);
    hy_store *author;
    assert_int_equal(hy_store_new(&cfg, &author), HY_OK);
    put_int(author, "planted", 66);
    uint8_t *batch;
    size_t batch_len;
    assert_int_equal(hy_store_changes(author, NULL, 0, &batch, &batch_len), HY_OK);
    for (int stage = FRESH; stage <= GREETED; stage++) {
        open_at(&v, (enum stage)stage);
        hy_writer w = scratch(), q = scratch();
        wire_sync(&q, 1, NULL, 0, NULL, NULL, 0);
        put_frame(&w, WIRE_SYNC, &q);
        q = scratch();
        assert_true(batch_len <= WIRE_PART);
        wire_changes(&q, WIRE_LAST, 1, 0, batch, batch_len);
        put_frame(&w, WIRE_CHANGES, &q);
        q = scratch();
        uint8_t head[HY_HASH_LEN];
        size_t count;
        assert_int_equal(hy_store_heads(v.store, head, 1, &count), HY_OK);
        hy_write_varint(&q, 1);
        hy_write_bytes(&q, head, HY_HASH_LEN);
        hy_write_u8(&q, 0);
        hy_write_varint(&q, 0);
        put_frame(&w, WIRE_NEED, &q);
        assert_int_equal(w.err, HY_OK);
        assert_int_equal(hy_session_receive(v.session, w.data, w.len), HY_OK);
        hy_writer_free(&w);
        assert_int_equal(hy_session_get_state(v.session), HY_SESSION_HANDSHAKE);
        hy_writer out = drained(&v);
        assert_int_equal(out.len, 0);
        hy_writer_free(&out);
        assert_store_unchanged(&v);
        if (stage == GREETED) {
            /* The handshake completes; what came before it still counts for nothing. */
            hy_writer auth = scratch();
            uint8_t sig[HY_SIG_LEN];
            wire_auth_sig(sig, v.peer.seed, v.peer.hello, v.peer.hello_len, v.hello,
                          v.hello_len);
            wire_frame(&auth, WIRE_AUTH, sig, sizeof sig);
            assert_int_equal(hy_session_receive(v.session, auth.data, auth.len), HY_OK);
            hy_writer_free(&auth);
            assert_int_equal(hy_session_get_state(v.session), HY_SESSION_READY);
            assert_store_unchanged(&v);
        }
        victim_end(&v);
    }
    hy_store_buffer_free(author, batch, batch_len);
    hy_store_free(author);
    victim_free(&v);
}

static void handshake_violations_are_refused(void **state)
{
    (void)state;
    policy pol = { 0 };
    victim v;
    victim_init(&v, &pol);
    hy_writer w, p;

    /* A second HELLO, not a repeat of the first: during the handshake and after it. */
    for (int stage = GREETED; stage <= READY; stage++) {
        open_at(&v, (enum stage)stage);
        w = scratch();
        p = scratch();
        uint8_t nonce[HY_NONCE_LEN];
        memset(nonce, 0x5A, sizeof nonce);
        wire_hello(&p, 1, v.peer.key, nonce, v.store_id);
        put_frame(&w, WIRE_HELLO, &p);
        refused(&v, &w, HY_E_PROTOCOL, "a second, different HELLO");
    }
    /* A repeat of the first HELLO after READY is answered with AUTH again, nothing else. */
    open_at(&v, READY);
    w = scratch();
    wire_frame(&w, WIRE_HELLO, v.peer.hello, v.peer.hello_len);
    assert_int_equal(hy_session_receive(v.session, w.data, w.len), HY_OK);
    hy_writer_free(&w);
    assert_int_equal(hy_session_get_state(v.session), HY_SESSION_READY);
    hy_writer out = drained(&v);
    size_t at = 0;
    wire_view f;
    assert_int_equal(wire_read(out.data, out.len, &at, &f), HY_OK);
    assert_int_equal(f.type, WIRE_AUTH);
    assert_int_equal(at, out.len);
    hy_writer_free(&out);
    victim_end(&v);

    /* An AUTH before any HELLO (the HELLO was lost) is ignored, whatever it holds: the
     * session stays open, says nothing, and completes when HELLO and AUTH come. */
    open_at(&v, FRESH);
    uint8_t early[HY_SIG_LEN + 1];
    wire_auth_sig(early, v.peer.seed, v.peer.hello, v.peer.hello_len, v.hello, v.hello_len);
    static const size_t early_len[] = { HY_SIG_LEN, HY_SIG_LEN - 1, HY_SIG_LEN + 1, 0 };
    for (size_t i = 0; i < sizeof early_len / sizeof early_len[0]; i++) {
        w = scratch();
        wire_frame(&w, WIRE_AUTH, early, early_len[i]);
        assert_int_equal(hy_session_receive(v.session, w.data, w.len), HY_OK);
        hy_writer_free(&w);
        assert_int_equal(hy_session_get_state(v.session), HY_SESSION_HANDSHAKE);
        out = drained(&v);
        assert_int_equal(out.len, 0);
        hy_writer_free(&out);
    }
    victim_ready(&v);
    victim_end(&v);

    /* A malformed HELLO: short, long, and with a non-canonical version varint. */
    open_at(&v, FRESH);
    w = scratch();
    wire_frame(&w, WIRE_HELLO, v.peer.hello, v.peer.hello_len - 1);
    refused(&v, &w, HY_E_TRUNCATED, "a HELLO one byte short");
    open_at(&v, FRESH);
    w = scratch();
    p = scratch();
    hy_write_bytes(&p, v.peer.hello, v.peer.hello_len);
    hy_write_u8(&p, 0);
    put_frame(&w, WIRE_HELLO, &p);
    refused(&v, &w, HY_E_FORMAT, "a HELLO with a trailing byte");
    open_at(&v, FRESH);
    w = scratch();
    p = scratch();
    hy_write_u8(&p, 0x81);
    hy_write_u8(&p, 0x00);
    hy_write_bytes(&p, v.peer.hello + 1, v.peer.hello_len - 1);
    put_frame(&w, WIRE_HELLO, &p);
    refused(&v, &w, HY_E_VARINT, "a HELLO whose version varint is over-long");

    /* A malformed AUTH: short, long. */
    uint8_t sig[HY_SIG_LEN + 1];
    wire_auth_sig(sig, v.peer.seed, v.peer.hello, v.peer.hello_len, v.hello, v.hello_len);
    open_at(&v, GREETED);
    w = scratch();
    wire_frame(&w, WIRE_AUTH, sig, HY_SIG_LEN - 1);
    refused(&v, &w, HY_E_TRUNCATED, "an AUTH one byte short");
    open_at(&v, GREETED);
    w = scratch();
    wire_frame(&w, WIRE_AUTH, sig, HY_SIG_LEN + 1);
    refused(&v, &w, HY_E_FORMAT, "an AUTH with a trailing byte");
    assert_healthy(&v);
    victim_free(&v);
}

/* ---- frames ---- */

/* A frame must hold a whole part: hy_session_new refuses a smaller max_frame. */
static void a_max_frame_below_a_part_is_refused(void **state)
{
    (void)state;
    policy pol = { 0 };
    victim v;
    victim_init(&v, &pol);
    uint8_t nonce[HY_NONCE_LEN];
    memset(nonce, 0x70, sizeof nonce);
    static const size_t sizes[] = { 1, 4096, 65536, HY_MIN_MAX_FRAME - 1, HY_MIN_MAX_FRAME };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        hy_session_config c = { .store = v.store, .genesis = v.genesis,
                                .genesis_len = v.genesis_len, .node_seed = v.seed,
                                .nonce = nonce, .max_frame = sizes[i] };
        hy_session *s = NULL;
        hy_err want = sizes[i] < HY_MIN_MAX_FRAME ? HY_E_INVALID_ARG : HY_OK;
        hy_err got = hy_session_new(&c, &s);
        if (got != want)
            fail_msg("hy_session_new with max_frame %zu: %s, expected %s", sizes[i],
                     hy_err_str(got), hy_err_str(want));
        assert_true((s != NULL) == (want == HY_OK));
        hy_session_free(s);
    }
    /* The smallest that the header's worst case needs: flags, two 10-byte varints, a part. */
    assert_int_equal(HY_MIN_MAX_FRAME, 1 + 2 * 10 + WIRE_PART);
    victim_free(&v);
}

static void malformed_frames_are_refused(void **state)
{
    (void)state;
    const size_t max = HY_MIN_MAX_FRAME;
    policy pol = { .max_frame = max };
    victim v;
    victim_init(&v, &pol);
    static const uint8_t unknown[] = { 0, 7, 8, 200, 255 };
    hy_writer w;
    for (int stage = FRESH; stage <= READY; stage++) {
        for (size_t i = 0; i < sizeof unknown; i++) {
            open_at(&v, (enum stage)stage);
            w = scratch();
            wire_frame(&w, unknown[i], (const uint8_t *)"xyz", 3);
            refused(&v, &w, HY_E_PROTOCOL, "an unknown frame type");
        }
        /* Over max_frame: with the whole payload, and as a bare header claiming 1 GiB. */
        open_at(&v, (enum stage)stage);
        w = scratch();
        uint8_t *big = calloc(1, max + 1);
        assert_non_null(big);
        wire_frame(&w, WIRE_SYNC, big, max + 1);
        free(big);
        refused(&v, &w, HY_E_TOO_LARGE, "a frame one byte over max_frame");
        open_at(&v, (enum stage)stage);
        w = scratch();
        wire_frame_header(&w, WIRE_CHANGES, (uint64_t)1 << 30);
        refused(&v, &w, HY_E_TOO_LARGE, "a frame header claiming 1 GiB");
        /* Cut short: in the payload, in the length, after the type. */
        open_at(&v, (enum stage)stage);
        w = scratch();
        wire_frame_header(&w, WIRE_HELLO, 40);
        hy_write_bytes(&w, v.peer.hello, 10);
        refused(&v, &w, HY_E_TRUNCATED, "a frame whose payload is cut short");
        open_at(&v, (enum stage)stage);
        w = scratch();
        hy_write_u8(&w, WIRE_SYNC);
        hy_write_u8(&w, 0x80);
        refused(&v, &w, HY_E_TRUNCATED, "a frame whose length is cut short");
        open_at(&v, (enum stage)stage);
        w = scratch();
        hy_write_u8(&w, WIRE_SYNC);
        refused(&v, &w, HY_E_TRUNCATED, "a frame of a type byte alone");
        open_at(&v, (enum stage)stage);
        w = scratch();
        hy_write_u8(&w, WIRE_SYNC);
        hy_write_u8(&w, 0x83);
        hy_write_u8(&w, 0x00);
        hy_write_bytes(&w, "abc", 3);
        refused(&v, &w, HY_E_VARINT, "a frame length in an over-long varint");
    }
    /* A frame of exactly max_frame is fine: a NEED whose filter fills it. */
    open_at(&v, READY);
    w = scratch();
    hy_writer p = scratch();
    size_t bloom = max - 2 - 3;
    uint8_t *fill = calloc(1, WIRE_PART);
    assert_non_null(fill);
    hy_write_varint(&p, 0);
    hy_write_u8(&p, 7);
    hy_write_varint(&p, bloom);
    for (size_t left = bloom; left; left -= left < WIRE_PART ? left : WIRE_PART)
        hy_write_bytes(&p, fill, left < WIRE_PART ? left : WIRE_PART);
    assert_int_equal(p.len, max);
    put_frame(&w, WIRE_NEED, &p);
    assert_int_equal(hy_session_receive(v.session, w.data, w.len), HY_OK);
    hy_writer_free(&w);
    assert_int_equal(hy_session_get_state(v.session), HY_SESSION_READY);
    /* So is a whole part under the longest header an honest sender writes: the largest
     * batch number and the last part index the default max_batch allows. */
    w = scratch();
    p = scratch();
    wire_changes(&p, 0, UINT64_MAX, HY_DEFAULT_MAX_BATCH / WIRE_PART - 1, fill, WIRE_PART);
    free(fill);
    assert_int_equal(p.len, 1 + 10 + 2 + WIRE_PART);
    put_frame(&w, WIRE_CHANGES, &p);
    assert_int_equal(hy_session_receive(v.session, w.data, w.len), HY_OK);
    hy_writer_free(&w);
    assert_int_equal(hy_session_get_state(v.session), HY_SESSION_READY);
    assert_store_unchanged(&v);
    victim_end(&v);
    assert_healthy(&v);
    victim_free(&v);
}

/* SYNC and NEED payloads that break a rule of the spec, in a READY session. */
static void malformed_messages_are_refused(void **state)
{
    (void)state;
    policy pol = { 0 };
    victim v;
    victim_init(&v, &pol);
    uint8_t *hashes = calloc(1025, HY_HASH_LEN);
    assert_non_null(hashes);
    for (size_t i = 0; i < 1025; i++) { /* ascending */
        hashes[i * HY_HASH_LEN] = (uint8_t)(i >> 8);
        hashes[i * HY_HASH_LEN + 1] = (uint8_t)i;
    }
    uint8_t key[HY_KEY_LEN];
    key_of(key, AUTHOR_ACTOR);
    static const struct {
        const char *what;
        hy_err want;
    } cases[] = {
        { "a SYNC with a trailing byte", HY_E_FORMAT },
        { "a SYNC with heads out of order", HY_E_FORMAT },
        { "a SYNC naming one head twice", HY_E_FORMAT },
        { "a SYNC of 1025 heads", HY_E_TOO_LARGE },
        { "a SYNC whose head count exceeds its bytes", HY_E_TOO_LARGE },
        { "a SYNC with seq 0 in its vector", HY_E_FORMAT },
        { "a SYNC with a seq over 2^32 - 1", HY_E_TOO_LARGE },
        { "a SYNC with an unknown flag", HY_E_FORMAT },
        { "an empty SYNC", HY_E_TRUNCATED },
        { "a NEED with a trailing byte", HY_E_FORMAT },
        { "a NEED of 1025 hashes", HY_E_TOO_LARGE },
        { "a NEED with 9 probes", HY_E_FORMAT },
        { "a NEED whose filter exceeds its bytes", HY_E_TOO_LARGE },
        { "a NEED with hashes out of order", HY_E_FORMAT },
        { "a CHANGES with an unknown flag", HY_E_FORMAT },
        { "an empty CHANGES", HY_E_TRUNCATED },
        { "a last CHANGES part that is no batch", HY_E_FORMAT },
        { "a CHANGES of batch number 0", HY_E_FORMAT },
        { "a CHANGES of a flags byte alone", HY_E_TRUNCATED },
        { "a CHANGES without a part index", HY_E_TRUNCATED },
        { "a CHANGES whose batch number is an over-long varint", HY_E_VARINT },
        { "a CHANGES whose part index is an over-long varint", HY_E_VARINT },
        { "a last CHANGES part without data", HY_E_FORMAT },
        { "a CHANGES part that is not the last, short of 65,536 bytes", HY_E_FORMAT },
        { "a last CHANGES part over 65,536 bytes", HY_E_FORMAT },
    };
    uint8_t *data = calloc(1, WIRE_PART + 1);
    assert_non_null(data);
    memcpy(data, "HYCB", 4);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        open_at(&v, READY);
        hy_writer w = scratch(), p = scratch();
        uint64_t seq[2] = { 1, 1 };
        uint8_t type = c < 9 ? WIRE_SYNC : c < 14 ? WIRE_NEED : WIRE_CHANGES;
        switch (c) {
        case 0:
            wire_sync(&p, 0, hashes, 2, key, seq, 1);
            hy_write_u8(&p, 0);
            break;
        case 1:
            wire_sync(&p, 0, hashes + HY_HASH_LEN, 1, NULL, NULL, 0);
            p.len = 1; /* rewrite: two heads, descending */
            hy_write_varint(&p, 2);
            hy_write_bytes(&p, hashes + HY_HASH_LEN, HY_HASH_LEN);
            hy_write_bytes(&p, hashes, HY_HASH_LEN);
            hy_write_varint(&p, 0);
            break;
        case 2:
            hy_write_u8(&p, 0);
            hy_write_varint(&p, 2);
            hy_write_bytes(&p, hashes, HY_HASH_LEN);
            hy_write_bytes(&p, hashes, HY_HASH_LEN);
            hy_write_varint(&p, 0);
            break;
        case 3:
            wire_sync(&p, 0, hashes, 1025, NULL, NULL, 0);
            break;
        case 4:
            wire_sync(&p, 0, hashes, 2, NULL, NULL, 0);
            p.len = 1;
            hy_write_varint(&p, 3);
            hy_write_bytes(&p, hashes, 2 * HY_HASH_LEN);
            break;
        case 5:
            seq[0] = 0;
            wire_sync(&p, 0, NULL, 0, key, seq, 1);
            break;
        case 6:
            seq[0] = (uint64_t)1 << 32;
            wire_sync(&p, 0, NULL, 0, key, seq, 1);
            break;
        case 7:
            wire_sync(&p, 2, NULL, 0, NULL, NULL, 0);
            break;
        case 8:
            break;
        case 9:
        case 10:
        case 11:
        case 12:
        case 13:
            hy_write_varint(&p, c == 10 ? 1025 : 2);
            if (c == 13) {
                hy_write_bytes(&p, hashes + HY_HASH_LEN, HY_HASH_LEN);
                hy_write_bytes(&p, hashes, HY_HASH_LEN);
            } else {
                hy_write_bytes(&p, hashes, (c == 10 ? 1025 : 2) * HY_HASH_LEN);
            }
            hy_write_u8(&p, c == 11 ? 9 : 7);
            hy_write_varint(&p, c == 12 ? 100 : 4);
            hy_write_bytes(&p, "\x01\x02\x03\x04", 4);
            if (c == 9)
                hy_write_u8(&p, 0);
            break;
        case 14:
            wire_changes(&p, 2, 1, 0, data, 4);
            break;
        case 15:
            break;
        case 16:
            wire_changes(&p, WIRE_LAST, 1, 0, (const uint8_t *)"HYXB\x01\x00\x00", 7);
            break;
        case 17:
            wire_changes(&p, WIRE_LAST, 0, 0, data, 4);
            break;
        case 18:
            hy_write_u8(&p, WIRE_LAST);
            break;
        case 19:
            hy_write_u8(&p, WIRE_LAST);
            hy_write_varint(&p, 1);
            break;
        case 20:
            hy_write_u8(&p, WIRE_LAST);
            hy_write_bytes(&p, "\x81\x00\x00HYCB", 7);
            break;
        case 21:
            hy_write_u8(&p, WIRE_LAST);
            hy_write_bytes(&p, "\x01\x80\x00HYCB", 7);
            break;
        case 22:
            wire_changes(&p, WIRE_LAST, 1, 0, NULL, 0);
            break;
        case 23:
            wire_changes(&p, 0, 1, 0, data, WIRE_PART - 1);
            break;
        default:
            wire_changes(&p, WIRE_LAST, 1, 0, data, WIRE_PART + 1);
            break;
        }
        put_frame(&w, type, &p);
        refused(&v, &w, cases[c].want, cases[c].what);
    }
    free(data);
    free(hashes);
    assert_healthy(&v);
    victim_free(&v);
}

/* Sends one CHANGES part to the open session. */
static hy_err send_part(victim *v, uint8_t flags, uint64_t batch, uint64_t part,
                        const uint8_t *data, size_t len)
{
    hy_writer w = scratch(), p = scratch();
    wire_changes(&p, flags, batch, part, data, len);
    put_frame(&w, WIRE_CHANGES, &p);
    assert_int_equal(w.err, HY_OK);
    hy_err err = hy_session_receive(v->session, w.data, w.len);
    hy_writer_free(&w);
    return err;
}

/* Sends a part that must be taken quietly: the session stays READY and says nothing. */
static void send_quiet_part(victim *v, uint8_t flags, uint64_t batch, uint64_t part,
                            const uint8_t *data, size_t len)
{
    hy_err err = send_part(v, flags, batch, part, data, len);
    if (err)
        fail_msg("batch %llu part %llu (%zu bytes%s) refused: %s", (unsigned long long)batch,
                 (unsigned long long)part, len, flags & WIRE_LAST ? ", last" : "",
                 hy_err_str(err));
    assert_int_equal(hy_session_get_state(v->session), HY_SESSION_READY);
    hy_writer out = drained(v);
    assert_int_equal(out.len, 0);
    hy_writer_free(&out);
}

/* Sends batch in its parts, in index order, as number: HY_OK or the first refusal. */
static hy_err send_in_parts(victim *v, uint64_t number, const uint8_t *batch, size_t len)
{
    hy_err err = HY_OK;
    for (size_t at = 0, part = 0; err == HY_OK && at < len; at += WIRE_PART, part++) {
        size_t n = len - at < WIRE_PART ? len - at : WIRE_PART;
        err = send_part(v, at + n == len ? WIRE_LAST : 0, number, part, batch + at, n);
    }
    return err;
}

/* A store of the author actor under the victim's policy (on platform p, which must outlive
 * it). With text_len, it holds a text insert of that many bytes, else one put of name; its
 * whole log is returned as a change batch. */
static hy_store *author_batch(victim *v, test_platform *p, const char *name, size_t text_len,
                              uint8_t **batch, size_t *len)
{
    uint8_t actor[HY_KEY_LEN];
    memset(actor, AUTHOR_ACTOR, sizeof actor);
    hy_store_config cfg = store_config(p, 31, actor, &v->policy);
    hy_store *author;
    assert_int_equal(hy_store_new(&cfg, &author), HY_OK);
    if (text_len) {
        char *text = malloc(text_len);
        assert_non_null(text);
        memset(text, 't', text_len);
        assert_int_equal(hy_text_insert(author, "c", "k", name, 0, text, text_len), HY_OK);
        free(text);
    } else {
        put_int(author, name, 1);
    }
    assert_int_equal(hy_store_changes(author, NULL, 0, batch, len), HY_OK);
    return author;
}

/* A whole part's worth of bytes that start like a batch (and are none). */
static uint8_t *filler_part(void)
{
    uint8_t *part = calloc(1, WIRE_PART);
    assert_non_null(part);
    memcpy(part, "HYCB", 4);
    return part;
}

/* A batch may not grow past max_batch, whatever order its parts come in, and a part index far
 * beyond it is refused at once (not allocated for). A batch of exactly max_batch bytes is
 * taken. */
static void batches_over_the_limit_are_refused(void **state)
{
    (void)state;
    policy pol = { .max_batch = 3 * WIRE_PART };
    victim v;
    victim_init(&v, &pol);
    uint8_t *part = filler_part();

    /* Three whole parts fill the limit; a fourth, of one byte, is over it. */
    open_at(&v, READY);
    for (uint64_t i = 0; i < 3; i++)
        send_quiet_part(&v, 0, 1, i, part, WIRE_PART);
    assert_refused(&v, send_part(&v, WIRE_LAST, 1, 3, part, 1), HY_E_TOO_LARGE,
                   "a fourth part under a limit of three parts' worth");
    /* The same, last part first. */
    open_at(&v, READY);
    assert_refused(&v, send_part(&v, WIRE_LAST, 1, 3, part, 1), HY_E_TOO_LARGE,
                   "a first-arriving part that ends past max_batch");
    /* Whole parts beyond the limit, and an index whose offset overflows 64 bits. */
    static const uint64_t beyond[] = { 3, 1000, (uint64_t)1 << 48, UINT64_MAX };
    for (size_t i = 0; i < sizeof beyond / sizeof beyond[0]; i++) {
        open_at(&v, READY);
        send_quiet_part(&v, 0, 1, 0, part, WIRE_PART);
        assert_refused(&v, send_part(&v, 0, 1, beyond[i], part, WIRE_PART), HY_E_TOO_LARGE,
                       "a part whose index is past max_batch");
    }
    free(part);

    /* A real batch of three parts: refused one byte under its size, taken at its size. */
    uint8_t *batch;
    size_t len;
    test_platform tp;
    hy_store *author = author_batch(&v, &tp, "big", 2 * WIRE_PART + 1000, &batch, &len);
    assert_in_range(len, 2 * WIRE_PART + 1, 3 * WIRE_PART);
    v.policy.max_batch = len - 1;
    open_at(&v, READY);
    assert_refused(&v, send_in_parts(&v, 1, batch, len), HY_E_TOO_LARGE,
                   "a batch one byte over max_batch");
    v.policy.max_batch = len;
    open_at(&v, READY);
    assert_int_equal(send_in_parts(&v, 1, batch, len), HY_OK);
    assert_int_equal(hy_session_get_state(v.session), HY_SESSION_READY);
    hy_session_stats st;
    hy_session_get_stats(v.session, &st);
    assert_int_equal(st.changes_in, 1);
    size_t text_len = 0;
    assert_int_equal(hy_text_len(v.store, "c", "k", "big", &text_len), HY_OK);
    assert_int_equal(text_len, 2 * WIRE_PART + 1000);
    victim_end(&v);
    hy_store_buffer_free(author, batch, len);
    hy_store_free(author);
    v.policy.max_batch = pol.max_batch;
    assert_healthy(&v);
    victim_free(&v);
}

/* Parts of one batch that cannot all be true (docs/protocol.md: "Parts that do not fit
 * together ... are ERROR FORMAT"), each after parts that were fine on their own. Each case
 * is one a receiver without that rule would take quietly (the batch would wait for parts
 * that cannot come), or, where the last part is a whole valid batch, might merge: ERROR
 * FORMAT can only come from the rule, not from a batch that fails to decode. */
static void parts_that_do_not_fit_are_refused(void **state)
{
    (void)state;
    policy pol = { 0 };
    victim v;
    victim_init(&v, &pol);
    test_platform tp;
    uint8_t *batch, *part = filler_part();
    size_t len;
    hy_store *author = author_batch(&v, &tp, "fits", 0, &batch, &len);

    open_at(&v, READY);
    send_quiet_part(&v, WIRE_LAST, 4, 1, part, 10);
    assert_refused(&v, send_part(&v, WIRE_LAST, 4, 2, part, 10), HY_E_FORMAT,
                   "a second last part, after the last");
    open_at(&v, READY);
    send_quiet_part(&v, WIRE_LAST, 4, 2, part, 10);
    assert_refused(&v, send_part(&v, WIRE_LAST, 4, 0, batch, len), HY_E_FORMAT,
                   "a second last part, before the last");
    open_at(&v, READY);
    send_quiet_part(&v, WIRE_LAST, 4, 2, part, 10);
    assert_refused(&v, send_part(&v, 0, 4, 3, part, WIRE_PART), HY_E_FORMAT,
                   "a part beyond the last");
    open_at(&v, READY);
    send_quiet_part(&v, 0, 4, 1, part, WIRE_PART);
    assert_refused(&v, send_part(&v, WIRE_LAST, 4, 0, batch, len), HY_E_FORMAT,
                   "a last part below a part already received");
    open_at(&v, READY);
    send_quiet_part(&v, 0, 4, 0, part, WIRE_PART);
    assert_refused(&v, send_part(&v, 0, 4, 1, part, 100), HY_E_FORMAT,
                   "a short part that is not the last, after a whole one");
    free(part);
    hy_store_buffer_free(author, batch, len);
    hy_store_free(author);
    assert_healthy(&v);
    victim_free(&v);
}

/* Parts that are no error: a batch that never completes, a late part of a batch a higher
 * number abandoned, a copy of a merged batch. None merges anything but the one whole batch. */
static void stray_parts_are_ignored(void **state)
{
    (void)state;
    policy pol = { 0 };
    victim v;
    victim_init(&v, &pol);
    test_platform tp;
    uint8_t *batch, *part = filler_part();
    size_t len;
    hy_store *author = author_batch(&v, &tp, "late", 0, &batch, &len);

    open_at(&v, READY);
    /* Batch 5: its last part alone, its first never comes; then garbage of batch 4. */
    send_quiet_part(&v, WIRE_LAST, 5, 1, (const uint8_t *)"tail", 4);
    send_quiet_part(&v, WIRE_LAST, 4, 0, (const uint8_t *)"junk", 4);
    assert_store_unchanged(&v);
    /* Batch 6 abandons batch 5 and merges; batch 5's first part, late, is ignored, and so
     * are copies of batch 6 and garbage under its number. */
    assert_int_equal(send_part(&v, WIRE_LAST, 6, 0, batch, len), HY_OK);
    assert_int_equal(hy_session_get_state(v.session), HY_SESSION_READY);
    hy_value got;
    assert_int_equal(hy_get(v.store, "c", "k", "late", &got), HY_OK);
    hy_writer out = drained(&v); /* the SYNC that says where the victim stands now */
    hy_writer_free(&out);
    send_quiet_part(&v, 0, 5, 0, part, WIRE_PART);
    send_quiet_part(&v, WIRE_LAST, 6, 0, batch, len);
    send_quiet_part(&v, WIRE_LAST, 6, 0, (const uint8_t *)"junk", 4);
    send_quiet_part(&v, WIRE_LAST, 6, 1, (const uint8_t *)"junk", 4);
    hy_session_stats st;
    hy_session_get_stats(v.session, &st);
    assert_int_equal(st.changes_in, 1);
    victim_end(&v);
    free(part);
    hy_store_buffer_free(author, batch, len);
    hy_store_free(author);
    assert_healthy(&v);
    victim_free(&v);
}

/* ---- changes ---- */

/* The encoded changes and signatures of a store's whole log. */
typedef struct log_copy {
    hy_writer changes[8];
    hy_bytes views[8];
    size_t count;
    hy_vec sigs; /* hy_log_sig */
} log_copy;

static void copy_log(hy_store *s, log_copy *out)
{
    memset(out, 0, sizeof *out);
    out->count = hy_log_count(s->log);
    assert_true(out->count <= 8);
    for (size_t i = 0; i < out->count; i++) {
        hy_writer_init(&out->changes[i], hy_allocator_default());
        assert_int_equal(hy_log_encode(s->log, (uint32_t)i, &out->changes[i]), HY_OK);
        out->views[i].data = out->changes[i].data;
        out->views[i].len = out->changes[i].len;
    }
    assert_int_equal(hy_log_sign_local(s->log), HY_OK);
    hy_vec_init(&out->sigs, sizeof(hy_log_sig));
    assert_int_equal(hy_log_signatures(s->log, &out->sigs), HY_OK);
}

static void free_log_copy(hy_store *s, log_copy *c)
{
    for (size_t i = 0; i < c->count; i++)
        hy_writer_free(&c->changes[i]);
    hy_vec_free(&c->sigs, hy_log_allocator(s->log));
}

/* Sends batch (at most one part's worth) as the one, last, CHANGES part of batch 1 to a
 * READY session. */
static hy_err send_batch(victim *v, const uint8_t *batch, size_t len)
{
    assert_true(len >= 1 && len <= WIRE_PART);
    return send_part(v, WIRE_LAST, 1, 0, batch, len);
}

static void assert_refused_count(victim *v, uint64_t count)
{
    hy_session_stats st;
    hy_session_get_stats(v->session, &st);
    assert_int_equal(st.changes_refused, count);
    assert_int_equal(st.changes_in, 0);
}

static void forged_change_signatures_are_refused(void **state)
{
    (void)state;
    for (int required = 0; required < 2; required++) {
        policy pol = { .require_signatures = required };
        victim v;
        victim_init(&v, &pol);
        test_platform p;
        uint8_t actor[HY_KEY_LEN], wrong[HY_KEY_LEN];
        memset(actor, AUTHOR_ACTOR, sizeof actor);
        memset(wrong, ROGUE_ACTOR, sizeof wrong);
        hy_store_config cfg = store_config(&p, 5, actor, &pol);
        hy_store *author;
        assert_int_equal(hy_store_new(&cfg, &author), HY_OK);
        for (int i = 0; i < 3; i++)
            put_int(author, "y", i);
        log_copy lc;
        copy_log(author, &lc);
        assert_int_equal(lc.sigs.len, 1);
        hy_log_sig good = HY_VEC_AT(&lc.sigs, hy_log_sig, 0), bad;
        for (int c = 0; c < (required ? 4 : 3); c++) {
            bad = good;
            if (c == 0) { /* a flipped bit */
                bad.sig[5] ^= 0x01;
            } else if (c == 1) { /* the right message, signed by another key */
                uint8_t msg[15 + HY_HASH_LEN];
                memcpy(msg, "hypha change v1", 15);
                memcpy(msg + 15, good.hash, HY_HASH_LEN);
                hy_sign(bad.sig, wrong, msg, sizeof msg);
            } else if (c == 2) { /* naming a change the batch does not hold */
                bad.hash[0] ^= 0x80;
            }
            hy_writer batch = scratch();
            wire_batch(&batch, lc.views, lc.count, (const uint8_t *)&bad, c == 3 ? 0 : 1);
            open_at(&v, READY);
            hy_err err = send_batch(&v, batch.data, batch.len);
            assert_refused_count(&v, 3);
            hy_writer_free(&batch);
            static const char *const what[] = { "a flipped signature bit",
                                                "a signature by another key",
                                                "a signature of a change not sent",
                                                "no signature where one is required" };
            assert_refused(&v, err, HY_E_BAD_SIGNATURE, what[c]);
        }
        /* The untouched batch is taken. */
        open_at(&v, READY);
        hy_writer batch = scratch();
        wire_batch(&batch, lc.views, lc.count, (const uint8_t *)&good, 1);
        assert_int_equal(send_batch(&v, batch.data, batch.len), HY_OK);
        hy_writer_free(&batch);
        hy_value got;
        assert_int_equal(hy_get(v.store, "c", "k", "y", &got), HY_OK);
        victim_end(&v);
        free_log_copy(author, &lc);
        hy_store_free(author);
        assert_healthy(&v);
        victim_free(&v);
    }
}

/* The genesis lets two actors write (the victim's and one author). A rogue replica that does
 * not enforce it holds the author's change and one of its own: whether sent by hand or by
 * the rogue's own session, the batch is refused whole with FORBIDDEN. */
static void forbidden_writers_are_refused(void **state)
{
    (void)state;
    uint8_t writers[2 * HY_KEY_LEN], seed[HY_KEY_LEN];
    key_of(writers, VICTIM_ACTOR);
    key_of(writers + HY_KEY_LEN, AUTHOR_ACTOR);
    if (memcmp(writers, writers + HY_KEY_LEN, HY_KEY_LEN) > 0) {
        memcpy(seed, writers, HY_KEY_LEN);
        memcpy(writers, writers + HY_KEY_LEN, HY_KEY_LEN);
        memcpy(writers + HY_KEY_LEN, seed, HY_KEY_LEN);
    }
    policy pol = { .writers = writers, .writer_count = 2 };
    victim v;
    victim_init(&v, &pol);

    test_platform pa, pr;
    memset(seed, AUTHOR_ACTOR, sizeof seed);
    hy_store_config cfg = store_config(&pa, 5, seed, &pol);
    hy_store *author, *rogue;
    assert_int_equal(hy_store_new(&cfg, &author), HY_OK);
    put_int(author, "allowed", 1);
    policy open = { 0 };
    memset(seed, ROGUE_ACTOR, sizeof seed);
    cfg = store_config(&pr, 6, seed, &open);
    assert_int_equal(hy_store_new(&cfg, &rogue), HY_OK);
    sync_to(author, rogue);
    put_int(rogue, "forbidden", 2);
    /* An honest replica refuses the rogue's own commit too. */
    memset(seed, ROGUE_ACTOR, sizeof seed);
    test_platform ph;
    cfg = store_config(&ph, 8, seed, &pol);
    hy_store *honest_rogue;
    assert_int_equal(hy_store_new(&cfg, &honest_rogue), HY_OK);
    hy_value one = { .type = HY_TYPE_INT, .as.integer = 1 };
    assert_int_equal(hy_put(honest_rogue, "c", "k", "x", &one), HY_E_FORBIDDEN);
    hy_store_free(honest_rogue);

    uint8_t *batch;
    size_t len;
    assert_int_equal(hy_store_changes(rogue, NULL, 0, &batch, &len), HY_OK);
    open_at(&v, READY);
    hy_err err = send_batch(&v, batch, len);
    assert_refused_count(&v, 2);
    assert_refused(&v, err, HY_E_FORBIDDEN, "a batch with a change by a forbidden writer");
    hy_store_buffer_free(rogue, batch, len);
    uint8_t head[HY_HASH_LEN];
    size_t count;
    assert_int_equal(hy_store_heads(author, head, 1, &count), HY_OK);
    assert_int_equal(hy_log_find(v.store->log, head), UINT32_MAX); /* not even the allowed one */

    /* The rogue's own session (same genesis, its store not enforcing it). */
    uint8_t node[HY_KEY_LEN], nonce[HY_NONCE_LEN];
    memset(node, PEER_NODE, sizeof node);
    memset(nonce, 0xAB, sizeof nonce);
    hy_session_config c = { .store = rogue, .genesis = v.genesis, .genesis_len = v.genesis_len,
                            .node_seed = node, .nonce = nonce };
    hy_session *theirs, *ours;
    assert_int_equal(hy_session_new(&c, &theirs), HY_OK);
    memset(nonce, 0xAC, sizeof nonce);
    c.store = v.store;
    c.node_seed = v.seed;
    assert_int_equal(hy_session_new(&c, &ours), HY_OK);
    uint8_t *before;
    size_t before_len;
    save(v.store, &before, &before_len);
    wire_pump(ours, theirs);
    assert_int_equal(hy_session_get_state(ours), HY_SESSION_CLOSED);
    assert_int_equal(hy_session_error(ours), HY_E_FORBIDDEN);
    assert_int_equal(hy_session_error(theirs), HY_E_FORBIDDEN); /* told by our ERROR */
    assert_int_equal(hy_log_find(v.store->log, head), UINT32_MAX);
    uint8_t *after;
    size_t after_len;
    save(v.store, &after, &after_len);
    assert_int_equal(after_len, before_len);
    assert_memory_equal(after, before, before_len);
    hy_store_buffer_free(v.store, before, before_len);
    hy_store_buffer_free(v.store, after, after_len);
    hy_session_free(theirs);
    hy_session_free(ours);

    /* The author's change alone, from the author, is welcome. */
    assert_int_equal(hy_store_changes(author, NULL, 0, &batch, &len), HY_OK);
    open_at(&v, READY);
    assert_int_equal(send_batch(&v, batch, len), HY_OK);
    assert_int_not_equal(hy_log_find(v.store->log, head), UINT32_MAX);
    hy_store_buffer_free(author, batch, len);
    victim_end(&v);
    hy_store_free(author);
    hy_store_free(rogue);
    assert_healthy(&v);
    victim_free(&v);
}

/* One actor on two devices writes seq 1 and 2 twice over, differently; each device syncs with
 * one honest replica. Their version vectors then match while their heads differ, so only
 * hash reconciliation (NEED) finds the other branch: both replicas end with the same state,
 * and both hold the equivocation as proof. */
static void an_equivocation_is_found_and_kept_by_both(void **state)
{
    (void)state;
    policy pol = { .require_signatures = 1 };
    uint8_t genesis[64];
    size_t genesis_len;
    hy_genesis g = { .name = "eq", .name_len = 2 };
    assert_int_equal(hy_genesis_encode(&g, genesis, sizeof genesis, &genesis_len), HY_OK);
    test_platform pl[4];
    hy_store *store[4]; /* two devices of one actor, then two honest replicas */
    uint8_t seed[HY_KEY_LEN];
    for (int i = 0; i < 4; i++) {
        memset(seed, i < 2 ? AUTHOR_ACTOR : 0x10 + i, sizeof seed);
        hy_store_config cfg = store_config(&pl[i], 20 + (uint64_t)i, seed, &pol);
        assert_int_equal(hy_store_new(&cfg, &store[i]), HY_OK);
    }
    put_int(store[0], "pay", 10);
    put_int(store[0], "note", 1);
    put_int(store[1], "pay", 20);
    put_int(store[1], "note", 2);
    put_int(store[2], "own", 3); /* the honest replicas have their own history too */
    hy_session *s[8];
    size_t n = 0;
    uint8_t nonce[HY_NONCE_LEN];
    /* Pairs: device 0 with replica 2, device 1 with replica 3, then replica 2 with 3. */
    static const int pairs[3][2] = { { 0, 2 }, { 1, 3 }, { 2, 3 } };
    for (int pair = 0; pair < 3; pair++) {
        for (int side = 0; side < 2; side++) {
            int who = pairs[pair][side];
            memset(seed, 0x60 + who, sizeof seed);
            memset(nonce, 0x80 + (int)n, sizeof nonce);
            hy_session_config c = { .store = store[who], .genesis = genesis,
                                    .genesis_len = genesis_len, .node_seed = seed,
                                    .nonce = nonce };
            assert_int_equal(hy_session_new(&c, &s[n++]), HY_OK);
        }
        /* Before the replicas meet, neither has seen both branches. */
        for (int i = 2; pair == 2 && i < 4; i++)
            assert_int_equal(hy_log_equivocation_count(store[i]->log), 0);
        wire_pump(s[n - 2], s[n - 1]);
        assert_true(hy_session_in_sync(s[n - 2]) && hy_session_in_sync(s[n - 1]));
    }
    uint8_t actor[HY_KEY_LEN];
    memset(seed, AUTHOR_ACTOR, sizeof seed);
    hy_key_public(actor, seed);
    /* Replicas 2 and 3 are level: same heads, same bytes, and each holds the actor's two
     * equivocations (seq 1 and seq 2) as proof. */
    assert_same_saves(store[2], store[3]);
    for (int i = 2; i < 4; i++) {
        assert_int_equal(hy_log_equivocation_count(store[i]->log), 2);
        for (size_t k = 0; k < 2; k++) {
            hy_equivocation e;
            hy_log_equivocation(store[i]->log, k, &e);
            assert_memory_equal(hy_log_actor_key(store[i]->log, e.actor), actor, HY_KEY_LEN);
            assert_int_equal(e.seq, k + 1);
        }
    }
    /* Both hold both branches' values. */
    assert_int_equal(hy_get_conflicts(store[2], "c", "k", "pay"), 2);
    assert_int_equal(hy_get_conflicts(store[3], "c", "k", "pay"), 2);
    /* And say nothing more. */
    for (int t = 0; t < 3; t++) {
        assert_int_equal(hy_session_tick(s[4]), HY_OK);
        assert_int_equal(hy_session_tick(s[5]), HY_OK);
    }
    assert_int_equal(wire_pump(s[4], s[5]), 0);
    for (size_t i = 0; i < n; i++)
        hy_session_free(s[i]);
    for (int i = 0; i < 4; i++)
        hy_store_free(store[i]);
}

/* ERROR from the peer ends the session with the peer's code, and is not answered. */
static void a_peer_error_closes_quietly(void **state)
{
    (void)state;
    policy pol = { 0 };
    victim v;
    victim_init(&v, &pol);
    for (int stage = FRESH; stage <= READY; stage++) {
        open_at(&v, (enum stage)stage);
        hy_writer w = scratch(), p = scratch();
        wire_error(&p, HY_E_FORBIDDEN, "go away");
        put_frame(&w, WIRE_ERROR, &p);
        hy_session_receive(v.session, w.data, w.len);
        hy_writer_free(&w);
        assert_int_equal(hy_session_get_state(v.session), HY_SESSION_CLOSED);
        assert_int_equal(hy_session_error(v.session), HY_E_FORBIDDEN);
        hy_writer out = drained(&v);
        assert_int_equal(out.len, 0);
        hy_writer_free(&out);
        assert_store_unchanged(&v);
        victim_end(&v);
    }
    victim_free(&v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(forged_or_replayed_auth_is_refused),
        cmocka_unit_test(strangers_are_refused),
        cmocka_unit_test(nothing_counts_before_auth),
        cmocka_unit_test(handshake_violations_are_refused),
        cmocka_unit_test(a_max_frame_below_a_part_is_refused),
        cmocka_unit_test(malformed_frames_are_refused),
        cmocka_unit_test(malformed_messages_are_refused),
        cmocka_unit_test(batches_over_the_limit_are_refused),
        cmocka_unit_test(parts_that_do_not_fit_are_refused),
        cmocka_unit_test(stray_parts_are_ignored),
        cmocka_unit_test(forged_change_signatures_are_refused),
        cmocka_unit_test(forbidden_writers_are_refused),
        cmocka_unit_test(an_equivocation_is_found_and_kept_by_both),
        cmocka_unit_test(a_peer_error_closes_quietly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Two sync sessions wired back to back over a perfect link: the handshake, one round trip to
 * convergence, pushes after local commits, silence once level, and the refusals a session
 * makes on its own (unknown store, a reader not listed, a forbidden writer). The simulated
 * lossy networks and hostile peers are in tests/unit/test_sync_sim.c and
 * tests/unit/test_sync_byzantine.c. */
#include "hy_test.h"

#include "store_asserts.h"

#include <stdbool.h>
#include <string.h>

typedef struct end {
    test_platform platform;
    hy_store *store;
    hy_session *session;
    uint8_t node_seed[HY_KEY_LEN];
} end;

static size_t encode_genesis(uint8_t *out, size_t cap, const uint8_t *readers, size_t n)
{
    hy_genesis g = { .name = "notes", .name_len = 5, .readers = readers, .reader_count = n };
    size_t len;
    assert_int_equal(hy_genesis_encode(&g, out, cap, &len), HY_OK);
    return len;
}

static hy_err open_end(end *e, uint64_t seed, const uint8_t *genesis, size_t len)
{
    e->store = fixture_store(&e->platform, hy_allocator_default(), seed);
    assert_non_null(e->store);
    memset(e->node_seed, (int)seed, HY_KEY_LEN);
    uint8_t nonce[HY_NONCE_LEN];
    memset(nonce, (int)(seed * 7), sizeof nonce);
    hy_session_config c = { .store = e->store, .genesis = genesis, .genesis_len = len,
                            .node_seed = e->node_seed, .nonce = nonce };
    return hy_session_new(&c, &e->session);
}

static void close_end(end *e)
{
    hy_session_free(e->session);
    hy_store_free(e->store);
}

/* Delivers every queued frame from one end to the other until both are quiet; returns how
 * many frames crossed. */
static size_t pump(end *a, end *b)
{
    size_t frames = 0;
    for (bool moved = true; moved;) {
        moved = false;
        end *ends[2] = { a, b };
        for (int i = 0; i < 2; i++) {
            const uint8_t *f;
            size_t len;
            while (hy_session_next(ends[i]->session, &f, &len) == HY_OK) {
                hy_session_receive(ends[1 - i]->session, f, len);
                frames++;
                moved = true;
            }
        }
    }
    return frames;
}

static void put_int(hy_store *s, const char *field, int64_t v)
{
    hy_value value = { .type = HY_TYPE_INT, .as.integer = v };
    assert_int_equal(hy_put(s, "c", "k", field, &value), HY_OK);
}

static void two_ends_converge_and_fall_silent(void **state)
{
    (void)state;
    uint8_t genesis[128];
    size_t len = encode_genesis(genesis, sizeof genesis, NULL, 0);
    end a, b;
    assert_int_equal(open_end(&a, 1, genesis, len), HY_OK);
    put_int(a.store, "x", 1);
    put_int(a.store, "y", 2);
    assert_int_equal(open_end(&b, 2, genesis, len), HY_OK);
    put_int(b.store, "z", 3);
    assert_int_equal(hy_session_get_state(a.session), HY_SESSION_HANDSHAKE);
    assert_null(hy_session_peer_key(a.session));

    pump(&a, &b);
    assert_int_equal(hy_session_get_state(a.session), HY_SESSION_READY);
    uint8_t key[HY_KEY_LEN];
    hy_key_public(key, b.node_seed);
    assert_memory_equal(hy_session_peer_key(a.session), key, HY_KEY_LEN);
    assert_same_saves(a.store, b.store);
    assert_true(hy_session_in_sync(a.session));
    assert_true(hy_session_in_sync(b.session));
    hy_session_stats stats;
    hy_session_get_stats(b.session, &stats);
    assert_int_equal(stats.changes_in, 2);
    /* Once: a's SYNC that answers b's crosses b's CHANGES, but b presumes them in flight. */
    assert_int_equal(stats.changes_out, 1);

    /* Level: ticks say nothing. */
    assert_int_equal(hy_session_tick(a.session), HY_OK);
    assert_int_equal(hy_session_tick(b.session), HY_OK);
    assert_int_equal(pump(&a, &b), 0);

    /* A local commit is pushed: one CHANGES, and the SYNC that acknowledges it. */
    put_int(b.store, "w", 4);
    assert_int_equal(hy_session_changed(b.session), HY_OK);
    assert_int_equal(pump(&a, &b), 2);
    assert_same_saves(a.store, b.store);
    assert_true(hy_session_in_sync(b.session));
    /* a has not heard b announce the new heads: its next tick asks, once. */
    assert_false(hy_session_in_sync(a.session));
    assert_int_equal(hy_session_tick(a.session), HY_OK);
    assert_int_equal(pump(&a, &b), 2);
    assert_true(hy_session_in_sync(a.session));
    assert_int_equal(hy_session_tick(a.session), HY_OK);
    assert_int_equal(hy_session_tick(b.session), HY_OK);
    assert_int_equal(pump(&a, &b), 0);
    close_end(&a);
    close_end(&b);
}

/* Frames lost in both directions: ticks repeat the handshake and the announcements until both
 * ends are level. */
static void ticks_recover_what_a_link_lost(void **state)
{
    (void)state;
    uint8_t genesis[128];
    size_t len = encode_genesis(genesis, sizeof genesis, NULL, 0);
    end a, b;
    assert_int_equal(open_end(&a, 1, genesis, len), HY_OK);
    assert_int_equal(open_end(&b, 2, genesis, len), HY_OK);
    put_int(a.store, "x", 1);
    put_int(b.store, "y", 2);
    const uint8_t *f;
    size_t flen;
    /* Every other frame is dropped, each round, until the ends converge. */
    size_t dropped = 0;
    for (int round = 0; round < 50 && !(hy_session_in_sync(a.session) &&
                                        hy_session_in_sync(b.session)); round++) {
        end *ends[2] = { &a, &b };
        for (int i = 0; i < 2; i++) {
            for (size_t n = 0; hy_session_next(ends[i]->session, &f, &flen) == HY_OK; n++) {
                if ((n + (size_t)round) % 2 == 0) {
                    dropped++;
                    continue;
                }
                hy_session_receive(ends[1 - i]->session, f, flen);
            }
            hy_session_tick(ends[i]->session);
        }
    }
    assert_true(dropped > 0);
    assert_true(hy_session_in_sync(a.session) && hy_session_in_sync(b.session));
    assert_same_saves(a.store, b.store);
    close_end(&a);
    close_end(&b);
}

static void a_session_refuses_strangers(void **state)
{
    (void)state;
    uint8_t genesis[128], other[128];
    size_t len = encode_genesis(genesis, sizeof genesis, NULL, 0);
    hy_genesis g = { .name = "other", .name_len = 5 };
    size_t other_len;
    assert_int_equal(hy_genesis_encode(&g, other, sizeof other, &other_len), HY_OK);

    /* Another store id: NOT_FOUND, and the session closes. */
    end a, b;
    assert_int_equal(open_end(&a, 1, genesis, len), HY_OK);
    assert_int_equal(open_end(&b, 2, other, other_len), HY_OK);
    pump(&a, &b);
    assert_int_equal(hy_session_get_state(a.session), HY_SESSION_CLOSED);
    assert_int_equal(hy_session_error(a.session), HY_E_NOT_FOUND);
    assert_int_equal(hy_session_error(b.session), HY_E_NOT_FOUND);
    assert_int_equal(hy_session_receive(a.session, (const uint8_t *)"", 0), HY_E_CLOSED);
    close_end(&a);
    close_end(&b);

    /* A reader list without the peer's node key: FORBIDDEN after AUTH. */
    uint8_t reader_seed[HY_KEY_LEN], reader[HY_KEY_LEN];
    memset(reader_seed, 1, sizeof reader_seed);
    hy_key_public(reader, reader_seed);
    len = encode_genesis(genesis, sizeof genesis, reader, 1);
    assert_int_equal(open_end(&a, 1, genesis, len), HY_OK); /* node key = reader */
    assert_int_equal(open_end(&b, 2, genesis, len), HY_OK);
    put_int(a.store, "secret", 1);
    pump(&a, &b);
    assert_int_equal(hy_session_error(a.session), HY_E_FORBIDDEN);
    hy_value v;
    assert_int_equal(hy_get(b.store, "c", "k", "secret", &v), HY_E_NOT_FOUND);
    close_end(&a);
    close_end(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(two_ends_converge_and_fall_silent),
        cmocka_unit_test(ticks_recover_what_a_link_lost),
        cmocka_unit_test(a_session_refuses_strangers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

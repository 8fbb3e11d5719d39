/* Honest peers over links that lose, duplicate and reorder frames, in the exact orders the
 * simulated network (test_sync_sim.c) found troublesome, and a batch whose parts arrive last
 * first, pinned down frame by frame: neither
 * end may close the session (an honest peer broke no rule), and once the link behaves, ticks
 * bring both ends level (docs/protocol.md: the handshake and batches in parts survive such
 * links). */
#include "hy_test.h"

#include "store_asserts.h"
#include "store_internal.h"
#include "wire.h"

#include <stdlib.h>
#include <string.h>

typedef struct end {
    test_platform platform;
    hy_store *store;
    hy_session *session;
} end;

/* The frames a session queued, each addressable. */
typedef struct frames {
    hy_writer bytes;
    size_t at[16], len[16];
    size_t count;
} frames;

static const uint8_t *genesis_bytes(size_t *len)
{
    static uint8_t g[64];
    hy_genesis gen = { .name = "links", .name_len = 5 };
    assert_int_equal(hy_genesis_encode(&gen, g, sizeof g, len), HY_OK);
    return g;
}

static void open_end(end *e, uint8_t n, int require_signatures)
{
    uint8_t actor[HY_KEY_LEN], node[HY_KEY_LEN], nonce[HY_NONCE_LEN];
    memset(actor, 0x30 + n, sizeof actor);
    memset(node, 0x50 + n, sizeof node);
    memset(nonce, 0x70 + n, sizeof nonce);
    hy_store_config cfg = fixture_store_config(&e->platform, hy_allocator_default(), n);
    cfg.actor_seed = actor;
    cfg.require_signatures = require_signatures;
    assert_int_equal(hy_store_new(&cfg, &e->store), HY_OK);
    size_t len;
    const uint8_t *g = genesis_bytes(&len);
    hy_session_config c = { .store = e->store, .genesis = g, .genesis_len = len,
                            .node_seed = node, .nonce = nonce };
    assert_int_equal(hy_session_new(&c, &e->session), HY_OK);
}

static void close_end(end *e)
{
    hy_session_free(e->session);
    hy_store_free(e->store);
}

static void take(end *e, frames *f)
{
    memset(f, 0, sizeof *f);
    hy_writer_init(&f->bytes, hy_allocator_default());
    const uint8_t *frame;
    size_t len;
    while (hy_session_next(e->session, &frame, &len) == HY_OK) {
        assert_true(f->count < 16);
        f->at[f->count] = f->bytes.len;
        f->len[f->count++] = len;
        hy_write_bytes(&f->bytes, frame, len);
    }
    assert_int_equal(f->bytes.err, HY_OK);
}

static void assert_open(const end *e)
{
    if (hy_session_get_state(e->session) == HY_SESSION_CLOSED)
        fail_msg("an honest session closed: %s", hy_err_str(hy_session_error(e->session)));
}

static uint8_t type_of(const frames *f, size_t i) { return f->bytes.data[f->at[i]]; }

/* Frame i of f, a CHANGES, decoded by the spec. */
static wire_changes_view changes_of(const frames *f, size_t i)
{
    assert_true(i < f->count);
    assert_int_equal(type_of(f, i), WIRE_CHANGES);
    wire_view v;
    size_t at = 0;
    assert_int_equal(wire_read(f->bytes.data + f->at[i], f->len[i], &at, &v), HY_OK);
    assert_int_equal(at, f->len[i]);
    wire_changes_view c;
    assert_int_equal(wire_read_changes(v.payload, v.len, &c), HY_OK);
    return c;
}

/* f holds one batch in count parts, in index order: returns its number. */
static uint64_t assert_one_batch(const frames *f, size_t count)
{
    assert_int_equal(f->count, count);
    uint64_t number = changes_of(f, 0).batch;
    for (size_t i = 0; i < count; i++) {
        wire_changes_view c = changes_of(f, i);
        assert_int_equal(c.batch, number);
        assert_int_equal(c.part, i);
        assert_int_equal(c.flags, i + 1 == count ? WIRE_LAST : 0);
        if (i + 1 < count)
            assert_int_equal(c.len, WIRE_PART);
    }
    return number;
}

static void free_frames(frames *f) { hy_writer_free(&f->bytes); }

/* Delivers frame i of f to e: an honest frame is never refused. */
static void deliver(const frames *f, size_t i, end *e)
{
    assert_true(i < f->count);
    hy_err err = hy_session_receive(e->session, f->bytes.data + f->at[i], f->len[i]);
    if (err)
        fail_msg("an honest frame of type %d refused: %s", type_of(f, i), hy_err_str(err));
    assert_open(e);
}

/* The link behaves again: ticks and a perfect link bring both ends level. */
static void settle(end *a, end *b)
{
    for (int round = 0; round < 5; round++) {
        assert_int_equal(hy_session_tick(a->session), HY_OK);
        assert_int_equal(hy_session_tick(b->session), HY_OK);
        wire_pump(a->session, b->session);
        assert_open(a);
        assert_open(b);
    }
    assert_true(hy_session_in_sync(a->session));
    assert_true(hy_session_in_sync(b->session));
    assert_same_saves(a->store, b->store);
}

static void put_int(hy_store *s, const char *name, int64_t v)
{
    hy_value value = { .type = HY_TYPE_INT, .as.integer = v };
    assert_int_equal(hy_put(s, "c", "k", name, &value), HY_OK);
}

/* The link loses b's HELLO but carries the AUTH b sends on hearing a's: a cannot check it
 * yet, and must wait (open, saying nothing) for the HELLO that b's next tick repeats; with
 * it, and the AUTH that comes along, a's handshake completes. */
static void an_auth_that_overtakes_a_lost_hello_waits(void **state)
{
    (void)state;
    end a, b;
    open_end(&a, 1, 0);
    open_end(&b, 2, 0);
    put_int(a.store, "x", 1);
    frames fa, fb, fb2, fa2, fb3;
    take(&a, &fa);
    take(&b, &fb); /* b's HELLO: lost */
    assert_int_equal(fb.count, 1);
    assert_int_equal(type_of(&fb, 0), WIRE_HELLO);
    deliver(&fa, 0, &b);
    take(&b, &fb2);
    assert_int_equal(fb2.count, 1);
    assert_int_equal(type_of(&fb2, 0), WIRE_AUTH);
    deliver(&fb2, 0, &a);
    assert_int_equal(hy_session_get_state(a.session), HY_SESSION_HANDSHAKE);
    take(&a, &fa2);
    assert_int_equal(fa2.count, 0);
    /* b's tick repeats its HELLO and AUTH: a answers the HELLO with its AUTH (already sent),
     * verifies b's and is READY, with its SYNC. */
    assert_int_equal(hy_session_tick(b.session), HY_OK);
    take(&b, &fb3);
    assert_int_equal(fb3.count, 2);
    assert_int_equal(type_of(&fb3, 0), WIRE_HELLO);
    assert_int_equal(type_of(&fb3, 1), WIRE_AUTH);
    deliver(&fb3, 0, &a);
    assert_int_equal(hy_session_get_state(a.session), HY_SESSION_HANDSHAKE);
    deliver(&fb3, 1, &a);
    assert_int_equal(hy_session_get_state(a.session), HY_SESSION_READY);
    settle(&a, &b);
    free_frames(&fa);
    free_frames(&fb);
    free_frames(&fb2);
    free_frames(&fa2);
    free_frames(&fb3);
    close_end(&a);
    close_end(&b);
}

/* A text insert of len bytes: its batch goes in len / 65,536 + 1 CHANGES parts (the batch
 * adds a few hundred bytes of its own). */
static void big_insert(hy_store *s, char fill, size_t len)
{
    char *text = malloc(len);
    assert_non_null(text);
    memset(text, fill, len);
    assert_int_equal(hy_text_insert(s, "c", "k", "body", 0, text, len), HY_OK);
    free(text);
}

/* a commits a text insert of len bytes and tells its session, which queues the batch: its
 * frames go to f, and it returns the number of the batch, checked to be in parts parts. */
static uint64_t commit_big(end *a, char fill, size_t len, frames *f, size_t parts)
{
    big_insert(a->store, fill, len);
    assert_int_equal(hy_session_changed(a->session), HY_OK);
    take(a, f);
    return assert_one_batch(f, parts);
}

static void assert_changes(const end *e, uint32_t count, size_t pending)
{
    assert_int_equal(hy_log_count(e->store->log), count);
    assert_int_equal(hy_log_pending_count(e->store->log), pending);
}

/* Two batches of two parts each are in flight; the link loses the second part of the first
 * and the first part of the second, and delivers the other two. Spliced, those two would be
 * no batch at all, and b would refuse an honest peer for what the link did. The receiver
 * keeps them apart: the second batch's number abandons the first batch, the first batch's
 * last part, arriving late, is ignored, and the second batch waits for its own first part,
 * then merges whole (its change waits for the first batch's, which comes again after the
 * next SYNC). */
static void parts_of_two_batches_are_not_spliced(void **state)
{
    (void)state;
    end a, b;
    open_end(&a, 1, 0);
    open_end(&b, 2, 0);
    wire_pump(a.session, b.session);
    uint32_t base = hy_log_count(b.store->log);
    frames first, second;
    uint64_t one = commit_big(&a, 'p', 70000, &first, 2);
    assert_true(commit_big(&a, 'q', 70000, &second, 2) > one);
    deliver(&first, 0, &b);
    deliver(&second, 1, &b);
    assert_changes(&b, base, 0);
    deliver(&first, 1, &b); /* late: its batch was abandoned */
    assert_changes(&b, base, 0);
    deliver(&second, 0, &b);
    assert_changes(&b, base, 1); /* the second batch's change, waiting for the first's */
    settle(&a, &b);
    assert_changes(&b, base + 2, 0);
    /* Duplicated and late parts are harmless too: a repeat of a whole batch's parts. */
    deliver(&first, 0, &b);
    deliver(&first, 0, &b);
    deliver(&second, 1, &b);
    deliver(&first, 1, &b);
    deliver(&second, 0, &b);
    assert_changes(&b, base + 2, 0);
    settle(&a, &b);
    free_frames(&first);
    free_frames(&second);
    close_end(&a);
    close_end(&b);
}

/* A batch in three parts that a reordering link delivers last part first, each part twice:
 * nothing merges until the first part arrives; then the batch merges whole, once. */
static void parts_in_reverse_order_merge(void **state)
{
    (void)state;
    end a, b;
    open_end(&a, 1, 0);
    open_end(&b, 2, 0);
    wire_pump(a.session, b.session);
    uint32_t base = hy_log_count(b.store->log);
    frames f, quiet;
    commit_big(&a, 'r', 140000, &f, 3);
    for (size_t i = 3; i-- > 1;) {
        deliver(&f, i, &b);
        deliver(&f, i, &b);
        assert_changes(&b, base, 0);
    }
    take(&b, &quiet);
    assert_int_equal(quiet.count, 0);
    deliver(&f, 0, &b);
    assert_changes(&b, base + 1, 0);
    deliver(&f, 0, &b); /* a copy of a merged batch */
    deliver(&f, 2, &b);
    assert_changes(&b, base + 1, 0);
    hy_session_stats st;
    hy_session_get_stats(b.session, &st);
    assert_int_equal(st.changes_in, 1);
    settle(&a, &b);
    free_frames(&f);
    free_frames(&quiet);
    close_end(&a);
    close_end(&b);
}

/* Replica a (signatures required) gets x's changes 1 and 2 in one batch signed at 2, but 2
 * also depends on y's change a lacks: 1 is applied, 2 waits. The signature that covers 1
 * waits with 2, so a must not pass 1 on to b as if it were signed: b requires signatures and
 * would refuse. Once y's change arrives, everything flows. */
/* x's changes 1 and 2 in one batch, signed at 2 only, where 2 also depends on y's change: a
 * receiver lacking y's change can apply 1 (its deps are there) but must queue 2. */
typedef struct split_batch {
    end x, y;
    hy_writer enc[2], batch;
} split_batch;

static void make_split_batch(split_batch *t)
{
    open_end(&t->x, 1, 1);
    open_end(&t->y, 2, 1);
    put_int(t->y.store, "y", 1);
    put_int(t->x.store, "x", 1);
    sync_to(t->y.store, t->x.store);
    put_int(t->x.store, "x", 2); /* deps: x's first and y's */
    assert_int_equal(hy_log_count(t->x.store->log), 3);
    hy_bytes views[2];
    static const uint32_t picked[2] = { 0, 2 };
    for (int i = 0; i < 2; i++) {
        hy_writer_init(&t->enc[i], hy_allocator_default());
        assert_int_equal(hy_log_encode(t->x.store->log, picked[i], &t->enc[i]), HY_OK);
        views[i].data = t->enc[i].data;
        views[i].len = t->enc[i].len;
    }
    assert_int_equal(hy_log_sign_local(t->x.store->log), HY_OK);
    hy_log_sig sig;
    uint8_t raw[HY_SIG_LEN];
    uint32_t signed_at = hy_log_actor_signature(t->x.store->log,
                                                hy_log_local_actor(t->x.store->log), raw);
    assert_int_equal(signed_at, 2);
    memcpy(sig.hash, hy_log_hash(t->x.store->log, 2), HY_HASH_LEN);
    memcpy(sig.sig, raw, HY_SIG_LEN);
    hy_writer_init(&t->batch, hy_allocator_default());
    wire_batch(&t->batch, views, 2, (const uint8_t *)&sig, 1);
    assert_int_equal(t->batch.err, HY_OK);
}

static void free_split_batch(split_batch *t)
{
    for (int i = 0; i < 2; i++)
        hy_writer_free(&t->enc[i]);
    hy_writer_free(&t->batch);
    close_end(&t->x);
    close_end(&t->y);
}

/* A store that does not require signatures applies x's first change, which no signature it
 * holds covers yet: its session must not pass it to a peer that requires them (which would
 * refuse it and close), only once x's signed change applies. */
static void a_change_is_not_forwarded_without_its_signature(void **state)
{
    (void)state;
    split_batch t;
    make_split_batch(&t);
    end a, b;
    open_end(&a, 3, 0);
    open_end(&b, 4, 1);
    assert_int_equal(hy_store_merge(a.store, t.batch.data, t.batch.len), HY_E_MISSING_DEPS);
    assert_int_equal(hy_log_count(a.store->log), 1);
    assert_int_equal(hy_log_pending_count(a.store->log), 1);
    for (int round = 0; round < 3; round++) {
        wire_pump(a.session, b.session);
        assert_open(&a);
        assert_open(&b);
        assert_int_equal(hy_session_tick(a.session), HY_OK);
        assert_int_equal(hy_session_tick(b.session), HY_OK);
    }
    assert_int_equal(hy_log_count(b.store->log), 0);
    sync_to(t.y.store, a.store);
    assert_int_equal(hy_log_pending_count(a.store->log), 0);
    assert_int_equal(hy_session_changed(a.session), HY_OK);
    settle(&a, &b);
    assert_int_equal(hy_log_count(b.store->log), 3);
    close_end(&a);
    close_end(&b);
    free_split_batch(&t);
}

/* A store that requires signatures does not apply that first change at all while its signed
 * change waits (it could neither pass it on nor save itself loadably): what it saves loads
 * under the same rule, and the change applies once sent again with its signed change. */
static void a_store_requiring_signatures_applies_no_change_its_signatures_do_not_cover(
    void **state)
{
    (void)state;
    split_batch t;
    make_split_batch(&t);
    end a;
    open_end(&a, 3, 1);
    assert_int_equal(hy_store_merge(a.store, t.batch.data, t.batch.len), HY_E_MISSING_DEPS);
    assert_int_equal(hy_log_count(a.store->log), 0);
    uint8_t *saved;
    size_t len, offset;
    assert_int_equal(hy_store_save(a.store, &saved, &len), HY_OK);
    hy_store_config cfg = fixture_store_config(&a.platform, hy_allocator_default(), 9);
    cfg.require_signatures = 1;
    hy_store *loaded = NULL;
    assert_int_equal(hy_store_load(&cfg, saved, len, &loaded, &offset), HY_OK);
    hy_store_free(loaded);
    hy_store_buffer_free(a.store, saved, len);
    sync_to(t.y.store, a.store);
    assert_int_equal(hy_store_merge(a.store, t.batch.data, t.batch.len), HY_OK);
    assert_int_equal(hy_log_count(a.store->log), 3);
    assert_int_equal(hy_log_pending_count(a.store->log), 0);
    close_end(&a);
    free_split_batch(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(an_auth_that_overtakes_a_lost_hello_waits),
        cmocka_unit_test(parts_of_two_batches_are_not_spliced),
        cmocka_unit_test(parts_in_reverse_order_merge),
        cmocka_unit_test(a_change_is_not_forwarded_without_its_signature),
        cmocka_unit_test(a_store_requiring_signatures_applies_no_change_its_signatures_do_not_cover),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

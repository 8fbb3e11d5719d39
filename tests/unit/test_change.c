#include "hy_test.h"

#include "change.h"
#include "test_alloc.h"

#include <string.h>

/* A valid change with two deps, encoded into *w. */
static void encode_sample(hy_writer *w, hy_change *c, uint8_t deps[2 * HY_HASH_LEN])
{
    memset(c, 0, sizeof *c);
    memset(c->actor, 0xaa, HY_KEY_LEN);
    memset(deps, 0x11, HY_HASH_LEN);
    memset(deps + HY_HASH_LEN, 0x22, HY_HASH_LEN);
    c->seq = 2;
    c->start_op = 300;
    c->time_ms = -5;
    c->dep_count = 2;
    c->deps = deps;
    c->op_count = 3;
    c->ops = (const uint8_t *)"hello";
    c->ops_len = 5;
    assert_int_equal(hy_change_encode(w, c), HY_OK);
}

static void change_round_trips_and_hash_is_stable(void **state)
{
    (void)state;
    hy_test_alloc t;
    hy_writer w;
    hy_writer_init(&w, hy_test_allocator(&t));
    hy_change c, d;
    uint8_t deps[2 * HY_HASH_LEN];
    encode_sample(&w, &c, deps);
    assert_int_equal(hy_change_decode(&d, w.data, w.len, NULL), HY_OK);
    assert_memory_equal(d.actor, c.actor, HY_KEY_LEN);
    assert_int_equal(d.seq, 2);
    assert_int_equal(d.start_op, 300);
    assert_true(d.time_ms == -5);
    assert_int_equal(d.dep_count, 2);
    assert_memory_equal(d.deps, deps, sizeof deps);
    assert_int_equal(d.op_count, 3);
    assert_int_equal(d.ops_len, 5);
    assert_memory_equal(d.ops, "hello", 5);
    /* Re-encoding the decoded view gives the same bytes: the encoding is canonical. */
    hy_writer again;
    hy_writer_init(&again, hy_test_allocator(&t));
    assert_int_equal(hy_change_encode(&again, &d), HY_OK);
    assert_int_equal(again.len, w.len);
    assert_memory_equal(again.data, w.data, w.len);
    uint8_t h1[HY_HASH_LEN], h2[HY_HASH_LEN];
    hy_change_hash(w.data, w.len, h1);
    hy_change_hash(again.data, again.len, h2);
    assert_memory_equal(h1, h2, HY_HASH_LEN);
    hy_writer_free(&w);
    hy_writer_free(&again);
}

static void every_truncation_is_an_error_within_bounds(void **state)
{
    (void)state;
    hy_test_alloc t;
    hy_writer w;
    hy_writer_init(&w, hy_test_allocator(&t));
    hy_change c, d;
    uint8_t deps[2 * HY_HASH_LEN];
    encode_sample(&w, &c, deps);
    for (size_t len = 0; len < w.len; len++) {
        size_t offset = SIZE_MAX;
        hy_err err = hy_change_decode(&d, w.data, len, &offset);
        assert_int_not_equal(err, HY_OK);
        assert_true(offset <= len);
    }
    /* A trailing byte is refused, at its offset. */
    hy_write_u8(&w, 0);
    size_t offset;
    assert_int_equal(hy_change_decode(&d, w.data, w.len, &offset), HY_E_FORMAT);
    assert_int_equal(offset, w.len - 1);
    hy_writer_free(&w);
}

/* Hand-built inputs that break one rule each, with the error and offset expected. */
static void hostile_changes_get_specific_errors(void **state)
{
    (void)state;
    uint8_t buf[200];
    hy_change d;
    size_t offset;
    /* Layout: format(1) actor(32) seq start time depcount deps opcount opslen ops */
    size_t n;
#define BEGIN() (memset(buf, 0, sizeof buf), buf[0] = 1, n = 33)
#define PUT(b) (buf[n++] = (uint8_t)(b))

    BEGIN(); /* unknown format version */
    buf[0] = 2;
    assert_int_equal(hy_change_decode(&d, buf, 40, &offset), HY_E_VERSION);
    assert_int_equal(offset, 0);

    BEGIN(); /* over-long varint in seq */
    PUT(0x81); PUT(0x00);
    assert_int_equal(hy_change_decode(&d, buf, n, &offset), HY_E_VARINT);
    assert_int_equal(offset, 33);

    BEGIN(); /* seq 0 */
    PUT(0); PUT(1); PUT(0); PUT(0); PUT(1); PUT(1); PUT('x');
    assert_int_equal(hy_change_decode(&d, buf, n, &offset), HY_E_SEQ);
    assert_int_equal(offset, 33);

    BEGIN(); /* a valid first change, as a control */
    PUT(1); PUT(1); PUT(0); PUT(0); PUT(1); PUT(1); PUT('x');
    assert_int_equal(hy_change_decode(&d, buf, n, &offset), HY_OK);

    BEGIN(); /* dep count larger than the input could hold */
    PUT(1); PUT(1); PUT(0); PUT(0xff); PUT(0xff); PUT(0x03);
    assert_int_equal(hy_change_decode(&d, buf, n, &offset), HY_E_TOO_LARGE);
    assert_int_equal(offset, 36);

    BEGIN(); /* a later change without deps */
    PUT(2); PUT(1); PUT(0); PUT(0); PUT(1); PUT(1); PUT('x');
    assert_int_equal(hy_change_decode(&d, buf, n, &offset), HY_E_FORMAT);
    assert_int_equal(offset, 36);

    BEGIN(); /* deps not ascending */
    PUT(2); PUT(5); PUT(0); PUT(2);
    memset(buf + n, 0x22, 32); n += 32;
    memset(buf + n, 0x11, 32); n += 32;
    PUT(1); PUT(1); PUT('x');
    assert_int_equal(hy_change_decode(&d, buf, n, &offset), HY_E_FORMAT);
    assert_int_equal(offset, 36);

    BEGIN(); /* more ops than op bytes */
    PUT(1); PUT(1); PUT(0); PUT(0); PUT(2); PUT(1); PUT('x');
    assert_int_equal(hy_change_decode(&d, buf, n, &offset), HY_E_FORMAT);
    assert_int_equal(offset, 37);

    BEGIN(); /* ops length beyond the input */
    PUT(1); PUT(1); PUT(0); PUT(0); PUT(1); PUT(9); PUT('x');
    assert_int_equal(hy_change_decode(&d, buf, n, &offset), HY_E_TOO_LARGE);
    assert_int_equal(offset, 38);

    BEGIN(); /* start_op past 2^53 */
    PUT(1); PUT(0x80); PUT(0x80); PUT(0x80); PUT(0x80); PUT(0x80); PUT(0x80); PUT(0x80);
    PUT(0x10); PUT(0); PUT(0); PUT(1); PUT(1); PUT('x');
    assert_int_equal(hy_change_decode(&d, buf, n, &offset), HY_E_SEQ);
    assert_int_equal(offset, 33);
#undef BEGIN
#undef PUT
}

static void encoder_refuses_what_decoder_would(void **state)
{
    (void)state;
    hy_test_alloc t;
    hy_writer w;
    hy_writer_init(&w, hy_test_allocator(&t));
    hy_change c;
    uint8_t deps[2 * HY_HASH_LEN];
    encode_sample(&w, &c, deps);
    hy_change bad = c;
    bad.seq = 0;
    assert_int_equal(hy_change_encode(&w, &bad), HY_E_INVALID_ARG);
    bad = c;
    memset(deps, 0x33, HY_HASH_LEN); /* now 0x33.. before 0x22..: not ascending */
    bad.deps = deps;
    assert_int_equal(hy_change_encode(&w, &bad), HY_E_INVALID_ARG);
    bad = c;
    bad.op_count = 0;
    assert_int_equal(hy_change_encode(&w, &bad), HY_E_INVALID_ARG);
    hy_writer_free(&w);
}

static void signature_message_is_context_and_hash(void **state)
{
    (void)state;
    uint8_t hash[HY_HASH_LEN], msg[HY_CHANGE_SIG_MSG_LEN];
    memset(hash, 7, sizeof hash);
    hy_change_sig_msg(msg, hash);
    assert_memory_equal(msg, "hypha change v1", 15);
    assert_memory_equal(msg + 15, hash, HY_HASH_LEN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(change_round_trips_and_hash_is_stable),
        cmocka_unit_test(every_truncation_is_an_error_within_bounds),
        cmocka_unit_test(hostile_changes_get_specific_errors),
        cmocka_unit_test(encoder_refuses_what_decoder_would),
        cmocka_unit_test(signature_message_is_context_and_hash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

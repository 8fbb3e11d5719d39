#include "hy_test.h"

#include "bytes.h"
#include "test_alloc.h"

static void varint_round_trips_at_every_length(void **state)
{
    (void)state;
    hy_test_alloc t;
    hy_writer w;
    hy_writer_init(&w, hy_test_allocator(&t));
    uint64_t values[] = { 0, 1, 127, 128, 255, 16383, 16384, UINT32_MAX, (uint64_t)1 << 56,
                          UINT64_MAX - 1, UINT64_MAX };
    size_t n = sizeof values / sizeof values[0];
    for (size_t i = 0; i < n; i++)
        hy_write_varint(&w, values[i]);
    uint8_t *buf;
    size_t len;
    assert_int_equal(hy_writer_take(&w, &buf, &len), HY_OK);
    hy_reader r = hy_reader_make(buf, len);
    for (size_t i = 0; i < n; i++) {
        uint64_t v;
        size_t before = r.pos;
        assert_int_equal(hy_read_varint(&r, &v), HY_OK);
        assert_int_equal(v, values[i]);
        assert_int_equal(r.pos - before, hy_varint_len(values[i]));
    }
    assert_int_equal(hy_reader_left(&r), 0);
    w.alloc.fn(w.alloc.user, buf, len, 0);
    assert_int_equal(t.live_blocks, 0);
}

static void overlong_and_oversized_varints_are_refused(void **state)
{
    (void)state;
    static const struct {
        uint8_t bytes[11];
        size_t len;
        hy_err err;
    } cases[] = {
        { { 0x80, 0x00 }, 2, HY_E_VARINT },                 /* 0 in two bytes */
        { { 0xff, 0x00 }, 2, HY_E_VARINT },                 /* 127 with a zero tail */
        { { 0x80, 0x80, 0x00 }, 3, HY_E_VARINT },
        { { 0x80 }, 1, HY_E_TRUNCATED },
        { { 0 }, 0, HY_E_TRUNCATED },
        { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02 }, 10, HY_E_VARINT },
        { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x81, 0x00 }, 11,
          HY_E_VARINT },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hy_reader r = hy_reader_make(cases[i].bytes, cases[i].len);
        uint64_t v;
        assert_int_equal(hy_read_varint(&r, &v), cases[i].err);
        assert_int_equal(r.pos, 0); /* a failed read does not move */
    }
}

static void counts_are_bounded_by_the_input(void **state)
{
    (void)state;
    uint8_t buf[] = { 0x05, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }; /* 5 items, 10 bytes follow */
    hy_reader r = hy_reader_make(buf, sizeof buf);
    size_t count;
    assert_int_equal(hy_read_count(&r, 2, &count), HY_OK);
    assert_int_equal(count, 5);
    r = hy_reader_make(buf, sizeof buf);
    assert_int_equal(hy_read_count(&r, 3, &count), HY_E_TOO_LARGE);
    assert_int_equal(r.pos, 0);
    uint8_t huge[] = { 0xff, 0xff, 0xff, 0xff, 0x0f };
    r = hy_reader_make(huge, sizeof huge);
    assert_int_equal(hy_read_count(&r, 1, &count), HY_E_TOO_LARGE);
    uint64_t v;
    r = hy_reader_make(buf, sizeof buf);
    assert_int_equal(hy_read_varint_max(&r, 4, &v), HY_E_TOO_LARGE);
    assert_int_equal(hy_read_varint_max(&r, 5, &v), HY_OK);
}

static void fixed_width_reads_check_length(void **state)
{
    (void)state;
    uint8_t buf[] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    hy_reader r = hy_reader_make(buf, 7);
    uint64_t v64;
    uint32_t v32;
    assert_int_equal(hy_read_u64le(&r, &v64), HY_E_TRUNCATED);
    assert_int_equal(hy_read_u32le(&r, &v32), HY_OK);
    assert_int_equal(v32, 0x04030201u);
    assert_int_equal(hy_read_u32le(&r, &v32), HY_E_TRUNCATED);
    assert_int_equal(r.pos, 4);
    const uint8_t *view;
    assert_int_equal(hy_read_view(&r, 3, &view), HY_OK);
    assert_int_equal(view[0], 5);
    uint8_t byte;
    assert_int_equal(hy_read_u8(&r, &byte), HY_E_TRUNCATED);
    r = hy_reader_make(buf, 8);
    assert_int_equal(hy_read_u64le(&r, &v64), HY_OK);
    assert_int_equal(v64, 0x0807060504030201u);
}

static void zigzag_is_a_bijection_on_edges(void **state)
{
    (void)state;
    int64_t values[] = { 0, -1, 1, -2, 2, INT64_MAX, INT64_MIN, -1000000 };
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++)
        assert_true(hy_unzigzag(hy_zigzag(values[i])) == values[i]);
    assert_int_equal(hy_zigzag(-1), 1);
    assert_int_equal(hy_zigzag(1), 2);
}

static void writer_errors_are_sticky_and_free_everything(void **state)
{
    (void)state;
    for (size_t k = 1; k <= 4; k++) {
        hy_test_alloc t;
        hy_allocator a = hy_test_allocator(&t);
        t.fail_at = k;
        hy_writer w;
        hy_writer_init(&w, a);
        for (int i = 0; i < 1000; i++)
            hy_write_u64le(&w, (uint64_t)i);
        uint8_t *data;
        size_t len;
        hy_err err = hy_writer_take(&w, &data, &len);
        if (err == HY_OK) {
            assert_int_equal(len, 8000);
            assert_int_equal(hy_load_u64le(data + 8 * 999), 999);
            a.fn(a.user, data, len, 0);
        } else {
            assert_int_equal(err, HY_E_NOMEM);
        }
        assert_int_equal(t.live_blocks, 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(varint_round_trips_at_every_length),
        cmocka_unit_test(overlong_and_oversized_varints_are_refused),
        cmocka_unit_test(counts_are_bounded_by_the_input),
        cmocka_unit_test(fixed_width_reads_check_length),
        cmocka_unit_test(zigzag_is_a_bijection_on_edges),
        cmocka_unit_test(writer_errors_are_sticky_and_free_everything),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Golden vectors: bytes written by each format version, frozen. Every later version must
 * still load them, and the same history must still produce the newest (docs/format.md). If
 * one of these tests fails, the change broke compatibility: add a new format version
 * instead. */
#include "hy_test.h"

#include "unhex.h"
#include "log_fixture.h"

#include <string.h>

/* Actor 1 commits "hello", actor 2 "world"; actor 1 merges and commits two ops "ab" at
 * time -42. Saved by actor 1, whose chain is signed; actor 2's is signed by its sync. */
static void build(hy_log **out)
{
    hy_allocator al = hy_allocator_default();
    hy_log *a = fixture_log(al, 1, true), *b = fixture_log(al, 2, true);
    assert_int_equal(fixture_commit(a, "hello"), HY_OK);
    assert_int_equal(fixture_commit(b, "world"), HY_OK);
    assert_int_equal(fixture_sync(b, a), HY_OK);
    assert_int_equal(hy_log_commit(a, -42, 2, (const uint8_t *)"ab", 2, NULL), HY_OK);
    hy_log_free(b);
    *out = a;
}

/* Log file version 1 (plain deps column, no ops mode). */
static const char golden_log_v1[] =
    "48594c4701020360edf1a07c2925df03f78df48e545f6d12f64e76a0957bd38d08092e1a04febf530b2238c62b5f2af0"
    "f7fd9315320f2817f70bfd4f1b29e0f5d96b68d420c303040500010002060204050100010e0580a0abfef96200d3a0ab"
    "fef9620404000102020102040401010204040501020c68656c6c6f776f726c64616201fb635c7667eef28b459b43736c"
    "b610a18b8baa89d0b0f5aede87d99758d758c002014ffb26b4aa4b05392bc7e69524b0d951a01bb68a5ff92b3b08db4b"
    "da137b8a7e4f77cbabf094451765b0613b14e5a1de7ae4def14386849726ab07228992c30b0282c85975775bfcf760bd"
    "25a0c718b37241a07ecd9cec75facdf01e67ef9bc3dc8f978381be51657724680fe75644832677ef57d7eca732fa8931"
    "ea7752ef890e";

/* Log file version 2 (RLE deps column; ops plain, as a log without an ops codec saves). */
static const char golden_log[] =
    "48594c4702020360edf1a07c2925df03f78df48e545f6d12f64e76a0957bd38d08092e1a04febf530b2238c62b5f2af0"
    "f7fd9315320f2817f70bfd4f1b29e0f5d96b68d420c303040500010002060204050100010e0580a0abfef96200d3a0ab"
    "fef96204040001020303010204040101020404050102000c68656c6c6f776f726c64616201fb635c7667eef28b459b43"
    "736cb610a18b8baa89d0b0f5aede87d99758d758c002014ffb26b4aa4b05392bc7e69524b0d951a01bb68a5ff92b3b08"
    "db4bda137b8a7e4f77cbabf094451765b0613b14e5a1de7ae4def14386849726ab07228992c30b0282c85975775bfcf7"
    "60bd25a0c718b37241a07ecd9cec75facdf01e67ef9bc3dc8f978381be51657724680fe75644832677ef57d7eca732fa"
    "8931ea7752ef890e";

/* The merge change (index 2 of the logs above). */
static const char golden_change[] =
    "010360edf1a07c2925df03f78df48e545f6d12f64e76a0957bd38d08092e1a04fe020253024b8a4613f236f4d98b1ce6"
    "fa2d00c1cdbd82101cedc9416b63e465e3ed150918da5f94e26110a90282a496f60edd373937cac6731488da6fa002e7"
    "09a4826a7d02026162";

/* Decodes a golden vector into out (cap bytes); returns its length. */
static size_t golden(uint8_t *out, size_t cap, const char *hex)
{
    size_t n = strlen(hex) / 2;
    assert_true(n <= cap);
    unhex(out, hex, n);
    return n;
}

static void todays_history_saves_the_golden_bytes(void **state)
{
    (void)state;
    static uint8_t expected[1024];
    size_t n = golden(expected, sizeof expected, golden_log);
    hy_log *log;
    build(&log);
    uint8_t *saved;
    size_t len;
    assert_int_equal(fixture_save(log, &saved, &len), HY_OK);
    assert_int_equal(len, n);
    assert_memory_equal(saved, expected, n);
    hy_writer w;
    hy_writer_init(&w, hy_allocator_default());
    assert_int_equal(hy_log_encode(log, 2, &w), HY_OK);
    n = golden(expected, sizeof expected, golden_change);
    assert_int_equal(w.len, n);
    assert_memory_equal(w.data, expected, n);
    hy_writer_free(&w);
    fixture_free(saved, len);
    hy_log_free(log);
}

static void golden_bytes_load(void **state)
{
    (void)state;
    static uint8_t bytes[1024];
    const char *versions[] = { golden_log_v1, golden_log };
    for (size_t v = 0; v < 2; v++) {
        size_t n = golden(bytes, sizeof bytes, versions[v]);
        hy_log_config cfg = fixture_config(hy_allocator_default(), true);
        hy_log *log;
        assert_int_equal(hy_log_load(&cfg, bytes, n, &log, NULL), HY_OK);
        assert_int_equal(hy_log_count(log), 3);
        assert_int_equal(hy_log_head_count(log), 1);
        hy_log_entry e;
        hy_log_get(log, hy_log_head(log, 0), &e);
        assert_int_equal(e.op_count, 2);
        assert_true(e.time_ms == -42);
        assert_memory_equal(e.ops, "ab", 2);
        hy_log_free(log);
    }
    size_t n = golden(bytes, sizeof bytes, golden_change);
    hy_change c;
    assert_int_equal(hy_change_decode(&c, bytes, n, NULL), HY_OK);
    assert_int_equal(c.seq, 2);
    assert_int_equal(c.start_op, 2);
    assert_int_equal(c.dep_count, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(todays_history_saves_the_golden_bytes),
        cmocka_unit_test(golden_bytes_load),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

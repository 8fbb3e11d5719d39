#include "hy_test.h"

#include "alloc.h"
#include "log_fixture.h"
#include "rng.h"

#include <string.h>

/* Three actors with concurrent branches, merges and an equivocation. */
static void build_history(hy_allocator al, hy_log **out)
{
    hy_log *a = fixture_log(al, 1, true), *b = fixture_log(al, 2, true);
    hy_log *c = fixture_log(al, 3, true), *twin = fixture_log(al, 3, true);
    for (int round = 0; round < 6; round++) {
        assert_int_equal(fixture_commit(a, "alpha"), HY_OK);
        assert_int_equal(fixture_commit(b, "beta beta"), HY_OK);
        assert_int_equal(fixture_commit(a, "gamma"), HY_OK);
        if (round % 2)
            assert_int_equal(fixture_sync(b, a), HY_OK);
        assert_int_equal(fixture_sync(a, b), HY_OK);
    }
    assert_int_equal(fixture_commit(c, "c's first"), HY_OK);
    assert_int_equal(fixture_commit(twin, "c's other first"), HY_OK);
    assert_int_equal(fixture_sync(c, a), HY_OK);
    assert_int_equal(fixture_sync(twin, a), HY_OK);
    assert_int_equal(fixture_sync(b, a), HY_OK);
    assert_int_equal(hy_log_equivocation_count(a), 1);
    hy_log_free(b);
    hy_log_free(c);
    hy_log_free(twin);
    *out = a;
}

static void save_load_round_trips_canonically(void **state)
{
    (void)state;
    hy_test_alloc t;
    hy_allocator al = hy_test_allocator(&t);
    hy_log *log;
    build_history(al, &log);
    uint8_t *saved, *again;
    size_t saved_len, again_len;
    assert_int_equal(fixture_save(log, &saved, &saved_len), HY_OK);
    hy_log_config cfg = fixture_config(al, true);
    hy_log *loaded;
    size_t offset = 0;
    assert_int_equal(hy_log_load(&cfg, saved, saved_len, &loaded, &offset), HY_OK);
    assert_int_equal(hy_log_count(loaded), hy_log_count(log));
    assert_int_equal(hy_log_head_count(loaded), hy_log_head_count(log));
    assert_int_equal(hy_log_equivocation_count(loaded), 1);
    /* Every change is there, byte for byte. */
    for (uint32_t i = 0; i < hy_log_count(log); i++) {
        hy_log_entry e;
        hy_log_get(log, i, &e);
        uint32_t j = hy_log_find(loaded, hy_log_hash(log, i));
        assert_int_not_equal(j, HY_LOG_NONE);
        hy_log_entry f;
        hy_log_get(loaded, j, &f);
        assert_int_equal(f.ops_len, e.ops_len);
        assert_memory_equal(f.ops, e.ops, e.ops_len);
        assert_true(f.time_ms == e.time_ms);
    }
    /* The loaded log saves the same bytes. */
    assert_int_equal(fixture_save(loaded, &again, &again_len), HY_OK);
    assert_int_equal(again_len, saved_len);
    assert_memory_equal(again, saved, saved_len);
    /* A replica that received the same changes in another order saves the same bytes. */
    hy_log *other = fixture_log(al, 9, true);
    assert_int_equal(fixture_sync(loaded, other), HY_OK);
    fixture_free(again, again_len);
    assert_int_equal(fixture_save(other, &again, &again_len), HY_OK);
    assert_int_equal(again_len, saved_len);
    assert_memory_equal(again, saved, saved_len);
    fixture_free(again, again_len);
    fixture_free(saved, saved_len);
    hy_log_free(other);
    hy_log_free(loaded);
    hy_log_free(log);
    assert_int_equal(t.live_blocks, 0);
}

static void empty_log_round_trips(void **state)
{
    (void)state;
    hy_log_config cfg = fixture_config(hy_allocator_default(), false);
    hy_log *log, *loaded;
    assert_int_equal(hy_log_new(&cfg, &log), HY_OK);
    uint8_t *saved;
    size_t len;
    assert_int_equal(fixture_save(log, &saved, &len), HY_OK);
    assert_int_equal(hy_log_load(&cfg, saved, len, &loaded, NULL), HY_OK);
    assert_int_equal(hy_log_count(loaded), 0);
    fixture_free(saved, len);
    hy_log_free(log);
    hy_log_free(loaded);
}

static void every_truncation_and_bit_flip_is_refused(void **state)
{
    (void)state;
    hy_test_alloc t;
    hy_allocator al = hy_test_allocator(&t);
    hy_log *log;
    build_history(al, &log);
    uint8_t *saved;
    size_t len;
    assert_int_equal(fixture_save(log, &saved, &len), HY_OK);
    hy_log_config cfg = fixture_config(al, true);
    hy_log *loaded = NULL;
    for (size_t cut = 0; cut < len; cut++) {
        size_t offset = SIZE_MAX;
        assert_int_not_equal(hy_log_load(&cfg, saved, cut, &loaded, &offset), HY_OK);
        assert_true(offset <= cut);
    }
    /* Flip each bit of a sample of positions, and every bit of the first 64 bytes. */
    hy_rng rng = { 42 };
    for (size_t k = 0; k < 600; k++) {
        size_t i = k < 64 * 8 ? k / 8 : (size_t)hy_rng_below(&rng, len);
        uint8_t bit = (uint8_t)(1u << (k < 64 * 8 ? k % 8 : hy_rng_below(&rng, 8)));
        if (i >= len)
            continue;
        saved[i] ^= bit;
        size_t offset = SIZE_MAX;
        hy_err err = hy_log_load(&cfg, saved, len, &loaded, &offset);
        if (err == HY_OK)
            fail_msg("flipping bit %u of byte %zu went unnoticed", (unsigned)bit, i);
        assert_true(offset <= len);
        saved[i] ^= bit;
    }
    fixture_free(saved, len);
    hy_log_free(log);
    assert_int_equal(t.live_blocks, 0);
}

/* Hand-written files: each breaks one rule of the format. */
static void hostile_files_get_specific_errors(void **state)
{
    (void)state;
    hy_log_config cfg = fixture_config(hy_allocator_default(), false);
    hy_log *log = NULL;
    size_t offset;
    static const uint8_t bad_magic[] = { 'H', 'Y', 'L', 'X', 1, 0, 0 };
    assert_int_equal(hy_log_load(&cfg, bad_magic, sizeof bad_magic, &log, &offset), HY_E_FORMAT);
    assert_int_equal(offset, 0);
    static const uint8_t future[] = { 'H', 'Y', 'L', 'G', 3, 0, 0 };
    assert_int_equal(hy_log_load(&cfg, future, sizeof future, &log, &offset), HY_E_VERSION);
    assert_int_equal(offset, 4);
    /* 0x7f actors of 32 bytes in a 10-byte file. */
    static const uint8_t many_actors[] = { 'H', 'Y', 'L', 'G', 1, 0x7f, 0, 0, 0, 0 };
    assert_int_equal(hy_log_load(&cfg, many_actors, sizeof many_actors, &log, &offset),
                     HY_E_TOO_LARGE);
    assert_int_equal(offset, 5);
    /* A million changes claimed by a file of a few bytes. */
    static const uint8_t many_changes[] = { 'H', 'Y', 'L', 'G', 1, 0, 0xc0, 0x84, 0x3d, 0 };
    assert_int_equal(hy_log_load(&cfg, many_changes, sizeof many_changes, &log, &offset),
                     HY_E_TOO_LARGE);
    assert_int_equal(offset, 6);
    /* Version 2 packs, but a count may still not exceed 1024 items per byte of the file. */
    static const uint8_t packed_changes[] = { 'H', 'Y', 'L', 'G', 2, 0, 0x80, 0x80, 0x80, 0x01 };
    assert_int_equal(hy_log_load(&cfg, packed_changes, sizeof packed_changes, &log, &offset),
                     HY_E_TOO_LARGE);
    assert_int_equal(offset, 6);
    /* Trailing garbage after a valid empty log. */
    uint8_t *saved;
    size_t len;
    hy_log *empty;
    assert_int_equal(hy_log_new(&cfg, &empty), HY_OK);
    assert_int_equal(fixture_save(empty, &saved, &len), HY_OK);
    uint8_t trailing[64];
    memcpy(trailing, saved, len);
    trailing[len] = 0;
    assert_int_equal(hy_log_load(&cfg, trailing, len + 1, &log, &offset), HY_E_FORMAT);
    fixture_free(saved, len);
    hy_log_free(empty);
}

/* A two-change file whose second change names itself (distance 0) or a change before the
 * start: cyclic or dangling deps. The file is saved, then its deps column edited. */
static void cyclic_deps_are_refused(void **state)
{
    (void)state;
    hy_allocator al = hy_allocator_default();
    hy_log *log = fixture_log(al, 1, false);
    assert_int_equal(fixture_commit(log, "one"), HY_OK);
    assert_int_equal(fixture_commit(log, "two"), HY_OK);
    uint8_t *saved;
    size_t len;
    assert_int_equal(fixture_save(log, &saved, &len), HY_OK);
    /* The deps column holds one distance, 1: its bytes are [length 2, a literal group of one
     * (zigzag -1 = 1), value 1]. Try each such triple; exactly one is the deps column, where
     * a changed distance is a cycle. */
    hy_log_config cfg = fixture_config(al, false);
    size_t found = 0;
    for (size_t i = 0; i + 2 < len; i++) {
        if (saved[i] != 2 || saved[i + 1] != 1 || saved[i + 2] != 1)
            continue;
        saved[i + 2] = 0; /* distance 0: the change depends on itself */
        hy_log *loaded = NULL;
        size_t offset = 0;
        hy_err err = hy_log_load(&cfg, saved, len, &loaded, &offset);
        if (err == HY_E_CYCLE) {
            assert_true(offset == i + 1 || offset == i + 2); /* its group, or the value */
            saved[i + 2] = 2; /* distance 2: before the first change */
            assert_int_equal(hy_log_load(&cfg, saved, len, &loaded, &offset), HY_E_CYCLE);
            found++;
        }
        hy_log_free(loaded);
        saved[i + 2] = 1;
    }
    assert_int_equal(found, 1);
    fixture_free(saved, len);
    hy_log_free(log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(save_load_round_trips_canonically),
        cmocka_unit_test(empty_log_round_trips),
        cmocka_unit_test(every_truncation_and_bit_flip_is_refused),
        cmocka_unit_test(hostile_files_get_specific_errors),
        cmocka_unit_test(cyclic_deps_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The store's packing of saved ops (docs/format.md, "Packed store ops"). */
#include "hy_test.h"

#include "rng.h"
#include "store_fixture.h"
#include "test_alloc.h"

#include <string.h>

enum { KEYSTROKES = 3000 };

/* Types KEYSTROKES keystrokes into one text field, one change each: mostly characters at a
 * moving cursor, some backspaces and jumps, some of them multi-byte. */
static void type_text(hy_store *s, uint64_t seed)
{
    hy_rng rng = { seed };
    size_t cursor = 0, len = 0;
    static const char *const glyphs[] = { "a", "b", " ", "\xc3\xa9", "\xe2\x82\xac",
                                          "\xf0\x9f\x98\x80" };
    for (int i = 0; i < KEYSTROKES; i++) {
        uint64_t roll = hy_rng_below(&rng, 100);
        if (roll < 3 && len)
            cursor = (size_t)hy_rng_below(&rng, len + 1);
        if (roll < 20 && cursor) {
            assert_int_equal(hy_text_delete(s, "docs", "d1", "body", cursor - 1, 1), HY_OK);
            cursor--;
            len--;
            continue;
        }
        const char *g = glyphs[hy_rng_below(&rng, 6)];
        assert_int_equal(hy_text_insert(s, "docs", "d1", "body", cursor, g, strlen(g)), HY_OK);
        cursor++;
        len++;
    }
}

static void save(hy_store *s, uint8_t **bytes, size_t *len)
{
    assert_int_equal(hy_store_save(s, bytes, len), HY_OK);
}

static void assert_same_text(hy_store *a, hy_store *b)
{
    static char x[KEYSTROKES * 4 * 2], y[KEYSTROKES * 4 * 2];
    size_t xl, yl;
    assert_int_equal(hy_text_read(a, "docs", "d1", "body", x, sizeof x, &xl), HY_OK);
    assert_int_equal(hy_text_read(b, "docs", "d1", "body", y, sizeof y, &yl), HY_OK);
    assert_int_equal(xl, yl);
    assert_memory_equal(x, y, xl);
}

/* Keystrokes pack to a few bytes each (plain ops take about 25; random text and jumps keep
 * this test above real typing, 1.1), and load back exactly. */
static void keystrokes_pack_small_and_load_back(void **state)
{
    (void)state;
    hy_test_alloc t;
    hy_allocator al = hy_test_allocator(&t);
    test_platform p, q;
    hy_store *s = fixture_store(&p, al, 1);
    type_text(s, 11);
    uint8_t *bytes, *again;
    size_t len, again_len;
    save(s, &bytes, &len);
    if (len >= (size_t)KEYSTROKES * 8)
        fail_msg("%d keystrokes saved in %zu bytes", KEYSTROKES, len);
    hy_store_config cfg = fixture_store_config(&q, al, 2);
    cfg.require_signatures = 1;
    hy_store *loaded;
    assert_int_equal(hy_store_load(&cfg, bytes, len, &loaded, NULL), HY_OK);
    assert_same_text(s, loaded);
    save(loaded, &again, &again_len);
    assert_int_equal(again_len, len);
    assert_memory_equal(again, bytes, len);
    hy_store_buffer_free(s, bytes, len);
    hy_store_buffer_free(loaded, again, again_len);
    hy_store_free(s);
    hy_store_free(loaded);
    assert_int_equal(t.live_blocks, 0);
}

/* Concurrent typing (origins naming the other actor), mixed with changes that do not pack
 * (registers, counters, a transaction mixing text and a put): both replicas save the same
 * bytes, which load to the same state. */
static void mixed_and_concurrent_changes_round_trip(void **state)
{
    (void)state;
    hy_test_alloc t;
    hy_allocator al = hy_test_allocator(&t);
    test_platform p, q, r;
    hy_store *a = fixture_store(&p, al, 3), *b = fixture_store(&q, al, 4);
    type_text(a, 5);
    assert_int_equal(fixture_store_sync(a, b), HY_OK);
    type_text(b, 6);
    type_text(a, 7);
    hy_value v = { .type = HY_TYPE_INT, .as.integer = 7 };
    assert_int_equal(hy_put(a, "docs", "d1", "rev", &v), HY_OK);
    assert_int_equal(hy_counter_add(b, "docs", "d1", "views", 3), HY_OK);
    assert_int_equal(hy_txn_begin(b), HY_OK);
    assert_int_equal(hy_text_insert(b, "docs", "d1", "body", 0, "x", 1), HY_OK);
    assert_int_equal(hy_put(b, "docs", "d1", "rev", &v), HY_OK);
    assert_int_equal(hy_txn_commit(b), HY_OK);
    assert_int_equal(fixture_store_sync(a, b), HY_OK);
    assert_int_equal(fixture_store_sync(b, a), HY_OK);
    uint8_t *x, *y;
    size_t xl, yl;
    save(a, &x, &xl);
    save(b, &y, &yl);
    assert_int_equal(xl, yl);
    assert_memory_equal(x, y, xl);
    hy_store_config cfg = fixture_store_config(&r, al, 8);
    hy_store *loaded;
    assert_int_equal(hy_store_load(&cfg, x, xl, &loaded, NULL), HY_OK);
    assert_same_text(a, loaded);
    int64_t views;
    assert_int_equal(hy_counter_get(loaded, "docs", "d1", "views", &views), HY_OK);
    assert_true(views == 3);
    hy_store_buffer_free(a, x, xl);
    hy_store_buffer_free(b, y, yl);
    hy_store_free(a);
    hy_store_free(b);
    hy_store_free(loaded);
    assert_int_equal(t.live_blocks, 0);
}

/* Every flipped bit of a packed save is refused with an offset inside the input. */
static void corrupted_packings_are_refused(void **state)
{
    (void)state;
    hy_test_alloc t;
    hy_allocator al = hy_test_allocator(&t);
    test_platform p, q;
    hy_store *s = fixture_store(&p, al, 9);
    type_text(s, 12);
    uint8_t *bytes;
    size_t len;
    save(s, &bytes, &len);
    hy_store_config cfg = fixture_store_config(&q, al, 10);
    hy_rng rng = { 77 };
    for (int k = 0; k < 400; k++) {
        size_t i = (size_t)hy_rng_below(&rng, len);
        uint8_t bit = (uint8_t)(1u << hy_rng_below(&rng, 8));
        bytes[i] ^= bit;
        hy_store *loaded = NULL;
        size_t offset = SIZE_MAX;
        hy_err err = hy_store_load(&cfg, bytes, len, &loaded, &offset);
        if (err == HY_OK)
            fail_msg("flipping bit %u of byte %zu went unnoticed", (unsigned)bit, i);
        assert_true(offset <= len);
        bytes[i] ^= bit;
    }
    hy_store_buffer_free(s, bytes, len);
    hy_store_free(s);
    assert_int_equal(t.live_blocks, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keystrokes_pack_small_and_load_back),
        cmocka_unit_test(mixed_and_concurrent_changes_round_trip),
        cmocka_unit_test(corrupted_packings_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

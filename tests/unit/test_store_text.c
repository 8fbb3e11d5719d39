#include "hy_test.h"

#include "store_internal.h"
#include "test_alloc.h"
#include "store_asserts.h"
#include "rng.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void assert_text(hy_store *s, const char *want)
{
    char buf[256];
    size_t len;
    assert_int_equal(hy_text_read(s, "doc", "d", "body", buf, sizeof buf, &len), HY_OK);
    if (len != strlen(want) || memcmp(buf, want, len) != 0)
        fail_msg("text is \"%.*s\", not \"%s\"", (int)len, buf, want);
}

static void ins(hy_store *s, size_t pos, const char *text)
{
    assert_int_equal(hy_text_insert(s, "doc", "d", "body", pos, text, strlen(text)), HY_OK);
}

static void text_edits_count_code_points(void **state)
{
    (void)state;
    hy_test_alloc t;
    test_platform p;
    hy_store *s = fixture_store(&p, hy_test_allocator(&t), 1);
    size_t n;
    assert_int_equal(hy_text_len(s, "doc", "d", "body", &n), HY_OK);
    assert_int_equal(n, 0);
    ins(s, 0, "hello");
    ins(s, 5, " w\xc3\xb6rld");            /* ö: two bytes, one code point */
    ins(s, 0, "\xf0\x9f\x91\x8b ");        /* 👋: four bytes */
    assert_text(s, "\xf0\x9f\x91\x8b hello w\xc3\xb6rld");
    assert_int_equal(hy_text_len(s, "doc", "d", "body", &n), HY_OK);
    assert_int_equal(n, 13);
    assert_int_equal(hy_text_delete(s, "doc", "d", "body", 0, 2), HY_OK);
    assert_int_equal(hy_text_delete(s, "doc", "d", "body", 6, 2), HY_OK);
    assert_text(s, "hello rld");
    /* Bad input. */
    assert_int_equal(hy_text_insert(s, "doc", "d", "body", 100, "x", 1), HY_E_INVALID_ARG);
    assert_int_equal(hy_text_insert(s, "doc", "d", "body", 0, "\xe2\x82", 2), HY_E_INVALID_ARG);
    assert_int_equal(hy_text_delete(s, "doc", "d", "body", 5, 10), HY_E_INVALID_ARG);
    char small[4];
    size_t len;
    assert_int_equal(hy_text_read(s, "doc", "d", "body", small, sizeof small, &len),
                     HY_E_TOO_LARGE);
    assert_int_equal(len, 9);
    /* Wrong types both ways. */
    hy_value v = { .type = HY_TYPE_INT, .as.integer = 1 };
    assert_int_equal(hy_put(s, "doc", "d", "body", &v), HY_E_INVALID_ARG);
    assert_int_equal(hy_counter_add(s, "doc", "d", "body", 1), HY_E_INVALID_ARG);
    assert_int_equal(hy_get(s, "doc", "d", "body", &v), HY_E_INVALID_ARG);
    assert_int_equal(hy_counter_add(s, "doc", "d", "n", 1), HY_OK);
    assert_int_equal(hy_text_insert(s, "doc", "d", "n", 0, "x", 1), HY_E_INVALID_ARG);
    assert_int_equal(hy_text_len(s, "doc", "d", "n", &n), HY_E_INVALID_ARG);
    assert_text(s, "hello rld");
    hy_store_free(s);
    assert_int_equal(t.live_blocks, 0);
}

static void rollback_removes_text_edits_exactly(void **state)
{
    (void)state;
    hy_test_alloc t;
    test_platform p;
    hy_store *s = fixture_store(&p, hy_test_allocator(&t), 2);
    ins(s, 0, "keep this");
    assert_int_equal(hy_txn_begin(s), HY_OK);
    ins(s, 4, " all of");
    assert_int_equal(hy_text_delete(s, "doc", "d", "body", 0, 4), HY_OK);
    assert_text(s, " all of this");
    hy_txn_rollback(s);
    assert_text(s, "keep this");
    /* The counters the rolled-back edits used are used again without clashing. */
    ins(s, 9, "!");
    assert_text(s, "keep this!");
    uint8_t *bytes;
    size_t len;
    assert_int_equal(hy_store_save(s, &bytes, &len), HY_OK);
    test_platform q;
    hy_store_config cfg = fixture_store_config(&q, hy_allocator_default(), 3);
    hy_store *loaded;
    assert_int_equal(hy_store_load(&cfg, bytes, len, &loaded, NULL), HY_OK);
    assert_text(loaded, "keep this!");
    hy_store_buffer_free(s, bytes, len);
    hy_store_free(loaded);
    hy_store_free(s);
    assert_int_equal(t.live_blocks, 0);
}

/* Two replicas type words at the same place concurrently: each word stays whole. */
static void concurrent_typing_never_interleaves(void **state)
{
    (void)state;
    hy_test_alloc t;
    hy_allocator al = hy_test_allocator(&t);
    test_platform pa, pb;
    hy_store *a = fixture_store(&pa, al, 10), *b = fixture_store(&pb, al, 20);
    ins(a, 0, "[]");
    sync_to(a, b);
    const char *wa = "apple", *wb = "berry";
    for (size_t i = 0; i < 5; i++) { /* forwards, one keystroke per change */
        assert_int_equal(hy_text_insert(a, "doc", "d", "body", 1 + i, wa + i, 1), HY_OK);
        assert_int_equal(hy_text_insert(b, "doc", "d", "body", 1 + i, wb + i, 1), HY_OK);
    }
    sync_to(a, b);
    sync_to(b, a);
    char ta[64], tb[64];
    size_t la, lb;
    assert_int_equal(hy_text_read(a, "doc", "d", "body", ta, sizeof ta, &la), HY_OK);
    assert_int_equal(hy_text_read(b, "doc", "d", "body", tb, sizeof tb, &lb), HY_OK);
    assert_int_equal(la, lb);
    assert_memory_equal(ta, tb, la);
    ta[la] = 0;
    assert_true(strcmp(ta, "[appleberry]") == 0 || strcmp(ta, "[berryapple]") == 0);
    /* Backwards: each types its word right to left at one spot. */
    hy_store *c = fixture_store(&pa, al, 30), *d = fixture_store(&pb, al, 40);
    for (size_t i = 5; i-- > 0;) {
        assert_int_equal(hy_text_insert(c, "doc", "d", "body", 0, wa + i, 1), HY_OK);
        assert_int_equal(hy_text_insert(d, "doc", "d", "body", 0, wb + i, 1), HY_OK);
    }
    sync_to(c, d);
    sync_to(d, c);
    assert_int_equal(hy_text_read(c, "doc", "d", "body", ta, sizeof ta, &la), HY_OK);
    assert_int_equal(hy_text_read(d, "doc", "d", "body", tb, sizeof tb, &lb), HY_OK);
    assert_int_equal(la, lb);
    assert_memory_equal(ta, tb, la);
    ta[la] = 0;
    assert_true(strcmp(ta, "appleberry") == 0 || strcmp(ta, "berryapple") == 0);
    hy_store_free(a);
    hy_store_free(b);
    hy_store_free(c);
    hy_store_free(d);
    assert_int_equal(t.live_blocks, 0);
}

typedef struct text_seen {
    char text[128];
    size_t len;
} text_seen;

/* Applies text patches to a plain buffer: it must track the store's text. */
static void follow(void *user, const hy_patch *patches, size_t count)
{
    text_seen *w = user;
    for (size_t i = 0; i < count; i++) {
        const hy_patch *p = &patches[i];
        /* ASCII in this test: code points are bytes. */
        if (p->kind == HY_PATCH_TEXT_INSERT) {
            memmove(w->text + p->index + p->text_len, w->text + p->index, w->len - p->index);
            memcpy(w->text + p->index, p->text, p->text_len);
            w->len += p->text_len;
        } else if (p->kind == HY_PATCH_TEXT_DELETE) {
            memmove(w->text + p->index, w->text + p->index + p->count,
                    w->len - p->index - p->count);
            w->len -= p->count;
        }
    }
}

static void text_patches_replay_to_the_same_text(void **state)
{
    (void)state;
    hy_test_alloc t;
    hy_allocator al = hy_test_allocator(&t);
    test_platform pa, pb;
    hy_store *a = fixture_store(&pa, al, 50), *b = fixture_store(&pb, al, 60);
    text_seen seen = { { 0 }, 0 };
    assert_int_equal(hy_subscribe(a, "doc", NULL, "body", follow, &seen, NULL), HY_OK);
    ins(a, 0, "hello world");
    ins(b, 0, "remote: ");
    assert_int_equal(hy_text_delete(a, "doc", "d", "body", 5, 6), HY_OK);
    sync_to(b, a);
    ins(b, 3, "XY");
    assert_int_equal(hy_text_delete(b, "doc", "d", "body", 0, 2), HY_OK);
    sync_to(b, a);
    char buf[128];
    size_t len;
    assert_int_equal(hy_text_read(a, "doc", "d", "body", buf, sizeof buf, &len), HY_OK);
    assert_int_equal(seen.len, len);
    assert_memory_equal(seen.text, buf, len);
    hy_store_free(a);
    hy_store_free(b);
    assert_int_equal(t.live_blocks, 0);
}

/* ---- UTF-16 positions ---- */

/* Checks the UTF-16 conversions of field name against a naive count over the text read back as
 * UTF-8: every code point position both ways, inside-pair and past-the-end offsets refused. */
static void check_utf16(hy_store *s, const char *name)
{
    size_t len, n, got, pos = 0, units = 0;
    hy_err err = hy_text_read(s, "doc", "d", name, NULL, 0, &len); /* the size needed */
    assert_true(err == HY_OK || err == HY_E_TOO_LARGE);
    char *buf = malloc(len + 1);
    assert_non_null(buf);
    assert_int_equal(hy_text_read(s, "doc", "d", name, buf, len, &len), HY_OK);
    for (size_t i = 0;; i++) {
        if (i < len && ((uint8_t)buf[i] & 0xc0) == 0x80)
            continue; /* a continuation byte: not the start of a code point */
        assert_int_equal(hy_text_pos_to_utf16(s, "doc", "d", name, pos, &got), HY_OK);
        assert_int_equal(got, units);
        assert_int_equal(hy_text_pos_from_utf16(s, "doc", "d", name, units, &got), HY_OK);
        assert_int_equal(got, pos);
        if (i == len)
            break;
        bool pair = (uint8_t)buf[i] >= 0xf0; /* 4 UTF-8 bytes: a surrogate pair in UTF-16 */
        if (pair)
            assert_int_equal(hy_text_pos_from_utf16(s, "doc", "d", name, units + 1, &got),
                             HY_E_INVALID_ARG);
        units += pair ? 2 : 1;
        pos++;
    }
    assert_int_equal(hy_text_len(s, "doc", "d", name, &n), HY_OK);
    assert_int_equal(n, pos);
    assert_int_equal(hy_text_len_utf16(s, "doc", "d", name, &n), HY_OK);
    assert_int_equal(n, units);
    assert_int_equal(hy_text_pos_to_utf16(s, "doc", "d", name, pos + 1, &got),
                     HY_E_INVALID_ARG);
    assert_int_equal(hy_text_pos_from_utf16(s, "doc", "d", name, units + 1, &got),
                     HY_E_INVALID_ARG);
    free(buf);
}

static void text_positions_convert_to_and_from_utf16(void **state)
{
    (void)state;
    hy_test_alloc t;
    hy_allocator al = hy_test_allocator(&t);
    test_platform pa, pb;
    hy_store *a = fixture_store(&pa, al, 1), *b = fixture_store(&pb, al, 2);
    size_t n;
    /* Never written: empty text. */
    assert_int_equal(hy_text_len_utf16(a, "doc", "d", "body", &n), HY_OK);
    assert_int_equal(n, 0);
    assert_int_equal(hy_text_pos_from_utf16(a, "doc", "d", "body", 0, &n), HY_OK);
    assert_int_equal(n, 0);
    assert_int_equal(hy_text_pos_to_utf16(a, "doc", "d", "body", 1, &n), HY_E_INVALID_ARG);
    assert_int_equal(hy_text_pos_from_utf16(a, "doc", "d", "body", 1, &n), HY_E_INVALID_ARG);
    /* a é € 😀 b: 1, 2, 3, 4, 1 UTF-8 bytes; 1, 1, 1, 2, 1 UTF-16 units. */
    ins(a, 0, "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80" "b");
    assert_int_equal(hy_text_len_utf16(a, "doc", "d", "body", &n), HY_OK);
    assert_int_equal(n, 6);
    assert_int_equal(hy_text_pos_to_utf16(a, "doc", "d", "body", 4, &n), HY_OK);
    assert_int_equal(n, 5);
    assert_int_equal(hy_text_pos_from_utf16(a, "doc", "d", "body", 5, &n), HY_OK);
    assert_int_equal(n, 4);
    assert_int_equal(hy_text_pos_from_utf16(a, "doc", "d", "body", 4, &n), HY_E_INVALID_ARG);
    check_utf16(a, "body");
    /* Concurrent inserts and a delete, merged both ways. */
    sync_to(a, b);
    ins(a, 3, "\xf0\x9f\x91\x8b\xf0\x9f\x91\x8b");
    ins(b, 1, "x\xf0\x9f\x8c\x8dy");
    assert_int_equal(hy_text_delete(b, "doc", "d", "body", 5, 1), HY_OK);
    sync_to(a, b);
    sync_to(b, a);
    check_utf16(a, "body");
    check_utf16(b, "body");
    /* Loaded. */
    uint8_t *bytes;
    size_t len;
    assert_int_equal(hy_store_save(a, &bytes, &len), HY_OK);
    hy_store_config cfg = fixture_store_config(&pa, al, 3);
    hy_store *c;
    assert_int_equal(hy_store_load(&cfg, bytes, len, &c, NULL), HY_OK);
    hy_store_buffer_free(a, bytes, len);
    check_utf16(c, "body");
    /* A field of another type. */
    assert_int_equal(hy_counter_add(a, "doc", "d", "n", 1), HY_OK);
    assert_int_equal(hy_text_len_utf16(a, "doc", "d", "n", &n), HY_E_INVALID_ARG);
    assert_int_equal(hy_text_pos_to_utf16(a, "doc", "d", "n", 0, &n), HY_E_INVALID_ARG);
    assert_int_equal(hy_text_pos_from_utf16(a, "doc", "d", "n", 0, &n), HY_E_INVALID_ARG);
    hy_store_free(a);
    hy_store_free(b);
    hy_store_free(c);
    assert_int_equal(t.live_blocks, 0);
}

/* Thousands of random edits of mixed-width text on two replicas that sync now and then, the
 * conversions checked against the naive count all along and after a load. */
static void utf16_conversions_match_a_naive_count(void **state)
{
    (void)state;
    static const char *const pieces[] = { "a", "Z", " ", "\xc3\xa9", "\xd0\x96", "\xe2\x82\xac",
                                          "\xe4\xb8\xad", "\xf0\x9f\x98\x80", "\xf0\x90\x8d\x88" };
    uint64_t seed = 0x0716u;
    printf("utf16_conversions_match_a_naive_count seed %llu\n", (unsigned long long)seed);
    hy_rng rng = { seed };
    hy_allocator al = hy_allocator_default();
    test_platform pa, pb;
    hy_store *r[2] = { fixture_store(&pa, al, 5), fixture_store(&pb, al, 6) };
    for (int step = 1; step <= 3000; step++) {
        hy_store *s = r[hy_rng_below(&rng, 2)];
        size_t len;
        assert_int_equal(hy_text_len(s, "doc", "d", "body", &len), HY_OK);
        if (len < 20 || hy_rng_below(&rng, 3) != 0) {
            char buf[64];
            size_t bytes = 0, k = 1 + (size_t)hy_rng_below(&rng, 8);
            for (size_t i = 0; i < k; i++) {
                const char *p = pieces[hy_rng_below(&rng, sizeof pieces / sizeof pieces[0])];
                memcpy(buf + bytes, p, strlen(p));
                bytes += strlen(p);
            }
            assert_int_equal(hy_text_insert(s, "doc", "d", "body",
                                            (size_t)hy_rng_below(&rng, len + 1), buf, bytes),
                             HY_OK);
        } else {
            size_t pos = (size_t)hy_rng_below(&rng, len);
            size_t n = 1 + (size_t)hy_rng_below(&rng, len - pos < 6 ? len - pos : 6);
            assert_int_equal(hy_text_delete(s, "doc", "d", "body", pos, n), HY_OK);
        }
        if (step % 250 == 0) {
            sync_to(r[0], r[1]);
            sync_to(r[1], r[0]);
            check_utf16(r[0], "body");
            check_utf16(r[1], "body");
        }
    }
    uint8_t *bytes;
    size_t len;
    assert_int_equal(hy_store_save(r[0], &bytes, &len), HY_OK);
    hy_store_config cfg = fixture_store_config(&pa, al, 7);
    hy_store *c;
    assert_int_equal(hy_store_load(&cfg, bytes, len, &c, NULL), HY_OK);
    hy_store_buffer_free(r[0], bytes, len);
    check_utf16(c, "body");
    hy_store_free(r[0]);
    hy_store_free(r[1]);
    hy_store_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(text_edits_count_code_points),
        cmocka_unit_test(rollback_removes_text_edits_exactly),
        cmocka_unit_test(concurrent_typing_never_interleaves),
        cmocka_unit_test(text_patches_replay_to_the_same_text),
        cmocka_unit_test(text_positions_convert_to_and_from_utf16),
        cmocka_unit_test(utf16_conversions_match_a_naive_count),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#include "hy_test.h"

#include "store_internal.h"
#include "test_alloc.h"
#include "store_fixture.h"

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

static void sync_to(hy_store *a, hy_store *b)
{
    assert_int_equal(fixture_store_sync(a, b), HY_OK);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(text_edits_count_code_points),
        cmocka_unit_test(rollback_removes_text_edits_exactly),
        cmocka_unit_test(concurrent_typing_never_interleaves),
        cmocka_unit_test(text_patches_replay_to_the_same_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

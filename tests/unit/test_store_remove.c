/* hy_remove on text, set and counter fields removes what the remover saw: the text it sees,
 * the set's values it sees, the counter's value it sees (by adding its negation). What
 * another replica adds concurrently survives, in whichever order the changes merge. Each type
 * is checked the same way: a local remove, concurrent edits merged both ways, rollback, and
 * the patches subscribers get. */
#include "hy_test.h"

#include "test_alloc.h"
#include "store_asserts.h"

#include <stdio.h>
#include <string.h>

/* The field under test: collection "doc", key "d", this name. */
typedef struct field_type {
    const char *name;
    void (*fill)(hy_store *s);           /* gives the field what the remover will see */
    void (*add_more)(hy_store *s);       /* the concurrent edit that must survive */
    void (*describe)(hy_store *s, char *out, size_t cap);
    const char *filled, *removed, *survivor; /* what describe gives after each step */
    const char *patches; /* what a remove reports (see record) */
} field_type;

static hy_value integer(int64_t i)
{
    hy_value v = { .type = HY_TYPE_INT, .as.integer = i };
    return v;
}

/* ---- text ---- */

static void text_fill(hy_store *s)
{
    assert_int_equal(hy_text_insert(s, "doc", "d", "body", 0, "h\xc3\xa9llo", 6), HY_OK);
}

static void text_add_more(hy_store *s)
{
    size_t len;
    assert_int_equal(hy_text_len(s, "doc", "d", "body", &len), HY_OK);
    assert_int_equal(hy_text_insert(s, "doc", "d", "body", len, "!", 1), HY_OK);
}

static void text_describe(hy_store *s, char *out, size_t cap)
{
    size_t len;
    assert_int_equal(hy_text_read(s, "doc", "d", "body", out, cap - 1, &len), HY_OK);
    out[len] = '\0';
}

/* ---- set ---- */

static void set_fill(hy_store *s)
{
    for (int64_t i = 1; i <= 3; i++) {
        hy_value v = integer(i);
        assert_int_equal(hy_set_add(s, "doc", "d", "tags", &v), HY_OK);
    }
}

/* Adds 1 again (its new add is one the remover did not see) and 4. */
static void set_add_more(hy_store *s)
{
    hy_value one = integer(1), four = integer(4);
    assert_int_equal(hy_set_add(s, "doc", "d", "tags", &one), HY_OK);
    assert_int_equal(hy_set_add(s, "doc", "d", "tags", &four), HY_OK);
}

static void set_describe(hy_store *s, char *out, size_t cap)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < hy_set_count(s, "doc", "d", "tags"); i++) {
        hy_value v;
        assert_int_equal(hy_set_item(s, "doc", "d", "tags", i, &v), HY_OK);
        used += (size_t)snprintf(out + used, cap - used, "%s%lld", i ? "," : "",
                                 (long long)v.as.integer);
    }
}

/* ---- counter ---- */

static void counter_fill(hy_store *s)
{
    assert_int_equal(hy_counter_add(s, "doc", "d", "votes", 5), HY_OK);
}

static void counter_add_more(hy_store *s)
{
    assert_int_equal(hy_counter_add(s, "doc", "d", "votes", 2), HY_OK);
}

static void counter_describe(hy_store *s, char *out, size_t cap)
{
    int64_t n;
    assert_int_equal(hy_counter_get(s, "doc", "d", "votes", &n), HY_OK);
    snprintf(out, cap, "%lld", (long long)n);
}

static const field_type TYPES[] = {
    { "body", text_fill, text_add_more, text_describe, "h\xc3\xa9llo", "", "!", "del 0+5;" },
    { "tags", set_fill, set_add_more, set_describe, "1,2,3", "", "1,4", "rm 3;rm 2;rm 1;" },
    { "votes", counter_fill, counter_add_more, counter_describe, "5", "0", "2", "add -5;" },
};
#define TYPE_COUNT (sizeof TYPES / sizeof TYPES[0])

static void assert_reads(const field_type *ft, hy_store *s, const char *want)
{
    char now[64];
    ft->describe(s, now, sizeof now);
    if (strcmp(now, want) != 0)
        fail_msg("%s reads \"%s\", not \"%s\"", ft->name, now, want);
}

/* A local remove empties the field, which keeps its type; a second finds nothing. */
static void remove_empties_the_field(void **state)
{
    (void)state;
    for (size_t i = 0; i < TYPE_COUNT; i++) {
        const field_type *ft = &TYPES[i];
        hy_test_alloc t;
        test_platform p;
        hy_store *s = fixture_store(&p, hy_test_allocator(&t), 1);
        assert_int_equal(hy_remove(s, "doc", "d", ft->name), HY_E_NOT_FOUND);
        ft->fill(s);
        assert_reads(ft, s, ft->filled);
        assert_int_equal(hy_remove(s, "doc", "d", ft->name), HY_OK);
        assert_reads(ft, s, ft->removed);
        assert_int_equal(hy_remove(s, "doc", "d", ft->name), HY_E_NOT_FOUND);
        hy_value v = integer(1);
        assert_int_equal(hy_put(s, "doc", "d", ft->name, &v), HY_E_INVALID_ARG);
        ft->fill(s); /* it fills again */
        assert_reads(ft, s, ft->filled);
        hy_store_free(s);
        assert_int_equal(t.live_blocks, 0);
    }
}

/* b removes what it saw while a, concurrently, adds more: the addition survives on every
 * replica, whether the remove or the addition arrives first. */
static void concurrent_additions_survive_a_remove(void **state)
{
    (void)state;
    for (size_t i = 0; i < TYPE_COUNT; i++) {
        const field_type *ft = &TYPES[i];
        hy_test_alloc t;
        hy_allocator al = hy_test_allocator(&t);
        test_platform pa, pb, pc, pd;
        hy_store *a = fixture_store(&pa, al, 10), *b = fixture_store(&pb, al, 11);
        hy_store *remove_first = fixture_store(&pc, al, 12);
        hy_store *add_first = fixture_store(&pd, al, 13);
        ft->fill(a);
        sync_to(a, b);
        assert_int_equal(hy_remove(b, "doc", "d", ft->name), HY_OK);
        ft->add_more(a);
        sync_to(b, remove_first);
        sync_to(a, remove_first);
        sync_to(a, add_first);
        sync_to(b, add_first);
        sync_to(a, b);
        sync_to(b, a);
        hy_store *all[] = { a, b, remove_first, add_first };
        for (size_t k = 0; k < 4; k++)
            assert_reads(ft, all[k], ft->survivor);
        for (size_t k = 0; k < 4; k++)
            hy_store_free(all[k]);
        assert_int_equal(t.live_blocks, 0);
    }
}

/* Inside a transaction reads see the remove and what follows it; rollback restores the
 * field, and commit makes one change that other replicas apply alike. */
static void remove_rolls_back_and_commits_in_a_transaction(void **state)
{
    (void)state;
    for (size_t i = 0; i < TYPE_COUNT; i++) {
        const field_type *ft = &TYPES[i];
        hy_test_alloc t;
        hy_allocator al = hy_test_allocator(&t);
        test_platform pa, pb;
        hy_store *a = fixture_store(&pa, al, 20), *b = fixture_store(&pb, al, 21);
        ft->fill(a);
        for (int commit = 0; commit < 2; commit++) {
            assert_int_equal(hy_txn_begin(a), HY_OK);
            assert_int_equal(hy_counter_add(a, "doc", "d", "other", 1), HY_OK);
            assert_int_equal(hy_remove(a, "doc", "d", ft->name), HY_OK);
            assert_reads(ft, a, ft->removed);
            if (commit) {
                assert_int_equal(hy_txn_commit(a), HY_OK);
                assert_reads(ft, a, ft->removed);
            } else {
                hy_txn_rollback(a);
                assert_reads(ft, a, ft->filled);
            }
        }
        sync_to(a, b);
        assert_reads(ft, b, ft->removed);
        hy_store_free(a);
        hy_store_free(b);
        assert_int_equal(t.live_blocks, 0);
    }
}

/* The patches a subscriber saw, summed up as "del AT+N;" (text), "rm VALUE;" (set) and
 * "add DELTA;" (counter). */
typedef struct seen {
    char text[64];
} seen;

static void record(void *user, const hy_patch *patches, size_t count)
{
    seen *w = user;
    for (size_t i = 0; i < count; i++) {
        const hy_patch *p = &patches[i];
        size_t used = strlen(w->text), cap = sizeof w->text - used;
        if (p->kind == HY_PATCH_TEXT_DELETE)
            snprintf(w->text + used, cap, "del %zu+%zu;", p->index, p->count);
        else if (p->kind == HY_PATCH_ELEMENT_REMOVE)
            snprintf(w->text + used, cap, "rm %lld;", (long long)p->value.as.integer);
        else if (p->kind == HY_PATCH_COUNTER)
            snprintf(w->text + used, cap, "add %lld;", (long long)p->delta);
        else
            snprintf(w->text + used, cap, "kind %d;", (int)p->kind);
    }
}

/* A remove reports what the equivalent edits would: one text delete of everything, one
 * element removal per value, a counter delta of minus the value seen. Merging it reports the
 * same. */
static void remove_reports_the_equivalent_edits(void **state)
{
    (void)state;
    for (size_t i = 0; i < TYPE_COUNT; i++) {
        const field_type *ft = &TYPES[i];
        hy_test_alloc t;
        hy_allocator al = hy_test_allocator(&t);
        test_platform pa, pb;
        hy_store *a = fixture_store(&pa, al, 30), *b = fixture_store(&pb, al, 31);
        ft->fill(a);
        sync_to(a, b);
        seen local, merged;
        memset(&local, 0, sizeof local);
        memset(&merged, 0, sizeof merged);
        assert_int_equal(hy_subscribe(a, "doc", "d", ft->name, record, &local, NULL), HY_OK);
        assert_int_equal(hy_subscribe(b, "doc", "d", ft->name, record, &merged, NULL), HY_OK);
        assert_int_equal(hy_remove(a, "doc", "d", ft->name), HY_OK);
        sync_to(a, b);
        assert_string_equal(local.text, ft->patches);
        assert_string_equal(merged.text, ft->patches);
        hy_store_free(a);
        hy_store_free(b);
        assert_int_equal(t.live_blocks, 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(remove_empties_the_field),
        cmocka_unit_test(concurrent_additions_survive_a_remove),
        cmocka_unit_test(remove_rolls_back_and_commits_in_a_transaction),
        cmocka_unit_test(remove_reports_the_equivalent_edits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#include "hy_test.h"

#include "store_internal.h"
#include "test_alloc.h"
#include "store_asserts.h"

#include <stdio.h>
#include <string.h>

static hy_value integer(int64_t i)
{
    hy_value v;
    v.type = HY_TYPE_INT;
    v.as.integer = i;
    return v;
}

static hy_value str(const char *s)
{
    hy_value v;
    v.type = HY_TYPE_STRING;
    v.as.bytes.data = (const uint8_t *)s;
    v.as.bytes.len = strlen(s);
    return v;
}

static void put(hy_store *s, const char *name, int64_t i)
{
    hy_value v = integer(i);
    assert_int_equal(hy_map_put(s, "doc", "d", "meta", name, &v), HY_OK);
}

static void assert_entry(hy_store *s, const char *name, int64_t want)
{
    hy_value v;
    assert_int_equal(hy_map_get(s, "doc", "d", "meta", name, &v), HY_OK);
    assert_int_equal(v.type, HY_TYPE_INT);
    if (v.as.integer != want)
        fail_msg("entry %s is %lld, not %lld", name, (long long)v.as.integer, (long long)want);
}

/* The map "doc/d/meta" as "name=value,..." in listing order, every conflict after a '|'. */
static void describe_map(hy_store *s, char *out, size_t cap)
{
    size_t used = 0;
    out[0] = '\0';
    size_t n = hy_map_count(s, "doc", "d", "meta");
    for (size_t i = 0; i < n; i++) {
        const char *name;
        assert_int_equal(hy_map_name(s, "doc", "d", "meta", i, &name), HY_OK);
        used += (size_t)snprintf(out + used, cap - used, "%s%s=", i ? "," : "", name);
        size_t conflicts = hy_map_get_conflicts(s, "doc", "d", "meta", name);
        assert_true(conflicts >= 1);
        for (size_t k = 0; k < conflicts; k++) {
            hy_value v;
            assert_int_equal(hy_map_get_conflict(s, "doc", "d", "meta", name, k, &v), HY_OK);
            assert_int_equal(v.type, HY_TYPE_INT);
            used += (size_t)snprintf(out + used, cap - used, "%s%lld", k ? "|" : "",
                                     (long long)v.as.integer);
        }
        assert_true(used < cap);
    }
}

static void assert_map(hy_store *s, const char *want)
{
    char got[512];
    describe_map(s, got, sizeof got);
    assert_string_equal(got, want);
}

static void entries_read_back_in_name_order(void **state)
{
    (void)state;
    hy_test_alloc t;
    test_platform p;
    hy_store *s = fixture_store(&p, hy_test_allocator(&t), 1);
    hy_value v, out;
    const char *name;
    assert_int_equal(hy_map_count(s, "doc", "d", "meta"), 0);
    assert_int_equal(hy_map_get(s, "doc", "d", "meta", "a", &out), HY_E_NOT_FOUND);
    assert_int_equal(hy_map_name(s, "doc", "d", "meta", 0, &name), HY_E_NOT_FOUND);
    assert_int_equal(hy_map_get_conflicts(s, "doc", "d", "meta", "a"), 0);
    /* Byte order: "B" < "a" < "ab" < "b" < "\xc3\xa9" (é). */
    put(s, "b", 1);
    put(s, "\xc3\xa9", 2);
    put(s, "ab", 3);
    put(s, "a", 4);
    put(s, "B", 5);
    assert_map(s, "B=5,a=4,ab=3,b=1,\xc3\xa9=2");
    assert_int_equal(hy_map_name(s, "doc", "d", "meta", 5, &name), HY_E_NOT_FOUND);
    /* Every value type; an overwrite replaces. */
    v = str("text");
    assert_int_equal(hy_map_put(s, "doc", "d", "meta", "s", &v), HY_OK);
    assert_int_equal(hy_map_get(s, "doc", "d", "meta", "s", &out), HY_OK);
    assert_true(out.type == HY_TYPE_STRING && out.as.bytes.len == 4);
    assert_memory_equal(out.as.bytes.data, "text", 4);
    v.type = HY_TYPE_DOUBLE;
    v.as.number = -1.5;
    assert_int_equal(hy_map_put(s, "doc", "d", "meta", "s", &v), HY_OK);
    assert_int_equal(hy_map_get(s, "doc", "d", "meta", "s", &out), HY_OK);
    assert_true(out.type == HY_TYPE_DOUBLE && out.as.number == -1.5);
    assert_int_equal(hy_map_get_conflicts(s, "doc", "d", "meta", "s"), 1);
    assert_int_equal(hy_map_get_conflict(s, "doc", "d", "meta", "s", 1, &out), HY_E_NOT_FOUND);
    /* Remove. */
    assert_int_equal(hy_map_remove(s, "doc", "d", "meta", "s"), HY_OK);
    assert_int_equal(hy_map_remove(s, "doc", "d", "meta", "ab"), HY_OK);
    assert_int_equal(hy_map_get(s, "doc", "d", "meta", "ab", &out), HY_E_NOT_FOUND);
    assert_int_equal(hy_map_remove(s, "doc", "d", "meta", "ab"), HY_E_NOT_FOUND);
    assert_int_equal(hy_map_remove(s, "doc", "d", "other", "ab"), HY_E_NOT_FOUND);
    assert_map(s, "B=5,a=4,b=1,\xc3\xa9=2");
    put(s, "ab", 6);
    assert_map(s, "B=5,a=4,ab=6,b=1,\xc3\xa9=2");
    /* Bad input changes nothing. */
    uint32_t changes = hy_log_count(s->log);
    char long_name[300];
    memset(long_name, 'n', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    v = integer(1);
    hy_value bad = str("\xff");
    assert_int_equal(hy_map_put(s, "doc", "d", "meta", "\xc3", &v), HY_E_INVALID_ARG);
    assert_int_equal(hy_map_put(s, "doc", "d", "meta", long_name, &v), HY_E_INVALID_ARG);
    assert_int_equal(hy_map_put(s, "doc", "d", "meta", NULL, &v), HY_E_INVALID_ARG);
    assert_int_equal(hy_map_put(s, "doc", "d", "meta", "a", NULL), HY_E_INVALID_ARG);
    assert_int_equal(hy_map_put(s, "doc", "d", "meta", "a", &bad), HY_E_INVALID_ARG);
    assert_int_equal(hy_map_remove(s, "doc", "d", "meta", "\xc3"), HY_E_INVALID_ARG);
    assert_int_equal(hy_map_get(s, "doc", "d", "meta", "a", NULL), HY_E_INVALID_ARG);
    assert_int_equal(hy_map_get(s, "doc", "d", "meta", long_name, &out), HY_E_INVALID_ARG);
    assert_int_equal(hy_map_name(s, "doc", "d", "meta", 0, NULL), HY_E_INVALID_ARG);
    assert_int_equal(hy_log_count(s->log), changes);
    assert_map(s, "B=5,a=4,ab=6,b=1,\xc3\xa9=2");
    hy_store_free(s);
    assert_int_equal(t.live_blocks, 0);
}

static void map_ops_refuse_other_types_and_others_refuse_maps(void **state)
{
    (void)state;
    hy_test_alloc t;
    test_platform p;
    hy_store *s = fixture_store(&p, hy_test_allocator(&t), 2);
    hy_value v = integer(1), out;
    const char *name;
    size_t n;
    int64_t count;
    assert_int_equal(hy_counter_add(s, "doc", "d", "n", 5), HY_OK);
    assert_int_equal(hy_put(s, "doc", "d", "title", &v), HY_OK);
    assert_int_equal(hy_text_insert(s, "doc", "d", "body", 0, "x", 1), HY_OK);
    assert_int_equal(hy_set_add(s, "doc", "d", "tags", &v), HY_OK);
    assert_int_equal(hy_list_insert(s, "doc", "d", "items", 0, &v), HY_OK);
    uint32_t changes = hy_log_count(s->log);
    const char *others[] = { "n", "title", "body", "tags", "items" };
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(hy_map_put(s, "doc", "d", others[i], "k", &v), HY_E_INVALID_ARG);
        assert_int_equal(hy_map_remove(s, "doc", "d", others[i], "k"), HY_E_INVALID_ARG);
        assert_int_equal(hy_map_get(s, "doc", "d", others[i], "k", &out), HY_E_INVALID_ARG);
        assert_int_equal(hy_map_name(s, "doc", "d", others[i], 0, &name), HY_E_INVALID_ARG);
        assert_int_equal(hy_map_count(s, "doc", "d", others[i]), 0);
        assert_int_equal(hy_map_get_conflicts(s, "doc", "d", others[i], "k"), 0);
    }
    assert_int_equal(hy_log_count(s->log), changes);
    assert_int_equal(hy_counter_get(s, "doc", "d", "n", &count), HY_OK);
    assert_true(count == 5);
    put(s, "k", 1);
    changes = hy_log_count(s->log);
    assert_int_equal(hy_put(s, "doc", "d", "meta", &v), HY_E_INVALID_ARG);
    assert_int_equal(hy_get(s, "doc", "d", "meta", &out), HY_E_INVALID_ARG);
    assert_int_equal(hy_get_conflicts(s, "doc", "d", "meta"), 0);
    assert_int_equal(hy_counter_add(s, "doc", "d", "meta", 1), HY_E_INVALID_ARG);
    assert_int_equal(hy_text_insert(s, "doc", "d", "meta", 0, "x", 1), HY_E_INVALID_ARG);
    assert_int_equal(hy_text_len(s, "doc", "d", "meta", &n), HY_E_INVALID_ARG);
    assert_int_equal(hy_set_add(s, "doc", "d", "meta", &v), HY_E_INVALID_ARG);
    assert_int_equal(hy_list_insert(s, "doc", "d", "meta", 0, &v), HY_E_INVALID_ARG);
    assert_int_equal(hy_log_count(s->log), changes);
    assert_map(s, "k=1");
    hy_store_free(s);
    assert_int_equal(t.live_blocks, 0);
}

static void rollback_restores_maps_exactly(void **state)
{
    (void)state;
    hy_test_alloc t;
    hy_allocator al = hy_test_allocator(&t);
    test_platform p, q;
    hy_store *s = fixture_store(&p, al, 3);
    put(s, "a", 1);
    put(s, "b", 2);
    hy_value old = str("old"), x = str("x"), out;
    assert_int_equal(hy_put(s, "doc", "d", "g", &old), HY_OK);
    uint32_t changes = hy_log_count(s->log);

    assert_int_equal(hy_txn_begin(s), HY_OK);
    put(s, "a", 10);
    assert_int_equal(hy_map_remove(s, "doc", "d", "meta", "b"), HY_OK);
    put(s, "c", 3);
    put(s, "c", 4);
    assert_map(s, "a=10,c=4"); /* reads see the transaction */
    /* A register edit, its removal and a map in its place, in the same field. */
    assert_int_equal(hy_put(s, "doc", "d", "g", &x), HY_OK);
    assert_int_equal(hy_remove(s, "doc", "d", "g"), HY_OK);
    assert_int_equal(hy_map_put(s, "doc", "d", "g", "k", &x), HY_OK);
    hy_txn_rollback(s);

    assert_map(s, "a=1,b=2");
    assert_int_equal(hy_get(s, "doc", "d", "g", &out), HY_OK);
    assert_int_equal(out.as.bytes.len, 3);
    assert_int_equal(hy_get_conflicts(s, "doc", "d", "g"), 1);
    assert_int_equal(hy_map_count(s, "doc", "d", "g"), 0);
    assert_int_equal(hy_map_get(s, "doc", "d", "g", "k", &out), HY_E_INVALID_ARG);
    assert_int_equal(hy_log_count(s->log), changes);
    /* A failing edit inside a transaction leaves the rest of it intact. */
    assert_int_equal(hy_txn_begin(s), HY_OK);
    put(s, "c", 5);
    assert_int_equal(hy_map_put(s, "doc", "d", "g", "k", &x), HY_E_INVALID_ARG);
    assert_int_equal(hy_map_remove(s, "doc", "d", "meta", "zz"), HY_E_NOT_FOUND);
    assert_int_equal(hy_txn_commit(s), HY_OK);
    assert_int_equal(hy_log_count(s->log), changes + 1);
    assert_map(s, "a=1,b=2,c=5");
    uint8_t *bytes;
    size_t len;
    assert_int_equal(hy_store_save(s, &bytes, &len), HY_OK);
    hy_store_config cfg = fixture_store_config(&q, al, 4);
    cfg.require_signatures = 1;
    hy_store *loaded;
    assert_int_equal(hy_store_load(&cfg, bytes, len, &loaded, NULL), HY_OK);
    assert_map(loaded, "a=1,b=2,c=5");
    assert_same_saves(s, loaded);
    hy_store_buffer_free(s, bytes, len);
    hy_store_free(loaded);
    hy_store_free(s);
    assert_int_equal(t.live_blocks, 0);
}

/* Entries are registers: concurrent writes stay readable, a write that saw them resolves
 * them, and a remove drops only what it saw. Three replicas end alike. */
static void concurrent_entries_converge(void **state)
{
    (void)state;
    hy_test_alloc t;
    hy_allocator al = hy_test_allocator(&t);
    test_platform pa, pb, pc;
    hy_store *r[3] = { fixture_store(&pa, al, 10), fixture_store(&pb, al, 11),
                       fixture_store(&pc, al, 12) };
    put(r[0], "shared", 1);
    put(r[0], "gone", 2);
    for (int i = 1; i < 3; i++)
        sync_to(r[0], r[i]);
    put(r[0], "shared", 10);
    put(r[1], "shared", 11);
    put(r[2], "mine", 12);
    assert_int_equal(hy_map_remove(r[1], "doc", "d", "meta", "gone"), HY_OK);
    put(r[2], "gone", 20); /* concurrent with the remove: survives it */
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            if (i != j)
                sync_to(r[i], r[j]);
    char want[512];
    describe_map(r[0], want, sizeof want);
    for (int i = 0; i < 3; i++) {
        assert_map(r[i], want);
        assert_int_equal(hy_map_get_conflicts(r[i], "doc", "d", "meta", "shared"), 2);
        assert_entry(r[i], "gone", 20);
        assert_entry(r[i], "mine", 12);
        assert_same_saves(r[0], r[i]);
    }
    hy_value winner;
    assert_int_equal(hy_map_get(r[0], "doc", "d", "meta", "shared", &winner), HY_OK);
    assert_true(winner.as.integer == 10 || winner.as.integer == 11);
    /* A write that saw both resolves the conflict everywhere. */
    put(r[2], "shared", 30);
    for (int i = 0; i < 2; i++)
        sync_to(r[2], r[i]);
    for (int i = 0; i < 3; i++) {
        assert_map(r[i], "gone=20,mine=12,shared=30");
        assert_same_saves(r[0], r[i]);
    }
    for (int i = 0; i < 3; i++)
        hy_store_free(r[i]);
    assert_int_equal(t.live_blocks, 0);
}

typedef struct seen {
    int calls;
    char log[512]; /* "+name=value" per MAP_SET, "-name" per MAP_REMOVE */
    size_t used;
} seen;

static void record(void *user, const hy_patch *patches, size_t count)
{
    seen *w = user;
    w->calls++;
    for (size_t i = 0; i < count; i++) {
        const hy_patch *p = &patches[i];
        assert_string_equal(p->field, "meta");
        assert_non_null(p->name);
        if (p->kind == HY_PATCH_MAP_SET) {
            assert_int_equal(p->value.type, HY_TYPE_INT);
            w->used += (size_t)snprintf(w->log + w->used, sizeof w->log - w->used, "+%s=%lld",
                                        p->name, (long long)p->value.as.integer);
        } else {
            assert_int_equal(p->kind, HY_PATCH_MAP_REMOVE);
            w->used += (size_t)snprintf(w->log + w->used, sizeof w->log - w->used, "-%s",
                                        p->name);
        }
        assert_true(w->used < sizeof w->log);
    }
}

static void subscriptions_report_entries_by_name(void **state)
{
    (void)state;
    hy_test_alloc t;
    hy_allocator al = hy_test_allocator(&t);
    test_platform pa, pb;
    hy_store *a = fixture_store(&pa, al, 20), *b = fixture_store(&pb, al, 21);
    seen w;
    memset(&w, 0, sizeof w);
    assert_int_equal(hy_subscribe(a, "doc", "d", "meta", record, &w, NULL), HY_OK);
    put(a, "x", 1);
    assert_int_equal(w.calls, 1);
    assert_string_equal(w.log, "+x=1");
    assert_int_equal(hy_txn_begin(a), HY_OK);
    put(a, "y", 2);
    assert_int_equal(hy_map_remove(a, "doc", "d", "meta", "x"), HY_OK);
    assert_int_equal(hy_txn_commit(a), HY_OK);
    assert_int_equal(w.calls, 2);
    assert_string_equal(w.log, "+x=1+y=2-x");
    /* None for a rolled-back transaction. */
    assert_int_equal(hy_txn_begin(a), HY_OK);
    put(a, "z", 3);
    hy_txn_rollback(a);
    assert_int_equal(w.calls, 2);
    /* A merge reports what it changed: b's entry and b's removal of y. */
    sync_to(a, b);
    put(b, "w", 4);
    assert_int_equal(hy_map_remove(b, "doc", "d", "meta", "y"), HY_OK);
    sync_to(b, a);
    assert_int_equal(w.calls, 3);
    assert_string_equal(w.log, "+x=1+y=2-x+w=4-y");
    hy_store_free(a);
    hy_store_free(b);
    assert_int_equal(t.live_blocks, 0);
}

/* hy_remove removes every entry this replica sees; one written concurrently survives. */
static void remove_clears_what_it_saw(void **state)
{
    (void)state;
    hy_test_alloc t;
    hy_allocator al = hy_test_allocator(&t);
    test_platform pa, pb;
    hy_store *a = fixture_store(&pa, al, 30), *b = fixture_store(&pb, al, 31);
    put(a, "a", 1);
    put(a, "b", 2);
    put(a, "c", 3);
    sync_to(a, b);
    assert_int_equal(hy_remove(b, "doc", "d", "meta"), HY_OK);
    assert_int_equal(hy_map_count(b, "doc", "d", "meta"), 0);
    assert_int_equal(hy_log_count(b->log), 4); /* a's three, and one change */
    assert_int_equal(hy_remove(b, "doc", "d", "meta"), HY_E_NOT_FOUND);
    put(a, "b", 20);
    sync_to(a, b);
    sync_to(b, a);
    assert_map(a, "b=20");
    assert_map(b, "b=20");
    /* A replica that only merged the map refuses other types on it too. */
    hy_value v = integer(1);
    assert_int_equal(hy_put(b, "doc", "d", "meta", &v), HY_E_INVALID_ARG);
    hy_store_free(a);
    hy_store_free(b);
    assert_int_equal(t.live_blocks, 0);
}

/* Commits a change of one map put (straight to the log, as a peer's would arrive) naming the
 * entry by name_len bytes of name. */
static void commit_put(hy_store *s, const char *name, size_t name_len)
{
    static const uint8_t path[] = { 3, 'd', 'o', 'c', 1, 'd', 4, 'm', 'e', 't', 'a' };
    uint8_t ops[64];
    size_t len = 0;
    ops[len++] = 0; /* no other actors */
    ops[len++] = OP_MAP_PUT;
    memcpy(ops + len, path, sizeof path);
    len += sizeof path;
    ops[len++] = (uint8_t)name_len;
    memcpy(ops + len, name, name_len);
    len += name_len;
    ops[len++] = HY_TYPE_INT;
    ops[len++] = 14; /* zigzag 7 */
    ops[len++] = 0;  /* no preds */
    assert_int_equal(hy_log_commit(s->log, 0, 1, ops, len, NULL), HY_OK);
}

/* Entry names from peers are checked: a NUL (which readers could not see) or bad UTF-8 makes
 * the change change nothing. */
static void malformed_entry_names_change_nothing(void **state)
{
    (void)state;
    hy_test_alloc t;
    test_platform p;
    hy_store *s = fixture_store(&p, hy_test_allocator(&t), 40);
    commit_put(s, "a\0b", 3);
    commit_put(s, "\xc3", 1);
    assert_int_equal(hy_map_count(s, "doc", "d", "meta"), 0);
    commit_put(s, "ab", 2);
    assert_map(s, "ab=7");
    hy_store_free(s);
    assert_int_equal(t.live_blocks, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(entries_read_back_in_name_order),
        cmocka_unit_test(map_ops_refuse_other_types_and_others_refuse_maps),
        cmocka_unit_test(rollback_restores_maps_exactly),
        cmocka_unit_test(concurrent_entries_converge),
        cmocka_unit_test(subscriptions_report_entries_by_name),
        cmocka_unit_test(remove_clears_what_it_saw),
        cmocka_unit_test(malformed_entry_names_change_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

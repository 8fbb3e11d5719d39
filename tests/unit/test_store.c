#include "hy_test.h"

#include "store_internal.h"
#include "test_alloc.h"
#include "store_asserts.h"

#include <stdio.h>
#include <string.h>

static hy_value str(const char *s)
{
    hy_value v;
    v.type = HY_TYPE_STRING;
    v.as.bytes.data = (const uint8_t *)s;
    v.as.bytes.len = strlen(s);
    return v;
}

static hy_value integer(int64_t i)
{
    hy_value v;
    v.type = HY_TYPE_INT;
    v.as.integer = i;
    return v;
}

static void assert_str(hy_store *s, const char *c, const char *k, const char *f, const char *want)
{
    hy_value v;
    assert_int_equal(hy_get(s, c, k, f, &v), HY_OK);
    assert_int_equal(v.type, HY_TYPE_STRING);
    assert_int_equal(v.as.bytes.len, strlen(want));
    assert_memory_equal(v.as.bytes.data, want, strlen(want));
}

static void registers_hold_every_value_type(void **state)
{
    (void)state;
    hy_test_alloc t;
    test_platform p;
    hy_store *s = fixture_store(&p, hy_test_allocator(&t), 1);
    assert_non_null(s);
    hy_value v, out;
    assert_int_equal(hy_get(s, "tasks", "t1", "title", &out), HY_E_NOT_FOUND);
    assert_int_equal(hy_put(s, "tasks", "t1", "title", &(hy_value){ .type = HY_TYPE_NULL }),
                     HY_OK);
    assert_int_equal(hy_get(s, "tasks", "t1", "title", &out), HY_OK);
    assert_int_equal(out.type, HY_TYPE_NULL);
    v.type = HY_TYPE_BOOL;
    v.as.boolean = 1;
    assert_int_equal(hy_put(s, "tasks", "t1", "done", &v), HY_OK);
    assert_int_equal(hy_get(s, "tasks", "t1", "done", &out), HY_OK);
    assert_true(out.type == HY_TYPE_BOOL && out.as.boolean == 1);
    v = integer(-1234567890123);
    assert_int_equal(hy_put(s, "tasks", "t1", "n", &v), HY_OK);
    assert_int_equal(hy_get(s, "tasks", "t1", "n", &out), HY_OK);
    assert_true(out.as.integer == -1234567890123);
    v.type = HY_TYPE_DOUBLE;
    v.as.number = 2.5;
    assert_int_equal(hy_put(s, "tasks", "t1", "x", &v), HY_OK);
    assert_int_equal(hy_get(s, "tasks", "t1", "x", &out), HY_OK);
    assert_true(out.as.number == 2.5);
    v.type = HY_TYPE_BYTES;
    v.as.bytes.data = (const uint8_t *)"\0\1\2";
    v.as.bytes.len = 3;
    assert_int_equal(hy_put(s, "tasks", "t1", "raw", &v), HY_OK);
    assert_int_equal(hy_get(s, "tasks", "t1", "raw", &out), HY_OK);
    assert_int_equal(out.as.bytes.len, 3);
    v = str("write the report \xe2\x9c\x93");
    assert_int_equal(hy_put(s, "tasks", "t1", "title", &v), HY_OK);
    assert_str(s, "tasks", "t1", "title", "write the report \xe2\x9c\x93");
    assert_int_equal(hy_get_conflicts(s, "tasks", "t1", "title"), 1);
    /* Bad input: invalid UTF-8 in a value or a name, over-long names, unknown types. */
    v = str("\xc0\xaf");
    assert_int_equal(hy_put(s, "tasks", "t1", "title", &v), HY_E_INVALID_ARG);
    v = str("ok");
    assert_int_equal(hy_put(s, "tasks", "\xff", "title", &v), HY_E_INVALID_ARG);
    char long_name[300];
    memset(long_name, 'a', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = 0;
    assert_int_equal(hy_put(s, "tasks", long_name, "title", &v), HY_E_INVALID_ARG);
    v.type = (hy_type)42;
    assert_int_equal(hy_put(s, "tasks", "t1", "title", &v), HY_E_INVALID_ARG);
    assert_str(s, "tasks", "t1", "title", "write the report \xe2\x9c\x93");
    /* Remove. */
    assert_int_equal(hy_remove(s, "tasks", "t1", "title"), HY_OK);
    assert_int_equal(hy_get(s, "tasks", "t1", "title", &out), HY_E_NOT_FOUND);
    assert_int_equal(hy_remove(s, "tasks", "t1", "title"), HY_E_NOT_FOUND);
    assert_int_equal(hy_remove(s, "tasks", "nobody", "title"), HY_E_NOT_FOUND);
    hy_store_free(s);
    assert_int_equal(t.live_blocks, 0);
}

static void counters_add_and_refuse_register_ops(void **state)
{
    (void)state;
    hy_test_alloc t;
    test_platform p;
    hy_store *s = fixture_store(&p, hy_test_allocator(&t), 2);
    int64_t n;
    assert_int_equal(hy_counter_get(s, "tasks", "t1", "votes", &n), HY_E_NOT_FOUND);
    assert_int_equal(hy_counter_add(s, "tasks", "t1", "votes", 5), HY_OK);
    assert_int_equal(hy_counter_add(s, "tasks", "t1", "votes", -7), HY_OK);
    assert_int_equal(hy_counter_get(s, "tasks", "t1", "votes", &n), HY_OK);
    assert_true(n == -2);
    hy_value v = str("x"), out;
    assert_int_equal(hy_put(s, "tasks", "t1", "votes", &v), HY_E_INVALID_ARG);
    assert_int_equal(hy_get(s, "tasks", "t1", "votes", &out), HY_E_INVALID_ARG);
    assert_int_equal(hy_put(s, "tasks", "t1", "title", &v), HY_OK);
    assert_int_equal(hy_counter_add(s, "tasks", "t1", "title", 1), HY_E_INVALID_ARG);
    assert_int_equal(hy_counter_get(s, "tasks", "t1", "title", &n), HY_E_INVALID_ARG);
    hy_store_free(s);
    assert_int_equal(t.live_blocks, 0);
}

static void transactions_commit_once_and_roll_back_exactly(void **state)
{
    (void)state;
    hy_test_alloc t;
    test_platform p;
    hy_store *s = fixture_store(&p, hy_test_allocator(&t), 3);
    hy_value a = str("first"), b = str("second"), out;
    assert_int_equal(hy_put(s, "doc", "d", "title", &a), HY_OK);
    assert_int_equal(hy_counter_add(s, "doc", "d", "views", 10), HY_OK);
    assert_int_equal(hy_log_count(s->log), 2);

    assert_int_equal(hy_txn_begin(s), HY_OK);
    assert_int_equal(hy_txn_begin(s), HY_E_INVALID_ARG);
    assert_int_equal(hy_put(s, "doc", "d", "title", &b), HY_OK);
    assert_int_equal(hy_put(s, "doc", "d", "new", &b), HY_OK);
    assert_int_equal(hy_counter_add(s, "doc", "d", "views", 5), HY_OK);
    assert_int_equal(hy_remove(s, "doc", "d", "new"), HY_OK);
    assert_int_equal(hy_put(s, "doc", "d", "title", &a), HY_OK);
    assert_int_equal(hy_put(s, "doc", "d", "title", &b), HY_OK);
    assert_str(s, "doc", "d", "title", "second"); /* reads see the transaction */
    int64_t n;
    assert_int_equal(hy_counter_get(s, "doc", "d", "views", &n), HY_OK);
    assert_true(n == 15);
    hy_txn_rollback(s);
    assert_str(s, "doc", "d", "title", "first");
    assert_int_equal(hy_get_conflicts(s, "doc", "d", "title"), 1);
    assert_int_equal(hy_get(s, "doc", "d", "new", &out), HY_E_NOT_FOUND);
    assert_int_equal(hy_counter_get(s, "doc", "d", "views", &n), HY_OK);
    assert_true(n == 10);
    assert_int_equal(hy_log_count(s->log), 2);

    /* A failing edit inside a transaction leaves the rest of it intact. */
    assert_int_equal(hy_txn_begin(s), HY_OK);
    assert_int_equal(hy_put(s, "doc", "d", "title", &b), HY_OK);
    assert_int_equal(hy_counter_add(s, "doc", "d", "title", 1), HY_E_INVALID_ARG);
    assert_int_equal(hy_counter_add(s, "doc", "d", "views", 1), HY_OK);
    assert_int_equal(hy_txn_commit(s), HY_OK);
    assert_int_equal(hy_log_count(s->log), 3); /* exactly one change */
    hy_log_entry e;
    hy_log_get(s->log, 2, &e);
    assert_int_equal(e.op_count, 2);
    assert_int_equal(hy_txn_commit(s), HY_E_INVALID_ARG);
    /* An empty transaction makes no change. */
    assert_int_equal(hy_txn_begin(s), HY_OK);
    assert_int_equal(hy_txn_commit(s), HY_OK);
    assert_int_equal(hy_log_count(s->log), 3);
    hy_store_free(s);
    assert_int_equal(t.live_blocks, 0);
}

static void concurrent_writes_stay_readable_and_converge(void **state)
{
    (void)state;
    hy_test_alloc t;
    hy_allocator al = hy_test_allocator(&t);
    test_platform pa, pb;
    hy_store *a = fixture_store(&pa, al, 10), *b = fixture_store(&pb, al, 20);
    hy_value va = str("from a"), vb = str("from b"), out;
    assert_int_equal(hy_put(a, "doc", "d", "title", &va), HY_OK);
    assert_int_equal(hy_put(b, "doc", "d", "title", &vb), HY_OK);
    assert_int_equal(hy_counter_add(a, "doc", "d", "votes", 1), HY_OK);
    assert_int_equal(hy_counter_add(b, "doc", "d", "votes", 2), HY_OK);
    sync_to(a, b);
    sync_to(b, a);
    assert_int_equal(hy_get_conflicts(a, "doc", "d", "title"), 2);
    assert_int_equal(hy_get_conflicts(b, "doc", "d", "title"), 2);
    hy_value wa, wb;
    assert_int_equal(hy_get(a, "doc", "d", "title", &wa), HY_OK);
    assert_int_equal(hy_get(b, "doc", "d", "title", &wb), HY_OK);
    assert_int_equal(wa.as.bytes.len, wb.as.bytes.len);
    assert_memory_equal(wa.as.bytes.data, wb.as.bytes.data, wa.as.bytes.len);
    assert_int_equal(hy_get_conflict(a, "doc", "d", "title", 1, &out), HY_OK);
    assert_int_equal(hy_get_conflict(a, "doc", "d", "title", 2, &out), HY_E_NOT_FOUND);
    int64_t n;
    assert_int_equal(hy_counter_get(b, "doc", "d", "votes", &n), HY_OK);
    assert_true(n == 3);
    /* A write that saw both resolves the conflict everywhere. */
    hy_value vc = str("resolved");
    assert_int_equal(hy_put(b, "doc", "d", "title", &vc), HY_OK);
    sync_to(b, a);
    assert_int_equal(hy_get_conflicts(a, "doc", "d", "title"), 1);
    assert_str(a, "doc", "d", "title", "resolved");
    /* Garbage is refused. */
    assert_int_not_equal(hy_store_merge(a, (const uint8_t *)"HYCBjunk", 8), HY_OK);
    hy_store_free(a);
    hy_store_free(b);
    assert_int_equal(t.live_blocks, 0);
}

static void save_and_load_keep_everything(void **state)
{
    (void)state;
    hy_test_alloc t;
    hy_allocator al = hy_test_allocator(&t);
    test_platform p, q;
    hy_store *s = fixture_store(&p, al, 30);
    hy_value v = str("kept");
    assert_int_equal(hy_put(s, "c", "k", "f", &v), HY_OK);
    assert_int_equal(hy_counter_add(s, "c", "k", "n", 42), HY_OK);
    uint8_t *bytes;
    size_t len;
    assert_int_equal(hy_store_save(s, &bytes, &len), HY_OK);
    hy_store_config cfg = fixture_store_config(&q, al, 31);
    cfg.require_signatures = 1;
    hy_store *loaded;
    size_t offset;
    assert_int_equal(hy_store_load(&cfg, bytes, len, &loaded, &offset), HY_OK);
    assert_str(loaded, "c", "k", "f", "kept");
    int64_t n;
    assert_int_equal(hy_counter_get(loaded, "c", "k", "n", &n), HY_OK);
    assert_true(n == 42);
    /* A truncated save is refused with an offset inside it. */
    hy_store *bad = NULL;
    for (size_t cut = 0; cut < len; cut += 7) {
        offset = SIZE_MAX;
        assert_int_not_equal(hy_store_load(&cfg, bytes, cut, &bad, &offset), HY_OK);
        assert_true(offset <= cut);
    }
    hy_store_buffer_free(s, bytes, len);
    hy_store_free(s);
    hy_store_free(loaded);
    assert_int_equal(t.live_blocks, 0);
}

static void heads_and_incremental_saves(void **state)
{
    (void)state;
    hy_test_alloc t;
    hy_allocator al = hy_test_allocator(&t);
    test_platform p, q, r;
    hy_store *a = fixture_store(&p, al, 40), *b = fixture_store(&q, al, 41);
    uint8_t heads[4 * HY_HASH_LEN];
    size_t n = 9;
    assert_int_equal(hy_store_heads(a, heads, 4, &n), HY_OK);
    assert_int_equal(n, 0);
    hy_value v = str("one");
    assert_int_equal(hy_put(a, "c", "k", "f", &v), HY_OK);
    assert_int_equal(hy_counter_add(b, "c", "k", "n", 5), HY_OK);
    sync_to(b, a);
    assert_int_equal(hy_store_heads(a, heads, 1, &n), HY_E_TOO_LARGE);
    assert_int_equal(n, 2);
    assert_int_equal(hy_store_heads(a, heads, 4, &n), HY_OK);
    /* b lacks nothing of what the heads of a name, but a's put. */
    uint8_t *snapshot, *inc1, *inc2, *batch;
    size_t snapshot_len, inc1_len, inc2_len, batch_len;
    assert_int_equal(hy_store_changes(a, heads, n, &batch, &batch_len), HY_OK);
    assert_int_equal(hy_store_merge(b, batch, batch_len), HY_OK); /* nothing in it */
    hy_store_buffer_free(a, batch, batch_len);

    assert_int_equal(hy_store_save(a, &snapshot, &snapshot_len), HY_OK);
    v = str("two");
    assert_int_equal(hy_put(a, "c", "k", "f", &v), HY_OK);
    assert_int_equal(hy_store_save_incremental(a, &inc1, &inc1_len), HY_OK);
    assert_int_equal(hy_counter_add(a, "c", "k", "n", 1), HY_OK);
    assert_int_equal(hy_store_save_incremental(a, &inc2, &inc2_len), HY_OK);
    /* Each increment holds only what is new: the second, one counter change. */
    assert_true(inc2_len < snapshot_len);

    hy_store_config cfg = fixture_store_config(&r, al, 42);
    cfg.require_signatures = 1;
    hy_store *c;
    assert_int_equal(hy_store_load(&cfg, snapshot, snapshot_len, &c, NULL), HY_OK);
    assert_int_equal(hy_store_merge(c, inc1, inc1_len), HY_OK);
    assert_int_equal(hy_store_merge(c, inc2, inc2_len), HY_OK);
    assert_str(c, "c", "k", "f", "two");
    int64_t count;
    assert_int_equal(hy_counter_get(c, "c", "k", "n", &count), HY_OK);
    assert_true(count == 6);
    /* Nothing new since the last increment: an empty batch, which merges as a no-op. */
    uint8_t *empty;
    size_t empty_len;
    assert_int_equal(hy_store_save_incremental(a, &empty, &empty_len), HY_OK);
    assert_int_equal(hy_store_merge(c, empty, empty_len), HY_OK);
    hy_store_buffer_free(a, empty, empty_len);
    hy_store_buffer_free(a, snapshot, snapshot_len);
    hy_store_buffer_free(a, inc1, inc1_len);
    hy_store_buffer_free(a, inc2, inc2_len);
    hy_store_free(a);
    hy_store_free(b);
    hy_store_free(c);
    assert_int_equal(t.live_blocks, 0);
}

/* What a subscriber saw: calls, patches, and the last patch's kind, field and delta. */
typedef struct seen {
    int calls;
    size_t patches;
    hy_patch_kind last_kind;
    char last_field[32];
    int64_t delta_sum;
    hy_store *store;
    uint32_t unsubscribe; /* unsubscribe this id from inside the callback */
    int edit_in_callback;
} seen;

static void record(void *user, const hy_patch *patches, size_t count)
{
    seen *w = user;
    w->calls++;
    w->patches += count;
    for (size_t i = 0; i < count; i++) {
        w->last_kind = patches[i].kind;
        snprintf(w->last_field, sizeof w->last_field, "%s/%s/%s", patches[i].collection,
                 patches[i].key, patches[i].field);
        w->delta_sum += patches[i].delta;
    }
    if (w->unsubscribe) {
        assert_int_equal(hy_unsubscribe(w->store, w->unsubscribe), HY_OK);
        w->unsubscribe = 0;
    }
    if (w->edit_in_callback) {
        w->edit_in_callback = 0;
        assert_int_equal(hy_counter_add(w->store, "tasks", "t9", "votes", 100), HY_OK);
    }
}

static void subscriptions_report_commits_and_merges(void **state)
{
    (void)state;
    hy_test_alloc t;
    hy_allocator al = hy_test_allocator(&t);
    test_platform pa, pb;
    hy_store *a = fixture_store(&pa, al, 40), *b = fixture_store(&pb, al, 41);
    seen all = { 0 }, task1 = { 0 }, titles = { 0 };
    all.store = task1.store = titles.store = a;
    uint32_t id_all, id_task1, id_titles;
    assert_int_equal(hy_subscribe(a, NULL, NULL, NULL, record, &all, &id_all), HY_OK);
    assert_int_equal(hy_subscribe(a, "tasks", "t1", NULL, record, &task1, &id_task1), HY_OK);
    assert_int_equal(hy_subscribe(a, "tasks", NULL, "title", record, &titles, &id_titles), HY_OK);
    assert_int_equal(hy_subscribe(a, NULL, NULL, NULL, NULL, NULL, NULL), HY_E_INVALID_ARG);

    hy_value v = str("hello");
    assert_int_equal(hy_put(a, "tasks", "t1", "title", &v), HY_OK);
    assert_int_equal(all.calls, 1);
    assert_int_equal(task1.calls, 1);
    assert_int_equal(titles.calls, 1);
    assert_int_equal(all.last_kind, HY_PATCH_SET);
    assert_string_equal(all.last_field, "tasks/t1/title");

    /* One call per transaction, with every patch; none for a rolled-back one. */
    assert_int_equal(hy_txn_begin(a), HY_OK);
    assert_int_equal(hy_counter_add(a, "tasks", "t2", "votes", 2), HY_OK);
    assert_int_equal(hy_counter_add(a, "tasks", "t2", "votes", 3), HY_OK);
    assert_int_equal(hy_remove(a, "tasks", "t1", "title"), HY_OK);
    assert_int_equal(all.calls, 1); /* not before commit */
    assert_int_equal(hy_txn_commit(a), HY_OK);
    assert_int_equal(all.calls, 2);
    assert_int_equal(all.patches, 4);
    assert_true(all.delta_sum == 5);
    assert_int_equal(all.last_kind, HY_PATCH_REMOVE);
    assert_int_equal(task1.calls, 2);
    assert_int_equal(hy_txn_begin(a), HY_OK);
    assert_int_equal(hy_put(a, "tasks", "t1", "title", &v), HY_OK);
    hy_txn_rollback(a);
    assert_int_equal(all.calls, 2);

    /* A merge reports what it changed. */
    assert_int_equal(hy_counter_add(b, "tasks", "t1", "votes", 7), HY_OK);
    sync_to(b, a);
    assert_int_equal(all.calls, 3);
    assert_int_equal(all.last_kind, HY_PATCH_COUNTER);
    assert_int_equal(task1.calls, 3);
    assert_int_equal(titles.calls, 2);

    /* Unsubscribing inside a callback, and editing inside one. */
    all.unsubscribe = id_task1;
    all.edit_in_callback = 1;
    assert_int_equal(hy_counter_add(a, "tasks", "t1", "votes", 1), HY_OK);
    assert_int_equal(task1.calls, 3); /* unsubscribed before its turn */
    assert_int_equal(all.calls, 5);   /* the commit, then the callback's own edit */
    assert_true(all.delta_sum == 5 + 7 + 1 + 100);
    assert_int_equal(hy_unsubscribe(a, id_task1), HY_E_NOT_FOUND);
    assert_int_equal(hy_unsubscribe(a, id_all), HY_OK);
    assert_int_equal(hy_counter_add(a, "tasks", "t1", "votes", 1), HY_OK);
    assert_int_equal(all.calls, 5);
    hy_store_free(a);
    hy_store_free(b);
    assert_int_equal(t.live_blocks, 0);
}

static void sets_add_win_over_concurrent_removes(void **state)
{
    (void)state;
    hy_test_alloc t;
    hy_allocator al = hy_test_allocator(&t);
    test_platform pa, pb;
    hy_store *a = fixture_store(&pa, al, 70), *b = fixture_store(&pb, al, 71);
    hy_value urgent = str("urgent"), home = str("home"), seven = integer(7), out;
    int present;
    seen tags = { 0 };
    assert_int_equal(hy_subscribe(a, NULL, NULL, "tags", record, &tags, NULL), HY_OK);
    assert_int_equal(hy_set_count(a, "tasks", "t1", "tags"), 0);
    assert_int_equal(hy_set_add(a, "tasks", "t1", "tags", &urgent), HY_OK);
    assert_int_equal(tags.last_kind, HY_PATCH_ELEMENT_ADD);
    assert_int_equal(hy_set_add(a, "tasks", "t1", "tags", &home), HY_OK);
    assert_int_equal(hy_set_add(a, "tasks", "t1", "tags", &seven), HY_OK);
    assert_int_equal(hy_set_add(a, "tasks", "t1", "tags", &urgent), HY_OK);
    assert_int_equal(hy_set_count(a, "tasks", "t1", "tags"), 3);
    assert_int_equal(hy_set_has(a, "tasks", "t1", "tags", &home, &present), HY_OK);
    assert_true(present);
    /* A fixed order: by type, then content. */
    assert_int_equal(hy_set_item(a, "tasks", "t1", "tags", 0, &out), HY_OK);
    assert_true(out.type == HY_TYPE_INT && out.as.integer == 7);
    assert_int_equal(hy_set_item(a, "tasks", "t1", "tags", 1, &out), HY_OK);
    assert_memory_equal(out.as.bytes.data, "home", 4);
    assert_int_equal(hy_set_item(a, "tasks", "t1", "tags", 3, &out), HY_E_NOT_FOUND);
    /* b removes "urgent" while a, concurrently, adds it again: the add wins. */
    sync_to(a, b);
    assert_int_equal(hy_set_delete(b, "tasks", "t1", "tags", &urgent), HY_OK);
    assert_int_equal(hy_set_delete(b, "tasks", "t1", "tags", &urgent), HY_E_NOT_FOUND);
    assert_int_equal(hy_set_delete(b, "tasks", "t1", "tags", &home), HY_OK);
    assert_int_equal(hy_set_add(a, "tasks", "t1", "tags", &urgent), HY_OK);
    sync_to(a, b);
    int calls = tags.calls;
    sync_to(b, a);
    assert_int_equal(tags.calls, calls + 1);
    assert_int_equal(tags.last_kind, HY_PATCH_ELEMENT_REMOVE); /* "home" left */
    for (int i = 0; i < 2; i++) {
        hy_store *s = i ? b : a;
        assert_int_equal(hy_set_has(s, "tasks", "t1", "tags", &urgent, &present), HY_OK);
        assert_true(present);
        assert_int_equal(hy_set_has(s, "tasks", "t1", "tags", &home, &present), HY_OK);
        assert_false(present);
        assert_int_equal(hy_set_count(s, "tasks", "t1", "tags"), 2);
    }
    /* Rollback, wrong types, bad values. */
    assert_int_equal(hy_txn_begin(a), HY_OK);
    assert_int_equal(hy_set_add(a, "tasks", "t1", "tags", &home), HY_OK);
    assert_int_equal(hy_set_delete(a, "tasks", "t1", "tags", &seven), HY_OK);
    assert_int_equal(hy_set_count(a, "tasks", "t1", "tags"), 2);
    hy_txn_rollback(a);
    assert_int_equal(hy_set_count(a, "tasks", "t1", "tags"), 2);
    assert_int_equal(hy_set_has(a, "tasks", "t1", "tags", &seven, &present), HY_OK);
    assert_true(present);
    assert_int_equal(hy_put(a, "tasks", "t1", "tags", &home), HY_E_INVALID_ARG);
    assert_int_equal(hy_counter_add(a, "tasks", "t1", "tags", 1), HY_E_INVALID_ARG);
    assert_int_equal(hy_text_insert(a, "tasks", "t1", "tags", 0, "x", 1), HY_E_INVALID_ARG);
    assert_int_equal(hy_put(a, "tasks", "t1", "title", &home), HY_OK);
    assert_int_equal(hy_set_add(a, "tasks", "t1", "title", &home), HY_E_INVALID_ARG);
    assert_int_equal(hy_set_has(a, "tasks", "t1", "title", &home, &present), HY_E_INVALID_ARG);
    hy_value bad = str("\xff");
    assert_int_equal(hy_set_add(a, "tasks", "t1", "tags", &bad), HY_E_INVALID_ARG);
    hy_store_free(a);
    hy_store_free(b);
    assert_int_equal(t.live_blocks, 0);
}

/* Conflicting values of a register roll back to the same values in the same order. */
static void rollback_restores_conflicting_values(void **state)
{
    (void)state;
    hy_test_alloc t;
    hy_allocator al = hy_test_allocator(&t);
    test_platform pa, pb;
    hy_store *a = fixture_store(&pa, al, 80), *b = fixture_store(&pb, al, 81);
    hy_value va = str("from a"), vb = integer(2), vc = str("resolved"), x, y;
    assert_int_equal(hy_put(a, "doc", "d", "title", &va), HY_OK);
    assert_int_equal(hy_put(b, "doc", "d", "title", &vb), HY_OK);
    sync_to(b, a);
    assert_int_equal(hy_get_conflicts(a, "doc", "d", "title"), 2);
    assert_int_equal(hy_get_conflict(a, "doc", "d", "title", 0, &x), HY_OK);
    for (int edit = 0; edit < 2; edit++) {
        assert_int_equal(hy_txn_begin(a), HY_OK);
        if (edit == 0)
            assert_int_equal(hy_put(a, "doc", "d", "title", &vc), HY_OK);
        else
            assert_int_equal(hy_remove(a, "doc", "d", "title"), HY_OK);
        assert_int_equal(hy_get_conflicts(a, "doc", "d", "title"), edit == 0 ? 1 : 0);
        hy_txn_rollback(a);
        assert_int_equal(hy_get_conflicts(a, "doc", "d", "title"), 2);
        assert_int_equal(hy_get_conflict(a, "doc", "d", "title", 0, &y), HY_OK);
        assert_int_equal(y.type, x.type);
    }
    assert_int_equal(hy_put(a, "doc", "d", "title", &vc), HY_OK);
    assert_str(a, "doc", "d", "title", "resolved");
    hy_store_free(a);
    hy_store_free(b);
    assert_int_equal(t.live_blocks, 0);
}

/* Writers of different types who meet keep each type's state: the newest op chooses what the
 * field reads as, on every replica, and the other type's edits are not lost. */
static void writers_of_different_types_converge(void **state)
{
    (void)state;
    hy_test_alloc t;
    hy_allocator al = hy_test_allocator(&t);
    test_platform pa, pb;
    hy_store *a = fixture_store(&pa, al, 90), *b = fixture_store(&pb, al, 91);
    hy_value one = str("one"), two = str("two"), out;
    int64_t n;
    assert_int_equal(hy_put(a, "doc", "d", "f", &one), HY_OK);
    assert_int_equal(hy_put(a, "doc", "d", "f", &two), HY_OK); /* newer than b's add */
    assert_int_equal(hy_counter_add(b, "doc", "d", "f", 3), HY_OK);
    sync_to(a, b);
    sync_to(b, a);
    for (int i = 0; i < 2; i++) {
        hy_store *s = i ? b : a;
        assert_str(s, "doc", "d", "f", "two");
        assert_int_equal(hy_counter_get(s, "doc", "d", "f", &n), HY_E_INVALID_ARG);
    }
    assert_int_equal(hy_counter_add(b, "doc", "d", "f", 1), HY_E_INVALID_ARG);
    /* Once the register is removed a counter add may take the field: the earlier add
     * counts. Rolled back first, then committed. */
    assert_int_equal(hy_remove(a, "doc", "d", "f"), HY_OK);
    sync_to(a, b);
    assert_int_equal(hy_txn_begin(b), HY_OK);
    assert_int_equal(hy_counter_add(b, "doc", "d", "f", 1), HY_OK);
    hy_txn_rollback(b);
    assert_int_equal(hy_get(b, "doc", "d", "f", &out), HY_E_NOT_FOUND);
    assert_int_equal(hy_counter_add(b, "doc", "d", "f", 1), HY_OK);
    sync_to(b, a);
    for (int i = 0; i < 2; i++) {
        hy_store *s = i ? b : a;
        assert_int_equal(hy_counter_get(s, "doc", "d", "f", &n), HY_OK);
        assert_true(n == 4);
        assert_int_equal(hy_get(s, "doc", "d", "f", &out), HY_E_INVALID_ARG);
    }
    hy_store_free(a);
    hy_store_free(b);
    assert_int_equal(t.live_blocks, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(registers_hold_every_value_type),
        cmocka_unit_test(counters_add_and_refuse_register_ops),
        cmocka_unit_test(transactions_commit_once_and_roll_back_exactly),
        cmocka_unit_test(concurrent_writes_stay_readable_and_converge),
        cmocka_unit_test(save_and_load_keep_everything),
        cmocka_unit_test(heads_and_incremental_saves),
        cmocka_unit_test(subscriptions_report_commits_and_merges),
        cmocka_unit_test(sets_add_win_over_concurrent_removes),
        cmocka_unit_test(rollback_restores_conflicting_values),
        cmocka_unit_test(writers_of_different_types_converge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

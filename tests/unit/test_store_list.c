#include "hy_test.h"

#include "store_internal.h"
#include "test_alloc.h"
#include "store_asserts.h"

#include <string.h>

#define MAX_ITEMS 64

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

static void ins(hy_store *s, size_t at, int64_t i)
{
    hy_value v = integer(i);
    assert_int_equal(hy_list_insert(s, "doc", "d", "items", at, &v), HY_OK);
}

/* The list "doc/d/items" of integers as an array; returns its length. */
static size_t read_ints(hy_store *s, int64_t out[MAX_ITEMS])
{
    size_t n;
    assert_int_equal(hy_list_len(s, "doc", "d", "items", &n), HY_OK);
    assert_true(n <= MAX_ITEMS);
    for (size_t i = 0; i < n; i++) {
        hy_value v;
        assert_int_equal(hy_list_get(s, "doc", "d", "items", i, &v), HY_OK);
        assert_int_equal(v.type, HY_TYPE_INT);
        out[i] = v.as.integer;
    }
    return n;
}

static void assert_ints(hy_store *s, const int64_t *want, size_t n)
{
    int64_t got[MAX_ITEMS];
    size_t len = read_ints(s, got);
    assert_int_equal(len, n);
    for (size_t i = 0; i < n; i++)
        if (got[i] != want[i])
            fail_msg("element %zu is %lld, not %lld", i, (long long)got[i], (long long)want[i]);
}

static void list_edits_read_back(void **state)
{
    (void)state;
    hy_test_alloc t;
    test_platform p;
    hy_store *s = fixture_store(&p, hy_test_allocator(&t), 1);
    size_t n = 9;
    hy_value out;
    assert_int_equal(hy_list_len(s, "doc", "d", "items", &n), HY_OK);
    assert_int_equal(n, 0);
    assert_int_equal(hy_list_get(s, "doc", "d", "items", 0, &out), HY_E_NOT_FOUND);
    /* Every value type, at the front, the back and the middle. */
    hy_value word = str("w\xc3\xb6rd"), raw = { .type = HY_TYPE_BYTES };
    raw.as.bytes.data = (const uint8_t *)"\0\1";
    raw.as.bytes.len = 2;
    hy_value yes = { .type = HY_TYPE_BOOL, .as.boolean = 1 };
    hy_value half = { .type = HY_TYPE_DOUBLE, .as.number = 0.5 };
    hy_value nil = { .type = HY_TYPE_NULL };
    assert_int_equal(hy_list_insert(s, "doc", "d", "items", 0, &word), HY_OK);
    assert_int_equal(hy_list_insert(s, "doc", "d", "items", 0, &raw), HY_OK);
    assert_int_equal(hy_list_insert(s, "doc", "d", "items", 2, &yes), HY_OK);
    assert_int_equal(hy_list_insert(s, "doc", "d", "items", 1, &half), HY_OK);
    assert_int_equal(hy_list_insert(s, "doc", "d", "items", 4, &nil), HY_OK);
    /* raw, half, word, yes, nil */
    assert_int_equal(hy_list_len(s, "doc", "d", "items", &n), HY_OK);
    assert_int_equal(n, 5);
    assert_int_equal(hy_list_get(s, "doc", "d", "items", 0, &out), HY_OK);
    assert_true(out.type == HY_TYPE_BYTES && out.as.bytes.len == 2);
    assert_memory_equal(out.as.bytes.data, "\0\1", 2);
    assert_int_equal(hy_list_get(s, "doc", "d", "items", 1, &out), HY_OK);
    assert_true(out.type == HY_TYPE_DOUBLE && out.as.number == 0.5);
    assert_int_equal(hy_list_get(s, "doc", "d", "items", 2, &out), HY_OK);
    assert_true(out.type == HY_TYPE_STRING && out.as.bytes.len == 5);
    assert_memory_equal(out.as.bytes.data, "w\xc3\xb6rd", 5);
    assert_int_equal(hy_list_get(s, "doc", "d", "items", 3, &out), HY_OK);
    assert_true(out.type == HY_TYPE_BOOL && out.as.boolean == 1);
    assert_int_equal(hy_list_get(s, "doc", "d", "items", 4, &out), HY_OK);
    assert_int_equal(out.type, HY_TYPE_NULL);
    assert_int_equal(hy_list_get(s, "doc", "d", "items", 5, &out), HY_E_NOT_FOUND);
    /* Deletes: a run from the middle, then the ends. */
    assert_int_equal(hy_list_delete(s, "doc", "d", "items", 1, 2), HY_OK);
    assert_int_equal(hy_list_delete(s, "doc", "d", "items", 0, 0), HY_OK);
    assert_int_equal(hy_list_len(s, "doc", "d", "items", &n), HY_OK);
    assert_int_equal(n, 3);
    assert_int_equal(hy_list_get(s, "doc", "d", "items", 1, &out), HY_OK);
    assert_int_equal(out.type, HY_TYPE_BOOL);
    assert_int_equal(hy_list_delete(s, "doc", "d", "items", 0, 3), HY_OK);
    assert_int_equal(hy_list_len(s, "doc", "d", "items", &n), HY_OK);
    assert_int_equal(n, 0);
    /* Out of range and bad input change nothing. */
    uint32_t changes = hy_log_count(s->log);
    ins(s, 0, 7);
    hy_value bad = str("\xc3");
    assert_int_equal(hy_list_insert(s, "doc", "d", "items", 2, &word), HY_E_INVALID_ARG);
    assert_int_equal(hy_list_insert(s, "doc", "d", "items", 0, &bad), HY_E_INVALID_ARG);
    assert_int_equal(hy_list_insert(s, "doc", "d", "items", 0, NULL), HY_E_INVALID_ARG);
    assert_int_equal(hy_list_insert(s, "doc", "\xff", "items", 0, &word), HY_E_INVALID_ARG);
    assert_int_equal(hy_list_delete(s, "doc", "d", "items", 0, 2), HY_E_INVALID_ARG);
    assert_int_equal(hy_list_delete(s, "doc", "d", "items", 2, 1), HY_E_INVALID_ARG);
    assert_int_equal(hy_list_delete(s, "doc", "d", "items", 1, SIZE_MAX), HY_E_INVALID_ARG);
    assert_int_equal(hy_list_len(s, "doc", "d", "items", NULL), HY_E_INVALID_ARG);
    assert_int_equal(hy_list_get(s, "doc", "d", "items", 0, NULL), HY_E_INVALID_ARG);
    assert_int_equal(hy_log_count(s->log), changes + 1);
    const int64_t seven[] = { 7 };
    assert_ints(s, seven, 1);
    hy_store_free(s);
    assert_int_equal(t.live_blocks, 0);
}

static void list_ops_refuse_other_types_and_others_refuse_lists(void **state)
{
    (void)state;
    hy_test_alloc t;
    test_platform p;
    hy_store *s = fixture_store(&p, hy_test_allocator(&t), 2);
    hy_value v = integer(1), out;
    size_t n;
    int64_t count;
    assert_int_equal(hy_counter_add(s, "doc", "d", "n", 5), HY_OK);
    assert_int_equal(hy_put(s, "doc", "d", "title", &v), HY_OK);
    assert_int_equal(hy_text_insert(s, "doc", "d", "body", 0, "x", 1), HY_OK);
    assert_int_equal(hy_set_add(s, "doc", "d", "tags", &v), HY_OK);
    assert_int_equal(hy_map_put(s, "doc", "d", "meta", "k", &v), HY_OK);
    uint32_t changes = hy_log_count(s->log);
    const char *others[] = { "n", "title", "body", "tags", "meta" };
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(hy_list_insert(s, "doc", "d", others[i], 0, &v), HY_E_INVALID_ARG);
        assert_int_equal(hy_list_delete(s, "doc", "d", others[i], 0, 1), HY_E_INVALID_ARG);
        assert_int_equal(hy_list_len(s, "doc", "d", others[i], &n), HY_E_INVALID_ARG);
        assert_int_equal(hy_list_get(s, "doc", "d", others[i], 0, &out), HY_E_INVALID_ARG);
    }
    assert_int_equal(hy_log_count(s->log), changes);
    assert_int_equal(hy_counter_get(s, "doc", "d", "n", &count), HY_OK);
    assert_true(count == 5);
    ins(s, 0, 1);
    changes = hy_log_count(s->log);
    assert_int_equal(hy_put(s, "doc", "d", "items", &v), HY_E_INVALID_ARG);
    assert_int_equal(hy_get(s, "doc", "d", "items", &out), HY_E_INVALID_ARG);
    assert_int_equal(hy_counter_add(s, "doc", "d", "items", 1), HY_E_INVALID_ARG);
    assert_int_equal(hy_counter_get(s, "doc", "d", "items", &count), HY_E_INVALID_ARG);
    assert_int_equal(hy_text_insert(s, "doc", "d", "items", 0, "x", 1), HY_E_INVALID_ARG);
    assert_int_equal(hy_text_len(s, "doc", "d", "items", &n), HY_E_INVALID_ARG);
    assert_int_equal(hy_set_add(s, "doc", "d", "items", &v), HY_E_INVALID_ARG);
    assert_int_equal(hy_map_put(s, "doc", "d", "items", "k", &v), HY_E_INVALID_ARG);
    assert_int_equal(hy_log_count(s->log), changes);
    const int64_t one[] = { 1 };
    assert_ints(s, one, 1);
    /* A removed register may become a list, as it may become any type. */
    assert_int_equal(hy_remove(s, "doc", "d", "title"), HY_OK);
    assert_int_equal(hy_list_insert(s, "doc", "d", "title", 0, &v), HY_OK);
    assert_int_equal(hy_list_len(s, "doc", "d", "title", &n), HY_OK);
    assert_int_equal(n, 1);
    hy_store_free(s);
    assert_int_equal(t.live_blocks, 0);
}

static void rollback_restores_lists_exactly(void **state)
{
    (void)state;
    hy_test_alloc t;
    hy_allocator al = hy_test_allocator(&t);
    test_platform p, q;
    hy_store *s = fixture_store(&p, al, 3);
    for (int64_t i = 0; i < 4; i++)
        ins(s, (size_t)i, i);
    hy_value old = str("old"), x = str("x");
    assert_int_equal(hy_put(s, "doc", "d", "g", &old), HY_OK);
    uint32_t changes = hy_log_count(s->log);

    assert_int_equal(hy_txn_begin(s), HY_OK);
    ins(s, 2, 20);
    assert_int_equal(hy_list_delete(s, "doc", "d", "items", 0, 2), HY_OK);
    ins(s, 0, 30);
    const int64_t inside[] = { 30, 20, 2, 3 };
    assert_ints(s, inside, 4); /* reads see the transaction */
    /* A register edit, its removal and a list in its place, in the same field. */
    assert_int_equal(hy_put(s, "doc", "d", "g", &x), HY_OK);
    assert_int_equal(hy_remove(s, "doc", "d", "g"), HY_OK);
    hy_value one = integer(1);
    assert_int_equal(hy_list_insert(s, "doc", "d", "g", 0, &one), HY_OK);
    hy_txn_rollback(s);

    const int64_t before[] = { 0, 1, 2, 3 };
    assert_ints(s, before, 4);
    hy_value out;
    assert_int_equal(hy_get(s, "doc", "d", "g", &out), HY_OK);
    assert_int_equal(out.as.bytes.len, 3);
    assert_int_equal(hy_get_conflicts(s, "doc", "d", "g"), 1);
    size_t n;
    assert_int_equal(hy_list_len(s, "doc", "d", "g", &n), HY_E_INVALID_ARG);
    assert_int_equal(hy_log_count(s->log), changes);
    /* A failing edit inside a transaction leaves the rest of it intact. */
    assert_int_equal(hy_txn_begin(s), HY_OK);
    ins(s, 4, 4);
    assert_int_equal(hy_list_insert(s, "doc", "d", "items", 9, &one), HY_E_INVALID_ARG);
    assert_int_equal(hy_list_delete(s, "doc", "d", "items", 0, 9), HY_E_INVALID_ARG);
    assert_int_equal(hy_txn_commit(s), HY_OK);
    assert_int_equal(hy_log_count(s->log), changes + 1);
    /* The counters the rolled-back edits used are used again without clashing. */
    const int64_t after[] = { 0, 1, 2, 3, 4 };
    assert_ints(s, after, 5);
    uint8_t *bytes;
    size_t len;
    assert_int_equal(hy_store_save(s, &bytes, &len), HY_OK);
    hy_store_config cfg = fixture_store_config(&q, al, 4);
    cfg.require_signatures = 1;
    hy_store *loaded;
    assert_int_equal(hy_store_load(&cfg, bytes, len, &loaded, NULL), HY_OK);
    assert_ints(loaded, after, 5);
    assert_same_saves(s, loaded);
    hy_store_buffer_free(s, bytes, len);
    hy_store_free(loaded);
    hy_store_free(s);
    assert_int_equal(t.live_blocks, 0);
}

/* True when the run first .. first + n - 1 appears in order and unbroken in list. */
static bool has_run(const int64_t *list, size_t len, int64_t first, size_t n)
{
    for (size_t i = 0; i + n <= len; i++) {
        size_t k = 0;
        while (k < n && list[i + k] == first + (int64_t)k)
            k++;
        if (k == n)
            return true;
    }
    return false;
}

/* Two replicas insert runs at the same place concurrently: each run stays whole, typing
 * forwards and backwards, merged in both orders. */
static void concurrent_runs_never_interleave(void **state)
{
    (void)state;
    hy_test_alloc t;
    hy_allocator al = hy_test_allocator(&t);
    for (int backwards = 0; backwards < 2; backwards++) {
        test_platform pa, pb;
        hy_store *a = fixture_store(&pa, al, 10), *b = fixture_store(&pb, al, 20);
        ins(a, 0, -1);
        ins(a, 1, -2);
        sync_to(a, b);
        for (int64_t i = 0; i < 5; i++) { /* one element per change */
            if (backwards) {
                ins(a, 1, 104 - i);
                ins(b, 1, 204 - i);
            } else {
                ins(a, 1 + (size_t)i, 100 + i);
                ins(b, 1 + (size_t)i, 200 + i);
            }
        }
        sync_to(a, b);
        sync_to(b, a);
        int64_t la[MAX_ITEMS], lb[MAX_ITEMS];
        size_t na = read_ints(a, la), nb = read_ints(b, lb);
        assert_int_equal(na, 12);
        assert_int_equal(nb, 12);
        assert_memory_equal(la, lb, na * sizeof la[0]);
        assert_true(la[0] == -1 && la[11] == -2);
        assert_true(has_run(la, na, 100, 5));
        assert_true(has_run(la, na, 200, 5));
        assert_same_saves(a, b);
        hy_store_free(a);
        hy_store_free(b);
    }
    assert_int_equal(t.live_blocks, 0);
}

/* Three replicas insert and delete concurrently, deleting the same elements too: they end
 * with equal lists and identical saves. */
static void three_replicas_converge(void **state)
{
    (void)state;
    hy_test_alloc t;
    hy_allocator al = hy_test_allocator(&t);
    test_platform pa, pb, pc;
    hy_store *r[3] = { fixture_store(&pa, al, 30), fixture_store(&pb, al, 31),
                       fixture_store(&pc, al, 32) };
    for (int64_t i = 0; i < 6; i++)
        ins(r[0], (size_t)i, i);
    sync_to(r[0], r[1]);
    sync_to(r[0], r[2]);
    assert_int_equal(hy_list_delete(r[0], "doc", "d", "items", 1, 3), HY_OK);
    assert_int_equal(hy_list_delete(r[1], "doc", "d", "items", 2, 3), HY_OK);
    ins(r[1], 2, 50);
    ins(r[2], 3, 60);
    assert_int_equal(hy_list_delete(r[2], "doc", "d", "items", 0, 1), HY_OK);
    ins(r[2], 6, 70);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            if (i != j)
                sync_to(r[i], r[j]);
    /* Deleted by someone: 0 (c), 1-3 (a), 2-4 (b); kept: 5 and every insert. */
    int64_t want[MAX_ITEMS];
    size_t n = read_ints(r[0], want);
    assert_int_equal(n, 4);
    assert_true(has_run(want, n, 50, 1) && has_run(want, n, 60, 1));
    assert_true(has_run(want, n, 5, 1) && want[n - 1] == 70);
    for (int i = 1; i < 3; i++) {
        assert_ints(r[i], want, n);
        assert_same_saves(r[0], r[i]);
    }
    for (int i = 0; i < 3; i++)
        hy_store_free(r[i]);
    assert_int_equal(t.live_blocks, 0);
}

typedef struct follower {
    int64_t items[MAX_ITEMS];
    size_t len;
    int calls;
} follower;

/* Applies list patches to a plain array: it must track the store's list. */
static void follow(void *user, const hy_patch *patches, size_t count)
{
    follower *w = user;
    w->calls++;
    for (size_t i = 0; i < count; i++) {
        const hy_patch *p = &patches[i];
        assert_string_equal(p->field, "items");
        assert_null(p->name);
        if (p->kind == HY_PATCH_LIST_INSERT) {
            assert_int_equal(p->count, 1);
            assert_int_equal(p->value.type, HY_TYPE_INT);
            assert_true(p->index <= w->len && w->len < MAX_ITEMS);
            memmove(w->items + p->index + 1, w->items + p->index,
                    (w->len - p->index) * sizeof w->items[0]);
            w->items[p->index] = p->value.as.integer;
            w->len++;
        } else {
            assert_int_equal(p->kind, HY_PATCH_LIST_DELETE);
            assert_true(p->count >= 1 && p->index + p->count <= w->len);
            memmove(w->items + p->index, w->items + p->index + p->count,
                    (w->len - p->index - p->count) * sizeof w->items[0]);
            w->len -= p->count;
        }
    }
}

static void patches_replay_to_the_same_list(void **state)
{
    (void)state;
    hy_test_alloc t;
    hy_allocator al = hy_test_allocator(&t);
    test_platform pa, pb;
    hy_store *a = fixture_store(&pa, al, 40), *b = fixture_store(&pb, al, 41);
    follower seen;
    memset(&seen, 0, sizeof seen);
    assert_int_equal(hy_subscribe(a, "doc", NULL, "items", follow, &seen, NULL), HY_OK);
    for (int64_t i = 0; i < 5; i++)
        ins(a, (size_t)i, i);
    assert_int_equal(seen.calls, 5);
    assert_int_equal(seen.len, 5);
    assert_true(seen.items[3] == 3);
    for (int64_t i = 0; i < 3; i++)
        ins(b, 0, 10 + i);
    assert_int_equal(hy_list_delete(a, "doc", "d", "items", 1, 3), HY_OK);
    assert_int_equal(seen.calls, 6);
    sync_to(b, a);
    assert_int_equal(seen.calls, 7); /* one call per merge */
    sync_to(a, b);
    ins(b, 2, 99);
    assert_int_equal(hy_list_delete(b, "doc", "d", "items", 0, 2), HY_OK);
    sync_to(b, a);
    /* A transaction reports its patches in one call; a rolled-back one, none. */
    assert_int_equal(hy_txn_begin(a), HY_OK);
    ins(a, 0, 7);
    ins(a, 1, 8);
    assert_int_equal(hy_list_delete(a, "doc", "d", "items", 2, 1), HY_OK);
    int calls = seen.calls;
    assert_int_equal(hy_txn_commit(a), HY_OK);
    assert_int_equal(seen.calls, calls + 1);
    assert_int_equal(hy_txn_begin(a), HY_OK);
    ins(a, 0, 1000);
    hy_txn_rollback(a);
    assert_int_equal(seen.calls, calls + 1);
    int64_t list[MAX_ITEMS];
    size_t n = read_ints(a, list);
    assert_int_equal(seen.len, n);
    assert_memory_equal(seen.items, list, n * sizeof list[0]);
    hy_store_free(a);
    hy_store_free(b);
    assert_int_equal(t.live_blocks, 0);
}

/* hy_remove deletes the elements this replica sees; one inserted concurrently survives. */
static void remove_clears_what_it_saw(void **state)
{
    (void)state;
    hy_test_alloc t;
    hy_allocator al = hy_test_allocator(&t);
    test_platform pa, pb;
    hy_store *a = fixture_store(&pa, al, 50), *b = fixture_store(&pb, al, 51);
    ins(a, 0, 1);
    ins(a, 1, 2);
    sync_to(a, b);
    assert_int_equal(hy_remove(b, "doc", "d", "items"), HY_OK);
    size_t n;
    assert_int_equal(hy_list_len(b, "doc", "d", "items", &n), HY_OK);
    assert_int_equal(n, 0);
    assert_int_equal(hy_remove(b, "doc", "d", "items"), HY_E_NOT_FOUND);
    ins(a, 1, 3);
    sync_to(a, b);
    sync_to(b, a);
    const int64_t three[] = { 3 };
    assert_ints(a, three, 1);
    assert_ints(b, three, 1);
    /* A replica that only merged the list refuses other types on it too. */
    hy_value v = integer(1);
    assert_int_equal(hy_put(b, "doc", "d", "items", &v), HY_E_INVALID_ARG);
    hy_store_free(a);
    hy_store_free(b);
    assert_int_equal(t.live_blocks, 0);
}

/* Appends a list op's kind and path ("doc", "d", "items"). */
static size_t op_head(uint8_t *ops, size_t len, uint8_t kind)
{
    static const uint8_t path[] = { 3, 'd', 'o', 'c', 1, 'd', 5, 'i', 't', 'e', 'm', 's' };
    ops[len++] = kind;
    memcpy(ops + len, path, sizeof path);
    return len + sizeof path;
}

/* The actor table (empty) and a valid insert of 5 at the front of the list, before the
 * store's first element (the author's op 1). */
static size_t good_insert(uint8_t *ops)
{
    size_t len = 0;
    ops[len++] = 0;
    len = op_head(ops, len, OP_LIST_INSERT);
    ops[len++] = 0; /* origin left: none */
    ops[len++] = 1; /* origin right: the author's ... */
    ops[len++] = 1; /* ... counter 1 */
    ops[len++] = HY_TYPE_INT;
    ops[len++] = 10; /* zigzag 5 */
    return len;
}

/* Changes (committed straight to the log, as a peer's would arrive) whose list ops are
 * malformed or name an origin nobody has change no state. */
static void malformed_list_ops_change_nothing(void **state)
{
    (void)state;
    hy_test_alloc t;
    test_platform p;
    hy_store *s = fixture_store(&p, hy_test_allocator(&t), 60);
    ins(s, 0, 1);
    uint8_t ops[64];
    /* An insert after an element that does not exist. */
    size_t len = 0;
    ops[len++] = 0;
    len = op_head(ops, len, OP_LIST_INSERT);
    ops[len++] = 1; /* origin left: the author's ... */
    ops[len++] = 0xe7;
    ops[len++] = 0x07; /* ... counter 999 */
    ops[len++] = 0;    /* origin right: none */
    ops[len++] = HY_TYPE_INT;
    ops[len++] = 12;
    assert_int_equal(hy_log_commit(s->log, 0, 1, ops, len, NULL), HY_OK);
    /* A valid insert followed by an insert of a value of unknown type. */
    len = good_insert(ops);
    len = op_head(ops, len, OP_LIST_INSERT);
    ops[len++] = 0;
    ops[len++] = 0;
    ops[len++] = 42;
    assert_int_equal(hy_log_commit(s->log, 0, 2, ops, len, NULL), HY_OK);
    /* A valid insert followed by a delete of no elements. */
    len = good_insert(ops);
    len = op_head(ops, len, OP_LIST_DELETE);
    ops[len++] = 1; /* one range: */
    ops[len++] = 0; /* the author's */
    ops[len++] = 1; /* counter 1, */
    ops[len++] = 0; /* n 0 */
    assert_int_equal(hy_log_commit(s->log, 0, 2, ops, len, NULL), HY_OK);
    const int64_t one[] = { 1 };
    assert_ints(s, one, 1);
    /* The same well-formed insert alone applies. */
    len = good_insert(ops);
    assert_int_equal(hy_log_commit(s->log, 0, 1, ops, len, NULL), HY_OK);
    ins(s, 2, 2);
    const int64_t after[] = { 5, 1, 2 };
    assert_ints(s, after, 3);
    hy_store_free(s);
    assert_int_equal(t.live_blocks, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(list_edits_read_back),
        cmocka_unit_test(list_ops_refuse_other_types_and_others_refuse_lists),
        cmocka_unit_test(rollback_restores_lists_exactly),
        cmocka_unit_test(concurrent_runs_never_interleave),
        cmocka_unit_test(three_replicas_converge),
        cmocka_unit_test(patches_replay_to_the_same_list),
        cmocka_unit_test(remove_clears_what_it_saw),
        cmocka_unit_test(malformed_list_ops_change_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

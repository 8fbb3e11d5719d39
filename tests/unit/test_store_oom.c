/* Out-of-memory injection over the store: commit (single edits and transactions), merge,
 * save and load. Every run ends in HY_OK or HY_E_NOMEM, holds nothing once freed, and a
 * failed edit leaves the state as it was. */
#include "hy_test.h"

#include "store_internal.h"
#include "test_alloc.h"
#include "store_fixture.h"

#include <stdio.h>
#include <string.h>

/* List, map, text and set edits: single ones, then a transaction that also removes these
 * fields and the counter c/k/n. */
static hy_err more_edits(hy_store *s, const hy_value *v)
{
    hy_err err = hy_list_insert(s, "c", "k", "l", 0, v);
    if (err == HY_OK)
        err = hy_list_insert(s, "c", "k", "l", 1, v);
    if (err == HY_OK)
        err = hy_list_delete(s, "c", "k", "l", 0, 1);
    if (err == HY_OK)
        err = hy_map_put(s, "c", "k", "m", "a", v);
    if (err == HY_OK)
        err = hy_map_put(s, "c", "k", "m", "b", v);
    if (err == HY_OK)
        err = hy_map_remove(s, "c", "k", "m", "a");
    if (err == HY_OK)
        err = hy_text_insert(s, "c", "k", "t", 0, "ab", 2);
    if (err == HY_OK)
        err = hy_set_add(s, "c", "k", "s", v);
    if (err == HY_OK)
        err = hy_txn_begin(s);
    if (err == HY_OK) {
        err = hy_list_insert(s, "c", "k", "l", 0, v);
        if (err == HY_OK)
            err = hy_map_put(s, "c", "k", "m", "c", v);
        if (err == HY_OK)
            err = hy_remove(s, "c", "k", "l");
        if (err == HY_OK)
            err = hy_remove(s, "c", "k", "m");
        if (err == HY_OK)
            err = hy_remove(s, "c", "k", "t");
        if (err == HY_OK)
            err = hy_remove(s, "c", "k", "s");
        if (err == HY_OK)
            err = hy_remove(s, "c", "k", "n");
        err = err ? (hy_txn_rollback(s), err) : hy_txn_commit(s);
    }
    return err;
}

static hy_err edits(hy_store *s)
{
    hy_value v = { .type = HY_TYPE_STRING, .as.bytes = { (const uint8_t *)"value", 5 } };
    hy_err err = hy_put(s, "c", "k", "f", &v);
    if (err == HY_OK)
        err = hy_counter_add(s, "c", "k", "n", 3);
    if (err == HY_OK)
        err = hy_txn_begin(s);
    if (err == HY_OK) {
        err = hy_put(s, "c", "k", "f", &v);
        if (err == HY_OK)
            err = hy_put(s, "c", "k2", "g", &v);
        if (err == HY_OK)
            err = hy_remove(s, "c", "k", "f");
        err = err ? (hy_txn_rollback(s), err) : hy_txn_commit(s);
    }
    return err ? err : more_edits(s, &v);
}

/* A saved store and a change batch from another replica, made with the real allocator. */
static void inputs(uint8_t **saved, size_t *saved_len, uint8_t **batch, size_t *batch_len)
{
    test_platform p;
    hy_store_config cfg = fixture_store_config(&p, hy_allocator_default(), 5);
    hy_store *s;
    assert_int_equal(hy_store_new(&cfg, &s), HY_OK);
    assert_int_equal(edits(s), HY_OK);
    assert_int_equal(hy_store_save(s, saved, saved_len), HY_OK);
    assert_int_equal(hy_store_changes(s, NULL, 0, batch, batch_len), HY_OK);
    hy_store_free(s);
}

static hy_err scenario(hy_allocator al, const uint8_t *saved, size_t saved_len,
                       const uint8_t *batch, size_t batch_len)
{
    test_platform p, q;
    hy_store_config cfg = fixture_store_config(&p, al, 7);
    hy_store *s = NULL, *loaded = NULL;
    hy_err err = hy_store_new(&cfg, &s);
    if (err == HY_OK)
        err = edits(s);
    if (err == HY_OK)
        err = hy_store_merge(s, batch, batch_len);
    uint8_t *out = NULL;
    size_t out_len = 0;
    if (err == HY_OK)
        err = hy_store_save(s, &out, &out_len);
    if (out)
        hy_store_buffer_free(s, out, out_len);
    hy_store_config lcfg = fixture_store_config(&q, al, 8);
    if (err == HY_OK)
        err = hy_store_load(&lcfg, saved, saved_len, &loaded, NULL);
    hy_store_free(s);
    hy_store_free(loaded);
    return err;
}

static void store_survives_every_failed_allocation(void **state)
{
    (void)state;
    uint8_t *saved, *batch;
    size_t saved_len, batch_len;
    inputs(&saved, &saved_len, &batch, &batch_len);
    for (size_t k = 1;; k++) {
        hy_test_alloc t;
        hy_allocator al = hy_test_allocator(&t);
        t.fail_at = k;
        hy_err err = scenario(al, saved, saved_len, batch, batch_len);
        if (err != HY_OK && err != HY_E_NOMEM)
            fail_msg("failing allocation %zu gave %s", k, hy_err_str(err));
        if (t.live_blocks != 0)
            fail_msg("failing allocation %zu leaked %zu blocks", k, t.live_blocks);
        if (t.failures == 0)
            break;
    }
    hy_allocator a = hy_allocator_default();
    a.fn(a.user, saved, saved_len, 0);
    a.fn(a.user, batch, batch_len, 0);
}

/* A failed edit changes nothing: the value and the log stay as they were. */
static void failed_edit_leaves_state_intact(void **state)
{
    (void)state;
    for (size_t k = 1; k < 40; k++) {
        hy_test_alloc t;
        hy_allocator al = hy_test_allocator(&t);
        test_platform p;
        hy_store_config cfg = fixture_store_config(&p, al, 9);
        hy_store *s;
        assert_int_equal(hy_store_new(&cfg, &s), HY_OK);
        hy_value a = { .type = HY_TYPE_STRING, .as.bytes = { (const uint8_t *)"before", 6 } };
        hy_value b = { .type = HY_TYPE_STRING, .as.bytes = { (const uint8_t *)"after", 5 } };
        assert_int_equal(hy_put(s, "c", "k", "f", &a), HY_OK);
        t.fail_at = t.requests + k;
        hy_err err = hy_put(s, "c", "k", "f", &b);
        hy_value now;
        assert_int_equal(hy_get(s, "c", "k", "f", &now), HY_OK);
        if (err) {
            assert_int_equal(err, HY_E_NOMEM);
            assert_int_equal(now.as.bytes.len, 6);
            assert_int_equal(hy_log_count(s->log), 1);
        } else {
            assert_int_equal(now.as.bytes.len, 5);
            assert_int_equal(hy_log_count(s->log), 2);
        }
        hy_store_free(s);
        assert_int_equal(t.live_blocks, 0);
    }
}

/* The list c/k/l and the map c/k/m of integers, the text c/k/t, the set c/k/s of integers
 * and the counter c/k/v as "l=1,2 m=a:1,b:2 t=ab s=1,2 v=5". */
static void describe(hy_store *s, char *out, size_t cap)
{
    size_t len = 0, used = (size_t)snprintf(out, cap, "l=");
    assert_int_equal(hy_list_len(s, "c", "k", "l", &len), HY_OK);
    for (size_t i = 0; i < len; i++) {
        hy_value v;
        assert_int_equal(hy_list_get(s, "c", "k", "l", i, &v), HY_OK);
        used += (size_t)snprintf(out + used, cap - used, "%s%lld", i ? "," : "",
                                 (long long)v.as.integer);
    }
    used += (size_t)snprintf(out + used, cap - used, " m=");
    for (size_t i = 0; i < hy_map_count(s, "c", "k", "m"); i++) {
        const char *name;
        hy_value v;
        assert_int_equal(hy_map_name(s, "c", "k", "m", i, &name), HY_OK);
        assert_int_equal(hy_map_get(s, "c", "k", "m", name, &v), HY_OK);
        used += (size_t)snprintf(out + used, cap - used, "%s%s:%lld", i ? "," : "", name,
                                 (long long)v.as.integer);
    }
    char text[16];
    assert_int_equal(hy_text_read(s, "c", "k", "t", text, sizeof text, &len), HY_OK);
    used += (size_t)snprintf(out + used, cap - used, " t=%.*s s=", (int)len, text);
    for (size_t i = 0; i < hy_set_count(s, "c", "k", "s"); i++) {
        hy_value v;
        assert_int_equal(hy_set_item(s, "c", "k", "s", i, &v), HY_OK);
        used += (size_t)snprintf(out + used, cap - used, "%s%lld", i ? "," : "",
                                 (long long)v.as.integer);
    }
    int64_t n;
    assert_int_equal(hy_counter_get(s, "c", "k", "v", &n), HY_OK);
    used += (size_t)snprintf(out + used, cap - used, " v=%lld", (long long)n);
    assert_true(used < cap);
}

#define BEFORE "l=1,2 m=a:1 t=ab s=1,2 v=5"
#define EDITS 10

/* One edit (by number) on the state BEFORE; what it leaves on success. */
static hy_err one_edit(hy_store *s, int edit, const char **after)
{
    hy_value three = { .type = HY_TYPE_INT, .as.integer = 3 };
    switch (edit) {
    case 0:
        *after = "l=1,3,2 m=a:1 t=ab s=1,2 v=5";
        return hy_list_insert(s, "c", "k", "l", 1, &three);
    case 1:
        *after = "l=2 m=a:1 t=ab s=1,2 v=5";
        return hy_list_delete(s, "c", "k", "l", 0, 1);
    case 2:
        *after = "l=1,2 m=a:1,b:3 t=ab s=1,2 v=5";
        return hy_map_put(s, "c", "k", "m", "b", &three);
    case 3:
        *after = "l=1,2 m=a:3 t=ab s=1,2 v=5";
        return hy_map_put(s, "c", "k", "m", "a", &three);
    case 4:
        *after = "l=1,2 m= t=ab s=1,2 v=5";
        return hy_map_remove(s, "c", "k", "m", "a");
    case 5:
        *after = "l= m=a:1 t=ab s=1,2 v=5";
        return hy_remove(s, "c", "k", "l");
    case 6:
        *after = "l=1,2 m= t=ab s=1,2 v=5";
        return hy_remove(s, "c", "k", "m");
    case 7:
        *after = "l=1,2 m=a:1 t= s=1,2 v=5";
        return hy_remove(s, "c", "k", "t");
    case 8:
        *after = "l=1,2 m=a:1 t=ab s= v=5";
        return hy_remove(s, "c", "k", "s");
    default:
        *after = "l=1,2 m=a:1 t=ab s=1,2 v=0";
        return hy_remove(s, "c", "k", "v");
    }
}

/* A list or map edit, or a remove, that runs out of memory changes nothing, on its own or
 * inside a transaction (whose other edit then commits, or the whole of it rolls back). */
static void failed_edits_leave_state_intact(void **state)
{
    (void)state;
    for (int in_txn = 0; in_txn < 2; in_txn++)
        for (int edit = 0; edit < EDITS; edit++)
            for (size_t k = 1; k < 40; k++) {
                hy_test_alloc t;
                test_platform p;
                hy_store_config cfg = fixture_store_config(&p, hy_test_allocator(&t), 10);
                hy_store *s;
                assert_int_equal(hy_store_new(&cfg, &s), HY_OK);
                hy_value one = { .type = HY_TYPE_INT, .as.integer = 1 }, two = one;
                two.as.integer = 2;
                assert_int_equal(hy_list_insert(s, "c", "k", "l", 0, &one), HY_OK);
                assert_int_equal(hy_list_insert(s, "c", "k", "l", 1, &two), HY_OK);
                assert_int_equal(hy_map_put(s, "c", "k", "m", "a", &one), HY_OK);
                assert_int_equal(hy_text_insert(s, "c", "k", "t", 0, "ab", 2), HY_OK);
                assert_int_equal(hy_set_add(s, "c", "k", "s", &one), HY_OK);
                assert_int_equal(hy_set_add(s, "c", "k", "s", &two), HY_OK);
                assert_int_equal(hy_counter_add(s, "c", "k", "v", 5), HY_OK);
                uint32_t changes = hy_log_count(s->log);
                if (in_txn) {
                    assert_int_equal(hy_txn_begin(s), HY_OK);
                    assert_int_equal(hy_counter_add(s, "c", "k", "n", 1), HY_OK);
                }
                t.fail_at = t.requests + k;
                const char *after;
                hy_err err = one_edit(s, edit, &after);
                t.fail_at = 0;
                if (err)
                    assert_int_equal(err, HY_E_NOMEM);
                if (in_txn)
                    err = hy_txn_commit(s) ? HY_E_NOMEM : err;
                char now[128];
                describe(s, now, sizeof now);
                assert_string_equal(now, err ? BEFORE : after);
                int64_t n = 0;
                hy_err counted = hy_counter_get(s, "c", "k", "n", &n);
                /* The transaction's counter edit commits unless the transaction broke. */
                assert_int_equal(hy_log_count(s->log),
                                 changes + (counted == HY_OK ? 1 : 0) + (err ? 0 : !in_txn));
                hy_store_free(s);
                assert_int_equal(t.live_blocks, 0);
            }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(store_survives_every_failed_allocation),
        cmocka_unit_test(failed_edit_leaves_state_intact),
        cmocka_unit_test(failed_edits_leave_state_intact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

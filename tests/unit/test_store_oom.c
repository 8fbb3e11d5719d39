/* Out-of-memory injection over the store: commit (single edits and transactions), merge,
 * save and load. Every run ends in HY_OK or HY_E_NOMEM, holds nothing once freed, and a
 * failed edit leaves the state as it was. */
#include "hy_test.h"

#include "store_internal.h"
#include "test_alloc.h"
#include "store_fixture.h"

#include <string.h>

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
    return err;
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(store_survives_every_failed_allocation),
        cmocka_unit_test(failed_edit_leaves_state_intact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

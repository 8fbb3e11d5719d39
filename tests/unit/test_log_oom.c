/* Out-of-memory injection: fail the k-th allocation, for every k, over each log operation.
 * Every run must end in HY_OK or HY_E_NOMEM and, once the log is freed, hold no memory. */
#include "hy_test.h"

#include "alloc.h"
#include "log_fixture.h"

#include <string.h>

/* One operation under test, run against a fresh allocator that fails at request k. */
typedef hy_err (*scenario)(hy_allocator al, const uint8_t *input, size_t input_len);

static hy_err commit_and_sign(hy_allocator al, const uint8_t *input, size_t input_len)
{
    (void)input;
    (void)input_len;
    hy_log *log = fixture_log(al, 1, true);
    hy_err err = log ? HY_OK : HY_E_NOMEM;
    for (int i = 0; err == HY_OK && i < 20; i++)
        err = fixture_commit(log, "some ops");
    if (err == HY_OK)
        err = hy_log_sign_local(log);
    hy_log_free(log);
    return err;
}

/* Receiving: the input is a saved log; every change is added one by one, newest first, so
 * that the pending queue is exercised too, then as a signed batch into a second log. */
static hy_err receive(hy_allocator al, const uint8_t *input, size_t input_len)
{
    hy_log_config cfg = fixture_config(hy_allocator_default(), true);
    hy_log *src = NULL, *one = NULL, *batch = NULL;
    hy_err err = hy_log_load(&cfg, input, input_len, &src, NULL);
    assert_int_equal(err, HY_OK); /* the source uses the real allocator */
    hy_log_config dst = fixture_config(al, false);
    err = hy_log_new(&dst, &one);
    hy_writer w;
    hy_writer_init(&w, hy_allocator_default());
    for (uint32_t i = hy_log_count(src); err == HY_OK && i-- > 0;) {
        w.len = 0;
        assert_int_equal(hy_log_encode(src, i, &w), HY_OK);
        err = hy_log_add(one, w.data, w.len, NULL, NULL);
        if (err == HY_E_MISSING_DEPS)
            err = HY_OK;
    }
    hy_writer_free(&w);
    if (err == HY_OK) {
        dst.require_signatures = true;
        err = hy_log_new(&dst, &batch);
    }
    if (err == HY_OK)
        err = fixture_sync(src, batch);
    hy_log_free(src);
    hy_log_free(one);
    hy_log_free(batch);
    return err;
}

static hy_err save(hy_allocator al, const uint8_t *input, size_t input_len)
{
    hy_log_config cfg = fixture_config(al, true);
    hy_log *log = NULL;
    hy_err err = hy_log_load(&cfg, input, input_len, &log, NULL);
    hy_writer w;
    hy_writer_init(&w, al);
    if (err == HY_OK)
        err = hy_log_save(log, &w);
    hy_writer_free(&w);
    hy_log_free(log);
    return err;
}

static hy_err queries(hy_allocator al, const uint8_t *input, size_t input_len)
{
    hy_log_config cfg = fixture_config(al, true);
    hy_log *log = NULL;
    hy_err err = hy_log_load(&cfg, input, input_len, &log, NULL);
    hy_vec out;
    hy_vec_init(&out, sizeof(uint32_t));
    if (err == HY_OK)
        err = hy_log_missing_by_heads(log, NULL, 0, &out);
    if (err == HY_OK)
        err = hy_log_missing_by_vv(log, NULL, 0, &out);
    hy_writer w;
    hy_writer_init(&w, al);
    if (err == HY_OK && hy_log_equivocation_count(log) > 0)
        err = hy_log_equivocation_proof(log, 0, &w);
    hy_writer_free(&w);
    if (log)
        hy_vec_free(&out, hy_log_allocator(log));
    hy_log_free(log);
    return err;
}

/* Runs s with the k-th allocation failing, for k = 1, 2, ... until a run needs no more. */
static void inject_everywhere(scenario s, const uint8_t *input, size_t input_len)
{
    for (size_t k = 1;; k++) {
        hy_test_alloc t;
        hy_allocator al = hy_test_allocator(&t);
        t.fail_at = k;
        hy_err err = s(al, input, input_len);
        if (err != HY_OK && err != HY_E_NOMEM)
            fail_msg("failing allocation %zu gave %s", k, hy_err_str(err));
        if (t.live_blocks != 0)
            fail_msg("failing allocation %zu leaked %zu blocks", k, t.live_blocks);
        if (t.failures == 0) {
            assert_int_equal(err, HY_OK);
            return;
        }
    }
}

/* A saved log with two actors, concurrency and an equivocation, as input. */
static void saved_history(uint8_t **data, size_t *len)
{
    hy_allocator al = hy_allocator_default();
    hy_log *a = fixture_log(al, 1, true), *b = fixture_log(al, 2, true);
    hy_log *twin = fixture_log(al, 2, true);
    for (int i = 0; i < 6; i++) {
        assert_int_equal(fixture_commit(a, "a"), HY_OK);
        assert_int_equal(fixture_commit(b, "b"), HY_OK);
    }
    assert_int_equal(fixture_commit(twin, "twin"), HY_OK);
    assert_int_equal(fixture_sync(b, a), HY_OK);
    assert_int_equal(fixture_sync(twin, a), HY_OK);
    assert_int_equal(fixture_commit(a, "merge"), HY_OK);
    assert_int_equal(fixture_save(a, data, len), HY_OK);
    hy_log_free(a);
    hy_log_free(b);
    hy_log_free(twin);
}

static void commit_survives_oom(void **state)
{
    (void)state;
    inject_everywhere(commit_and_sign, NULL, 0);
}

static void receive_survives_oom(void **state)
{
    (void)state;
    uint8_t *data;
    size_t len;
    saved_history(&data, &len);
    inject_everywhere(receive, data, len);
    fixture_free(data, len);
}

static void load_and_save_survive_oom(void **state)
{
    (void)state;
    uint8_t *data;
    size_t len;
    saved_history(&data, &len);
    inject_everywhere(save, data, len);
    inject_everywhere(queries, data, len);
    fixture_free(data, len);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(commit_survives_oom),
        cmocka_unit_test(receive_survives_oom),
        cmocka_unit_test(load_and_save_survive_oom),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#include "hy_test.h"

#include "alloc.h"
#include "test_alloc.h"
#include "vec.h"

#include <stdalign.h>
#include <string.h>

static void arena_serves_aligned_memory_and_frees_it_all(void **state)
{
    (void)state;
    hy_test_alloc t;
    hy_arena arena;
    hy_arena_init(&arena, hy_test_allocator(&t));
    for (size_t i = 1; i < 2000; i++) {
        uint8_t *p = hy_arena_alloc(&arena, i % 300 + 1);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % alignof(max_align_t), 0);
        memset(p, 0xab, i % 300 + 1);
    }
    uint8_t *big = hy_arena_alloc(&arena, 100000);
    assert_non_null(big);
    memset(big, 1, 100000);
    assert_null(hy_arena_alloc(&arena, 0));
    assert_null(hy_arena_alloc(&arena, SIZE_MAX));
    hy_arena_reset(&arena);
    assert_int_equal(t.live_blocks, 0);
    assert_non_null(hy_arena_alloc(&arena, 8)); /* usable after reset */
    hy_arena_reset(&arena);
    assert_int_equal(t.live_blocks, 0);
}

static void arena_reports_allocation_failure(void **state)
{
    (void)state;
    hy_test_alloc t;
    hy_arena arena;
    hy_arena_init(&arena, hy_test_allocator(&t));
    t.fail_at = 1;
    assert_null(hy_arena_alloc(&arena, 16));
    assert_non_null(hy_arena_alloc(&arena, 16));
    hy_arena_reset(&arena);
    assert_int_equal(t.live_blocks, 0);
}

static void size_mul_saturates(void **state)
{
    (void)state;
    assert_int_equal(hy_size_mul(3, 4), 12);
    assert_int_equal(hy_size_mul(SIZE_MAX / 2, 3), SIZE_MAX);
    assert_int_equal(hy_size_mul(0, SIZE_MAX), 0);
    hy_allocator a = hy_allocator_default();
    assert_null(hy_alloc_zero(&a, SIZE_MAX / 2, 3));
    hy_free(&a, NULL, 0);
}

static void vec_grows_and_keeps_contents(void **state)
{
    (void)state;
    hy_test_alloc t;
    hy_allocator a = hy_test_allocator(&t);
    hy_vec v;
    hy_vec_init(&v, sizeof(uint64_t));
    for (uint64_t i = 0; i < 10000; i++)
        assert_int_equal(hy_vec_push(&v, &a, &i), HY_OK);
    assert_int_equal(hy_vec_push(&v, &a, NULL), HY_OK);
    for (uint64_t i = 0; i < 10000; i++)
        assert_int_equal(HY_VEC_AT(&v, uint64_t, i), i);
    assert_int_equal(HY_VEC_AT(&v, uint64_t, 10000), 0);
    t.fail_at = t.requests + 1;
    assert_int_equal(hy_vec_reserve(&v, &a, v.cap + 1), HY_E_NOMEM);
    assert_int_equal(v.len, 10001);
    hy_vec_free(&v, &a);
    assert_int_equal(t.live_blocks, 0);
}

static void every_error_has_a_message(void **state)
{
    (void)state;
    for (int e = 0; e <= HY_E_INSUFFICIENT_ESCROW; e++) {
        assert_non_null(hy_err_str((hy_err)e));
        assert_true(strcmp(hy_err_str((hy_err)e), "unknown error") != 0);
    }
    assert_string_equal(hy_err_str((hy_err)9999), "unknown error");
    /* Pinned values: renumbering would break every saved error code in the field. */
    assert_int_equal(HY_E_NOMEM, 1);
    assert_int_equal(HY_E_BAD_SIGNATURE, 9);
    assert_int_equal(HY_E_LIMIT, 17);
    assert_int_equal(HY_E_CLOSED, 20);
    assert_int_equal(HY_E_INSUFFICIENT_ESCROW, 21);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(arena_serves_aligned_memory_and_frees_it_all),
        cmocka_unit_test(arena_reports_allocation_failure),
        cmocka_unit_test(size_mul_saturates),
        cmocka_unit_test(vec_grows_and_keeps_contents),
        cmocka_unit_test(every_error_has_a_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* A minimal stand-in for the part of cmocka the unit tests use, for targets without setjmp
 * (WASI) or where cmocka is not packaged (Emscripten). A failed assertion prints where it
 * failed and exits the process with status 1, so the first failure ends the run: the test
 * runner (ctest) reports it. */
#ifndef HY_CMOCKA_SHIM_H
#define HY_CMOCKA_SHIM_H

#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct CMUnitTest {
    const char *name;
    void (*test_func)(void **state);
};

#define cmocka_unit_test(f) { #f, f }

void hy_shim_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), noreturn));
int hy_shim_run(const char *group, const struct CMUnitTest *tests, size_t count);

#define cmocka_run_group_tests(tests, setup, teardown) \
    hy_shim_run(#tests, tests, sizeof(tests) / sizeof((tests)[0]))

#define fail_msg(...) hy_shim_fail(__FILE__, __LINE__, __VA_ARGS__)
#define fail() hy_shim_fail(__FILE__, __LINE__, "fail()")

#define assert_true(c) \
    do { if (!(c)) hy_shim_fail(__FILE__, __LINE__, "%s is false", #c); } while (0)
#define assert_false(c) \
    do { if (c) hy_shim_fail(__FILE__, __LINE__, "%s is true", #c); } while (0)
#define assert_non_null(p) \
    do { if ((p) == NULL) hy_shim_fail(__FILE__, __LINE__, "%s is NULL", #p); } while (0)
#define assert_null(p) \
    do { if ((p) != NULL) hy_shim_fail(__FILE__, __LINE__, "%s is not NULL", #p); } while (0)
#define assert_ptr_equal(a, b) \
    do { if ((const void *)(a) != (const void *)(b)) \
        hy_shim_fail(__FILE__, __LINE__, "%s != %s", #a, #b); } while (0)
#define assert_int_equal(a, b) \
    do { uintmax_t hy_a_ = (uintmax_t)(a), hy_b_ = (uintmax_t)(b); if (hy_a_ != hy_b_) \
        hy_shim_fail(__FILE__, __LINE__, "%s (%" PRIuMAX ") != %s (%" PRIuMAX ")", \
                     #a, hy_a_, #b, hy_b_); } while (0)
#define assert_int_not_equal(a, b) \
    do { if ((uintmax_t)(a) == (uintmax_t)(b)) \
        hy_shim_fail(__FILE__, __LINE__, "%s == %s", #a, #b); } while (0)
#define assert_in_range(v, lo, hi) \
    do { uintmax_t hy_v_ = (uintmax_t)(v); \
        if (hy_v_ < (uintmax_t)(lo) || hy_v_ > (uintmax_t)(hi)) \
        hy_shim_fail(__FILE__, __LINE__, "%s (%" PRIuMAX ") out of range", #v, hy_v_); \
    } while (0)
#define assert_string_equal(a, b) \
    do { if (strcmp((a), (b)) != 0) \
        hy_shim_fail(__FILE__, __LINE__, "\"%s\" != \"%s\"", (a), (b)); } while (0)
#define assert_memory_equal(a, b, n) \
    do { if (memcmp((a), (b), (n)) != 0) \
        hy_shim_fail(__FILE__, __LINE__, "%s and %s differ", #a, #b); } while (0)
#define assert_memory_not_equal(a, b, n) \
    do { if (memcmp((a), (b), (n)) == 0) \
        hy_shim_fail(__FILE__, __LINE__, "%s and %s are equal", #a, #b); } while (0)

#endif

/* Assertions shared by the record-store tests (header-only: they need the test framework,
 * which the fixtures themselves do not). */
#ifndef HY_STORE_ASSERTS_H
#define HY_STORE_ASSERTS_H

#include "hy_test.h"
#include "store_fixture.h"

/* Sends every change of from to to (missing deps count as success). */
static inline void sync_to(hy_store *from, hy_store *to)
{
    assert_int_equal(fixture_store_sync(from, to), HY_OK);
}

/* Two replicas holding the same changes save the same bytes. */
static inline void assert_same_saves(hy_store *a, hy_store *b)
{
    uint8_t *x, *y;
    size_t xl, yl;
    assert_int_equal(hy_store_save(a, &x, &xl), HY_OK);
    assert_int_equal(hy_store_save(b, &y, &yl), HY_OK);
    assert_int_equal(xl, yl);
    assert_memory_equal(x, y, xl);
    hy_store_buffer_free(a, x, xl);
    hy_store_buffer_free(b, y, yl);
}

#endif

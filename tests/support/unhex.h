/* Test vectors are written in hex: decodes exactly n bytes (the whole string) with the
 * engine's own decoder, failing the test on anything else. Include after hy_test.h. */
#ifndef HY_TEST_UNHEX_H
#define HY_TEST_UNHEX_H

#include "hex.h"

static inline void unhex(uint8_t *out, const char *hex, size_t n)
{
    assert_int_equal(hy_hex_decode(out, n, hex), HY_OK);
}

#endif

/* UTF-8: validation and code point decoding for hostile input (no overlongs, no surrogates,
 * nothing above U+10FFFF). */
#ifndef HY_UTF8_H
#define HY_UTF8_H

#include "hypha.h"

#include <stdbool.h>

/* true when all len bytes are valid UTF-8. */
bool hy_utf8_valid(const uint8_t *s, size_t len);

/* Decodes valid UTF-8 (check it first) into code points; returns how many were written to
 * out, which must have room for len values. */
size_t hy_utf8_decode(const uint8_t *s, size_t len, uint32_t *out);
/* Writes code point cp (<= U+10FFFF, not a surrogate) as UTF-8 into out; returns 1 to 4. */
size_t hy_utf8_encode(uint32_t cp, uint8_t out[4]);
/* Bytes needed to encode cp. */
size_t hy_utf8_len(uint32_t cp);

#endif

/* UTF-8: validation and code point decoding for hostile input (no overlongs, no surrogates,
 * nothing above U+10FFFF). */
#ifndef HY_UTF8_H
#define HY_UTF8_H

#include "hypha.h"

#include <stdbool.h>

/* true when all len bytes are valid UTF-8. */
bool hy_utf8_valid(const uint8_t *s, size_t len);

#endif

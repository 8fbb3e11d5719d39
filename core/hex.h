#ifndef HY_HEX_H
#define HY_HEX_H

#include "hypha.h"

/* Writes 2 * len lowercase hex digits and a NUL into out (2 * len + 1 bytes). */
void hy_hex_encode(char *out, const uint8_t *in, size_t len);
/* Decodes exactly 2 * len hex digits (either case) from a NUL-terminated string into out;
 * HY_E_FORMAT on a wrong length or a non-hex character. */
hy_err hy_hex_decode(uint8_t *out, size_t len, const char *in);

#endif

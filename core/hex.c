#include "hex.h"

#include <string.h>

/* Hex is how secret seeds travel through the command line, so both directions are
 * branch-free and table-free on the digit values (the approach of libsodium's codecs). */

void hy_hex_encode(char *out, const uint8_t *in, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned hi = in[i] >> 4, lo = in[i] & 15u;
        /* (9 - n) wraps to a large value exactly when n > 9; add the gap from '9' to 'a'. */
        out[2 * i] = (char)('0' + hi + (((9u - hi) >> 8) & 39u));
        out[2 * i + 1] = (char)('0' + lo + (((9u - lo) >> 8) & 39u));
    }
    out[2 * len] = '\0';
}

/* The digit's value, or 0x100 or more when c is not a hex digit. */
static unsigned hex_value(unsigned char ch)
{
    unsigned c = ch;
    unsigned num = c ^ 48u;                          /* '0'..'9' -> 0..9 */
    unsigned num_ok = ((num - 10u) >> 8) & 0xffu;     /* 0xff when num < 10 */
    unsigned alpha = (c & ~32u) - 55u;               /* 'a'..'f', 'A'..'F' -> 10..15 */
    unsigned alpha_ok = (((alpha - 10u) ^ (alpha - 16u)) >> 8) & 0xffu;
    unsigned ok = num_ok | alpha_ok;
    return ((num_ok & num) | (alpha_ok & alpha)) | ((~ok & 0xffu) << 8);
}

hy_err hy_hex_decode(uint8_t *out, size_t len, const char *in)
{
    if (strlen(in) != 2 * len)
        return HY_E_FORMAT;
    unsigned bad = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned hi = hex_value((unsigned char)in[2 * i]);
        unsigned lo = hex_value((unsigned char)in[2 * i + 1]);
        bad |= (hi | lo) >> 8;
        out[i] = (uint8_t)((hi << 4 | lo) & 0xffu);
    }
    return bad ? HY_E_FORMAT : HY_OK;
}

#include "utf8.h"

bool hy_utf8_valid(const uint8_t *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        uint8_t b = s[i];
        if (b < 0x80) {
            i++;
            continue;
        }
        size_t n;
        uint32_t cp, min;
        if ((b & 0xe0) == 0xc0) {
            n = 2, cp = b & 0x1fu, min = 0x80;
        } else if ((b & 0xf0) == 0xe0) {
            n = 3, cp = b & 0x0fu, min = 0x800;
        } else if ((b & 0xf8) == 0xf0) {
            n = 4, cp = b & 0x07u, min = 0x10000;
        } else {
            return false;
        }
        if (len - i < n)
            return false;
        for (size_t k = 1; k < n; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (s[i + k] & 0x3fu);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += n;
    }
    return true;
}

size_t hy_utf8_decode(const uint8_t *s, size_t len, uint32_t *out)
{
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        uint8_t b = s[i];
        size_t extra = b < 0x80 ? 0 : b < 0xe0 ? 1 : b < 0xf0 ? 2 : 3;
        uint32_t cp = extra == 0 ? b : b & (0x3fu >> extra);
        for (size_t k = 1; k <= extra; k++)
            cp = cp << 6 | (s[i + k] & 0x3fu);
        out[n++] = cp;
        i += extra + 1;
    }
    return n;
}

size_t hy_utf8_len(uint32_t cp)
{
    return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

size_t hy_utf8_encode(uint32_t cp, uint8_t out[4])
{
    size_t n = hy_utf8_len(cp);
    if (n == 1) {
        out[0] = (uint8_t)cp;
        return 1;
    }
    static const uint8_t lead[5] = { 0, 0, 0xc0, 0xe0, 0xf0 };
    for (size_t k = n - 1; k > 0; k--) {
        out[k] = (uint8_t)(0x80 | (cp & 0x3f));
        cp >>= 6;
    }
    out[0] = (uint8_t)(lead[n] | cp);
    return n;
}

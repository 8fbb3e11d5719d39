/* The constants of RFC 1951 that both the compressor and the decompressor need: the base
 * value and extra-bit count of each length and distance code, the order in which code-length
 * code lengths are sent, and the fixed Huffman code. */
#ifndef HY_DEFLATE_TABLES_H
#define HY_DEFLATE_TABLES_H

#include <stdint.h>

#define HY_DEFLATE_LENGTH_CODES 29   /* symbols 257..285 */
#define HY_DEFLATE_DIST_CODES 30
#define HY_DEFLATE_LITLEN_CODES 286  /* literals, end of block, length codes */
#define HY_DEFLATE_FIXED_LITLEN 288  /* the fixed code also assigns 286 and 287 */
#define HY_DEFLATE_FIXED_DIST 32     /* ... and distance codes 30 and 31 */
#define HY_DEFLATE_CODELEN_CODES 19
#define HY_DEFLATE_END_OF_BLOCK 256
#define HY_DEFLATE_MAX_BITS 15
#define HY_DEFLATE_MAX_CODELEN_BITS 7
#define HY_DEFLATE_MIN_MATCH 3
#define HY_DEFLATE_MAX_MATCH 258
#define HY_DEFLATE_WINDOW 32768

extern const uint16_t hy_deflate_length_base[HY_DEFLATE_LENGTH_CODES];
extern const uint8_t hy_deflate_length_extra[HY_DEFLATE_LENGTH_CODES];
extern const uint16_t hy_deflate_dist_base[HY_DEFLATE_DIST_CODES];
extern const uint8_t hy_deflate_dist_extra[HY_DEFLATE_DIST_CODES];
extern const uint8_t hy_deflate_codelen_order[HY_DEFLATE_CODELEN_CODES];

/* The fixed code's length for literal/length symbol sym (0..287); every distance code of the
 * fixed code is 5 bits long. */
static inline uint8_t hy_deflate_fixed_litlen_bits(unsigned sym)
{
    return sym < 144 ? 8 : sym < 256 ? 9 : sym < 280 ? 7 : 8;
}
#define HY_DEFLATE_FIXED_DIST_BITS 5

#endif

/* Optimal length-limited Huffman code lengths (the package-merge algorithm). */
#ifndef HY_HUFFMAN_LENGTHS_H
#define HY_HUFFMAN_LENGTHS_H

#include <stddef.h>
#include <stdint.h>

#define HY_HUFFMAN_MAX_SYMBOLS 288
#define HY_HUFFMAN_MAX_BITS 15

/* Writes to lengths[0..n) the code lengths, each at most max_bits, that minimise the sum of
 * freq[s] * lengths[s]; unused symbols (freq 0) get 0. The code is always complete and has at
 * least two codes: when fewer than two symbols are used, the lowest unused ones fill in with
 * length 1, since some decoders (zlib among them) refuse a code with a single symbol.
 * The sum of freq must stay below 2^32 / max_bits (package weights are 32-bit).
 * n <= HY_HUFFMAN_MAX_SYMBOLS, 2 <= n <= 2^max_bits, max_bits <= HY_HUFFMAN_MAX_BITS. */
void hy_huffman_lengths(const uint32_t *freq, size_t n, unsigned max_bits, uint8_t *lengths);

#endif

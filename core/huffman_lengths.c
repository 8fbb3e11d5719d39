/* Package-merge (Larmore and Hirschberg, 1990). Picture max_bits lists, one per code length.
 * The deepest holds the used symbols ("leaves") sorted by frequency; each shallower list
 * merges the leaves with "packages": pairs of consecutive items of the list below, weighing
 * their sum. Taking the 2n - 2 lightest items of the shallowest list, then in each deeper
 * list as many items as twice the packages taken above, every time a leaf is taken its code
 * grows by one bit: the result is an optimal code no longer than max_bits.
 *
 * Because leaves enter every list in the same order, the items taken from a list are always
 * its first ones and the leaves among them are the first leaves, so all we record per list
 * is which positions hold leaves. */
#include "huffman_lengths.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ITEMS (2 * HY_HUFFMAN_MAX_SYMBOLS)

typedef struct leaf {
    uint32_t freq;
    uint16_t symbol;
} leaf;

/* By frequency, then symbol: a total order, so the lengths depend only on the input. */
static int leaf_order(const void *a, const void *b)
{
    const leaf *x = a, *y = b;
    if (x->freq != y->freq)
        return x->freq < y->freq ? -1 : 1;
    return x->symbol < y->symbol ? -1 : x->symbol > y->symbol;
}

void hy_huffman_lengths(const uint32_t *freq, size_t n, unsigned max_bits, uint8_t *lengths)
{
    leaf leaves[HY_HUFFMAN_MAX_SYMBOLS];
    size_t used = 0;
    for (size_t s = 0; s < n; s++) {
        lengths[s] = 0;
        if (freq[s])
            leaves[used++] = (leaf){ freq[s], (uint16_t)s };
    }
    if (used < 2) {
        /* The used symbol (if any), then the lowest unused ones: two codes of 1 bit. */
        size_t coded = 0;
        for (size_t s = 0; s < n; s++) {
            if (freq[s]) {
                lengths[s] = 1;
                coded++;
            }
        }
        for (size_t s = 0; s < n && coded < 2; s++) {
            if (freq[s] == 0) {
                lengths[s] = 1;
                coded++;
            }
        }
        return;
    }
    qsort(leaves, used, sizeof leaves[0], leaf_order);

    /* is_leaf[l][i]: item i of the list for depth l + 1 is a leaf (else a package). */
    bool is_leaf[HY_HUFFMAN_MAX_BITS][MAX_ITEMS];
    size_t count[HY_HUFFMAN_MAX_BITS];
    uint32_t weight[2][MAX_ITEMS]; /* the list being built and the one below it */

    /* The deepest list is the leaves alone. */
    unsigned deepest = max_bits - 1;
    for (size_t i = 0; i < used; i++) {
        weight[deepest & 1][i] = leaves[i].freq;
        is_leaf[deepest][i] = true;
    }
    count[deepest] = used;
    for (unsigned l = deepest; l-- > 0;) {
        const uint32_t *below = weight[(l + 1) & 1];
        uint32_t *list = weight[l & 1];
        size_t packages = count[l + 1] / 2, p = 0, j = 0, k = 0;
        while (j < used || p < packages) {
            uint32_t package = p < packages ? below[2 * p] + below[2 * p + 1] : 0;
            bool take_leaf = j < used && (p == packages || leaves[j].freq <= package);
            list[k] = take_leaf ? leaves[j++].freq : package;
            is_leaf[l][k++] = take_leaf;
            if (!take_leaf)
                p++;
        }
        count[l] = k;
    }

    size_t take = 2 * used - 2;
    for (unsigned l = 0; l < max_bits && take > 0; l++) {
        size_t leaves_taken = 0;
        for (size_t i = 0; i < take; i++)
            leaves_taken += is_leaf[l][i];
        for (size_t i = 0; i < leaves_taken; i++)
            lengths[leaves[i].symbol]++;
        take = 2 * (take - leaves_taken);
    }
}

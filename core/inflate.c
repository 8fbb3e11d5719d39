/* DEFLATE decoding (RFC 1951) of hostile input.
 *
 * Every read of the input and every write of the output is bounds-checked: bits come
 * through a reader that never looks past the end, and the output lives in the caller's
 * writer, grown before each symbol is written. The output itself is the window, so there is
 * no copy of it and no allocation besides the writer's. */
#include "deflate.h"

#include "deflate_tables.h"
#include "try.h"

#include <string.h>

/* ---- bits ------------------------------------------------------------------------------ */

/* Bits are consumed from the low end of `bits`; `count` of them are valid. Bits above count
 * are either zero or the true next bits of the input, never anything else, so a decoder that
 * peeks past count sees at worst zeros, and reports truncation when a code needs them. */
typedef struct bit_reader {
    const uint8_t *in;
    size_t len;
    size_t pos; /* next byte not yet in `bits` */
    uint64_t bits;
    unsigned count;
} bit_reader;

static inline uint64_t load_u64le(const uint8_t *p)
{
    /* Shifts, not memcpy, so the result does not depend on the host's byte order; compilers
     * turn this into one load on little-endian machines. */
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
           (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
           (uint64_t)p[7] << 56;
}

/* Tops up to at least 56 valid bits, or as many as the input has left. */
static inline void refill(bit_reader *br)
{
    if (br->len - br->pos >= 8) {
        br->bits |= load_u64le(br->in + br->pos) << br->count;
        unsigned take = (63 - br->count) >> 3;
        br->pos += take;
        br->count += take * 8;
        return;
    }
    while (br->count <= 56 && br->pos < br->len) {
        br->bits |= (uint64_t)br->in[br->pos++] << br->count;
        br->count += 8;
    }
}

static inline void drop_bits(bit_reader *br, unsigned n)
{
    br->bits >>= n;
    br->count -= n;
}

/* n <= 32 bits, least significant first. */
static inline hy_err get_bits(bit_reader *br, unsigned n, uint32_t *out)
{
    if (br->count < n) {
        refill(br);
        if (br->count < n)
            return HY_E_TRUNCATED;
    }
    *out = (uint32_t)(br->bits & (((uint64_t)1 << n) - 1));
    drop_bits(br, n);
    return HY_OK;
}

/* ---- Huffman decoding ------------------------------------------------------------------ */

/* Codes up to FAST_BITS long decode with one look-up of the next FAST_BITS bits; longer ones
 * (rare, since each is used less than once in 2^FAST_BITS symbols) are decoded a bit at a
 * time from the canonical counts. An entry is (symbol << 4) | length; 0 sends the decoder to
 * the slow path. */
#define FAST_BITS 10
#define FAST_SIZE (1u << FAST_BITS)
#define MAX_SYMBOLS HY_DEFLATE_FIXED_LITLEN

typedef struct huffman {
    uint16_t fast[FAST_SIZE];
    uint16_t count[HY_DEFLATE_MAX_BITS + 1];  /* codes of each length */
    uint16_t symbols[MAX_SYMBOLS];            /* ordered by (length, symbol): canonical order */
    unsigned max_len;                         /* of the longest code; 0 when there is none */
} huffman;

/* What incomplete codes a table accepts. RFC 1951 requires complete codes except that "if
 * only one distance code is used, it is encoded using one bit", and a block of literals only
 * needs no distance code at all; we accept exactly those, and the same single one-bit code
 * for literal/length, as zlib does. */
typedef enum code_kind {
    CODE_LENGTHS, /* the code-length code: complete only */
    CODE_LITLEN,  /* complete, or one code of length 1 */
    CODE_DIST,    /* complete, one code of length 1, or none */
} code_kind;

static unsigned reverse_bits(unsigned code, unsigned n)
{
    unsigned r = 0;
    for (unsigned i = 0; i < n; i++, code >>= 1)
        r = (r << 1) | (code & 1);
    return r;
}

static hy_err huffman_build(huffman *h, const uint8_t *lengths, unsigned n, code_kind kind)
{
    memset(h->count, 0, sizeof h->count);
    for (unsigned s = 0; s < n; s++)
        h->count[lengths[s]]++;
    h->count[0] = 0;

    /* Kraft: `left` is how many codes of the current length are still free. */
    int32_t left = 1;
    unsigned used = 0;
    h->max_len = 0;
    for (unsigned len = 1; len <= HY_DEFLATE_MAX_BITS; len++) {
        left = 2 * left - h->count[len];
        if (left < 0)
            return HY_E_FORMAT; /* over-subscribed */
        used += h->count[len];
        if (h->count[len])
            h->max_len = len;
    }
    if (left > 0) {
        bool single_one_bit = used == 1 && h->count[1] == 1;
        bool allowed = (kind == CODE_LITLEN && single_one_bit) ||
                       (kind == CODE_DIST && (single_one_bit || used == 0));
        if (!allowed)
            return HY_E_FORMAT; /* incomplete */
    }

    uint16_t offset[HY_DEFLATE_MAX_BITS + 2];
    offset[1] = 0;
    for (unsigned len = 1; len <= HY_DEFLATE_MAX_BITS; len++)
        offset[len + 1] = (uint16_t)(offset[len] + h->count[len]);
    for (unsigned s = 0; s < n; s++) {
        if (lengths[s])
            h->symbols[offset[lengths[s]]++] = (uint16_t)s;
    }

    /* Canonical codes in symbol order (RFC 1951 section 3.2.2), bit-reversed because the
     * stream sends them most significant bit first into a least-significant-first reader. */
    memset(h->fast, 0, sizeof h->fast);
    unsigned next[HY_DEFLATE_MAX_BITS + 1];
    unsigned code = 0;
    for (unsigned len = 1; len <= HY_DEFLATE_MAX_BITS; len++) {
        code = (code + h->count[len - 1]) << 1;
        next[len] = code;
    }
    for (unsigned s = 0; s < n; s++) {
        unsigned len = lengths[s];
        if (len == 0 || len > FAST_BITS) {
            if (len)
                next[len]++;
            continue;
        }
        uint16_t entry = (uint16_t)(s << 4 | len);
        for (unsigned i = reverse_bits(next[len]++, len); i < FAST_SIZE; i += 1u << len)
            h->fast[i] = entry;
    }
    return HY_OK;
}

/* Canonical decoding one bit at a time: codes of each length are consecutive integers. */
static hy_err decode_slow(bit_reader *br, const huffman *h, unsigned *sym)
{
    int32_t code = 0, first = 0, index = 0;
    for (unsigned len = 1; len <= h->max_len; len++) {
        if (len > br->count)
            return HY_E_TRUNCATED;
        code |= (int32_t)((br->bits >> (len - 1)) & 1);
        int32_t count = h->count[len];
        if (code - first < count) {
            *sym = h->symbols[index + code - first];
            drop_bits(br, len);
            return HY_OK;
        }
        index += count;
        first = (first + count) << 1;
        code <<= 1;
    }
    return HY_E_FORMAT; /* bits that no code of an incomplete code starts with */
}

static inline hy_err decode(bit_reader *br, const huffman *h, unsigned *sym)
{
    if (br->count < HY_DEFLATE_MAX_BITS)
        refill(br);
    unsigned entry = h->fast[br->bits & (FAST_SIZE - 1)];
    unsigned len = entry & 15;
    if (len == 0)
        return decode_slow(br, h, sym);
    if (len > br->count)
        return HY_E_TRUNCATED;
    *sym = entry >> 4;
    drop_bits(br, len);
    return HY_OK;
}

/* ---- output ---------------------------------------------------------------------------- */

/* The output is the writer's buffer; start is where this stream's output begins (the
 * writer may hold earlier data, which matches must not reach back into). */
typedef struct inflate_out {
    hy_writer *w;
    size_t start;
    size_t max_out;
} inflate_out;

/* Room for n more bytes plus a word of slack for the word-at-a-time match copy. */
#define COPY_SLACK 8

static hy_err make_room(inflate_out *o, size_t n)
{
    hy_writer *w = o->w;
    if (n > o->max_out - (w->len - o->start))
        return HY_E_TOO_LARGE;
    if (w->cap - w->len < n + COPY_SLACK) {
        if (hy_writer_reserve(w, n + COPY_SLACK) == NULL)
            return HY_E_NOMEM;
    }
    return HY_OK;
}

static void copy_match(uint8_t *dst, size_t dist, size_t len)
{
    const uint8_t *src = dst - dist;
    if (dist >= 8) {
        /* 8 bytes at a time, each read wholly behind what is being written; may write up to
         * 7 bytes past len, into the slack make_room keeps. */
        for (size_t i = 0; i < len; i += 8)
            memcpy(dst + i, src + i, 8);
        return;
    }
    for (size_t i = 0; i < len; i++)
        dst[i] = src[i];
}

/* ---- blocks ---------------------------------------------------------------------------- */

static hy_err stored_block(bit_reader *br, inflate_out *o)
{
    /* The block starts at the next byte boundary. `bits` holds whole bytes after the partial
     * one, so hand them back to the input and read LEN and NLEN directly. */
    drop_bits(br, br->count & 7);
    br->pos -= br->count / 8;
    br->bits = 0;
    br->count = 0;
    if (br->len - br->pos < 4)
        return HY_E_TRUNCATED;
    const uint8_t *p = br->in + br->pos;
    unsigned n = (unsigned)p[0] | (unsigned)p[1] << 8;
    unsigned complement = (unsigned)p[2] | (unsigned)p[3] << 8;
    if ((n ^ complement) != 0xffff)
        return HY_E_FORMAT;
    br->pos += 4;
    if (br->len - br->pos < n)
        return HY_E_TRUNCATED;
    HY_TRY(make_room(o, n));
    if (n) {
        memcpy(o->w->data + o->w->len, br->in + br->pos, n);
        o->w->len += n;
    }
    br->pos += n;
    return HY_OK;
}

static hy_err codes_block(bit_reader *br, inflate_out *o, const huffman *litlen,
                          const huffman *dist)
{
    hy_writer *w = o->w;
    for (;;) {
        unsigned sym;
        HY_TRY(decode(br, litlen, &sym));
        if (sym < 256) {
            HY_TRY(make_room(o, 1));
            w->data[w->len++] = (uint8_t)sym;
            continue;
        }
        if (sym == HY_DEFLATE_END_OF_BLOCK)
            return HY_OK;
        sym -= 257;
        if (sym >= HY_DEFLATE_LENGTH_CODES)
            return HY_E_FORMAT; /* 286 and 287: in the fixed code, but never valid */
        uint32_t extra;
        HY_TRY(get_bits(br, hy_deflate_length_extra[sym], &extra));
        size_t len = hy_deflate_length_base[sym] + extra;

        HY_TRY(decode(br, dist, &sym));
        if (sym >= HY_DEFLATE_DIST_CODES)
            return HY_E_FORMAT; /* 30 and 31 */
        HY_TRY(get_bits(br, hy_deflate_dist_extra[sym], &extra));
        size_t distance = hy_deflate_dist_base[sym] + extra;
        if (distance > w->len - o->start)
            return HY_E_FORMAT; /* before the start of the output */
        HY_TRY(make_room(o, len));
        copy_match(w->data + w->len, distance, len);
        w->len += len;
    }
}

static hy_err fixed_block(bit_reader *br, inflate_out *o)
{
    huffman litlen, dist;
    uint8_t lengths[HY_DEFLATE_FIXED_LITLEN];
    for (unsigned s = 0; s < HY_DEFLATE_FIXED_LITLEN; s++)
        lengths[s] = hy_deflate_fixed_litlen_bits(s);
    HY_TRY(huffman_build(&litlen, lengths, HY_DEFLATE_FIXED_LITLEN, CODE_LITLEN));
    memset(lengths, HY_DEFLATE_FIXED_DIST_BITS, HY_DEFLATE_FIXED_DIST);
    HY_TRY(huffman_build(&dist, lengths, HY_DEFLATE_FIXED_DIST, CODE_DIST));
    return codes_block(br, o, &litlen, &dist);
}

/* The code lengths of a dynamic block's two codes, themselves Huffman-coded with run-length
 * symbols 16 (repeat the previous length 3-6 times), 17 (3-10 zeros) and 18 (11-138 zeros);
 * runs may cross from the literal/length lengths into the distance lengths. */
static hy_err read_code_lengths(bit_reader *br, const huffman *codelen, uint8_t *lengths,
                                unsigned total)
{
    for (unsigned i = 0; i < total;) {
        unsigned sym;
        HY_TRY(decode(br, codelen, &sym));
        if (sym < 16) {
            lengths[i++] = (uint8_t)sym;
            continue;
        }
        uint32_t repeat;
        uint8_t value = 0;
        if (sym == 16) {
            if (i == 0)
                return HY_E_FORMAT; /* nothing to repeat */
            value = lengths[i - 1];
            HY_TRY(get_bits(br, 2, &repeat));
            repeat += 3;
        } else if (sym == 17) {
            HY_TRY(get_bits(br, 3, &repeat));
            repeat += 3;
        } else {
            HY_TRY(get_bits(br, 7, &repeat));
            repeat += 11;
        }
        if (repeat > total - i)
            return HY_E_FORMAT;
        memset(lengths + i, value, repeat);
        i += repeat;
    }
    return HY_OK;
}

static hy_err dynamic_block(bit_reader *br, inflate_out *o)
{
    uint32_t hlit, hdist, hclen;
    HY_TRY(get_bits(br, 5, &hlit));
    HY_TRY(get_bits(br, 5, &hdist));
    HY_TRY(get_bits(br, 4, &hclen));
    hlit += 257;
    hdist += 1;
    hclen += 4;
    if (hlit > HY_DEFLATE_LITLEN_CODES || hdist > HY_DEFLATE_DIST_CODES)
        return HY_E_FORMAT;

    uint8_t lengths[HY_DEFLATE_LITLEN_CODES + HY_DEFLATE_DIST_CODES];
    memset(lengths, 0, HY_DEFLATE_CODELEN_CODES);
    for (unsigned i = 0; i < hclen; i++) {
        uint32_t len;
        HY_TRY(get_bits(br, 3, &len));
        lengths[hy_deflate_codelen_order[i]] = (uint8_t)len;
    }
    huffman litlen, dist;
    HY_TRY(huffman_build(&litlen, lengths, HY_DEFLATE_CODELEN_CODES, CODE_LENGTHS));
    HY_TRY(read_code_lengths(br, &litlen, lengths, hlit + hdist));
    if (lengths[HY_DEFLATE_END_OF_BLOCK] == 0)
        return HY_E_FORMAT; /* the block could never end */
    HY_TRY(huffman_build(&litlen, lengths, hlit, CODE_LITLEN));
    HY_TRY(huffman_build(&dist, lengths + hlit, hdist, CODE_DIST));
    return codes_block(br, o, &litlen, &dist);
}

static hy_err inflate_blocks(bit_reader *br, inflate_out *o)
{
    uint32_t final;
    do {
        uint32_t type;
        HY_TRY(get_bits(br, 1, &final));
        HY_TRY(get_bits(br, 2, &type));
        switch (type) {
        case 0:
            HY_TRY(stored_block(br, o));
            break;
        case 1:
            HY_TRY(fixed_block(br, o));
            break;
        case 2:
            HY_TRY(dynamic_block(br, o));
            break;
        default:
            return HY_E_FORMAT; /* block type 3 is reserved */
        }
    } while (!final);
    return HY_OK;
}

hy_err hy_inflate(const uint8_t *in, size_t len, hy_writer *out, size_t max_out,
                  size_t *consumed)
{
    if (out->err)
        return out->err;
    bit_reader br = { in, len, 0, 0, 0 };
    inflate_out o = { out, out->len, max_out };
    hy_err err = inflate_blocks(&br, &o);
    if (err) {
        out->len = o.start;
        return err;
    }
    if (consumed)
        *consumed = br.pos - br.count / 8;
    return HY_OK;
}

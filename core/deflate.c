/* DEFLATE compression (RFC 1951): LZ77 over hash chains with lazy matching, then each block
 * of symbols written as whichever of a dynamic Huffman, fixed Huffman or stored block is
 * smallest, with optimal length-limited codes. Sizes come out within a fraction of a percent
 * of zlib's level 6 (tests/diff/test_diff_deflate.c measures it).
 *
 * The whole input is in memory, so matches point straight into it: the 32 KiB window is
 * only a limit on distance, never a copy. */
#include "deflate.h"

#include "alloc.h"
#include "deflate_tables.h"
#include "huffman_lengths.h"
#include "try.h"

#include <string.h>

/* Search effort (zlib level 6's): at most MAX_CHAIN candidates per position, a quarter of
 * them when the match in hand is already GOOD_MATCH long; no lazy look at the next position
 * after a match of LAZY_MATCH; stop searching at NICE_MATCH. (A chain of 64 was a third
 * faster but 2-8% larger on low-entropy data such as runs and columns.) */
#define MAX_CHAIN 128
#define GOOD_MATCH 8
#define LAZY_MATCH 16
#define NICE_MATCH 128
/* A 3-byte match further back than this takes more bits than three literals. */
#define FAR_MIN_MATCH 4096

/* The chains link positions whose first 4 bytes hash alike: with 3, on text nearly every
 * position starts a chain of common 3-byte strings, and the search takes twice as long.
 * 3-byte matches, worth having only when near (FAR_MIN_MATCH), come from a table of the
 * latest position per 3-byte hash instead. */
#define HASH_BYTES 4
#define MAX_HASH_BITS 15
#define MIN_HASH_BITS 8
#define SHORT_HASH_BITS 12
/* Symbols per block: enough for the Huffman codes to fit the data, few enough to adapt. */
#define BLOCK_SYMBOLS 16384

/* ---- bits out -------------------------------------------------------------------------- */

/* Bits go least significant first into `bits` and out as whole bytes. Each block reserves
 * its exact size in the writer first, so writing needs no checks. */
typedef struct bit_writer {
    uint8_t *p;
    uint64_t bits;
    unsigned count; /* < 32 between calls */
} bit_writer;

static inline void put_bits(bit_writer *bw, uint32_t value, unsigned n)
{
    bw->bits |= (uint64_t)value << bw->count;
    bw->count += n;
    if (bw->count >= 32) {
        hy_store_u32le(bw->p, (uint32_t)bw->bits);
        bw->p += 4;
        bw->bits >>= 32;
        bw->count -= 32;
    }
}

/* Writes out the whole bytes, leaving fewer than 8 bits. */
static void flush_bytes(bit_writer *bw)
{
    while (bw->count >= 8) {
        *bw->p++ = (uint8_t)bw->bits;
        bw->bits >>= 8;
        bw->count -= 8;
    }
}

/* ---- state ----------------------------------------------------------------------------- */

typedef struct deflate_state {
    const uint8_t *in;
    size_t len;
    hy_writer *out;

    /* Hash chains: head[h] is the latest position whose next 4 bytes hash to h, prev[p &
     * window_mask] the position before p with the same hash. Positions are stored modulo
     * 2^32; a stale or wrapped entry only proposes a candidate, which is checked. */
    uint32_t *head;
    uint32_t *prev;
    uint32_t *short_head; /* latest position per hash of its first 3 bytes */
    unsigned hash_shift, short_shift;
    size_t window_mask;

    /* The block being collected: dist 0 is a literal (litlen the byte), else a match of
     * length litlen + 3. */
    uint16_t *sym_dist;
    uint8_t *sym_litlen;
    size_t symbols;
    size_t block_start; /* input offset of the block's first byte */
    size_t block_end;   /* input offset after its last symbol */
    uint32_t litlen_freq[HY_DEFLATE_LITLEN_CODES];
    uint32_t dist_freq[HY_DEFLATE_DIST_CODES];

    /* Bits of the last block's final partial byte. */
    uint64_t pending_bits;
    unsigned pending_count;
} deflate_state;

static unsigned floor_log2(uint32_t v)
{
    return 31u - (unsigned)__builtin_clz(v);
}

/* Length code (0..28) of a match length minus 3 (0..255), from the table's structure: codes
 * 0-7 are single lengths, then four codes per extra bit. */
static unsigned length_code(unsigned len_minus_3)
{
    if (len_minus_3 < 8)
        return len_minus_3;
    if (len_minus_3 == 255)
        return 28;
    unsigned extra = floor_log2(len_minus_3) - 2;
    return 4 * extra + 4 + ((len_minus_3 >> extra) & 3);
}

/* Distance code (0..29) of a distance minus 1 (0..32767): two codes per extra bit. */
static unsigned dist_code(unsigned dist_minus_1)
{
    if (dist_minus_1 < 4)
        return dist_minus_1;
    unsigned extra = floor_log2(dist_minus_1) - 1;
    return 2 * extra + 2 + ((dist_minus_1 >> extra) & 1);
}

/* ---- blocks ---------------------------------------------------------------------------- */

/* One Huffman code: lengths and bit-reversed codes, ready to write. */
typedef struct code_table {
    uint8_t lengths[HY_DEFLATE_FIXED_LITLEN];
    uint16_t codes[HY_DEFLATE_FIXED_LITLEN];
} code_table;

/* A dynamic block's header: the two codes' lengths as one run-length-coded sequence. */
typedef struct dynamic_header {
    unsigned hlit, hdist, hclen;
    uint8_t ops[HY_DEFLATE_LITLEN_CODES + HY_DEFLATE_DIST_CODES]; /* symbols 0-18 */
    uint8_t op_extra[HY_DEFLATE_LITLEN_CODES + HY_DEFLATE_DIST_CODES];
    size_t op_count;
    code_table codelen;
} dynamic_header;

static const uint8_t codelen_extra_bits[HY_DEFLATE_CODELEN_CODES] = {
    [16] = 2, [17] = 3, [18] = 7,
};

static void add_op(dynamic_header *hd, unsigned sym, unsigned extra)
{
    hd->ops[hd->op_count] = (uint8_t)sym;
    hd->op_extra[hd->op_count++] = (uint8_t)extra;
}

/* Run-length codes the sequence: zeros as 17/18, other repeats as 16 after one plain copy. */
static void encode_lengths(dynamic_header *hd, const uint8_t *lengths, size_t n)
{
    hd->op_count = 0;
    for (size_t i = 0; i < n;) {
        uint8_t value = lengths[i];
        size_t run = 1;
        while (i + run < n && lengths[i + run] == value)
            run++;
        i += run;
        if (value == 0) {
            for (; run >= 11; run -= run < 138 ? run : 138)
                add_op(hd, 18, (unsigned)(run < 138 ? run : 138) - 11);
            if (run >= 3) {
                add_op(hd, 17, (unsigned)run - 3);
                run = 0;
            }
        } else {
            add_op(hd, value, 0);
            run--;
            for (; run >= 3; run -= run < 6 ? run : 6)
                add_op(hd, 16, (unsigned)(run < 6 ? run : 6) - 3);
        }
        for (; run > 0; run--)
            add_op(hd, value, 0);
    }
}

static void make_codes(code_table *t, size_t n)
{
    unsigned count[HY_DEFLATE_MAX_BITS + 1] = { 0 };
    unsigned next[HY_DEFLATE_MAX_BITS + 1];
    for (size_t s = 0; s < n; s++)
        count[t->lengths[s]]++;
    count[0] = 0;
    unsigned code = 0;
    for (unsigned len = 1; len <= HY_DEFLATE_MAX_BITS; len++) {
        code = (code + count[len - 1]) << 1;
        next[len] = code;
    }
    for (size_t s = 0; s < n; s++) {
        unsigned len = t->lengths[s], c = next[len]++, r = 0;
        for (unsigned b = 0; b < len; b++, c >>= 1)
            r = (r << 1) | (c & 1);
        t->codes[s] = (uint16_t)r;
    }
}

/* Bits of the block's symbols (not its header) under the given codes. */
static uint64_t data_bits(const deflate_state *st, const code_table *litlen,
                          const code_table *dist)
{
    uint64_t bits = 0;
    for (unsigned s = 0; s < HY_DEFLATE_LITLEN_CODES; s++) {
        unsigned extra = s > 256 ? hy_deflate_length_extra[s - 257] : 0;
        bits += (uint64_t)st->litlen_freq[s] * (litlen->lengths[s] + extra);
    }
    for (unsigned s = 0; s < HY_DEFLATE_DIST_CODES; s++)
        bits += (uint64_t)st->dist_freq[s] * (dist->lengths[s] + hy_deflate_dist_extra[s]);
    return bits;
}

/* Builds the dynamic codes and header; returns the header's size in bits. */
static uint64_t plan_dynamic(const deflate_state *st, code_table *litlen, code_table *dist,
                             dynamic_header *hd)
{
    hy_huffman_lengths(st->litlen_freq, HY_DEFLATE_LITLEN_CODES, HY_DEFLATE_MAX_BITS,
                       litlen->lengths);
    hy_huffman_lengths(st->dist_freq, HY_DEFLATE_DIST_CODES, HY_DEFLATE_MAX_BITS,
                       dist->lengths);
    make_codes(litlen, HY_DEFLATE_LITLEN_CODES);
    make_codes(dist, HY_DEFLATE_DIST_CODES);

    hd->hlit = HY_DEFLATE_LITLEN_CODES;
    while (litlen->lengths[hd->hlit - 1] == 0)
        hd->hlit--;
    hd->hdist = HY_DEFLATE_DIST_CODES;
    while (hd->hdist > 1 && dist->lengths[hd->hdist - 1] == 0)
        hd->hdist--;
    uint8_t all[HY_DEFLATE_LITLEN_CODES + HY_DEFLATE_DIST_CODES];
    memcpy(all, litlen->lengths, hd->hlit);
    memcpy(all + hd->hlit, dist->lengths, hd->hdist);
    encode_lengths(hd, all, hd->hlit + hd->hdist);

    uint32_t freq[HY_DEFLATE_CODELEN_CODES] = { 0 };
    for (size_t i = 0; i < hd->op_count; i++)
        freq[hd->ops[i]]++;
    hy_huffman_lengths(freq, HY_DEFLATE_CODELEN_CODES, HY_DEFLATE_MAX_CODELEN_BITS,
                       hd->codelen.lengths);
    make_codes(&hd->codelen, HY_DEFLATE_CODELEN_CODES);
    hd->hclen = HY_DEFLATE_CODELEN_CODES;
    while (hd->hclen > 4 && hd->codelen.lengths[hy_deflate_codelen_order[hd->hclen - 1]] == 0)
        hd->hclen--;

    uint64_t bits = 5 + 5 + 4 + 3 * (uint64_t)hd->hclen;
    for (unsigned s = 0; s < HY_DEFLATE_CODELEN_CODES; s++)
        bits += (uint64_t)freq[s] * (hd->codelen.lengths[s] + codelen_extra_bits[s]);
    return bits;
}

static void fixed_codes(code_table *litlen, code_table *dist)
{
    for (unsigned s = 0; s < HY_DEFLATE_FIXED_LITLEN; s++)
        litlen->lengths[s] = hy_deflate_fixed_litlen_bits(s);
    memset(dist->lengths, HY_DEFLATE_FIXED_DIST_BITS, HY_DEFLATE_FIXED_DIST);
    make_codes(litlen, HY_DEFLATE_FIXED_LITLEN);
    make_codes(dist, HY_DEFLATE_FIXED_DIST);
}

/* Stored blocks hold at most 65535 bytes each: a 3-bit header, padding to a byte boundary
 * (the first after `before` bits, 5 bits after each earlier stored block), LEN and NLEN. */
#define STORED_MAX 65535

static uint64_t stored_bits(size_t bytes, unsigned before)
{
    uint64_t blocks = bytes == 0 ? 1 : (bytes + STORED_MAX - 1) / STORED_MAX;
    uint64_t first_pad = (8 - (before + 3) % 8) % 8;
    return blocks * (3 + 32) + first_pad + (blocks - 1) * 5 + 8 * (uint64_t)bytes;
}

static void write_stored(bit_writer *bw, const uint8_t *data, size_t bytes, bool final)
{
    do {
        size_t n = bytes < STORED_MAX ? bytes : STORED_MAX;
        bool last = n == bytes;
        put_bits(bw, (final && last) ? 1 : 0, 3);
        bw->count = (bw->count + 7) & ~7u; /* padding: the bits above count are zero */
        flush_bytes(bw);
        put_bits(bw, (uint32_t)n | (uint32_t)(n ^ 0xffff) << 16, 32);
        flush_bytes(bw);
        memcpy(bw->p, data, n);
        bw->p += n;
        data += n;
        bytes -= n;
    } while (bytes > 0);
}

static void write_symbols(bit_writer *bw, const deflate_state *st, const code_table *litlen,
                          const code_table *dist)
{
    for (size_t i = 0; i < st->symbols; i++) {
        unsigned d = st->sym_dist[i], l = st->sym_litlen[i];
        if (d == 0) {
            put_bits(bw, litlen->codes[l], litlen->lengths[l]);
            continue;
        }
        unsigned lc = length_code(l), sym = 257 + lc;
        put_bits(bw, litlen->codes[sym] | (l + 3 - hy_deflate_length_base[lc]) << litlen->lengths[sym],
                 litlen->lengths[sym] + hy_deflate_length_extra[lc]);
        unsigned dc = dist_code(d - 1);
        put_bits(bw, dist->codes[dc] | (d - hy_deflate_dist_base[dc]) << dist->lengths[dc],
                 dist->lengths[dc] + hy_deflate_dist_extra[dc]);
    }
    put_bits(bw, litlen->codes[HY_DEFLATE_END_OF_BLOCK],
             litlen->lengths[HY_DEFLATE_END_OF_BLOCK]);
}

static void write_dynamic_header(bit_writer *bw, const dynamic_header *hd)
{
    put_bits(bw, hd->hlit - 257, 5);
    put_bits(bw, hd->hdist - 1, 5);
    put_bits(bw, hd->hclen - 4, 4);
    for (unsigned i = 0; i < hd->hclen; i++)
        put_bits(bw, hd->codelen.lengths[hy_deflate_codelen_order[i]], 3);
    for (size_t i = 0; i < hd->op_count; i++) {
        unsigned sym = hd->ops[i];
        put_bits(bw, hd->codelen.codes[sym], hd->codelen.lengths[sym]);
        put_bits(bw, hd->op_extra[i], codelen_extra_bits[sym]);
    }
}

/* Writes the collected symbols as the smallest of the three block kinds. */
static hy_err flush_block(deflate_state *st, bool final)
{
    st->litlen_freq[HY_DEFLATE_END_OF_BLOCK] = 1;
    code_table dyn_litlen, dyn_dist, fix_litlen, fix_dist;
    dynamic_header hd;
    uint64_t dynamic = 3 + plan_dynamic(st, &dyn_litlen, &dyn_dist, &hd) +
                       data_bits(st, &dyn_litlen, &dyn_dist);
    fixed_codes(&fix_litlen, &fix_dist);
    uint64_t fixed = 3 + data_bits(st, &fix_litlen, &fix_dist);
    size_t raw = st->block_end - st->block_start;
    uint64_t stored = stored_bits(raw, st->pending_count);

    uint64_t best = dynamic < fixed ? dynamic : fixed;
    best = stored < best ? stored : best;
    uint64_t reserve = (st->pending_count + best + 7) / 8;
    if (reserve > SIZE_MAX - 8)
        return HY_E_NOMEM;
    bit_writer bw = { hy_writer_reserve(st->out, (size_t)reserve + 8), st->pending_bits,
                      st->pending_count };
    if (bw.p == NULL)
        return HY_E_NOMEM;
    uint8_t *start = bw.p;
    if (best == stored) {
        write_stored(&bw, st->in + st->block_start, raw, final);
    } else if (best == fixed) {
        put_bits(&bw, (final ? 1 : 0) | 1 << 1, 3);
        write_symbols(&bw, st, &fix_litlen, &fix_dist);
    } else {
        put_bits(&bw, (final ? 1 : 0) | 2 << 1, 3);
        write_dynamic_header(&bw, &hd);
        write_symbols(&bw, st, &dyn_litlen, &dyn_dist);
    }
    flush_bytes(&bw);
    hy_writer_advance(st->out, (size_t)(bw.p - start));
    st->pending_bits = bw.bits;
    st->pending_count = bw.count;

    st->symbols = 0;
    st->block_start = st->block_end;
    memset(st->litlen_freq, 0, sizeof st->litlen_freq);
    memset(st->dist_freq, 0, sizeof st->dist_freq);
    return HY_OK;
}

static hy_err emit_literal(deflate_state *st, uint8_t byte)
{
    st->sym_dist[st->symbols] = 0;
    st->sym_litlen[st->symbols++] = byte;
    st->litlen_freq[byte]++;
    st->block_end++;
    return st->symbols == BLOCK_SYMBOLS ? flush_block(st, false) : HY_OK;
}

static hy_err emit_match(deflate_state *st, size_t len, size_t dist)
{
    st->sym_dist[st->symbols] = (uint16_t)dist;
    st->sym_litlen[st->symbols++] = (uint8_t)(len - 3);
    st->litlen_freq[257 + length_code((unsigned)len - 3)]++;
    st->dist_freq[dist_code((unsigned)dist - 1)]++;
    st->block_end += len;
    return st->symbols == BLOCK_SYMBOLS ? flush_block(st, false) : HY_OK;
}

/* ---- matching -------------------------------------------------------------------------- */

static inline uint64_t load_u64le(const uint8_t *p)
{
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
           (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
           (uint64_t)p[7] << 56;
}

/* Length of the common prefix of a and b, at most max. */
static inline size_t common_length(const uint8_t *a, const uint8_t *b, size_t max)
{
    size_t n = 0;
    while (n + 8 <= max) {
        uint64_t diff = load_u64le(a + n) ^ load_u64le(b + n);
        if (diff)
            return n + (size_t)__builtin_ctzll(diff) / 8;
        n += 8;
    }
    while (n < max && a[n] == b[n])
        n++;
    return n;
}

/* The earlier positions the tables propose for a new one. */
typedef struct candidates {
    uint32_t chain; /* the latest with the same 4-byte hash: the chain's start */
    uint32_t short_match; /* the latest with the same 3-byte hash */
} candidates;

/* Inserts position pos (which has HASH_BYTES ahead) into the tables. */
static inline candidates insert(deflate_state *st, size_t pos)
{
    const uint8_t *p = st->in + pos;
    uint32_t key = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
    uint32_t h3 = (key * 0x9e3779b1u) >> st->short_shift;
    uint32_t h = ((key | (uint32_t)p[3] << 24) * 0x9e3779b1u) >> st->hash_shift;
    candidates c = { st->head[h], st->short_head[h3] };
    st->prev[pos & st->window_mask] = c.chain;
    st->head[h] = (uint32_t)pos;
    st->short_head[h3] = (uint32_t)pos;
    return c;
}

typedef struct match {
    size_t len; /* 0: none */
    size_t dist;
} match;

/* Inserts pos and returns the longest match there longer than `beat`, searching at most
 * `chain` candidates. */
static match find_match(deflate_state *st, size_t pos, size_t beat, unsigned chain)
{
    match best = { 0, 0 };
    size_t max = st->len - pos;
    if (max < HASH_BYTES)
        return best;
    candidates c = insert(st, pos);
    uint32_t candidate = c.chain;
    if (max > HY_DEFLATE_MAX_MATCH)
        max = HY_DEFLATE_MAX_MATCH;
    size_t best_len = beat < HY_DEFLATE_MIN_MATCH - 1 ? HY_DEFLATE_MIN_MATCH - 1 : beat;
    if (best_len >= max)
        return best;
    size_t nice = max < NICE_MATCH ? max : NICE_MATCH;
    size_t reach = pos < HY_DEFLATE_WINDOW ? pos : HY_DEFLATE_WINDOW;
    const uint8_t *here = st->in + pos;
    /* Distances must grow along the chain: this ends it at stale or wrapped entries. */
    size_t last_dist = 0;
    for (; chain > 0; chain--) {
        size_t dist = (uint32_t)((uint32_t)pos - candidate);
        if (dist <= last_dist || dist > reach)
            break;
        last_dist = dist;
        const uint8_t *there = here - dist;
        if (there[best_len] == here[best_len] && there[0] == here[0]) {
            size_t len = common_length(there, here, max);
            if (len > best_len) {
                best_len = len;
                best.len = len;
                best.dist = dist;
                if (len >= nice)
                    break;
            }
        }
        candidate = st->prev[candidate & st->window_mask];
    }
    if (best.len == 0 && best_len < HY_DEFLATE_MIN_MATCH) {
        size_t dist = (uint32_t)((uint32_t)pos - c.short_match);
        if (dist > 0 && dist <= FAR_MIN_MATCH && dist <= reach &&
            common_length(here - dist, here, HY_DEFLATE_MIN_MATCH) == HY_DEFLATE_MIN_MATCH) {
            best.len = HY_DEFLATE_MIN_MATCH;
            best.dist = dist;
        }
    }
    if (best.len == HY_DEFLATE_MIN_MATCH && best.dist > FAR_MIN_MATCH)
        best.len = 0;
    return best;
}

/* Lazy matching: a match found at one position is held back while the next position is
 * searched; if that finds a longer one, the first position goes out as a literal. */
static hy_err compress(deflate_state *st)
{
    match held = { 0, 0 };
    bool holding = false; /* a position (pos - 1) awaits: its match or its literal */
    size_t pos = 0;
    while (pos < st->len) {
        match m = { 0, 0 };
        if (!holding || held.len < LAZY_MATCH) {
            unsigned chain = holding && held.len >= GOOD_MATCH ? MAX_CHAIN / 4 : MAX_CHAIN;
            m = find_match(st, pos, holding ? held.len : 0, chain);
        } else if (st->len - pos >= HASH_BYTES) {
            insert(st, pos);
        }
        if (holding && held.len >= HY_DEFLATE_MIN_MATCH && m.len <= held.len) {
            HY_TRY(emit_match(st, held.len, held.dist));
            size_t end = pos - 1 + held.len;
            for (pos++; pos < end; pos++) {
                if (st->len - pos >= HASH_BYTES)
                    insert(st, pos);
            }
            holding = false;
            continue;
        }
        if (holding)
            HY_TRY(emit_literal(st, st->in[pos - 1]));
        held = m;
        holding = true;
        pos++;
    }
    /* A position still held is the last byte, too short for a match. */
    if (holding)
        HY_TRY(emit_literal(st, st->in[pos - 1]));
    return flush_block(st, true);
}

/* ---- entry ----------------------------------------------------------------------------- */

hy_err hy_deflate(const hy_allocator *a, const uint8_t *in, size_t len, hy_writer *out)
{
    if (out->err)
        return out->err;
    deflate_state st;
    memset(&st, 0, sizeof st);
    st.in = in;
    st.len = len;
    st.out = out;

    /* Small inputs get small tables: no more chain slots than positions, no more hash
     * buckets than about twice the positions. */
    size_t window = 1;
    while (window < len && window < HY_DEFLATE_WINDOW)
        window <<= 1;
    unsigned hash_bits = MIN_HASH_BITS;
    while (hash_bits < MAX_HASH_BITS && ((size_t)1 << hash_bits) < 2 * len)
        hash_bits++;
    size_t hash_size = (size_t)1 << hash_bits;
    size_t symbols = len + 1 < BLOCK_SYMBOLS ? len + 1 : BLOCK_SYMBOLS;
    unsigned short_bits = hash_bits < SHORT_HASH_BITS ? hash_bits : SHORT_HASH_BITS;
    size_t short_size = (size_t)1 << short_bits;
    size_t table_bytes = (hash_size + window + short_size) * sizeof(uint32_t);
    size_t bytes = table_bytes + symbols * (sizeof(uint16_t) + 1);
    uint8_t *mem = hy_alloc(a, bytes);
    if (mem == NULL)
        return HY_E_NOMEM;
    st.head = (uint32_t *)mem;
    st.prev = st.head + hash_size;
    st.short_head = st.prev + window;
    st.sym_dist = (uint16_t *)(st.short_head + short_size);
    st.sym_litlen = (uint8_t *)(st.sym_dist + symbols);
    st.hash_shift = 32 - hash_bits;
    st.short_shift = 32 - short_bits;
    st.window_mask = window - 1;
    /* Cleared, so that the output depends only on the input: an empty slot reads as
     * position 0, a candidate like any other, checked before use. */
    memset(st.head, 0, table_bytes);

    size_t start = out->len;
    hy_err err = compress(&st);
    if (err == HY_OK && st.pending_count > 0)
        hy_write_u8(out, (uint8_t)st.pending_bits);
    if (err == HY_OK)
        err = out->err;
    hy_free(a, mem, bytes);
    if (err)
        out->len = start;
    return err;
}

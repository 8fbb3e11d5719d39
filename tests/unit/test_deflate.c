/* DEFLATE: round trips through our compressor and decompressor; hand-made RFC 1951 streams
 * of each block type decoding to known bytes; every kind of malformed stream refused with
 * HY_E_FORMAT or HY_E_TRUNCATED; the output bound; allocation failure at every allocation.
 * (tests/diff/test_diff_deflate.c checks both directions against zlib.) */
#include "hy_test.h"

#include "deflate.h"
#include "rng.h"
#include "test_alloc.h"

#include <stdlib.h>
#include <string.h>

/* ---- inputs ---------------------------------------------------------------------------- */

/* Words from a small vocabulary with punctuation: compresses like prose (about 3:1). */
static uint8_t *make_text(uint64_t seed, size_t len)
{
    static const char *const words[] = {
        "the", "of", "replica", "merge", "change", "a", "to", "and", "concurrent", "edits",
        "in", "is", "sync", "peer", "text", "that", "log", "hash", "signed", "state",
    };
    uint8_t *p = malloc(len ? len : 1);
    assert_non_null(p);
    hy_rng rng = { seed };
    for (size_t i = 0; i < len;) {
        const char *w = words[hy_rng_below(&rng, sizeof words / sizeof words[0])];
        for (size_t j = 0; w[j] && i < len; j++)
            p[i++] = (uint8_t)w[j];
        if (i < len)
            p[i++] = hy_rng_below(&rng, 12) == 0 ? '.' : ' ';
    }
    return p;
}

static uint8_t *make_random(uint64_t seed, size_t len)
{
    uint8_t *p = malloc(len ? len : 1);
    assert_non_null(p);
    hy_rng rng = { seed };
    hy_rng_fill(&rng, p, len);
    return p;
}

/* ---- round trips ----------------------------------------------------------------------- */

/* Compresses, checks the stream decodes to the input (also with bytes after it, which it
 * must not consume) and that no memory is left; returns the compressed size. */
static size_t round_trip(const uint8_t *in, size_t len)
{
    hy_test_alloc t;
    hy_allocator al = hy_test_allocator(&t);
    hy_writer z, back;
    hy_writer_init(&z, al);
    hy_writer_init(&back, al);
    hy_write_bytes(&z, "prefix", 6); /* hy_deflate appends */
    assert_int_equal(hy_deflate(&al, in, len, &z), HY_OK);
    size_t zlen = z.len - 6;

    size_t consumed = 0;
    hy_write_bytes(&back, "earlier", 7);
    assert_int_equal(hy_inflate(z.data + 6, zlen, &back, len, &consumed), HY_OK);
    assert_int_equal(consumed, zlen);
    assert_int_equal(back.len, 7 + len);
    if (len)
        assert_memory_equal(back.data + 7, in, len);

    hy_write_bytes(&z, "trailing", 8);
    back.len = 0;
    assert_int_equal(hy_inflate(z.data + 6, zlen + 8, &back, len, &consumed), HY_OK);
    assert_int_equal(consumed, zlen);
    assert_int_equal(back.len, len);

    /* The same input always gives the same bytes (snapshots are compared by hash). */
    hy_writer again;
    hy_writer_init(&again, al);
    assert_int_equal(hy_deflate(&al, in, len, &again), HY_OK);
    assert_int_equal(again.len, zlen);
    assert_memory_equal(again.data, z.data + 6, zlen);

    hy_writer_free(&z);
    hy_writer_free(&back);
    hy_writer_free(&again);
    assert_int_equal(t.live_blocks, 0);
    return zlen;
}

static void empty_and_one_byte(void **state)
{
    (void)state;
    assert_int_equal(round_trip(NULL, 0), 2); /* one fixed block holding only end-of-block */
    assert_int_equal(round_trip((const uint8_t *)"x", 1), 3);
}

static void repetitive_input_shrinks_a_lot(void **state)
{
    (void)state;
    size_t len = 1 << 20;
    uint8_t *p = malloc(len);
    assert_non_null(p);
    memset(p, 'a', len);
    assert_in_range(round_trip(p, len), 1, len / 500); /* 258 bytes per match: ~2 bits */
    for (size_t i = 0; i < len; i++)
        p[i] = (uint8_t)("abcdefg"[i % 7]);
    assert_in_range(round_trip(p, len), 1, len / 500);
    free(p);
}

static void random_input_goes_out_stored(void **state)
{
    (void)state;
    size_t lens[] = { 2, 100, 65535, 65536, 200000 };
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        uint8_t *p = make_random(i, lens[i]);
        /* Each block of 16,384 literals goes out stored: 5 bytes of header and lengths. */
        size_t bound = lens[i] + 5 * (lens[i] / 16384 + 1) + 1;
        assert_in_range(round_trip(p, lens[i]), lens[i], bound);
        free(p);
    }
}

static void text_compresses_like_text(void **state)
{
    (void)state;
    size_t lens[] = { 10, 1000, 40000, 300000 }; /* the last two exceed the window; the
                                                    last spans many blocks */
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        uint8_t *p = make_text(i, lens[i]);
        size_t z = round_trip(p, lens[i]);
        if (lens[i] >= 1000)
            assert_in_range(z, 1, lens[i] * 45 / 100);
        free(p);
    }
}

static void mixed_input_round_trips(void **state)
{
    (void)state;
    /* Text, random and runs interleaved, so blocks of every kind follow one another with
     * matches reaching across block boundaries and up to the window's edge. */
    size_t len = 400000;
    uint8_t *p = make_text(7, len);
    hy_rng rng = { 99 };
    for (size_t at = 0; at + 70000 < len; at += 90000) {
        hy_rng_fill(&rng, p + at, 20000);
        memset(p + at + 20000, 0, 3000);
        memcpy(p + at + 40000, p + at + 40000 - 32768, 500); /* distance exactly 32768 */
    }
    round_trip(p, len);
    free(p);
}

/* ---- hand-made streams ----------------------------------------------------------------- */

/* A bit writer for building streams: values least significant bit first, Huffman codes most
 * significant bit first (RFC 1951 section 3.1.1). */
typedef struct stream {
    uint8_t bytes[512];
    size_t len;
    unsigned bit;
} stream;

static void put(stream *s, uint32_t value, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        if (s->bit == 0)
            s->bytes[s->len++] = 0;
        s->bytes[s->len - 1] |= (uint8_t)(((value >> i) & 1) << s->bit);
        s->bit = (s->bit + 1) & 7;
    }
}

static void put_code(stream *s, uint32_t code, unsigned n)
{
    while (n-- > 0)
        put(s, (code >> n) & 1, 1);
}

/* A literal/length symbol of the fixed code (RFC 1951 section 3.2.6). */
static void fixed_symbol(stream *s, unsigned sym)
{
    if (sym < 144)
        put_code(s, 0x30 + sym, 8);
    else if (sym < 256)
        put_code(s, 0x190 + sym - 144, 9);
    else if (sym < 280)
        put_code(s, sym - 256, 7);
    else
        put_code(s, 0xc0 + sym - 280, 8);
}

static hy_err inflate_stream(const stream *s, hy_writer *out)
{
    size_t consumed = 0;
    hy_err err = hy_inflate(s->bytes, s->len, out, 1 << 20, &consumed);
    if (err == HY_OK)
        assert_int_equal(consumed, s->len);
    return err;
}

static void expect_bytes(const stream *s, const char *text)
{
    hy_writer out;
    hy_writer_init(&out, hy_allocator_default());
    assert_int_equal(inflate_stream(s, &out), HY_OK);
    assert_int_equal(out.len, strlen(text));
    assert_memory_equal(out.data, text, out.len);
    hy_writer_free(&out);
}

static void expect_error(const stream *s, hy_err want)
{
    hy_writer out;
    hy_writer_init(&out, hy_allocator_default());
    hy_write_bytes(&out, "kept", 4);
    assert_int_equal(inflate_stream(s, &out), want);
    assert_int_equal(out.len, 4); /* what was there is kept, nothing is added */
    hy_writer_free(&out);
}

static void stored_block_decodes(void **state)
{
    (void)state;
    stream s = { { 0x01, 0x05, 0x00, 0xfa, 0xff, 'h', 'e', 'l', 'l', 'o' }, 10, 0 };
    expect_bytes(&s, "hello");
    /* Two stored blocks, the first empty and not final, with bits before the boundary. */
    stream two = { { 0x00, 0x00, 0x00, 0xff, 0xff, 0x01, 0x02, 0x00, 0xfd, 0xff, 'h', 'i' },
                   12, 0 };
    expect_bytes(&two, "hi");
}

static void fixed_block_decodes(void **state)
{
    (void)state;
    /* zlib's raw deflate of "hello" (level 6 chooses a fixed block). */
    stream hello = { { 0xcb, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00 }, 7, 0 };
    expect_bytes(&hello, "hello");

    /* 'a', 'b', then a match of length 10 at distance 2 (overlapping its own output), then a
     * match of length 258 (symbol 285) at distance 1: 12 + 258 bytes. */
    stream s = { { 0 }, 0, 0 };
    put(&s, 1, 1);
    put(&s, 1, 2);
    fixed_symbol(&s, 'a');
    fixed_symbol(&s, 'b');
    fixed_symbol(&s, 264); /* length 10 */
    put_code(&s, 1, 5);    /* distance 2 */
    fixed_symbol(&s, 285); /* length 258 */
    put_code(&s, 0, 5);    /* distance 1 */
    fixed_symbol(&s, 256);
    char want[12 + 258 + 1];
    memcpy(want, "abababababab", 12);
    memset(want + 12, 'b', 258);
    want[270] = '\0';
    expect_bytes(&s, want);
}

/* A dynamic block with literal/length code {'a', 'b', 256, 257} (2 bits each) and a single
 * one-bit distance code for code 1 (distance 2), coding 'a' 'b' <length 3, distance 2>:
 * "ababa". The code lengths are sent with 18 (runs of zeros) and the code-length code
 * {0, 1, 2, 18} of 2 bits each. `litlen` may replace the lengths of 'a', 'b', 256 and 257
 * to make bad codes, and `dist_bit` the distance's bit (1 has no code). */
static void dynamic_stream(stream *s, const uint8_t litlen[4], unsigned dist_bit)
{
    memset(s, 0, sizeof *s);
    put(s, 1, 1);
    put(s, 2, 2);
    put(s, 258 - 257, 5); /* HLIT: 258 literal/length codes */
    put(s, 2 - 1, 5);     /* HDIST: 2 distance codes */
    put(s, 18 - 4, 4);    /* HCLEN: 18 code length code lengths */
    /* In the order 16 17 18 0 8 7 9 6 10 5 11 4 12 3 13 2 14 1. */
    static const uint8_t cl[18] = { 0, 0, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 2 };
    for (int i = 0; i < 18; i++)
        put(s, cl[i], 3);
    /* Code-length code: 0 -> 00, 1 -> 01, 2 -> 10, 18 -> 11. */
    const uint32_t code_of[3] = { 0, 1, 2 };
    put_code(s, 3, 2);
    put(s, 97 - 11, 7); /* 97 zeros */
    put_code(s, code_of[litlen[0]], 2);
    put_code(s, code_of[litlen[1]], 2);
    put_code(s, 3, 2);
    put(s, 138 - 11, 7);
    put_code(s, 3, 2);
    put(s, 19 - 11, 7); /* 157 zeros: 99..255 */
    put_code(s, code_of[litlen[2]], 2);
    put_code(s, code_of[litlen[3]], 2);
    put_code(s, code_of[0], 2); /* distance code 0: unused */
    put_code(s, code_of[1], 2); /* distance code 1: one bit */
    /* Literal/length code: 'a' 00, 'b' 01, 256 10, 257 11; distance code 1: 0. */
    put_code(s, 0, 2);
    put_code(s, 1, 2);
    put_code(s, 3, 2);
    put_code(s, dist_bit, 1);
    put_code(s, 2, 2);
}

static void dynamic_block_decodes(void **state)
{
    (void)state;
    stream s;
    dynamic_stream(&s, (const uint8_t[]){ 2, 2, 2, 2 }, 0);
    expect_bytes(&s, "ababa");
}

/* ---- malformed streams ----------------------------------------------------------------- */

static void bad_block_type_and_stored_length(void **state)
{
    (void)state;
    stream s = { { 0 }, 0, 0 };
    put(&s, 1, 1);
    put(&s, 3, 2);
    put(&s, 0, 13);
    expect_error(&s, HY_E_FORMAT);
    stream mismatch = { { 0x01, 0x05, 0x00, 0xfb, 0xff, 'h', 'e', 'l', 'l', 'o' }, 10, 0 };
    expect_error(&mismatch, HY_E_FORMAT);
}

static void bad_codes_are_refused(void **state)
{
    (void)state;
    stream s;
    dynamic_stream(&s, (const uint8_t[]){ 1, 1, 2, 2 }, 0); /* over-subscribed */
    expect_error(&s, HY_E_FORMAT);
    dynamic_stream(&s, (const uint8_t[]){ 2, 2, 2, 0 }, 0); /* incomplete: 3 codes of 2 bits */
    expect_error(&s, HY_E_FORMAT);
    dynamic_stream(&s, (const uint8_t[]){ 1, 2, 0, 2 }, 0); /* complete, but no end of block */
    expect_error(&s, HY_E_FORMAT);

    /* A code-length code with a single one-bit code: incomplete, never allowed there. */
    stream c = { { 0 }, 0, 0 };
    put(&c, 1, 1);
    put(&c, 2, 2);
    put(&c, 0, 5);
    put(&c, 0, 5);
    put(&c, 0, 4);
    put(&c, 0, 3 * 3);
    put(&c, 1, 3); /* code length 0 has one bit, nothing else */
    put(&c, 0, 32);
    expect_error(&c, HY_E_FORMAT);
    /* Over-subscribed code-length code: three codes of one bit. */
    stream o = { { 0 }, 0, 0 };
    put(&o, 1, 1);
    put(&o, 2, 2);
    put(&o, 0, 10);
    put(&o, 0, 4);
    put(&o, 1, 3);
    put(&o, 1, 3);
    put(&o, 1, 3);
    put(&o, 0, 3);
    put(&o, 0, 32);
    expect_error(&o, HY_E_FORMAT);
}

/* A dynamic header whose code-length sequence is the given code-length-code symbols, each
 * with 7 extra bits (only 18's are read) under the code {16, 17, 18, 0}, 2 bits each. */
static void header_with_runs(stream *s, unsigned hlit, unsigned hdist, const unsigned *syms,
                             const unsigned *extra, size_t n)
{
    memset(s, 0, sizeof *s);
    put(s, 1, 1);
    put(s, 2, 2);
    put(s, hlit - 257, 5);
    put(s, hdist - 1, 5);
    put(s, 0, 4);       /* HCLEN: 4, the code lengths of 16, 17, 18 and 0 */
    put(s, 2, 3);       /* 16 */
    put(s, 2, 3);       /* 17 */
    put(s, 2, 3);       /* 18 */
    put(s, 2, 3);       /* 0 */
    for (size_t i = 0; i < n; i++) {
        /* canonical: 0 -> 00, 16 -> 01, 17 -> 10, 18 -> 11 */
        put_code(s, syms[i] == 0 ? 0 : syms[i] - 15, 2);
        unsigned bits = syms[i] == 16 ? 2 : syms[i] == 17 ? 3 : syms[i] == 18 ? 7 : 0;
        put(s, extra[i], bits);
    }
    put(s, 0, 32);
}

static void bad_headers_are_refused(void **state)
{
    (void)state;
    stream s;
    const unsigned repeat_first[] = { 16 }, zero[] = { 0 };
    header_with_runs(&s, 257, 1, repeat_first, zero, 1); /* repeat with nothing before */
    expect_error(&s, HY_E_FORMAT);
    const unsigned overflow[] = { 18, 18, 18 }, big[] = { 127, 127, 127 };
    header_with_runs(&s, 257, 1, overflow, big, 3); /* 414 lengths of 258 */
    expect_error(&s, HY_E_FORMAT);
    header_with_runs(&s, 287, 1, zero, zero, 1); /* HLIT beyond 286 */
    expect_error(&s, HY_E_FORMAT);
    header_with_runs(&s, 288, 1, zero, zero, 1);
    expect_error(&s, HY_E_FORMAT);
    header_with_runs(&s, 257, 31, zero, zero, 1); /* HDIST beyond 30 */
    expect_error(&s, HY_E_FORMAT);
    header_with_runs(&s, 257, 32, zero, zero, 1);
    expect_error(&s, HY_E_FORMAT);
}

static void bad_symbols_are_refused(void **state)
{
    (void)state;
    /* In a fixed block: length codes 286 and 287, distance codes 30 and 31, a distance
     * before the start of the output. */
    struct {
        unsigned length_symbol, dist_code;
    } cases[] = { { 286, 0 }, { 287, 0 }, { 257, 30 }, { 257, 31 }, { 257, 1 } };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        stream s = { { 0 }, 0, 0 };
        put(&s, 1, 1);
        put(&s, 1, 2);
        fixed_symbol(&s, 'a');
        fixed_symbol(&s, cases[i].length_symbol);
        put_code(&s, cases[i].dist_code, 5);
        fixed_symbol(&s, 256);
        expect_error(&s, HY_E_FORMAT);
    }
    /* Distance 1 reaches a byte, but only one already in the writer, not in this stream. */
    stream s = { { 0 }, 0, 0 };
    put(&s, 1, 1);
    put(&s, 1, 2);
    fixed_symbol(&s, 257);
    put_code(&s, 0, 5);
    fixed_symbol(&s, 256);
    expect_error(&s, HY_E_FORMAT);
    /* Bits no code starts with: the single one-bit distance code leaves 1 unused. */
    dynamic_stream(&s, (const uint8_t[]){ 2, 2, 2, 2 }, 1);
    expect_error(&s, HY_E_FORMAT);
}

/* Every proper prefix of a valid stream is truncated, never malformed or accepted. */
static void expect_prefixes_truncated(const uint8_t *z, size_t zlen)
{
    hy_writer out;
    hy_writer_init(&out, hy_allocator_default());
    for (size_t n = 0; n < zlen; n++) {
        uint8_t *copy = malloc(n ? n : 1); /* exactly n bytes, so ASan sees any overread */
        assert_non_null(copy);
        memcpy(copy, z, n);
        out.len = 0;
        hy_err err = hy_inflate(copy, n, &out, 1 << 20, NULL);
        if (err != HY_E_TRUNCATED)
            fail_msg("prefix of %zu of %zu bytes gave %s", n, zlen, hy_err_str(err));
        free(copy);
    }
    hy_writer_free(&out);
}

static void every_prefix_is_truncated(void **state)
{
    (void)state;
    uint8_t *text = make_text(3, 5000);
    uint8_t *noise = make_random(4, 300);
    const struct {
        const uint8_t *data;
        size_t len;
    } inputs[] = { { text, 5000 }, { noise, 300 }, { (const uint8_t *)"hello", 5 } };
    hy_allocator al = hy_allocator_default();
    for (size_t i = 0; i < 3; i++) { /* dynamic, stored, fixed */
        hy_writer z;
        hy_writer_init(&z, al);
        assert_int_equal(hy_deflate(&al, inputs[i].data, inputs[i].len, &z), HY_OK);
        expect_prefixes_truncated(z.data, z.len);
        hy_writer_free(&z);
    }
    stream hand;
    dynamic_stream(&hand, (const uint8_t[]){ 2, 2, 2, 2 }, 0);
    expect_prefixes_truncated(hand.bytes, hand.len);
    free(text);
    free(noise);
}

/* ---- limits and allocation failure ----------------------------------------------------- */

static void output_bound_is_enforced(void **state)
{
    (void)state;
    size_t len = 1 << 20;
    uint8_t *zeros = calloc(len, 1);
    uint8_t *noise = make_random(5, 70000);
    hy_allocator al = hy_allocator_default();
    const struct {
        const uint8_t *data;
        size_t len;
    } inputs[] = { { zeros, len }, { noise, 70000 } }; /* matches; stored blocks */
    for (size_t i = 0; i < 2; i++) {
        hy_writer z, out;
        hy_writer_init(&z, al);
        hy_writer_init(&out, al);
        assert_int_equal(hy_deflate(&al, inputs[i].data, inputs[i].len, &z), HY_OK);
        size_t bounds[] = { 0, 1000, inputs[i].len - 1 };
        for (size_t b = 0; b < 3; b++) {
            assert_int_equal(hy_inflate(z.data, z.len, &out, bounds[b], NULL), HY_E_TOO_LARGE);
            assert_int_equal(out.len, 0);
            /* A bomb stops near its bound: the writer never grew far past it. */
            assert_in_range(out.cap, 0, 2 * bounds[b] + 1024);
        }
        assert_int_equal(hy_inflate(z.data, z.len, &out, inputs[i].len, NULL), HY_OK);
        assert_int_equal(out.len, inputs[i].len);
        hy_writer_free(&z);
        hy_writer_free(&out);
    }
    free(zeros);
    free(noise);
}

static void out_of_memory_at_every_allocation(void **state)
{
    (void)state;
    size_t len = 100000;
    uint8_t *text = make_text(6, len);
    for (size_t k = 1;; k++) {
        hy_test_alloc t;
        hy_allocator al = hy_test_allocator(&t);
        t.fail_at = k;
        hy_writer z;
        hy_writer_init(&z, al);
        hy_write_u8(&z, 42);
        hy_err err = z.err ? z.err : hy_deflate(&al, text, len, &z);
        if (err != HY_OK && err != HY_E_NOMEM)
            fail_msg("failing allocation %zu gave %s", k, hy_err_str(err));
        if (err == HY_E_NOMEM && k > 1)
            assert_int_equal(z.len, 1); /* the output is as it was */
        hy_writer out;
        hy_writer_init(&out, al);
        if (err == HY_OK)
            err = hy_inflate(z.data + 1, z.len - 1, &out, len, NULL);
        if (err == HY_OK) {
            assert_int_equal(out.len, len);
            assert_memory_equal(out.data, text, len);
        } else {
            assert_int_equal(err, HY_E_NOMEM);
            assert_int_equal(out.len, 0);
        }
        hy_writer_free(&z);
        hy_writer_free(&out);
        assert_int_equal(t.live_blocks, 0);
        if (t.failures == 0) {
            assert_int_equal(err, HY_OK);
            break;
        }
    }
    free(text);
}

static void a_writer_in_error_is_refused(void **state)
{
    (void)state;
    hy_allocator al = hy_allocator_default();
    hy_writer w;
    hy_writer_init(&w, al);
    w.err = HY_E_NOMEM;
    assert_int_equal(hy_deflate(&al, (const uint8_t *)"abc", 3, &w), HY_E_NOMEM);
    stream s = { { 0x01, 0x01, 0x00, 0xfe, 0xff, 'x' }, 6, 0 };
    assert_int_equal(hy_inflate(s.bytes, s.len, &w, 10, NULL), HY_E_NOMEM);
    assert_int_equal(w.len, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(empty_and_one_byte),
        cmocka_unit_test(repetitive_input_shrinks_a_lot),
        cmocka_unit_test(random_input_goes_out_stored),
        cmocka_unit_test(text_compresses_like_text),
        cmocka_unit_test(mixed_input_round_trips),
        cmocka_unit_test(stored_block_decodes),
        cmocka_unit_test(fixed_block_decodes),
        cmocka_unit_test(dynamic_block_decodes),
        cmocka_unit_test(bad_block_type_and_stored_length),
        cmocka_unit_test(bad_codes_are_refused),
        cmocka_unit_test(bad_headers_are_refused),
        cmocka_unit_test(bad_symbols_are_refused),
        cmocka_unit_test(every_prefix_is_truncated),
        cmocka_unit_test(output_bound_is_enforced),
        cmocka_unit_test(out_of_memory_at_every_allocation),
        cmocka_unit_test(a_writer_in_error_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

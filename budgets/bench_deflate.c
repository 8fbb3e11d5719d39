/* The DEFLATE section: compression and decompression throughput (MB of uncompressed data
 * per second) and the compressed size, on a fixed 1 MiB of pseudo-text. */
#include "bench.h"

#include "deflate.h"

#include <stdlib.h>

#define INPUT_LEN (1024 * 1024)

/* A fixed LCG, so every run and every flavour compresses the same bytes. */
static uint32_t next_random(uint64_t *s)
{
    *s = *s * 6364136223846793005u + 1442695040888963407u;
    return (uint32_t)(*s >> 33);
}

#define VOCABULARY 2048

/* Prose-like text: 2,048 made-up words of 1 to 3 syllables (a consonant, a vowel, sometimes
 * a closing consonant), drawn with Zipf-like frequencies
 * (the rank's bit length uniform, then the rank uniform within it: P(rank) ~ 1/rank), in
 * sentences with commas and line breaks. zlib level 6 compresses it to about a third, as it
 * does English. (A text of a few dozen words is far easier to compress and slower to search:
 * every position has a full chain of short matches.) */
static void make_pseudo_text(uint8_t *p, size_t len)
{
    static const char consonants[] = "bcdfghklmnprstvwyz", vowels[] = "aeiouy";
    static char words[VOCABULARY][10];
    uint64_t s = 0x2545f4914f6cdd1du;
    for (size_t w = 0; w < VOCABULARY; w++) {
        size_t n = 0;
        for (uint32_t k = 1 + next_random(&s) % 3; k > 0; k--) {
            uint32_t r = next_random(&s);
            words[w][n++] = consonants[r % 18];
            words[w][n++] = vowels[(r >> 8) % 6];
            if ((r >> 16) % 3 == 0)
                words[w][n++] = consonants[(r >> 20) % 18];
        }
        words[w][n] = '\0';
    }
    size_t in_sentence = 0;
    for (size_t i = 0; i < len;) {
        uint32_t r = next_random(&s);
        uint32_t bits = r % 11; /* ranks 1 .. 2047 */
        uint32_t rank = (1u << bits) + (r >> 8) % (1u << bits);
        const char *w = words[rank - 1];
        for (size_t j = 0; w[j] && i < len; j++)
            p[i++] = (uint8_t)(j == 0 && in_sentence == 0 ? w[j] - 'a' + 'A' : w[j]);
        in_sentence++;
        if (i < len && (r >> 4) % 12 == 0) {
            p[i++] = '.';
            in_sentence = 0;
        } else if (i < len && (r >> 4) % 12 == 1) {
            p[i++] = ',';
        }
        if (i < len)
            p[i++] = (r >> 20) % 40 == 0 ? '\n' : ' ';
    }
}

typedef struct deflate_work {
    const uint8_t *data;
    size_t len;
    hy_writer out;
    hy_err err;
} deflate_work;

static void compress_repeatedly(void *context, uint64_t iterations)
{
    deflate_work *work = context;
    hy_allocator al = hy_allocator_default();
    for (uint64_t i = 0; i < iterations && work->err == HY_OK; i++) {
        work->out.len = 0;
        work->err = hy_deflate(&al, work->data, work->len, &work->out);
    }
}

static void decompress_repeatedly(void *context, uint64_t iterations)
{
    deflate_work *work = context;
    for (uint64_t i = 0; i < iterations && work->err == HY_OK; i++) {
        work->out.len = 0;
        work->err = hy_inflate(work->data, work->len, &work->out, INPUT_LEN, NULL);
    }
}

int bench_deflate(const bench_config *config, bench_json *json)
{
    uint8_t *text = malloc(INPUT_LEN);
    if (text == NULL) {
        fputs("bench: out of memory\n", stderr);
        return 1;
    }
    make_pseudo_text(text, INPUT_LEN);
    deflate_work pack = { .data = text, .len = INPUT_LEN, .err = HY_OK }, unpack = pack;
    hy_writer_init(&pack.out, hy_allocator_default());
    hy_writer_init(&unpack.out, hy_allocator_default());
    double pack_rate = bench_rate(config, compress_repeatedly, &pack);
    unpack.data = pack.out.data;
    unpack.len = pack.out.len;
    double unpack_rate = pack.err ? 0 : bench_rate(config, decompress_repeatedly, &unpack);
    int status = 0;
    if (pack.err || unpack.err || unpack.out.len != INPUT_LEN) {
        fprintf(stderr, "bench: deflate round trip failed (%s)\n",
                hy_err_str(pack.err ? pack.err : unpack.err));
        status = 1;
    }
    bench_json_number(json, "input_bytes", INPUT_LEN);
    bench_json_number(json, "compressed_bytes", (double)pack.out.len);
    bench_json_number(json, "ratio", (double)pack.out.len / INPUT_LEN);
    bench_json_number(json, "deflate_mb_per_s", pack_rate * INPUT_LEN / 1e6);
    bench_json_number(json, "inflate_mb_per_s", unpack_rate * INPUT_LEN / 1e6);
    hy_writer_free(&pack.out);
    hy_writer_free(&unpack.out);
    free(text);
    return status;
}

/* Differential test of hy_deflate and hy_inflate against zlib (raw streams, windowBits -15):
 * zlib inflates everything we compress, and we inflate what zlib compresses at levels 0 (stored
 * blocks), 1, 6 and 9 and with its fixed-code strategy, over random and structured inputs, and
 * over the automerge-paper editing trace as one big real input. Prints our size against
 * zlib level 6 per kind of input, and fails when it is more than 5% larger on text, columns
 * or the trace (the compression target).
 *
 * Usage: test_diff_deflate [seed [count]]. The seed is fixed unless given, so runs repeat. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "deflate.h"

#define DEFAULT_SEED 20261122u
#define DEFAULT_INPUTS 600
#define MAX_LEN (300 * 1024)
#define MAX_FAILURES 10
#define RATIO_LIMIT 1.05

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static size_t below(uint64_t *s, size_t n)
{
    return (size_t)(splitmix64(s) % n);
}

/* ---- inputs ---------------------------------------------------------------------------- */

enum { RANDOM, TEXT, COLUMNS, RUNS, EDITED, N_KINDS };
static const char *const KIND_NAMES[N_KINDS] = { "random", "text", "columns", "runs", "edited" };

/* Lengths near the edges that matter: tiny, one match, the window, a stored block. */
static size_t pick_len(uint64_t *s)
{
    static const size_t edges[] = { 0, 1, 2, 3, 4, 258, 259, 32767, 32768, 32769, 65535, 65536 };
    switch (below(s, 4)) {
    case 0:
        return edges[below(s, sizeof edges / sizeof edges[0])];
    case 1:
        return below(s, 300);
    default:
        return below(s, MAX_LEN + 1);
    }
}

static void make_text(uint64_t *s, uint8_t *p, size_t len)
{
    static const char *const words[] = {
        "the",   "of",    "and",     "replica", "merge", "change",   "a",       "to",
        "in",    "is",    "sync",    "peer",    "text",  "that",     "log",     "hash",
        "state", "which", "between", "when",    "edits", "document", "version", "CRDT",
    };
    for (size_t i = 0; i < len;) {
        const char *w = words[below(s, sizeof words / sizeof words[0])];
        for (size_t j = 0; w[j] && i < len; j++)
            p[i++] = (uint8_t)w[j];
        if (i < len)
            p[i++] = below(s, 10) == 0 ? '\n' : below(s, 8) == 0 ? ',' : ' ';
    }
}

static size_t put_varint(uint8_t *p, uint64_t v)
{
    size_t n = 0;
    for (; v >= 0x80; v >>= 7)
        p[n++] = (uint8_t)(v | 0x80);
    p[n++] = (uint8_t)v;
    return n;
}

/* Columns as an op log stores them, one after another: actor indexes in runs, counters as
 * varint deltas (mostly 1), small lengths, then the inserted characters. */
static void make_columns(uint64_t *s, uint8_t *p, size_t len)
{
    size_t rows = len / 8 + 1, i = 0;
    uint64_t actor = 0;
    for (size_t r = 0; r < rows && i < len; r++) {
        if (below(s, 20) == 0)
            actor = below(s, 6);
        p[i++] = (uint8_t)actor;
    }
    uint8_t tmp[10];
    for (size_t r = 0; r < rows && i < len; r++) {
        uint64_t delta = below(s, 10) ? 1 : below(s, 5000);
        size_t n = put_varint(tmp, delta);
        for (size_t j = 0; j < n && i < len; j++)
            p[i++] = tmp[j];
    }
    for (size_t r = 0; r < rows && i < len; r++)
        p[i++] = (uint8_t)(below(s, 8) ? 1 : below(s, 40));
    make_text(s, p + i, len - i);
}

static void make_runs(uint64_t *s, uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len;) {
        uint8_t v = (uint8_t)below(s, 4);
        for (size_t n = 1 + below(s, 300); n > 0 && i < len; n--)
            p[i++] = v;
    }
}

/* Random bytes, then copies of earlier pieces at every distance up to the window's, with
 * some bytes changed: long matches, far matches, literals between them. */
static void make_edited(uint64_t *s, uint8_t *p, size_t len)
{
    size_t i = 0;
    for (; i < len && i < 1000; i++)
        p[i] = (uint8_t)splitmix64(s);
    while (i < len) {
        size_t dist = 1 + below(s, i < 32768 ? i : 32768);
        for (size_t n = below(s, 600); n > 0 && i < len; n--, i++)
            p[i] = below(s, 50) ? p[i - dist] : (uint8_t)splitmix64(s);
    }
}

static void make_input(int kind, uint64_t seed, uint8_t *p, size_t len)
{
    uint64_t s = seed;
    switch (kind) {
    case RANDOM:
        for (size_t i = 0; i < len; i++)
            p[i] = (uint8_t)splitmix64(&s);
        break;
    case TEXT:
        make_text(&s, p, len);
        break;
    case COLUMNS:
        make_columns(&s, p, len);
        break;
    case RUNS:
        make_runs(&s, p, len);
        break;
    default:
        make_edited(&s, p, len);
        break;
    }
}

/* ---- both directions ------------------------------------------------------------------- */

/* zlib's raw deflate; returns the size, or 0 on failure. */
static size_t zlib_deflate(const uint8_t *in, size_t len, int level, int strategy, uint8_t *out,
                           size_t cap)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, level, Z_DEFLATED, -15, 8, strategy) != Z_OK)
        return 0;
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)len;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    int r = deflate(&z, Z_FINISH);
    size_t n = z.total_out;
    deflateEnd(&z);
    return r == Z_STREAM_END ? n : 0;
}

/* zlib's raw inflate of in into out (exactly want bytes expected): 1 when it matches. */
static int zlib_inflates_to(const uint8_t *in, size_t len, const uint8_t *want, size_t want_len,
                            uint8_t *out)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, -15) != Z_OK)
        return 0;
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)len;
    z.next_out = out;
    z.avail_out = (uInt)(want_len + 1);
    int r = inflate(&z, Z_FINISH);
    int ok = r == Z_STREAM_END && z.total_out == want_len && z.avail_in == 0 &&
             (want_len == 0 || memcmp(out, want, want_len) == 0);
    inflateEnd(&z);
    return ok;
}

static int ours_inflates_to(const uint8_t *in, size_t len, const uint8_t *want, size_t want_len)
{
    hy_writer w;
    hy_writer_init(&w, hy_allocator_default());
    size_t consumed = 0;
    hy_err err = hy_inflate(in, len, &w, want_len, &consumed);
    int ok = err == HY_OK && consumed == len && w.len == want_len &&
             (want_len == 0 || memcmp(w.data, want, want_len) == 0);
    hy_writer_free(&w);
    return ok;
}

typedef struct totals {
    uint64_t ours, zlib6;
} totals;

/* Checks both directions on one input; adds to the totals; returns the failures. */
static int check(const char *what, const uint8_t *in, size_t len, uint8_t *zbuf, size_t zcap,
                 uint8_t *scratch, totals *t)
{
    int failures = 0;
    hy_allocator al = hy_allocator_default();
    hy_writer w;
    hy_writer_init(&w, al);
    if (hy_deflate(&al, in, len, &w) != HY_OK || !zlib_inflates_to(w.data, w.len, in, len, scratch)) {
        fprintf(stderr, "MISMATCH %s (%zu bytes): zlib does not inflate our stream back\n", what,
                len);
        failures++;
    }
    static const struct {
        int level, strategy;
    } zlib_modes[] = { { 6, Z_DEFAULT_STRATEGY }, { 1, Z_DEFAULT_STRATEGY },
                       { 9, Z_DEFAULT_STRATEGY }, { 0, Z_DEFAULT_STRATEGY }, { 6, Z_FIXED } };
    for (size_t m = 0; m < sizeof zlib_modes / sizeof zlib_modes[0]; m++) {
        size_t zlen = zlib_deflate(in, len, zlib_modes[m].level, zlib_modes[m].strategy, zbuf,
                                   zcap);
        if (m == 0) {
            t->ours += w.len;
            t->zlib6 += zlen;
        }
        if (zlen == 0 || !ours_inflates_to(zbuf, zlen, in, len)) {
            fprintf(stderr, "MISMATCH %s (%zu bytes): we do not inflate zlib level %d%s\n", what,
                    len, zlib_modes[m].level, zlib_modes[m].strategy == Z_FIXED ? " fixed" : "");
            failures++;
        }
    }
    hy_writer_free(&w);
    return failures;
}

/* ---- the trace ------------------------------------------------------------------------- */

static uint8_t *read_gz(const char *path, size_t *len)
{
    gzFile f = gzopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 1 << 24, n = 0;
    uint8_t *p = malloc(cap);
    int got;
    while (p != NULL && (got = gzread(f, p + n, (unsigned)(cap - n))) > 0) {
        n += (size_t)got;
        if (n == cap) {
            uint8_t *bigger = realloc(p, cap *= 2);
            if (bigger == NULL)
                free(p);
            p = bigger;
        }
    }
    gzclose(f);
    *len = n;
    return p;
}

int main(int argc, char **argv)
{
    uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0) : DEFAULT_SEED;
    size_t n_inputs = argc > 2 ? strtoull(argv[2], NULL, 0) : DEFAULT_INPUTS;
    if (n_inputs == 0)
        n_inputs = DEFAULT_INPUTS;
    printf("test_diff_deflate: seed %" PRIu64 ", %zu inputs (replay: test_diff_deflate %" PRIu64
           " %zu)\n",
           seed, n_inputs, seed, n_inputs);

    size_t trace_len = 0;
    uint8_t *trace = read_gz(HY_DIFF_TRACE, &trace_len);
    if (trace == NULL) {
        fprintf(stderr, "cannot read %s\n", HY_DIFF_TRACE);
        return 1;
    }
    size_t largest = trace_len > MAX_LEN ? trace_len : MAX_LEN;
    size_t zcap = largest + largest / 100 + 1024;
    uint8_t *in = malloc(MAX_LEN + 1), *zbuf = malloc(zcap), *scratch = malloc(largest + 1);
    if (in == NULL || zbuf == NULL || scratch == NULL) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }

    totals kinds[N_KINDS] = { { 0, 0 } };
    int failures = 0;
    uint64_t rng = seed;
    for (size_t i = 0; i < n_inputs && failures < MAX_FAILURES; i++) {
        int kind = (int)below(&rng, N_KINDS);
        size_t len = pick_len(&rng);
        uint64_t input_seed = splitmix64(&rng);
        make_input(kind, input_seed, in, len);
        char what[96];
        snprintf(what, sizeof what, "input %zu (%s, seed %" PRIu64 ")", i, KIND_NAMES[kind],
                 input_seed);
        failures += check(what, in, len, zbuf, zcap, scratch, &kinds[kind]);
    }

    totals whole = { 0, 0 };
    failures += check("automerge-paper.json", trace, trace_len, zbuf, zcap, scratch, &whole);

    int too_big = 0;
    printf("%-22s %12s %12s %8s\n", "input", "ours", "zlib -6", "ratio");
    for (int k = 0; k < N_KINDS; k++) {
        double ratio = kinds[k].zlib6 ? (double)kinds[k].ours / (double)kinds[k].zlib6 : 1;
        printf("%-22s %12" PRIu64 " %12" PRIu64 " %8.4f\n", KIND_NAMES[k], kinds[k].ours,
               kinds[k].zlib6, ratio);
        if ((k == TEXT || k == COLUMNS) && ratio > RATIO_LIMIT)
            too_big++;
    }
    double trace_ratio = (double)whole.ours / (double)whole.zlib6;
    printf("%-22s %12" PRIu64 " %12" PRIu64 " %8.4f  (%zu bytes)\n", "automerge-paper.json",
           whole.ours, whole.zlib6, trace_ratio, trace_len);
    if (trace_ratio > RATIO_LIMIT)
        too_big++;
    if (too_big)
        fprintf(stderr, "compressed size more than %.0f%% over zlib level 6\n",
                (RATIO_LIMIT - 1) * 100);
    printf("%d failure(s)%s\n", failures, failures ? " (replay with the seed above)" : "");
    free(in);
    free(zbuf);
    free(scratch);
    free(trace);
    return failures != 0 || too_big != 0;
}

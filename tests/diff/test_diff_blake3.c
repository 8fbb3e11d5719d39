/* Differential test of hy_blake3 against the b3sum program (the BLAKE3 team's Rust
 * implementation): thousands of random inputs, with lengths biased to the block, chunk and
 * subtree edges where tree-building bugs live, written to a temporary directory and hashed by
 * one b3sum run per mode (hash, keyed hash, key derivation).
 *
 * Usage: test_diff_blake3 [seed]. Without a seed one is drawn from the clock; it is printed
 * either way, so any failure replays exactly. Exits 77 (skipped) when b3sum is missing. */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "blake3.h"

#define MAX_INPUTS 3000
#define MAX_LEN (70 * 1024)
#define XOF_LEN 72 /* more than one 64-byte output block */
#define MAX_FAILURES 10

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

/* n units, then -1, 0 or +1 byte (never below 0). */
static size_t near(uint64_t *s, size_t n, size_t unit)
{
    size_t len = n * unit + below(s, 3);
    return len > 0 ? len - 1 : 0;
}

static size_t pick_len(uint64_t *s)
{
    switch (below(s, 4)) {
    case 0: /* block edges within the first chunk */
        return near(s, below(s, 17), 64);
    case 1: /* chunk edges */
        return near(s, below(s, MAX_LEN / 1024 + 1), 1024);
    case 2: /* edges of whole subtrees: 1, 2, 4 ... 64 chunks */
        return near(s, (size_t)1 << below(s, 7), 1024);
    default:
        return below(s, MAX_LEN + 1);
    }
}

typedef struct mode {
    const char *name;
    size_t out_len;
} mode;

enum { PLAIN, KEYED, DERIVE, N_MODES };
static const mode MODES[N_MODES] = {
    {"hash", HY_BLAKE3_OUT_LEN},
    {"keyed", XOF_LEN},
    {"derive-key", HY_BLAKE3_OUT_LEN},
};

/* The plain hash is one-shot; the other modes take the input in random pieces, so that the
 * incremental paths (partial chunks, subtrees starting mid-update) meet b3sum too. */
static void ours(int m, const uint8_t key[32], const char *context, const uint8_t *data,
                 size_t len, uint64_t piece_seed, uint8_t *out)
{
    hy_blake3_hasher h;
    if (m == PLAIN) {
        hy_blake3(data, len, out);
        return;
    }
    if (m == KEYED)
        hy_blake3_init_keyed(&h, key);
    else
        hy_blake3_init_derive_key(&h, context);
    for (size_t at = 0, n; at < len; at += n) {
        n = below(&piece_seed, 4) == 0 ? below(&piece_seed, 65) : below(&piece_seed, 8193);
        if (n > len - at)
            n = len - at;
        hy_blake3_update(&h, data + at, n);
    }
    hy_blake3_final(&h, out, MODES[m].out_len);
}

static void to_hex(const uint8_t *p, size_t n, char *hex)
{
    for (size_t i = 0; i < n; i++)
        snprintf(hex + 2 * i, 3, "%02x", p[i]);
}

static int write_file(const char *path, const uint8_t *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    int ok = f != NULL && fwrite(data, 1, len, f) == len;
    if (f != NULL && fclose(f) != 0)
        ok = 0;
    if (!ok)
        fprintf(stderr, "cannot write %s\n", path);
    return ok;
}

int main(int argc, char **argv)
{
    uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0)
                             : (uint64_t)time(NULL) * 1000003u ^ (uint64_t)getpid();
    /* Sanitizer builds run fewer inputs: the same code paths, at a fraction of the time. */
    size_t n_inputs = argc > 2 ? strtoull(argv[2], NULL, 0) : MAX_INPUTS;
    if (n_inputs == 0 || n_inputs > MAX_INPUTS)
        n_inputs = MAX_INPUTS;
    uint64_t rng = seed;
    printf("test_diff_blake3: seed %" PRIu64 " (replay: test_diff_blake3 %" PRIu64 ")\n", seed,
           seed);
    fflush(stdout);

    FILE *probe = popen("b3sum --version 2>/dev/null", "r");
    char line[512];
    int have_b3sum = probe != NULL && fgets(line, sizeof line, probe) != NULL;
    if (probe != NULL)
        pclose(probe);
    if (!have_b3sum) {
        printf("b3sum not found: skipped\n");
        return 77;
    }

    const char *tmp = getenv("TMPDIR");
    char dir[256];
    snprintf(dir, sizeof dir, "%s/hy_b3diff_XXXXXX", tmp != NULL && *tmp ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }

    static size_t lens[MAX_INPUTS];
    static uint64_t data_seeds[MAX_INPUTS];
    uint8_t *data = malloc(MAX_LEN + 1024);
    uint8_t key[32];
    char context[64], key_path[300], path[300];
    int failures = 0, checked = 0, status = 1;
    if (data == NULL)
        goto cleanup;

    for (size_t i = 0; i < sizeof key; i++)
        key[i] = (uint8_t)splitmix64(&rng);
    /* Hex only, so it needs no quoting on the shell command line. */
    snprintf(context, sizeof context, "hypha diff test %016" PRIx64, splitmix64(&rng));
    snprintf(key_path, sizeof key_path, "%s/key", dir);
    if (!write_file(key_path, key, sizeof key))
        goto cleanup;

    /* Each input is regenerated from its own seed when checked, rather than kept in memory. */
    for (size_t i = 0; i < n_inputs; i++) {
        lens[i] = pick_len(&rng);
        data_seeds[i] = splitmix64(&rng);
        uint64_t s = data_seeds[i];
        for (size_t j = 0; j < lens[i]; j++)
            data[j] = (uint8_t)splitmix64(&s);
        snprintf(path, sizeof path, "%s/%05zu", dir, i);
        if (!write_file(path, data, lens[i]))
            goto cleanup;
    }

    for (int m = 0; m < N_MODES; m++) {
        char cmd[512];
        if (m == PLAIN)
            snprintf(cmd, sizeof cmd, "cd '%s' && b3sum -- [0-9]*", dir);
        else if (m == KEYED)
            snprintf(cmd, sizeof cmd, "cd '%s' && b3sum --keyed -l %d -- [0-9]* < key", dir,
                     XOF_LEN);
        else
            snprintf(cmd, sizeof cmd, "cd '%s' && b3sum --derive-key '%s' -- [0-9]*", dir,
                     context);
        FILE *p = popen(cmd, "r");
        if (p == NULL) {
            perror("popen");
            goto cleanup;
        }
        size_t seen = 0;
        while (fgets(line, sizeof line, p) != NULL) {
            char want[2 * XOF_LEN + 1], got[2 * XOF_LEN + 1];
            uint8_t out[XOF_LEN];
            size_t hex_len = 2 * MODES[m].out_len;
            unsigned long idx;
            /* "<hex>  <name>\n", the name being the input's index. */
            if (strlen(line) < hex_len + 3 || line[hex_len] != ' ' || line[hex_len + 1] != ' ' ||
                sscanf(line + hex_len + 2, "%lu", &idx) != 1 || idx >= n_inputs) {
                fprintf(stderr, "unexpected b3sum output: %s", line);
                failures++;
                break;
            }
            memcpy(want, line, hex_len);
            want[hex_len] = '\0';
            uint64_t s = data_seeds[idx];
            for (size_t j = 0; j < lens[idx]; j++)
                data[j] = (uint8_t)splitmix64(&s);
            ours(m, key, context, data, lens[idx], s, out);
            to_hex(out, MODES[m].out_len, got);
            seen++;
            checked++;
            if (strcmp(want, got) != 0 && failures++ < MAX_FAILURES)
                fprintf(stderr, "MISMATCH %s input %lu, length %zu:\n  b3sum %s\n  hypha %s\n",
                        MODES[m].name, idx, lens[idx], want, got);
        }
        if (pclose(p) != 0 || seen != n_inputs) {
            fprintf(stderr, "b3sum (%s) failed or hashed %zu of %zu inputs\n", MODES[m].name, seen,
                    n_inputs);
            failures++;
        }
    }
    status = failures != 0;
    printf("%d hashes compared in 3 modes, %d failure(s)%s\n", checked, failures,
           failures ? " (replay with the seed above)" : "");

cleanup:
    for (size_t i = 0; i < n_inputs; i++) {
        snprintf(path, sizeof path, "%s/%05zu", dir, i);
        remove(path);
    }
    snprintf(key_path, sizeof key_path, "%s/key", dir);
    remove(key_path);
    if (rmdir(dir) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    free(data);
    return status;
}

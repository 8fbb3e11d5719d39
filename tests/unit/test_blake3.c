#include "hy_test.h"

#include <stdlib.h>
#include <string.h>

#include "blake3.h"
#include "blake3_vectors.h"

/* The official vectors' input: i % 251, so that no power-of-two period lines up with blocks
 * or chunks. */
static uint8_t *make_input(size_t len)
{
    uint8_t *p = malloc(len > 0 ? len : 1);
    assert_non_null(p);
    for (size_t i = 0; i < len; i++)
        p[i] = (uint8_t)(i % 251);
    return p;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    assert_true(c >= 'a' && c <= 'f');
    return c - 'a' + 10;
}

static void unhex(const char *hex, uint8_t *out, size_t len)
{
    assert_int_equal(strlen(hex), 2 * len);
    for (size_t i = 0; i < len; i++)
        out[i] = (uint8_t)(hex_digit(hex[2 * i]) << 4 | hex_digit(hex[2 * i + 1]));
}

static void test_official_vectors(void **state)
{
    (void)state;
    const uint8_t *key = (const uint8_t *)B3V_KEY;
    for (size_t v = 0; v < sizeof B3_VECTORS / sizeof B3_VECTORS[0]; v++) {
        const b3_vector *tv = &B3_VECTORS[v];
        uint8_t *in = make_input(tv->len);
        uint8_t want[B3V_OUT_LEN], got[B3V_OUT_LEN], short_out[HY_BLAKE3_OUT_LEN];
        hy_blake3_hasher h;

        unhex(tv->hash, want, sizeof want);
        hy_blake3_init(&h);
        hy_blake3_update(&h, in, tv->len);
        hy_blake3_final(&h, got, sizeof got);
        assert_memory_equal(got, want, sizeof want);
        hy_blake3(in, tv->len, short_out);
        assert_memory_equal(short_out, want, sizeof short_out);
        hy_hash(in, tv->len, short_out);
        assert_memory_equal(short_out, want, sizeof short_out);

        unhex(tv->keyed_hash, want, sizeof want);
        hy_blake3_init_keyed(&h, key);
        hy_blake3_update(&h, in, tv->len);
        hy_blake3_final(&h, got, sizeof got);
        assert_memory_equal(got, want, sizeof want);
        hy_blake3_keyed(key, in, tv->len, short_out);
        assert_memory_equal(short_out, want, sizeof short_out);

        unhex(tv->derive_key, want, sizeof want);
        hy_blake3_init_derive_key(&h, B3V_CONTEXT);
        hy_blake3_update(&h, in, tv->len);
        hy_blake3_final(&h, got, sizeof got);
        assert_memory_equal(got, want, sizeof want);
        free(in);
    }
}

static void hash_pieces(const uint8_t *in, const size_t *cuts, size_t ncuts, size_t len,
                        uint8_t out[HY_BLAKE3_OUT_LEN])
{
    hy_blake3_hasher h;
    size_t at = 0;
    hy_blake3_init(&h);
    for (size_t i = 0; i < ncuts; i++) {
        hy_blake3_update(&h, in + at, cuts[i] - at);
        at = cuts[i];
    }
    hy_blake3_update(&h, in + at, len - at);
    hy_blake3_final(&h, out, HY_BLAKE3_OUT_LEN);
}

/* Every two-piece split of lengths around block, chunk and subtree edges. */
static void test_every_split_in_two(void **state)
{
    (void)state;
    static const size_t lens[] = {64, 65, 1024, 1025, 2049, 4097, 5121};
    for (size_t l = 0; l < sizeof lens / sizeof lens[0]; l++) {
        size_t len = lens[l];
        uint8_t *in = make_input(len);
        uint8_t want[HY_BLAKE3_OUT_LEN], got[HY_BLAKE3_OUT_LEN];
        hy_blake3(in, len, want);
        for (size_t cut = 0; cut <= len; cut++) {
            hash_pieces(in, &cut, 1, len, got);
            assert_memory_equal(got, want, sizeof want);
        }
        free(in);
    }
}

/* Every three-piece split of a length spanning several blocks (empty pieces included). */
static void test_every_split_in_three(void **state)
{
    (void)state;
    const size_t len = 200;
    uint8_t *in = make_input(len);
    uint8_t want[HY_BLAKE3_OUT_LEN], got[HY_BLAKE3_OUT_LEN];
    hy_blake3(in, len, want);
    for (size_t a = 0; a <= len; a++) {
        for (size_t b = a; b <= len; b++) {
            size_t cuts[2] = {a, b};
            hash_pieces(in, cuts, 2, len, got);
            assert_memory_equal(got, want, sizeof want);
        }
    }
    free(in);
}

/* Long inputs fed in irregular pieces, so that whole subtrees are taken from the middle of an
 * update at every alignment, matched against the one-shot hash (itself checked by the vectors
 * up to 100 KiB). */
static void test_long_irregular_pieces(void **state)
{
    (void)state;
    static const size_t steps[] = {1, 63, 64, 65, 1023, 1024, 1025, 3000, 8192, 40000, 70001};
    static const size_t lens[] = {102400, 300 * 1024 + 17};
    const uint8_t *key = (const uint8_t *)B3V_KEY;
    for (size_t l = 0; l < sizeof lens / sizeof lens[0]; l++) {
        size_t len = lens[l];
        uint8_t *in = make_input(len);
        uint8_t want[HY_BLAKE3_OUT_LEN], got[HY_BLAKE3_OUT_LEN];
        hy_blake3_keyed(key, in, len, want);
        for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++) {
            hy_blake3_hasher h;
            size_t at = 0, step = steps[s];
            hy_blake3_init_keyed(&h, key);
            for (size_t i = 0; at < len; i++) {
                /* Alternate the step with a short odd piece to shift alignment every time. */
                size_t n = i % 2 ? step : i % 7;
                if (n > len - at)
                    n = len - at;
                hy_blake3_update(&h, in + at, n);
                at += n;
            }
            hy_blake3_final(&h, got, sizeof got);
            assert_memory_equal(got, want, sizeof want);
        }
        free(in);
    }
}

static void test_final_keeps_state(void **state)
{
    (void)state;
    const size_t len = 5000;
    uint8_t *in = make_input(len);
    uint8_t a[HY_BLAKE3_OUT_LEN], b[HY_BLAKE3_OUT_LEN], want[HY_BLAKE3_OUT_LEN];
    hy_blake3_hasher h;
    hy_blake3_init(&h);
    hy_blake3_update(&h, in, 3000);
    hy_blake3_final(&h, a, sizeof a);
    hy_blake3_final(&h, b, sizeof b);
    assert_memory_equal(a, b, sizeof a);
    hy_blake3(in, 3000, want);
    assert_memory_equal(a, want, sizeof a);

    /* Input after a final continues the same message. */
    hy_blake3_update(&h, in + 3000, len - 3000);
    hy_blake3_final(&h, a, sizeof a);
    hy_blake3(in, len, want);
    assert_memory_equal(a, want, sizeof a);

    /* A zero-length update (even with NULL data) changes nothing. */
    hy_blake3_update(&h, NULL, 0);
    hy_blake3_final(&h, b, sizeof b);
    assert_memory_equal(a, b, sizeof a);
    free(in);
}

static void test_xof_prefix(void **state)
{
    (void)state;
    static const size_t lens[] = {0, 1, 64, 1025, 70000};
    for (size_t l = 0; l < sizeof lens / sizeof lens[0]; l++) {
        uint8_t *in = make_input(lens[l]);
        uint8_t full[1000], part[1000];
        hy_blake3_hasher h;
        hy_blake3_init(&h);
        hy_blake3_update(&h, in, lens[l]);
        hy_blake3_final(&h, full, sizeof full);
        for (size_t n = 0; n <= sizeof part; n++) {
            memset(part, 0xAA, sizeof part);
            hy_blake3_final(&h, part, n);
            assert_memory_equal(part, full, n);
            /* Nothing past out_len is written. */
            for (size_t i = n; i < sizeof part; i++)
                assert_int_equal(part[i], 0xAA);
        }
        free(in);
    }
}

/* The three modes keep their outputs apart even on the same input and key bytes. */
static void test_modes_differ(void **state)
{
    (void)state;
    const uint8_t *key = (const uint8_t *)B3V_KEY;
    uint8_t plain[HY_BLAKE3_OUT_LEN], keyed[HY_BLAKE3_OUT_LEN], derived[HY_BLAKE3_OUT_LEN];
    hy_blake3_hasher h;
    hy_blake3(key, HY_BLAKE3_KEY_LEN, plain);
    hy_blake3_keyed(key, key, HY_BLAKE3_KEY_LEN, keyed);
    hy_blake3_init_derive_key(&h, B3V_KEY);
    hy_blake3_update(&h, key, HY_BLAKE3_KEY_LEN);
    hy_blake3_final(&h, derived, sizeof derived);
    assert_true(memcmp(plain, keyed, sizeof plain) != 0);
    assert_true(memcmp(plain, derived, sizeof plain) != 0);
    assert_true(memcmp(keyed, derived, sizeof plain) != 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_official_vectors),
        cmocka_unit_test(test_every_split_in_two),
        cmocka_unit_test(test_every_split_in_three),
        cmocka_unit_test(test_long_irregular_pieces),
        cmocka_unit_test(test_final_keeps_state),
        cmocka_unit_test(test_xof_prefix),
        cmocka_unit_test(test_modes_differ),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

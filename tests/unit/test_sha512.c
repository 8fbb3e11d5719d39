#include "hy_test.h"
#include "unhex.h"

#include <string.h>

#include "sha512.h"

static void check(const void *msg, size_t len, const char *want_hex)
{
    uint8_t want[64], got[64];
    unhex(want, want_hex, 64);
    hy_sha512(msg, len, got);
    assert_memory_equal(got, want, 64);
}

/* FIPS 180-2 appendix C and the NIST example values. */
static void test_nist_vectors(void **state)
{
    (void)state;
    check("abc", 3,
          "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
          "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
    check("", 0,
          "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
          "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e");
    check(NULL, 0,
          "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
          "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e");
    static const char m896[] = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
                               "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    check(m896, 112,
          "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018"
          "501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909");
    check("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
          "204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c335"
          "96fd15c13b1b07f9aa1d3bea57789ca031ad85c7a71dd70354ec631238ca3445");
}

static void test_million_a(void **state)
{
    (void)state;
    uint8_t chunk[1000], got[64], want[64];
    hy_sha512_state s;
    memset(chunk, 'a', sizeof chunk);
    hy_sha512_init(&s);
    for (int i = 0; i < 1000; i++) {
        hy_sha512_update(&s, chunk, sizeof chunk);
    }
    hy_sha512_final(&s, got);
    unhex(want,
          "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973eb"
          "de0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b",
          64);
    assert_memory_equal(got, want, 64);
}

/* Lengths on both sides of the padding boundaries (112: the length field no longer fits in
 * the last block; 128: a whole block). Message byte i is 7i mod 256; digests from Python's
 * hashlib. */
static void test_padding_boundaries(void **state)
{
    (void)state;
    static const struct {
        size_t len;
        const char *hex;
    } cases[] = {
        {111, "d2026b9857418e96d800f55017d1c1566c027453ff240da88f0a25558fabf5d6"
              "ffbe00bb14bc04f120af1cac53f21cb4a81765140b9249f52aaab4935079dd94"},
        {112, "4dc754b8985c03b8015b1efd61af5c05828b6d07eecda8d90dd5863f7704bd37"
              "5905932f2fbdeb4ee1b754a7778e4a0327e7d75b71ae95d1f619136e27564467"},
        {127, "78de13cc28717e3ee7a3cb21b2ecac6d201f32f4a81bc1becdf9de5126e1a013"
              "9e25784aeb8baf327cc32f98d54d20e80e61d4d6bff5b37872fdaa645a4f3886"},
        {128, "6e7f10bc87eacc3e98014eaade39e273285ba13c79231361c24c304a8d409018"
              "f543a28847fcc829b87fdde605caa5ab5fdb00e296737fa4687d5ee8d130ceea"},
        {129, "cdc5b3e2f22ed03935760389c88672f8b3c867503aff012d5f9653e426c9b530"
              "e091356459108edadc8e09a444a50415b30d38f9d75cb8c456fec0ae3ca6901f"},
        {239, "d29cefaac62d3e8acd367abe0804c702a4848773ada2ad537619bc5c29a3a1f0"
              "c7d58c639638ede6869cf43536bb0530c2e8cee6b29ac3999e1216b6e88bab4f"},
        {240, "44f1b40dcf17562fc7119b65ea16035838ccb0438092ef3c7ba8011fda5448d6"
              "ccff715c5d17e4e399154938c8e89be6cf724018868cac11f383709af4e0d0e5"},
    };
    uint8_t msg[240];
    for (size_t i = 0; i < sizeof msg; i++) {
        msg[i] = (uint8_t)(i * 7);
    }
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        check(msg, cases[i].len, cases[i].hex);
    }
}

/* Any split of the input into update calls gives the one-shot digest. */
static void test_incremental_splits(void **state)
{
    (void)state;
    uint8_t msg[300], want[64], got[64];
    hy_sha512_state s;
    for (size_t i = 0; i < sizeof msg; i++) {
        msg[i] = (uint8_t)(i * 31 + 5);
    }
    hy_sha512(msg, sizeof msg, want);
    for (size_t a = 0; a <= sizeof msg; a++) {
        /* two pieces, and three pieces with the middle one of 0..2 blocks */
        hy_sha512_init(&s);
        hy_sha512_update(&s, msg, a);
        hy_sha512_update(&s, msg + a, sizeof msg - a);
        hy_sha512_final(&s, got);
        assert_memory_equal(got, want, 64);
        size_t b = a + (a * 37) % (sizeof msg - a + 1);
        hy_sha512_init(&s);
        hy_sha512_update(&s, msg, a);
        hy_sha512_update(&s, msg + a, b - a);
        hy_sha512_update(&s, NULL, 0);
        hy_sha512_update(&s, msg + b, sizeof msg - b);
        hy_sha512_final(&s, got);
        assert_memory_equal(got, want, 64);
    }
    hy_sha512_init(&s);
    for (size_t i = 0; i < sizeof msg; i++) {
        hy_sha512_update(&s, msg + i, 1);
    }
    hy_sha512_final(&s, got);
    assert_memory_equal(got, want, 64);
}

/* final wipes the state; a copied state continues independently (prefix forking). */
static void test_final_wipes_and_copy_forks(void **state)
{
    (void)state;
    uint8_t a[64], b[64], want[64];
    hy_sha512_state s, t;
    static const uint8_t zero[sizeof(hy_sha512_state)] = {0};
    hy_sha512_init(&s);
    hy_sha512_update(&s, "prefix-", 7);
    t = s;
    hy_sha512_update(&s, "one", 3);
    hy_sha512_update(&t, "two", 3);
    hy_sha512_final(&s, a);
    hy_sha512_final(&t, b);
    assert_memory_equal(&s, zero, sizeof s);
    hy_sha512("prefix-one", 10, want);
    assert_memory_equal(a, want, 64);
    hy_sha512("prefix-two", 10, want);
    assert_memory_equal(b, want, 64);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nist_vectors),
        cmocka_unit_test(test_million_a),
        cmocka_unit_test(test_padding_boundaries),
        cmocka_unit_test(test_incremental_splits),
        cmocka_unit_test(test_final_wipes_and_copy_forks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

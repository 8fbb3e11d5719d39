#include "hy_test.h"

#include "utf8.h"

#include <string.h>

static bool valid(const char *s)
{
    return hy_utf8_valid((const uint8_t *)s, strlen(s));
}

static void accepts_every_well_formed_length(void **state)
{
    (void)state;
    assert_true(valid(""));
    assert_true(valid("plain ascii"));
    assert_true(valid("\xc3\xa9"));             /* é */
    assert_true(valid("\xe2\x82\xac"));         /* € */
    assert_true(valid("\xf0\x9f\x98\x80"));     /* 😀 */
    assert_true(valid("\xf4\x8f\xbf\xbf"));     /* U+10FFFF */
    assert_true(valid("\xed\x9f\xbf"));         /* U+D7FF, just below the surrogates */
}

static void refuses_overlongs_surrogates_and_truncations(void **state)
{
    (void)state;
    assert_false(valid("\xc0\xaf"));             /* overlong '/' */
    assert_false(valid("\xe0\x80\xaf"));
    assert_false(valid("\xf0\x80\x80\xaf"));
    assert_false(valid("\xed\xa0\x80"));         /* U+D800 */
    assert_false(valid("\xed\xbf\xbf"));         /* U+DFFF */
    assert_false(valid("\xf4\x90\x80\x80"));     /* U+110000 */
    assert_false(valid("\xf8\x88\x80\x80\x80"));
    assert_false(valid("\x80"));
    assert_false(valid("\xe2\x82"));             /* truncated */
    assert_false(valid("\xe2\x28\xa1"));         /* bad continuation */
    assert_false(valid("\xff"));
}

static void decode_and_encode_round_trip(void **state)
{
    (void)state;
    const char *text = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z";
    uint32_t cps[16];
    size_t n = hy_utf8_decode((const uint8_t *)text, strlen(text), cps);
    assert_int_equal(n, 5);
    assert_int_equal(cps[0], 'a');
    assert_int_equal(cps[1], 0xe9);
    assert_int_equal(cps[2], 0x20ac);
    assert_int_equal(cps[3], 0x1f600);
    assert_int_equal(cps[4], 'z');
    uint8_t back[32];
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(hy_utf8_len(cps[i]), hy_utf8_encode(cps[i], back + len));
        len += hy_utf8_len(cps[i]);
    }
    assert_int_equal(len, strlen(text));
    assert_memory_equal(back, text, len);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(accepts_every_well_formed_length),
        cmocka_unit_test(refuses_overlongs_surrogates_and_truncations),
        cmocka_unit_test(decode_and_encode_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

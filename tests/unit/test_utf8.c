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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(accepts_every_well_formed_length),
        cmocka_unit_test(refuses_overlongs_surrogates_and_truncations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

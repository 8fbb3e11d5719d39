#include "hy_test.h"

#include "hex.h"

#include <string.h>

static void hex_round_trips_every_byte(void **state)
{
    (void)state;
    uint8_t bytes[256], back[256];
    char text[513];
    for (int i = 0; i < 256; i++)
        bytes[i] = (uint8_t)i;
    hy_hex_encode(text, bytes, sizeof bytes);
    assert_int_equal(strlen(text), 512);
    assert_memory_equal(text, "000102", 6);
    assert_memory_equal(text + 2 * 0xfa, "fafbfcfdfeff", 12);
    assert_int_equal(hy_hex_decode(back, sizeof back, text), HY_OK);
    assert_memory_equal(bytes, back, sizeof bytes);
    uint8_t upper[2];
    assert_int_equal(hy_hex_decode(upper, 2, "aBcD"), HY_OK);
    assert_int_equal(upper[0], 0xab);
    assert_int_equal(upper[1], 0xcd);
}

static void hex_refuses_every_non_digit_and_wrong_lengths(void **state)
{
    (void)state;
    uint8_t out[1];
    for (int c = 1; c < 256; c++) {
        char text[3] = { '0', (char)c, 0 };
        int is_hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        assert_int_equal(hy_hex_decode(out, 1, text), is_hex ? HY_OK : HY_E_FORMAT);
        text[0] = (char)c;
        text[1] = '0';
        assert_int_equal(hy_hex_decode(out, 1, text), is_hex ? HY_OK : HY_E_FORMAT);
    }
    assert_int_equal(hy_hex_decode(out, 1, "abc"), HY_E_FORMAT);
    assert_int_equal(hy_hex_decode(out, 1, "a"), HY_E_FORMAT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hex_round_trips_every_byte),
        cmocka_unit_test(hex_refuses_every_non_digit_and_wrong_lengths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

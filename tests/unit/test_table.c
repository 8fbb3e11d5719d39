#include "hy_test.h"

#include "table.h"
#include "rng.h"
#include "test_alloc.h"

#include <stdio.h>
#include <string.h>

/* Random inserts, overwrites and removes checked against a plain array model. */
static void map_matches_a_model_under_random_operations(void **state)
{
    (void)state;
    enum { KEYS = 3000, OPS = 40000 };
    static uint32_t model[KEYS]; /* value + 1, 0 when absent */
    memset(model, 0, sizeof model);
    hy_test_alloc t;
    hy_allocator a = hy_test_allocator(&t);
    hy_table m;
    hy_table_init(&m, 32, 12345);
    hy_rng rng = { 7 };
    size_t live = 0;
    for (int op = 0; op < OPS; op++) {
        uint8_t key[32] = { 0 };
        uint32_t k = (uint32_t)hy_rng_below(&rng, KEYS);
        memcpy(key + 7, &k, sizeof k);
        uint64_t choice = hy_rng_below(&rng, 3);
        if (choice < 2) {
            uint32_t v = (uint32_t)hy_rng_below(&rng, 1000000);
            assert_int_equal(hy_table_put(&m, &a, key, v), HY_OK);
            live += model[k] == 0;
            model[k] = v + 1;
        } else {
            assert_int_equal(hy_table_remove(&m, key), model[k] != 0);
            live -= model[k] != 0;
            model[k] = 0;
        }
        assert_int_equal(m.len, live);
    }
    for (uint32_t k = 0; k < KEYS; k++) {
        uint8_t key[32] = { 0 };
        memcpy(key + 7, &k, sizeof k);
        uint32_t v = 0;
        assert_int_equal(hy_table_get(&m, key, &v), model[k] != 0);
        if (model[k])
            assert_int_equal(v, model[k] - 1);
    }
    hy_table_free(&m, &a);
    assert_int_equal(t.live_blocks, 0);
}

static void map_put_reports_oom_and_stays_intact(void **state)
{
    (void)state;
    hy_test_alloc t;
    hy_allocator a = hy_test_allocator(&t);
    hy_table m;
    hy_table_init(&m, sizeof(uint64_t), 1);
    uint64_t k;
    for (k = 0; k < 12; k++)
        assert_int_equal(hy_table_put(&m, &a, &k, (uint32_t)k), HY_OK);
    t.fail_at = t.requests + 1; /* the next growth fails */
    hy_err err = HY_OK;
    for (; err == HY_OK; k++)
        err = hy_table_put(&m, &a, &k, (uint32_t)k);
    assert_int_equal(err, HY_E_NOMEM);
    for (uint64_t j = 0; j + 1 < k; j++) {
        uint32_t v;
        assert_true(hy_table_get(&m, &j, &v));
        assert_int_equal(v, j);
    }
    assert_int_equal(hy_table_put(&m, &a, &k, UINT32_MAX), HY_E_INVALID_ARG);
    hy_table_free(&m, &a);
    assert_int_equal(t.live_blocks, 0);
}

/* External keys: names of varied lengths kept by the owner, the map holding indexes. */
typedef struct names {
    char text[2000][12];
} names;

static const uint8_t *name_of(const void *user, uint32_t value, size_t *len)
{
    const names *n = user;
    *len = strlen(n->text[value]);
    return (const uint8_t *)n->text[value];
}

static void external_keys_of_any_length_are_found(void **state)
{
    (void)state;
    static names n;
    hy_test_alloc t;
    hy_allocator a = hy_test_allocator(&t);
    hy_table m;
    hy_table_init_external(&m, name_of, &n, 99);
    for (uint32_t i = 0; i < 2000; i++) {
        /* "a", "ab", ... share prefixes; different lengths must never compare equal. */
        snprintf(n.text[i], sizeof n.text[i], "%.*s%u", (int)(i % 5), "abcd", i / 5);
        assert_int_equal(hy_table_insert(&m, &a, i), HY_OK);
    }
    for (uint32_t i = 0; i < 2000; i++) {
        uint32_t v;
        assert_true(hy_table_find(&m, n.text[i], strlen(n.text[i]), &v));
        assert_int_equal(v, i);
    }
    assert_false(hy_table_find(&m, "abcd", 4, NULL));
    assert_false(hy_table_find(&m, "ab0", 2, NULL)); /* a prefix of a key is another key */
    assert_false(hy_table_remove(&m, "a0"));          /* external maps do not remove */
    assert_int_equal(hy_table_insert(&m, &a, UINT32_MAX), HY_E_INVALID_ARG);
    hy_table_free(&m, &a);
    assert_int_equal(t.live_blocks, 0);
}

static void hash_depends_on_seed_length_and_every_byte(void **state)
{
    (void)state;
    uint8_t buf[40] = { 0 };
    uint64_t base = hy_hash64(buf, sizeof buf, 1);
    assert_int_not_equal(base, hy_hash64(buf, sizeof buf, 2));
    assert_int_not_equal(base, hy_hash64(buf, sizeof buf - 1, 1));
    for (size_t i = 0; i < sizeof buf; i++) {
        buf[i] ^= 1;
        assert_int_not_equal(base, hy_hash64(buf, sizeof buf, 1));
        buf[i] ^= 1;
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(map_matches_a_model_under_random_operations),
        cmocka_unit_test(map_put_reports_oom_and_stays_intact),
        cmocka_unit_test(external_keys_of_any_length_are_found),
        cmocka_unit_test(hash_depends_on_seed_length_and_every_byte),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

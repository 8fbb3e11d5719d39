/* A store's policy: the genesis that carries it (canonical bytes, hostile input refused with
 * an offset) and the writers rule every store enforces, on local commits, merges and loads. */
#include "hy_test.h"

#include "store_asserts.h"

#include <string.h>

static const hy_allocator *alloc(void)
{
    static hy_allocator a;
    a = hy_allocator_default();
    return &a;
}

/* ---- genesis ---- */

static void genesis_is_canonical_and_round_trips(void **state)
{
    (void)state;
    uint8_t keys[3][HY_KEY_LEN];
    for (int i = 0; i < 3; i++)
        memset(keys[i], 0x30 - i, HY_KEY_LEN); /* given in descending order */
    hy_genesis g = { .name = "notes", .name_len = 5, .writers = keys[0], .writer_count = 3,
                     .readers = keys[1], .reader_count = 1 };
    uint8_t out[256];
    size_t len;
    assert_int_equal(hy_genesis_encode(&g, out, 10, &len), HY_E_TOO_LARGE);
    size_t need = len;
    assert_int_equal(hy_genesis_encode(&g, out, sizeof out, &len), HY_OK);
    assert_int_equal(len, need);
    assert_int_equal(len, 4 + 1 + 1 + 5 + 1 + 3 * HY_KEY_LEN + 1 + HY_KEY_LEN);
    hy_genesis back;
    assert_int_equal(hy_genesis_decode(out, len, &back, NULL), HY_OK);
    assert_int_equal(back.name_len, 5);
    assert_memory_equal(back.name, "notes", 5);
    assert_int_equal(back.writer_count, 3);
    assert_memory_equal(back.writers, keys[2], HY_KEY_LEN); /* sorted */
    assert_memory_equal(back.writers + 2 * HY_KEY_LEN, keys[0], HY_KEY_LEN);
    assert_int_equal(back.reader_count, 1);

    /* The same policy given in another order encodes to the same bytes: one store id. */
    uint8_t sorted[3][HY_KEY_LEN];
    memcpy(sorted[0], keys[2], HY_KEY_LEN);
    memcpy(sorted[1], keys[1], HY_KEY_LEN);
    memcpy(sorted[2], keys[0], HY_KEY_LEN);
    g.writers = sorted[0];
    uint8_t again[256];
    size_t again_len;
    assert_int_equal(hy_genesis_encode(&g, again, sizeof again, &again_len), HY_OK);
    assert_int_equal(again_len, len);
    assert_memory_equal(again, out, len);

    /* A key listed twice, an empty or NUL-holding name: the caller's mistake. */
    memcpy(sorted[1], sorted[0], HY_KEY_LEN);
    assert_int_equal(hy_genesis_encode(&g, again, sizeof again, &again_len), HY_E_INVALID_ARG);
    hy_genesis bad = { .name = "a\0b", .name_len = 3 };
    assert_int_equal(hy_genesis_encode(&bad, again, sizeof again, &again_len), HY_E_INVALID_ARG);
    bad.name_len = 0;
    assert_int_equal(hy_genesis_encode(&bad, again, sizeof again, &again_len), HY_E_INVALID_ARG);
}

static void hostile_genesis_is_refused_where_it_goes_bad(void **state)
{
    (void)state;
    uint8_t keys[2][HY_KEY_LEN];
    memset(keys[0], 1, HY_KEY_LEN);
    memset(keys[1], 2, HY_KEY_LEN);
    hy_genesis g = { .name = "s", .name_len = 1, .writers = keys[0], .writer_count = 2 };
    uint8_t good[128], bytes[129];
    size_t len, offset;
    hy_genesis out;
    assert_int_equal(hy_genesis_encode(&g, good, sizeof good, &len), HY_OK);

    memcpy(bytes, good, len);
    bytes[0] = 'X';
    assert_int_equal(hy_genesis_decode(bytes, len, &out, &offset), HY_E_FORMAT);
    assert_int_equal(offset, 0);

    memcpy(bytes, good, len);
    bytes[4] = 3; /* 1: a store, 2: a ledger */
    assert_int_equal(hy_genesis_decode(bytes, len, &out, &offset), HY_E_VERSION);
    assert_int_equal(offset, 4);

    /* Writers out of order: not canonical, refused at the second key. */
    memcpy(bytes, good, len);
    size_t first_key = 4 + 1 + 1 + 1 + 1;
    memcpy(bytes + first_key, keys[1], HY_KEY_LEN);
    memcpy(bytes + first_key + HY_KEY_LEN, keys[0], HY_KEY_LEN);
    assert_int_equal(hy_genesis_decode(bytes, len, &out, &offset), HY_E_FORMAT);
    assert_int_equal(offset, first_key + HY_KEY_LEN);

    /* A count the input cannot hold, a trailing byte, every truncation. */
    memcpy(bytes, good, len);
    bytes[first_key - 1] = 100;
    assert_int_equal(hy_genesis_decode(bytes, len, &out, &offset), HY_E_TOO_LARGE);
    memcpy(bytes, good, len);
    bytes[len] = 0;
    assert_int_equal(hy_genesis_decode(bytes, len + 1, &out, &offset), HY_E_FORMAT);
    for (size_t cut = 0; cut < len; cut++)
        assert_int_not_equal(hy_genesis_decode(good, cut, &out, &offset), HY_OK);
}

/* ---- writers ---- */

typedef struct policy_fixture {
    test_platform platform[3];
    hy_store *alice, *bob;   /* no policy of their own */
    hy_store *guarded;       /* under the policy {alice}; its own actor is neither */
} policy_fixture;

static hy_store_config config_with_writers(test_platform *p, uint64_t seed,
                                           const uint8_t *writers, size_t count)
{
    hy_store_config c = fixture_store_config(p, *alloc(), seed);
    c.writers = writers;
    c.writer_count = count;
    return c;
}

static void policy_setup(policy_fixture *f)
{
    f->alice = fixture_store(&f->platform[0], *alloc(), 1);
    f->bob = fixture_store(&f->platform[1], *alloc(), 2);
    hy_store_config c = config_with_writers(&f->platform[2], 3, hy_store_actor(f->alice), 1);
    f->guarded = NULL;
    assert_int_equal(hy_store_new(&c, &f->guarded), HY_OK);
}

static void policy_teardown(policy_fixture *f)
{
    hy_store_free(f->alice);
    hy_store_free(f->bob);
    hy_store_free(f->guarded);
}

static void a_store_refuses_writes_by_actors_outside_its_writers(void **state)
{
    (void)state;
    policy_fixture f;
    policy_setup(&f);
    hy_value v = { .type = HY_TYPE_INT, .as.integer = 7 };

    /* The guarded store's own actor is not alice: its edits are refused before they apply. */
    assert_int_equal(hy_put(f.guarded, "c", "k", "f", &v), HY_E_FORBIDDEN);
    assert_int_equal(hy_txn_begin(f.guarded), HY_E_FORBIDDEN);
    hy_value got;
    assert_int_equal(hy_get(f.guarded, "c", "k", "f", &got), HY_E_NOT_FOUND);

    /* alice's change merges; a batch that also carries bob's is refused whole. */
    assert_int_equal(hy_put(f.alice, "c", "k", "f", &v), HY_OK);
    sync_to(f.alice, f.guarded);
    assert_int_equal(hy_get(f.guarded, "c", "k", "f", &got), HY_OK);
    assert_int_equal(got.as.integer, 7);
    v.as.integer = 8;
    assert_int_equal(hy_put(f.bob, "c", "k", "g", &v), HY_OK);
    v.as.integer = 9;
    assert_int_equal(hy_put(f.alice, "c", "k", "h", &v), HY_OK);
    sync_to(f.bob, f.alice);
    uint8_t heads[HY_HASH_LEN];
    size_t count;
    assert_int_equal(hy_store_heads(f.guarded, heads, 1, &count), HY_OK);
    uint8_t *batch;
    size_t len;
    assert_int_equal(hy_store_changes(f.alice, heads, count, &batch, &len), HY_OK);
    assert_int_equal(hy_store_merge(f.guarded, batch, len), HY_E_FORBIDDEN);
    hy_store_buffer_free(f.alice, batch, len);
    assert_int_equal(hy_get(f.guarded, "c", "k", "h", &got), HY_E_NOT_FOUND);
    assert_int_equal(hy_get(f.guarded, "c", "k", "g", &got), HY_E_NOT_FOUND);

    /* Nor does a saved store holding bob's change load under the policy. */
    uint8_t *saved;
    assert_int_equal(hy_store_save(f.alice, &saved, &len), HY_OK);
    hy_store_config c = config_with_writers(&f.platform[2], 4, hy_store_actor(f.alice), 1);
    hy_store *loaded = NULL;
    assert_int_equal(hy_store_load(&c, saved, len, &loaded, NULL), HY_E_FORBIDDEN);
    assert_null(loaded);
    hy_store_buffer_free(f.alice, saved, len);
    policy_teardown(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(genesis_is_canonical_and_round_trips),
        cmocka_unit_test(hostile_genesis_is_refused_where_it_goes_bad),
        cmocka_unit_test(a_store_refuses_writes_by_actors_outside_its_writers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

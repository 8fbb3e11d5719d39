/* Property test: 2 to 8 replicas make random edits of every type, exchange changes one by
 * one in random order with duplicates (through the pending queue), save and reload at random
 * points, and must end with equal reads and byte-identical saves.
 *
 *   test_store_prop [SEEDS [FIRST_SEED]]    (default: a short run for CI; tests/prop runs long)
 */
#include "hy_test.h"

#include "store_internal.h"
#include "store_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_REPLICAS 8
static const char *const COLLECTIONS[] = { "tasks", "notes" };
static const char *const KEYS[] = { "a", "b", "c" };
static const char *const REGISTERS[] = { "title", "done" };
static const char *const COUNTERS[] = { "votes" };
static const char *const ENTRIES[] = { "x", "y", "\xc3\xa9" };
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

typedef struct replica {
    hy_store *store;
    test_platform platform;
} replica;

static hy_store *open_store(replica *r, uint64_t seed, const uint8_t *bytes, size_t len)
{
    hy_store_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.platform = &r->platform.platform;
    uint8_t actor[HY_KEY_LEN];
    memset(actor, (int)(seed & 0xff), sizeof actor);
    actor[0] = (uint8_t)(seed >> 8);
    cfg.actor_seed = actor;
    hy_store *s = NULL;
    hy_err err = bytes ? hy_store_load(&cfg, bytes, len, &s, NULL) : hy_store_new(&cfg, &s);
    assert_int_equal(err, HY_OK);
    return s;
}

/* A small int or a short string. */
static hy_value random_value(hy_rng *rng, char text[24])
{
    hy_value v;
    if (hy_rng_below(rng, 2)) {
        snprintf(text, 24, "v%llu", (unsigned long long)hy_rng_below(rng, 1000));
        v.type = HY_TYPE_STRING;
        v.as.bytes.data = (const uint8_t *)text;
        v.as.bytes.len = strlen(text);
    } else {
        v.type = HY_TYPE_INT;
        v.as.integer = (int64_t)hy_rng_below(rng, 100) - 50;
    }
    return v;
}

static void random_edit(hy_store *s, hy_rng *rng)
{
    const char *c = COLLECTIONS[hy_rng_below(rng, COUNT(COLLECTIONS))];
    const char *k = KEYS[hy_rng_below(rng, COUNT(KEYS))];
    char text[24];
    hy_err err;
    switch (hy_rng_below(rng, 12)) {
    case 8: { /* insert a value somewhere in the record's list */
        size_t len = 0;
        assert_int_equal(hy_list_len(s, c, k, "items", &len), HY_OK);
        hy_value v = random_value(rng, text);
        err = hy_list_insert(s, c, k, "items", (size_t)hy_rng_below(rng, len + 1), &v);
        assert_int_equal(err, HY_OK);
        break;
    }
    case 9: { /* delete a run of it, or all of it */
        size_t len = 0;
        assert_int_equal(hy_list_len(s, c, k, "items", &len), HY_OK);
        if (len == 0 || hy_rng_below(rng, 8) == 0) {
            err = hy_remove(s, c, k, "items");
            assert_true(err == HY_OK || err == HY_E_NOT_FOUND);
            break;
        }
        size_t at = (size_t)hy_rng_below(rng, len);
        err = hy_list_delete(s, c, k, "items", at, 1 + (size_t)hy_rng_below(rng, len - at));
        assert_int_equal(err, HY_OK);
        break;
    }
    case 10: { /* write an entry of the record's map */
        hy_value v = random_value(rng, text);
        err = hy_map_put(s, c, k, "meta", ENTRIES[hy_rng_below(rng, COUNT(ENTRIES))], &v);
        assert_int_equal(err, HY_OK);
        break;
    }
    case 11: /* remove one entry, or the whole map */
        if (hy_rng_below(rng, 4) == 0)
            err = hy_remove(s, c, k, "meta");
        else
            err = hy_map_remove(s, c, k, "meta", ENTRIES[hy_rng_below(rng, COUNT(ENTRIES))]);
        assert_true(err == HY_OK || err == HY_E_NOT_FOUND);
        break;
    case 6:
    case 7: { /* tag, untag, or untag everything */
        hy_value tag = { .type = HY_TYPE_INT, .as.integer = (int64_t)hy_rng_below(rng, 4) };
        uint64_t what = hy_rng_below(rng, 8);
        if (what < 4) {
            assert_int_equal(hy_set_add(s, c, k, "tags", &tag), HY_OK);
        } else {
            err = what == 7 ? hy_remove(s, c, k, "tags") : hy_set_delete(s, c, k, "tags", &tag);
            assert_true(err == HY_OK || err == HY_E_NOT_FOUND);
        }
        break;
    }
    case 4: { /* type a few characters somewhere in the record's body */
        size_t len = 0;
        assert_int_equal(hy_text_len(s, c, k, "body", &len), HY_OK);
        static const char *const words[] = { "a", "bc", "d\xc3\xa9z", "\xf0\x9f\x98\x80" };
        const char *w = words[hy_rng_below(rng, 4)];
        err = hy_text_insert(s, c, k, "body", (size_t)hy_rng_below(rng, len + 1), w, strlen(w));
        assert_int_equal(err, HY_OK);
        break;
    }
    case 5: { /* delete a run of it, or all of it */
        size_t len = 0;
        assert_int_equal(hy_text_len(s, c, k, "body", &len), HY_OK);
        if (len == 0 || hy_rng_below(rng, 8) == 0) {
            err = hy_remove(s, c, k, "body");
            assert_true(err == HY_OK || err == HY_E_NOT_FOUND);
            break;
        }
        size_t at = (size_t)hy_rng_below(rng, len);
        err = hy_text_delete(s, c, k, "body", at, 1 + (size_t)hy_rng_below(rng, len - at));
        assert_int_equal(err, HY_OK);
        break;
    }
    case 0:
    case 1: {
        hy_value v = random_value(rng, text);
        err = hy_put(s, c, k, REGISTERS[hy_rng_below(rng, COUNT(REGISTERS))], &v);
        assert_int_equal(err, HY_OK);
        break;
    }
    case 2:
        err = hy_remove(s, c, k, REGISTERS[hy_rng_below(rng, COUNT(REGISTERS))]);
        assert_true(err == HY_OK || err == HY_E_NOT_FOUND);
        break;
    default: /* count, or take back the count seen */
        if (hy_rng_below(rng, 8) == 0) {
            err = hy_remove(s, c, k, COUNTERS[0]);
            assert_true(err == HY_OK || err == HY_E_NOT_FOUND);
        } else {
            err = hy_counter_add(s, c, k, COUNTERS[0], (int64_t)hy_rng_below(rng, 21) - 10);
            assert_int_equal(err, HY_OK);
        }
    }
}

/* Delivers a random subset of a's changes to b, one by one, in random order. */
static void gossip(hy_store *a, hy_store *b, hy_rng *rng)
{
    uint32_t n = hy_log_count(a->log);
    hy_writer w;
    hy_writer_init(&w, hy_allocator_default());
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = (uint32_t)hy_rng_below(rng, n);
        w.len = 0;
        assert_int_equal(hy_log_encode(a->log, i, &w), HY_OK);
        hy_err err = hy_log_add(b->log, w.data, w.len, NULL, NULL);
        assert_true(err == HY_OK || err == HY_E_MISSING_DEPS);
    }
    hy_writer_free(&w);
}

static void full_sync(hy_store *a, hy_store *b)
{
    assert_int_equal(fixture_store_sync(a, b), HY_OK);
}

static void assert_same_value(const hy_value *x, const hy_value *y)
{
    assert_int_equal(x->type, y->type);
    if (x->type == HY_TYPE_STRING) {
        assert_int_equal(x->as.bytes.len, y->as.bytes.len);
        assert_memory_equal(x->as.bytes.data, y->as.bytes.data, x->as.bytes.len);
    } else {
        assert_true(x->as.integer == y->as.integer);
    }
}

/* The record's list and map read the same on both. */
static void assert_same_list_and_map(hy_store *a, hy_store *b, const char *c, const char *k)
{
    size_t la = 0, lb = 0;
    assert_int_equal(hy_list_len(a, c, k, "items", &la), HY_OK);
    assert_int_equal(hy_list_len(b, c, k, "items", &lb), HY_OK);
    assert_int_equal(la, lb);
    for (size_t i = 0; i < la; i++) {
        hy_value x, y;
        assert_int_equal(hy_list_get(a, c, k, "items", i, &x), HY_OK);
        assert_int_equal(hy_list_get(b, c, k, "items", i, &y), HY_OK);
        assert_same_value(&x, &y);
    }
    size_t n = hy_map_count(a, c, k, "meta");
    assert_int_equal(n, hy_map_count(b, c, k, "meta"));
    for (size_t i = 0; i < n; i++) {
        const char *na, *nb;
        assert_int_equal(hy_map_name(a, c, k, "meta", i, &na), HY_OK);
        assert_int_equal(hy_map_name(b, c, k, "meta", i, &nb), HY_OK);
        assert_string_equal(na, nb);
        size_t conflicts = hy_map_get_conflicts(a, c, k, "meta", na);
        assert_int_equal(conflicts, hy_map_get_conflicts(b, c, k, "meta", na));
        for (size_t v = 0; v < conflicts; v++) {
            hy_value x, y;
            assert_int_equal(hy_map_get_conflict(a, c, k, "meta", na, v, &x), HY_OK);
            assert_int_equal(hy_map_get_conflict(b, c, k, "meta", na, v, &y), HY_OK);
            assert_same_value(&x, &y);
        }
    }
}

static void assert_same_reads(hy_store *a, hy_store *b)
{
    for (size_t c = 0; c < COUNT(COLLECTIONS); c++)
        for (size_t k = 0; k < COUNT(KEYS); k++) {
            for (size_t f = 0; f < COUNT(REGISTERS); f++) {
                const char *path[3] = { COLLECTIONS[c], KEYS[k], REGISTERS[f] };
                size_t n = hy_get_conflicts(a, path[0], path[1], path[2]);
                assert_int_equal(n, hy_get_conflicts(b, path[0], path[1], path[2]));
                for (size_t i = 0; i < n; i++) {
                    hy_value x, y;
                    assert_int_equal(hy_get_conflict(a, path[0], path[1], path[2], i, &x), HY_OK);
                    assert_int_equal(hy_get_conflict(b, path[0], path[1], path[2], i, &y), HY_OK);
                    assert_same_value(&x, &y);
                }
            }
            assert_same_list_and_map(a, b, COLLECTIONS[c], KEYS[k]);
            char ta[4096], tb[4096];
            size_t la, lb;
            assert_int_equal(hy_text_read(a, COLLECTIONS[c], KEYS[k], "body", ta, sizeof ta, &la),
                             HY_OK);
            assert_int_equal(hy_text_read(b, COLLECTIONS[c], KEYS[k], "body", tb, sizeof tb, &lb),
                             HY_OK);
            assert_int_equal(la, lb);
            assert_memory_equal(ta, tb, la);
            size_t sa = hy_set_count(a, COLLECTIONS[c], KEYS[k], "tags");
            assert_int_equal(sa, hy_set_count(b, COLLECTIONS[c], KEYS[k], "tags"));
            for (size_t i = 0; i < sa; i++) {
                hy_value x, y;
                assert_int_equal(hy_set_item(a, COLLECTIONS[c], KEYS[k], "tags", i, &x), HY_OK);
                assert_int_equal(hy_set_item(b, COLLECTIONS[c], KEYS[k], "tags", i, &y), HY_OK);
                assert_true(x.as.integer == y.as.integer);
            }
            int64_t x = 0, y = 0;
            hy_err ea = hy_counter_get(a, COLLECTIONS[c], KEYS[k], COUNTERS[0], &x);
            hy_err eb = hy_counter_get(b, COLLECTIONS[c], KEYS[k], COUNTERS[0], &y);
            assert_int_equal(ea, eb);
            assert_true(x == y);
        }
}

static void run_seed(uint64_t seed)
{
    hy_rng rng = { seed };
    size_t n = 2 + (size_t)hy_rng_below(&rng, MAX_REPLICAS - 1);
    replica r[MAX_REPLICAS];
    for (size_t i = 0; i < n; i++) {
        test_platform_init(&r[i].platform, seed * 31 + i);
        r[i].store = open_store(&r[i], i + 1, NULL, 0);
    }
    size_t steps = 20 + (size_t)hy_rng_below(&rng, 40);
    for (size_t step = 0; step < steps; step++) {
        replica *x = &r[hy_rng_below(&rng, n)];
        switch (hy_rng_below(&rng, 6)) {
        case 0: { /* a transaction of several edits, sometimes rolled back */
            assert_int_equal(hy_txn_begin(x->store), HY_OK);
            for (uint64_t e = 1 + hy_rng_below(&rng, 4); e > 0; e--)
                random_edit(x->store, &rng);
            if (hy_rng_below(&rng, 4) == 0)
                hy_txn_rollback(x->store);
            else
                assert_int_equal(hy_txn_commit(x->store), HY_OK);
            break;
        }
        case 1:
            gossip(x->store, r[hy_rng_below(&rng, n)].store, &rng);
            break;
        case 2: { /* save and reload */
            uint8_t *bytes;
            size_t len;
            assert_int_equal(hy_store_save(x->store, &bytes, &len), HY_OK);
            hy_store *again = open_store(x, (size_t)(x - r) + 1, bytes, len);
            hy_store_buffer_free(x->store, bytes, len);
            assert_same_reads(x->store, again);
            hy_store_free(x->store);
            x->store = again;
            break;
        }
        default:
            random_edit(x->store, &rng);
        }
    }
    /* Everyone hears everything, twice (duplicates), in a ring and back. */
    for (int round = 0; round < 2; round++)
        for (size_t i = 0; i < n; i++)
            full_sync(r[i].store, r[(i + 1) % n].store);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            if (i != j)
                full_sync(r[i].store, r[j].store);
    uint8_t *first = NULL;
    size_t first_len = 0;
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(hy_log_pending_count(r[i].store->log), 0);
        assert_int_equal(hy_log_equivocation_count(r[i].store->log), 0);
        assert_same_reads(r[0].store, r[i].store);
        uint8_t *bytes;
        size_t len;
        assert_int_equal(hy_store_save(r[i].store, &bytes, &len), HY_OK);
        if (first == NULL) {
            first = bytes;
            first_len = len;
            continue;
        }
        if (len != first_len || memcmp(bytes, first, len) != 0) {
            size_t at = 0;
            while (at < len && at < first_len && bytes[at] == first[at])
                at++;
            fail_msg("seed %llu: replica %zu saves different bytes from offset %zu (%zu vs %zu)",
                     (unsigned long long)seed, i, at, len, first_len);
        }
        hy_store_buffer_free(r[i].store, bytes, len);
    }
    hy_store_buffer_free(r[0].store, first, first_len);
    for (size_t i = 0; i < n; i++)
        hy_store_free(r[i].store);
}

static uint64_t seeds = 40, first_seed = 1;

static void replicas_converge_for_every_seed(void **state)
{
    (void)state;
    for (uint64_t seed = first_seed; seed < first_seed + seeds; seed++) {
        printf("seed %llu\n", (unsigned long long)seed);
        run_seed(seed);
    }
}

int main(int argc, char **argv)
{
    if (argc > 1)
        seeds = strtoull(argv[1], NULL, 10);
    if (argc > 2)
        first_seed = strtoull(argv[2], NULL, 10);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(replicas_converge_for_every_seed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

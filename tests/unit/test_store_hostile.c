/* Changes from a hostile writer: ops that name ids outside their change's causal past must
 * decode the same on every replica, whatever else it holds, so that replicas never diverge. */
#include "hy_test.h"

#include "ed25519.h"
#include "log_fixture.h"
#include "store_asserts.h"

#include <stdlib.h>
#include <string.h>

enum { KIND_PUT = 1, KIND_TEXT_INSERT = 4 };

static void path(hy_writer *w, const char *field)
{
    const char *names[3] = { "doc", "d", field };
    for (int i = 0; i < 3; i++) {
        hy_write_u8(w, (uint8_t)strlen(names[i]));
        hy_write_bytes(w, names[i], strlen(names[i]));
    }
}

/* A batch with one change by a writer that has seen nothing, whose ops name the op `victim`
 * (counter 1) of the actor with this key: a register write with it as a pred, and a text
 * insert with it as left origin. Such a change cannot be made through the API. */
static void forge(const uint8_t victim[HY_KEY_LEN], uint8_t **batch, size_t *len)
{
    hy_log *m = fixture_log(hy_allocator_default(), 66, false);
    assert_non_null(m);
    hy_writer ops;
    hy_writer_init(&ops, hy_allocator_default());
    hy_write_varint(&ops, 1); /* actors: the victim */
    hy_write_bytes(&ops, victim, HY_KEY_LEN);
    hy_write_u8(&ops, KIND_PUT);
    path(&ops, "reg");
    hy_write_u8(&ops, HY_TYPE_INT);
    hy_write_varint(&ops, hy_zigzag(2));
    hy_write_varint(&ops, 1); /* preds: (victim, 1) */
    hy_write_varint(&ops, 1);
    hy_write_varint(&ops, 1);
    hy_write_u8(&ops, KIND_TEXT_INSERT);
    path(&ops, "text");
    hy_write_varint(&ops, 2); /* left origin: (victim, 2) */
    hy_write_varint(&ops, 2);
    hy_write_varint(&ops, 0); /* right origin: none */
    hy_write_varint(&ops, 1);
    hy_write_u8(&ops, 'y');
    assert_int_equal(ops.err, HY_OK);
    assert_int_equal(hy_log_commit(m, 0, 2, ops.data, ops.len, NULL), HY_OK);
    hy_writer out;
    hy_writer_init(&out, hy_allocator_default());
    uint32_t first = 0;
    assert_int_equal(hy_log_write_batch(m, &first, 1, &out), HY_OK);
    *batch = out.data;
    *len = out.len;
    hy_writer_free(&ops);
    hy_log_free(m);
}

static void assert_state(hy_store *s, const char *who)
{
    hy_value v;
    assert_int_equal(hy_get(s, "doc", "d", "reg", &v), HY_OK);
    if (v.as.integer != 1 || hy_get_conflicts(s, "doc", "d", "reg") != 1)
        fail_msg("%s: the forged write overwrote a value it never saw", who);
    char text[8];
    size_t len;
    assert_int_equal(hy_text_read(s, "doc", "d", "text", text, sizeof text, &len), HY_OK);
    if (len != 1 || text[0] != 'x')
        fail_msg("%s: text is '%.*s', not 'x'", who, (int)len, text);
}

static void ids_outside_the_causal_past_are_refused_everywhere(void **state)
{
    (void)state;
    hy_test_alloc t;
    hy_allocator al = hy_test_allocator(&t);
    test_platform pa, pb, pc;
    uint8_t seed[HY_KEY_LEN], victim[HY_KEY_LEN];
    memset(seed, 0xa5, sizeof seed);
    hy_ed25519_public_key(victim, seed);
    hy_store_config cfg = fixture_store_config(&pa, al, 1);
    cfg.actor_seed = seed;
    hy_store *a = NULL;
    assert_int_equal(hy_store_new(&cfg, &a), HY_OK);
    hy_value one = { .type = HY_TYPE_INT, .as.integer = 1 };
    assert_int_equal(hy_put(a, "doc", "d", "reg", &one), HY_OK);   /* op (a, 1) */
    assert_int_equal(hy_text_insert(a, "doc", "d", "text", 0, "x", 1), HY_OK); /* (a, 2) */

    uint8_t *forged;
    size_t forged_len;
    forge(victim, &forged, &forged_len);
    /* b hears of the forged change first (a is unknown to it then), c after a's changes:
     * before the check, c let the write replace a's value and put 'y' after 'x'. */
    hy_store *b = fixture_store(&pb, al, 2), *c = fixture_store(&pc, al, 3);
    assert_non_null(b);
    assert_non_null(c);
    assert_int_equal(hy_store_merge(b, forged, forged_len), HY_OK);
    sync_to(a, b);
    sync_to(a, c);
    assert_int_equal(hy_store_merge(c, forged, forged_len), HY_OK);
    assert_state(b, "b");
    assert_state(c, "c");
    /* The change stays in the log (its signature is valid) on both. */
    assert_same_saves(b, c);

    free(forged);
    hy_store_free(a);
    hy_store_free(b);
    hy_store_free(c);
    assert_int_equal(t.live_blocks, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ids_outside_the_causal_past_are_refused_everywhere),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

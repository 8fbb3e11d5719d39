#include "hy_test.h"

#include "alloc.h"
#include "bytes.h"
#include "rng.h"
#include "seq.h"
#include "test_alloc.h"
#include "vec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static hy_allocator heap(void)
{
    return hy_allocator_default();
}

static hy_seq *new_seq(const hy_allocator *a)
{
    hy_seq *s = NULL;
    assert_int_equal(hy_seq_new(a, NULL, &s), HY_OK);
    return s;
}

/* The visible content as a C string (values are ASCII in these tests). */
static void text(const hy_seq *s, char *out, size_t cap)
{
    uint32_t buf[512];
    size_t n = hy_seq_len(s);
    assert_true(n < cap && n <= 512);
    assert_int_equal(hy_seq_read(s, 0, buf, n), n);
    for (size_t i = 0; i < n; i++)
        out[i] = (char)buf[i];
    out[n] = 0;
}

static void assert_text(const hy_seq *s, const char *want)
{
    char got[513];
    text(s, got, sizeof got);
    assert_string_equal(got, want);
    assert_int_equal(hy_seq_check(s), HY_OK);
}

/* Checks every UTF-16 conversion against a naive count over the read-back values: each
 * position both ways, each offset inside a surrogate pair and each one past the end refused. */
static void check_utf16(const hy_seq *s)
{
    size_t n = hy_seq_len(s), units = 0, got;
    uint32_t *vals = malloc((n + 1) * sizeof(uint32_t));
    assert_non_null(vals);
    assert_int_equal(hy_seq_read(s, 0, vals, n), n);
    for (size_t pos = 0; pos <= n; pos++) {
        assert_int_equal(hy_seq_pos_to_utf16(s, pos, &got), HY_OK);
        assert_int_equal(got, units);
        assert_int_equal(hy_seq_pos_from_utf16(s, units, &got), HY_OK);
        assert_int_equal(got, pos);
        if (pos < n && vals[pos] >= 0x10000)
            assert_int_equal(hy_seq_pos_from_utf16(s, units + 1, &got), HY_E_INVALID_ARG);
        units += pos < n && vals[pos] >= 0x10000 ? 2 : 1;
    }
    units--; /* the loop counted one past the end */
    assert_int_equal(hy_seq_len_utf16(s), units);
    assert_int_equal(hy_seq_pos_to_utf16(s, n + 1, &got), HY_E_INVALID_ARG);
    assert_int_equal(hy_seq_pos_from_utf16(s, units + 1, &got), HY_E_INVALID_ARG);
    free(vals);
}

/* A replica typing into a sequence: its own actor and Lamport clock. */
typedef struct typist {
    hy_seq *s;
    uint32_t actor;
    uint64_t clock;
} typist;

/* Inserts str at pos as one op per character, collecting the ops (values kept in vals). */
static size_t type_chars(typist *t, size_t pos, const char *str, bool backwards,
                         hy_seq_op *ops, uint32_t *vals)
{
    size_t n = strlen(str);
    for (size_t i = 0; i < n; i++) {
        vals[i] = (uint8_t)(backwards ? str[n - 1 - i] : str[i]);
        hy_id id = { t->actor, t->clock++ };
        assert_int_equal(hy_seq_insert(t->s, backwards ? pos : pos + i, id, &vals[i], 1,
                                       &ops[i]),
                         HY_OK);
    }
    return n;
}

static void apply_all(hy_seq *s, const hy_seq_op *ops, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t at;
        assert_int_equal(hy_seq_apply_insert(s, &ops[i], &at), HY_OK);
        assert_true(at != SIZE_MAX);
    }
}

static void insert_str(typist *t, size_t pos, const char *str, hy_seq_op *op, uint32_t *vals)
{
    size_t n = strlen(str);
    for (size_t i = 0; i < n; i++)
        vals[i] = (uint8_t)str[i];
    hy_id id = { t->actor, t->clock };
    t->clock += n;
    assert_int_equal(hy_seq_insert(t->s, pos, id, vals, n, op), HY_OK);
}

static void new_and_free_and_bad_arguments(void **state)
{
    (void)state;
    hy_allocator a = heap();
    hy_seq_free(NULL);
    hy_seq *s = NULL;
    assert_int_equal(hy_seq_new(NULL, NULL, &s), HY_E_INVALID_ARG);
    s = new_seq(&a);
    assert_int_equal(hy_seq_len(s), 0);
    assert_int_equal(hy_seq_check(s), HY_OK);
    uint32_t v = 'x';
    hy_seq_op op;
    assert_int_equal(hy_seq_insert(s, 1, (hy_id){ 0, 1 }, &v, 1, &op), HY_E_INVALID_ARG);
    assert_int_equal(hy_seq_insert(s, 0, (hy_id){ 0, 1 }, &v, 0, &op), HY_E_INVALID_ARG);
    assert_int_equal(hy_seq_insert(s, 0, (hy_id){ 0, HY_SEQ_COUNTER_LIMIT }, &v, 1, &op),
                     HY_E_INVALID_ARG);
    assert_int_equal(hy_seq_insert(s, 0, (hy_id){ 0, HY_SEQ_COUNTER_LIMIT - 1 }, &v, 2, &op),
                     HY_E_INVALID_ARG);
    assert_int_equal(hy_seq_delete(s, 0, 1, NULL), HY_E_INVALID_ARG);
    assert_int_equal(hy_seq_delete(s, 0, 0, NULL), HY_OK);
    assert_int_equal(hy_seq_get(s, 0), 0);
    assert_int_equal(hy_seq_read(s, 0, &v, 1), 0);
    hy_id id;
    assert_int_equal(hy_seq_id_at(s, 0, &id), HY_E_INVALID_ARG);
    assert_int_equal(hy_seq_len(s), 0);
    hy_seq_free(s);
}

static void local_insert_fills_the_op_and_merges_typing(void **state)
{
    (void)state;
    hy_allocator a = heap();
    typist t = { new_seq(&a), 3, 10 };
    hy_seq_op ops[8];
    uint32_t vals[8];
    type_chars(&t, 0, "hello", false, ops, vals);
    assert_text(t.s, "hello");
    assert_int_equal(hy_seq_span_count(t.s), 1); /* one run */
    assert_int_equal(ops[0].origin_left.counter, HY_SEQ_NONE);
    assert_int_equal(ops[0].origin_right.counter, HY_SEQ_NONE);
    assert_int_equal(ops[1].origin_left.actor, 3);
    assert_int_equal(ops[1].origin_left.counter, 10);
    assert_int_equal(ops[4].id.counter, 14);
    assert_int_equal(ops[4].n, 1);
    assert_int_equal(ops[4].values[0], 'o');
    /* Inserting inside splits the run; the op names both neighbours. */
    hy_seq_op op;
    insert_str(&t, 2, "XY", &op, vals);
    assert_text(t.s, "heXYllo");
    assert_int_equal(op.origin_left.counter, 11);
    assert_int_equal(op.origin_right.counter, 12);
    assert_int_equal(op.n, 2);
    assert_int_equal(hy_seq_span_count(t.s), 3);
    assert_int_equal(hy_seq_get(t.s, 3), 'Y');
    hy_id id;
    assert_int_equal(hy_seq_id_at(t.s, 3, &id), HY_OK);
    assert_int_equal(id.actor, 3);
    assert_int_equal(id.counter, 16);
    uint32_t buf[4];
    assert_int_equal(hy_seq_read(t.s, 5, buf, 4), 2);
    assert_int_equal(buf[0], 'l');
    assert_int_equal(buf[1], 'o');
    hy_seq_free(t.s);
}

static void local_delete_reports_id_ranges(void **state)
{
    (void)state;
    hy_allocator a = heap();
    typist t = { new_seq(&a), 1, 1 };
    hy_seq_op op;
    uint32_t vals[16];
    insert_str(&t, 0, "abcdef", &op, vals); /* ids 1..6 */
    insert_str(&t, 3, "XYZ", &op, vals);    /* abcXYZdef, ids 7..9 */
    hy_vec ranges;
    hy_vec_init(&ranges, sizeof(hy_seq_range));
    assert_int_equal(hy_seq_delete(t.s, 1, 1, &ranges), HY_OK); /* b */
    assert_text(t.s, "acXYZdef");
    assert_int_equal(hy_seq_delete(t.s, 1, 6, &ranges), HY_OK); /* cXYZde */
    assert_text(t.s, "af");
    assert_int_equal(ranges.len, 4);
    hy_seq_range *r = ranges.data;
    assert_int_equal(r[0].first.counter, 2);
    assert_int_equal(r[0].n, 1);
    assert_int_equal(r[1].first.counter, 3);
    assert_int_equal(r[1].n, 1);
    assert_int_equal(r[2].first.counter, 7);
    assert_int_equal(r[2].n, 3);
    assert_int_equal(r[3].first.counter, 4);
    assert_int_equal(r[3].n, 2);
    /* Deleting "f" then "a" leaves only tombstones; runs deleted together merge again. */
    assert_int_equal(hy_seq_delete(t.s, 1, 1, NULL), HY_OK);
    assert_int_equal(hy_seq_delete(t.s, 0, 1, NULL), HY_OK);
    assert_text(t.s, "");
    assert_int_equal(hy_seq_span_count(t.s), 3); /* abc, XYZ, def */
    assert_int_equal(hy_seq_delete(t.s, 0, 1, NULL), HY_E_INVALID_ARG);
    hy_vec bad;
    hy_vec_init(&bad, 1);
    assert_int_equal(hy_seq_delete(t.s, 0, 0, &bad), HY_E_INVALID_ARG);
    hy_vec_free(&ranges, &a);
    hy_seq_free(t.s);
}

typedef struct patch_log {
    size_t index[8];
    size_t n[8];
    size_t count;
} patch_log;

static void log_removed(void *user, size_t index, size_t n)
{
    patch_log *log = user;
    log->index[log->count] = index;
    log->n[log->count++] = n;
}

static void remote_ops_apply_and_report_positions(void **state)
{
    (void)state;
    hy_allocator a = heap();
    typist t = { new_seq(&a), 1, 1 };
    hy_seq *r = new_seq(&a);
    hy_seq_op op;
    uint32_t vals[16];
    size_t at;
    insert_str(&t, 0, "abcdef", &op, vals);
    assert_int_equal(hy_seq_apply_insert(r, &op, &at), HY_OK);
    assert_int_equal(at, 0);
    insert_str(&t, 4, "XY", &op, vals);
    assert_int_equal(hy_seq_apply_insert(r, &op, &at), HY_OK);
    assert_int_equal(at, 4);
    assert_text(r, "abcdXYef");
    /* A duplicate changes nothing. */
    assert_int_equal(hy_seq_apply_insert(r, &op, &at), HY_OK);
    assert_int_equal(at, SIZE_MAX);
    assert_text(r, "abcdXYef");
    /* Missing origins, malformed ops. */
    hy_seq_op bad = op;
    bad.id.counter = 100;
    bad.origin_left = (hy_id){ 9, 5 };
    assert_int_equal(hy_seq_apply_insert(r, &bad, &at), HY_E_NOT_FOUND);
    bad.origin_left = op.origin_left;
    bad.origin_right = (hy_id){ 1, 99 };
    assert_int_equal(hy_seq_apply_insert(r, &bad, &at), HY_E_NOT_FOUND);
    bad.origin_right = op.origin_right;
    bad.n = 0;
    assert_int_equal(hy_seq_apply_insert(r, &bad, &at), HY_E_INVALID_ARG);
    bad.n = 3;
    bad.id.counter = 8; /* overlaps existing ids 1..8 partly */
    assert_int_equal(hy_seq_apply_insert(r, &bad, &at), HY_E_INVALID_ARG);
    bad.id.counter = 100;
    bad.origin_left = op.origin_right; /* left origin after the right one */
    bad.origin_right = (hy_id){ 1, 1 };
    assert_int_equal(hy_seq_apply_insert(r, &bad, &at), HY_E_INVALID_ARG);
    assert_text(r, "abcdXYef");
    /* A delete across the split run: "cdXYe" is ids 3,4 (run), 7,8, 5. */
    patch_log log = { .count = 0 };
    assert_int_equal(hy_seq_apply_delete(r, (hy_id){ 1, 4 }, 2, log_removed, &log), HY_OK);
    assert_text(r, "abcXYf"); /* ids 4, 5: d and e */
    assert_int_equal(log.count, 2);
    assert_int_equal(log.index[0], 3);
    assert_int_equal(log.n[0], 1);
    assert_int_equal(log.index[1], 5);
    assert_int_equal(log.n[1], 1);
    /* Idempotent, and missing ids fail without change. */
    log.count = 0;
    assert_int_equal(hy_seq_apply_delete(r, (hy_id){ 1, 4 }, 2, log_removed, &log), HY_OK);
    assert_int_equal(log.count, 0);
    assert_int_equal(hy_seq_apply_delete(r, (hy_id){ 1, 7 }, 5, log_removed, &log),
                     HY_E_NOT_FOUND);
    assert_int_equal(hy_seq_apply_delete(r, (hy_id){ 2, 1 }, 1, NULL, NULL), HY_E_NOT_FOUND);
    assert_int_equal(log.count, 0);
    assert_text(r, "abcXYf");
    assert_int_equal(hy_seq_apply_delete(r, (hy_id){ 1, 1 }, 8, NULL, NULL), HY_OK);
    assert_text(r, "");
    hy_seq_free(r);
    hy_seq_free(t.s);
}

/* Two replicas type a word at the same place concurrently and then merge: the words must
 * come out whole (no interleaving), the same on both sides. */
static void concurrent_words(bool backwards)
{
    hy_allocator a = heap();
    typist x = { new_seq(&a), 1, 1 }, y = { new_seq(&a), 2, 1 };
    hy_seq_op base_op, xo[8], yo[8];
    uint32_t base_vals[8], xv[8], yv[8];
    insert_str(&x, 0, "[]", &base_op, base_vals);
    apply_all(y.s, &base_op, 1);
    y.clock = x.clock;
    size_t nx = type_chars(&x, 1, "hello", backwards, xo, xv);
    size_t ny = type_chars(&y, 1, "world", backwards, yo, yv);
    apply_all(x.s, yo, ny);
    apply_all(y.s, xo, nx);
    char tx[64], ty[64];
    text(x.s, tx, sizeof tx);
    text(y.s, ty, sizeof ty);
    assert_string_equal(tx, ty);
    assert_true(strcmp(tx, "[helloworld]") == 0 || strcmp(tx, "[worldhello]") == 0);
    /* Merging in the other order (a third replica hears y first) agrees too. */
    hy_seq *z = new_seq(&a);
    apply_all(z, &base_op, 1);
    apply_all(z, yo, ny);
    apply_all(z, xo, nx);
    assert_text(z, tx);
    hy_seq_free(z);
    hy_seq_free(x.s);
    hy_seq_free(y.s);
}

static void concurrent_forward_typing_does_not_interleave(void **state)
{
    (void)state;
    concurrent_words(false);
}

/* Yjs (YATA) interleaves here ("[wholrledlo]"-like results); FugueMax does not. */
static void concurrent_backward_typing_does_not_interleave(void **state)
{
    (void)state;
    concurrent_words(true);
}

/* Three-way raw conflict: all orders of delivery agree. */
static void three_concurrent_inserts_converge_in_every_order(void **state)
{
    (void)state;
    hy_allocator a = heap();
    hy_seq_op ops[3];
    uint32_t vals[3][4];
    const char *words[3] = { "aa", "bbb", "c" };
    for (uint32_t k = 0; k < 3; k++) {
        typist t = { new_seq(&a), k, 1 };
        insert_str(&t, 0, words[k], &ops[k], vals[k]);
        hy_seq_free(t.s);
    }
    static const int perms[6][3] = { { 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 },
                                     { 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 } };
    char first[16] = { 0 };
    for (int p = 0; p < 6; p++) {
        hy_seq *s = new_seq(&a);
        for (int k = 0; k < 3; k++)
            apply_all(s, &ops[perms[p][k]], 1);
        char got[16];
        text(s, got, sizeof got);
        if (p == 0)
            memcpy(first, got, sizeof got);
        assert_string_equal(got, first);
        hy_seq_free(s);
    }
    assert_string_equal(first, "aabbbc"); /* ties go by actor */
}

/* Single replica: random typing runs and deletes against a plain array; the ops replayed on a
 * second replica reproduce the same content. */
static void local_edits_match_a_plain_array(void **state)
{
    (void)state;
    enum { CAP = 20000, STEPS = 6000 };
    hy_allocator a = heap();
    uint64_t seed = 0x5eed0001;
    printf("local_edits_match_a_plain_array seed %llu\n", (unsigned long long)seed);
    hy_rng rng = { seed };
    uint32_t *model = malloc(CAP * sizeof(uint32_t));
    uint32_t *buf = malloc(CAP * sizeof(uint32_t));
    assert_non_null(model);
    assert_non_null(buf);
    size_t len = 0, cursor = 0;
    typist t = { new_seq(&a), 0, 1 };
    hy_seq *remote = new_seq(&a);
    hy_vec ranges;
    hy_vec_init(&ranges, sizeof(hy_seq_range));
    for (int step = 0; step < STEPS; step++) {
        if (hy_rng_below(&rng, 8) == 0)
            cursor = (size_t)hy_rng_below(&rng, len + 1);
        if (cursor > len)
            cursor = len;
        if (len < 10 || hy_rng_below(&rng, 3) != 0) {
            size_t n = 1 + (size_t)hy_rng_below(&rng, hy_rng_below(&rng, 4) == 0 ? 20 : 2);
            if (len + n > CAP)
                continue;
            uint32_t vals[20];
            for (size_t i = 0; i < n; i++)
                vals[i] = (uint32_t)hy_rng_below(&rng, 0x110000);
            hy_seq_op op;
            assert_int_equal(hy_seq_insert(t.s, cursor, (hy_id){ 0, t.clock }, vals, n, &op),
                             HY_OK);
            t.clock += n + hy_rng_below(&rng, 2); /* sometimes a gap, as other ops use counters */
            memmove(model + cursor + n, model + cursor, (len - cursor) * sizeof(uint32_t));
            memcpy(model + cursor, vals, n * sizeof(uint32_t));
            len += n;
            cursor += n;
            size_t at;
            assert_int_equal(hy_seq_apply_insert(remote, &op, &at), HY_OK);
            assert_int_equal(hy_seq_check(remote), HY_OK);
            assert_int_equal(at, cursor - n);
        } else {
            size_t n = 1 + (size_t)hy_rng_below(&rng, hy_rng_below(&rng, 4) == 0 ? 30 : 2);
            size_t pos = cursor >= n ? cursor - n : 0; /* mostly backspace */
            if (pos + n > len)
                n = len - pos;
            ranges.len = 0;
            assert_int_equal(hy_seq_delete(t.s, pos, n, &ranges), HY_OK);
            t.clock++;
            memmove(model + pos, model + pos + n, (len - pos - n) * sizeof(uint32_t));
            len -= n;
            cursor = pos;
            size_t removed = 0;
            for (size_t i = 0; i < ranges.len; i++) {
                hy_seq_range *r = &HY_VEC_AT(&ranges, hy_seq_range, i);
                removed += r->n;
                assert_int_equal(hy_seq_apply_delete(remote, r->first, r->n, NULL, NULL),
                                 HY_OK);
            }
            assert_int_equal(removed, n);
        }
        assert_int_equal(hy_seq_len(t.s), len);
        if (len) {
            size_t p = (size_t)hy_rng_below(&rng, len);
            assert_int_equal(hy_seq_get(t.s, p), model[p]);
        }
        if (step % 500 == 0) {
            assert_int_equal(hy_seq_check(t.s), HY_OK);
            assert_int_equal(hy_seq_read(t.s, 0, buf, CAP), len);
            assert_memory_equal(buf, model, len * sizeof(uint32_t));
            check_utf16(t.s);
            check_utf16(remote);
        }
    }
    assert_int_equal(hy_seq_check(t.s), HY_OK);
    assert_int_equal(hy_seq_check(remote), HY_OK);
    check_utf16(t.s);
    check_utf16(remote);
    assert_int_equal(hy_seq_read(remote, 0, buf, CAP), len);
    assert_memory_equal(buf, model, len * sizeof(uint32_t));
    hy_vec_free(&ranges, &a);
    hy_seq_free(t.s);
    hy_seq_free(remote);
    free(model);
    free(buf);
}

/* ---- randomized convergence ------------------------------------------------------------ */

enum { MAX_REPLICAS = 5, MAX_GOPS = 3000 };

typedef struct gop {
    int src;
    size_t seq;                 /* index among src's ops */
    size_t vv[MAX_REPLICAS];    /* ops of each replica that src had applied */
    bool is_insert;
    hy_seq_op op;
    uint32_t vals[16];
    hy_seq_range ranges[64];
    size_t nranges;
} gop;

typedef struct replica {
    hy_seq *s;
    uint64_t clock;
    size_t vv[MAX_REPLICAS];
    uint32_t patched[4096]; /* content rebuilt from the patches the replica reported */
    size_t plen;
} replica;

static void patch_remove(void *user, size_t index, size_t n)
{
    replica *r = user;
    assert_true(index + n <= r->plen);
    memmove(r->patched + index, r->patched + index + n,
            (r->plen - index - n) * sizeof(uint32_t));
    r->plen -= n;
}

static void patch_insert(replica *r, size_t index, const uint32_t *vals, size_t n)
{
    assert_true(index <= r->plen && r->plen + n <= 4096);
    memmove(r->patched + index + n, r->patched + index, (r->plen - index) * sizeof(uint32_t));
    memcpy(r->patched + index, vals, n * sizeof(uint32_t));
    r->plen += n;
}

static bool ready(const replica *r, const gop *g, int nrep)
{
    if (r->vv[g->src] != g->seq)
        return false;
    for (int j = 0; j < nrep; j++)
        if (j != g->src && g->vv[j] > r->vv[j])
            return false;
    return true;
}

static void deliver(replica *r, const gop *g)
{
    bool dup = r->vv[g->src] > g->seq;
    if (g->is_insert) {
        size_t at;
        assert_int_equal(hy_seq_apply_insert(r->s, &g->op, &at), HY_OK);
        if (dup) {
            assert_int_equal(at, SIZE_MAX);
        } else {
            patch_insert(r, at, g->vals, g->op.n);
            uint64_t end = g->op.id.counter + g->op.n;
            if (r->clock < end)
                r->clock = end;
        }
    } else {
        size_t before = r->plen;
        for (size_t i = 0; i < g->nranges; i++)
            assert_int_equal(hy_seq_apply_delete(r->s, g->ranges[i].first, g->ranges[i].n,
                                                 patch_remove, r),
                             HY_OK);
        if (dup)
            assert_int_equal(r->plen, before);
    }
    if (!dup)
        r->vv[g->src]++;
}

static void save_bytes(const hy_seq *s, uint8_t **data, size_t *len)
{
    hy_writer w;
    hy_writer_init(&w, hy_allocator_default());
    assert_int_equal(hy_seq_save(s, &w), HY_OK);
    assert_int_equal(hy_writer_take(&w, data, len), HY_OK);
}

static void free_bytes(uint8_t *data, size_t len)
{
    hy_allocator a = hy_allocator_default();
    hy_free(&a, data, len);
}

/* Mostly letters, some emoji (outside the BMP), so UTF-16 counts are tested as replicas merge. */
static uint32_t wide_or_letter(uint32_t k)
{
    return k < 20 ? 'a' + k : 0x1f600 + k;
}

static void converge_once(uint64_t seed)
{
    hy_rng rng = { seed };
    int nrep = 2 + (int)hy_rng_below(&rng, MAX_REPLICAS - 1);
    hy_allocator a = heap();
    static replica reps[MAX_REPLICAS];
    static gop log[MAX_GOPS];
    memset(reps, 0, sizeof reps);
    size_t nlog = 0;
    size_t cursor[MAX_REPLICAS] = { 0 };
    for (int i = 0; i < nrep; i++) {
        reps[i].s = new_seq(&a);
        reps[i].clock = 1;
    }
    hy_vec ranges;
    hy_vec_init(&ranges, sizeof(hy_seq_range));
    int steps = 300 + (int)hy_rng_below(&rng, 600);
    for (int step = 0; step < steps && nlog < MAX_GOPS; step++) {
        int ri = (int)hy_rng_below(&rng, (uint64_t)nrep);
        replica *r = &reps[ri];
        if (hy_rng_below(&rng, 2) == 0) {
            /* Hear something: a random op, delivered if causally ready or a duplicate. */
            if (nlog == 0)
                continue;
            for (int tries = 0; tries < 4; tries++) {
                const gop *g = &log[hy_rng_below(&rng, nlog)];
                if (g->src != ri && (ready(r, g, nrep) || r->vv[g->src] > g->seq)) {
                    deliver(r, g);
                    break;
                }
            }
            continue;
        }
        size_t len = hy_seq_len(r->s);
        if (hy_rng_below(&rng, 5) == 0 || cursor[ri] > len)
            cursor[ri] = (size_t)hy_rng_below(&rng, len + 1);
        gop *g = &log[nlog];
        memset(g, 0, sizeof *g);
        g->src = ri;
        g->seq = r->vv[ri];
        memcpy(g->vv, r->vv, sizeof g->vv);
        if (len < 5 || hy_rng_below(&rng, 4) != 0) {
            size_t n = 1 + (size_t)hy_rng_below(&rng, 4);
            if (len + n > 2000)
                continue;
            for (size_t i = 0; i < n; i++)
                g->vals[i] = wide_or_letter((uint32_t)hy_rng_below(&rng, 26));
            g->is_insert = true;
            assert_int_equal(hy_seq_insert(r->s, cursor[ri], (hy_id){ (uint32_t)ri, r->clock },
                                           g->vals, n, &g->op),
                             HY_OK);
            g->op.values = g->vals;
            patch_insert(r, cursor[ri], g->vals, n);
            r->clock += n;
            cursor[ri] += n;
        } else {
            size_t n = 1 + (size_t)hy_rng_below(&rng, 6);
            size_t pos = (size_t)hy_rng_below(&rng, len);
            if (n > len - pos)
                n = len - pos;
            ranges.len = 0;
            assert_int_equal(hy_seq_delete(r->s, pos, n, &ranges), HY_OK);
            assert_true(ranges.len <= 64);
            memcpy(g->ranges, ranges.data, ranges.len * sizeof(hy_seq_range));
            g->nranges = ranges.len;
            patch_remove(r, pos, n);
            r->clock++;
            cursor[ri] = pos;
        }
        r->vv[ri]++;
        nlog++;
    }
    /* Deliver everything everywhere, in random order, with duplicates. */
    bool progress = true;
    while (progress) {
        progress = false;
        for (int i = 0; i < nrep; i++) {
            size_t start = (size_t)hy_rng_below(&rng, nlog);
            for (size_t k = 0; k < nlog; k++) {
                const gop *g = &log[(start + k) % nlog];
                if (g->src != i && ready(&reps[i], g, nrep)) {
                    deliver(&reps[i], g);
                    progress = true;
                } else if (g->src != i && reps[i].vv[g->src] > g->seq &&
                           hy_rng_below(&rng, 8) == 0) {
                    deliver(&reps[i], g);
                }
            }
        }
    }
    for (int i = 0; i < nrep; i++)
        for (int j = 0; j < nrep; j++)
            assert_int_equal(reps[i].vv[j], reps[j].vv[j]);
    uint8_t *first = NULL;
    size_t first_len = 0;
    uint32_t *content = malloc(4096 * sizeof(uint32_t));
    assert_non_null(content);
    for (int i = 0; i < nrep; i++) {
        size_t n = hy_seq_len(reps[i].s);
        assert_int_equal(hy_seq_check(reps[i].s), HY_OK);
        check_utf16(reps[i].s);
        assert_int_equal(hy_seq_read(reps[i].s, 0, content, 4096), n);
        assert_int_equal(reps[i].plen, n);
        assert_memory_equal(content, reps[i].patched, n * sizeof(uint32_t));
        if (i > 0) {
            assert_int_equal(n, hy_seq_len(reps[0].s));
            assert_memory_equal(reps[i].patched, reps[0].patched, n * sizeof(uint32_t));
        }
        uint8_t *bytes;
        size_t blen;
        save_bytes(reps[i].s, &bytes, &blen);
        if (i == 0) {
            first = bytes;
            first_len = blen;
        } else {
            assert_int_equal(blen, first_len);
            assert_memory_equal(bytes, first, blen);
            free_bytes(bytes, blen);
        }
    }
    /* The snapshot loads to the same content and saves to the same bytes. */
    hy_reader rd = hy_reader_make(first, first_len);
    hy_seq *loaded;
    assert_int_equal(hy_seq_load(&a, NULL, &rd, &loaded), HY_OK);
    assert_int_equal(rd.pos, first_len);
    assert_int_equal(hy_seq_check(loaded), HY_OK);
    check_utf16(loaded);
    assert_int_equal(hy_seq_len_utf16(loaded), hy_seq_len_utf16(reps[0].s));
    uint8_t *again;
    size_t again_len;
    save_bytes(loaded, &again, &again_len);
    assert_int_equal(again_len, first_len);
    assert_memory_equal(again, first, first_len);
    free_bytes(again, again_len);
    hy_seq_free(loaded);
    free_bytes(first, first_len);
    free(content);
    hy_vec_free(&ranges, &a);
    for (int i = 0; i < nrep; i++)
        hy_seq_free(reps[i].s);
}

static void replicas_converge_under_random_delivery(void **state)
{
    (void)state;
    const char *env = getenv("HY_SEQ_SEEDS");
    int seeds = env ? atoi(env) : 40;
    for (int i = 0; i < seeds; i++) {
        uint64_t seed = 0xc0ffee00u + (uint64_t)i;
        printf("replicas_converge_under_random_delivery seed %llu\n",
               (unsigned long long)seed);
        converge_once(seed);
    }
}

/* UTF-16 conversions on a, é, €, 😀 (1 to 4 UTF-8 bytes; only 😀 is two UTF-16 units), across
 * splits, deletes, a long span spanning many wide-map blocks, and a snapshot. */
static void utf16_positions_count_pairs_outside_the_bmp(void **state)
{
    (void)state;
    hy_allocator a = heap();
    hy_seq *s = new_seq(&a);
    hy_seq_op op;
    size_t got;
    const uint32_t mixed[] = { 'a', 0xe9, 0x20ac, 0x1f600, 'b', 0x1f600 };
    assert_int_equal(hy_seq_insert(s, 0, (hy_id){ 0, 0 }, mixed, 6, &op), HY_OK);
    assert_int_equal(hy_seq_len_utf16(s), 8);
    const size_t to16[] = { 0, 1, 2, 3, 5, 6, 8 };
    for (size_t pos = 0; pos <= 6; pos++) {
        assert_int_equal(hy_seq_pos_to_utf16(s, pos, &got), HY_OK);
        assert_int_equal(got, to16[pos]);
        assert_int_equal(hy_seq_pos_from_utf16(s, to16[pos], &got), HY_OK);
        assert_int_equal(got, pos);
    }
    assert_int_equal(hy_seq_pos_from_utf16(s, 4, &got), HY_E_INVALID_ARG); /* inside 😀 */
    assert_int_equal(hy_seq_pos_from_utf16(s, 7, &got), HY_E_INVALID_ARG);
    assert_int_equal(hy_seq_pos_from_utf16(s, 9, &got), HY_E_INVALID_ARG);
    assert_int_equal(hy_seq_pos_to_utf16(s, 7, &got), HY_E_INVALID_ARG);
    /* An insert splits the span between € and 😀; a delete removes the first 😀. */
    const uint32_t mid[] = { 0x10000, 'c' };
    assert_int_equal(hy_seq_insert(s, 3, (hy_id){ 0, 6 }, mid, 2, &op), HY_OK);
    assert_int_equal(hy_seq_len_utf16(s), 11);
    assert_int_equal(hy_seq_delete(s, 5, 1, NULL), HY_OK);
    assert_int_equal(hy_seq_len_utf16(s), 9); /* a é € U+10000 c b 😀 */
    assert_int_equal(hy_seq_pos_to_utf16(s, 6, &got), HY_OK);
    assert_int_equal(got, 7);
    assert_int_equal(hy_seq_pos_from_utf16(s, 4, &got), HY_E_INVALID_ARG);
    assert_int_equal(hy_seq_check(s), HY_OK);
    check_utf16(s);
    /* One long span of mixed values, cut by deletes. */
    enum { LONG = 1000 };
    uint32_t *vals = malloc(LONG * sizeof(uint32_t));
    assert_non_null(vals);
    for (size_t i = 0; i < LONG; i++)
        vals[i] = i % 7 == 0 || i % 11 == 3 ? 0x1f300 + (uint32_t)i : 0x41 + (uint32_t)i % 26;
    assert_int_equal(hy_seq_insert(s, 2, (hy_id){ 0, 100 }, vals, LONG, &op), HY_OK);
    check_utf16(s);
    assert_int_equal(hy_seq_delete(s, 300, 250, NULL), HY_OK);
    assert_int_equal(hy_seq_delete(s, 9, 1, NULL), HY_OK);
    assert_int_equal(hy_seq_check(s), HY_OK);
    check_utf16(s);
    /* A loaded copy counts the same. */
    uint8_t *bytes;
    size_t len;
    save_bytes(s, &bytes, &len);
    hy_reader r = hy_reader_make(bytes, len);
    hy_seq *t;
    assert_int_equal(hy_seq_load(&a, NULL, &r, &t), HY_OK);
    assert_int_equal(hy_seq_check(t), HY_OK);
    assert_int_equal(hy_seq_len_utf16(t), hy_seq_len_utf16(s));
    check_utf16(t);
    free_bytes(bytes, len);
    free(vals);
    hy_seq_free(t);
    hy_seq_free(s);
}

/* ---- snapshots -------------------------------------------------------------------------- */

/* A sequence with several actors, splits, tombstones and a concurrent conflict. */
static hy_seq *sample(const hy_allocator *a)
{
    typist x = { new_seq(a), 1, 1 }, y = { new_seq(a), 2, 1 };
    hy_seq_op op, yo[8];
    uint32_t vals[32], yv[8];
    insert_str(&x, 0, "the quick brown fox", &op, vals);
    apply_all(y.s, &op, 1);
    y.clock = x.clock;
    type_chars(&y, 4, "very ", false, yo, yv);
    insert_str(&x, 10, "red ", &op, vals);
    assert_int_equal(hy_seq_delete(x.s, 0, 4, NULL), HY_OK);
    apply_all(x.s, yo, 5);
    hy_seq_free(y.s);
    assert_int_equal(hy_seq_check(x.s), HY_OK);
    return x.s;
}

static void save_and_load_round_trip(void **state)
{
    (void)state;
    hy_allocator a = heap();
    hy_seq *s = sample(&a);
    char want[64];
    text(s, want, sizeof want);
    uint8_t *bytes;
    size_t len;
    save_bytes(s, &bytes, &len);
    hy_reader r = hy_reader_make(bytes, len);
    hy_seq *t;
    assert_int_equal(hy_seq_load(&a, NULL, &r, &t), HY_OK);
    assert_int_equal(r.pos, len);
    assert_text(t, want);
    /* The loaded copy keeps working: edits and remote ops from the original apply. */
    hy_seq_op op;
    uint32_t v[4] = { '!', '!', '!', 0 };
    assert_int_equal(hy_seq_insert(s, 3, (hy_id){ 1, 500 }, v, 3, &op), HY_OK);
    size_t at;
    assert_int_equal(hy_seq_apply_insert(t, &op, &at), HY_OK);
    assert_int_equal(at, 3);
    text(s, want, sizeof want);
    assert_text(t, want);
    hy_seq_free(t);
    /* An empty sequence round-trips too. */
    hy_seq *e = new_seq(&a);
    uint8_t *eb;
    size_t el;
    save_bytes(e, &eb, &el);
    assert_int_equal(el, 1);
    r = hy_reader_make(eb, el);
    assert_int_equal(hy_seq_load(&a, NULL, &r, &t), HY_OK);
    assert_int_equal(hy_seq_len(t), 0);
    hy_seq_free(t);
    hy_seq_free(e);
    free_bytes(eb, el);
    free_bytes(bytes, len);
    hy_seq_free(s);
}

static void load_refuses_truncated_and_garbage_input(void **state)
{
    (void)state;
    hy_test_alloc ta;
    hy_allocator a = hy_test_allocator(&ta);
    hy_seq *s = sample(&a);
    uint8_t *bytes;
    size_t len;
    save_bytes(s, &bytes, &len);
    hy_seq_free(s);
    for (size_t cut = 0; cut < len; cut++) {
        hy_reader r = hy_reader_make(bytes, cut);
        hy_seq *t = NULL;
        hy_err err = hy_seq_load(&a, NULL, &r, &t);
        assert_int_not_equal(err, HY_OK);
        assert_null(t);
        assert_true(r.pos <= cut);
    }
    /* Random corruption: an error, or a state that saves back to exactly the bytes read. */
    hy_rng rng = { 77 };
    uint8_t *mut = malloc(len);
    assert_non_null(mut);
    for (int round = 0; round < 3000; round++) {
        memcpy(mut, bytes, len);
        int flips = 1 + (int)hy_rng_below(&rng, 3);
        for (int f = 0; f < flips; f++)
            mut[hy_rng_below(&rng, len)] = (uint8_t)hy_rng_next(&rng);
        hy_reader r = hy_reader_make(mut, len);
        hy_seq *t = NULL;
        if (hy_seq_load(&a, NULL, &r, &t) == HY_OK) {
            assert_int_equal(hy_seq_check(t), HY_OK);
            uint8_t *again;
            size_t again_len;
            save_bytes(t, &again, &again_len);
            assert_int_equal(again_len, r.pos);
            assert_memory_equal(again, mut, again_len);
            free_bytes(again, again_len);
            hy_seq_free(t);
        }
    }
    /* Counts that the input cannot hold are refused before allocating. */
    const uint8_t huge[] = { 0xff, 0xff, 0xff, 0xff, 0x0f };
    hy_reader r = hy_reader_make(huge, sizeof huge);
    hy_seq *t = NULL;
    assert_int_equal(hy_seq_load(&a, NULL, &r, &t), HY_E_TOO_LARGE);
    free(mut);
    free_bytes(bytes, len);
    assert_int_equal(ta.live_blocks, 0);
}

/* ---- out of memory ---------------------------------------------------------------------- */

typedef hy_err (*seq_action)(hy_seq *s, const hy_allocator *a);

static hy_err act_insert(hy_seq *s, const hy_allocator *a)
{
    (void)a;
    uint32_t v[3] = { 'x', 'y', 'z' };
    hy_seq_op op;
    return hy_seq_insert(s, hy_seq_len(s) / 2, (hy_id){ 9, 1 }, v, 3, &op);
}

static hy_err act_delete(hy_seq *s, const hy_allocator *a)
{
    hy_vec ranges;
    hy_vec_init(&ranges, sizeof(hy_seq_range));
    hy_err err = hy_seq_delete(s, 7, hy_seq_len(s) / 3, &ranges);
    hy_vec_free(&ranges, a);
    return err;
}

static hy_err act_apply_insert(hy_seq *s, const hy_allocator *a)
{
    (void)a;
    hy_id left, right;
    assert_int_equal(hy_seq_id_at(s, 40, &left), HY_OK);
    assert_int_equal(hy_seq_id_at(s, 41, &right), HY_OK);
    uint32_t v[2] = { '<', '>' };
    /* Between two elements that are no longer adjacent: exercises the scan too. */
    hy_seq_op op = { { 8, 5000 }, left, right, 2, v };
    size_t at;
    return hy_seq_apply_insert(s, &op, &at);
}

static hy_err act_apply_delete(hy_seq *s, const hy_allocator *a)
{
    (void)a;
    hy_id id;
    assert_int_equal(hy_seq_id_at(s, 20, &id), HY_OK);
    return hy_seq_apply_delete(s, id, 1, NULL, NULL);
}

static hy_err act_save_load(hy_seq *s, const hy_allocator *a)
{
    hy_writer w;
    hy_writer_init(&w, *a);
    hy_err err = hy_seq_save(s, &w);
    uint8_t *data = NULL;
    size_t len = 0;
    if (err == HY_OK)
        err = hy_writer_take(&w, &data, &len);
    hy_writer_free(&w);
    if (err)
        return err;
    hy_reader r = hy_reader_make(data, len);
    hy_seq *t = NULL;
    err = hy_seq_load(a, NULL, &r, &t);
    hy_seq_free(t);
    hy_free(a, data, len);
    return err;
}

/* Many spans over several leaves: scattered single inserts by two actors. */
static hy_seq *oom_fixture(const hy_allocator *a)
{
    hy_seq *s = new_seq(a);
    hy_rng rng = { 4242 };
    for (uint64_t i = 0; i < 400; i++) {
        uint32_t v = 'a' + (uint32_t)(i % 26);
        hy_seq_op op;
        size_t pos = (size_t)hy_rng_below(&rng, hy_seq_len(s) + 1);
        assert_int_equal(hy_seq_insert(s, pos, (hy_id){ (uint32_t)(i & 1), 10 + 2 * i }, &v, 1,
                                       &op),
                         HY_OK);
    }
    return s;
}

static void check_oom(seq_action act)
{
    hy_test_alloc ta;
    hy_allocator a = hy_test_allocator(&ta);
    hy_seq *ref = oom_fixture(&a);
    assert_int_equal(act(ref, &a), HY_OK);
    uint8_t *want;
    size_t want_len;
    save_bytes(ref, &want, &want_len);
    hy_seq_free(ref);
    for (size_t k = 1;; k++) {
        hy_seq *s = oom_fixture(&a);
        uint8_t *before;
        size_t before_len;
        save_bytes(s, &before, &before_len);
        ta.fail_at = ta.requests + k;
        hy_err err = act(s, &a);
        size_t failures = ta.failures;
        ta.fail_at = 0;
        ta.failures = 0;
        assert_true(err == HY_OK || err == HY_E_NOMEM);
        assert_int_equal(hy_seq_check(s), HY_OK);
        uint8_t *after;
        size_t after_len;
        save_bytes(s, &after, &after_len);
        if (err == HY_OK) {
            assert_int_equal(after_len, want_len);
            assert_memory_equal(after, want, want_len);
        } else {
            assert_int_equal(after_len, before_len);
            assert_memory_equal(after, before, before_len);
        }
        /* The sequence keeps working after a failure (the index may have to be rebuilt). */
        if (act != act_save_load)
            assert_int_equal(act_apply_delete(s, &a), HY_OK);
        free_bytes(before, before_len);
        free_bytes(after, after_len);
        hy_seq_free(s);
        assert_int_equal(ta.live_blocks, 0);
        if (failures == 0)
            break;
    }
    free_bytes(want, want_len);
}

static void out_of_memory_leaves_a_consistent_sequence(void **state)
{
    (void)state;
    check_oom(act_insert);
    check_oom(act_delete);
    check_oom(act_apply_insert);
    check_oom(act_apply_delete);
    check_oom(act_save_load);
    /* Creation itself. */
    hy_test_alloc ta;
    hy_allocator a = hy_test_allocator(&ta);
    for (size_t k = 1;; k++) {
        ta.fail_at = ta.requests + k;
        hy_seq *s = NULL;
        hy_err err = hy_seq_new(&a, NULL, &s);
        hy_seq_free(s);
        assert_int_equal(ta.live_blocks, 0);
        if (err == HY_OK)
            break;
        assert_int_equal(err, HY_E_NOMEM);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(new_and_free_and_bad_arguments),
        cmocka_unit_test(local_insert_fills_the_op_and_merges_typing),
        cmocka_unit_test(local_delete_reports_id_ranges),
        cmocka_unit_test(remote_ops_apply_and_report_positions),
        cmocka_unit_test(concurrent_forward_typing_does_not_interleave),
        cmocka_unit_test(concurrent_backward_typing_does_not_interleave),
        cmocka_unit_test(three_concurrent_inserts_converge_in_every_order),
        cmocka_unit_test(local_edits_match_a_plain_array),
        cmocka_unit_test(utf16_positions_count_pairs_outside_the_bmp),
        cmocka_unit_test(replicas_converge_under_random_delivery),
        cmocka_unit_test(save_and_load_round_trip),
        cmocka_unit_test(load_refuses_truncated_and_garbage_input),
        cmocka_unit_test(out_of_memory_leaves_a_consistent_sequence),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#include "hy_test.h"

#include "alloc.h"
#include "ed25519.h"
#include "log_fixture.h"

#include <string.h>

/* Encodes a change built by hand, for rule-breaking cases a log would never commit. */
static size_t build(uint8_t *out, size_t cap, unsigned actor, uint64_t seq, uint64_t start_op,
                    const uint8_t *deps, size_t dep_count, const char *ops)
{
    hy_writer w;
    hy_writer_init(&w, hy_allocator_default());
    hy_change c;
    memset(&c, 0, sizeof c);
    uint8_t seed[HY_KEY_LEN];
    fixture_seed(seed, actor);
    hy_ed25519_public_key(c.actor, seed);
    c.seq = seq;
    c.start_op = start_op;
    c.deps = deps;
    c.dep_count = dep_count;
    c.op_count = 1;
    c.ops = (const uint8_t *)ops;
    c.ops_len = strlen(ops);
    assert_int_equal(hy_change_encode(&w, &c), HY_OK);
    assert_true(w.len <= cap);
    memcpy(out, w.data, w.len);
    size_t len = w.len;
    hy_writer_free(&w);
    return len;
}

static void hash_of(hy_log *log, uint32_t index, uint8_t out[HY_HASH_LEN])
{
    memcpy(out, hy_log_hash(log, index), HY_HASH_LEN);
}

static void commits_form_a_chain(void **state)
{
    (void)state;
    hy_test_alloc t;
    hy_allocator al = hy_test_allocator(&t);
    hy_log *log = fixture_log(al, 1, false);
    assert_non_null(log);
    assert_int_equal(fixture_commit(log, "a"), HY_OK);
    assert_int_equal(fixture_commit(log, "bc"), HY_OK);
    assert_int_equal(hy_log_commit(log, 5, 3, (const uint8_t *)"def", 3, NULL), HY_OK);
    assert_int_equal(hy_log_count(log), 3);
    assert_int_equal(hy_log_head_count(log), 1);
    assert_int_equal(hy_log_head(log, 0), 2);
    hy_log_entry e;
    hy_log_get(log, 2, &e);
    assert_int_equal(e.seq, 3);
    assert_int_equal(e.start_op, 3);
    assert_int_equal(e.op_count, 3);
    assert_int_equal(e.dep_count, 1);
    assert_int_equal(e.deps[0], 1);
    assert_memory_equal(e.ops, "def", 3);
    /* Commits that only continue the chain are hashed when an id is first needed. */
    assert_null(e.hash);
    const uint8_t *hash = hy_log_hash(log, 2);
    hy_log_get(log, 2, &e);
    assert_ptr_equal(e.hash, hash);
    assert_int_equal(hy_log_next_op(log), 6);
    assert_int_equal(hy_log_actor_count(log), 1);
    assert_int_equal(hy_log_actor_seq(log, 0), 3);
    /* Commits are signed lazily: one signature for the chain, on demand. */
    assert_int_equal(hy_log_actor_signature(log, 0, NULL), HY_LOG_NONE);
    assert_int_equal(hy_log_sign_local(log), HY_OK);
    uint8_t sig[HY_SIG_LEN], msg[HY_CHANGE_SIG_MSG_LEN];
    assert_int_equal(hy_log_actor_signature(log, 0, sig), 2);
    hy_change_sig_msg(msg, e.hash);
    assert_int_equal(hy_ed25519_verify(sig, hy_log_actor_key(log, 0), msg, sizeof msg), HY_OK);
    /* The encoding of a stored change hashes to its id. */
    hy_writer w;
    hy_writer_init(&w, hy_allocator_default());
    assert_int_equal(hy_log_encode(log, 2, &w), HY_OK);
    uint8_t h[HY_HASH_LEN];
    hy_change_hash(w.data, w.len, h);
    assert_memory_equal(h, e.hash, HY_HASH_LEN);
    assert_int_equal(hy_log_find(log, h), 2);
    hy_writer_free(&w);
    hy_log_free(log);
    assert_int_equal(t.live_blocks, 0);
}

static void concurrent_replicas_converge_and_merge_heads(void **state)
{
    (void)state;
    hy_test_alloc t;
    hy_allocator al = hy_test_allocator(&t);
    hy_log *a = fixture_log(al, 1, true);
    hy_log *b = fixture_log(al, 2, true);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(fixture_commit(a, "from a"), HY_OK);
        assert_int_equal(fixture_commit(b, "from b"), HY_OK);
    }
    assert_int_equal(fixture_sync(a, b), HY_OK);
    assert_int_equal(fixture_sync(b, a), HY_OK);
    assert_int_equal(hy_log_count(a), 10);
    assert_int_equal(hy_log_count(b), 10);
    assert_int_equal(hy_log_head_count(a), 2);
    assert_int_equal(hy_log_head_count(b), 2);
    uint8_t ha[HY_HASH_LEN], hb[HY_HASH_LEN];
    for (uint32_t i = 0; i < 2; i++) {
        hash_of(a, hy_log_head(a, i), ha);
        hash_of(b, hy_log_head(b, i), hb);
        assert_memory_equal(ha, hb, HY_HASH_LEN);
    }
    /* The next commit depends on both heads and leaves one. */
    assert_int_equal(fixture_commit(a, "merge"), HY_OK);
    hy_log_entry e;
    hy_log_get(a, 10, &e);
    assert_int_equal(e.dep_count, 2);
    assert_int_equal(e.start_op, 6);
    assert_int_equal(hy_log_head_count(a), 1);
    assert_int_equal(fixture_sync(a, b), HY_OK);
    assert_int_equal(hy_log_head_count(b), 1);
    /* b commits after a's merge: its deps are the merge plus its own previous change. */
    assert_int_equal(fixture_commit(b, "after"), HY_OK);
    hy_log_get(b, 11, &e);
    assert_int_equal(e.seq, 6);
    assert_int_equal(e.dep_count, 2);
    hy_log_free(a);
    hy_log_free(b);
    assert_int_equal(t.live_blocks, 0);
}

static void early_changes_wait_for_their_deps(void **state)
{
    (void)state;
    hy_test_alloc t;
    hy_allocator al = hy_test_allocator(&t);
    hy_log *src = fixture_log(al, 1, false);
    hy_log_config cfg = fixture_config(al, false);
    cfg.max_pending = 3;
    hy_log *dst;
    assert_int_equal(hy_log_new(&cfg, &dst), HY_OK);
    for (int i = 0; i < 5; i++)
        assert_int_equal(fixture_commit(src, "x"), HY_OK);
    hy_writer w[5];
    for (uint32_t i = 0; i < 5; i++) {
        hy_writer_init(&w[i], hy_allocator_default());
        assert_int_equal(hy_log_encode(src, i, &w[i]), HY_OK);
    }
    /* Newest first: each waits; the queue holds three. */
    assert_int_equal(hy_log_add(dst, w[4].data, w[4].len, NULL, NULL), HY_E_MISSING_DEPS);
    assert_int_equal(hy_log_add(dst, w[3].data, w[3].len, NULL, NULL), HY_E_MISSING_DEPS);
    assert_int_equal(hy_log_add(dst, w[3].data, w[3].len, NULL, NULL), HY_E_MISSING_DEPS);
    assert_int_equal(hy_log_add(dst, w[2].data, w[2].len, NULL, NULL), HY_E_MISSING_DEPS);
    assert_int_equal(hy_log_pending_count(dst), 3);
    assert_int_equal(hy_log_add(dst, w[1].data, w[1].len, NULL, NULL), HY_E_QUEUE_FULL);
    assert_int_equal(hy_log_count(dst), 0);
    assert_int_equal(hy_log_add(dst, w[0].data, w[0].len, NULL, NULL), HY_OK);
    assert_int_equal(hy_log_count(dst), 1); /* 1 was dropped, so 2..4 still wait */
    assert_int_equal(hy_log_add(dst, w[1].data, w[1].len, NULL, NULL), HY_OK);
    assert_int_equal(hy_log_count(dst), 5);
    assert_int_equal(hy_log_pending_count(dst), 0);
    for (uint32_t i = 0; i < 5; i++) {
        hy_log_entry e;
        hy_log_get(dst, i, &e);
        assert_int_equal(e.seq, i + 1); /* applied in causal order */
    }
    /* Duplicates are accepted and change nothing. */
    assert_int_equal(hy_log_add(dst, w[2].data, w[2].len, NULL, NULL), HY_OK);
    assert_int_equal(hy_log_count(dst), 5);
    for (int i = 0; i < 5; i++)
        hy_writer_free(&w[i]);
    hy_log_free(src);
    hy_log_free(dst);
    assert_int_equal(t.live_blocks, 0);
}

static void signatures_are_required_and_checked(void **state)
{
    (void)state;
    hy_test_alloc t;
    hy_allocator al = hy_test_allocator(&t);
    hy_log *src = fixture_log(al, 1, true);
    hy_log_config cfg = fixture_config(al, true);
    hy_log *dst;
    assert_int_equal(hy_log_new(&cfg, &dst), HY_OK);
    for (int i = 0; i < 4; i++)
        assert_int_equal(fixture_commit(src, "signed"), HY_OK);
    assert_int_equal(hy_log_sign_local(src), HY_OK);
    hy_writer w[4];
    hy_bytes bytes[4];
    for (uint32_t i = 0; i < 4; i++) {
        hy_writer_init(&w[i], hy_allocator_default());
        assert_int_equal(hy_log_encode(src, i, &w[i]), HY_OK);
        bytes[i].data = w[i].data;
        bytes[i].len = w[i].len;
    }
    hy_log_sig sig;
    hy_log_actor_signature(src, 0, sig.sig);
    hash_of(src, 3, sig.hash);
    /* Unsigned: refused. */
    assert_int_equal(hy_log_add(dst, w[0].data, w[0].len, NULL, NULL), HY_E_BAD_SIGNATURE);
    size_t bad = 99;
    assert_int_equal(hy_log_add_batch(dst, bytes, 4, NULL, 0, &bad), HY_E_BAD_SIGNATURE);
    assert_int_equal(bad, 0);
    /* A signature that covers only the first three leaves the last uncovered. */
    hy_log_sig short_sig = sig;
    hash_of(src, 2, short_sig.hash);
    assert_int_equal(hy_log_add_batch(dst, bytes, 4, &short_sig, 1, &bad), HY_E_BAD_SIGNATURE);
    /* A forged signature. */
    hy_log_sig forged = sig;
    forged.sig[10] ^= 1;
    assert_int_equal(hy_log_add_batch(dst, bytes, 4, &forged, 1, &bad), HY_E_BAD_SIGNATURE);
    assert_int_equal(hy_log_count(dst), 0);
    /* One valid signature on the newest authenticates the whole run. */
    assert_int_equal(hy_log_add_batch(dst, bytes, 4, &sig, 1, &bad), HY_OK);
    assert_int_equal(hy_log_count(dst), 4);
    uint8_t held[HY_SIG_LEN];
    assert_int_equal(hy_log_actor_signature(dst, 0, held), 3);
    assert_memory_equal(held, sig.sig, HY_SIG_LEN);
    /* A single change with its own signature. */
    assert_int_equal(fixture_commit(src, "more"), HY_OK);
    assert_int_equal(hy_log_sign_local(src), HY_OK);
    hy_writer_free(&w[0]);
    hy_writer_init(&w[0], hy_allocator_default());
    assert_int_equal(hy_log_encode(src, 4, &w[0]), HY_OK);
    uint8_t s5[HY_SIG_LEN];
    hy_log_actor_signature(src, 0, s5);
    s5[0] ^= 0x80;
    assert_int_equal(hy_log_add(dst, w[0].data, w[0].len, s5, NULL), HY_E_BAD_SIGNATURE);
    s5[0] ^= 0x80;
    assert_int_equal(hy_log_add(dst, w[0].data, w[0].len, s5, NULL), HY_OK);
    assert_int_equal(hy_log_actor_signature(dst, 0, NULL), 4);
    for (int i = 0; i < 4; i++)
        hy_writer_free(&w[i]);
    hy_log_free(src);
    hy_log_free(dst);
    assert_int_equal(t.live_blocks, 0);
}

static void chain_and_lamport_rules_are_enforced(void **state)
{
    (void)state;
    hy_test_alloc t;
    hy_allocator al = hy_test_allocator(&t);
    hy_log_config cfg = fixture_config(al, false);
    hy_log *log;
    assert_int_equal(hy_log_new(&cfg, &log), HY_OK);
    uint8_t buf[256], h1[HY_HASH_LEN], h2[HY_HASH_LEN];
    size_t n = build(buf, sizeof buf, 1, 1, 1, NULL, 0, "a");
    assert_int_equal(hy_log_add(log, buf, n, NULL, NULL), HY_OK);
    hash_of(log, 0, h1);
    n = build(buf, sizeof buf, 2, 1, 1, NULL, 0, "b");
    assert_int_equal(hy_log_add(log, buf, n, NULL, NULL), HY_OK);
    hash_of(log, 1, h2);
    /* Actor 1's seq 2 naming only actor 2's change: breaks the chain rule. */
    n = build(buf, sizeof buf, 1, 2, 2, h2, 1, "c");
    assert_int_equal(hy_log_add(log, buf, n, NULL, NULL), HY_E_SEQ);
    /* Seq 3 with no seq 2 anywhere. */
    n = build(buf, sizeof buf, 1, 3, 2, h1, 1, "c");
    assert_int_equal(hy_log_add(log, buf, n, NULL, NULL), HY_E_SEQ);
    /* A start_op not above its dep's ops. */
    n = build(buf, sizeof buf, 1, 2, 1, h1, 1, "c");
    assert_int_equal(hy_log_add(log, buf, n, NULL, NULL), HY_E_SEQ);
    /* The same, well formed. */
    n = build(buf, sizeof buf, 1, 2, 2, h1, 1, "c");
    assert_int_equal(hy_log_add(log, buf, n, NULL, NULL), HY_OK);
    assert_int_equal(hy_log_count(log), 3);
    assert_int_equal(hy_log_equivocation_count(log), 0);
    hy_log_free(log);
    assert_int_equal(t.live_blocks, 0);
}

static void equivocation_is_kept_reported_and_proven(void **state)
{
    (void)state;
    hy_test_alloc t;
    hy_allocator al = hy_test_allocator(&t);
    /* One key on two devices: both write seq 1 and 2, differently. */
    hy_log *dev1 = fixture_log(al, 7, true);
    hy_log *dev2 = fixture_log(al, 7, true);
    hy_log *judge = fixture_log(al, 8, true);
    assert_int_equal(fixture_commit(dev1, "pay alice"), HY_OK);
    assert_int_equal(fixture_commit(dev1, "again"), HY_OK);
    assert_int_equal(fixture_commit(dev2, "pay bob"), HY_OK);
    assert_int_equal(fixture_sync(dev1, judge), HY_OK);
    assert_int_equal(fixture_sync(dev2, judge), HY_OK);
    assert_int_equal(hy_log_count(judge), 3);
    assert_int_equal(hy_log_equivocation_count(judge), 1);
    assert_int_equal(hy_log_head_count(judge), 2);
    hy_equivocation e;
    hy_log_equivocation(judge, 0, &e);
    assert_int_equal(e.seq, 1);
    assert_int_equal(e.first, 0);
    assert_int_equal(e.second, 2);
    hy_writer proof;
    hy_writer_init(&proof, hy_allocator_default());
    assert_int_equal(hy_log_equivocation_proof(judge, 0, &proof), HY_OK);
    uint8_t actor[HY_KEY_LEN];
    assert_int_equal(hy_equivocation_proof_verify(proof.data, proof.len, actor, NULL), HY_OK);
    assert_memory_equal(actor, hy_log_actor_key(judge, e.actor), HY_KEY_LEN);
    /* Any single flipped bit breaks the proof, at an offset inside it. */
    for (size_t i = 0; i < proof.len; i++) {
        proof.data[i] ^= 0x04;
        size_t offset = SIZE_MAX;
        assert_int_not_equal(hy_equivocation_proof_verify(proof.data, proof.len, NULL, &offset),
                             HY_OK);
        assert_true(offset <= proof.len);
        proof.data[i] ^= 0x04;
    }
    for (size_t len = 0; len < proof.len; len++)
        assert_int_not_equal(hy_equivocation_proof_verify(proof.data, len, NULL, NULL), HY_OK);
    hy_writer_free(&proof);
    /* The judge's own commit merges both branches; a later sync elsewhere converges. */
    assert_int_equal(fixture_commit(judge, "noted"), HY_OK);
    assert_int_equal(hy_log_head_count(judge), 1);
    /* Horizons come from a walk here: both branches are under the judge's commit, one of
     * dev1's changes only under its next. */
    uint64_t horizon[2];
    assert_int_equal(hy_log_actor_count(judge), 2);
    assert_int_equal(hy_log_horizon(judge, 3, horizon), HY_OK);
    assert_int_equal(horizon[e.actor], 2);
    assert_int_equal(horizon[hy_log_local_actor(judge)], 0);
    assert_int_equal(hy_log_horizon(judge, 1, horizon), HY_OK);
    assert_int_equal(horizon[e.actor], 1);
    hy_log *other = fixture_log(al, 9, true);
    assert_int_equal(fixture_sync(judge, other), HY_OK);
    assert_int_equal(hy_log_count(other), 4);
    assert_int_equal(hy_log_equivocation_count(other), 1);
    hy_log_free(dev1);
    hy_log_free(dev2);
    hy_log_free(judge);
    hy_log_free(other);
    assert_int_equal(t.live_blocks, 0);
}

static void peers_get_what_they_lack(void **state)
{
    (void)state;
    hy_test_alloc t;
    hy_allocator al = hy_test_allocator(&t);
    hy_log *a = fixture_log(al, 1, false);
    hy_log *b = fixture_log(al, 2, false);
    for (int i = 0; i < 4; i++)
        assert_int_equal(fixture_commit(a, "early"), HY_OK);
    assert_int_equal(fixture_sync(a, b), HY_OK);
    for (int i = 0; i < 6; i++)
        assert_int_equal(fixture_commit(a, "late"), HY_OK);
    assert_int_equal(fixture_commit(b, "b's own"), HY_OK);
    hy_vec by_vv, by_heads;
    hy_vec_init(&by_vv, sizeof(uint32_t));
    hy_vec_init(&by_heads, sizeof(uint32_t));
    hy_vv_entry vv[2];
    memcpy(vv[0].actor, hy_log_actor_key(b, 0), HY_KEY_LEN);
    vv[0].seq = hy_log_actor_seq(b, 0);
    memcpy(vv[1].actor, hy_log_actor_key(b, 1), HY_KEY_LEN);
    vv[1].seq = hy_log_actor_seq(b, 1);
    assert_int_equal(hy_log_missing_by_vv(a, vv, 2, &by_vv), HY_OK);
    uint8_t head[HY_HASH_LEN];
    hash_of(b, hy_log_head(b, 0), head);
    assert_int_equal(hy_log_missing_by_heads(a, head, 1, &by_heads), HY_OK);
    /* b's head is unknown to a, so by heads a knows nothing of b: it sends everything. */
    assert_int_equal(by_heads.len, 10);
    assert_int_equal(by_vv.len, 6);
    for (uint32_t i = 0; i < 6; i++)
        assert_int_equal(HY_VEC_AT(&by_vv, uint32_t, i), 4 + i);
    by_heads.len = 0;
    hash_of(a, 3, head); /* what b had before its own commit */
    assert_int_equal(hy_log_missing_by_heads(a, head, 1, &by_heads), HY_OK);
    assert_int_equal(by_heads.len, 6);
    assert_int_equal(HY_VEC_AT(&by_heads, uint32_t, 0), 4);
    hy_vec_free(&by_vv, hy_log_allocator(a));
    hy_vec_free(&by_heads, hy_log_allocator(a));
    hy_log_free(a);
    hy_log_free(b);
    assert_int_equal(t.live_blocks, 0);
}

/* The changes not under the given ones, by walking the DAG: what missing_by_heads must give. */
static size_t missing_by_walk(const hy_log *log, const uint32_t *heads, size_t count,
                              uint32_t *out)
{
    uint32_t n = hy_log_count(log);
    uint8_t held[64] = { 0 };
    uint32_t stack[64];
    size_t top = 0, missing = 0;
    for (size_t i = 0; i < count; i++)
        if (!held[heads[i]])
            held[stack[top++] = heads[i]] = 1;
    while (top > 0) {
        hy_log_entry e;
        hy_log_get(log, stack[--top], &e);
        for (uint32_t d = 0; d < e.dep_count; d++)
            if (!held[e.deps[d]])
                held[stack[top++] = e.deps[d]] = 1;
    }
    for (uint32_t i = 0; i < n; i++)
        if (!held[i])
            out[missing++] = i;
    return missing;
}

/* Replicas commit and sync at random; for random sets of heads, what a peer lacks by heads
 * (computed from version vectors, since no actor equivocates) equals a walk of the DAG, and
 * so does the horizon of a change. */
static void ancestry_by_version_vectors_equals_a_dag_walk(void **state)
{
    (void)state;
    hy_test_alloc t;
    hy_allocator al = hy_test_allocator(&t);
    enum { REPLICAS = 4, STEPS = 48 };
    for (uint32_t seed = 1; seed <= 40; seed++) {
        uint32_t rng = seed;
#define NEXT() (rng = rng * 1103515245u + 12345u, (rng >> 16) & 0x7fff)
        hy_log *logs[REPLICAS];
        for (unsigned r = 0; r < REPLICAS; r++)
            assert_non_null(logs[r] = fixture_log(al, r + 1, false));
        for (int step = 0; step < STEPS; step++) {
            unsigned r = NEXT() % REPLICAS, other = NEXT() % REPLICAS;
            if (NEXT() % 3 || r == other)
                assert_int_equal(fixture_commit(logs[r], "x"), HY_OK);
            else
                assert_int_equal(fixture_sync(logs[other], logs[r]), HY_OK);
        }
        hy_log *log = logs[NEXT() % REPLICAS];
        uint32_t n = hy_log_count(log);
        assert_true(n <= 64);
        for (int trial = 0; trial < 8; trial++) {
            uint32_t picked[3], expected[64];
            size_t count = NEXT() % 4;
            uint8_t hashes[3 * HY_HASH_LEN];
            for (size_t i = 0; i < count; i++) {
                picked[i] = NEXT() % n;
                hash_of(log, picked[i], hashes + i * HY_HASH_LEN);
            }
            size_t want = missing_by_walk(log, picked, count, expected);
            hy_vec got;
            hy_vec_init(&got, sizeof(uint32_t));
            assert_int_equal(hy_log_missing_by_heads(log, hashes, count, &got), HY_OK);
            if (got.len != want)
                fail_msg("seed %u trial %d: %zu missing, the walk finds %zu", seed, trial,
                         got.len, want);
            assert_memory_equal(got.data, expected, want * sizeof(uint32_t));
            hy_vec_free(&got, hy_log_allocator(log));
        }
        /* The horizon of a change: the newest op of each actor among its ancestors. */
        for (int trial = 0; trial < 8; trial++) {
            uint32_t index = NEXT() % n, missing[64];
            hy_log_entry e;
            hy_log_get(log, index, &e);
            size_t not_under = missing_by_walk(log, e.deps, e.dep_count, missing);
            uint64_t expected[REPLICAS] = { 0 }, got[REPLICAS];
            for (uint32_t i = 0, m = 0; i < n; i++) {
                if (m < not_under && missing[m] == i) {
                    m++;
                    continue;
                }
                hy_log_entry d;
                hy_log_get(log, i, &d);
                if (d.start_op + d.op_count - 1 > expected[d.actor])
                    expected[d.actor] = d.start_op + d.op_count - 1;
            }
            assert_true(hy_log_actor_count(log) <= REPLICAS);
            assert_int_equal(hy_log_horizon(log, index, got), HY_OK);
            for (uint32_t actor = 0; actor < hy_log_actor_count(log); actor++)
                if (got[actor] != expected[actor])
                    fail_msg("seed %u change %u actor %u: horizon %llu, walk %llu", seed, index,
                             actor, (unsigned long long)got[actor],
                             (unsigned long long)expected[actor]);
        }
#undef NEXT
        for (unsigned r = 0; r < REPLICAS; r++)
            hy_log_free(logs[r]);
    }
    assert_int_equal(t.live_blocks, 0);
}

static void batches_carry_changes_and_signatures(void **state)
{
    (void)state;
    hy_test_alloc t;
    hy_allocator al = hy_test_allocator(&t);
    hy_log *a = fixture_log(al, 1, true), *b = fixture_log(al, 2, true);
    for (int i = 0; i < 5; i++)
        assert_int_equal(fixture_commit(a, "batched"), HY_OK);
    uint32_t all[5] = { 0, 1, 2, 3, 4 };
    hy_writer w;
    hy_writer_init(&w, hy_allocator_default());
    assert_int_equal(hy_log_write_batch(a, all, 5, &w), HY_OK);
    /* Every truncation is refused and adds nothing. */
    for (size_t cut = 0; cut < w.len; cut++) {
        size_t offset = SIZE_MAX;
        assert_int_not_equal(hy_log_read_batch(b, w.data, cut, &offset), HY_OK);
        assert_true(offset <= cut);
        assert_int_equal(hy_log_count(b), 0);
    }
    /* A batch without its last change's signature: only the last four. */
    hy_writer tail;
    hy_writer_init(&tail, hy_allocator_default());
    assert_int_equal(hy_log_write_batch(a, all + 1, 4, &tail), HY_OK);
    assert_int_equal(hy_log_read_batch(b, tail.data, tail.len, NULL), HY_E_MISSING_DEPS);
    assert_int_equal(hy_log_read_batch(b, w.data, w.len, NULL), HY_OK);
    assert_int_equal(hy_log_count(b), 5);
    assert_int_equal(hy_log_pending_count(b), 0);
    w.data[w.len - 1] ^= 1; /* inside the signature */
    hy_log *c = fixture_log(al, 3, true);
    assert_int_equal(hy_log_read_batch(c, w.data, w.len, NULL), HY_E_BAD_SIGNATURE);
    assert_int_equal(hy_log_count(c), 0);
    hy_writer_free(&w);
    hy_writer_free(&tail);
    hy_log_free(a);
    hy_log_free(b);
    hy_log_free(c);
    assert_int_equal(t.live_blocks, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(commits_form_a_chain),
        cmocka_unit_test(concurrent_replicas_converge_and_merge_heads),
        cmocka_unit_test(early_changes_wait_for_their_deps),
        cmocka_unit_test(signatures_are_required_and_checked),
        cmocka_unit_test(chain_and_lamport_rules_are_enforced),
        cmocka_unit_test(equivocation_is_kept_reported_and_proven),
        cmocka_unit_test(peers_get_what_they_lack),
        cmocka_unit_test(ancestry_by_version_vectors_equals_a_dag_walk),
        cmocka_unit_test(batches_carry_changes_and_signatures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

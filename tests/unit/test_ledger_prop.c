/* Property test of the credit ledger: a committee of 4 or 7 (f = 1 or 2, the last f members
 * faulty: they sign random and conflicting checkpoints), accounts with roots and devices
 * that open, grant and spend at random, syncing in random pairs, and in some seeds a device
 * cloned onto two replicas that both spend. After everything is exchanged:
 *   - every replica derives the same state (balances, limits, rights, checkpoint status,
 *     audit findings), however the changes reached it;
 *   - balances sum to 0;
 *   - honest devices never overdraw (no overdraft without a clone), and a clone that spent
 *     past its escrow is reported, with its equivocation;
 *   - no two certified checkpoints conflict (same epoch, or an older one not under a newer);
 *   - a checkpoint conflict names only faulty members;
 *   - the honest members, once quiet, certify a checkpoint.
 *
 *   test_ledger_prop [SEEDS [FIRST_SEED]]    (default: a short run for CI; tests/prop runs long)
 */
#include "hy_test.h"

#include "ledger_fixture.h"
#include "ledger_internal.h"
#include "ledger_ops.h"
#include "store_log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MEMBERS 7
#define MAX_ACCOUNTS 3
#define DEVICES_PER_ACCOUNT 2 /* besides the root */
#define MAX_REPLICAS (MAX_MEMBERS + MAX_ACCOUNTS * (1 + DEVICES_PER_ACCOUNT) + 1)

typedef struct sim {
    ledger_world w;
    size_t members, faulty, accounts;
    ledger_replica r[MAX_REPLICAS];
    size_t count;
    int account_of[MAX_REPLICAS]; /* the account a device replica belongs to, or -1 */
    bool clone;                   /* the last replica is a clone of replica cloned */
    size_t cloned;
    hy_rng rng;
} sim;

static ledger_replica *root_of(sim *s, size_t account)
{
    return &s->r[s->members + account * (1 + DEVICES_PER_ACCOUNT)];
}

static void sync_pair(ledger_replica *from, ledger_replica *to)
{
    assert_int_equal(ledger_replica_sync(from, to), HY_OK);
}

/* A faulty member's vote: a random epoch and state, its own valid signature, its heads as the
 * frontier (which may name a checkpoint change, and is then refused). */
static void lie(sim *s, ledger_replica *m)
{
    uint8_t heads[4 * HY_HASH_LEN], state[HY_HASH_LEN] = { 0 }, id[HY_HASH_LEN];
    size_t n;
    if (hy_store_heads(m->store, heads, 4, &n) != HY_OK || n == 0)
        return;
    state[0] = (uint8_t)hy_rng_below(&s->rng, 4); /* a few digests, so that lies agree too */
    hy_hash(s->w.genesis, s->w.genesis_len, id);
    assert_int_equal(ledger_forge_vote(m->store, id, 1 + hy_rng_below(&s->rng, 4), heads, 1,
                                       state, m->seed), HY_OK);
}

static void random_step(sim *s)
{
    size_t i = (size_t)hy_rng_below(&s->rng, s->count);
    ledger_replica *r = &s->r[i];
    uint64_t what = hy_rng_below(&s->rng, 10);
    if (what < 4) {
        sync_pair(r, &s->r[hy_rng_below(&s->rng, s->count)]);
    } else if (i < s->members) {
        if (i >= s->members - s->faulty)
            lie(s, r);
        else {
            hy_err err = hy_ledger_checkpoint(r->ledger, 0, NULL);
            assert_true(err == HY_OK || err == HY_E_NOT_FOUND);
        }
    } else if (s->account_of[i] >= 0) {
        const uint8_t *account = root_of(s, (size_t)s->account_of[i])->key;
        int64_t rights = hy_ledger_rights(r->ledger, account, r->key);
        int64_t amount = 1 + (int64_t)hy_rng_below(&s->rng, 60);
        /* A cloned key only spends: what it granted would vanish with its disputed branch
         * and leave an honest device short. */
        bool cloned = s->clone && memcmp(r->key, s->r[s->cloned].key, HY_KEY_LEN) == 0;
        hy_err err;
        if (what < 8 || cloned) {
            const uint8_t *to = root_of(s, (size_t)hy_rng_below(&s->rng, s->accounts))->key;
            err = hy_ledger_spend(r->ledger, account, to, amount);
        } else {
            const ledger_replica *to = &s->r[s->members + hy_rng_below(&s->rng, s->count - s->members)];
            err = hy_ledger_grant(r->ledger, account, to->key, amount);
        }
        /* The device's own rights decide, and nothing else. */
        if (rights > 0)
            assert_int_equal(err, amount <= rights ? HY_OK : HY_E_INSUFFICIENT_ESCROW);
        else
            assert_true(err == HY_E_FORBIDDEN || err == HY_E_INSUFFICIENT_ESCROW);
    }
}

/* Everything a replica derives, as bytes to compare. */
static void derived(sim *s, ledger_replica *r, hy_writer *out)
{
    for (size_t a = 0; a < s->accounts; a++) {
        hy_account_info info;
        memset(&info, 0, sizeof info); /* its padding too: the bytes are compared */
        const uint8_t *key = root_of(s, a)->key;
        if (hy_ledger_account(r->ledger, key, &info) == HY_OK)
            hy_write_bytes(out, &info, sizeof info);
        for (size_t d = s->members; d < s->count; d++) {
            int64_t rights = hy_ledger_rights(r->ledger, key, s->r[d].key);
            hy_write_bytes(out, &rights, sizeof rights);
        }
    }
    hy_checkpoint_info cp;
    hy_ledger_checkpoint_status(r->ledger, &cp);
    hy_write_bytes(out, &cp, sizeof cp);
    hy_audit *audit;
    assert_int_equal(hy_ledger_audit(r->ledger, &audit), HY_OK);
    for (size_t i = 0; i < hy_audit_count(audit); i++) {
        const hy_finding *f = hy_audit_get(audit, i);
        hy_write_bytes(out, &f->kind, sizeof f->kind);
        hy_write_bytes(out, f->account, HY_KEY_LEN);
        hy_write_bytes(out, f->actor, HY_KEY_LEN);
        hy_write_bytes(out, &f->deficit, sizeof f->deficit);
        hy_write_bytes(out, &f->epoch, sizeof f->epoch);
        hy_write_bytes(out, f->ops, f->op_count * HY_HASH_LEN);
    }
    hy_audit_free(audit);
}

/* Every pair, both ways, until nothing moves: one round is enough for all to hold all. */
static void exchange_all(sim *s)
{
    for (int round = 0; round < 2; round++)
        for (size_t i = 0; i < s->count; i++)
            for (size_t j = 0; j < s->count; j++)
                if (i != j)
                    sync_pair(&s->r[i], &s->r[j]);
}

/* Whether change `at` is an ancestor of (or is) one of the changes `of`. */
static bool under(hy_log *log, uint32_t at, const uint32_t *of, size_t n)
{
    uint32_t count = hy_log_count(log);
    uint8_t *seen = calloc(count, 1);
    uint32_t *stack = malloc(count * sizeof *stack);
    size_t top = 0;
    bool found = false;
    for (size_t i = 0; i < n; i++)
        stack[top++] = of[i];
    while (top > 0 && !found) {
        uint32_t c = stack[--top];
        if (seen[c])
            continue;
        seen[c] = 1;
        found = c == at;
        hy_log_entry e;
        hy_log_get(log, c, &e);
        for (uint32_t d = 0; d < e.dep_count; d++)
            if (!seen[e.deps[d]])
                stack[top++] = e.deps[d];
    }
    free(seen);
    free(stack);
    return found;
}

static size_t frontier_of(hy_ledger *l, const ledger_tally *t, uint32_t *out)
{
    hy_log_entry c;
    hy_log_get(l->log, t->change, &c);
    ledger_op op;
    assert_int_equal(ledger_op_decode(c.ops, c.ops_len, &op), HY_OK);
    for (size_t i = 0; i < op.frontier_count; i++)
        out[i] = hy_log_find(l->log, op.frontier + i * HY_HASH_LEN);
    return op.frontier_count;
}

/* No two certified checkpoints conflict: one per epoch, and an older one's frontier lies
 * under a newer one's. */
static void assert_certified_agree(hy_ledger *l)
{
    for (size_t i = 0; i < l->tallies.len; i++) {
        const ledger_tally *a = hy_vec_at(&l->tallies, i);
        for (size_t j = 0; a->certified && j < l->tallies.len; j++) {
            const ledger_tally *b = hy_vec_at(&l->tallies, j);
            if (i == j || !b->certified)
                continue;
            assert_true(a->epoch != b->epoch);
            if (a->epoch > b->epoch)
                continue;
            uint32_t fa[LEDGER_MAX_FRONTIER], fb[LEDGER_MAX_FRONTIER];
            size_t na = frontier_of(l, a, fa), nb = frontier_of(l, b, fb);
            for (size_t k = 0; k < na; k++)
                assert_true(under(l->log, fa[k], fb, nb));
        }
    }
}

static void run_seed(uint64_t seed)
{
    sim s;
    memset(&s, 0, sizeof s);
    s.rng.state = seed;
    s.members = hy_rng_below(&s.rng, 3) == 0 ? 7 : 4;
    s.faulty = (s.members - 1) / 3;
    s.accounts = 2 + hy_rng_below(&s.rng, 2);
    s.clone = hy_rng_below(&s.rng, 3) == 0;
    ledger_world_init(&s.w, s.members, 200, seed);
    for (size_t i = 0; i < s.members; i++) {
        assert_int_equal(ledger_replica_open(&s.r[i], &s.w, s.w.member_seed[i], seed * 100 + i),
                         HY_OK);
        s.account_of[i] = -1;
    }
    s.count = s.members;
    for (size_t a = 0; a < s.accounts; a++)
        for (size_t d = 0; d <= DEVICES_PER_ACCOUNT; d++) {
            uint8_t key[HY_KEY_LEN];
            ledger_test_seed(key, seed * 1000 + 500 + s.count); /* apart from members' */
            assert_int_equal(ledger_replica_open(&s.r[s.count], &s.w, key, seed * 100 + s.count),
                             HY_OK);
            s.account_of[s.count++] = (int)a;
        }
    /* Roots open and grant escrow to their devices, which learn of it. */
    for (size_t a = 0; a < s.accounts; a++) {
        ledger_replica *root = root_of(&s, a);
        assert_int_equal(hy_ledger_open_account(root->ledger, 150 + (int64_t)hy_rng_below(&s.rng, 100)),
                         HY_OK);
        for (size_t d = 1; d <= DEVICES_PER_ACCOUNT; d++) {
            assert_int_equal(hy_ledger_grant(root->ledger, root->key, root[d].key, 40), HY_OK);
            sync_pair(root, &root[d]);
        }
    }
    if (s.clone) {
        /* A device's store copied, key and all, onto one more replica. */
        s.cloned = s.members + 1;
        ledger_replica *c = &s.r[s.count], *orig = &s.r[s.cloned];
        assert_int_equal(ledger_replica_clone(c, orig, &s.w, seed * 7 + 1), HY_OK);
        s.account_of[s.count++] = s.account_of[s.cloned];
        /* Both spend their whole escrow, offline. */
        const uint8_t *account = root_of(&s, (size_t)s.account_of[s.cloned])->key;
        assert_int_equal(hy_ledger_spend(orig->ledger, account, root_of(&s, 1)->key, 40), HY_OK);
        assert_int_equal(hy_ledger_spend(c->ledger, account, root_of(&s, 1)->key, 39), HY_OK);
    }
    int steps = 60 + (int)hy_rng_below(&s.rng, 60);
    for (int i = 0; i < steps; i++)
        random_step(&s);
    exchange_all(&s);
    /* Quiet now: the honest members sign (the first opens an epoch, the others join). */
    for (size_t m = 0; m < s.members - s.faulty; m++) {
        for (size_t j = 0; j < s.count; j++)
            sync_pair(&s.r[j], &s.r[m]);
        assert_int_equal(hy_ledger_checkpoint(s.r[m].ledger, 0, NULL), HY_OK);
    }
    exchange_all(&s);

    hy_writer first, other;
    hy_writer_init(&first, hy_allocator_default());
    hy_writer_init(&other, hy_allocator_default());
    derived(&s, &s.r[0], &first);
    for (size_t i = 1; i < s.count; i++) {
        other.len = 0;
        derived(&s, &s.r[i], &other);
        assert_int_equal(other.len, first.len);
        assert_memory_equal(other.data, first.data, first.len);
    }
    hy_writer_free(&first);
    hy_writer_free(&other);

    hy_ledger *l = s.r[0].ledger;
    int64_t sum = 0;
    for (size_t i = 0; i < hy_ledger_account_count(l); i++) {
        hy_account_info info;
        assert_int_equal(hy_ledger_account(l, hy_ledger_account_key(l, i), &info), HY_OK);
        sum += info.balance;
    }
    assert_true(sum == 0);
    hy_checkpoint_info cp;
    hy_ledger_checkpoint_status(l, &cp);
    assert_true(cp.epoch > 0);
    assert_certified_agree(l);
    hy_audit *audit;
    assert_int_equal(hy_ledger_audit(l, &audit), HY_OK);
    bool clone_flagged = false, clone_equivocated = false;
    for (size_t i = 0; i < hy_audit_count(audit); i++) {
        const hy_finding *f = hy_audit_get(audit, i);
        bool is_clone = s.clone && memcmp(f->actor, s.r[s.cloned].key, HY_KEY_LEN) == 0;
        if (f->kind == HY_FINDING_OVERDRAFT) {
            assert_true(is_clone); /* honest devices never overdraw */
            clone_flagged = true;
        }
        if (f->kind == HY_FINDING_EQUIVOCATION) {
            assert_true(is_clone);
            clone_equivocated = true;
        }
        if (f->kind == HY_FINDING_CHECKPOINT_CONFLICT) {
            bool faulty = false;
            for (size_t m = s.members - s.faulty; m < s.members; m++)
                faulty |= memcmp(f->actor, s.r[m].key, HY_KEY_LEN) == 0;
            assert_true(faulty);
        }
        /* Past its limit only through the clone's overdraft. */
        if (f->kind == HY_FINDING_PAST_LIMIT)
            assert_memory_equal(f->account, root_of(&s, (size_t)s.account_of[s.cloned])->key,
                                HY_KEY_LEN);
    }
    hy_audit_free(audit);
    /* The clone spent 79 of its 40 (unless grants from other devices made up for it, or a
     * checkpoint confirmed one branch and disputed the other): it is reported exactly when
     * its rights are below 0, and its equivocation always. */
    if (s.clone) {
        const uint8_t *account = root_of(&s, (size_t)s.account_of[s.cloned])->key;
        assert_true(clone_equivocated);
        assert_int_equal(clone_flagged, hy_ledger_rights(l, account, s.r[s.cloned].key) < 0);
    }
    for (size_t i = 0; i < s.count; i++)
        ledger_replica_close(&s.r[i]);
}

static uint64_t seeds = 12, first_seed = 1;

static void invariants_hold_for_every_seed(void **state)
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
        cmocka_unit_test(invariants_hold_for_every_seed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

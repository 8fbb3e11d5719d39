/* The credit ledger (credit/, docs/ledger.md): its genesis, the local ops and their errors,
 * escrow between devices, limits the committee allows, checkpoints (certified, refused,
 * lied about), disputes, the audit, and a ledger that survives save and load. */
#include "hy_test.h"

#include "ledger_fixture.h"
#include "ledger_ops.h"
#include "store_owner.h"

#include <string.h>

enum { LIMIT = 1000 };

typedef struct world {
    ledger_world w;
    ledger_replica member[4];
} world;

static void world_open(world *x)
{
    ledger_world_init(&x->w, 4, LIMIT, 1);
    for (int i = 0; i < 4; i++)
        assert_int_equal(ledger_replica_open(&x->member[i], &x->w, x->w.member_seed[i],
                                             100 + (uint64_t)i), HY_OK);
}

static void world_close(world *x)
{
    for (int i = 0; i < 4; i++)
        ledger_replica_close(&x->member[i]);
}

static void replica(ledger_replica *r, const world *x, uint64_t n)
{
    uint8_t seed[HY_KEY_LEN];
    ledger_test_seed(seed, n);
    assert_int_equal(ledger_replica_open(r, &x->w, seed, 1000 + n), HY_OK);
}

static void sync_both(ledger_replica *a, ledger_replica *b)
{
    assert_int_equal(ledger_replica_sync(a, b), HY_OK);
    assert_int_equal(ledger_replica_sync(b, a), HY_OK);
}

static hy_account_info account(const ledger_replica *r, const uint8_t key[HY_KEY_LEN])
{
    hy_account_info info;
    assert_int_equal(hy_ledger_account(r->ledger, key, &info), HY_OK);
    return info;
}

/* How many findings of kind the replica's audit holds. */
static size_t findings(ledger_replica *r, hy_finding_kind kind)
{
    hy_audit *a;
    assert_int_equal(hy_ledger_audit(r->ledger, &a), HY_OK);
    size_t n = 0;
    for (size_t i = 0; i < hy_audit_count(a); i++)
        n += hy_audit_get(a, i)->kind == kind;
    hy_audit_free(a);
    return n;
}

/* ---- genesis ---- */

static void a_ledger_genesis_names_a_committee_of_3f_plus_1(void **state)
{
    (void)state;
    ledger_world w;
    ledger_world_init(&w, 4, 500, 9);
    hy_genesis g;
    assert_int_equal(hy_genesis_decode(w.genesis, w.genesis_len, &g, NULL), HY_OK);
    assert_int_equal(g.committee_count, 4);
    assert_true(g.credit_limit == 500);
    assert_int_equal(w.genesis[4], 2); /* a ledger's genesis is version 2 */

    uint8_t keys[5 * HY_KEY_LEN], out[512];
    for (int i = 0; i < 5; i++)
        memset(keys + i * HY_KEY_LEN, i + 1, HY_KEY_LEN);
    size_t len;
    for (size_t n = 1; n <= 5; n++) {
        hy_genesis bad = { .name = "l", .name_len = 1, .committee = keys, .committee_count = n };
        assert_int_equal(hy_genesis_encode(&bad, out, sizeof out, &len),
                         n == 4 ? HY_OK : HY_E_INVALID_ARG);
    }
    hy_genesis limit_without_committee = { .name = "l", .name_len = 1, .credit_limit = 5 };
    assert_int_equal(hy_genesis_encode(&limit_without_committee, out, sizeof out, &len),
                     HY_E_INVALID_ARG);
    hy_genesis too_high = { .name = "l", .name_len = 1, .committee = keys,
                            .committee_count = 4, .credit_limit = HY_AMOUNT_MAX + 1 };
    assert_int_equal(hy_genesis_encode(&too_high, out, sizeof out, &len), HY_E_INVALID_ARG);

    /* Hostile bytes: the committee's size and the limit are checked where they are. */
    uint8_t copy[sizeof w.genesis + 8];
    size_t offset, count_at = 4 + 1 + 1 + 6 + 1 + 1; /* magic, version, name, two lists */
    memcpy(copy, w.genesis, w.genesis_len);
    copy[count_at] = 3;
    assert_int_equal(hy_genesis_decode(copy, w.genesis_len - HY_KEY_LEN, &g, &offset),
                     HY_E_FORMAT);
    assert_int_equal(offset, count_at);
    size_t limit_at = count_at + 1 + 4 * HY_KEY_LEN;
    memcpy(copy, w.genesis, w.genesis_len);
    memcpy(copy + limit_at, "\x80\x80\x80\x80\x80\x80\x80\x10", 8); /* 2^53 */
    assert_int_equal(hy_genesis_decode(copy, limit_at + 8, &g, &offset), HY_E_TOO_LARGE);
    assert_int_equal(offset, limit_at);
}

static void a_ledger_needs_its_genesis_and_signatures(void **state)
{
    (void)state;
    world x;
    ledger_world_init(&x.w, 4, LIMIT, 1);
    test_platform p;
    hy_store_config cfg;
    memset(&cfg, 0, sizeof cfg);
    test_platform_init(&p, 5);
    cfg.platform = &p.platform;
    hy_store *unsigned_store;
    assert_int_equal(hy_store_new(&cfg, &unsigned_store), HY_OK);
    hy_ledger *l = (hy_ledger *)(void *)&p;
    assert_int_equal(hy_ledger_open(unsigned_store, x.w.genesis, x.w.genesis_len, &l),
                     HY_E_INVALID_ARG);
    assert_null(l);
    hy_store_free(unsigned_store);

    cfg.require_signatures = 1;
    hy_store *s;
    assert_int_equal(hy_store_new(&cfg, &s), HY_OK);
    uint8_t plain[64];
    size_t len;
    hy_genesis store_only = { .name = "s", .name_len = 1 };
    assert_int_equal(hy_genesis_encode(&store_only, plain, sizeof plain, &len), HY_OK);
    assert_int_equal(hy_ledger_open(s, plain, len, &l), HY_E_INVALID_ARG);
    assert_int_equal(hy_ledger_open(s, x.w.genesis, x.w.genesis_len, &l), HY_OK);
    /* One owner at a time. */
    hy_ledger *second;
    assert_int_equal(hy_ledger_open(s, x.w.genesis, x.w.genesis_len, &second),
                     HY_E_INVALID_ARG);
    hy_ledger_free(l);
    hy_store_free(s);
}

/* ---- local ops ---- */

static void spending_is_local_and_bounded_by_escrow(void **state)
{
    (void)state;
    world x;
    world_open(&x);
    ledger_replica alice, bob;
    replica(&alice, &x, 1);
    replica(&bob, &x, 2);

    /* Not opened: this device is nobody's. */
    assert_int_equal(hy_ledger_spend(alice.ledger, alice.key, bob.key, 1), HY_E_FORBIDDEN);
    assert_int_equal(hy_ledger_open_account(alice.ledger, 600), HY_OK);
    assert_int_equal(hy_ledger_rights(alice.ledger, alice.key, alice.key), 600);
    assert_int_equal(hy_ledger_spend(alice.ledger, alice.key, bob.key, 0), HY_E_INVALID_ARG);
    assert_int_equal(hy_ledger_spend(alice.ledger, alice.key, bob.key, 601),
                     HY_E_INSUFFICIENT_ESCROW);
    assert_int_equal(hy_ledger_spend(alice.ledger, alice.key, bob.key, 250), HY_OK);
    assert_int_equal(hy_ledger_spend(alice.ledger, alice.key, bob.key, 350), HY_OK);
    assert_int_equal(hy_ledger_spend(alice.ledger, alice.key, bob.key, 1),
                     HY_E_INSUFFICIENT_ESCROW);
    assert_true(account(&alice, alice.key).balance == -600);
    assert_true(account(&alice, bob.key).balance == 600);
    assert_true(account(&alice, alice.key).limit == 600);

    /* A limit past the genesis' default is capped to it. */
    assert_int_equal(hy_ledger_open_account(bob.ledger, LIMIT * 5), HY_OK);
    assert_true(account(&bob, bob.key).limit == LIMIT);
    /* Bob's receipts count in his rights only once confirmed: he holds his limit. */
    sync_both(&alice, &bob);
    assert_true(account(&bob, bob.key).balance == 600);
    assert_true(account(&bob, bob.key).confirmed_balance == 0);
    assert_int_equal(hy_ledger_rights(bob.ledger, bob.key, bob.key), LIMIT);
    assert_int_equal(findings(&bob, HY_FINDING_OVERDRAFT), 0);
    ledger_replica_close(&alice);
    ledger_replica_close(&bob);
    world_close(&x);
}

static void escrow_moves_to_devices_that_spend_offline(void **state)
{
    (void)state;
    world x;
    world_open(&x);
    ledger_replica root, phone, shop;
    replica(&root, &x, 1);
    replica(&phone, &x, 2);
    replica(&shop, &x, 3);
    assert_int_equal(hy_ledger_open_account(root.ledger, 800), HY_OK);
    assert_int_equal(hy_ledger_grant(root.ledger, root.key, phone.key, 300), HY_OK);
    assert_int_equal(hy_ledger_rights(root.ledger, root.key, root.key), 500);
    assert_int_equal(hy_ledger_rights(root.ledger, root.key, phone.key), 300);
    /* The phone learns of its grant, goes offline and spends from its own escrow. */
    assert_int_equal(ledger_replica_sync(&root, &phone), HY_OK);
    assert_int_equal(hy_ledger_spend(phone.ledger, root.key, shop.key, 200), HY_OK);
    assert_int_equal(hy_ledger_spend(phone.ledger, root.key, shop.key, 101),
                     HY_E_INSUFFICIENT_ESCROW);
    assert_int_equal(hy_ledger_spend(root.ledger, root.key, shop.key, 500), HY_OK);
    /* The shop is not a device of the account. */
    assert_int_equal(hy_ledger_grant(shop.ledger, root.key, shop.key, 1), HY_E_FORBIDDEN);
    assert_true(hy_ledger_is_device(root.ledger, root.key, phone.key));
    assert_true(hy_ledger_is_device(root.ledger, root.key, root.key));
    assert_false(hy_ledger_is_device(root.ledger, root.key, shop.key));
    sync_both(&root, &phone);
    sync_both(&phone, &shop);
    for (ledger_replica *r = &root; r != NULL; r = r == &root ? &phone : r == &phone ? &shop : NULL) {
        assert_true(account(r, root.key).balance == -700);
        assert_true(account(r, shop.key).balance == 700);
        assert_int_equal(hy_ledger_rights(r->ledger, root.key, phone.key), 100);
        assert_int_equal(findings(r, HY_FINDING_OVERDRAFT), 0);
    }
    ledger_replica_close(&root);
    ledger_replica_close(&phone);
    ledger_replica_close(&shop);
    world_close(&x);
}

/* A device's key on two replicas (a cloned phone) spends twice: after the merge the
 * overdraft and the equivocation are both reported, the same on every replica. */
static void a_cloned_device_is_flagged_after_merge(void **state)
{
    (void)state;
    world x;
    world_open(&x);
    ledger_replica root, phone, clone, shop;
    replica(&root, &x, 1);
    replica(&phone, &x, 2);
    replica(&shop, &x, 3);
    assert_int_equal(hy_ledger_open_account(root.ledger, 800), HY_OK);
    assert_int_equal(hy_ledger_grant(root.ledger, root.key, phone.key, 300), HY_OK);
    assert_int_equal(ledger_replica_sync(&root, &phone), HY_OK);
    /* The clone: the phone's key and everything the phone holds. */
    assert_int_equal(ledger_replica_clone(&clone, &phone, &x.w, 77), HY_OK);
    assert_int_equal(hy_ledger_spend(phone.ledger, root.key, shop.key, 250), HY_OK);
    assert_int_equal(hy_ledger_spend(clone.ledger, root.key, shop.key, 260), HY_OK);
    assert_int_equal(ledger_replica_sync(&phone, &shop), HY_OK);
    assert_int_equal(ledger_replica_sync(&clone, &shop), HY_OK);
    assert_int_equal(ledger_replica_sync(&shop, &root), HY_OK);
    for (ledger_replica *r = &shop; r != NULL; r = r == &shop ? &root : NULL) {
        assert_int_equal(hy_ledger_rights(r->ledger, root.key, phone.key), -210);
        hy_audit *a;
        assert_int_equal(hy_ledger_audit(r->ledger, &a), HY_OK);
        bool overdraft = false, equivocation = false;
        for (size_t i = 0; i < hy_audit_count(a); i++) {
            const hy_finding *f = hy_audit_get(a, i);
            if (f->kind == HY_FINDING_OVERDRAFT) {
                overdraft = true;
                assert_memory_equal(f->account, root.key, HY_KEY_LEN);
                assert_memory_equal(f->actor, phone.key, HY_KEY_LEN);
                assert_true(f->deficit == 210);
                assert_int_equal(f->op_count, 1); /* the second spend is past the escrow */
            }
            if (f->kind == HY_FINDING_EQUIVOCATION) {
                equivocation = true;
                assert_memory_equal(f->actor, phone.key, HY_KEY_LEN);
                assert_int_equal(f->op_count, 2);
                assert_true(f->proof_len > 0);
            }
        }
        assert_true(overdraft && equivocation);
        hy_audit_free(a);
    }
    ledger_replica_close(&root);
    ledger_replica_close(&phone);
    ledger_replica_close(&clone);
    ledger_replica_close(&shop);
    world_close(&x);
}

/* ---- limits ---- */

static void a_limit_needs_f_plus_1_members(void **state)
{
    (void)state;
    world x;
    world_open(&x);
    ledger_replica alice;
    replica(&alice, &x, 1);
    assert_int_equal(hy_ledger_allow_limit(alice.ledger, alice.key, 5000), HY_E_FORBIDDEN);
    assert_int_equal(hy_ledger_open_account(alice.ledger, 5000), HY_OK);
    assert_true(account(&alice, alice.key).limit == LIMIT);
    assert_int_equal(hy_ledger_allow_limit(x.member[0].ledger, alice.key, 5000), HY_OK);
    assert_int_equal(ledger_replica_sync(&x.member[0], &alice), HY_OK);
    assert_true(account(&alice, alice.key).limit == LIMIT); /* one member may be lying */
    assert_int_equal(hy_ledger_allow_limit(x.member[1].ledger, alice.key, 3000), HY_OK);
    assert_int_equal(ledger_replica_sync(&x.member[1], &alice), HY_OK);
    assert_true(account(&alice, alice.key).limit == 3000); /* two agree on at least 3000 */
    assert_int_equal(hy_ledger_rights(alice.ledger, alice.key, alice.key), 3000);
    ledger_replica_close(&alice);
    world_close(&x);
}

/* ---- checkpoints ---- */

/* Every member signs the same frontier: certified at the third signature; the spends under
 * it are confirmed and count in the payee's rights. */
static void three_of_four_members_certify_a_checkpoint(void **state)
{
    (void)state;
    world x;
    world_open(&x);
    ledger_replica alice, bob;
    replica(&alice, &x, 1);
    replica(&bob, &x, 2);
    assert_int_equal(hy_ledger_open_account(alice.ledger, 500), HY_OK);
    assert_int_equal(hy_ledger_open_account(bob.ledger, 500), HY_OK);
    assert_int_equal(hy_ledger_spend(alice.ledger, alice.key, bob.key, 120), HY_OK);
    sync_both(&alice, &bob);
    for (int i = 0; i < 4; i++)
        assert_int_equal(ledger_replica_sync(&alice, &x.member[i]), HY_OK);

    /* Not a member: refused. */
    assert_int_equal(hy_ledger_checkpoint(alice.ledger, 0, NULL), HY_E_FORBIDDEN);
    uint64_t epoch;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(hy_ledger_checkpoint(x.member[i].ledger, 0, &epoch), HY_OK);
        assert_int_equal(epoch, 1);
        /* Never a second digest for one epoch. */
        assert_int_equal(hy_ledger_checkpoint(x.member[i].ledger, 1, NULL), HY_E_INVALID_ARG);
        assert_int_equal(ledger_replica_sync(&x.member[i], &bob), HY_OK);
        hy_checkpoint_info info;
        hy_ledger_checkpoint_status(bob.ledger, &info);
        assert_int_equal(info.epoch, i < 2 ? 0 : 1); /* two signatures are not enough */
    }
    hy_checkpoint_info info;
    hy_ledger_checkpoint_status(bob.ledger, &info);
    assert_int_equal(info.signatures, 3);
    assert_true(info.confirmed_ops >= 3);
    assert_int_equal(info.disputed_ops, 0);
    assert_true(account(&bob, bob.key).confirmed_balance == 120);
    assert_true(account(&bob, alice.key).confirmed_balance == -120);
    assert_int_equal(hy_ledger_rights(bob.ledger, bob.key, bob.key), 620);
    /* The fourth member joins the certified digest: it signs the same one. */
    assert_int_equal(ledger_replica_sync(&bob, &x.member[3]), HY_OK);
    assert_int_equal(hy_ledger_checkpoint(x.member[3].ledger, 1, NULL), HY_E_INVALID_ARG);
    assert_int_equal(hy_ledger_checkpoint(x.member[3].ledger, 0, &epoch), HY_OK);
    assert_int_equal(epoch, 2);
    assert_int_equal(findings(&bob, HY_FINDING_CHECKPOINT_CONFLICT), 0);
    ledger_replica_close(&alice);
    ledger_replica_close(&bob);
    world_close(&x);
}

/* A CHECKPOINT vote by author of these fields, its state all state_byte, signed with
 * sig_seed (the author's own for a lie, another's for a forgery). */
static void forge_checkpoint(ledger_replica *author, const world *x, uint64_t epoch,
                             const uint8_t *frontier, size_t count, uint8_t state_byte,
                             const uint8_t sig_seed[HY_KEY_LEN])
{
    uint8_t state[HY_HASH_LEN], id[HY_HASH_LEN];
    memset(state, state_byte, sizeof state);
    hy_hash(x->w.genesis, x->w.genesis_len, id);
    assert_int_equal(ledger_forge_vote(author->store, id, epoch, frontier, count, state, sig_seed),
                     HY_OK);
}

/* A lying member signs two digests for epoch 1, a forger signs in a member's name, a
 * non-member signs: the honest three still certify, the liar and the bad ops are reported,
 * and nothing the liar signed alone is certified. */
static void lies_about_checkpoints_are_reported(void **state)
{
    (void)state;
    world x;
    world_open(&x);
    ledger_replica alice, outsider;
    replica(&alice, &x, 1);
    replica(&outsider, &x, 9);
    assert_int_equal(hy_ledger_open_account(alice.ledger, 500), HY_OK);
    uint8_t heads[HY_HASH_LEN];
    size_t n;
    assert_int_equal(hy_store_heads(alice.store, heads, 1, &n), HY_OK);
    for (int i = 0; i < 4; i++)
        assert_int_equal(ledger_replica_sync(&alice, &x.member[i]), HY_OK);
    assert_int_equal(ledger_replica_sync(&alice, &outsider), HY_OK);

    ledger_replica *liar = &x.member[3];
    forge_checkpoint(liar, &x, 1, heads, 1, 0xaa, liar->seed);
    forge_checkpoint(liar, &x, 1, heads, 1, 0xbb, liar->seed);
    forge_checkpoint(&outsider, &x, 1, heads, 1, 0xaa, outsider.seed); /* not a member */
    forge_checkpoint(&alice, &x, 1, heads, 1, 0xaa, x.member[0].seed); /* alice signs as 0 */
    forge_checkpoint(&x.member[2], &x, 1, heads, 1, 0xaa, x.member[1].seed); /* forged */
    /* A frontier the vote does not stand on: a change its author never held. */
    uint8_t later[HY_HASH_LEN];
    assert_int_equal(hy_ledger_spend(alice.ledger, alice.key, outsider.key, 5), HY_OK);
    assert_int_equal(hy_store_heads(alice.store, later, 1, &n), HY_OK);
    forge_checkpoint(liar, &x, 2, later, 1, 0xaa, liar->seed);
    ledger_replica *all[] = { liar, &outsider, &alice, &x.member[2] };
    for (int i = 0; i < 4; i++)
        assert_int_equal(ledger_replica_sync(all[i], &x.member[0]), HY_OK);
    hy_checkpoint_info info;
    hy_ledger_checkpoint_status(x.member[0].ledger, &info);
    assert_int_equal(info.epoch, 0); /* 0xaa: the liar alone, and forgeries that count not */
    assert_int_equal(findings(&x.member[0], HY_FINDING_CHECKPOINT_CONFLICT), 1);
    assert_int_equal(findings(&x.member[0], HY_FINDING_INVALID_OP), 4);

    /* The honest three certify despite everything. Member 0 has seen epoch 1 taken and
     * opens epoch 2 (the liar's vote for 2 is no vote); the others join it once they see
     * its vote for the frontier and
     * balances they hold too (member 2's chain holds the forgery, which is no vote). */
    uint64_t epoch;
    assert_int_equal(hy_ledger_checkpoint(x.member[0].ledger, 0, &epoch), HY_OK);
    assert_int_equal(epoch, 2);
    assert_int_equal(hy_ledger_checkpoint(x.member[0].ledger, 0, &epoch), HY_OK);
    assert_int_equal(epoch, 0); /* its newest vote is of this already: nothing to do */
    for (int i = 1; i < 3; i++) {
        assert_int_equal(ledger_replica_sync(&x.member[0], &x.member[i]), HY_OK);
        assert_int_equal(hy_ledger_checkpoint(x.member[i].ledger, 0, &epoch), HY_OK);
        assert_int_equal(epoch, 2);
        assert_int_equal(ledger_replica_sync(&x.member[i], &x.member[0]), HY_OK);
    }
    hy_ledger_checkpoint_status(x.member[0].ledger, &info);
    assert_int_equal(info.epoch, 2);
    assert_int_equal(info.signatures, 3);
    hy_audit *a;
    assert_int_equal(hy_ledger_audit(x.member[0].ledger, &a), HY_OK);
    bool liar_named = false;
    for (size_t i = 0; i < hy_audit_count(a); i++) {
        const hy_finding *f = hy_audit_get(a, i);
        if (f->kind == HY_FINDING_CHECKPOINT_CONFLICT) {
            liar_named = memcmp(f->actor, liar->key, HY_KEY_LEN) == 0 && f->epoch == 1 &&
                         f->op_count == 2;
        }
    }
    assert_true(liar_named);
    hy_audit_free(a);
    ledger_replica_close(&alice);
    ledger_replica_close(&outsider);
    world_close(&x);
}

/* A cloned device's two branches: the certified checkpoint confirms one, and the other
 * becomes disputed and leaves the balances. */
static void a_branch_that_conflicts_with_a_checkpoint_is_disputed(void **state)
{
    (void)state;
    world x;
    world_open(&x);
    ledger_replica root, clone, shop;
    replica(&root, &x, 1);
    replica(&shop, &x, 3);
    assert_int_equal(hy_ledger_open_account(root.ledger, 800), HY_OK);
    assert_int_equal(ledger_replica_clone(&clone, &root, &x.w, 78), HY_OK);
    assert_int_equal(hy_ledger_spend(root.ledger, root.key, shop.key, 300), HY_OK);
    assert_int_equal(hy_ledger_spend(clone.ledger, root.key, shop.key, 700), HY_OK);
    /* The committee sees the root's branch only, and certifies it. */
    for (int i = 0; i < 3; i++) {
        assert_int_equal(ledger_replica_sync(&root, &x.member[i]), HY_OK);
        assert_int_equal(hy_ledger_checkpoint(x.member[i].ledger, 0, NULL), HY_OK);
        assert_int_equal(ledger_replica_sync(&x.member[i], &shop), HY_OK);
    }
    assert_int_equal(ledger_replica_sync(&clone, &shop), HY_OK);
    hy_checkpoint_info info;
    hy_ledger_checkpoint_status(shop.ledger, &info);
    assert_int_equal(info.epoch, 1);
    assert_int_equal(info.disputed_ops, 1);
    assert_true(account(&shop, shop.key).balance == 300);
    assert_true(account(&shop, shop.key).confirmed_balance == 300);
    assert_true(account(&shop, root.key).balance == -300);
    assert_int_equal(findings(&shop, HY_FINDING_EQUIVOCATION), 1);
    ledger_replica_close(&root);
    ledger_replica_close(&clone);
    ledger_replica_close(&shop);
    world_close(&x);
}

/* ---- persistence and hostile ops ---- */

static void a_loaded_store_gives_the_same_ledger(void **state)
{
    (void)state;
    world x;
    world_open(&x);
    ledger_replica alice, bob;
    replica(&alice, &x, 1);
    replica(&bob, &x, 2);
    assert_int_equal(hy_ledger_open_account(alice.ledger, 500), HY_OK);
    assert_int_equal(hy_ledger_grant(alice.ledger, alice.key, bob.key, 100), HY_OK);
    assert_int_equal(hy_ledger_spend(alice.ledger, alice.key, bob.key, 42), HY_OK);
    uint8_t *saved;
    size_t len;
    assert_int_equal(hy_store_save(alice.store, &saved, &len), HY_OK);
    test_platform p;
    test_platform_init(&p, 3);
    hy_store_config cfg = { .platform = &p.platform, .require_signatures = 1 };
    cfg.alloc = hy_allocator_default();
    hy_store *loaded;
    assert_int_equal(hy_store_load(&cfg, saved, len, &loaded, NULL), HY_OK);
    hy_store_buffer_free(alice.store, saved, len);
    hy_ledger *l;
    assert_int_equal(hy_ledger_open(loaded, x.w.genesis, x.w.genesis_len, &l), HY_OK);
    hy_account_info info;
    assert_int_equal(hy_ledger_account(l, alice.key, &info), HY_OK);
    assert_true(info.balance == -42 && info.limit == 500 && info.opened);
    assert_int_equal(hy_ledger_rights(l, alice.key, bob.key), 100);
    assert_int_equal(hy_ledger_rights(l, alice.key, alice.key), 358);
    assert_int_equal(hy_ledger_account_count(l), 2);
    uint8_t nobody[HY_KEY_LEN] = { 0 };
    assert_int_equal(hy_ledger_account(l, nobody, &info), HY_E_NOT_FOUND);
    hy_ledger_free(l);
    hy_store_free(loaded);
    ledger_replica_close(&alice);
    ledger_replica_close(&bob);
    world_close(&x);
}

/* Ops that do not decode, or a record edit in a ledger's store: kept (signed history) but
 * change nothing, and are reported; every prefix of a valid op is refused. */
static void hostile_ops_change_nothing(void **state)
{
    (void)state;
    world x;
    world_open(&x);
    ledger_replica alice;
    replica(&alice, &x, 1);
    assert_int_equal(hy_ledger_open_account(alice.ledger, 500), HY_OK);
    static const uint8_t junk[][8] = { { 0x80, 0, 9 }, { 0x80, 0, 3, 1 }, { 0x80, 0, 1, 0x80 },
                                       { 0x80, 0, 5, 0 } };
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++)
        assert_int_equal(hy_store_commit_owned(alice.store, junk[i], 4, NULL), HY_OK);
    hy_value v = { .type = HY_TYPE_INT, .as.integer = 1 };
    assert_int_equal(hy_put(alice.store, "c", "k", "f", &v), HY_OK);
    assert_int_equal(findings(&alice, HY_FINDING_INVALID_OP), 5);
    assert_int_equal(hy_ledger_rights(alice.ledger, alice.key, alice.key), 500);

    uint8_t to[HY_KEY_LEN] = { 7 };
    ledger_op op = { .kind = OP_SPEND, .account = alice.key, .other = to, .amount = 300 };
    hy_writer w;
    hy_writer_init(&w, hy_allocator_default());
    ledger_op_encode(&op, &w);
    ledger_op back;
    assert_int_equal(ledger_op_decode(w.data, w.len, &back), HY_OK);
    assert_true(back.amount == 300);
    for (size_t cut = 0; cut < w.len; cut++)
        assert_int_not_equal(ledger_op_decode(w.data, cut, &back), HY_OK);
    hy_writer_free(&w);
    ledger_replica_close(&alice);
    world_close(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_ledger_genesis_names_a_committee_of_3f_plus_1),
        cmocka_unit_test(a_ledger_needs_its_genesis_and_signatures),
        cmocka_unit_test(spending_is_local_and_bounded_by_escrow),
        cmocka_unit_test(escrow_moves_to_devices_that_spend_offline),
        cmocka_unit_test(a_cloned_device_is_flagged_after_merge),
        cmocka_unit_test(a_limit_needs_f_plus_1_members),
        cmocka_unit_test(three_of_four_members_certify_a_checkpoint),
        cmocka_unit_test(lies_about_checkpoints_are_reported),
        cmocka_unit_test(a_branch_that_conflicts_with_a_checkpoint_is_disputed),
        cmocka_unit_test(a_loaded_store_gives_the_same_ledger),
        cmocka_unit_test(hostile_ops_change_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

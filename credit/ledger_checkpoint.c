/* Checkpoints (docs/ledger.md, "Checkpoints"): members' votes, certification by 2f + 1 of
 * them, the ops a certified checkpoint confirms and those it disputes, and signing. */
#include "ledger_internal.h"

#include "alloc.h"
#include "blake3.h"
#include "try.h"

#include <stdlib.h>
#include <string.h>

static void tally_key(uint8_t key[8 + HY_HASH_LEN], uint64_t epoch,
                      const uint8_t digest[HY_HASH_LEN])
{
    hy_store_u64le(key, epoch);
    memcpy(key + 8, digest, HY_HASH_LEN);
}

/* The bytes of a tally's signed_by: a bit per member. */
static size_t signer_bytes(const hy_ledger *l)
{
    return (l->state.committee_count + 7) / 8;
}

static ledger_tally *tally_at(const hy_ledger *l, size_t i)
{
    return &HY_VEC_AT(&l->tallies, ledger_tally, i);
}

void ledger_checkpoint_free(hy_ledger *l)
{
    for (size_t i = 0; i < l->tallies.len; i++)
        hy_free(&l->alloc, tally_at(l, i)->signed_by, signer_bytes(l));
    hy_vec_free(&l->tallies, &l->alloc);
    hy_table_free(&l->tally_by_key, &l->alloc);
    hy_vec_free(&l->votes, &l->alloc);
}

/* The log indexes of a checkpoint's frontier; HY_E_NOT_FOUND when one is not held. */
static hy_err frontier_indexes(hy_ledger *l, const ledger_op *op, hy_vec *out)
{
    for (size_t i = 0; i < op->frontier_count; i++) {
        uint32_t index = hy_log_find(l->log, op->frontier + i * HY_HASH_LEN);
        if (index == HY_LOG_NONE)
            return HY_E_NOT_FOUND;
        HY_TRY(hy_vec_push(out, &l->alloc, &index));
    }
    return HY_OK;
}

enum { SEEN = 1, WANTED = 2 };

/* Walks the ancestors of the changes in starts (themselves included) until every change
 * marked WANTED in marks (a byte per change) has been SEEN, or there are no more; *missing is
 * how many wanted were not reached. Frontiers lie just below their vote, so the walk
 * usually stops after a few changes rather than crossing the whole log. */
static hy_err find_ancestors(hy_ledger *l, const hy_vec *starts, uint8_t *marks,
                             size_t *missing)
{
    hy_vec stack;
    hy_vec_init(&stack, sizeof(uint32_t));
    hy_err err = HY_OK;
    for (size_t i = 0; err == HY_OK && i < starts->len; i++)
        err = hy_vec_push(&stack, &l->alloc, hy_vec_at(starts, i));
    while (err == HY_OK && stack.len > 0 && *missing > 0) {
        uint32_t c = HY_VEC_AT(&stack, uint32_t, --stack.len);
        if (marks[c] & SEEN)
            continue;
        if (marks[c] & WANTED)
            (*missing)--;
        marks[c] |= SEEN;
        hy_log_entry e;
        hy_log_get(l->log, c, &e);
        for (uint32_t d = 0; err == HY_OK && d < e.dep_count; d++)
            if (!(marks[e.deps[d]] & SEEN))
                err = hy_vec_push(&stack, &l->alloc, &e.deps[d]);
    }
    hy_vec_free(&stack, &l->alloc);
    return err;
}

/* Whether every frontier change is a non-checkpoint ancestor of change index: an honest
 * member's checkpoint change depends on what it signed, so this holds wherever the change
 * is applied, and the vote's validity does not depend on what else a replica holds. */
static hy_err frontier_valid(hy_ledger *l, uint32_t index, const ledger_op *op, bool *valid)
{
    *valid = false;
    hy_vec frontier, deps;
    hy_vec_init(&frontier, sizeof(uint32_t));
    hy_vec_init(&deps, sizeof(uint32_t));
    hy_err err = frontier_indexes(l, op, &frontier);
    if (err == HY_E_NOT_FOUND) {
        hy_vec_free(&frontier, &l->alloc);
        return HY_OK;
    }
    hy_log_entry e;
    hy_log_get(l->log, index, &e);
    for (uint32_t d = 0; err == HY_OK && d < e.dep_count; d++)
        err = hy_vec_push(&deps, &l->alloc, &e.deps[d]);
    uint8_t *marks = err ? NULL : hy_alloc_zero(&l->alloc, hy_log_count(l->log), 1);
    if (err == HY_OK && marks == NULL)
        err = HY_E_NOMEM;
    size_t missing = 0;
    bool checkpoint = false;
    for (size_t i = 0; err == HY_OK && i < frontier.len; i++) {
        uint32_t f = HY_VEC_AT(&frontier, uint32_t, i);
        checkpoint |= ledger_entry_at(&l->state, f)->kind == OP_CHECKPOINT;
        marks[f] = WANTED; /* hashes are distinct (ascending), so are their changes */
        missing++;
    }
    if (err == HY_OK && !checkpoint)
        err = find_ancestors(l, &deps, marks, &missing);
    *valid = err == HY_OK && !checkpoint && missing == 0;
    hy_free(&l->alloc, marks, hy_log_count(l->log));
    hy_vec_free(&frontier, &l->alloc);
    hy_vec_free(&deps, &l->alloc);
    return err;
}

static void dispute(hy_ledger *l, uint32_t index)
{
    ledger_entry *e = ledger_entry_at(&l->state, index);
    if (e->flags & (ENTRY_DISPUTED | ENTRY_CONFIRMED))
        return;
    if (e->status == ENTRY_ACTIVE)
        ledger_state_uncount(&l->state, e);
    e->flags |= ENTRY_DISPUTED;
    l->disputed_ops++;
}

/* A change conflicts with the certified history when its actor's chain is confirmed up to
 * its seq or beyond (it is the other branch of a fork), or when it builds on such a change. */
static bool conflicts(const hy_ledger *l, uint32_t index)
{
    hy_log_entry c;
    hy_log_get(l->log, index, &c);
    if (c.seq <= HY_VEC_AT(&l->confirmed_seq, uint32_t, c.actor))
        return true;
    for (uint32_t d = 0; d < c.dep_count; d++)
        if (ledger_entry_at(&l->state, c.deps[d])->flags & ENTRY_DISPUTED)
            return true;
    return false;
}

void ledger_checkpoint_check_new(hy_ledger *l, uint32_t index)
{
    if (l->certified != SIZE_MAX && conflicts(l, index))
        dispute(l, index);
}

/* Confirms the ancestors of a certified checkpoint's frontier, then disputes what conflicts
 * with them (in applied order, so that a dispute reaches every change built on it). */
static hy_err confirm(hy_ledger *l, const ledger_tally *t)
{
    hy_log_entry c;
    hy_log_get(l->log, t->change, &c);
    ledger_op op;
    hy_vec stack;
    hy_vec_init(&stack, sizeof(uint32_t));
    hy_err err = ledger_op_decode(c.ops, c.ops_len, &op);
    if (err == HY_OK)
        err = frontier_indexes(l, &op, &stack);
    while (err == HY_OK && stack.len > 0) {
        uint32_t i = HY_VEC_AT(&stack, uint32_t, --stack.len);
        ledger_entry *e = ledger_entry_at(&l->state, i);
        if (e->flags & (ENTRY_CONFIRMED | ENTRY_DISPUTED))
            continue;
        ledger_state_confirm(&l->state, e);
        l->confirmed_ops++;
        hy_log_entry a;
        hy_log_get(l->log, i, &a);
        uint32_t *seq = &HY_VEC_AT(&l->confirmed_seq, uint32_t, a.actor);
        if (a.seq > *seq)
            *seq = a.seq;
        for (uint32_t d = 0; err == HY_OK && d < a.dep_count; d++)
            err = hy_vec_push(&stack, &l->alloc, &a.deps[d]);
    }
    hy_vec_free(&stack, &l->alloc);
    if (err)
        return err == HY_E_NOMEM ? err : HY_OK;
    uint32_t count = hy_log_count(l->log);
    for (uint32_t i = 0; i < count; i++)
        if (!(ledger_entry_at(&l->state, i)->flags & ENTRY_CONFIRMED) && conflicts(l, i))
            dispute(l, i);
    return HY_OK;
}

static hy_err tally_for(hy_ledger *l, uint64_t epoch, const uint8_t digest[HY_HASH_LEN],
                        uint32_t change, size_t *out)
{
    uint8_t key[8 + HY_HASH_LEN];
    tally_key(key, epoch, digest);
    uint32_t index;
    if (hy_table_get(&l->tally_by_key, key, &index)) {
        *out = index;
        return HY_OK;
    }
    /* Room first, so that the tally cannot be half entered. */
    HY_TRY(hy_vec_reserve(&l->tallies, &l->alloc, l->tallies.len + 1));
    HY_TRY(hy_table_reserve(&l->tally_by_key, &l->alloc, 1));
    ledger_tally t;
    memset(&t, 0, sizeof t);
    t.epoch = epoch;
    memcpy(t.digest, digest, HY_HASH_LEN);
    t.change = change;
    t.signed_by = hy_alloc_zero(&l->alloc, signer_bytes(l), 1);
    if (t.signed_by == NULL)
        return HY_E_NOMEM;
    *out = l->tallies.len;
    hy_vec_push(&l->tallies, &l->alloc, &t);
    hy_table_put(&l->tally_by_key, &l->alloc, key, (uint32_t)*out);
    return HY_OK;
}

hy_err ledger_checkpoint_apply(hy_ledger *l, uint32_t index, const ledger_op *op)
{
    ledger_entry *e = ledger_entry_at(&l->state, index);
    e->status = ENTRY_INVALID;
    hy_log_entry c;
    hy_log_get(l->log, index, &c);
    const uint8_t *author = hy_log_actor_key(l->log, c.actor);
    uint32_t member = ledger_member(&l->state, author);
    if (member == LEDGER_NONE)
        return HY_OK;
    uint8_t digest[HY_HASH_LEN], msg[LEDGER_CHECKPOINT_MSG_LEN];
    ledger_checkpoint_digest(l->id, op->epoch, op->frontier, op->frontier_count, op->state,
                             digest);
    ledger_checkpoint_msg(msg, digest);
    if (hy_verify(op->sig, author, msg, sizeof msg) != HY_OK)
        return HY_OK;
    bool valid;
    HY_TRY(frontier_valid(l, index, op, &valid));
    if (!valid)
        return HY_OK;
    e->status = ENTRY_DONE;
    ledger_vote vote = { op->epoch, { 0 }, member, index };
    memcpy(vote.digest, digest, HY_HASH_LEN);
    HY_TRY(hy_vec_push(&l->votes, &l->alloc, &vote));
    size_t ti;
    HY_TRY(tally_for(l, op->epoch, digest, index, &ti));
    ledger_tally *t = tally_at(l, ti);
    uint8_t bit = (uint8_t)(1u << (member % 8));
    if (t->signed_by[member / 8] & bit)
        return HY_OK;
    t->signed_by[member / 8] |= bit;
    if (++t->signers < l->quorum || t->certified)
        return HY_OK;
    t->certified = true;
    if (l->certified == SIZE_MAX || t->epoch > tally_at(l, l->certified)->epoch)
        l->certified = ti;
    return confirm(l, t);
}

void hy_ledger_checkpoint_status(const hy_ledger *l, hy_checkpoint_info *out)
{
    memset(out, 0, sizeof *out);
    if (l == NULL)
        return;
    out->confirmed_ops = l->confirmed_ops;
    out->disputed_ops = l->disputed_ops;
    out->held_ops = l->held_ops;
    if (l->certified == SIZE_MAX)
        return;
    const ledger_tally *t = tally_at(l, l->certified);
    out->epoch = t->epoch;
    memcpy(out->digest, t->digest, HY_HASH_LEN);
    out->signatures = t->signers;
}

/* ---- signing ---- */

/* The frontier: the changes that are neither checkpoints nor disputed and have no such
 * change among their descendants. A reverse pass over the applied (topological) order marks
 * every change below such a change. */
static hy_err compute_frontier(hy_ledger *l, hy_vec *out)
{
    uint32_t count = hy_log_count(l->log);
    uint8_t *below = hy_alloc_zero(&l->alloc, count ? count : 1, 1);
    if (below == NULL)
        return HY_E_NOMEM;
    hy_err err = HY_OK;
    for (uint32_t i = count; err == HY_OK && i-- > 0;) {
        const ledger_entry *e = ledger_entry_at(&l->state, i);
        if (e->flags & ENTRY_DISPUTED)
            continue;
        bool candidate = e->kind != OP_CHECKPOINT;
        if (candidate && !below[i])
            err = hy_vec_push(out, &l->alloc, &i);
        if (candidate || below[i]) {
            hy_log_entry c;
            hy_log_get(l->log, i, &c);
            for (uint32_t d = 0; d < c.dep_count; d++)
                below[c.deps[d]] = 1;
        }
    }
    hy_free(&l->alloc, below, count ? count : 1);
    return err;
}

static int key_cmp(const void *a, const void *b)
{
    return memcmp(*(const uint8_t *const *)a, *(const uint8_t *const *)b, HY_KEY_LEN);
}

/* The digest of the balances and limits of a state, accounts in key order. */
static hy_err state_digest(const hy_ledger *l, const ledger_state *st,
                           uint8_t out[HY_HASH_LEN])
{
    size_t n = st->accounts.len;
    const uint8_t **keys = hy_alloc(&l->alloc, (n ? n : 1) * sizeof *keys);
    if (keys == NULL)
        return HY_E_NOMEM;
    for (size_t i = 0; i < n; i++)
        keys[i] = ledger_account_at(st, (uint32_t)i)->key;
    qsort(keys, n, sizeof *keys, key_cmp);
    hy_blake3_hasher h;
    hy_blake3_init_derive_key(&h, "hypha ledger state v1");
    for (size_t i = 0; i < n; i++) {
        const ledger_account *a = ledger_account_at(st, ledger_find_account(st, keys[i]));
        uint8_t buf[2 * HY_VARINT_MAX_LEN];
        size_t len = hy_varint_put(buf, hy_zigzag(a->received - a->spent));
        len += hy_varint_put(buf + len, (uint64_t)ledger_limit(a));
        hy_blake3_update(&h, a->key, HY_KEY_LEN);
        hy_blake3_update(&h, buf, len);
    }
    hy_blake3_final(&h, out, HY_HASH_LEN);
    hy_free(&l->alloc, keys, (n ? n : 1) * sizeof *keys);
    return HY_OK;
}

/* The balances under the frontier: a fresh state fed the changes that are neither
 * checkpoints nor disputed (exactly the non-checkpoint changes under the frontier). */
static hy_err frontier_state_digest(hy_ledger *l, uint8_t out[HY_HASH_LEN])
{
    ledger_state st;
    ledger_state_init(&st, &l->alloc, l->state.committee, l->state.committee_count,
                      l->state.default_limit, l->state.account_by_key.seed);
    hy_err err = HY_OK;
    uint32_t count = hy_log_count(l->log);
    for (uint32_t i = 0; err == HY_OK && i < count; i++) {
        const ledger_entry *e = ledger_entry_at(&l->state, i);
        if (e->kind != OP_CHECKPOINT && !(e->flags & ENTRY_DISPUTED))
            err = ledger_state_apply(&st, l->log, i, NULL);
    }
    if (err == HY_OK)
        err = state_digest(l, &st, out);
    ledger_state_free(&st);
    return err;
}

static int hash_cmp(const void *a, const void *b)
{
    return memcmp(a, b, HY_HASH_LEN);
}

/* The newest epoch this member signed (0: none). */
static uint64_t last_signed(const hy_ledger *l, uint32_t member)
{
    uint64_t last = 0;
    for (size_t i = 0; i < l->votes.len; i++) {
        const ledger_vote *v = hy_vec_at(&l->votes, i);
        if (v->member == member && v->epoch > last)
            last = v->epoch;
    }
    return last;
}

/* What this member would sign: its frontier's hashes, ascending, and the state under it. */
typedef struct proposal {
    uint8_t *hashes;
    size_t count;
    uint8_t state[HY_HASH_LEN];
} proposal;

static hy_err propose(hy_ledger *l, proposal *p)
{
    hy_vec frontier;
    hy_vec_init(&frontier, sizeof(uint32_t));
    p->hashes = NULL;
    p->count = 0;
    hy_err err = compute_frontier(l, &frontier);
    if (err == HY_OK && frontier.len == 0)
        err = HY_E_NOT_FOUND; /* nothing to checkpoint */
    if (err == HY_OK && frontier.len > LEDGER_MAX_FRONTIER)
        err = HY_E_LIMIT;
    if (err == HY_OK) {
        p->hashes = hy_alloc(&l->alloc, frontier.len * HY_HASH_LEN);
        err = p->hashes ? HY_OK : HY_E_NOMEM;
    }
    if (err == HY_OK) {
        p->count = frontier.len;
        for (size_t i = 0; i < frontier.len; i++)
            memcpy(p->hashes + i * HY_HASH_LEN,
                   hy_log_hash(l->log, HY_VEC_AT(&frontier, uint32_t, i)), HY_HASH_LEN);
        qsort(p->hashes, p->count, HY_HASH_LEN, hash_cmp);
        err = frontier_state_digest(l, p->state);
    }
    hy_vec_free(&frontier, &l->alloc);
    return err;
}

/* Whether the checkpoint op of tally t names exactly this frontier and state. */
static bool tally_matches(const hy_ledger *l, const ledger_tally *t, const proposal *p)
{
    hy_log_entry c;
    hy_log_get(l->log, t->change, &c);
    ledger_op op;
    return ledger_op_decode(c.ops, c.ops_len, &op) == HY_OK && op.frontier_count == p->count &&
           memcmp(op.frontier, p->hashes, p->count * HY_HASH_LEN) == 0 &&
           memcmp(op.state, p->state, HY_HASH_LEN) == 0;
}

/* Epoch 0's choice (0: nothing to sign). Members that hold the same ops propose the same
 * frontier and state, so the first to sign picks an epoch and the others join it: the
 * lowest epoch past the floor that some member signed for this proposal. Without one, this
 * member waits when its own newest vote already is this proposal, and otherwise opens the
 * epoch after every epoch seen. */
static uint64_t choose_epoch(const hy_ledger *l, uint32_t member, uint64_t floor,
                             const proposal *p)
{
    uint64_t join = 0, highest = floor;
    bool mine_current = false;
    for (size_t i = 0; i < l->tallies.len; i++) {
        const ledger_tally *t = tally_at(l, i);
        if (t->epoch > highest)
            highest = t->epoch;
        bool signed_by_me = t->signed_by[member / 8] & (1u << (member % 8));
        if (signed_by_me && t->epoch == floor && tally_matches(l, t, p))
            mine_current = true;
        if (t->epoch > floor && (join == 0 || t->epoch < join) && tally_matches(l, t, p))
            join = t->epoch;
    }
    if (join)
        return join;
    return mine_current ? 0 : highest + 1;
}

static hy_err sign_proposal(hy_ledger *l, uint64_t epoch, const proposal *p)
{
    uint8_t digest[HY_HASH_LEN], msg[LEDGER_CHECKPOINT_MSG_LEN], sig[HY_SIG_LEN];
    ledger_checkpoint_digest(l->id, epoch, p->hashes, p->count, p->state, digest);
    ledger_checkpoint_msg(msg, digest);
    HY_TRY(hy_log_sign_statement(l->log, msg, sizeof msg, sig));
    ledger_op op = { .kind = OP_CHECKPOINT, .epoch = epoch, .frontier = p->hashes,
                     .frontier_count = p->count, .state = p->state, .sig = sig };
    hy_writer w;
    hy_writer_init(&w, l->alloc);
    ledger_op_encode(&op, &w);
    hy_err err = w.err ? w.err : hy_store_commit_owned(l->store, w.data, w.len, NULL);
    hy_writer_free(&w);
    return err;
}

hy_err hy_ledger_checkpoint(hy_ledger *l, uint64_t epoch, uint64_t *signed_epoch)
{
    if (l == NULL)
        return HY_E_INVALID_ARG;
    if (signed_epoch)
        *signed_epoch = 0;
    uint32_t member = ledger_member(&l->state, hy_store_actor(l->store));
    if (member == LEDGER_NONE)
        return HY_E_FORBIDDEN;
    uint64_t floor = last_signed(l, member);
    if (l->certified != SIZE_MAX && tally_at(l, l->certified)->epoch > floor)
        floor = tally_at(l, l->certified)->epoch;
    if (epoch != 0 && epoch <= floor)
        return HY_E_INVALID_ARG;
    proposal p;
    hy_err err = propose(l, &p);
    if (err == HY_OK && epoch == 0)
        epoch = choose_epoch(l, member, floor, &p);
    if (err == HY_OK && epoch != 0)
        err = sign_proposal(l, epoch, &p);
    hy_free(&l->alloc, p.hashes, p.count * HY_HASH_LEN);
    if (err == HY_OK && signed_epoch)
        *signed_epoch = epoch;
    return err;
}

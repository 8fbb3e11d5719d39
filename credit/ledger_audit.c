/* The audit (docs/ledger.md, "Audit"): every overdraft, equivocation, balance past its
 * limit, member that signed two digests for one epoch and op that is not valid, in a
 * canonical order, so that replicas holding the same changes report the same findings. */
#include "ledger_internal.h"

#include "alloc.h"
#include "try.h"

#include <stdlib.h>
#include <string.h>

/* A finding while it is gathered: its hashes and proof are offsets into the audit's bytes,
 * which may still move. */
typedef struct draft {
    hy_finding f;
    size_t ops_at, proof_at;
    uint8_t first_op[HY_HASH_LEN]; /* for the order */
} draft;

struct hy_audit {
    hy_allocator alloc;
    hy_vec drafts;     /* draft; then their findings, pointers fixed */
    hy_writer bytes;   /* the findings' hashes and proofs */
};

static hy_err add(hy_audit *a, const hy_finding *f, draft **out)
{
    draft d;
    memset(&d, 0, sizeof d);
    d.f = *f;
    d.ops_at = a->bytes.len;
    HY_TRY(hy_vec_push(&a->drafts, &a->alloc, &d));
    *out = &HY_VEC_AT(&a->drafts, draft, a->drafts.len - 1);
    return HY_OK;
}

static void add_hash(hy_audit *a, draft *d, const uint8_t hash[HY_HASH_LEN])
{
    if (d->f.op_count == 0)
        memcpy(d->first_op, hash, HY_HASH_LEN);
    hy_write_bytes(&a->bytes, hash, HY_HASH_LEN);
    d->f.op_count++;
}

/* ---- equivocations ---- */

static hy_err equivocations(hy_ledger *l, hy_audit *a)
{
    for (size_t i = 0; i < hy_log_equivocation_count(l->log); i++) {
        hy_equivocation q;
        hy_log_equivocation(l->log, i, &q);
        hy_finding f = { .kind = HY_FINDING_EQUIVOCATION };
        memcpy(f.actor, hy_log_actor_key(l->log, q.actor), HY_KEY_LEN);
        draft *d;
        HY_TRY(add(a, &f, &d));
        const uint8_t *first = hy_log_hash(l->log, q.first), *second = hy_log_hash(l->log, q.second);
        bool ascending = memcmp(first, second, HY_HASH_LEN) < 0;
        add_hash(a, d, ascending ? first : second);
        add_hash(a, d, ascending ? second : first);
        d->proof_at = a->bytes.len;
        size_t before = a->bytes.len;
        HY_TRY(hy_log_equivocation_proof(l->log, i, &a->bytes));
        d = &HY_VEC_AT(&a->drafts, draft, a->drafts.len - 1);
        d->f.proof_len = a->bytes.len - before;
    }
    return a->bytes.err;
}

/* ---- overdrafts and balances past their limit ---- */

typedef struct debit {
    uint32_t slot;
    uint32_t seq;
    const uint8_t *hash;
    int64_t amount;
} debit;

static int debit_cmp(const void *x, const void *y)
{
    const debit *a = x, *b = y;
    if (a->slot != b->slot)
        return a->slot < b->slot ? -1 : 1;
    if (a->seq != b->seq)
        return a->seq < b->seq ? -1 : 1;
    return memcmp(a->hash, b->hash, HY_HASH_LEN);
}

/* Each overdrawn device, with the debits past what came in: its counted debits in chain
 * order (seq, then hash for a fork), from the first that the inflow does not cover. */
static hy_err overdrafts(hy_ledger *l, hy_audit *a)
{
    const ledger_state *st = &l->state;
    hy_vec debits;
    hy_vec_init(&debits, sizeof(debit));
    hy_err err = HY_OK;
    uint32_t count = hy_log_count(l->log);
    for (uint32_t i = 0; err == HY_OK && i < count && i < st->entries.len; i++) {
        const ledger_entry *e = ledger_entry_at(st, i);
        if (e->status != ENTRY_ACTIVE || (e->flags & ENTRY_DISPUTED) ||
            ledger_slot_rights(st, ledger_slot_at(st, e->slot)) >= 0)
            continue;
        hy_log_entry c;
        hy_log_get(l->log, i, &c);
        debit d = { e->slot, c.seq, hy_log_hash(l->log, i), e->amount };
        err = hy_vec_push(&debits, &l->alloc, &d);
    }
    if (err == HY_OK && debits.len > 0)
        qsort(debits.data, debits.len, sizeof(debit), debit_cmp);
    for (size_t i = 0; err == HY_OK && i < debits.len;) {
        const debit *first = hy_vec_at(&debits, i);
        const ledger_slot *slot = ledger_slot_at(st, first->slot);
        int64_t rights = ledger_slot_rights(st, slot);
        int64_t inflow = rights + slot->debits, spent = 0;
        hy_finding f = { .kind = HY_FINDING_OVERDRAFT, .deficit = -rights };
        memcpy(f.account, ledger_account_at(st, slot->account)->key, HY_KEY_LEN);
        memcpy(f.actor, slot->device, HY_KEY_LEN);
        draft *dr;
        err = add(a, &f, &dr);
        for (; err == HY_OK && i < debits.len; i++) {
            const debit *d = hy_vec_at(&debits, i);
            if (d->slot != first->slot)
                break;
            spent = ledger_sat_add(spent, d->amount);
            if (spent > inflow)
                add_hash(a, dr, d->hash);
        }
    }
    hy_vec_free(&debits, &l->alloc);
    return err ? err : a->bytes.err;
}

static hy_err past_limit(hy_ledger *l, hy_audit *a)
{
    for (size_t i = 0; i < l->state.accounts.len; i++) {
        const ledger_account *acct = ledger_account_at(&l->state, (uint32_t)i);
        int64_t balance = acct->received - acct->spent, limit = ledger_limit(acct);
        if (balance >= -limit)
            continue;
        hy_finding f = { .kind = HY_FINDING_PAST_LIMIT, .deficit = -(balance + limit) };
        memcpy(f.account, acct->key, HY_KEY_LEN);
        draft *d;
        HY_TRY(add(a, &f, &d));
    }
    return HY_OK;
}

/* ---- members that signed two digests for one epoch ---- */

static int vote_cmp(const void *x, const void *y)
{
    const ledger_vote *a = x, *b = y;
    if (a->member != b->member)
        return a->member < b->member ? -1 : 1;
    if (a->epoch != b->epoch)
        return a->epoch < b->epoch ? -1 : 1;
    return memcmp(a->digest, b->digest, HY_HASH_LEN);
}

static hy_err checkpoint_conflicts(hy_ledger *l, hy_audit *a)
{
    size_t n = l->votes.len;
    if (n == 0)
        return HY_OK;
    ledger_vote *votes = hy_alloc(&l->alloc, n * sizeof *votes);
    if (votes == NULL)
        return HY_E_NOMEM;
    memcpy(votes, l->votes.data, n * sizeof *votes);
    qsort(votes, n, sizeof *votes, vote_cmp);
    hy_err err = HY_OK;
    for (size_t i = 0; err == HY_OK && i < n;) {
        size_t end = i + 1;
        bool two = false;
        while (end < n && votes[end].member == votes[i].member &&
               votes[end].epoch == votes[i].epoch) {
            two |= memcmp(votes[end].digest, votes[i].digest, HY_HASH_LEN) != 0;
            end++;
        }
        if (two) {
            hy_finding f = { .kind = HY_FINDING_CHECKPOINT_CONFLICT, .epoch = votes[i].epoch };
            memcpy(f.actor, l->state.committee + (size_t)votes[i].member * HY_KEY_LEN,
                   HY_KEY_LEN);
            draft *d;
            err = add(a, &f, &d);
            for (size_t k = i; err == HY_OK && k < end; k++)
                add_hash(a, d, hy_log_hash(l->log, votes[k].change));
        }
        i = end;
    }
    hy_free(&l->alloc, votes, n * sizeof *votes);
    return err ? err : a->bytes.err;
}

/* ---- ops that are not valid (or not authorised as far as this replica knows) ---- */

static hy_err invalid_ops(hy_ledger *l, hy_audit *a)
{
    uint32_t count = hy_log_count(l->log);
    for (uint32_t i = 0; i < count && i < l->state.entries.len; i++) {
        uint8_t status = ledger_entry_at(&l->state, i)->status;
        if (status != ENTRY_INVALID && status != ENTRY_DORMANT)
            continue;
        hy_log_entry c;
        hy_log_get(l->log, i, &c);
        hy_finding f = { .kind = HY_FINDING_INVALID_OP };
        memcpy(f.actor, hy_log_actor_key(l->log, c.actor), HY_KEY_LEN);
        draft *d;
        HY_TRY(add(a, &f, &d));
        add_hash(a, d, hy_log_hash(l->log, i));
    }
    return a->bytes.err;
}

/* ---- the audit ---- */

static int draft_cmp(const void *x, const void *y)
{
    const draft *a = x, *b = y;
    if (a->f.kind != b->f.kind)
        return a->f.kind < b->f.kind ? -1 : 1;
    int c = memcmp(a->f.account, b->f.account, HY_KEY_LEN);
    if (c == 0)
        c = memcmp(a->f.actor, b->f.actor, HY_KEY_LEN);
    if (c == 0 && a->f.epoch != b->f.epoch)
        c = a->f.epoch < b->f.epoch ? -1 : 1;
    if (c == 0)
        c = memcmp(a->first_op, b->first_op, HY_HASH_LEN);
    return c;
}

hy_err hy_ledger_audit(hy_ledger *l, hy_audit **out)
{
    if (l == NULL || out == NULL)
        return HY_E_INVALID_ARG;
    *out = NULL;
    hy_audit *a = hy_alloc_zero(&l->alloc, 1, sizeof *a);
    if (a == NULL)
        return HY_E_NOMEM;
    a->alloc = l->alloc;
    hy_vec_init(&a->drafts, sizeof(draft));
    hy_writer_init(&a->bytes, l->alloc);
    hy_err err = equivocations(l, a);
    if (err == HY_OK)
        err = overdrafts(l, a);
    if (err == HY_OK)
        err = past_limit(l, a);
    if (err == HY_OK)
        err = checkpoint_conflicts(l, a);
    if (err == HY_OK)
        err = invalid_ops(l, a);
    if (err) {
        hy_audit_free(a);
        return err;
    }
    if (a->drafts.len > 1)
        qsort(a->drafts.data, a->drafts.len, sizeof(draft), draft_cmp);
    for (size_t i = 0; i < a->drafts.len; i++) {
        draft *d = &HY_VEC_AT(&a->drafts, draft, i);
        d->f.ops = d->f.op_count ? a->bytes.data + d->ops_at : NULL;
        d->f.proof = d->f.proof_len ? a->bytes.data + d->proof_at : NULL;
    }
    *out = a;
    return HY_OK;
}

size_t hy_audit_count(const hy_audit *a)
{
    return a ? a->drafts.len : 0;
}

const hy_finding *hy_audit_get(const hy_audit *a, size_t i)
{
    if (a == NULL || i >= a->drafts.len)
        return NULL;
    return &HY_VEC_AT(&a->drafts, draft, i).f;
}

void hy_audit_free(hy_audit *a)
{
    if (a == NULL)
        return;
    hy_vec_free(&a->drafts, &a->alloc);
    hy_writer_free(&a->bytes);
    hy_allocator alloc = a->alloc;
    hy_free(&alloc, a, sizeof *a);
}

/* The ledger on its store: opening, the local ops and the O(1) reads. */
#include "ledger_internal.h"

#include "alloc.h"
#include "blake3.h"
#include "store_log.h"
#include "try.h"

#include <string.h>

/* The store's owner hook: every change the store applies, in applied order. */
static hy_err on_change(void *user, const hy_log *log, uint32_t index)
{
    hy_ledger *l = user;
    while (l->confirmed_seq.len < hy_log_actor_count(log)) {
        uint32_t none = 0;
        HY_TRY(hy_vec_push(&l->confirmed_seq, &l->alloc, &none));
    }
    ledger_op op;
    HY_TRY(ledger_state_apply(&l->state, log, index, &op));
    const ledger_entry *e = ledger_entry_at(&l->state, index);
    if (e->kind != OP_CHECKPOINT)
        l->held_ops++;
    else if (e->status == ENTRY_NONE)
        HY_TRY(ledger_checkpoint_apply(l, index, &op));
    ledger_checkpoint_check_new(l, index);
    return HY_OK;
}

hy_err hy_ledger_open(hy_store *store, const uint8_t *genesis, size_t genesis_len,
                      hy_ledger **out)
{
    if (store == NULL || out == NULL)
        return HY_E_INVALID_ARG;
    *out = NULL;
    hy_genesis g;
    HY_TRY(hy_genesis_decode(genesis, genesis_len, &g, NULL));
    if (g.committee_count == 0 || !hy_store_requires_signatures(store))
        return HY_E_INVALID_ARG;
    hy_log *log = hy_store_log(store);
    hy_allocator alloc = *hy_log_allocator(log);
    hy_ledger *l = hy_alloc_zero(&alloc, 1, sizeof *l);
    if (l == NULL)
        return HY_E_NOMEM;
    l->store = store;
    l->log = log;
    l->alloc = alloc;
    hy_blake3(genesis, genesis_len, l->id);
    l->committee = hy_alloc(&alloc, g.committee_count * HY_KEY_LEN);
    if (l->committee == NULL) {
        hy_free(&alloc, l, sizeof *l);
        return HY_E_NOMEM;
    }
    memcpy(l->committee, g.committee, g.committee_count * HY_KEY_LEN);
    uint64_t seed = hy_store_hash_seed(store);
    ledger_state_init(&l->state, &l->alloc, l->committee, g.committee_count, g.credit_limit,
                      seed);
    l->quorum = 2 * ((g.committee_count - 1) / 3) + 1;
    hy_vec_init(&l->votes, sizeof(ledger_vote));
    hy_vec_init(&l->tallies, sizeof(ledger_tally));
    hy_table_init(&l->tally_by_key, 8 + HY_HASH_LEN, seed ^ 0x9e3779b97f4a7c15u);
    hy_vec_init(&l->confirmed_seq, sizeof(uint32_t));
    l->certified = SIZE_MAX;
    hy_err err = hy_store_set_owner(store, on_change, l);
    if (err) {
        hy_store_set_owner(store, NULL, NULL);
        hy_ledger_free(l);
        return err;
    }
    *out = l;
    return HY_OK;
}

void hy_ledger_free(hy_ledger *l)
{
    if (l == NULL)
        return;
    hy_store_set_owner(l->store, NULL, NULL);
    ledger_checkpoint_free(l);
    hy_vec_free(&l->confirmed_seq, &l->alloc);
    ledger_state_free(&l->state);
    hy_free(&l->alloc, l->committee, l->state.committee_count * HY_KEY_LEN);
    hy_allocator alloc = l->alloc;
    hy_free(&alloc, l, sizeof *l);
}

/* ---- local ops ---- */

static hy_err commit(hy_ledger *l, const ledger_op *op)
{
    hy_writer w;
    hy_writer_init(&w, l->alloc);
    ledger_op_encode(op, &w);
    hy_err err = w.err ? w.err : hy_store_commit_owned(l->store, w.data, w.len, NULL);
    hy_writer_free(&w);
    return err;
}

static bool amount_valid(int64_t amount, int64_t min)
{
    return amount >= min && amount <= HY_AMOUNT_MAX;
}

/* This device's rights in account, or HY_E_FORBIDDEN when it is not one of its devices. */
static hy_err own_rights(const hy_ledger *l, const uint8_t account[HY_KEY_LEN], int64_t *out)
{
    uint32_t slot = ledger_find_slot(&l->state, account, hy_store_actor(l->store));
    if (slot == LEDGER_NONE || !ledger_slot_at(&l->state, slot)->is_device)
        return HY_E_FORBIDDEN;
    *out = ledger_slot_rights(&l->state, ledger_slot_at(&l->state, slot));
    return HY_OK;
}

static hy_err transfer(hy_ledger *l, ledger_kind kind, const uint8_t account[HY_KEY_LEN],
                       const uint8_t other[HY_KEY_LEN], int64_t amount)
{
    if (l == NULL || account == NULL || other == NULL || !amount_valid(amount, 1))
        return HY_E_INVALID_ARG;
    int64_t rights;
    HY_TRY(own_rights(l, account, &rights));
    if (rights < amount)
        return HY_E_INSUFFICIENT_ESCROW;
    ledger_op op = { .kind = kind, .account = account, .other = other, .amount = amount };
    return commit(l, &op);
}

hy_err hy_ledger_grant(hy_ledger *l, const uint8_t account[HY_KEY_LEN],
                       const uint8_t to_device[HY_KEY_LEN], int64_t amount)
{
    return transfer(l, OP_GRANT, account, to_device, amount);
}

hy_err hy_ledger_spend(hy_ledger *l, const uint8_t account[HY_KEY_LEN],
                       const uint8_t to_account[HY_KEY_LEN], int64_t amount)
{
    return transfer(l, OP_SPEND, account, to_account, amount);
}

hy_err hy_ledger_open_account(hy_ledger *l, int64_t limit)
{
    if (l == NULL || !amount_valid(limit, 0))
        return HY_E_INVALID_ARG;
    ledger_op op = { .kind = OP_OPEN, .amount = limit };
    return commit(l, &op);
}

hy_err hy_ledger_allow_limit(hy_ledger *l, const uint8_t account[HY_KEY_LEN], int64_t limit)
{
    if (l == NULL || account == NULL || !amount_valid(limit, 0))
        return HY_E_INVALID_ARG;
    if (ledger_member(&l->state, hy_store_actor(l->store)) == LEDGER_NONE)
        return HY_E_FORBIDDEN;
    ledger_op op = { .kind = OP_LIMIT, .account = account, .amount = limit };
    return commit(l, &op);
}

/* ---- reads ---- */

hy_err hy_ledger_account(const hy_ledger *l, const uint8_t account[HY_KEY_LEN],
                         hy_account_info *out)
{
    if (l == NULL || account == NULL || out == NULL)
        return HY_E_INVALID_ARG;
    uint32_t i = ledger_find_account(&l->state, account);
    if (i == LEDGER_NONE)
        return HY_E_NOT_FOUND;
    const ledger_account *a = ledger_account_at(&l->state, i);
    out->opened = a->opened;
    out->limit = ledger_limit(a);
    out->balance = a->received - a->spent;
    out->confirmed_balance = a->confirmed_received - a->confirmed_spent;
    return HY_OK;
}

int64_t hy_ledger_rights(const hy_ledger *l, const uint8_t account[HY_KEY_LEN],
                         const uint8_t device[HY_KEY_LEN])
{
    if (l == NULL || account == NULL || device == NULL)
        return 0;
    uint32_t slot = ledger_find_slot(&l->state, account, device);
    return slot == LEDGER_NONE ? 0 : ledger_slot_rights(&l->state, ledger_slot_at(&l->state, slot));
}

int hy_ledger_is_device(const hy_ledger *l, const uint8_t account[HY_KEY_LEN],
                        const uint8_t device[HY_KEY_LEN])
{
    if (l == NULL || account == NULL || device == NULL)
        return 0;
    uint32_t slot = ledger_find_slot(&l->state, account, device);
    return slot != LEDGER_NONE && ledger_slot_at(&l->state, slot)->is_device;
}

size_t hy_ledger_account_count(const hy_ledger *l)
{
    return l ? l->state.accounts.len : 0;
}

const uint8_t *hy_ledger_account_key(const hy_ledger *l, size_t i)
{
    if (l == NULL || i >= l->state.accounts.len)
        return NULL;
    return ledger_account_at(&l->state, (uint32_t)i)->key;
}

/* The ledger's derived state (ledger_state.h). */
#include "ledger_state.h"

#include "alloc.h"
#include "try.h"

#include <string.h>

int64_t ledger_sat_add(int64_t a, int64_t b)
{
    /* Sums of amounts are never negative; they stop at INT64_MAX rather than wrap, the same
     * on every replica whatever the order. */
    return a > INT64_MAX - b ? INT64_MAX : a + b;
}

void ledger_state_init(ledger_state *st, const hy_allocator *alloc, const uint8_t *committee,
                       size_t committee_count, int64_t default_limit, uint64_t seed)
{
    memset(st, 0, sizeof *st);
    st->alloc = alloc;
    st->committee = committee;
    st->committee_count = committee_count;
    st->default_limit = default_limit;
    hy_vec_init(&st->accounts, sizeof(ledger_account));
    hy_table_init(&st->account_by_key, HY_KEY_LEN, seed);
    hy_vec_init(&st->slots, sizeof(ledger_slot));
    hy_table_init(&st->slot_by_key, 2 * HY_KEY_LEN, seed ^ 0x5bd1e995u);
    hy_vec_init(&st->entries, sizeof(ledger_entry));
    hy_vec_init(&st->work, sizeof(uint32_t));
}

void ledger_state_free(ledger_state *st)
{
    for (size_t i = 0; i < st->accounts.len; i++) {
        ledger_account *a = ledger_account_at(st, (uint32_t)i);
        hy_free(st->alloc, a->member_limits, st->committee_count * sizeof(int64_t));
    }
    hy_vec_free(&st->accounts, st->alloc);
    hy_table_free(&st->account_by_key, st->alloc);
    hy_vec_free(&st->slots, st->alloc);
    hy_table_free(&st->slot_by_key, st->alloc);
    hy_vec_free(&st->entries, st->alloc);
    hy_vec_free(&st->work, st->alloc);
}

ledger_entry *ledger_entry_at(const ledger_state *st, uint32_t index)
{
    return &HY_VEC_AT(&st->entries, ledger_entry, index);
}

ledger_account *ledger_account_at(const ledger_state *st, uint32_t i)
{
    return &HY_VEC_AT(&st->accounts, ledger_account, i);
}

ledger_slot *ledger_slot_at(const ledger_state *st, uint32_t i)
{
    return &HY_VEC_AT(&st->slots, ledger_slot, i);
}

uint32_t ledger_member(const ledger_state *st, const uint8_t key[HY_KEY_LEN])
{
    size_t lo = 0, hi = st->committee_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = memcmp(st->committee + mid * HY_KEY_LEN, key, HY_KEY_LEN);
        if (c == 0)
            return (uint32_t)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return LEDGER_NONE;
}

uint32_t ledger_find_account(const ledger_state *st, const uint8_t key[HY_KEY_LEN])
{
    uint32_t i;
    return hy_table_get(&st->account_by_key, key, &i) ? i : LEDGER_NONE;
}

static void slot_key(uint8_t out[2 * HY_KEY_LEN], const uint8_t account[HY_KEY_LEN],
                     const uint8_t device[HY_KEY_LEN])
{
    memcpy(out, account, HY_KEY_LEN);
    memcpy(out + HY_KEY_LEN, device, HY_KEY_LEN);
}

uint32_t ledger_find_slot(const ledger_state *st, const uint8_t account[HY_KEY_LEN],
                          const uint8_t device[HY_KEY_LEN])
{
    uint8_t key[2 * HY_KEY_LEN];
    slot_key(key, account, device);
    uint32_t i;
    return hy_table_get(&st->slot_by_key, key, &i) ? i : LEDGER_NONE;
}

int64_t ledger_limit(const ledger_account *a)
{
    if (!a->opened)
        return 0;
    return a->open_limit < a->cap ? a->open_limit : a->cap;
}

int64_t ledger_slot_rights(const ledger_state *st, const ledger_slot *slot)
{
    if (!slot->is_device)
        return 0;
    int64_t in = slot->credits;
    const ledger_account *a = ledger_account_at(st, slot->account);
    if (a->root != LEDGER_NONE && ledger_slot_at(st, a->root) == slot)
        in = ledger_sat_add(ledger_sat_add(in, ledger_limit(a)), a->confirmed_received);
    /* Both sides are at most INT64_MAX and not negative: the difference fits. */
    return in - slot->debits;
}

static hy_err account_for(ledger_state *st, const uint8_t key[HY_KEY_LEN], uint32_t *out)
{
    *out = ledger_find_account(st, key);
    if (*out != LEDGER_NONE)
        return HY_OK;
    ledger_account a;
    memset(&a, 0, sizeof a);
    memcpy(a.key, key, HY_KEY_LEN);
    a.cap = st->default_limit;
    a.root = LEDGER_NONE;
    uint32_t index = (uint32_t)st->accounts.len;
    HY_TRY(hy_vec_push(&st->accounts, st->alloc, &a));
    HY_TRY(hy_table_put(&st->account_by_key, st->alloc, key, index));
    *out = index;
    return HY_OK;
}

static hy_err slot_for(ledger_state *st, const uint8_t account[HY_KEY_LEN],
                       const uint8_t device[HY_KEY_LEN], uint32_t *out)
{
    uint8_t key[2 * HY_KEY_LEN];
    slot_key(key, account, device);
    if (hy_table_get(&st->slot_by_key, key, out))
        return HY_OK;
    uint32_t a;
    HY_TRY(account_for(st, account, &a));
    ledger_slot s;
    memset(&s, 0, sizeof s);
    memcpy(s.device, device, HY_KEY_LEN);
    s.account = a;
    s.dormant = LEDGER_NONE;
    uint32_t index = (uint32_t)st->slots.len;
    HY_TRY(hy_vec_push(&st->slots, st->alloc, &s));
    HY_TRY(hy_table_put(&st->slot_by_key, st->alloc, key, index));
    if (memcmp(account, device, HY_KEY_LEN) == 0)
        ledger_account_at(st, a)->root = index;
    *out = index;
    return HY_OK;
}

/* The entry of change index, growing the vector with empty entries up to it (a digest's
 * state is fed only some changes). */
static hy_err entry_for(ledger_state *st, uint32_t index, ledger_entry **out)
{
    if (index >= st->entries.len) {
        HY_TRY(hy_vec_reserve(&st->entries, st->alloc, (size_t)index + 1));
        memset(&HY_VEC_AT(&st->entries, ledger_entry, st->entries.len), 0,
               ((size_t)index + 1 - st->entries.len) * sizeof(ledger_entry));
        st->entries.len = (size_t)index + 1;
    }
    *out = ledger_entry_at(st, index);
    return HY_OK;
}

static void count_confirmed(ledger_account *payer, ledger_account *payee, int64_t amount)
{
    payer->confirmed_spent = ledger_sat_add(payer->confirmed_spent, amount);
    payee->confirmed_received = ledger_sat_add(payee->confirmed_received, amount);
}

static void count(ledger_state *st, const ledger_entry *e, int sign)
{
    ledger_slot *from = ledger_slot_at(st, e->slot);
    if (e->kind == OP_GRANT) {
        ledger_slot *to = ledger_slot_at(st, e->target);
        from->debits = sign > 0 ? ledger_sat_add(from->debits, e->amount) : from->debits - e->amount;
        to->credits = sign > 0 ? ledger_sat_add(to->credits, e->amount) : to->credits - e->amount;
        return;
    }
    ledger_account *payer = ledger_account_at(st, from->account);
    ledger_account *payee = ledger_account_at(st, e->target);
    if (sign > 0) {
        from->debits = ledger_sat_add(from->debits, e->amount);
        payer->spent = ledger_sat_add(payer->spent, e->amount);
        payee->received = ledger_sat_add(payee->received, e->amount);
        if (e->flags & ENTRY_CONFIRMED)
            count_confirmed(payer, payee, e->amount);
    } else {
        from->debits -= e->amount;
        payer->spent -= e->amount;
        payee->received -= e->amount;
    }
}

void ledger_state_uncount(ledger_state *st, const ledger_entry *e)
{
    count(st, e, -1);
}

void ledger_state_confirm(ledger_state *st, ledger_entry *e)
{
    if (e->flags & ENTRY_CONFIRMED)
        return;
    e->flags |= ENTRY_CONFIRMED;
    /* A spend counted already adds to the confirmed sums now; a dormant one will when it
     * is counted. Disputed ops are never confirmed. */
    if (e->kind == OP_SPEND && e->status == ENTRY_ACTIVE) {
        ledger_account *payer = ledger_account_at(st, ledger_slot_at(st, e->slot)->account);
        count_confirmed(payer, ledger_account_at(st, e->target), e->amount);
    }
}

/* Makes slot a device and activates what waited for that, and for the devices those grants
 * make in turn (a work list rather than recursion: grant chains can be long). */
static hy_err become_device(ledger_state *st, uint32_t slot)
{
    if (ledger_slot_at(st, slot)->is_device)
        return HY_OK;
    ledger_slot_at(st, slot)->is_device = true;
    st->work.len = 0;
    HY_TRY(hy_vec_push(&st->work, st->alloc, &slot));
    while (st->work.len > 0) {
        uint32_t s = HY_VEC_AT(&st->work, uint32_t, --st->work.len);
        uint32_t next = ledger_slot_at(st, s)->dormant;
        ledger_slot_at(st, s)->dormant = LEDGER_NONE;
        while (next != LEDGER_NONE) {
            ledger_entry *e = ledger_entry_at(st, next);
            next = e->next;
            e->next = LEDGER_NONE;
            e->status = ENTRY_ACTIVE;
            if (!(e->flags & ENTRY_DISPUTED))
                count(st, e, 1);
            if (e->kind == OP_GRANT && !ledger_slot_at(st, e->target)->is_device) {
                ledger_slot_at(st, e->target)->is_device = true;
                HY_TRY(hy_vec_push(&st->work, st->alloc, &e->target));
            }
        }
    }
    return HY_OK;
}

/* GRANT or SPEND: counted at once when its author is a device of the account, else dormant
 * on the author's slot. */
static hy_err apply_transfer(ledger_state *st, ledger_entry *e, uint32_t index,
                             const ledger_op *op, const uint8_t author[HY_KEY_LEN])
{
    HY_TRY(slot_for(st, op->account, author, &e->slot));
    if (op->kind == OP_GRANT)
        HY_TRY(slot_for(st, op->account, op->other, &e->target));
    else
        HY_TRY(account_for(st, op->other, &e->target));
    e->amount = op->amount;
    ledger_slot *from = ledger_slot_at(st, e->slot);
    if (!from->is_device) {
        e->status = ENTRY_DORMANT;
        e->next = from->dormant;
        from->dormant = index;
        return HY_OK;
    }
    e->status = ENTRY_ACTIVE;
    e->next = LEDGER_NONE;
    if (!(e->flags & ENTRY_DISPUTED))
        count(st, e, 1);
    return op->kind == OP_GRANT ? become_device(st, e->target) : HY_OK;
}

/* The cap is the (f + 1)-th highest limit among the members' (at least one honest member
 * allowed it), and never below the genesis' default. */
static void update_cap(ledger_state *st, ledger_account *a)
{
    size_t f = (st->committee_count - 1) / 3;
    int64_t cap = st->default_limit;
    for (size_t i = 0; i < st->committee_count; i++) {
        int64_t v = a->member_limits[i];
        if (v <= cap)
            continue;
        size_t at_least = 0;
        for (size_t j = 0; j < st->committee_count; j++)
            at_least += a->member_limits[j] >= v;
        if (at_least >= f + 1)
            cap = v;
    }
    a->cap = cap;
}

static hy_err apply_limit(ledger_state *st, ledger_entry *e, const ledger_op *op,
                          const uint8_t author[HY_KEY_LEN])
{
    uint32_t member = ledger_member(st, author);
    if (member == LEDGER_NONE) {
        e->status = ENTRY_INVALID;
        return HY_OK;
    }
    uint32_t index;
    HY_TRY(account_for(st, op->account, &index));
    ledger_account *a = ledger_account_at(st, index);
    if (a->member_limits == NULL) {
        a->member_limits = hy_alloc_zero(st->alloc, st->committee_count, sizeof(int64_t));
        if (a->member_limits == NULL)
            return HY_E_NOMEM;
    }
    if (op->amount > a->member_limits[member])
        a->member_limits[member] = op->amount;
    update_cap(st, a);
    e->status = ENTRY_DONE;
    return HY_OK;
}

static hy_err apply_open(ledger_state *st, ledger_entry *e, const ledger_op *op,
                         const uint8_t author[HY_KEY_LEN])
{
    uint32_t root;
    HY_TRY(slot_for(st, author, author, &root));
    ledger_account *a = ledger_account_at(st, ledger_slot_at(st, root)->account);
    /* Two OPENs (a root that changed its mind, or equivocated): the lower limit holds,
     * whatever arrives first. */
    if (!a->opened || op->amount < a->open_limit)
        a->open_limit = op->amount;
    a->opened = true;
    e->status = ENTRY_DONE;
    return become_device(st, root);
}

hy_err ledger_state_apply(ledger_state *st, const hy_log *log, uint32_t index, ledger_op *out)
{
    ledger_entry *e;
    HY_TRY(entry_for(st, index, &e));
    e->next = LEDGER_NONE;
    hy_log_entry c;
    hy_log_get(log, index, &c);
    ledger_op op;
    if (c.op_count != 1 || ledger_op_decode(c.ops, c.ops_len, &op) != HY_OK) {
        e->status = ENTRY_INVALID;
        return HY_OK;
    }
    if (out)
        *out = op;
    e->kind = (uint8_t)op.kind;
    const uint8_t *author = hy_log_actor_key(log, c.actor);
    switch (op.kind) {
    case OP_OPEN:
        return apply_open(st, e, &op, author);
    case OP_GRANT:
    case OP_SPEND:
        return apply_transfer(st, e, index, &op, author);
    case OP_LIMIT:
        return apply_limit(st, e, &op, author);
    case OP_CHECKPOINT:
        return HY_OK;
    }
    return HY_OK;
}

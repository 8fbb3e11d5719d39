/* The ledger's derived state: accounts, devices and what each op did, as a function of the
 * set of ops applied (the bounded counter of Balegas et al.). An op whose author is not (yet)
 * a device of its account waits, dormant, until a grant or an OPEN makes it one, so the
 * state does not depend on the order ops arrive in. The live ledger keeps one; a checkpoint's
 * digest is computed on a fresh one fed only the ops under its frontier. */
#ifndef HY_LEDGER_STATE_H
#define HY_LEDGER_STATE_H

#include "ledger_ops.h"
#include "log.h"
#include "table.h"
#include "vec.h"

#define LEDGER_NONE UINT32_MAX

typedef struct ledger_account {
    uint8_t key[HY_KEY_LEN];
    bool opened;
    int64_t open_limit;        /* the lowest limit its root's OPENs asked for */
    int64_t cap;               /* the highest limit f + 1 members allowed, or the default */
    int64_t *member_limits;    /* per member, the highest LIMIT it gave (NULL: none yet) */
    int64_t received, spent;   /* over active, undisputed SPENDs (saturating) */
    int64_t confirmed_received, confirmed_spent;
    uint32_t root;             /* the root's device slot */
} ledger_account;

typedef struct ledger_slot {
    uint8_t device[HY_KEY_LEN];
    uint32_t account;
    bool is_device;
    int64_t credits, debits;   /* grants in; grants out and spends (active, undisputed) */
    uint32_t dormant;          /* the first op waiting for the slot to become a device */
} ledger_slot;

enum entry_status {
    ENTRY_NONE = 0,    /* not applied (or not in a digest's subset) */
    ENTRY_INVALID,     /* no valid ledger op: changes nothing */
    ENTRY_DORMANT,     /* waits for its author to become a device of the account */
    ENTRY_ACTIVE,      /* counted */
    ENTRY_DONE,        /* valid and without amounts (OPEN, LIMIT, CHECKPOINT) */
};

enum entry_flag {
    ENTRY_CONFIRMED = 1, /* under a certified checkpoint */
    ENTRY_DISPUTED = 2,  /* conflicts with a certified checkpoint: never counted */
};

/* What one change of the log did (indexed by its log index). */
typedef struct ledger_entry {
    uint8_t kind;       /* ledger_kind; 0 when the ops did not decode */
    uint8_t status;     /* entry_status */
    uint8_t flags;      /* entry_flag */
    uint32_t slot;      /* GRANT, SPEND: the author's slot */
    uint32_t target;    /* GRANT: the recipient's slot; SPEND: the paid account */
    int64_t amount;
    uint32_t next;      /* the next op dormant on the same slot */
} ledger_entry;

typedef struct ledger_state {
    const hy_allocator *alloc;
    const uint8_t *committee;  /* committee_count keys, ascending */
    size_t committee_count;
    int64_t default_limit;
    hy_vec accounts;           /* ledger_account */
    hy_table account_by_key;   /* 32-byte key -> account index */
    hy_vec slots;              /* ledger_slot */
    hy_table slot_by_key;      /* account key + device key -> slot index */
    hy_vec entries;            /* ledger_entry per log index */
    hy_vec work;               /* uint32_t: slots that just became devices */
} ledger_state;

void ledger_state_init(ledger_state *st, const hy_allocator *alloc, const uint8_t *committee,
                       size_t committee_count, int64_t default_limit, uint64_t seed);
void ledger_state_free(ledger_state *st);

/* Applies change index of log: decodes its op and counts it (CHECKPOINT ops are left to the
 * caller: their entry gets the kind, status NONE). *op (may be NULL) receives the decoded op
 * when the ops decode. Only HY_E_NOMEM fails. */
hy_err ledger_state_apply(ledger_state *st, const hy_log *log, uint32_t index, ledger_op *op);

/* The member index of key in the committee, or LEDGER_NONE. */
uint32_t ledger_member(const ledger_state *st, const uint8_t key[HY_KEY_LEN]);

ledger_entry *ledger_entry_at(const ledger_state *st, uint32_t index);
uint32_t ledger_find_account(const ledger_state *st, const uint8_t key[HY_KEY_LEN]);
uint32_t ledger_find_slot(const ledger_state *st, const uint8_t account[HY_KEY_LEN],
                          const uint8_t device[HY_KEY_LEN]);
ledger_account *ledger_account_at(const ledger_state *st, uint32_t i);
ledger_slot *ledger_slot_at(const ledger_state *st, uint32_t i);
int64_t ledger_limit(const ledger_account *a);
/* A slot's rights: see hy_ledger_rights. */
int64_t ledger_slot_rights(const ledger_state *st, const ledger_slot *slot);

/* Marks an undisputed entry confirmed, adding a counted spend to the confirmed sums. */
void ledger_state_confirm(ledger_state *st, ledger_entry *e);
/* Takes an active entry's amounts out of the state (it became disputed). */
void ledger_state_uncount(ledger_state *st, const ledger_entry *e);

int64_t ledger_sat_add(int64_t a, int64_t b);

#endif

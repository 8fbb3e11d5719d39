/* The ledger object, shared by its files:
 *   ledger.c             opening on a store, the local ops, reads
 *   ledger_checkpoint.c  votes, certification, confirmed and disputed ops, signing
 *   ledger_audit.c       findings
 *   ledger_state.c       the derived state, ledger_ops.c the op encoding */
#ifndef HY_LEDGER_INTERNAL_H
#define HY_LEDGER_INTERNAL_H

#include "ledger_state.h"
#include "store_owner.h"

/* One member's signature of one checkpoint digest, as a valid CHECKPOINT op holds it. */
typedef struct ledger_vote {
    uint64_t epoch;
    uint8_t digest[HY_HASH_LEN];
    uint32_t member;
    uint32_t change;   /* the CHECKPOINT change's log index */
} ledger_vote;

/* The votes for one (epoch, digest). */
typedef struct ledger_tally {
    uint64_t epoch;
    uint8_t digest[HY_HASH_LEN];
    uint32_t change;   /* a change holding it (every vote for it names the same frontier) */
    size_t signers;    /* distinct members */
    uint8_t *signed_by; /* a bit per member */
    bool certified;
} ledger_tally;

struct hy_ledger {
    hy_store *store;
    hy_log *log;
    hy_allocator alloc;
    uint8_t id[HY_HASH_LEN];       /* BLAKE3 of the genesis: the store id */
    uint8_t *committee;            /* a copy of the genesis' committee */
    ledger_state state;
    size_t quorum;                 /* 2f + 1 */
    hy_vec votes;                  /* ledger_vote, in applied order */
    hy_vec tallies;                /* ledger_tally */
    hy_table tally_by_key;         /* epoch (8 bytes LE) + digest -> tally index */
    hy_vec confirmed_seq;          /* uint32_t per actor: its highest confirmed seq */
    size_t certified;              /* the newest certified tally, or SIZE_MAX */
    uint64_t confirmed_ops, disputed_ops;
    uint64_t held_ops;             /* changes applied that are no CHECKPOINT */
};

/* Takes a CHECKPOINT op applied at index: checks it and counts its vote, certifying and
 * confirming when it completes a quorum. */
hy_err ledger_checkpoint_apply(hy_ledger *l, uint32_t index, const ledger_op *op);
/* After a non-checkpoint change was applied: disputed when it forks a confirmed chain or
 * builds on a disputed change. */
void ledger_checkpoint_check_new(hy_ledger *l, uint32_t index);
void ledger_checkpoint_free(hy_ledger *l);

#endif

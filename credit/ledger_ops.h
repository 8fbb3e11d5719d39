/* The ledger's ops: one op per change, in the change's ops bytes (docs/ledger.md, "Ops").
 * Decoding treats the bytes as hostile: every length is checked, every encoding canonical. */
#ifndef HY_LEDGER_OPS_H
#define HY_LEDGER_OPS_H

#include "bytes.h"
#include "hypha.h"

#include <stdbool.h>

typedef enum ledger_kind {
    OP_OPEN = 1,
    OP_GRANT = 2,
    OP_SPEND = 3,
    OP_LIMIT = 4,
    OP_CHECKPOINT = 5,
} ledger_kind;

/* Every ledger op starts with these bytes: an over-long varint, which the record store's
 * decoder refuses before anything else, so a ledger change never edits a record. */
#define LEDGER_OP_MARK "\x80\x00"

/* The largest frontier a checkpoint names. */
#define LEDGER_MAX_FRONTIER 4096

typedef struct ledger_op {
    ledger_kind kind;
    const uint8_t *account; /* GRANT, SPEND, LIMIT (OPEN: the author) */
    const uint8_t *other;   /* GRANT: the device granted to; SPEND: the account paid */
    int64_t amount;         /* GRANT, SPEND: 1..HY_AMOUNT_MAX; OPEN, LIMIT: the limit */
    /* CHECKPOINT */
    uint64_t epoch;
    const uint8_t *frontier; /* frontier_count hashes, strictly ascending */
    size_t frontier_count;
    const uint8_t *state;    /* the digest of the balances under the frontier */
    const uint8_t *sig;      /* the member's signature of the checkpoint digest */
} ledger_op;

/* HY_OK and *op (pointing into ops) when ops is exactly one canonical op. */
hy_err ledger_op_decode(const uint8_t *ops, size_t len, ledger_op *op);
/* Appends op's encoding. */
void ledger_op_encode(const ledger_op *op, hy_writer *w);

/* What a member signs for a checkpoint: BLAKE3 over the ledger id, the epoch, the frontier
 * and the state digest. */
void ledger_checkpoint_digest(const uint8_t ledger_id[HY_HASH_LEN], uint64_t epoch,
                              const uint8_t *frontier, size_t frontier_count,
                              const uint8_t state[HY_HASH_LEN], uint8_t out[HY_HASH_LEN]);

/* A member signs LEDGER_CHECKPOINT_CONTEXT followed by the checkpoint digest: a context of
 * its own, so the signature reads as nothing else (a change's signature least of all). */
#define LEDGER_CHECKPOINT_CONTEXT "hypha ledger checkpoint v1"
#define LEDGER_CHECKPOINT_MSG_LEN (sizeof(LEDGER_CHECKPOINT_CONTEXT) - 1 + HY_HASH_LEN)
void ledger_checkpoint_msg(uint8_t msg[LEDGER_CHECKPOINT_MSG_LEN],
                           const uint8_t digest[HY_HASH_LEN]);

#endif

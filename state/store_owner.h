/* A store whose changes carry another module's ops: credit/'s ledger. The store keeps what
 * every store has (the log, signatures, sync, save, load, persistence) and hands each applied
 * change to its owner, which decodes the ops itself. An owned change counts as one op; the
 * owner's encoding must be one the record store's decoder refuses from its first bytes (the
 * ledger's starts with an over-long varint), so that it changes no record on any replica. */
#ifndef HY_STORE_OWNER_H
#define HY_STORE_OWNER_H

#include "hypha.h"
#include "log.h"

/* Called for every change the store applies, in applied order (a topological order of the
 * DAG): merges, loads and local commits alike. A non-OK return (the owner ran out of memory)
 * is passed back to whoever added the change; the change stays applied. */
typedef hy_err (*hy_store_owner_fn)(void *user, const hy_log *log, uint32_t index);

/* Makes fn the store's owner: calls it at once for every change the store holds, in applied
 * order, then for each change applied later. HY_E_INVALID_ARG when the store has an owner
 * already or a transaction is open. fn NULL: the store has no owner any more (always
 * allowed, in a transaction too). */
hy_err hy_store_set_owner(hy_store *store, hy_store_owner_fn fn, void *user);

/* Commits one change of the store's actor carrying ops (one op of len > 0 bytes, copied) and signs the
 * actor's chain at once, so that the change can be shown to anyone as the actor's. Its index
 * in the log is *index (may be NULL). HY_E_INVALID_ARG while a transaction is open. */
hy_err hy_store_commit_owned(hy_store *store, const uint8_t *ops, size_t len, uint32_t *index);

/* A seed for the owner's hash tables, from the platform's randomness (keys in them come from
 * peers, who must not be able to aim them at one slot). */
uint64_t hy_store_hash_seed(const hy_store *store);

/* Whether the store refuses changes not covered by a valid signature of their actor. */
bool hy_store_requires_signatures(const hy_store *store);

#endif

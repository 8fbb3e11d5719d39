/* Ledger replicas for the ledger tests: a committee, a genesis, and replicas that each hold a
 * store and its ledger, writing as a key of the test's choosing. */
#ifndef HY_LEDGER_FIXTURE_H
#define HY_LEDGER_FIXTURE_H

#include "hypha.h"
#include "test_platform.h"

#define LEDGER_FIXTURE_MAX_MEMBERS 16

/* A ledger's genesis with n = 3f + 1 members whose seeds derive from seed. */
typedef struct ledger_world {
    size_t members;
    uint8_t member_seed[LEDGER_FIXTURE_MAX_MEMBERS][HY_KEY_LEN];
    uint8_t member_key[LEDGER_FIXTURE_MAX_MEMBERS][HY_KEY_LEN];
    uint8_t genesis[64 + LEDGER_FIXTURE_MAX_MEMBERS * HY_KEY_LEN];
    size_t genesis_len;
} ledger_world;

void ledger_world_init(ledger_world *w, size_t members, int64_t credit_limit, uint64_t seed);

typedef struct ledger_replica {
    test_platform platform;
    uint8_t seed[HY_KEY_LEN];
    uint8_t key[HY_KEY_LEN];   /* the replica's actor: a device, a root or a member */
    hy_store *store;
    hy_ledger *ledger;
} ledger_replica;

/* A replica writing as the key of seed (a fresh store, requiring signatures). */
hy_err ledger_replica_open(ledger_replica *r, const ledger_world *w, const uint8_t seed[HY_KEY_LEN],
                           uint64_t platform_seed);
void ledger_replica_close(ledger_replica *r);
/* Sends what to lacks of from's changes, as one batch (missing deps count as success). */
hy_err ledger_replica_sync(ledger_replica *from, ledger_replica *to);
/* A replica holding every change from holds and writing with from's key: a cloned device. */
hy_err ledger_replica_clone(ledger_replica *clone, ledger_replica *from, const ledger_world *w,
                            uint64_t platform_seed);
/* Commits, as store's actor, a CHECKPOINT vote made by hand: the digest of these fields
 * signed with sig_seed (the actor's own seed for a lie, another key's for a forgery).
 * hy_ledger_checkpoint never signs two digests for one epoch, and the tests need the lie. */
hy_err ledger_forge_vote(hy_store *store, const uint8_t ledger_id[HY_HASH_LEN], uint64_t epoch,
                         const uint8_t *frontier, size_t count,
                         const uint8_t state[HY_HASH_LEN], const uint8_t sig_seed[HY_KEY_LEN]);
/* A key pair from a small number, for readable tests. */
void ledger_test_seed(uint8_t seed[HY_KEY_LEN], uint64_t n);

#endif

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
/* A key pair from a small number, for readable tests. */
void ledger_test_seed(uint8_t seed[HY_KEY_LEN], uint64_t n);

#endif

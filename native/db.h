/* The node's database: one SQLite file holding the node's identity and any number of stores,
 * each as its genesis, a snapshot and the increments saved since (docs/node.md, "Database").
 *
 * Use: hy_db_open; hy_db_store_open a store (an hy_store loaded from its rows, with the
 * genesis' writers and, by default, the node key as actor); edit or merge it;
 * hy_db_store_persist after every commit or merge, and acknowledge a change only once that
 * returned HY_OK (it then survives kill -9 and power loss); hy_db_store_close; hy_db_close.
 *
 * Errors: every function returns an hy_err and, when it is not HY_OK, leaves one line of
 * English (no newline, no "hypha:" prefix) in hy_db_message(db). Everything read from the
 * file is checked (a store's genesis against its id, snapshots and increments by the
 * store's own decoders): a damaged database gives an error, never a crash.
 *
 * One hy_db is one SQLite connection: use it from one thread at a time. Several processes may
 * open the same file (the node and the command line): writes wait up to HY_DB_BUSY_MS for
 * each other, and what each appends is merged by every later open. Memory returned to the
 * caller comes from malloc: release it with free() or the function named. */
#ifndef HY_DB_H
#define HY_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hypha.h"

#define HY_DB_MESSAGE_MAX 256
/* How long a write waits for another connection's write to finish. */
#define HY_DB_BUSY_MS 5000
/* Compaction thresholds (hy_db_options): increments are due to be folded into a fresh snapshot
 * once they take four times the snapshot's bytes and more than HY_DB_COMPACT_MIN_BYTES, or
 * once there are HY_DB_COMPACT_MAX_INCREMENTS of them (each costs a merge when the store is
 * opened) taking more bytes than the snapshot. hy_db_store_compact compacts when due;
 * hy_db_store_persist only at eight times these counts and ratios. */
#define HY_DB_COMPACT_MIN_BYTES (64u * 1024)
#define HY_DB_COMPACT_MAX_INCREMENTS 1000u

typedef struct hy_db hy_db;

typedef struct hy_db_options {
    const char *path;
    /* Create the file (and the node seed, from getentropy) when it does not exist; without
     * it a missing file is HY_E_NOT_FOUND. */
    bool create;
    /* The node key's 32-byte secret seed for this connection (hypha --key SEEDFILE): used
     * instead of the database's own seed, and never written into the database, so the
     * secret stays where its owner keeps it. NULL: the database's seed. */
    const uint8_t *node_seed;
    /* 0: the defaults above. */
    size_t compact_min_bytes;
    size_t compact_max_increments;
} hy_db_options;

/* Opens (or creates) the database: WAL journal, schema checked or created. On failure *out is
 * NULL and message (HY_DB_MESSAGE_MAX bytes; may be NULL) holds the line: HY_E_NOT_FOUND (no
 * file, create unset), HY_E_FORMAT (not a hypha database, or damaged), HY_E_VERSION (made by
 * a newer hypha), HY_E_IO. */
hy_err hy_db_open(const hy_db_options *options, hy_db **out, char *message);
/* Closes the database and frees the handle (accepts NULL), and with it every store still
 * open from it (what they did not persist is lost). */
void hy_db_close(hy_db *db);
/* The last error's line; "" before any error. */
const char *hy_db_message(const hy_db *db);

/* The node key: its secret seed (the actor of the stores this handle opens, unless the
 * caller names another; also the key a node signs sync sessions with) and its public key.
 * HY_KEY_LEN bytes each, valid until hy_db_close, which wipes the seed. */
const uint8_t *hy_db_node_seed(const hy_db *db);
const uint8_t *hy_db_node_key(const hy_db *db);

/* ---- stores ---- */

/* A store's row: its id (BLAKE3 of the genesis) and its genesis, checked and decoded. */
typedef struct hy_db_store {
    uint8_t id[HY_HASH_LEN];
    uint8_t *genesis; /* genesis_len bytes, malloc'd (hy_db_store_clear frees them) */
    size_t genesis_len;
    hy_genesis policy; /* decoded: its pointers point into genesis */
} hy_db_store;

/* Frees info's genesis and zeroes it (accepts a zeroed or cleared info). */
void hy_db_store_clear(hy_db_store *info);

/* Adds an empty store with this genesis (canonical bytes, as hy_genesis_encode writes; the
 * store's name is the genesis' name). id (may be NULL) receives the store id.
 * HY_E_INVALID_ARG when a store of that name exists (the same genesis or another). */
hy_err hy_db_store_create(hy_db *db, const uint8_t *genesis, size_t len,
                          uint8_t id[HY_HASH_LEN]);

/* Looks a store up into *out (hy_db_store_clear it after use); HY_E_NOT_FOUND when there is
 * none. By id, by name, or by either: a 64-hex-digit id of a store held here, else a name. */
hy_err hy_db_store_find_by_id(hy_db *db, const uint8_t id[HY_HASH_LEN], hy_db_store *out);
hy_err hy_db_store_find_by_name(hy_db *db, const char *name, hy_db_store *out);
hy_err hy_db_store_find(hy_db *db, const char *name_or_id, hy_db_store *out);

/* Calls fn for every store, in name order; the row is valid during the call only. A non-OK
 * result of fn stops the walk and is returned (message untouched: fn reports its own). */
typedef hy_err (*hy_db_store_fn)(void *user, const hy_db_store *store);
hy_err hy_db_store_list(hy_db *db, hy_db_store_fn fn, void *user);

/* Loads the store: its snapshot, then every increment in order. base gives the allocator,
 * platform and require_signatures (always set for a ledger's store); the writers are the
 * genesis' (base's are ignored); the actor is base's actor_seed when set (a node signing a
 * ledger's checkpoints as a committee member), else the node key. Close it with
 * hy_db_store_close; a ledger opened on it (hy_ledger_open) is freed before. */
hy_err hy_db_store_open(hy_db *db, const uint8_t id[HY_HASH_LEN], const hy_store_config *base,
                        hy_store **out);
/* Writes what store (opened by hy_db_store_open on this db) gained since it was opened or
 * last persisted, in one SQLite transaction, synced to disk before it returns: once it
 * returns HY_OK, those changes survive a crash. Nothing is written when nothing changed.
 * Compacts the store when its increments reach eight times the thresholds of hy_db_options
 * (a stream of writes is not held up by rewrites; see hy_db_store_compact), unless
 * another connection wrote to the store since this one read it (its snapshot would lose
 * their changes; a later open compacts). After a failure, the next call writes every
 * change of the store, so nothing the failed call held is lost. */
hy_err hy_db_store_persist(hy_db *db, hy_store *store);
/* Persists the store, then compacts it if its increments reach the thresholds of
 * hy_db_options and nobody else wrote to it since it was read: for a moment when nobody
 * waits on the store (the node calls it once the store was idle for a tick, the command line
 * after its write). */
hy_err hy_db_store_compact(hy_db *db, hy_store *store);
/* Frees a store from hy_db_store_open (accepts NULL); what was not persisted is lost. */
void hy_db_store_close(hy_db *db, hy_store *store);

/* How a store is kept, for tests and metrics. */
typedef struct hy_db_store_stats {
    size_t snapshot_bytes;
    size_t increment_count;
    size_t increment_bytes;
} hy_db_store_stats;
hy_err hy_db_store_stats_get(hy_db *db, const uint8_t id[HY_HASH_LEN], hy_db_store_stats *out);

/* ---- export and import (docs/node.md, "Export file") ---- */

/* The store as an export file: its genesis and its whole saved state. *out is malloc'd. */
hy_err hy_db_store_export(hy_db *db, const uint8_t id[HY_HASH_LEN], uint8_t **out,
                          size_t *out_len);
/* Adds the store of an export file, or merges its changes into the store of the same id.
 * Checks everything: the file's framing, the genesis, the saved state (signatures, and that
 * every change's actor may write). id (may be NULL) receives the store id; *created (may be
 * NULL) whether the store is new. HY_E_INVALID_ARG when another store has the name. */
hy_err hy_db_store_import(hy_db *db, const uint8_t *data, size_t len, uint8_t id[HY_HASH_LEN],
                          bool *created);

#endif

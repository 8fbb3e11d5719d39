/* hypha: a local-first sync engine in portable C.
 *
 * The public C API. Handles are opaque; every function is prefixed hy_. Errors are values of
 * hy_err, whose numbers are pinned: new codes are only ever appended. Functions that take an
 * allocator use it for every byte they allocate, and free functions accept NULL. */
#ifndef HYPHA_H
#define HYPHA_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(HYPHA_BUILDING) && (defined(__GNUC__) || defined(__clang__))
#define HY_API __attribute__((visibility("default")))
#else
#define HY_API
#endif

#define HYPHA_VERSION_MAJOR 0
#define HYPHA_VERSION_MINOR 1
#define HYPHA_VERSION_PATCH 0

/* ---- errors --------------------------------------------------------------------------- */

/* Pinned values: never renumbered, only appended. */
typedef enum hy_err {
    HY_OK = 0,
    HY_E_NOMEM = 1,            /* an allocation failed */
    HY_E_INVALID_ARG = 2,      /* a caller passed a value the contract rules out */
    HY_E_TRUNCATED = 3,        /* input ended before a complete value */
    HY_E_VARINT = 4,           /* varint over-long (non-canonical) or over 64 bits */
    HY_E_TOO_LARGE = 5,        /* a count or length exceeds the input or a limit */
    HY_E_FORMAT = 6,           /* input is malformed (bad magic, bad tag, trailing bytes) */
    HY_E_VERSION = 7,          /* unknown format or protocol version */
    HY_E_HASH_MISMATCH = 8,    /* recomputed hash differs from the stored one */
    HY_E_BAD_SIGNATURE = 9,    /* signature invalid, or a signature is required and absent */
    HY_E_MISSING_DEPS = 10,    /* a change's deps are not present (it waits in the queue) */
    HY_E_QUEUE_FULL = 11,      /* the waiting queue is at its bound; the change is dropped */
    HY_E_EQUIVOCATION = 12,    /* two different changes share (actor, seq) */
    HY_E_CYCLE = 13,           /* deps form a cycle or point at the change itself */
    HY_E_NOT_FOUND = 14,       /* no such item */
    HY_E_SEQ = 15,             /* seq does not follow the actor's chain */
    HY_E_IO = 16,              /* a platform read or write failed */
    HY_E_LIMIT = 17,           /* an engine limit (actors, ops, deps) would be exceeded */
    HY_E_FORBIDDEN = 18,       /* the store's policy does not let this key write (or read) */
    HY_E_PROTOCOL = 19,        /* a peer broke the sync protocol (docs/protocol.md) */
    HY_E_CLOSED = 20,          /* the sync session has ended */
    HY_E_INSUFFICIENT_ESCROW = 21, /* a ledger device's spending rights do not cover it */
} hy_err;

/* A short English description of err; never NULL, also for unknown values. */
HY_API const char *hy_err_str(hy_err err);

/* ---- allocation ----------------------------------------------------------------------- */

/* A realloc-style hook (as lua_Alloc): when new_size is 0, free ptr and return NULL;
 * otherwise resize ptr (NULL: allocate) to new_size bytes and return it, or NULL on failure
 * leaving ptr untouched. old_size is the size ptr was allocated with (0 for NULL). */
typedef void *(*hy_alloc_fn)(void *user, void *ptr, size_t old_size, size_t new_size);

typedef struct hy_allocator {
    hy_alloc_fn fn;
    void *user;
} hy_allocator;

/* An allocator backed by the C library's realloc and free. */
HY_API hy_allocator hy_allocator_default(void);

/* ---- platform ------------------------------------------------------------------------- */

/* Time and randomness come in through this vtable; the portable core has no other access to
 * the outside world. Fields are only ever appended; set version to HY_PLATFORM_VERSION. */
#define HY_PLATFORM_VERSION 1
typedef struct hy_platform {
    uint32_t version;
    void *user;
    /* Milliseconds since the Unix epoch (informational: never used for ordering). */
    int64_t (*now_ms)(void *user);
    /* Fill buf with len cryptographically secure random bytes. */
    hy_err (*random_bytes)(void *user, uint8_t *buf, size_t len);
} hy_platform;

/* Native builds only (libhypha.a, libhypha.so): a platform whose now_ms reads CLOCK_REALTIME
 * and whose random_bytes reads getentropy(3). Stateless: one value serves any number of
 * stores and threads. The WASI reactor hands hosts the same platform by pointer
 * (hy_platform_wasi, docs/building.md); browsers supply their own. */
HY_API hy_platform hy_platform_posix(void);

/* ---- hashing and signatures ----------------------------------------------------------- */

#define HY_HASH_LEN 32
#define HY_KEY_LEN 32
#define HY_SIG_LEN 64

/* BLAKE3 of data (32-byte output). */
HY_API void hy_hash(const void *data, size_t len, uint8_t out[HY_HASH_LEN]);

/* Ed25519 (RFC 8032). The secret is the 32-byte seed; the public key is derived from it.
 * Verification rules are listed in docs/crypto.md. */
HY_API void hy_key_public(uint8_t pub[HY_KEY_LEN], const uint8_t seed[HY_KEY_LEN]);
HY_API void hy_sign(uint8_t sig[HY_SIG_LEN], const uint8_t seed[HY_KEY_LEN],
                    const void *msg, size_t len);
/* HY_OK when sig is a valid signature of msg by pub, HY_E_BAD_SIGNATURE otherwise. */
HY_API hy_err hy_verify(const uint8_t sig[HY_SIG_LEN], const uint8_t pub[HY_KEY_LEN],
                        const void *msg, size_t len);

/* ---- the record store ----------------------------------------------------------------- */

/* A store is one replicated dataset: records addressed by (collection, key), each a map of
 * named fields, with one change log. Names are UTF-8 strings of at most HY_NAME_MAX bytes.
 * Every edit belongs to a transaction; an edit made outside hy_txn_begin/commit commits on
 * its own. Functions returning data through pointers keep ownership in the store: the data
 * is valid until the store next changes. */
typedef struct hy_store hy_store;

#define HY_NAME_MAX 255

typedef struct hy_store_config {
    hy_allocator alloc;          /* fn NULL: hy_allocator_default() */
    const hy_platform *platform; /* clock and randomness; required */
    /* The local actor's 32-byte secret seed; NULL makes a fresh one from the platform. */
    const uint8_t *actor_seed;
    /* Refuse changes not covered by a valid signature of their actor. */
    int require_signatures;
    /* The actors that may write (writer_count keys of HY_KEY_LEN bytes, copied): changes by
     * any other actor are refused with HY_E_FORBIDDEN, local commits included. 0: anyone.
     * Take them from the store's genesis (hy_genesis_decode). Writers imply
     * require_signatures: only a signature shows who wrote a change. */
    const uint8_t *writers;
    size_t writer_count;
} hy_store_config;

HY_API hy_err hy_store_new(const hy_store_config *config, hy_store **out);
/* Accepts NULL. */
HY_API void hy_store_free(hy_store *store);
/* The local actor's public key. */
HY_API const uint8_t *hy_store_actor(const hy_store *store);

typedef enum hy_type {
    HY_TYPE_NULL = 0,
    HY_TYPE_BOOL = 1,
    HY_TYPE_INT = 2,
    HY_TYPE_DOUBLE = 3,
    HY_TYPE_STRING = 4, /* UTF-8, checked */
    HY_TYPE_BYTES = 5,
} hy_type;

typedef struct hy_value {
    hy_type type;
    union {
        int boolean;
        int64_t integer;
        double number;
        struct {
            const uint8_t *data;
            size_t len;
        } bytes; /* STRING and BYTES */
    } as;
} hy_value;

/* ---- transactions ---- */

/* Starts a transaction: later edits are one change at commit. HY_E_INVALID_ARG if one is
 * already open. Reads inside it see its edits. */
HY_API hy_err hy_txn_begin(hy_store *store);
/* Commits the open transaction as exactly one change (none when it made no edit). */
HY_API hy_err hy_txn_commit(hy_store *store);
/* Undoes every edit of the open transaction: the state is exactly as before hy_txn_begin. */
HY_API void hy_txn_rollback(hy_store *store);

/* ---- registers: last writer wins by Lamport order; concurrent values stay readable ---- */

HY_API hy_err hy_put(hy_store *store, const char *collection, const char *key,
                     const char *field, const hy_value *value);
/* The winning value; HY_E_NOT_FOUND when the field is unset or removed. */
HY_API hy_err hy_get(hy_store *store, const char *collection, const char *key,
                     const char *field, hy_value *out);
/* How many values are current (more than one after concurrent writes), and the i-th of them
 * in order from the winner down. */
HY_API size_t hy_get_conflicts(hy_store *store, const char *collection, const char *key,
                               const char *field);
HY_API hy_err hy_get_conflict(hy_store *store, const char *collection, const char *key,
                              const char *field, size_t i, hy_value *out);
/* Removes what this replica sees of the field, so that what others add concurrently
 * survives: a register's values; every character of a text or element of a list (one
 * delete); every value of a set and entry of a map; a counter's value (it adds the negation
 * of the value seen, so increments made concurrently still count). The field keeps its type.
 * Subscribers get the patches of those edits. HY_E_NOT_FOUND when there is nothing to remove
 * (an empty field, a counter at 0). */
HY_API hy_err hy_remove(hy_store *store, const char *collection, const char *key,
                        const char *field);

/* ---- counters ---- */

HY_API hy_err hy_counter_add(hy_store *store, const char *collection, const char *key,
                             const char *field, int64_t delta);
HY_API hy_err hy_counter_get(hy_store *store, const char *collection, const char *key,
                             const char *field, int64_t *out);

/* ---- text: positions and lengths count Unicode code points ---- */

/* Inserts len bytes of UTF-8 (checked) before code point pos (0 <= pos <= length). */
HY_API hy_err hy_text_insert(hy_store *store, const char *collection, const char *key,
                             const char *field, size_t pos, const char *utf8, size_t len);
/* Deletes n code points from pos (pos + n <= length). */
HY_API hy_err hy_text_delete(hy_store *store, const char *collection, const char *key,
                             const char *field, size_t pos, size_t n);
/* The length in code points (0 for a field never written). */
HY_API hy_err hy_text_len(hy_store *store, const char *collection, const char *key,
                          const char *field, size_t *out);
/* Copies the text as UTF-8 into buf (cap bytes; not NUL-terminated) and its byte length into
 * *len; HY_E_TOO_LARGE, with *len the size needed, when cap is too small. */
HY_API hy_err hy_text_read(hy_store *store, const char *collection, const char *key,
                           const char *field, char *buf, size_t cap, size_t *len);
/* UTF-16 positions, for callers whose strings count UTF-16 code units (JavaScript): a code
 * point outside the BMP (an emoji) is two units, any other one. Each costs O(log length).
 * The length in UTF-16 code units (0 for a field never written). */
HY_API hy_err hy_text_len_utf16(hy_store *store, const char *collection, const char *key,
                                const char *field, size_t *out);
/* The code point position at UTF-16 offset utf16 (<= the UTF-16 length); HY_E_INVALID_ARG
 * when out of range or between the two units of a surrogate pair. */
HY_API hy_err hy_text_pos_from_utf16(hy_store *store, const char *collection, const char *key,
                                     const char *field, size_t utf16, size_t *pos);
/* The UTF-16 offset of code point position pos (<= the length); HY_E_INVALID_ARG when out of
 * range. */
HY_API hy_err hy_text_pos_to_utf16(hy_store *store, const char *collection, const char *key,
                                   const char *field, size_t pos, size_t *utf16);

/* ---- sets: add wins over a concurrent remove ---- */

/* Adds value (idempotent for readers: a value is present or not). */
HY_API hy_err hy_set_add(hy_store *store, const char *collection, const char *key,
                         const char *field, const hy_value *value);
/* Removes value as this replica sees it; an add made concurrently elsewhere survives.
 * HY_E_NOT_FOUND when value is not present. */
HY_API hy_err hy_set_delete(hy_store *store, const char *collection, const char *key,
                            const char *field, const hy_value *value);
/* *present is 1 when value is in the set, else 0. */
HY_API hy_err hy_set_has(hy_store *store, const char *collection, const char *key,
                         const char *field, const hy_value *value, int *present);
/* The number of values (0 for a field never written). */
HY_API size_t hy_set_count(hy_store *store, const char *collection, const char *key,
                           const char *field);
/* The i-th value (i < count), in an order every replica agrees on. */
HY_API hy_err hy_set_item(hy_store *store, const char *collection, const char *key,
                          const char *field, size_t i, hy_value *out);

/* ---- lists: indexes count elements; concurrent inserts at one place never interleave ---- */

/* Inserts a copy of value before element index (0 <= index <= length). */
HY_API hy_err hy_list_insert(hy_store *store, const char *collection, const char *key,
                             const char *field, size_t index, const hy_value *value);
/* Deletes n elements from index (index + n <= length). */
HY_API hy_err hy_list_delete(hy_store *store, const char *collection, const char *key,
                             const char *field, size_t index, size_t n);
/* The number of elements (0 for a field never written). */
HY_API hy_err hy_list_len(hy_store *store, const char *collection, const char *key,
                          const char *field, size_t *out);
/* The element at index; HY_E_NOT_FOUND when index >= length. */
HY_API hy_err hy_list_get(hy_store *store, const char *collection, const char *key,
                          const char *field, size_t index, hy_value *out);

/* ---- nested maps: a field holding named entries, each a register as above ---- */

/* Writes entry name (a name as field names are) of the map in field. */
HY_API hy_err hy_map_put(hy_store *store, const char *collection, const char *key,
                         const char *field, const char *name, const hy_value *value);
/* The entry's winning value; HY_E_NOT_FOUND when it is absent. */
HY_API hy_err hy_map_get(hy_store *store, const char *collection, const char *key,
                         const char *field, const char *name, hy_value *out);
/* Removes the entry; HY_E_NOT_FOUND when it is absent. */
HY_API hy_err hy_map_remove(hy_store *store, const char *collection, const char *key,
                            const char *field, const char *name);
/* The number of entries with a value (0 for a field never written). */
HY_API size_t hy_map_count(hy_store *store, const char *collection, const char *key,
                           const char *field);
/* The name of the i-th entry (i < count; NUL-terminated, owned by the store), in byte order
 * of the names, so every replica lists them alike. */
HY_API hy_err hy_map_name(hy_store *store, const char *collection, const char *key,
                          const char *field, size_t i, const char **name);
/* As hy_get_conflicts and hy_get_conflict, for one entry. */
HY_API size_t hy_map_get_conflicts(hy_store *store, const char *collection, const char *key,
                                   const char *field, const char *name);
HY_API hy_err hy_map_get_conflict(hy_store *store, const char *collection, const char *key,
                                  const char *field, const char *name, size_t i,
                                  hy_value *out);

/* ---- subscriptions ---- */

typedef enum hy_patch_kind {
    HY_PATCH_SET = 1,     /* a register's winning value is now `value` */
    HY_PATCH_REMOVE = 2,  /* a register has no value any more */
    HY_PATCH_COUNTER = 3, /* a counter changed by `delta` */
    HY_PATCH_TEXT_INSERT = 4, /* `count` code points (`text`, UTF-8) inserted at `index` */
    HY_PATCH_TEXT_DELETE = 5, /* `count` code points deleted at `index` */
    HY_PATCH_ELEMENT_ADD = 6,    /* `value` joined a set */
    HY_PATCH_ELEMENT_REMOVE = 7, /* `value` left a set */
    HY_PATCH_LIST_INSERT = 8,    /* `value` inserted at `index` (`count` 1: one per element) */
    HY_PATCH_LIST_DELETE = 9,    /* `count` elements deleted at `index` */
    HY_PATCH_MAP_SET = 10,       /* map entry `name`'s winning value is now `value` */
    HY_PATCH_MAP_REMOVE = 11,    /* map entry `name` has no value any more */
} hy_patch_kind;

/* What changed in one field. Names and values are valid during the callback only. */
typedef struct hy_patch {
    hy_patch_kind kind;
    const char *collection;
    const char *key;
    const char *field;
    hy_value value;
    int64_t delta;
    size_t index;
    size_t count;
    const char *text;
    size_t text_len;
    const char *name; /* a map entry's name (MAP_SET, MAP_REMOVE); NULL otherwise */
    /* TEXT_INSERT and TEXT_DELETE: index again, in UTF-16 code units (JavaScript's), in the
     * text as it was right after this edit applied. Exact for every patch of a delivery,
     * where converting index later would count the later patches' edits too. */
    size_t index_utf16;
} hy_patch;

/* Called once per commit or merge that changed a field the subscription covers, with the
 * patches in the order the edits applied. A callback may edit the store (its patches follow
 * in a later call) and may unsubscribe any subscription, its own included. */
typedef void (*hy_subscriber)(void *user, const hy_patch *patches, size_t count);

/* Subscribes to changes of fields under a filter: collection, key and field each NULL for
 * any. *id (may be NULL) names the subscription for hy_unsubscribe. */
HY_API hy_err hy_subscribe(hy_store *store, const char *collection, const char *key,
                           const char *field, hy_subscriber fn, void *user, uint32_t *id);
/* HY_E_NOT_FOUND when no such subscription is active. */
HY_API hy_err hy_unsubscribe(hy_store *store, uint32_t id);

/* ---- changes, merge and persistence ---- */

/* The store's heads (the changes no other change depends on), HY_HASH_LEN bytes each, into
 * out (cap hashes): *count is how many there are; HY_E_TOO_LARGE when more than cap. Give
 * them to a peer's hy_store_changes to get what this store lacks. */
HY_API hy_err hy_store_heads(hy_store *store, uint8_t *out, size_t cap, size_t *count);
/* Appends a change batch holding every change the peer with these heads lacks (heads:
 * count hashes of HY_HASH_LEN bytes; count 0: everything), signed per actor. */
HY_API hy_err hy_store_changes(hy_store *store, const uint8_t *heads, size_t count,
                               uint8_t **out, size_t *out_len);
/* Applies a change batch from another replica, through the change log: deps, signatures and
 * equivocation rules hold. HY_E_MISSING_DEPS when some changes wait for others. */
HY_API hy_err hy_store_merge(hy_store *store, const uint8_t *batch, size_t len);
/* The whole store as bytes; hy_store_load verifies them (err_offset: where they went bad). */
HY_API hy_err hy_store_save(hy_store *store, uint8_t **out, size_t *out_len);
HY_API hy_err hy_store_load(const hy_store_config *config, const uint8_t *data, size_t len,
                            hy_store **out, size_t *err_offset);
/* Incremental save: a change batch of the changes applied since the last hy_store_save or
 * hy_store_save_incremental (of this store object). Store it after the snapshot; to restore,
 * hy_store_load the snapshot and hy_store_merge each increment in order. */
HY_API hy_err hy_store_save_incremental(hy_store *store, uint8_t **out, size_t *out_len);
/* Frees what hy_store_changes, hy_store_save and hy_store_save_incremental returned. */
HY_API void hy_store_buffer_free(hy_store *store, uint8_t *data, size_t len);

/* ---- store identity and policy (docs/protocol.md, "Genesis") -------------------------- */

/* A store's genesis names it and says who may write and who may sync it; its BLAKE3 hash is
 * the store id that peers meet on. Keys are HY_KEY_LEN bytes each; an empty list means
 * anyone. */
typedef struct hy_genesis {
    const char *name;          /* UTF-8, 1..HY_NAME_MAX bytes, no NUL inside */
    size_t name_len;
    const uint8_t *writers;    /* actor keys that may author changes */
    size_t writer_count;
    const uint8_t *readers;    /* node keys that may open a sync session */
    size_t reader_count;
    /* A credit ledger's (docs/ledger.md): its checkpoint committee, n = 3f + 1 keys with
     * f >= 1 (0 keys: the store is not a ledger), and the credit limit an account gets
     * without the committee's leave (0..HY_AMOUNT_MAX). A ledger's store requires
     * signatures. */
    const uint8_t *committee;
    size_t committee_count;
    int64_t credit_limit;
} hy_genesis;

#define HY_GENESIS_MAX_KEYS 1024
/* The largest amount and limit a ledger takes: 2^53 - 1, exact in JavaScript. */
#define HY_AMOUNT_MAX INT64_C(9007199254740991)
/* Writes the canonical genesis (keys sorted) into out (cap bytes); *len is its length, also
 * when HY_E_TOO_LARGE says cap is short. A key listed twice is HY_E_INVALID_ARG. */
HY_API hy_err hy_genesis_encode(const hy_genesis *genesis, uint8_t *out, size_t cap,
                                size_t *len);
/* Checks canonical genesis bytes; out's pointers point into data. */
HY_API hy_err hy_genesis_decode(const uint8_t *data, size_t len, hy_genesis *out,
                                size_t *err_offset);

/* ---- sync sessions (p2p/, docs/protocol.md) ------------------------------------------- */

/* One end of a sync conversation with one peer about one store. Transport-agnostic: the host
 * hands it the frames that arrive (hy_session_receive) and sends what hy_session_next gives,
 * in order, over any message transport. Links may lose, duplicate and reorder messages: the
 * host calls hy_session_tick every second or so and the session re-announces what is not yet
 * confirmed; once both ends hold the same changes, ticks send nothing. */
typedef struct hy_session hy_session;

#define HY_NONCE_LEN 32
#define HY_DEFAULT_MAX_FRAME (1u << 20)
#define HY_MIN_MAX_FRAME 65557u /* a 64 KiB part of a batch and its header */
#define HY_DEFAULT_MAX_BATCH (64u << 20)

typedef struct hy_session_config {
    hy_allocator alloc;        /* fn NULL: hy_allocator_default() */
    hy_store *store;           /* borrowed; must outlive the session */
    const uint8_t *genesis;    /* the store's canonical genesis (genesis_len bytes, copied) */
    size_t genesis_len;
    const uint8_t *node_seed;  /* this end's node key (HY_KEY_LEN-byte secret seed) */
    const uint8_t *nonce;      /* HY_NONCE_LEN fresh random bytes */
    size_t max_frame;          /* largest frame payload accepted; 0: default; at least
                                * HY_MIN_MAX_FRAME (batches travel in 64 KiB parts) */
    size_t max_batch;          /* largest change batch a peer may send in parts; 0: default */
} hy_session_config;

typedef enum hy_session_state {
    HY_SESSION_HANDSHAKE = 0,  /* HELLO and AUTH under way */
    HY_SESSION_READY = 1,      /* authenticated; changes flow */
    HY_SESSION_CLOSED = 2,     /* ended by an error (ours or the peer's); send what is queued,
                                * then drop the connection */
} hy_session_state;

typedef struct hy_session_stats {
    uint64_t frames_in, frames_out;
    uint64_t bytes_in, bytes_out;
    uint64_t changes_in;       /* changes received and applied (or already held) */
    uint64_t changes_out;      /* changes sent */
    uint64_t changes_refused;  /* changes refused (forbidden writer, bad signature, invalid) */
} hy_session_stats;

/* A new session; its HELLO is queued. */
HY_API hy_err hy_session_new(const hy_session_config *config, hy_session **out);
/* Accepts NULL. */
HY_API void hy_session_free(hy_session *session);
/* Handles data: one or more whole frames. On a protocol violation, a refused write or a bad
 * signature, returns the error, queues an ERROR frame and closes the session. Changes it
 * applies go into the store (subscribers hear of them); tell the store's other sessions with
 * hy_session_changed so they pass them on. */
HY_API hy_err hy_session_receive(hy_session *session, const uint8_t *data, size_t len);
/* The next frame to send: *frame stays valid until the next call on the session.
 * HY_E_NOT_FOUND when nothing is queued. */
HY_API hy_err hy_session_next(hy_session *session, const uint8_t **frame, size_t *len);
/* The store changed (a local commit, or changes from another session): queue what the peer
 * lacks. */
HY_API hy_err hy_session_changed(hy_session *session);
/* Time passed: re-announce this end's heads if the peer has not confirmed them. */
HY_API hy_err hy_session_tick(hy_session *session);
HY_API hy_session_state hy_session_get_state(const hy_session *session);
/* Why the session closed: HY_OK while open; the peer's code when it sent ERROR. */
HY_API hy_err hy_session_error(const hy_session *session);
/* The peer's node key once READY, else NULL. */
HY_API const uint8_t *hy_session_peer_key(const hy_session *session);
/* 1 when the peer's last announcement names exactly this store's heads (both hold the same
 * changes), else 0. */
HY_API int hy_session_in_sync(const hy_session *session);
HY_API void hy_session_get_stats(const hy_session *session, hy_session_stats *out);
/* An ERROR frame (docs/protocol.md) for hosts that refuse a peer before any session exists
 * (garbage, an unknown store): code, and text (ASCII, cut to 200 bytes). *len is the frame's
 * length, also when HY_E_TOO_LARGE says cap is short; HY_ERROR_FRAME_MAX always suffices. */
#define HY_ERROR_FRAME_MAX 216
HY_API hy_err hy_error_frame(hy_err code, const char *text, uint8_t *out, size_t cap,
                             size_t *len);
/* The store id a HELLO frame asks for, for hosts that serve several stores. */
HY_API hy_err hy_hello_store_id(const uint8_t *frame, size_t len, uint8_t id[HY_HASH_LEN]);

/* ---- the credit ledger (credit/, docs/ledger.md) ------------------------------------- */

/* Mutual credit kept in a store whose genesis names a checkpoint committee: accounts start
 * at 0 and pay others by going negative down to their credit limit; the balances always sum
 * to 0. An account is its root key; its devices are the keys it granted spending rights
 * (escrow) to, the root included. Every op is a signed change of the store, so the ledger
 * syncs, saves and loads as the store does; its derived state is a function of the set of
 * changes held, whatever their order. Amounts are 1..HY_AMOUNT_MAX. */
typedef struct hy_ledger hy_ledger;

/* Reads the ledger kept in store: genesis (genesis_len bytes) must be a ledger's (a
 * committee) and the store must require signatures (as hy_store_config's writers or
 * require_signatures make it). Reads every change the store holds, then follows each one the
 * store applies. Free the ledger before the store. Ops are written as the store's actor. */
HY_API hy_err hy_ledger_open(hy_store *store, const uint8_t *genesis, size_t genesis_len,
                             hy_ledger **out);
HY_API void hy_ledger_free(hy_ledger *ledger);

/* The local ops: each commits one signed change. */
/* OPEN: makes the store's actor the root of an account with this credit limit (the genesis'
 * credit_limit, or what f + 1 committee members allowed, caps it). */
HY_API hy_err hy_ledger_open_account(hy_ledger *ledger, int64_t limit);
/* GRANT: moves amount of this device's rights in account to to_device, which becomes a
 * device of the account. HY_E_INSUFFICIENT_ESCROW when this device's rights fall short,
 * HY_E_FORBIDDEN when it is not a device of the account. */
HY_API hy_err hy_ledger_grant(hy_ledger *ledger, const uint8_t account[HY_KEY_LEN],
                              const uint8_t to_device[HY_KEY_LEN], int64_t amount);
/* SPEND: pays amount from account to to_account out of this device's rights, with no
 * network: HY_E_INSUFFICIENT_ESCROW when the rights this replica knows of fall short,
 * HY_E_FORBIDDEN when the device is not one of the account's. */
HY_API hy_err hy_ledger_spend(hy_ledger *ledger, const uint8_t account[HY_KEY_LEN],
                              const uint8_t to_account[HY_KEY_LEN], int64_t amount);
/* LIMIT (committee members only, else HY_E_FORBIDDEN): allows account a credit limit up to
 * limit; an account's cap is the highest limit that f + 1 members allowed. */
HY_API hy_err hy_ledger_allow_limit(hy_ledger *ledger, const uint8_t account[HY_KEY_LEN],
                                    int64_t limit);
/* CHECKPOINT (committee members only, else HY_E_FORBIDDEN): signs the digest of epoch,
 * this replica's frontier (every op held but checkpoints and disputed ops) and the balances
 * under it. An epoch not past both this member's last and the last certified one is
 * HY_E_INVALID_ARG, so a member never signs two digests for one epoch. epoch 0 lets the
 * ledger choose: the lowest epoch another member signed for the same frontier and balances
 * (members holding the same ops agree), else none when this member's newest signature is
 * of them already (*signed_epoch 0: nothing to do), else the epoch after every one seen.
 * HY_E_NOT_FOUND when there is nothing to checkpoint. *signed_epoch (may be NULL) is the
 * epoch signed. */
HY_API hy_err hy_ledger_checkpoint(hy_ledger *ledger, uint64_t epoch, uint64_t *signed_epoch);

/* ---- reads: O(1) ---- */

typedef struct hy_account_info {
    int opened;                /* an OPEN by the account's root is held */
    int64_t limit;             /* its credit limit (0 until opened) */
    int64_t balance;           /* received - spent over every valid op held */
    int64_t confirmed_balance; /* the same over confirmed ops (under a certified checkpoint) */
} hy_account_info;
/* HY_E_NOT_FOUND when no op names the account. */
HY_API hy_err hy_ledger_account(const hy_ledger *ledger, const uint8_t account[HY_KEY_LEN],
                                hy_account_info *out);
/* A device's rights (escrow) in account: for the root, limit + confirmed received + grants
 * in - grants out - spent; for another device, grants in - grants out - spent. 0 for a key
 * that is not a device of the account. */
HY_API int64_t hy_ledger_rights(const hy_ledger *ledger, const uint8_t account[HY_KEY_LEN],
                                const uint8_t device[HY_KEY_LEN]);
/* 1 when device is one of account's devices (its root once opened, or a key a device of the
 * account granted to), else 0: rights of 0 do not tell. */
HY_API int hy_ledger_is_device(const hy_ledger *ledger, const uint8_t account[HY_KEY_LEN],
                               const uint8_t device[HY_KEY_LEN]);
/* Accounts known, in no particular order: i < hy_ledger_account_count. */
HY_API size_t hy_ledger_account_count(const hy_ledger *ledger);
HY_API const uint8_t *hy_ledger_account_key(const hy_ledger *ledger, size_t i);

typedef struct hy_checkpoint_info {
    uint64_t epoch;            /* 0: none certified yet */
    uint8_t digest[HY_HASH_LEN];
    size_t signatures;         /* distinct members who signed this digest */
    uint64_t confirmed_ops;    /* ops confirmed by the certified checkpoints */
    uint64_t disputed_ops;     /* ops that conflict with a certified checkpoint */
    uint64_t held_ops;         /* changes held that are no CHECKPOINT: what frontiers cover
                                * (a member waits for it to settle before it signs) */
} hy_checkpoint_info;
/* The newest certified checkpoint (2f + 1 valid signatures of members). */
HY_API void hy_ledger_checkpoint_status(const hy_ledger *ledger, hy_checkpoint_info *out);

/* ---- audit ---- */

typedef enum hy_finding_kind {
    HY_FINDING_OVERDRAFT = 1,     /* a device's rights below 0: a cloned or lying device */
    HY_FINDING_EQUIVOCATION = 2,  /* an actor wrote two changes with one seq */
    HY_FINDING_PAST_LIMIT = 3,    /* a balance below -limit */
    HY_FINDING_CHECKPOINT_CONFLICT = 4, /* a member signed two digests for one epoch */
    HY_FINDING_INVALID_OP = 5,    /* a change that is no valid ledger op (and changes nothing) */
} hy_finding_kind;

typedef struct hy_finding {
    hy_finding_kind kind;
    uint8_t account[HY_KEY_LEN];  /* OVERDRAFT, PAST_LIMIT; zero otherwise */
    uint8_t actor[HY_KEY_LEN];    /* the device, the equivocating actor, the member, the author */
    int64_t deficit;              /* OVERDRAFT: -rights; PAST_LIMIT: -(balance + limit) */
    uint64_t epoch;               /* CHECKPOINT_CONFLICT */
    const uint8_t *ops;           /* op_count hashes (HY_HASH_LEN each): the ops at fault */
    size_t op_count;
    const uint8_t *proof;         /* EQUIVOCATION: a proof (docs/format.md, "Equivocation proof") */
    size_t proof_len;
} hy_finding;

typedef struct hy_audit hy_audit;
/* Everything wrong in the ledger as this replica holds it, in a canonical order (the same
 * findings in the same order on every replica holding the same changes). */
HY_API hy_err hy_ledger_audit(hy_ledger *ledger, hy_audit **out);
HY_API size_t hy_audit_count(const hy_audit *audit);
/* Valid until hy_audit_free. */
HY_API const hy_finding *hy_audit_get(const hy_audit *audit, size_t i);
HY_API void hy_audit_free(hy_audit *audit);

#ifdef __cplusplus
}
#endif
#endif

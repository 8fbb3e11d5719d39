/* The change log: a hash DAG of changes with per-actor signed chains (DESIGN.md section 3).
 *
 * Changes are kept in the order they were applied, which is a topological order: a change is
 * applied only once all its deps are. Changes whose deps are missing wait in a bounded queue
 * and are applied, in order, as soon as their deps arrive. Two different changes with the
 * same (actor, seq) are an equivocation: both stay in the DAG (so every replica holding both
 * derives the same state) and the pair is kept as proof.
 *
 * Changes are referred to by their index in the log (0, 1, 2... in applied order). */
#ifndef HY_LOG_H
#define HY_LOG_H

#include "change.h"
#include "vec.h"

#include <stdbool.h>

#define HY_LOG_NONE UINT32_MAX

typedef struct hy_log hy_log;

/* One change as an ops codec sees it. */
typedef struct hy_ops_change {
    const uint8_t *actor;  /* key */
    uint64_t start_op;
    const uint8_t *ops;    /* NULL when decoding */
    size_t ops_len;
} hy_ops_change;

/* The owner's packing of the ops in a saved log (docs/format.md, "Log file"): the log treats
 * ops as opaque bytes, its owner knows their structure (the record store packs text edits
 * into columns). Loading rebuilds each change's ops exactly, and the change hashes check
 * that it did. */
typedef struct hy_ops_codec {
    /* Appends the packing of the ops of these changes, in the order given. */
    hy_err (*pack)(void *user, const hy_allocator *a, const hy_ops_change *changes,
                   size_t count, hy_writer *w);
    /* Opens a packing for unpacking (*state is the codec's own, freed by close). */
    hy_err (*open)(void *user, const hy_allocator *a, const uint8_t *data, size_t len,
                   void **state);
    /* Appends exactly change->ops_len bytes: the ops of the next change. HY_E_FORMAT (or
     * another decoding error) when the packing does not hold them. */
    hy_err (*next)(void *state, const hy_ops_change *change, hy_writer *ops);
    /* Frees the state. With check set (after the last change), HY_E_FORMAT when the packing
     * holds more than was asked for. */
    hy_err (*close)(void *state, bool check);
    void *user;
} hy_ops_codec;

typedef struct hy_log_config {
    hy_allocator alloc;
    /* Seeds the hash maps keyed by peer-chosen data; take it from the platform's randomness. */
    uint64_t hash_seed;
    /* Bounds of the queue of changes waiting for deps (0 picks the default). */
    size_t max_pending;        /* changes; default 4096 */
    size_t max_pending_bytes;  /* encoded bytes; default 16 MiB */
    /* When set, every change must be covered by a valid signature of its actor. */
    bool require_signatures;
    /* Called once for every change as it is applied (from add, add_batch, commit and load),
     * in applied order. A non-OK return is passed back to the caller of the adding function;
     * the change stays applied. */
    hy_err (*on_apply)(void *user, const hy_log *log, uint32_t index);
    void *on_apply_user;
    /* How saves pack the ops (NULL: as they are); a log file packed by a codec loads only
     * into a log that has it. */
    const hy_ops_codec *ops_codec;
    /* The actors that may author changes (writer_count keys, copied): a change by any other
     * is refused with HY_E_FORBIDDEN, also from a batch (which is then refused whole), a
     * load or a local commit. 0: anyone. Writers imply require_signatures. */
    const uint8_t *writers;
    size_t writer_count;
} hy_log_config;

hy_err hy_log_new(const hy_log_config *config, hy_log **out);
void hy_log_free(hy_log *log);

/* ---- writing as the local actor ---- */

/* Makes the actor of this key pair the one that commits, entering it in the actor table at
 * once. The seed is copied and wiped on free. If the log already holds changes of that
 * actor, commits continue its chain. */
hy_err hy_log_set_local(hy_log *log, const uint8_t seed[HY_KEY_LEN]);
/* Appends a change of the local actor with the given ops, depending on the current heads.
 * Its index is *index (may be NULL). Not signed yet: see hy_log_sign_local. Not hashed yet
 * either when it only continues the local chain (its one dep is the only head): hashing
 * waits until an id is needed, so a run of commits costs no hashing while nobody looks. */
hy_err hy_log_commit(hy_log *log, int64_t time_ms, uint64_t op_count, const uint8_t *ops,
                     size_t ops_len, uint32_t *index);
/* Signs the local actor's newest change if its signature is not current: one signature
 * authenticates the whole chain, so commits do not sign one by one. */
hy_err hy_log_sign_local(hy_log *log);
/* Signs msg with the local actor's key (HY_E_INVALID_ARG before hy_log_set_local), for
 * statements the actor makes beside its changes (a ledger checkpoint). msg must start with a
 * context of its own, never HY_CHANGE_SIG_CONTEXT, so that no statement reads as a change's
 * signature. */
hy_err hy_log_sign_statement(const hy_log *log, const void *msg, size_t len,
                             uint8_t sig[HY_SIG_LEN]);
/* Whether changes must be covered by a valid signature (config, or writers). */
bool hy_log_requires_signatures(const hy_log *log);
/* 1 when the policy lets this actor author changes. */
bool hy_log_may_write(const hy_log *log, const uint8_t key[HY_KEY_LEN]);
/* The local actor's index in the actor table (HY_LOG_NONE before hy_log_set_local). */
uint32_t hy_log_local_actor(const hy_log *log);
/* The first op counter the next local commit would get. */
uint64_t hy_log_next_op(const hy_log *log);

/* ---- adding changes from elsewhere ---- */

/* Adds one encoded change. sig, when not NULL, is its actor's signature over it (see
 * hy_change_sig_msg). Returns HY_OK when applied or already known, HY_E_MISSING_DEPS when
 * queued until its deps arrive, HY_E_QUEUE_FULL when the queue had no room (dropped), or an
 * error for an invalid change (err_offset, may be NULL, locates decoding errors). */
hy_err hy_log_add(hy_log *log, const uint8_t *encoded, size_t len, const uint8_t *sig,
                  size_t *err_offset);

typedef struct hy_bytes {
    const uint8_t *data;
    size_t len;
} hy_bytes;

/* A signature over the change with this hash, which must be in the batch. */
typedef struct hy_log_sig {
    uint8_t hash[HY_HASH_LEN];
    uint8_t sig[HY_SIG_LEN];
} hy_log_sig;

/* Adds a batch: every change must be covered by one of the signatures, either signed itself
 * or an earlier link of its actor's chain under a signed change of the batch (so one
 * signature per actor authenticates a whole run). With require_signatures unset, changes may
 * come unsigned, but every signature given must be valid. Nothing is added unless every
 * change decodes and every signature checks; then changes are added in order, and the first
 * failure stops the batch. *bad (may be NULL) is the index of the offending change (or of the
 * signature, for HY_E_BAD_SIGNATURE). Returns as hy_log_add; HY_E_MISSING_DEPS when any
 * change was queued. */
hy_err hy_log_add_batch(hy_log *log, const hy_bytes *changes, size_t count,
                        const hy_log_sig *sigs, size_t sig_count, size_t *bad);

/* ---- reading ---- */

typedef struct hy_log_entry {
    const uint8_t *hash;
    uint32_t actor;      /* index into the actor table */
    uint32_t seq;
    uint64_t start_op;
    uint64_t op_count;
    int64_t time_ms;
    const uint8_t *ops;  /* valid until the log next changes */
    size_t ops_len;
    uint32_t dep_count;
    const uint32_t *deps; /* indexes of the deps, ascending by hash */
} hy_log_entry;

uint32_t hy_log_count(const hy_log *log);
/* index < hy_log_count(log). out->hash is NULL while the change is a local commit whose hash
 * is not computed yet (commits hash lazily, when something first needs an id). */
void hy_log_get(const hy_log *log, uint32_t index, hy_log_entry *out);
/* The hash of change index (< hy_log_count(log)), computing the pending ones. */
const uint8_t *hy_log_hash(hy_log *log, uint32_t index);
/* HY_LOG_NONE when unknown. */
uint32_t hy_log_find(hy_log *log, const uint8_t hash[HY_HASH_LEN]);
/* Appends the canonical encoding of change index. */
hy_err hy_log_encode(hy_log *log, uint32_t index, hy_writer *w);

uint32_t hy_log_actor_count(const hy_log *log);
const uint8_t *hy_log_actor_key(const hy_log *log, uint32_t actor);
/* HY_LOG_NONE when unknown. */
uint32_t hy_log_actor_find(const hy_log *log, const uint8_t key[HY_KEY_LEN]);
/* Highest seq of the actor's chain held (its entry in the version vector). */
uint32_t hy_log_actor_seq(const hy_log *log, uint32_t actor);
/* The newest signature held for the actor: the index of the change it signs (HY_LOG_NONE if
 * none) and, when sig is not NULL, the signature. */
uint32_t hy_log_actor_signature(const hy_log *log, uint32_t actor, uint8_t sig[HY_SIG_LEN]);

/* Appends (as hy_log_sig) every signature held: each actor's newest, and those that cover
 * the other branches of an equivocating actor. Together they cover every signed change. */
hy_err hy_log_signatures(hy_log *log, hy_vec *out);

/* Heads: changes nobody depends on, ascending by hash. */
uint32_t hy_log_head_count(const hy_log *log);
uint32_t hy_log_head(const hy_log *log, uint32_t i);

/* Changes waiting in the queue for their deps. */
size_t hy_log_pending_count(const hy_log *log);
/* Appends to out (items of HY_HASH_LEN bytes) the hashes, at most max of them, that queued
 * changes wait for and that nobody has sent: what to ask a peer for. */
hy_err hy_log_wanted(hy_log *log, size_t max, hy_vec *out);

/* ---- equivocation ---- */

typedef struct hy_equivocation {
    uint32_t actor;
    uint32_t seq;
    uint32_t first;   /* the change applied first */
    uint32_t second;  /* the other one */
} hy_equivocation;

size_t hy_log_equivocation_count(const hy_log *log);
void hy_log_equivocation(const hy_log *log, size_t i, hy_equivocation *out);
/* Writes a self-contained proof of equivocation i (docs/format.md, "Equivocation proof"):
 * both changes, each with the chain of its actor's changes up to a change signed by the
 * actor, and those signatures when the log holds them. */
hy_err hy_log_equivocation_proof(hy_log *log, size_t i, hy_writer *w);
/* Checks a proof without any log: HY_OK when it shows two different changes with the same
 * actor and seq, each authenticated by a valid signature of that actor. The actor's key is
 * copied to actor (may be NULL). */
hy_err hy_equivocation_proof_verify(const uint8_t *proof, size_t len,
                                    uint8_t actor[HY_KEY_LEN], size_t *err_offset);

/* ---- what a peer lacks ---- */

typedef struct hy_vv_entry {
    uint8_t actor[HY_KEY_LEN];
    uint64_t seq;
} hy_vv_entry;

/* The allocator the log was made with: the vectors the functions below fill grow with it. */
const hy_allocator *hy_log_allocator(const hy_log *log);
/* Appends (as uint32_t) to out, in applied (causal) order, the indexes of the changes whose
 * seq exceeds the peer's version vector entry for their actor (absent actors: 0). */
hy_err hy_log_missing_by_vv(const hy_log *log, const hy_vv_entry *vv, size_t count,
                            hy_vec *out);
/* Appends to out, in causal order, the changes that are not ancestors of (or equal to) any of
 * the peer's heads. Heads this log does not know are ignored. */
hy_err hy_log_missing_by_heads(hy_log *log, const uint8_t *heads, size_t count,
                               hy_vec *out);

/* ---- causality ---- */

/* For change index: per actor (hy_log_actor_count entries), the highest op counter among the
 * changes in its causal past, itself excluded (0: none). Since an actor's op counters rise
 * along its chain, an op id (actor, counter) lies in that past when counter <= horizon[actor]
 * (an honest writer's ops name only such ids). With an equivocating actor in the log this
 * comes from a walk of the DAG, and an id of one branch can pass for the other's. */
hy_err hy_log_horizon(const hy_log *log, uint32_t index, uint64_t *horizon);

/* ---- change batches (docs/format.md, "Change batch") ---- */

/* Appends a batch of the changes with these indexes (in causal order) and the signatures
 * that cover them. Signs the local chain first. */
hy_err hy_log_write_batch(hy_log *log, const uint32_t *indexes, size_t count, hy_writer *w);
/* Decodes a batch and adds it as hy_log_add_batch does. */
hy_err hy_log_read_batch(hy_log *log, const uint8_t *data, size_t len, size_t *err_offset);

/* ---- compact storage (docs/format.md, "Log file") ---- */

/* Writes the whole log in the compact columnar form, in a canonical order, so that two logs
 * holding the same changes and signatures save the same bytes. Signs the local chain first. */
hy_err hy_log_save(hy_log *log, hy_writer *w);
/* Loads a saved log into a new log: recomputes every hash, checks the heads and signatures.
 * On a decoding error *err_offset (may be NULL) is the byte offset at fault. */
hy_err hy_log_load(const hy_log_config *config, const uint8_t *data, size_t len, hy_log **out,
                   size_t *err_offset);

/* The same into an existing log that holds no changes yet (HY_E_INVALID_ARG otherwise), for
 * owners that must hold the log while its on_apply callback runs. On failure the log may hold
 * part of the input: free it. */
hy_err hy_log_load_into(hy_log *log, const uint8_t *data, size_t len, size_t *err_offset);

#endif

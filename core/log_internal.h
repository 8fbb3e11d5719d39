/* The log's representation, shared by the files that implement it (log*.c) and nobody else. */
#ifndef HY_LOG_INTERNAL_H
#define HY_LOG_INTERNAL_H

#include "log.h"
#include "table.h"
#include "vec.h"

typedef struct log_change {
    uint8_t hash[HY_HASH_LEN];
    uint64_t start_op;
    uint64_t op_count;
    int64_t time_ms;
    size_t ops_at;       /* into log->ops */
    uint32_t ops_len;
    uint32_t actor;
    uint32_t seq;
    uint32_t deps_at;    /* into log->deps */
    uint32_t dep_count;
} log_change;

typedef struct log_actor {
    uint8_t key[HY_KEY_LEN];
    hy_vec chain;            /* uint32_t: the first change applied at seq i + 1 */
    hy_vec reach;            /* per other actor, the deps that cross to it (log_reach.c) */
    uint32_t signed_change;  /* newest signed change, or HY_LOG_NONE */
    uint8_t sig[HY_SIG_LEN];
    bool equivocated;
} log_actor;

/* A signature of an equivocating actor on a branch other than its newest signed change's. */
typedef struct log_branch_sig {
    uint32_t change;
    uint8_t sig[HY_SIG_LEN];
} log_branch_sig;

typedef struct log_pending {
    uint8_t hash[HY_HASH_LEN];
    uint8_t *bytes;          /* a copy of the encoded change; NULL once resolved */
    size_t len;
    uint32_t missing;        /* deps not applied yet */
    bool has_sig;
    uint8_t sig[HY_SIG_LEN];
} log_pending;

/* A link in the list of pending changes that wait for one missing hash. */
typedef struct log_wait {
    uint32_t pending;
    uint32_t next;           /* HY_LOG_NONE ends the list */
} log_wait;

struct hy_log {
    hy_log_config cfg;
    hy_vec changes;          /* log_change, in applied order */
    hy_vec deps;             /* uint32_t change indexes, runs referenced by log_change */
    hy_vec ops;              /* uint8_t */
    hy_vec actors;           /* log_actor */
    hy_vec heads;            /* uint32_t, ascending by hash */
    hy_vec equivocations;    /* hy_equivocation */
    hy_vec branch_sigs;      /* log_branch_sig */
    hy_table by_hash;          /* change hash -> index */
    hy_table actor_by_key;     /* actor key -> index */
    uint64_t max_op;         /* highest op counter applied */
    /* Changes from this index on are local commits whose hashes are not computed yet
     * (HY_LOG_NONE: every change is hashed). Each depends only on the one before it (the
     * first on the change before it or on nothing), and the newest is the only head: typing
     * one change per keystroke costs no hashing until something needs an id. */
    uint32_t unhashed_from;

    bool has_local;
    uint32_t local_actor;    /* HY_LOG_NONE until set */
    uint8_t local_seed[HY_KEY_LEN];
    uint8_t local_pub[HY_KEY_LEN];
    hy_writer scratch;       /* reused encoding buffer */
    uint8_t *writers;        /* cfg.writer_count keys, sorted (the config's own are not kept) */

    hy_vec pending;          /* log_pending */
    hy_vec waits;            /* log_wait */
    hy_table pending_by_hash;  /* hash -> pending index */
    hy_table waiting;          /* missing hash -> first log_wait */
    size_t pending_live;
    size_t pending_bytes;
};

static inline log_change *log_change_at(const hy_log *log, uint32_t i)
{
    return &HY_VEC_AT(&log->changes, log_change, i);
}

static inline log_actor *log_actor_at(const hy_log *log, uint32_t i)
{
    return &HY_VEC_AT(&log->actors, log_actor, i);
}

static inline const uint32_t *log_deps_of(const hy_log *log, const log_change *c)
{
    return c->dep_count ? &HY_VEC_AT(&log->deps, uint32_t, c->deps_at) : NULL;
}

/* Enters an actor (absent so far) in the actor table. */
hy_err log_add_actor(hy_log *log, const uint8_t key[HY_KEY_LEN], uint32_t *index);
/* Applies a change whose deps are all applied (their indexes in dep_index, in the order of
 * c->deps) and whose hash is not known yet. sig, when not NULL, has been verified. hash NULL
 * applies a lazy local commit (see unhashed_from): hy_log_commit checked that it may be and
 * reserved what hashing it will need. */
hy_err log_apply(hy_log *log, const hy_change *c, const uint8_t hash[HY_HASH_LEN],
                 const uint32_t *dep_index, const uint8_t *sig);
/* The change stored in rec as hy_change_encode takes it, with its deps' hashes (dep_count
 * of them side by side; NULL when it has none). */
void log_change_view(const hy_log *log, const log_change *rec, const uint8_t *dep_hashes,
                     hy_change *out);
/* Computes the hashes of the lazy local commits and enters them in by_hash. Cannot fail:
 * the commits reserved the room. */
void log_flush_hashes(hy_log *log);
/* Makes room for this many more changes, dep edges and op bytes, so that adding them grows
 * nothing (a loader knows the totals up front). */
hy_err log_reserve(hy_log *log, size_t changes, size_t deps, size_t ops);
/* Records a verified signature of change index's actor over it. */
hy_err log_record_sig(hy_log *log, uint32_t index, const uint8_t sig[HY_SIG_LEN]);
hy_err log_verify_sig(const uint8_t actor[HY_KEY_LEN], const uint8_t hash[HY_HASH_LEN],
                      const uint8_t sig[HY_SIG_LEN]);
/* Finds the path down the actor's chain from change `from` to change `to` (same actor,
 * lower or equal seq) and appends it to path (uint32_t, from `to` upward), or HY_E_NOT_FOUND. */
hy_err log_chain_path(const hy_log *log, uint32_t from, uint32_t to, hy_vec *path);

/* Ancestry as a version vector (log_reach.c). Notes the deps of the actor's change at seq
 * that cross to other actors' chains (before the change is applied; harmless if it then is
 * not). */
hy_err log_note_reach(hy_log *log, uint32_t actor, uint32_t seq, const uint32_t *dep_index,
                      size_t dep_count);
void log_free_reach(hy_log *log, log_actor *act);
/* vv (one entry per actor) becomes the version vector of the ancestry of these changes,
 * themselves included. Meaningless when an actor has equivocated. */
hy_err log_ancestry_vv(const hy_log *log, const uint32_t *changes, size_t count, uint32_t *vv);

/* The compact form (log_save.c, log_load.c). */
#define LOG_MAGIC "HYLG"
#define LOG_MAGIC_LEN 4
#define LOG_FORMAT_VERSION 2 /* written; version 1 still loads */
/* Version 2 packs data (RLE deps, packed ops), so its counts are bounded by this multiple of
 * the file's length rather than by one byte per item: a small file cannot claim a huge log. */
#define LOG_MAX_EXPANSION 1024
enum { LOG_OPS_PLAIN = 0, LOG_OPS_PACKED = 1 };
enum { COL_ACTOR, COL_SEQ, COL_START_OP, COL_TIME, COL_DEP_COUNT, COL_OP_COUNT, COL_OPS_LEN,
       COL_COUNT };

/* The queue of changes waiting for deps (log_pending.c). */
hy_err log_pending_add(hy_log *log, const uint8_t *encoded, size_t len,
                       const uint8_t hash[HY_HASH_LEN], const hy_change *c,
                       const uint8_t *sig);
/* Applies every queued change that the change just applied with this hash unblocks. */
hy_err log_pending_release(hy_log *log, const uint8_t hash[HY_HASH_LEN]);
void log_pending_free(hy_log *log);

#endif

/* A sync session's state, shared by the handshake (session.c) and reconciliation
 * (session_sync.c). */
#ifndef HY_P2P_SESSION_INTERNAL_H
#define HY_P2P_SESSION_INTERNAL_H

#include "messages.h"
#include "store_log.h"
#include "vec.h"

/* Seqs lo..hi of one actor (lo 0: none). */
typedef struct sent_range {
    uint32_t lo, hi;
} sent_range;

/* Where a received part of a batch lies in the inbound bytes. */
typedef struct in_slot {
    uint32_t part, len;
    size_t at;
} in_slot;

struct hy_session {
    hy_allocator alloc;
    hy_store *store;
    hy_log *log;
    uint8_t *genesis;
    size_t genesis_len;
    hy_genesis policy;            /* points into genesis */
    uint8_t store_id[HY_HASH_LEN];
    uint8_t seed[HY_KEY_LEN];
    size_t max_frame, max_batch;

    hy_session_state state;
    hy_err error;
    uint8_t hello[HELLO_MAX_LEN]; /* our HELLO payload: half of the AUTH transcript */
    size_t hello_len;
    uint8_t peer_hello[HELLO_MAX_LEN];
    size_t peer_hello_len;        /* 0 until the peer's HELLO arrived */
    uint8_t peer_key[HY_KEY_LEN];

    /* What we believe the peer holds: its last SYNC, raised by what it sent us and what we
     * sent it (docs/protocol.md, "Reconciliation"). */
    hy_vec peer_seq;              /* uint32_t per actor of our log: highest seq held */
    hy_vec peer_heads;            /* hashes of its last SYNC, ascending */
    /* sent_range per actor: the seqs sent since the last tick. A SYNC the peer wrote before
     * those arrived would ask for them again; they are presumed in flight until the next
     * tick, after which a SYNC that still lacks them has them sent again. (Two ticks would
     * spare a busy node's slow catch-ups a resend, but left a lossy simulated link
     * unsettled: tests/unit/test_sync_sim.c seed 48.) A tick's sends of one actor are a run of
     * seqs (what lies above the peer's vector), so a range holds them. */
    hy_vec sent_now;
    bool peer_announced;          /* a SYNC has arrived */

    /* The batch being received: its number, the parts' bytes in the order they came (so it
     * holds only what arrived, whatever index a part claims), where each part is, a bit per
     * part received, the highest index received, and the part count once the last came. */
    uint64_t in_batch;
    hy_vec inbound;               /* uint8_t */
    hy_vec in_slots;              /* in_slot, in arrival order */
    hy_vec in_parts;              /* uint8_t bitmap */
    uint64_t in_total, in_got, in_max;
    bool in_complete;             /* in_batch was merged: its copies are ignored */
    uint64_t out_batch;           /* the number of the last batch we sent */
    hy_writer out;                /* queued frames */
    size_t out_sent;              /* bytes of out already handed to the host */
    hy_session_stats stats;
};

/* Closes the session with err, queueing an ERROR frame for the peer; returns err. */
hy_err session_fail(hy_session *s, hy_err err, const char *why);

/* ---- reconciliation (session_sync.c) ---- */

/* Queues a SYNC with this end's heads and version vector. */
hy_err session_send_sync(hy_session *s, uint8_t flags);
hy_err session_on_sync(hy_session *s, const msg_frame *f);
hy_err session_on_changes(hy_session *s, const msg_frame *f);
hy_err session_on_need(hy_session *s, const msg_frame *f);
/* Queues the changes above the peer's believed version vector. */
hy_err session_push(hy_session *s);
/* A tick passed: what was sent before it is no longer presumed in flight. */
void session_forget_sent(hy_session *s);

#endif

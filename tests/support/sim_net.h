/* An in-process simulated network for the sync tests: peers, each a store on the test
 * platform, joined by links that carry the frames of a pair of sync sessions (one at each
 * end), with simulated time in milliseconds. Everything random comes from one seed, so a run
 * repeats exactly.
 *
 * A link is a connection. Each transport message on it (one or more whole frames from
 * hy_session_next, the handshake's included) may be lost, duplicated or delayed (reordered
 * unless the link is FIFO). A link may go down (both sessions freed, what is in flight gone)
 * and come up again with new sessions; a cut link stays up and loses everything, as during a
 * partition.
 *
 * The hosts behave as docs/protocol.md asks: a peer ticks its sessions every simulated second,
 * tells its sessions after a local commit, and tells its other sessions when changes from
 * one session moved its heads. The harness checks what an honest network promises as it
 * goes (no receive fails, no session closes, no ERROR frame, every CHANGES frame laid out
 * as the spec says and every batch decodable) and records the first failure in why;
 * functions return false from then on. The harness needs no test framework. */
#ifndef HY_SIM_NET_H
#define HY_SIM_NET_H

#include "bytes.h"
#include "test_platform.h"

#include <stdbool.h>

#define SIM_MAX_PEERS 16
#define SIM_MAX_LINKS 64
#define SIM_TICK_MS 1000

typedef struct sim_fault {
    unsigned loss;       /* per mille of messages lost */
    unsigned dup;        /* per mille of messages delivered twice */
    uint32_t delay_min;  /* ms, >= 1 */
    uint32_t delay_max;  /* ms, >= delay_min */
    bool fifo;           /* messages arrive in the order sent (else delays reorder them) */
    unsigned batch;      /* a message carries 1..batch frames (>= 1) */
} sim_fault;

typedef struct sim_msg {
    uint8_t *data;
    size_t len;
    uint64_t due;        /* when it arrives */
    uint64_t order;      /* ties on due go in sending order */
    unsigned watched;    /* last CHANGES parts in it of batches carrying the watched change */
} sim_msg;

/* One direction of a link, with what crossed it. */
typedef struct sim_dir {
    sim_msg *msgs;       /* in flight */
    size_t len, cap;
    uint64_t last_due;   /* FIFO links: nothing sent later arrives earlier */
    uint64_t frames[8];  /* frames sent, by type (index 0: unknown types) */
    uint64_t messages, lost, duplicated;
    uint64_t watched_sent;   /* batches the session sent carrying the watched change */
    uint64_t watched_copies; /* extra copies of those the link made (duplicates) */
    hy_writer parts;     /* the data of the sender's batch whose last part is still to come */
    uint64_t batch;      /* the number of the last batch the sending session started (0: none) */
    uint64_t next_part;  /* the index of its next part; 0 once its last part was sent */
} sim_dir;

typedef struct sim_link {
    size_t peer[2];
    hy_session *end[2];  /* end[k] lives at peer[k], facing peer[1 - k]; NULL while down */
    sim_dir dir[2];      /* dir[k]: from end[k] to end[1 - k] */
    sim_fault fault;
    bool cut;
} sim_link;

typedef struct sim_peer {
    hy_store *store;
    test_platform platform;
    uint8_t actor_seed[HY_KEY_LEN];
    uint8_t node_seed[HY_KEY_LEN];
    uint64_t next_tick;
} sim_peer;

typedef struct sim_options {
    size_t max_frame;        /* 0: default */
    int require_signatures;
    bool restrict_writers;   /* the genesis names the peers' actors as its writers */
    bool restrict_readers;   /* ... and their node keys as its readers */
} sim_options;

typedef struct sim_net {
    uint64_t seed;
    hy_rng rng;
    uint64_t now;
    uint64_t order;
    sim_options options;
    size_t peer_count;
    sim_peer peers[SIM_MAX_PEERS];
    size_t link_count;
    sim_link links[SIM_MAX_LINKS];
    uint8_t genesis[2 * SIM_MAX_PEERS * HY_KEY_LEN + 64];
    size_t genesis_len;
    uint8_t writers[SIM_MAX_PEERS * HY_KEY_LEN]; /* the peers' actor keys */
    uint8_t node_keys[SIM_MAX_PEERS * HY_KEY_LEN];
    uint8_t watch[HY_HASH_LEN];  /* a change whose CHANGES frames are counted */
    bool watching;
    uint64_t frames_sent;        /* by every session, since the start */
    uint64_t parted_batches;     /* batches sent in more than one CHANGES part */
    uint64_t edits;
    bool trace;                  /* print every message delivered (stderr) */
    char why[512];               /* the first failure; empty while all is well */
} sim_net;

/* A network of peer_count (2..SIM_MAX_PEERS) peers and no links; false on failure. */
bool sim_init(sim_net *n, uint64_t seed, size_t peer_count, const sim_options *options);
void sim_free(sim_net *n);

/* Adds a link between peers a and b and brings it up; returns its index. */
size_t sim_connect(sim_net *n, size_t a, size_t b, const sim_fault *fault);
/* Links of a random shape (line, ring, star or a random connected graph) with random faults
 * (a perfect link when lossless is set); returns the shape's name. */
const char *sim_random_topology(sim_net *n, bool lossless);
/* A fault profile drawn from the net's generator. */
sim_fault sim_random_fault(sim_net *n);

/* Runs the network until simulated time t (ticks and deliveries); false on failure. */
bool sim_run_until(sim_net *n, uint64_t t);
/* One transaction of 1 to 3 random edits of any type at peer p, committed and announced. */
bool sim_edit(sim_net *n, size_t p);
/* hy_session_changed on every session of peer p (after a commit made directly on its store). */
bool sim_announce(sim_net *n, size_t p);
/* Inserts len bytes of text at once at peer p: one change whose batch needs several CHANGES
 * parts once len passes 64 KiB. */
bool sim_edit_big(sim_net *n, size_t p, size_t len);
/* Disconnects link i (both sessions freed, nothing in flight) and connects it anew. */
bool sim_reconnect(sim_net *n, size_t i);
/* Saves peer p's store, frees it and loads it again, reconnecting its links. */
bool sim_restart(sim_net *n, size_t p);
/* Splits the peers in two by side (bit p: peer p's side): every link between the sides is
 * cut or disconnected. */
bool sim_partition(sim_net *n, uint32_t side);
/* Ends every partition: cut links carry messages again, disconnected ones reconnect. */
bool sim_heal(sim_net *n);

/* Every link up and uncut, nothing in flight, every session READY and in sync. */
bool sim_quiet(const sim_net *n);
/* Runs until sim_quiet, for at most max_ms; false (why says so) if it never gets there. */
bool sim_settle(sim_net *n, uint64_t max_ms);
/* Every peer holds what peer 0 holds: equal heads and byte-identical saves, nothing
 * pending, no equivocation; false (why names the peer) otherwise. */
bool sim_same_state(sim_net *n);
/* Calls hy_session_changed on every session, as a host that announces too often would. */
bool sim_poke(sim_net *n);

#endif

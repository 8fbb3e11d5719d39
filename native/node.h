/* The node: what its modules share. `hypha node` serves WebSocket sync, static files, /healthz
 * and /metrics on one libwebsockets context with one service thread, and dials other nodes;
 * `hypha sync` is the same machinery with one outgoing link and no listener.
 *
 *   node_addr.c     --listen HOST:PORT and ws[s]:// URLs
 *   node_key.c      --key SEEDFILE (node_key.h: the database commands read it too)
 *   node_log.c      one line per event on stderr
 *   node_metrics.c  counters and the Prometheus text of /metrics
 *   node_static.c   --web DIR: request path to file, content types
 *   node_http.c     the HTTP side: /healthz, /metrics, static files
 *   node_hub.c      open stores (one hy_store per store id), persistence, gossip, ticks
 *   node_ledger.c   ledgers: their figures, and checkpoints signed as a committee member
 *   node_link.c     one WebSocket sync connection: frames in, session, frames out
 *   node_dial.c     outgoing connections with reconnect and backoff
 *   node_context.c  the lws context, its protocols and timeouts
 *   node_cmd.c      `hypha node`: options, the service loop, signals
 *   cmd_sync.c      `hypha sync`: one store, one peer, once
 *   cmd_loadgen.c   `hypha loadgen`: many clients, each with a replica of its own, one node */
#ifndef HY_NODE_H
#define HY_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libwebsockets.h>

#include "db.h"
#include "hypha.h"
#include "node_key.h"

/* The WebSocket subprotocol and path of sync (docs/protocol.md, docs/node.md). */
#define NODE_SUBPROTOCOL "hypha-sync-1"
#define NODE_SYNC_PATH "/sync"

/* ---- addresses (node_addr.c) -------------------------------------------------------------- */

typedef struct node_addr {
    char host[256];  /* a name or an address, without IPv6 brackets */
    int port;
    bool tls;        /* wss:// */
    char path[512];  /* the sync path on that node: the URL's path followed by /sync */
} node_addr;

/* Parses HOST:PORT ([V6ADDR]:PORT for IPv6); tls and path are left clear. False, with why
 * filled (a phrase for an error line), when it does not parse. */
bool node_parse_listen(const char *text, node_addr *out, char *why, size_t why_len);
/* Parses ws://HOST:PORT[/PATH] or wss://... (port defaults to 80 or 443). */
bool node_parse_url(const char *url, node_addr *out, char *why, size_t why_len);

/* ---- log (node_log.c) ------------------------------------------------------------------- */

/* "2024-05-01T12:00:00Z hypha node: <message>" on stderr: one line per event. */
void node_log(const char *format, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/* Routes libwebsockets' own errors through node_log (its notices stay silent). */
void node_log_route_lws(void);

/* ---- metrics (node_metrics.c) ----------------------------------------------------------- */

/* Seconds from a link falling out of sync (a new session, a change either side) until the
 * peer's announcement names exactly our heads. Bucket upper bounds, in seconds. */
#define NODE_LATENCY_BUCKETS 10

typedef struct node_metrics {
    uint64_t peers_inbound;      /* gauges: READY sessions by direction */
    uint64_t peers_outbound;
    uint64_t connections_refused;  /* over --max-peers, or not a sync request */
    uint64_t peers_dropped;      /* misbehaving peers closed by us */
    uint64_t frames_in, frames_out, bytes_in, bytes_out;
    uint64_t changes_in, changes_out, changes_refused;
    uint64_t persist_failures;
    uint64_t latency_buckets[NODE_LATENCY_BUCKETS]; /* cumulative at render time only */
    uint64_t latency_count;
    double latency_sum;
    uint64_t stores;             /* stores the database holds */
    uint64_t stores_open;
} node_metrics;

/* One ledger's figures, as /metrics shows them labelled with its store id. */
typedef struct node_ledger_gauges {
    uint8_t store[HY_HASH_LEN];
    hy_checkpoint_info checkpoint;
} node_ledger_gauges;

void node_metrics_observe_latency(node_metrics *m, double seconds);
/* Prometheus text exposition (version 0.0.4) of m and of ledger_count ledgers into buf (cap
 * bytes, NUL-terminated when it fits). Returns the length it needs without the NUL. */
size_t node_metrics_render(const node_metrics *m, const node_ledger_gauges *ledgers,
                           size_t ledger_count, char *buf, size_t cap);

/* ---- static files (node_static.c) ------------------------------------------------------- */

typedef enum node_static_result {
    NODE_STATIC_OK = 0,
    NODE_STATIC_NOT_FOUND,   /* no such file, or a directory without index.html */
    NODE_STATIC_FORBIDDEN,   /* "..", a NUL, a backslash, or a path leading out of the root */
} node_static_result;

/* A quoted strong entity tag, 32 hex digits inside, and its NUL. */
#define NODE_STATIC_ETAG_SIZE 35

/* What names a version of a file's content, from stat: a rewrite or a touch changes it. */
typedef struct node_static_version {
    uint64_t device, inode, size, mtime_ns;
} node_static_version;

/* What the HTTP side sends with a file besides its bytes. */
typedef struct node_static_file {
    const char *content_type;
    char etag[NODE_STATIC_ETAG_SIZE];
} node_static_file;

/* Maps a request path ("/", "/app.js", percent-encoding undone by the caller) to a regular
 * file under root (a directory, already resolved by realpath): path gets its resolved name
 * (cap bytes) and file its content type and entity tag. Symbolic links inside root are
 * followed only when they stay inside it. */
node_static_result node_static_resolve(const char *root, const char *request, char *path,
                                       size_t cap, node_static_file *file);
/* The Content-Type for a file name, by its extension; application/octet-stream otherwise. */
const char *node_static_content_type(const char *name);
/* The ETag of a file's version: equal versions give equal tags, any change another. */
void node_static_etag(const node_static_version *version, char etag[NODE_STATIC_ETAG_SIZE]);
/* Whether an If-None-Match value (len bytes, as the client sent it) names etag under the
 * weak comparison of RFC 9110 13.1.2: "*", or a list holding it with or without "W/". A
 * value that is not valid If-None-Match syntax names nothing. */
bool node_static_etag_matches(const char *if_none_match, size_t len, const char *etag);

/* ---- the hub: open stores, sessions, persistence (node_hub.c) --------------------------- */

typedef struct node_link node_link;

typedef struct node_store {
    uint8_t id[HY_HASH_LEN];
    char label[24];         /* the first 16 hex digits of the id, for logs */
    hy_store *store;
    uint8_t *genesis;
    size_t genesis_len;
    node_link *links;       /* the links with a session on this store */
    /* A replica of its own for one outgoing link (`hypha loadgen`'s clients): held in memory
     * only (never persisted) and never served to inbound peers. */
    bool memory_only;
    /* Persisted since the last tick, and since the last compaction check: the tick compacts
     * a store that wrote before but not during the last second (hy_db_store_compact). */
    bool persisted_in_tick, persisted_since_compact;
    /* The ledger kept in the store, when its genesis names a committee and the hub follows
     * ledgers (node_ledger.c); freed before the store. */
    hy_ledger *ledger;
    /* The store's actor is the hub's committee key, a member of this ledger's committee:
     * the node signs its checkpoints. */
    bool signs_checkpoints;
    /* A member signs once the ledger settles: quiet_ticks ticks in a row in which it held
     * held_ops ops (checkpoint votes not counted), and changes arrived since its last
     * attempt (a vote it may join counts). */
    unsigned quiet_ticks;
    uint64_t held_ops;
    bool changed_since_checkpoint;
    uint64_t certified_logged; /* the newest certified epoch the log has named */
} node_store;

typedef struct node_hub {
    hy_db *db;
    hy_platform platform;
    uint8_t node_seed[HY_KEY_LEN];
    size_t max_frame;       /* 0: HY_DEFAULT_MAX_FRAME */
    size_t max_peers;       /* inbound links at once; 0: no limit */
    size_t inbound;         /* inbound links now open */
    node_store **stores;    /* opened so far; each stays open until the hub closes */
    size_t store_count, store_cap;
    node_link *handshaking; /* links waiting for their first frame (inbound, no session) */
    node_metrics metrics;
    bool persist_failed;    /* the last persist failed: /healthz says so */
    bool stopping;          /* shutting down: no reconnects */
    bool quiet;             /* `hypha sync`: no log lines, errors go to its one line */
    bool follow_ledgers;    /* `hypha node`: node_hub_follow_ledgers */
    bool has_committee_key;
    uint8_t committee_seed[HY_KEY_LEN]; /* --committee-key; wiped by node_hub_close */
    uint8_t committee_key[HY_KEY_LEN];
    char key_hex[2 * HY_KEY_LEN + 1]; /* the node key, for the log */
    const char *web_root;   /* realpath of --web, or NULL: no static files */
    struct lws_context *context; /* its user pointer is the hub */
    lws_sorted_usec_list_t tick;
} node_hub;

void node_hub_init(node_hub *hub, hy_db *db, const uint8_t node_seed[HY_KEY_LEN],
                   size_t max_frame);
/* Closes every store (links must be gone: lws closes them before the hub goes; call
 * node_hub_stop_ticks before destroying the context). */
void node_hub_close(node_hub *hub);
/* The open store with this id, opened from the database on first use. HY_E_NOT_FOUND when
 * the database does not hold it. */
hy_err node_hub_store(node_hub *hub, const uint8_t id[HY_HASH_LEN], node_store **out);
/* Another replica of the store with this id, loaded from the database like the first but
 * held apart from it: memory_only, its own hy_store and links. Closed with the hub. */
hy_err node_hub_replica(node_hub *hub, const uint8_t id[HY_HASH_LEN], node_store **out);
/* Writes what st gained since its last persist to the database (nothing for memory_only). */
hy_err node_hub_persist(node_hub *hub, node_store *st);
/* st changed through from: every other link of st passes the changes on. */
void node_hub_changed(node_hub *hub, node_store *st, const node_link *from);
/* Starts the one-second tick (hy_session_tick on every session, handshake deadlines). */
void node_hub_start_ticks(node_hub *hub, struct lws_context *context);
void node_hub_stop_ticks(node_hub *hub);

/* ---- ledgers (node_ledger.c) ------------------------------------------------------------ */

/* From now on, every store the hub opens whose genesis names a committee gets a ledger
 * (hy_ledger_open), for /metrics and the log. With committee_seed (NULL: none), a ledger
 * whose committee names that key is opened with it as the store's actor, and the node signs
 * the ledger's checkpoints as that member (docs/node.md, "Ledgers"). */
void node_hub_follow_ledgers(node_hub *hub, const uint8_t *committee_seed);
/* The actor a store with this genesis is opened with: the committee seed when the hub
 * signs its checkpoints, else NULL (the node key). */
const uint8_t *node_ledger_actor(const node_hub *hub, const hy_genesis *policy);
/* Opens st's ledger when the hub follows ledgers and st's genesis names a committee. */
hy_err node_ledger_open(node_hub *hub, node_store *st, const hy_genesis *policy);
/* With a committee key, logs it and how many of the open ledgers it signs for. */
void node_ledger_log_committee(const node_hub *hub);
/* st changed (node_hub_changed): logs a checkpoint its ledger newly certified. */
void node_ledger_changed(node_store *st);
/* The tick of st's ledger (before compaction, which clears persisted_in_tick): a member
 * signs a checkpoint once the ledger has settled. */
void node_ledger_tick(node_hub *hub, node_store *st);
/* Fills out with up to cap ledgers' figures; returns how many ledgers the hub follows. */
size_t node_ledger_gauges_get(const node_hub *hub, node_ledger_gauges *out, size_t cap);

/* ---- links: one sync connection each (node_link.c) -------------------------------------- */

/* How long a connection may take from its WebSocket handshake to an authenticated session. */
#define NODE_HANDSHAKE_SECONDS 10

typedef struct node_dial node_dial;

struct node_link {
    struct lws *wsi;
    node_hub *hub;
    node_store *st;           /* NULL until the first frame names a store (inbound) */
    hy_session *session;
    node_dial *dial;          /* the dialer of an outgoing link, else NULL */
    node_link *next, *prev;   /* in st->links, or in hub->handshaking */
    char peer[128];           /* the peer's address or URL (cut at 100 bytes), for logs */
    bool inbound;
    bool counted_ready;       /* counted in the peers gauge */
    bool writes_idle;         /* the last hy_session_next found nothing queued */
    bool closing;             /* the last frame has gone out: close at the next chance */
    const char *drop_reason;  /* why we drop the peer: logged once when it closes */
    char drop_detail[96];
    uint8_t *rx;              /* the message being assembled */
    size_t rx_len, rx_cap;
    uint8_t *tx;              /* LWS_PRE + one frame */
    size_t tx_cap;
    uint8_t error_frame[HY_ERROR_FRAME_MAX]; /* an ERROR of our own before any session */
    size_t error_frame_len;
    hy_session_stats seen;    /* stats already added to the metrics */
    int64_t opened_ms;        /* monotonic */
    int64_t unsynced_since_ms;/* when it last fell out of sync; -1 while in sync */
};

/* The lws protocol of NODE_SUBPROTOCOL, for both ends. */
extern const struct lws_protocols node_sync_protocol;
/* "203.0.113.5:40112": the address lws accepted wsi from. */
void node_describe_peer(struct lws *wsi, char *out, size_t cap);
/* A session's state may have moved (tick, gossip): send what it queued. */
void node_link_kick(node_link *link);
/* Ends the link from outside a callback for it, logging reason once. */
void node_link_drop(node_link *link, const char *reason);
/* Whether the link is in sync: an authenticated session, the peer's last announcement names
 * exactly our heads, and every frame has gone out. NULL: false. */
bool node_link_in_sync(const node_link *link);

/* ---- outgoing links (node_dial.c) ------------------------------------------------------- */

struct node_dial {
    node_hub *hub;
    node_addr addr;
    char url[300];
    uint8_t store_id[HY_HASH_LEN];
    node_store *st;           /* the replica to sync (node_hub_replica); NULL: the hub's
                               * store of store_id */
    char label[24];           /* the store, for logs */
    node_link *link;          /* while connected */
    unsigned failures;        /* consecutive failed attempts, for the backoff */
    bool once;                /* `hypha sync`: no reconnect */
    bool active;              /* an attempt or a connection is under way */
    bool ended;               /* once: the link has closed or failed ... */
    char why[128];            /* ... and why */
    int last_state;           /* what was logged last, so each state is logged once */
    lws_sorted_usec_list_t retry;
};

/* Starts connecting (now, or after the backoff when retrying). */
void node_dial_start(node_dial *dial);
/* The link of dial closed (or never opened): log and schedule the next attempt. */
void node_dial_lost(node_dial *dial, const char *why);
/* The link became READY: the backoff starts over. */
void node_dial_ready(node_dial *dial);
/* Milliseconds before attempt number failures + 1: doubling from 500 ms, capped at 30 s,
 * then between 75% and 100% of that so that peers that failed together spread out. */
unsigned node_backoff_ms(unsigned failures, uint32_t random);

/* ---- the context (node_context.c) ------------------------------------------------------- */

typedef struct node_context_options {
    const node_addr *listen;  /* NULL: no listener (`hypha sync`) */
    const char *tls_cert, *tls_key; /* both or neither */
    const char *tls_ca;       /* extra CA for wss:// peers; NULL: the system's */
} node_context_options;

/* Creates the lws context serving hub; NULL after a logged error line. */
struct lws_context *node_context_create(node_hub *hub, const node_context_options *options);
/* The port the context listens on (the one the system chose for --listen HOST:0), or -1. */
int node_context_port(struct lws_context *context);
/* The lws protocol of plain HTTP (node_http.c): the first in the list, as lws wants. */
extern const struct lws_protocols node_http_protocol;

/* Monotonic milliseconds, and microseconds. */
int64_t node_now_ms(void);
int64_t node_now_us(void);

#endif

/* One WebSocket sync connection, either end: WebSocket messages in, whole frames to the
 * session, the session's frames out one per message. The rules that make the node safe to
 * expose live here:
 * - received changes are persisted before any frame goes out, so whatever the peer sees
 *   acknowledged (our SYNC naming its heads) survives kill -9;
 * - a connection buffers at most one message in and one frame out (lws holds at most the
 *   unsent rest of that frame), and stops reading while the peer does not read;
 * - a peer that breaks the rules gets the ERROR frame the session queued (or one of ours
 *   when no session exists yet), is dropped, and costs one log line. */
#include "node.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "bytes.h"

/* Frames coalesced in front of a full-size one by a sender that batches small frames. */
enum { MESSAGE_SLACK = 4096 };
/* Buffers above this go back to the allocator once used: idle links stay small. */
enum { KEEP_BUFFER = 16 * 1024 };

/* The bytes a WebSocket message may hold: one whole frame of max_frame, and some slack. */
static size_t max_message(const node_hub *hub)
{
    size_t max_frame = hub->max_frame ? hub->max_frame : HY_DEFAULT_MAX_FRAME;
    return max_frame + 1 + HY_VARINT_MAX_LEN + MESSAGE_SLACK;
}

void node_describe_peer(struct lws *wsi, char *out, size_t cap)
{
    struct sockaddr_storage addr;
    socklen_t len = sizeof addr;
    char host[INET6_ADDRSTRLEN] = "?";
    int port = 0;
    int fd = (int)lws_get_socket_fd(wsi);
    if (fd >= 0 && getpeername(fd, (struct sockaddr *)&addr, &len) == 0) {
        if (addr.ss_family == AF_INET) {
            const struct sockaddr_in *in4 = (const struct sockaddr_in *)&addr;
            inet_ntop(AF_INET, &in4->sin_addr, host, sizeof host);
            port = ntohs(in4->sin_port);
        } else if (addr.ss_family == AF_INET6) {
            const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&addr;
            inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
            port = ntohs(in6->sin6_port);
        }
    }
    snprintf(out, cap, strchr(host, ':') != NULL ? "[%s]:%d" : "%s:%d", host, port);
}

/* ---- lists: a link is in hub->handshaking until it has a session, then in st->links ---- */

static node_link **list_of(node_link *link)
{
    return link->st != NULL ? &link->st->links : &link->hub->handshaking;
}

static void list_insert(node_link *link)
{
    node_link **head = list_of(link);
    link->prev = NULL;
    link->next = *head;
    if (*head != NULL)
        (*head)->prev = link;
    *head = link;
}

static void list_remove(node_link *link)
{
    if (link->prev != NULL)
        link->prev->next = link->next;
    else
        *list_of(link) = link->next;
    if (link->next != NULL)
        link->next->prev = link->prev;
    link->next = link->prev = NULL;
}

/* ---- metrics ---- */

/* Adds what the session did since the last call to the node's counters; returns how many
 * changes it received. Also times the way back into sync. */
static uint64_t account(node_link *link)
{
    if (link->session == NULL)
        return 0;
    node_metrics *m = &link->hub->metrics;
    hy_session_stats now;
    hy_session_get_stats(link->session, &now);
    m->frames_in += now.frames_in - link->seen.frames_in;
    m->frames_out += now.frames_out - link->seen.frames_out;
    m->bytes_in += now.bytes_in - link->seen.bytes_in;
    m->bytes_out += now.bytes_out - link->seen.bytes_out;
    m->changes_in += now.changes_in - link->seen.changes_in;
    m->changes_out += now.changes_out - link->seen.changes_out;
    m->changes_refused += now.changes_refused - link->seen.changes_refused;
    uint64_t received = now.changes_in - link->seen.changes_in;
    link->seen = now;

    bool ready = hy_session_get_state(link->session) == HY_SESSION_READY;
    bool in_sync = ready && hy_session_in_sync(link->session);
    int64_t ms = node_now_ms();
    if (in_sync && link->unsynced_since_ms >= 0) {
        node_metrics_observe_latency(m, (double)(ms - link->unsynced_since_ms) / 1000.0);
        link->unsynced_since_ms = -1;
    } else if (!in_sync && link->unsynced_since_ms < 0) {
        link->unsynced_since_ms = ms;
    }
    if (ready && !link->counted_ready) {
        link->counted_ready = true;
        if (link->inbound)
            m->peers_inbound++;
        else
            m->peers_outbound++;
        if (link->dial != NULL)
            node_dial_ready(link->dial);
    }
    return received;
}

/* ---- ending a link ---- */

/* Records why the peer is dropped; only the first reason counts (and is logged). */
static void set_drop_reason(node_link *link, const char *reason, const char *detail)
{
    if (link->drop_reason != NULL)
        return;
    link->drop_reason = reason;
    snprintf(link->drop_detail, sizeof link->drop_detail, "%s", detail != NULL ? detail : "");
    link->hub->metrics.peers_dropped++;
}

void node_link_drop(node_link *link, const char *reason)
{
    set_drop_reason(link, reason, NULL);
    /* No ERROR frame: a peer that stalls is not reading. Closed at the next service. */
    lws_set_timeout(link->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
}

/* An ERROR frame of our own, for refusals without a session (garbage before HELLO, an unknown
 * store) or of the transport (a text message, a message over the size limit): type, payload
 * length, code, text (docs/protocol.md, "ERROR"). */
static void refuse(node_link *link, hy_err code, const char *why)
{
    if (hy_error_frame(code, why, link->error_frame, sizeof link->error_frame,
                       &link->error_frame_len) != HY_OK)
        link->error_frame_len = 0; /* our reasons are short; never reached */
    set_drop_reason(link, hy_err_str(code), why);
    /* Whatever the peer sends from now on is ignored; a peer that does not read the ERROR
     * is cut off a little later. */
    lws_set_timeout(link->wsi, PENDING_TIMEOUT_USER_OK, 5);
    node_link_kick(link);
}

bool node_link_in_sync(const node_link *link)
{
    return link != NULL && link->session != NULL &&
           hy_session_get_state(link->session) == HY_SESSION_READY &&
           hy_session_in_sync(link->session) && link->writes_idle &&
           !lws_send_pipe_choked(link->wsi);
}

void node_link_kick(node_link *link)
{
    link->writes_idle = false;
    lws_callback_on_writable(link->wsi);
}

/* ---- opening ---- */

static void link_open(node_link *link, struct lws *wsi, bool inbound)
{
    node_hub *hub = lws_context_user(lws_get_context(wsi));
    link->wsi = wsi;
    link->hub = hub;
    link->inbound = inbound;
    link->opened_ms = node_now_ms();
    link->unsynced_since_ms = link->opened_ms;
    if (inbound) {
        node_describe_peer(wsi, link->peer, sizeof link->peer);
        hub->inbound++;
    }
    list_insert(link);
}

static hy_err start_session(node_link *link, node_store *st)
{
    node_hub *hub = link->hub;
    uint8_t nonce[HY_NONCE_LEN];
    hy_err err = hub->platform.random_bytes(hub->platform.user, nonce, sizeof nonce);
    if (err)
        return err;
    hy_session_config config;
    memset(&config, 0, sizeof config);
    config.store = st->store;
    config.genesis = st->genesis;
    config.genesis_len = st->genesis_len;
    config.node_seed = hub->node_seed;
    config.nonce = nonce;
    config.max_frame = hub->max_frame;
    err = hy_session_new(&config, &link->session);
    if (err)
        return err;
    list_remove(link);
    link->st = st;
    list_insert(link);
    return HY_OK;
}

/* ---- frames in ---- */

/* The first message of an inbound link names the store: open it and start the session. */
static bool start_inbound(node_link *link, const uint8_t *data, size_t len)
{
    uint8_t id[HY_HASH_LEN];
    hy_err err = hy_hello_store_id(data, len, id);
    if (err) {
        refuse(link, err == HY_E_TOO_LARGE ? err : HY_E_PROTOCOL,
               "the first frame is not a HELLO");
        return false;
    }
    node_store *st;
    err = node_hub_store(link->hub, id, &st);
    if (err == HY_OK)
        err = start_session(link, st);
    if (err) {
        refuse(link, err, err == HY_E_NOT_FOUND ? "no such store here" : "cannot open the store");
        return false;
    }
    return true;
}

static void handle_message(node_link *link, const uint8_t *data, size_t len)
{
    if (link->session == NULL && !start_inbound(link, data, len))
        return;
    hy_err err = hy_session_receive(link->session, data, len);
    if (account(link) > 0) {
        /* Persisted before any frame goes out: the peer's changes are durable before we
         * name them in a SYNC. If that fails, nothing is acknowledged: drop the link; the
         * peer resends once we are healthy. */
        if (node_hub_persist(link->hub, link->st) != HY_OK) {
            lws_set_timeout(link->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
            link->closing = true;
            return;
        }
        node_hub_changed(link->hub, link->st, link);
    }
    if (err == HY_E_CLOSED) {
        /* The peer ended the session with an ERROR frame: its choice, not misbehaviour. */
        if (!link->hub->quiet)
            node_log("peer %s ended the session: %s", link->peer,
                     hy_err_str(hy_session_error(link->session)));
    } else if (err) {
        set_drop_reason(link, hy_err_str(err), NULL);
    }
    node_link_kick(link);
}

static void receive(node_link *link, const uint8_t *in, size_t len)
{
    if (link->error_frame_len > 0 || link->closing || link->drop_reason != NULL)
        return;
    if (!lws_frame_is_binary(link->wsi)) {
        refuse(link, HY_E_PROTOCOL, "text message (sync messages are binary)");
        return;
    }
    size_t max = max_message(link->hub);
    if (len > max - link->rx_len) {
        refuse(link, HY_E_TOO_LARGE, "message over the size limit");
        return;
    }
    size_t need = link->rx_len + len;
    if (need > link->rx_cap) {
        size_t cap = link->rx_cap ? link->rx_cap : 4096;
        while (cap < need)
            cap *= 2;
        uint8_t *grown = realloc(link->rx, cap < max ? cap : max);
        if (grown == NULL) {
            refuse(link, HY_E_NOMEM, "out of memory");
            return;
        }
        link->rx = grown;
        link->rx_cap = cap < max ? cap : max;
    }
    memcpy(link->rx + link->rx_len, in, len);
    link->rx_len = need;
    if (!lws_is_final_fragment(link->wsi) || lws_remaining_packet_payload(link->wsi) > 0)
        return;
    size_t message_len = link->rx_len;
    link->rx_len = 0;
    handle_message(link, link->rx, message_len);
    if (link->rx_cap > KEEP_BUFFER) {
        free(link->rx);
        link->rx = NULL;
        link->rx_cap = 0;
    }
    /* A peer that sends without reading would grow the session's queue without bound:
     * stop reading until it has taken what we owe it. */
    if (lws_send_pipe_choked(link->wsi))
        lws_rx_flow_control(link->wsi, 0);
}

/* ---- frames out ---- */

static int close_link(node_link *link)
{
    static const char bye[] = "sync session ended";
    lws_close_reason(link->wsi,
                     link->drop_reason != NULL ? LWS_CLOSE_STATUS_POLICY_VIOLATION
                                               : LWS_CLOSE_STATUS_NORMAL,
                     (unsigned char *)(uintptr_t)bye, sizeof bye - 1);
    return -1;
}

static int send_bytes(node_link *link, const uint8_t *frame, size_t len)
{
    if (link->tx_cap < LWS_PRE + len) {
        free(link->tx);
        link->tx = malloc(LWS_PRE + len);
        link->tx_cap = link->tx != NULL ? LWS_PRE + len : 0;
        if (link->tx == NULL)
            return -1;
    }
    memcpy(link->tx + LWS_PRE, frame, len);
    /* lws sends what the socket takes and keeps the rest, calling us writable again only
     * once it has gone: one frame in flight per link. */
    int written = lws_write(link->wsi, link->tx + LWS_PRE, len, LWS_WRITE_BINARY);
    if (link->tx_cap > KEEP_BUFFER) {
        free(link->tx);
        link->tx = NULL;
        link->tx_cap = 0;
    }
    return written < 0 || (size_t)written < len ? -1 : 0;
}

static int writable(node_link *link)
{
    if (link->closing)
        return close_link(link);
    if (link->error_frame_len > 0) {
        size_t len = link->error_frame_len;
        link->error_frame_len = 0;
        link->closing = true;
        if (send_bytes(link, link->error_frame, len) != 0)
            return -1;
        lws_callback_on_writable(link->wsi);
        return 0;
    }
    if (link->session == NULL)
        return 0;
    const uint8_t *frame;
    size_t len;
    hy_err err = hy_session_next(link->session, &frame, &len);
    if (err == HY_E_NOT_FOUND) {
        link->writes_idle = true;
        lws_rx_flow_control(link->wsi, 1);
        if (hy_session_get_state(link->session) == HY_SESSION_CLOSED)
            return close_link(link);
        return 0;
    }
    if (err) {
        set_drop_reason(link, "cannot send", hy_err_str(err));
        return close_link(link);
    }
    if (send_bytes(link, frame, len) != 0)
        return -1;
    account(link);
    lws_callback_on_writable(link->wsi);
    return 0;
}

/* ---- closing ---- */

static void link_closed(node_link *link, const char *why)
{
    if (link->hub == NULL)
        return; /* never opened */
    node_hub *hub = link->hub;
    account(link);
    char reason[192];
    if (link->drop_reason != NULL) {
        snprintf(reason, sizeof reason, "%s%s%s", link->drop_reason,
                 link->drop_detail[0] != '\0' ? ": " : "", link->drop_detail);
        why = reason;
        if (!hub->quiet)
            node_log("peer %s dropped: %s", link->peer, reason);
    } else if (link->session != NULL &&
               hy_session_get_state(link->session) == HY_SESSION_CLOSED &&
               hy_session_error(link->session) != HY_OK) {
        snprintf(reason, sizeof reason, "the peer ended the session: %s",
                 hy_err_str(hy_session_error(link->session)));
        why = reason;
    }
    list_remove(link);
    if (link->counted_ready) {
        if (link->inbound)
            hub->metrics.peers_inbound--;
        else
            hub->metrics.peers_outbound--;
    }
    if (link->inbound)
        hub->inbound--;
    hy_session_free(link->session);
    free(link->rx);
    free(link->tx);
    node_dial *dial = link->dial;
    memset(link, 0, sizeof *link);
    if (dial != NULL) {
        dial->link = NULL;
        node_dial_lost(dial, why);
    }
}

/* ---- the lws callback ---- */

static int link_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
                         void *in, size_t len)
{
    node_link *link = user;
    switch (reason) {
    case LWS_CALLBACK_ESTABLISHED:
        link_open(link, wsi, true);
        break;
    case LWS_CALLBACK_CLIENT_ESTABLISHED: {
        node_dial *dial = lws_get_opaque_user_data(wsi);
        link_open(link, wsi, false);
        link->dial = dial;
        dial->link = link;
        snprintf(link->peer, sizeof link->peer, "%.100s", dial->url);
        node_store *st = dial->st;
        hy_err err = st != NULL ? HY_OK : node_hub_store(link->hub, dial->store_id, &st);
        if (err == HY_OK)
            err = start_session(link, st);
        if (err) {
            node_log("peer %s: cannot start a session: %s", link->peer, hy_err_str(err));
            return -1;
        }
        node_link_kick(link);
        break;
    }
    case LWS_CALLBACK_RECEIVE:
    case LWS_CALLBACK_CLIENT_RECEIVE:
        if (link != NULL && link->hub != NULL)
            receive(link, in, len);
        break;
    case LWS_CALLBACK_SERVER_WRITEABLE:
    case LWS_CALLBACK_CLIENT_WRITEABLE:
        if (link != NULL && link->hub != NULL)
            return writable(link);
        break;
    case LWS_CALLBACK_CLOSED:
    case LWS_CALLBACK_CLIENT_CLOSED:
        if (link != NULL)
            link_closed(link, "connection closed");
        break;
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR: {
        /* Before CLIENT_ESTABLISHED: no link yet, only the dialer to tell. */
        node_dial *dial = lws_get_opaque_user_data(wsi);
        if (link != NULL && link->hub != NULL) {
            link_closed(link, in != NULL ? in : "connection failed");
        } else if (dial != NULL) {
            dial->link = NULL;
            node_dial_lost(dial, in != NULL ? in : "connection failed");
        }
        break;
    }
    default:
        break;
    }
    return 0;
}

const struct lws_protocols node_sync_protocol = {
    .name = NODE_SUBPROTOCOL,
    .callback = link_callback,
    .per_session_data_size = sizeof(node_link),
    /* The chunk lws hands us at a time, allocated per connection: small keeps idle links
     * cheap; messages of any size up to the limit are assembled in node_link.rx. */
    .rx_buffer_size = 8192,
};

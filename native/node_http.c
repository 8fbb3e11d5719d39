/* The node's HTTP side, on the same port as sync: /healthz, /metrics and, with --web, static
 * files. Everything else is a 404; methods other than GET are a 405. */
#include "node.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* Per HTTP connection (lws allocates and zeroes it): a response body waiting for the socket
 * to become writable. */
typedef struct http_pending {
    uint8_t *body; /* LWS_PRE bytes of room, then len bytes */
    size_t len;
} http_pending;

static void pending_clear(http_pending *pending)
{
    free(pending->body);
    pending->body = NULL;
    pending->len = 0;
}

/* After a response: keep the connection for the next request, or close it (-1). */
static int transaction_done(struct lws *wsi)
{
    return lws_http_transaction_completed(wsi) ? -1 : 0;
}

/* Sends the headers of a text response now and keeps its body (copied) for the writable
 * callback: lws wants one write per writable event. */
static int respond_text(struct lws *wsi, http_pending *pending, unsigned status,
                        const char *content_type, const char *body, size_t len)
{
    pending_clear(pending);
    pending->body = malloc(LWS_PRE + len + 1);
    if (pending->body == NULL)
        return -1;
    memcpy(pending->body + LWS_PRE, body, len);
    pending->len = len;
    uint8_t headers[LWS_PRE + 512];
    uint8_t *start = headers + LWS_PRE, *p = start, *end = headers + sizeof headers - 1;
    if (lws_add_http_common_headers(wsi, status, content_type, len, &p, end) ||
        lws_add_http_header_by_name(wsi, (const uint8_t *)"cache-control:",
                                    (const uint8_t *)"no-store", 8, &p, end) ||
        lws_finalize_write_http_header(wsi, start, &p, end))
        return -1;
    lws_callback_on_writable(wsi);
    return 0;
}

static int respond_status(struct lws *wsi, unsigned status)
{
    if (lws_return_http_status(wsi, status, NULL))
        return -1;
    return transaction_done(wsi);
}

static int serve_metrics(struct lws *wsi, http_pending *pending, const node_hub *hub)
{
    size_t ledger_count = node_ledger_gauges_get(hub, NULL, 0);
    node_ledger_gauges *ledgers = calloc(ledger_count ? ledger_count : 1, sizeof *ledgers);
    if (ledgers == NULL)
        return respond_status(wsi, HTTP_STATUS_INTERNAL_SERVER_ERROR);
    node_ledger_gauges_get(hub, ledgers, ledger_count);
    size_t need = node_metrics_render(&hub->metrics, ledgers, ledger_count, NULL, 0);
    char *text = malloc(need + 1);
    int result;
    if (text == NULL) {
        result = respond_status(wsi, HTTP_STATUS_INTERNAL_SERVER_ERROR);
    } else {
        node_metrics_render(&hub->metrics, ledgers, ledger_count, text, need + 1);
        result = respond_text(wsi, pending, HTTP_STATUS_OK, "text/plain; version=0.0.4", text,
                              need);
    }
    free(text);
    free(ledgers);
    return result;
}

/* The headers of a file's response besides its status, type and length, on a 200 and on a
 * 304 alike. */
static int add_file_headers(struct lws *wsi, const node_static_file *file, uint8_t **p,
                            uint8_t *end)
{
    /* nosniff: a browser must not run a file as a type other than the one we name. no-cache:
     * it may keep the file but must ask again (If-None-Match) before each use, so a reload
     * costs a 304 per unchanged file and never shows a stale one. */
    return lws_add_http_header_by_name(wsi, (const uint8_t *)"x-content-type-options:",
                                       (const uint8_t *)"nosniff", 7, p, end) ||
           lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_ETAG, (const uint8_t *)file->etag,
                                        (int)strlen(file->etag), p, end) ||
           lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CACHE_CONTROL,
                                        (const uint8_t *)"no-cache", 8, p, end);
}

/* Whether the request's If-None-Match names the file's version. A value too long for the
 * buffer names nothing: the client gets the whole file, which is always a right answer. */
static bool client_has_file(struct lws *wsi, const node_static_file *file)
{
    char value[512];
    int len = lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_IF_NONE_MATCH);
    if (len <= 0 || len >= (int)sizeof value)
        return false;
    len = lws_hdr_copy(wsi, value, sizeof value, WSI_TOKEN_HTTP_IF_NONE_MATCH);
    return len > 0 && node_static_etag_matches(value, (size_t)len, file->etag);
}

static int respond_not_modified(struct lws *wsi, const node_static_file *file)
{
    uint8_t headers[LWS_PRE + 512];
    uint8_t *start = headers + LWS_PRE, *p = start, *end = headers + sizeof headers - 1;
    if (lws_add_http_header_status(wsi, HTTP_STATUS_NOT_MODIFIED, &p, end) ||
        add_file_headers(wsi, file, &p, end) || lws_finalize_http_header(wsi, &p, end))
        return -1;
    /* A 304 ends with its headers (RFC 9110 15.4.5): no content-length, which would have to be
     * the file's, and the end of the stream on HTTP/2. */
    int len = (int)(p - start);
    if (lws_write(wsi, start, (size_t)len,
                  (enum lws_write_protocol)(LWS_WRITE_HTTP_HEADERS | LWS_WRITE_H2_STREAM_END)) !=
        len)
        return -1;
    return transaction_done(wsi);
}

static int serve_file(struct lws *wsi, const node_hub *hub, const char *request)
{
    if (hub->web_root == NULL)
        return respond_status(wsi, HTTP_STATUS_NOT_FOUND);
    char path[PATH_MAX];
    node_static_file file;
    switch (node_static_resolve(hub->web_root, request, path, sizeof path, &file)) {
    case NODE_STATIC_OK:
        break;
    case NODE_STATIC_FORBIDDEN:
        return respond_status(wsi, HTTP_STATUS_FORBIDDEN);
    default:
        return respond_status(wsi, HTTP_STATUS_NOT_FOUND);
    }
    if (client_has_file(wsi, &file))
        return respond_not_modified(wsi, &file);
    /* Zeroed, with room for a NUL after the headers: lws looks for a cache-control among them
     * with strstr (to leave out its own, no-store) and would read on past an unterminated
     * buffer. On HTTP/2 the headers are HPACK, where strstr finds none: no-store goes too. */
    uint8_t extra[256] = { 0 };
    uint8_t *p = extra, *end = extra + sizeof extra - 1;
    if (add_file_headers(wsi, &file, &p, end))
        return -1;
    int n = lws_serve_http_file(wsi, path, file.content_type, (const char *)extra,
                                (int)(p - extra));
    if (n < 0)
        return -1;
    return n > 0 ? transaction_done(wsi) : 0;
}

/* Whether the list of subprotocols a client offers (comma-separated) holds ours. */
static bool offers_subprotocol(struct lws *wsi)
{
    char offered[256];
    if (lws_hdr_copy(wsi, offered, sizeof offered, WSI_TOKEN_PROTOCOL) <= 0)
        return false;
    for (char *item = strtok(offered, ", "); item != NULL; item = strtok(NULL, ", ")) {
        if (strcmp(item, NODE_SUBPROTOCOL) == 0)
            return true;
    }
    return false;
}

/* Before lws upgrades a request to WebSocket: only sync, at its path, within --max-peers.
 * A refusal is an HTTP status (1: sent), so a client learns why instead of seeing a reset. */
static int confirm_upgrade(struct lws *wsi, const char *upgrade)
{
    node_hub *hub = lws_context_user(lws_get_context(wsi));
    char uri[64];
    unsigned status = 0;
    if (upgrade == NULL || strcmp(upgrade, "websocket") != 0)
        status = HTTP_STATUS_BAD_REQUEST;
    else if (lws_hdr_copy(wsi, uri, sizeof uri, WSI_TOKEN_GET_URI) <= 0 ||
             strcmp(uri, NODE_SYNC_PATH) != 0)
        status = HTTP_STATUS_NOT_FOUND;
    else if (!offers_subprotocol(wsi))
        status = HTTP_STATUS_BAD_REQUEST;
    else if (hub->max_peers > 0 && hub->inbound >= hub->max_peers)
        status = HTTP_STATUS_SERVICE_UNAVAILABLE;
    if (status == 0)
        return 0;
    hub->metrics.connections_refused++;
    if (status == HTTP_STATUS_SERVICE_UNAVAILABLE) {
        char peer[128];
        node_describe_peer(wsi, peer, sizeof peer);
        node_log("refused %s: --max-peers %zu reached", peer, hub->max_peers);
    }
    return lws_return_http_status(wsi, status, NULL) ? -1 : 1;
}

static int handle_request(struct lws *wsi, http_pending *pending, const char *uri)
{
    node_hub *hub = lws_context_user(lws_get_context(wsi));
    if (lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI) <= 0)
        return respond_status(wsi, HTTP_STATUS_METHOD_NOT_ALLOWED);
    if (strcmp(uri, "/healthz") == 0) {
        if (hub->persist_failed) {
            static const char failing[] = "database write failed\n";
            return respond_text(wsi, pending, HTTP_STATUS_SERVICE_UNAVAILABLE,
                                "text/plain; charset=utf-8", failing, sizeof failing - 1);
        }
        return respond_text(wsi, pending, HTTP_STATUS_OK, "text/plain; charset=utf-8", "ok\n",
                            3);
    }
    if (strcmp(uri, "/metrics") == 0)
        return serve_metrics(wsi, pending, hub);
    /* /sync without an upgrade is a plain GET of a path that holds no file. */
    return serve_file(wsi, hub, uri);
}

static int http_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
                         void *in, size_t len)
{
    http_pending *pending = user;
    switch (reason) {
    case LWS_CALLBACK_HTTP:
        return handle_request(wsi, pending, in);
    case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
        return confirm_upgrade(wsi, in);
    case LWS_CALLBACK_HTTP_WRITEABLE: {
        if (pending == NULL || pending->body == NULL)
            break;
        int written = lws_write(wsi, pending->body + LWS_PRE, pending->len,
                                LWS_WRITE_HTTP_FINAL);
        pending_clear(pending);
        if (written < 0)
            return -1;
        return transaction_done(wsi);
    }
    case LWS_CALLBACK_HTTP_FILE_COMPLETION:
        return transaction_done(wsi);
    case LWS_CALLBACK_CLOSED_HTTP:
        if (pending != NULL)
            pending_clear(pending);
        break;
    default:
        break;
    }
    return lws_callback_http_dummy(wsi, reason, user, in, len);
}

const struct lws_protocols node_http_protocol = {
    .name = "http",
    .callback = http_callback,
    .per_session_data_size = sizeof(http_pending),
};

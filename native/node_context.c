/* The libwebsockets context: one vhost that serves HTTP and WebSocket sync on one port (or
 * none, for `hypha sync`), its timeouts, and TLS. */
#include "node.h"

#include <string.h>

static const struct lws_protocols *protocols[] = {
    &node_http_protocol, /* first: lws hands it every plain HTTP request */
    &node_sync_protocol,
    NULL,
};

/* WebSocket links that go quiet are pinged after 30 s and dropped 30 s later without an
 * answer: in-sync peers send nothing, so silence alone is no reason to drop one, but a dead
 * peer (or one that stopped reading) is found within a minute. */
static const lws_retry_bo_t idle_policy = {
    .secs_since_valid_ping = 30,
    .secs_since_valid_hangup = 60,
};

/* lws binds --listen's host as an interface name or a numeric address. */
static const char *bind_address(const char *host)
{
    if (strcmp(host, "localhost") == 0)
        return "127.0.0.1";
    if (strcmp(host, "*") == 0 || strcmp(host, "0.0.0.0") == 0 || strcmp(host, "::") == 0)
        return NULL; /* every interface */
    return host;
}

struct lws_context *node_context_create(node_hub *hub, const node_context_options *options)
{
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.pprotocols = protocols;
    info.user = hub;
    info.server_string = "hypha";
    /* SSL init also serves wss:// peers; failing to bind is an error, not a silent retry. */
    info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT |
                   LWS_SERVER_OPTION_FAIL_UPON_UNABLE_TO_BIND;
    if (options->listen != NULL) {
        info.port = options->listen->port;
        info.iface = bind_address(options->listen->host);
        if (info.iface != NULL && strchr(info.iface, ':') == NULL)
            info.options |= LWS_SERVER_OPTION_DISABLE_IPV6;
    } else {
        info.port = CONTEXT_PORT_NO_LISTEN;
    }
    /* Slow clients: HTTP headers (and a TLS handshake) must arrive within timeout_secs, a
     * connection may hold a header buffer unused for timeout_secs_ah_idle, and an idle
     * keep-alive HTTP connection is closed after keepalive_timeout. */
    info.timeout_secs = 10;
    info.timeout_secs_ah_idle = 10;
    info.keepalive_timeout = 5;
    info.connect_timeout_secs = 10;
    info.retry_and_idle_policy = &idle_policy;
    /* Static files go out in chunks of this size. */
    info.pt_serv_buf_size = 16 * 1024;
    info.ssl_cert_filepath = options->tls_cert;
    info.ssl_private_key_filepath = options->tls_key;
    info.client_ssl_ca_filepath = options->tls_ca;

    struct lws_context *context = lws_create_context(&info);
    if (context == NULL) {
        if (options->listen != NULL)
            node_log("cannot serve on %s:%d (address in use, a bad certificate or key, or "
                     "no such interface)", options->listen->host, options->listen->port);
        else
            node_log("cannot start the network layer");
        return NULL;
    }
    hub->context = context;
    return context;
}

int node_context_port(struct lws_context *context)
{
    struct lws_vhost *vhost = lws_get_vhost_by_name(context, "default");
    return vhost != NULL ? lws_get_vhost_listen_port(vhost) : -1;
}

/* `hypha sync --peer URL STORE`: one store, one peer, once. The node's own machinery (hub,
 * link, dialer) with no listener and no reconnect: connect, sync both ways, and exit 0 once
 * the peer has announced exactly our heads and we have nothing left to send. The node
 * persists what it receives before it announces it, so exit 0 means the peer holds every
 * change of ours durably: writes reach a running node this way (docs/node.md). */
#include "node.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cmd_store.h"

enum { SYNC_PEER, SYNC_DB, SYNC_KEY, SYNC_TLS_CA, SYNC_TIMEOUT };
static const cli_option sync_options[] = {
    [SYNC_PEER] = { "peer", "URL", true, "The node: ws://HOST:PORT or wss://HOST:PORT" },
    [SYNC_DB] = STORE_OPTION_DB,
    [SYNC_KEY] = STORE_OPTION_KEY,
    [SYNC_TLS_CA] = { "tls-ca", "FILE", false, "Trust this CA (PEM) beside the system's" },
    [SYNC_TIMEOUT] = { "timeout", "SECONDS", false, "Give up after this long (default 30)" },
};
CLI_OPTIONS_FIT(sync_options);

enum { DEFAULT_TIMEOUT_S = 30, MAX_TIMEOUT_S = 86400 };

/* Runs the service loop until the store converged, the link ended or time ran out. */
static int sync_once(node_hub *hub, node_dial *dial, const char *store, size_t timeout_s,
                     const char *tls_ca)
{
    node_context_options options;
    memset(&options, 0, sizeof options);
    options.tls_ca = tls_ca;
    struct lws_context *context = node_context_create(hub, &options);
    if (context == NULL) {
        cli_error("sync: cannot start the network layer");
        return CLI_EXIT_FAILURE;
    }
    node_hub_start_ticks(hub, context);
    node_dial_start(dial);
    int64_t deadline = node_now_ms() + (int64_t)timeout_s * 1000;
    bool done = false;
    while (!(done = node_link_in_sync(dial->link)) && !dial->ended && node_now_ms() < deadline &&
           lws_service(context, 0) >= 0)
        ;
    hub->stopping = true;
    node_hub_stop_ticks(hub);
    lws_sul_cancel(&dial->retry);
    lws_context_destroy(context);
    if (done)
        return CLI_EXIT_OK;
    /* lws words a refused certificate as an OpenSSL error code: say what it likely is. */
    bool tls_failed = dial->addr.tls && (strstr(dial->why, "SSL") != NULL ||
                                         strstr(dial->why, "tls") != NULL);
    if (dial->ended && tls_failed)
        cli_error("sync: %s: TLS handshake failed (is the node's certificate trusted? see "
                  "--tls-ca): %s", dial->url, dial->why);
    else if (dial->ended)
        cli_error("sync: %s: %s", dial->url, dial->why);
    else
        cli_error("sync: %s: store %s not in sync after %zu s", dial->url, store, timeout_s);
    return CLI_EXIT_FAILURE;
}

static int run_sync(const cli_args *args)
{
    const char *store = cli_operand(args, 0);
    if (store == NULL) {
        cli_error("sync: no STORE (a name or a 64-hex-digit id)");
        return CLI_EXIT_USAGE;
    }
    static node_dial dial; /* holds the URL's parts: off the stack */
    memset(&dial, 0, sizeof dial);
    char why[128];
    if (!node_parse_url(args->values[SYNC_PEER], &dial.addr, why, sizeof why)) {
        cli_error("sync: --peer %s: %s", args->values[SYNC_PEER], why);
        return CLI_EXIT_USAGE;
    }
    size_t timeout_s = DEFAULT_TIMEOUT_S;
    if (args->values[SYNC_TIMEOUT] != NULL &&
        cli_parse_count("sync", "timeout", args->values[SYNC_TIMEOUT], 1, MAX_TIMEOUT_S,
                        &timeout_s) != CLI_EXIT_OK)
        return CLI_EXIT_USAGE;
    hy_db *db;
    int status = store_cli_open(args->values[SYNC_DB], args->values[SYNC_KEY], false, &db);
    if (status != CLI_EXIT_OK)
        return status;
    hy_db_store info;
    status = store_cli_find(db, store, &info);
    if (status != CLI_EXIT_OK) {
        hy_db_close(db);
        return status;
    }
    static node_hub hub;
    node_hub_init(&hub, db, hy_db_node_seed(db), 0);
    hub.quiet = true;
    /* lws' own lines would come on top of ours: the link reports why it failed. */
    lws_set_log_level(0, NULL);
    dial.hub = &hub;
    dial.once = true;
    snprintf(dial.url, sizeof dial.url, "%s", args->values[SYNC_PEER]);
    memcpy(dial.store_id, info.id, HY_HASH_LEN);
    hy_db_store_clear(&info);
    node_store *st;
    hy_err err = node_hub_store(&hub, dial.store_id, &st);
    if (err) {
        cli_error("sync: cannot open store %s: %s", store,
                  hy_db_message(db)[0] != '\0' ? hy_db_message(db) : hy_err_str(err));
        status = CLI_EXIT_FAILURE;
    } else {
        status = sync_once(&hub, &dial, store, timeout_s, args->values[SYNC_TLS_CA]);
    }
    node_hub_close(&hub);
    hy_db_close(db);
    return status;
}

const cli_command cli_cmd_sync = {
    .name = "sync",
    .operands_usage = "STORE",
    .summary = "Sync one store with a node, once",
    .description =
        "Connect to the node at --peer, sync STORE (a name or id of the database) both\n"
        "ways, and exit once both hold the same changes: exit status 0 means the node\n"
        "has written every change of ours to its database. Received changes are written\n"
        "to ours. Exit status 1, with one line, on a refused connection or session, or\n"
        "when not in sync after --timeout.\n",
    .options = sync_options,
    .option_count = CLI_LEN(sync_options),
    .max_operands = 1,
    .run = run_sync,
};

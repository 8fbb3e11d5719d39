/* `hypha node`: a long-running node. Options become a hub (the database and its stores), a
 * listening lws context and one dialer per (--peer, store); then the service loop runs until
 * SIGINT or SIGTERM, and everything is closed in order. */
#include "node.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "cmd_store.h"
#include "hex.h"
#include "wipe.h"

enum {
    NODE_DB,
    NODE_LISTEN,
    NODE_PEER,
    NODE_WEB,
    NODE_TLS_CERT,
    NODE_TLS_KEY,
    NODE_TLS_CA,
    NODE_KEY,
    NODE_COMMITTEE_KEY,
    NODE_MAX_PEERS,
    NODE_MAX_FRAME,
};
static const cli_option node_options[] = {
    [NODE_DB] = STORE_OPTION_DB,
    [NODE_LISTEN] = { "listen", "HOST:PORT", true,
                      "Serve sync, /healthz, /metrics and --web here (port 0: any free one)" },
    [NODE_PEER] = { "peer", "URL", false,
                    "Sync every store with the node at ws://HOST:PORT or wss://HOST:PORT "
                    "(repeatable)" },
    [NODE_WEB] = { "web", "DIR", false, "Serve the files under DIR over HTTP" },
    [NODE_TLS_CERT] = { "tls-cert", "FILE", false,
                        "Serve wss:// and https:// with this certificate (PEM)" },
    [NODE_TLS_KEY] = { "tls-key", "FILE", false, "The certificate's private key (PEM)" },
    [NODE_TLS_CA] = { "tls-ca", "FILE", false,
                      "Trust this CA (PEM) for wss:// peers, beside the system's" },
    [NODE_KEY] = STORE_OPTION_KEY,
    [NODE_COMMITTEE_KEY] = { "committee-key", "SEEDFILE", false,
                             "Sign the checkpoints of every ledger whose committee names this "
                             "key (64 hex digits, or 'hypha keygen' output)" },
    [NODE_MAX_PEERS] = { "max-peers", "N", false,
                         "Refuse inbound sync connections beyond N at once (default 1000)" },
    [NODE_MAX_FRAME] = { "max-frame", "BYTES", false,
                         "Largest sync frame accepted or sent (default 1048576)" },
};
CLI_OPTIONS_FIT(node_options);

enum { DEFAULT_MAX_PEERS = 1000 };

/* Set by SIGINT and SIGTERM; the service loop wakes at least once a second (the tick). */
static volatile sig_atomic_t stop_requested;

static void request_stop(int signal_number)
{
    (void)signal_number;
    stop_requested = 1;
}

typedef struct node_run {
    node_hub hub;
    node_addr listen;
    node_context_options context;
    char web_root[PATH_MAX];
    node_dial *dials;
    size_t dial_count;
    size_t max_peers, max_frame;
} node_run;

static int parse_options(const cli_args *args, node_run *run)
{
    char why[128];
    if (!node_parse_listen(args->values[NODE_LISTEN], &run->listen, why, sizeof why)) {
        cli_error("node: --listen %s: %s", args->values[NODE_LISTEN], why);
        return CLI_EXIT_USAGE;
    }
    for (size_t i = 0; i < args->repeat_count; i++) {
        node_addr addr;
        if (!node_parse_url(args->repeats[i], &addr, why, sizeof why)) {
            cli_error("node: --peer %s: %s", args->repeats[i], why);
            return CLI_EXIT_USAGE;
        }
    }
    const char *cert = args->values[NODE_TLS_CERT], *key = args->values[NODE_TLS_KEY];
    if ((cert == NULL) != (key == NULL)) {
        cli_error("node: --tls-cert and --tls-key go together");
        return CLI_EXIT_USAGE;
    }
    run->context = (node_context_options){
        .listen = &run->listen, .tls_cert = cert, .tls_key = key,
        .tls_ca = args->values[NODE_TLS_CA],
    };
    const char *web = args->values[NODE_WEB];
    if (web != NULL) {
        struct stat st;
        if (realpath(web, run->web_root) == NULL) {
            cli_error("node: --web %s: %s", web, strerror(errno));
            return CLI_EXIT_USAGE;
        }
        if (stat(run->web_root, &st) != 0 || !S_ISDIR(st.st_mode)) {
            cli_error("node: --web %s: not a directory", web);
            return CLI_EXIT_USAGE;
        }
    }
    run->max_peers = DEFAULT_MAX_PEERS;
    run->max_frame = HY_DEFAULT_MAX_FRAME;
    int status = CLI_EXIT_OK;
    if (args->values[NODE_MAX_PEERS] != NULL)
        status = cli_parse_count("node", "max-peers", args->values[NODE_MAX_PEERS], 1,
                                 1000000, &run->max_peers);
    if (status == CLI_EXIT_OK && args->values[NODE_MAX_FRAME] != NULL)
        status = cli_parse_count("node", "max-frame", args->values[NODE_MAX_FRAME],
                                 HY_MIN_MAX_FRAME, HY_DEFAULT_MAX_BATCH, &run->max_frame);
    return status;
}

/* ---- stores and dialers ---- */

typedef struct store_walk {
    node_run *run;
    const cli_args *args;
    hy_err err;
} store_walk;

/* Opens each store of the database (a damaged one shows now, not at a peer's first
 * connection) and makes a dialer for it per --peer. */
static hy_err add_store(void *user, const hy_db_store *info)
{
    store_walk *walk = user;
    node_run *run = walk->run;
    node_store *st;
    hy_err err = node_hub_store(&run->hub, info->id, &st);
    if (err) {
        node_log("store %.*s: cannot open it: %s", (int)info->policy.name_len,
                 info->policy.name, hy_err_str(err));
        return err;
    }
    run->hub.metrics.stores++;
    if (walk->args->repeat_count == 0)
        return HY_OK;
    node_dial *grown = realloc(run->dials, (run->dial_count + walk->args->repeat_count) *
                                               sizeof *grown);
    if (grown == NULL)
        return HY_E_NOMEM;
    run->dials = grown;
    for (size_t i = 0; i < walk->args->repeat_count; i++) {
        node_dial *dial = &run->dials[run->dial_count++];
        memset(dial, 0, sizeof *dial);
        dial->hub = &run->hub;
        node_parse_url(walk->args->repeats[i], &dial->addr, NULL, 0);
        snprintf(dial->url, sizeof dial->url, "%s", walk->args->repeats[i]);
        memcpy(dial->store_id, info->id, HY_HASH_LEN);
        snprintf(dial->label, sizeof dial->label, "%.*s",
                 (int)(info->policy.name_len < 20 ? info->policy.name_len : 20),
                 info->policy.name);
    }
    return HY_OK;
}

static int serve(node_run *run)
{
    struct lws_context *context = node_context_create(&run->hub, &run->context);
    if (context == NULL)
        return CLI_EXIT_FAILURE;
    node_log("listening on %s:%d (%s); %llu stores; node key %s", run->listen.host,
             node_context_port(context), run->context.tls_cert != NULL ? "https, wss" : "http, ws",
             (unsigned long long)run->hub.metrics.stores, run->hub.key_hex);
    node_ledger_log_committee(&run->hub);
    node_hub_start_ticks(&run->hub, context);
    for (size_t i = 0; i < run->dial_count; i++)
        node_dial_start(&run->dials[i]);

    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = request_stop;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
    /* A peer closing mid-write must not kill the node. */
    signal(SIGPIPE, SIG_IGN);

    while (!stop_requested && lws_service(context, 0) >= 0)
        ;
    node_log("stopping");
    run->hub.stopping = true;
    node_hub_stop_ticks(&run->hub);
    for (size_t i = 0; i < run->dial_count; i++)
        lws_sul_cancel(&run->dials[i].retry);
    /* Closes every connection (their callbacks still see the hub), then the stores. */
    lws_context_destroy(context);
    return CLI_EXIT_OK;
}

static int run_node(const cli_args *args)
{
    static node_run run; /* big (PATH_MAX, the hub): off the stack */
    memset(&run, 0, sizeof run);
    int status = parse_options(args, &run);
    if (status != CLI_EXIT_OK)
        return status;
    const char *committee_file = args->values[NODE_COMMITTEE_KEY];
    uint8_t committee_seed[HY_KEY_LEN];
    if (committee_file != NULL && !node_read_seed_file(committee_file, committee_seed))
        return CLI_EXIT_FAILURE;
    hy_db *db;
    status = store_cli_open(args->values[NODE_DB], args->values[NODE_KEY], true, &db);
    if (status != CLI_EXIT_OK) {
        hy_wipe(committee_seed, sizeof committee_seed);
        return status;
    }
    node_hub_init(&run.hub, db, hy_db_node_seed(db), run.max_frame);
    /* Before the stores open: a ledger's store is opened with its member's key as actor. */
    node_hub_follow_ledgers(&run.hub, committee_file != NULL ? committee_seed : NULL);
    hy_wipe(committee_seed, sizeof committee_seed);
    hy_hex_encode(run.hub.key_hex, hy_db_node_key(db), HY_KEY_LEN);
    run.hub.max_peers = run.max_peers;
    run.hub.web_root = args->values[NODE_WEB] != NULL ? run.web_root : NULL;
    node_log_route_lws();

    store_walk walk = { &run, args, HY_OK };
    hy_err err = hy_db_store_list(db, add_store, &walk);
    if (err) {
        cli_error("node: cannot open the stores of %s: %s",
                  args->values[NODE_DB] != NULL ? args->values[NODE_DB] : STORE_CLI_DEFAULT_DB,
                  hy_db_message(db)[0] != '\0' ? hy_db_message(db) : hy_err_str(err));
        status = CLI_EXIT_FAILURE;
    } else {
        status = serve(&run);
    }
    free(run.dials);
    node_hub_close(&run.hub);
    hy_db_close(db);
    return status;
}

const cli_command cli_cmd_node = {
    .name = "node",
    .summary = "Run a node: serve sync over WebSocket, static files and metrics",
    .description =
        "Serve every store of the database (--db, created when missing) to peers over\n"
        "WebSocket at ws://HOST:PORT/sync (wss:// with --tls-cert and --tls-key), and\n"
        "sync each store with every --peer, reconnecting with backoff. Received changes\n"
        "are written to the database before they are acknowledged. The same port serves\n"
        "/healthz, Prometheus text at /metrics and, with --web, the files under DIR.\n"
        "Peers that break the protocol get an ERROR frame and are dropped. Logs one line\n"
        "per event on standard error; stops cleanly on SIGINT or SIGTERM. Write to a\n"
        "running node with 'hypha put' into a database of your own, then 'hypha sync\n"
        "--peer ws://HOST:PORT STORE' (docs/node.md).\n"
        "With --committee-key, the node is that member of every ledger whose committee\n"
        "names the key: once a ledger has had no new change for two seconds, it signs a\n"
        "checkpoint of what it holds (docs/node.md, \"Ledgers\").\n",
    .options = node_options,
    .option_count = CLI_LEN(node_options),
    .max_operands = 0,
    .repeatable = "peer",
    .run = run_node,
};

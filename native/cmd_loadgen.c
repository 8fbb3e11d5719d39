/* `hypha loadgen --peer URL --clients N STORE`: N concurrent sync clients against one node,
 * for the node benchmarks (budgets/node-bench.mjs) and for load-testing a running node.
 *
 * A command of hypha rather than a program of budgets/: it is the node's own machinery (hub,
 * dialer, link: node_*.c) with N outgoing links and no listener, as `hypha sync` is with one,
 * so what it measures is the code a node runs, and an operator can load a deployed node with
 * the tool the benchmark uses.
 *
 * Each client syncs a replica of its own (node_hub_replica: loaded from --db, held in memory,
 * never persisted), as N separate devices would. The node then serves N independent peers,
 * each catching up by itself. One replica shared by every link would instead be one peer
 * with N connections: the hub gossips what one link receives to the others, which push it
 * back to the node through links that have not yet heard the node's SYNC.
 *
 * Phases: connect every client and wait until each is in sync (an authenticated session,
 * the node's last announcement naming exactly the replica's heads, nothing left to send);
 * with --write, the first client then commits one-op changes until the node acknowledged all
 * of them; with --hold, every client stays connected and idle for that long and must not
 * fail. Progress lines go to standard error, the figures to standard output. */
#include "node.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cli.h"
#include "cmd_store.h"

enum {
    LOAD_PEER,
    LOAD_CLIENTS,
    LOAD_DB,
    LOAD_KEY,
    LOAD_TIMEOUT,
    LOAD_HOLD,
    LOAD_WRITE,
    LOAD_JSON,
};
static const cli_option loadgen_options[] = {
    [LOAD_PEER] = { "peer", "URL", true, "The node: ws://HOST:PORT or wss://HOST:PORT" },
    [LOAD_CLIENTS] = { "clients", "N", true, "Concurrent clients, each a replica of its own" },
    [LOAD_DB] = STORE_OPTION_DB,
    [LOAD_KEY] = STORE_OPTION_KEY,
    [LOAD_TIMEOUT] = { "timeout", "SECONDS", false,
                       "Fail unless every client is in sync (and --write acknowledged) within "
                       "this long (default 30)" },
    [LOAD_HOLD] = { "hold", "SECONDS", false,
                    "Then keep every client connected and idle this long (default 0)" },
    [LOAD_WRITE] = { "write", "OPS", false,
                     "Then commit OPS one-op changes through the first client (default 0)" },
    [LOAD_JSON] = { "json", NULL, false, "Print the figures as one JSON object" },
};
CLI_OPTIONS_FIT(loadgen_options);

enum {
    DEFAULT_TIMEOUT_S = 30,
    MAX_TIMEOUT_S = 86400,
    MAX_HOLD_S = 3600,
    MAX_CLIENTS = 100000,
    MAX_WRITE_OPS = 100000000,
    /* Descriptors beside the clients' sockets: stdio, the database and its WAL, lws' own. */
    SPARE_FILES = 64,
    /* One-op changes committed at a time by --write: a round goes out once the previous one
     * has left for the socket, so the writer runs at most a socket buffer ahead of the node
     * and the node sees batches of this many changes, or more when it falls behind. */
    WRITE_ROUND = 1000,
};

typedef struct client {
    node_dial dial;
    bool connected;     /* reached an authenticated session */
    int64_t in_sync_us; /* when it was first in sync, from the start; -1 before */
} client;

typedef struct loadgen {
    node_hub hub;
    client *clients;
    size_t count;
    int64_t start_us;
    /* Counted by survey(). */
    size_t connected, in_sync_now, in_sync_once, errors;
    const char *first_error; /* the URL's dial why, of the first client that failed */
} loadgen;

/* Counts the clients' states, noting when each is first in sync. */
static void survey(loadgen *g)
{
    g->connected = g->in_sync_now = g->in_sync_once = g->errors = 0;
    int64_t now = node_now_us() - g->start_us;
    for (size_t i = 0; i < g->count; i++) {
        client *c = &g->clients[i];
        const node_link *link = c->dial.link;
        if (link != NULL && link->counted_ready)
            c->connected = true;
        if (node_link_in_sync(link)) {
            g->in_sync_now++;
            if (c->in_sync_us < 0)
                c->in_sync_us = now;
        }
        g->connected += c->connected;
        g->in_sync_once += c->in_sync_us >= 0;
        if (c->dial.ended) {
            g->errors++;
            if (g->first_error == NULL)
                g->first_error = c->dial.why;
        }
    }
}

/* Lets more than the usual 1,024 descriptors be open: one socket per client. lws sizes its
 * table of connections from this limit when the context is made, so this comes first. */
static int raise_file_limit(size_t clients)
{
    struct rlimit limit;
    rlim_t need = (rlim_t)clients + SPARE_FILES;
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0 ||
        (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur >= need))
        return CLI_EXIT_OK;
    if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max < need) {
        cli_error("loadgen: %zu clients need %llu open files; the hard limit is %llu", clients,
                  (unsigned long long)need, (unsigned long long)limit.rlim_max);
        return CLI_EXIT_FAILURE;
    }
    limit.rlim_cur = need;
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0) {
        cli_error("loadgen: cannot raise the open-file limit to %llu", (unsigned long long)need);
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}

static int compare_times(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The median of the clients' times to their first in sync, in seconds; -1 if any has none. */
static double median_seconds(const loadgen *g)
{
    int64_t *times = malloc(g->count * sizeof *times);
    if (times == NULL)
        return -1;
    double median = 0;
    for (size_t i = 0; i < g->count; i++) {
        times[i] = g->clients[i].in_sync_us;
        if (times[i] < 0)
            median = -1;
    }
    if (median == 0) {
        qsort(times, g->count, sizeof *times, compare_times);
        median = (double)times[g->count / 2] / 1e6;
    }
    free(times);
    return median;
}

/* ---- the phases ---- */

/* Services the context until done(g) holds, a client fails or the deadline passes. */
static bool run_until(loadgen *g, bool (*done)(loadgen *), int64_t deadline_us)
{
    for (;;) {
        survey(g);
        if (g->errors > 0 || done(g))
            return g->errors == 0;
        if (node_now_us() >= deadline_us || lws_service(g->hub.context, 0) < 0)
            return false;
    }
}

static bool all_in_sync(loadgen *g)
{
    return g->in_sync_now == g->count;
}

/* count one-op changes, one a transaction: field n of record r<i mod 1000> in "items". */
static hy_err write_changes(hy_store *store, size_t first, size_t count)
{
    hy_err err = HY_OK;
    char key[32];
    for (size_t i = first; err == HY_OK && i < first + count; i++) {
        snprintf(key, sizeof key, "r%zu", i % 1000);
        hy_value value = { .type = HY_TYPE_INT, .as.integer = (int64_t)i };
        err = hy_txn_begin(store);
        if (err == HY_OK) {
            err = hy_put(store, "items", key, "n", &value);
            err = err ? (hy_txn_rollback(store), err) : hy_txn_commit(store);
        }
    }
    return err;
}

typedef struct write_phase {
    size_t ops, written;
    double seconds; /* from the first commit until the node acknowledged the last one */
    hy_err err;
} write_phase;

/* The first client commits ops changes in rounds; done once the node announced our heads. */
static bool write_all(loadgen *g, write_phase *w, int64_t deadline_us)
{
    client *writer = &g->clients[0];
    node_store *st = writer->dial.st;
    int64_t start = node_now_us();
    for (;;) {
        survey(g);
        const node_link *link = writer->dial.link;
        if (g->errors > 0)
            return false;
        if (w->written == w->ops && node_link_in_sync(link))
            break;
        if (w->written < w->ops && link != NULL && link->writes_idle &&
            !lws_send_pipe_choked(link->wsi)) {
            size_t round = w->ops - w->written < WRITE_ROUND ? w->ops - w->written
                                                             : WRITE_ROUND;
            w->err = write_changes(st->store, w->written, round);
            if (w->err)
                return false;
            w->written += round;
            node_hub_changed(&g->hub, st, NULL);
        }
        if (node_now_us() >= deadline_us || lws_service(g->hub.context, 0) < 0)
            return false;
    }
    w->seconds = (double)(node_now_us() - start) / 1e6;
    return true;
}

/* Every client stays connected for hold_s seconds; false if one fails. */
static bool hold(loadgen *g, size_t hold_s)
{
    int64_t end = node_now_us() + (int64_t)hold_s * 1000000;
    while (node_now_us() < end) {
        survey(g);
        if (g->errors > 0)
            return false;
        if (lws_service(g->hub.context, 0) < 0)
            return false;
    }
    return true;
}

/* ---- output ---- */

typedef struct outcome {
    double all_in_sync_s; /* -1: never */
    double median_s;
    const write_phase *write;
    double held_s;
    const char *error;    /* NULL: success */
} outcome;

static void print_seconds(const char *name, double seconds)
{
    if (seconds < 0)
        printf(", \"%s\": null", name);
    else
        printf(", \"%s\": %.6f", name, seconds);
}

static void print_outcome(const loadgen *g, const outcome *o, bool json)
{
    const write_phase *w = o->write;
    bool wrote = w->ops > 0 && w->seconds > 0;
    if (json) {
        printf("{\"clients\": %zu, \"connected\": %zu, \"in_sync\": %zu, \"errors\": %zu",
               g->count, g->connected, g->in_sync_now, g->errors);
        print_seconds("seconds_to_all_in_sync", o->all_in_sync_s);
        print_seconds("median_seconds_to_in_sync", o->median_s);
        printf(", \"write_ops\": %zu", w->ops);
        print_seconds("write_seconds", wrote ? w->seconds : -1);
        if (wrote)
            printf(", \"write_ops_per_s\": %.1f", (double)w->ops / w->seconds);
        else
            printf(", \"write_ops_per_s\": null");
        printf(", \"held_seconds\": %.3f, \"error\": ", o->held_s);
        if (o->error != NULL)
            store_cli_json_string(o->error, strlen(o->error));
        else
            printf("null");
        printf("}\n");
        return;
    }
    printf("clients %zu, connected %zu, in sync %zu, errors %zu\n", g->count, g->connected,
           g->in_sync_now, g->errors);
    if (o->all_in_sync_s >= 0)
        printf("all in sync after %.3f s (median client %.3f s)\n", o->all_in_sync_s,
               o->median_s);
    if (wrote)
        printf("wrote %zu one-op changes in %.3f s: %.0f ops/s acknowledged by the node\n",
               w->ops, w->seconds, (double)w->ops / w->seconds);
}

/* ---- the command ---- */

typedef struct loadgen_params {
    const char *store;
    size_t clients, timeout_s, hold_s, write_ops;
    bool json;
} loadgen_params;

static int parse(const cli_args *args, loadgen_params *p)
{
    p->store = cli_operand(args, 0);
    if (p->store == NULL) {
        cli_error("loadgen: no STORE (a name or a 64-hex-digit id)");
        return CLI_EXIT_USAGE;
    }
    p->timeout_s = DEFAULT_TIMEOUT_S;
    p->json = args->values[LOAD_JSON] != NULL;
    int status = cli_parse_count("loadgen", "clients", args->values[LOAD_CLIENTS], 1,
                                 MAX_CLIENTS, &p->clients);
    if (status == CLI_EXIT_OK && args->values[LOAD_TIMEOUT] != NULL)
        status = cli_parse_count("loadgen", "timeout", args->values[LOAD_TIMEOUT], 1,
                                 MAX_TIMEOUT_S, &p->timeout_s);
    if (status == CLI_EXIT_OK && args->values[LOAD_HOLD] != NULL)
        status = cli_parse_count("loadgen", "hold", args->values[LOAD_HOLD], 0, MAX_HOLD_S,
                                 &p->hold_s);
    if (status == CLI_EXIT_OK && args->values[LOAD_WRITE] != NULL)
        status = cli_parse_count("loadgen", "write", args->values[LOAD_WRITE], 0,
                                 MAX_WRITE_OPS, &p->write_ops);
    return status;
}

/* Makes one replica and one dialer per client. */
static int make_clients(loadgen *g, const node_addr *addr, const char *url,
                        const hy_db_store *info)
{
    for (size_t i = 0; i < g->count; i++) {
        client *c = &g->clients[i];
        c->in_sync_us = -1;
        node_dial *dial = &c->dial;
        dial->hub = &g->hub;
        dial->addr = *addr;
        dial->once = true;
        snprintf(dial->url, sizeof dial->url, "%s", url);
        memcpy(dial->store_id, info->id, HY_HASH_LEN);
        snprintf(dial->label, sizeof dial->label, "%.*s",
                 (int)(info->policy.name_len < 20 ? info->policy.name_len : 20),
                 info->policy.name);
        hy_err err = node_hub_replica(&g->hub, info->id, &dial->st);
        if (err) {
            cli_error("loadgen: cannot open a replica of the store: %s",
                      hy_db_message(g->hub.db)[0] != '\0' ? hy_db_message(g->hub.db)
                                                           : hy_err_str(err));
            return CLI_EXIT_FAILURE;
        }
    }
    return CLI_EXIT_OK;
}

/* Connects, syncs, writes and holds; the figures go to stdout whatever happened. */
static int drive(loadgen *g, const loadgen_params *p)
{
    node_context_options options;
    memset(&options, 0, sizeof options);
    struct lws_context *context = node_context_create(&g->hub, &options);
    if (context == NULL) {
        cli_error("loadgen: cannot start the network layer");
        return CLI_EXIT_FAILURE;
    }
    node_hub_start_ticks(&g->hub, context);
    g->start_us = node_now_us();
    int64_t deadline = g->start_us + (int64_t)p->timeout_s * 1000000;
    for (size_t i = 0; i < g->count; i++)
        node_dial_start(&g->clients[i].dial);

    write_phase w = { .ops = p->write_ops };
    outcome o = { .all_in_sync_s = -1, .median_s = -1, .write = &w };
    char why[160];
    bool ok = run_until(g, all_in_sync, deadline);
    if (ok) {
        o.all_in_sync_s = (double)(node_now_us() - g->start_us) / 1e6;
        o.median_s = median_seconds(g);
        fprintf(stderr, "hypha loadgen: %zu clients in sync after %.3f s\n", g->count,
                o.all_in_sync_s);
    } else if (g->errors == 0) {
        snprintf(why, sizeof why, "%zu of %zu clients in sync after %zu s", g->in_sync_now,
                 g->count, p->timeout_s);
        o.error = why;
    }
    if (ok && w.ops > 0) {
        fprintf(stderr, "hypha loadgen: writing %zu one-op changes through client 1\n", w.ops);
        ok = write_all(g, &w, deadline);
        if (ok) {
            fprintf(stderr, "hypha loadgen: the node acknowledged %zu changes after %.3f s\n",
                    w.ops, w.seconds);
        } else if (w.err) {
            snprintf(why, sizeof why, "writing: %s", hy_err_str(w.err));
            o.error = why;
        } else if (g->errors == 0) {
            snprintf(why, sizeof why, "the node acknowledged not all %zu changes within %zu s",
                     w.ops, p->timeout_s);
            o.error = why;
        }
    }
    if (ok && p->hold_s > 0) {
        fprintf(stderr, "hypha loadgen: holding %zu idle clients for %zu s\n", g->count,
                p->hold_s);
        int64_t held_from = node_now_us();
        ok = hold(g, p->hold_s);
        o.held_s = (double)(node_now_us() - held_from) / 1e6;
        /* A client may be answering a SYNC of the node's tick at this very moment: every
         * client must be in sync again within --timeout, not at one instant. */
        int64_t settle_by = node_now_us() + (int64_t)p->timeout_s * 1000000;
        if (ok && !run_until(g, all_in_sync, settle_by) && g->errors == 0) {
            snprintf(why, sizeof why, "%zu of %zu clients out of sync after the hold",
                     g->count - g->in_sync_now, g->count);
            o.error = why;
        }
        ok = ok && o.error == NULL && g->errors == 0;
    }
    if (g->errors > 0) {
        snprintf(why, sizeof why, "%zu of %zu clients failed (first: %s)", g->errors, g->count,
                 g->first_error != NULL ? g->first_error : "?");
        o.error = why;
    }
    fflush(stderr);
    print_outcome(g, &o, p->json);

    g->hub.stopping = true;
    node_hub_stop_ticks(&g->hub);
    for (size_t i = 0; i < g->count; i++)
        lws_sul_cancel(&g->clients[i].dial.retry);
    lws_context_destroy(context);
    if (ok && o.error == NULL)
        return CLI_EXIT_OK;
    cli_error("loadgen: %s: %s", g->clients[0].dial.url, o.error != NULL ? o.error : "failed");
    return CLI_EXIT_FAILURE;
}

static int run_loadgen(const cli_args *args)
{
    loadgen_params p;
    memset(&p, 0, sizeof p);
    int status = parse(args, &p);
    if (status != CLI_EXIT_OK)
        return status;
    node_addr addr;
    char why[128];
    if (!node_parse_url(args->values[LOAD_PEER], &addr, why, sizeof why)) {
        cli_error("loadgen: --peer %s: %s", args->values[LOAD_PEER], why);
        return CLI_EXIT_USAGE;
    }
    status = raise_file_limit(p.clients);
    if (status != CLI_EXIT_OK)
        return status;
    hy_db *db;
    status = store_cli_open(args->values[LOAD_DB], args->values[LOAD_KEY], false, &db);
    if (status != CLI_EXIT_OK)
        return status;
    hy_db_store info;
    status = store_cli_find(db, p.store, &info);
    if (status != CLI_EXIT_OK) {
        hy_db_close(db);
        return status;
    }
    static loadgen g; /* the hub is large: off the stack */
    memset(&g, 0, sizeof g);
    node_hub_init(&g.hub, db, hy_db_node_seed(db), 0);
    g.hub.quiet = true;
    /* lws' own lines would come on top of ours: a failed client reports why. */
    lws_set_log_level(0, NULL);
    g.count = p.clients;
    g.clients = calloc(p.clients, sizeof *g.clients);
    if (g.clients == NULL) {
        cli_error("loadgen: out of memory for %zu clients", p.clients);
        status = CLI_EXIT_FAILURE;
    } else {
        status = make_clients(&g, &addr, args->values[LOAD_PEER], &info);
    }
    hy_db_store_clear(&info);
    if (status == CLI_EXIT_OK)
        status = drive(&g, &p);
    node_hub_close(&g.hub);
    free(g.clients);
    hy_db_close(db);
    return status;
}

const cli_command cli_cmd_loadgen = {
    .name = "loadgen",
    .operands_usage = "STORE",
    .summary = "Load a node with many concurrent sync clients",
    .description =
        "Open --clients sync connections to the node at --peer for STORE (a name or id of\n"
        "the database), each client with a replica of its own loaded from the database\n"
        "and kept in memory only, and wait until every one is in sync. With --write, the\n"
        "first client then commits that many one-op changes, a thousand at a time, until\n"
        "the node has acknowledged them all; with --hold, every client then stays\n"
        "connected and idle that long. Prints the clients connected, in sync and failed,\n"
        "and the seconds each phase took. Exit status 1 when any client fails or time\n"
        "runs out (--timeout), 0 otherwise.\n",
    .options = loadgen_options,
    .option_count = CLI_LEN(loadgen_options),
    .max_operands = 1,
    .run = run_loadgen,
};

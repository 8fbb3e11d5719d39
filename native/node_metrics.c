/* /metrics: the node's counters in Prometheus' text format, names prefixed hypha_. */
#include "node.h"

#include <stdarg.h>
#include <stdio.h>

#include "hex.h"

/* Upper bounds of the sync latency histogram, in seconds: a loopback catch-up takes about a
 * millisecond, a resync over a slow link seconds. */
static const double latency_bounds[NODE_LATENCY_BUCKETS] = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1, 5,
};

void node_metrics_observe_latency(node_metrics *m, double seconds)
{
    for (size_t i = 0; i < NODE_LATENCY_BUCKETS; i++) {
        if (seconds <= latency_bounds[i]) {
            m->latency_buckets[i]++;
            break;
        }
    }
    m->latency_count++;
    m->latency_sum += seconds;
}

typedef struct text_out {
    char *buf;
    size_t cap;
    size_t len; /* what the whole text needs, even past cap */
} text_out;

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 2, 3)))
#endif
static void put(text_out *out, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    size_t room = out->len < out->cap ? out->cap - out->len : 0;
    int n = vsnprintf(room > 0 ? out->buf + out->len : NULL, room, format, ap);
    va_end(ap);
    if (n > 0)
        out->len += (size_t)n;
}

static void metric(text_out *out, const char *name, const char *type, const char *help,
                   uint64_t value)
{
    put(out, "# HELP hypha_%s %s\n# TYPE hypha_%s %s\nhypha_%s %llu\n", name, help, name, type,
        name, (unsigned long long)value);
}

/* Which figure of a ledger a gauge shows. */
typedef enum ledger_figure {
    CERTIFIED_EPOCH,
    SIGNATURES,
    CONFIRMED_OPS,
    DISPUTED_OPS,
} ledger_figure;

static uint64_t ledger_value(const hy_checkpoint_info *c, ledger_figure figure)
{
    switch (figure) {
    case CERTIFIED_EPOCH: return c->epoch;
    case SIGNATURES: return c->signatures;
    case CONFIRMED_OPS: return c->confirmed_ops;
    case DISPUTED_OPS: return c->disputed_ops;
    }
    return 0;
}

/* A gauge per ledger, labelled with its store id (names may hold anything; ids are hex). */
static void ledger_metric(text_out *out, const char *name, const char *help,
                          const node_ledger_gauges *ledgers, size_t count, ledger_figure figure)
{
    put(out, "# HELP hypha_%s %s\n# TYPE hypha_%s gauge\n", name, help, name);
    for (size_t i = 0; i < count; i++) {
        char id[2 * HY_HASH_LEN + 1];
        hy_hex_encode(id, ledgers[i].store, HY_HASH_LEN);
        put(out, "hypha_%s{store=\"%s\"} %llu\n", name, id,
            (unsigned long long)ledger_value(&ledgers[i].checkpoint, figure));
    }
}

size_t node_metrics_render(const node_metrics *m, const node_ledger_gauges *ledgers,
                           size_t ledger_count, char *buf, size_t cap)
{
    text_out out = { buf, cap, 0 };
    if (cap > 0)
        buf[0] = '\0';
    put(&out, "# HELP hypha_peers Peers with an authenticated sync session, by direction.\n"
              "# TYPE hypha_peers gauge\n"
              "hypha_peers{direction=\"inbound\"} %llu\n"
              "hypha_peers{direction=\"outbound\"} %llu\n",
        (unsigned long long)m->peers_inbound, (unsigned long long)m->peers_outbound);
    metric(&out, "connections_refused_total", "counter",
           "Connections refused: over --max-peers, or not a sync request.",
           m->connections_refused);
    metric(&out, "peers_dropped_total", "counter",
           "Peers dropped for breaking the protocol, sending refused changes or stalling.",
           m->peers_dropped);
    metric(&out, "frames_in_total", "counter", "Sync frames received.", m->frames_in);
    metric(&out, "frames_out_total", "counter", "Sync frames sent.", m->frames_out);
    metric(&out, "bytes_in_total", "counter", "Sync frame bytes received.", m->bytes_in);
    metric(&out, "bytes_out_total", "counter", "Sync frame bytes sent.", m->bytes_out);
    metric(&out, "changes_applied_total", "counter",
           "Changes received from peers and applied (or already held).", m->changes_in);
    metric(&out, "changes_sent_total", "counter", "Changes sent to peers.", m->changes_out);
    metric(&out, "changes_refused_total", "counter",
           "Changes refused: forbidden writer, bad signature or invalid.", m->changes_refused);
    metric(&out, "persist_failures_total", "counter",
           "Failed writes of received changes to the database.", m->persist_failures);
    metric(&out, "stores", "gauge", "Stores the database holds.", m->stores);
    metric(&out, "stores_open", "gauge", "Stores loaded in memory.", m->stores_open);

    put(&out, "# HELP hypha_sync_latency_seconds Time from a peer falling out of sync (a new "
              "session, a change on either side) until it announces our heads.\n"
              "# TYPE hypha_sync_latency_seconds histogram\n");
    uint64_t cumulative = 0;
    for (size_t i = 0; i < NODE_LATENCY_BUCKETS; i++) {
        cumulative += m->latency_buckets[i];
        put(&out, "hypha_sync_latency_seconds_bucket{le=\"%g\"} %llu\n", latency_bounds[i],
            (unsigned long long)cumulative);
    }
    put(&out, "hypha_sync_latency_seconds_bucket{le=\"+Inf\"} %llu\n"
              "hypha_sync_latency_seconds_sum %.6f\n"
              "hypha_sync_latency_seconds_count %llu\n",
        (unsigned long long)m->latency_count, m->latency_sum,
        (unsigned long long)m->latency_count);

    if (ledger_count > 0) {
        ledger_metric(&out, "ledger_certified_epoch",
                      "The epoch of the newest certified checkpoint (0: none yet).", ledgers,
                      ledger_count, CERTIFIED_EPOCH);
        ledger_metric(&out, "ledger_checkpoint_signatures",
                      "Committee members who signed the newest certified checkpoint.", ledgers,
                      ledger_count, SIGNATURES);
        ledger_metric(&out, "ledger_confirmed_ops", "Ledger ops under certified checkpoints.",
                      ledgers, ledger_count, CONFIRMED_OPS);
        ledger_metric(&out, "ledger_disputed_ops",
                      "Ledger ops that conflict with a certified checkpoint.", ledgers,
                      ledger_count, DISPUTED_OPS);
    }
    return out.len;
}

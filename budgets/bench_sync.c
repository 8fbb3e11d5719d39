/* Sync through real sessions (p2p/), in process: two stores, each with a hy_session, frames
 * handed from one to the other with no network in between. It measures what the protocol and
 * the core cost; the node over loopback WebSocket adds libwebsockets, SQLite and the kernel
 * (budgets/node-bench.mjs measures that). Figures:
 * - session_ops_per_s: rounds of 100 one-op changes pushed by hy_session_changed and merged
 *   (signatures required) until the receiver is level, per second;
 * - catch_up_100k_records_ms: a fresh replica syncing a 100,000-record store, from the
 *   sessions' HELLOs to both ends in sync;
 * - reconnect_one_change_ms: two replicas that were level, one change later, a new session
 *   pair from HELLO to in sync;
 * - idle_session_bytes: what an idle, level session holds (its allocator's live bytes). */
#include "bench.h"

#include "fixtures.h"

#include <string.h>

#define ROUND_OPS 100

typedef struct end {
    fixture_env env;
    hy_store *store;
    hy_session *session;
    hy_alloc_stats session_bytes;
} end;

static const uint8_t *genesis(size_t *len)
{
    static uint8_t bytes[64];
    hy_genesis g = { .name = "bench", .name_len = 5 };
    return hy_genesis_encode(&g, bytes, sizeof bytes, len) == HY_OK ? bytes : NULL;
}

static hy_err open_session(end *e, uint8_t id)
{
    size_t len;
    const uint8_t *g = genesis(&len);
    uint8_t seed[HY_KEY_LEN], nonce[HY_NONCE_LEN];
    memset(seed, id, sizeof seed);
    memset(nonce, id + 100, sizeof nonce);
    memset(&e->session_bytes, 0, sizeof e->session_bytes);
    hy_session_config c = { .alloc = hy_allocator_counting(&e->session_bytes),
                            .store = e->store, .genesis = g, .genesis_len = len,
                            .node_seed = seed, .nonce = nonce };
    return g ? hy_session_new(&c, &e->session) : HY_E_INVALID_ARG;
}

/* Hands frames across until neither end has any; HY_OK unless a session failed. */
static hy_err pump(end *a, end *b)
{
    for (bool moved = true; moved;) {
        moved = false;
        end *ends[2] = { a, b };
        for (int i = 0; i < 2; i++) {
            const uint8_t *frame;
            size_t len;
            while (hy_session_next(ends[i]->session, &frame, &len) == HY_OK) {
                hy_err err = hy_session_receive(ends[1 - i]->session, frame, len);
                if (err)
                    return err;
                moved = true;
            }
        }
    }
    return HY_OK;
}

/* Sessions from HELLO until both ends are in sync (a tick asks for the last announcement). */
static hy_err connect_and_sync(end *a, end *b)
{
    hy_err err = open_session(a, 1);
    if (err == HY_OK)
        err = open_session(b, 2);
    if (err == HY_OK)
        err = pump(a, b);
    for (int round = 0; err == HY_OK && round < 3 &&
                        !(hy_session_in_sync(a->session) && hy_session_in_sync(b->session));
         round++) {
        err = hy_session_tick(a->session);
        if (err == HY_OK)
            err = hy_session_tick(b->session);
        if (err == HY_OK)
            err = pump(a, b);
    }
    return err ? err : hy_session_in_sync(a->session) && hy_session_in_sync(b->session)
                           ? HY_OK : HY_E_PROTOCOL;
}

static void disconnect(end *a, end *b)
{
    hy_session_free(a->session);
    hy_session_free(b->session);
    a->session = b->session = NULL;
}

static int fail(const char *what, hy_err err)
{
    fprintf(stderr, "bench sync: %s: %s\n", what, hy_err_str(err));
    return 1;
}

static int measure_throughput(const bench_config *config, bench_json *json)
{
    end w, r;
    memset(&w, 0, sizeof w);
    memset(&r, 0, sizeof r);
    hy_store_config rc = fixture_config(&r.env, 2);
    rc.require_signatures = 1;
    w.store = fixture_store(&w.env, 1);
    hy_err err = w.store && hy_store_new(&rc, &r.store) == HY_OK ? connect_and_sync(&w, &r)
                                                                 : HY_E_NOMEM;
    size_t rounds = config->quick ? 2 : 200;
    double seconds = 0;
    for (size_t i = 0; err == HY_OK && i < rounds; i++) {
        err = fixture_write_ops(w.store, ROUND_OPS, 1);
        double start = bench_seconds();
        if (err == HY_OK)
            err = hy_session_changed(w.session);
        if (err == HY_OK)
            err = pump(&w, &r);
        seconds += bench_seconds() - start;
    }
    if (err == HY_OK && !hy_session_in_sync(w.session))
        err = HY_E_PROTOCOL;
    if (err == HY_OK) {
        bench_json_number(json, "session_ops_per_s", (double)(rounds * ROUND_OPS) / seconds);
        bench_json_number(json, "idle_session_bytes", (double)w.session_bytes.live);
    }
    disconnect(&w, &r);
    hy_store_free(w.store);
    hy_store_free(r.store);
    return err ? fail("throughput", err) : 0;
}

static int measure_catch_up(const bench_config *config, bench_json *json)
{
    end full, fresh;
    memset(&full, 0, sizeof full);
    memset(&fresh, 0, sizeof fresh);
    size_t records = config->quick ? 1000 : 100000;
    full.store = fixture_store(&full.env, 1);
    fresh.store = fixture_store(&fresh.env, 2);
    hy_err err = full.store && fresh.store ? fixture_write_records(full.store, records)
                                           : HY_E_NOMEM;
    double start = bench_seconds();
    if (err == HY_OK)
        err = connect_and_sync(&full, &fresh);
    double catch_up = bench_seconds() - start;
    disconnect(&full, &fresh);
    /* Reconnect: one change made while apart, then a new session pair. */
    if (err == HY_OK)
        err = fixture_write_ops(full.store, 1, 1);
    start = bench_seconds();
    if (err == HY_OK)
        err = connect_and_sync(&full, &fresh);
    double reconnect = bench_seconds() - start;
    if (err == HY_OK) {
        bench_json_number(json, "catch_up_records", (double)records);
        bench_json_number(json, "catch_up_ms", catch_up * 1e3);
        bench_json_number(json, "reconnect_one_change_ms", reconnect * 1e3);
    }
    disconnect(&full, &fresh);
    hy_store_free(full.store);
    hy_store_free(fresh.store);
    return err ? fail("catch-up", err) : 0;
}

int bench_sync(const bench_config *config, bench_json *json)
{
    return measure_throughput(config, json) || measure_catch_up(config, json);
}

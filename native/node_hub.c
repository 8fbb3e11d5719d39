/* The hub: the stores a node has open (one hy_store per store id, shared by every session of
 * that store), their persistence, gossip between their sessions and the one-second tick. */
#include "node.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "hex.h"
#include "wipe.h"

int64_t node_now_us(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000000 + now.tv_nsec / 1000;
}

int64_t node_now_ms(void)
{
    return node_now_us() / 1000;
}

void node_hub_init(node_hub *hub, hy_db *db, const uint8_t node_seed[HY_KEY_LEN],
                   size_t max_frame)
{
    memset(hub, 0, sizeof *hub);
    hub->db = db;
    hub->platform = hy_platform_posix();
    memcpy(hub->node_seed, node_seed, HY_KEY_LEN);
    hub->max_frame = max_frame;
}

void node_hub_close(node_hub *hub)
{
    for (size_t i = 0; i < hub->store_count; i++) {
        node_store *st = hub->stores[i];
        hy_ledger_free(st->ledger);
        hy_db_store_close(hub->db, st->store);
        free(st->genesis);
        free(st);
    }
    free(hub->stores);
    hub->stores = NULL;
    hub->store_count = hub->store_cap = 0;
    hy_wipe(hub->committee_seed, sizeof hub->committee_seed);
}

/* The store that inbound peers and persistence use: never a load generator's replica. */
static node_store *find_open(const node_hub *hub, const uint8_t id[HY_HASH_LEN])
{
    for (size_t i = 0; i < hub->store_count; i++) {
        if (!hub->stores[i]->memory_only && memcmp(hub->stores[i]->id, id, HY_HASH_LEN) == 0)
            return hub->stores[i];
    }
    return NULL;
}

/* Loads the store from the database into a new node_store; the caller adds it. */
static hy_err load_store(node_hub *hub, const uint8_t id[HY_HASH_LEN], node_store **out)
{
    hy_db_store info;
    memset(&info, 0, sizeof info);
    hy_err err = hy_db_store_find_by_id(hub->db, id, &info);
    if (err)
        return err;
    node_store *st = calloc(1, sizeof *st);
    if (st == NULL) {
        hy_db_store_clear(&info);
        return HY_E_NOMEM;
    }
    memcpy(st->id, id, HY_HASH_LEN);
    char hex[2 * HY_HASH_LEN + 1];
    hy_hex_encode(hex, id, HY_HASH_LEN);
    memcpy(st->label, hex, 16);
    /* The genesis is the row's: take it rather than copy it (policy points into it). */
    st->genesis = info.genesis;
    st->genesis_len = info.genesis_len;
    hy_genesis policy = info.policy;
    info.genesis = NULL;
    hy_db_store_clear(&info);
    hy_store_config base;
    memset(&base, 0, sizeof base);
    base.platform = &hub->platform;
    /* A node takes changes from anyone who connects: without signatures, a peer could pass
     * off changes as those of a key the genesis lets write. */
    base.require_signatures = 1;
    base.actor_seed = node_ledger_actor(hub, &policy);
    err = hy_db_store_open(hub->db, id, &base, &st->store);
    if (err) {
        node_log("store %s: cannot open: %s", st->label, hy_db_message(hub->db));
    } else if ((err = node_ledger_open(hub, st, &policy)) != HY_OK) {
        node_log("store %s: cannot read its ledger: %s", st->label, hy_err_str(err));
        hy_db_store_close(hub->db, st->store);
    }
    if (err) {
        free(st->genesis);
        free(st);
        return err;
    }
    *out = st;
    return HY_OK;
}

/* Loads the store into a new entry of hub->stores. */
static hy_err add_store(node_hub *hub, const uint8_t id[HY_HASH_LEN], bool memory_only,
                        node_store **out)
{
    if (hub->store_count == hub->store_cap) {
        size_t cap = hub->store_cap ? 2 * hub->store_cap : 8;
        node_store **grown = realloc(hub->stores, cap * sizeof *grown);
        if (grown == NULL)
            return HY_E_NOMEM;
        hub->stores = grown;
        hub->store_cap = cap;
    }
    node_store *st;
    hy_err err = load_store(hub, id, &st);
    if (err)
        return err;
    st->memory_only = memory_only;
    hub->stores[hub->store_count++] = st;
    hub->metrics.stores_open = hub->store_count;
    *out = st;
    return HY_OK;
}

hy_err node_hub_store(node_hub *hub, const uint8_t id[HY_HASH_LEN], node_store **out)
{
    node_store *st = find_open(hub, id);
    if (st != NULL) {
        *out = st;
        return HY_OK;
    }
    return add_store(hub, id, false, out);
}

hy_err node_hub_replica(node_hub *hub, const uint8_t id[HY_HASH_LEN], node_store **out)
{
    return add_store(hub, id, true, out);
}

hy_err node_hub_persist(node_hub *hub, node_store *st)
{
    if (st->memory_only)
        return HY_OK;
    hy_err err = hy_db_store_persist(hub->db, st->store);
    st->persisted_in_tick = st->persisted_since_compact = st->changed_since_checkpoint = true;
    if (err) {
        /* Every failure is logged: a full disk is the operator's to fix, and /healthz turns
         * 503 until a persist succeeds again (the next one rewrites what this one lost). */
        hub->metrics.persist_failures++;
        if (!hub->quiet)
            node_log("store %s: cannot write received changes to the database: %s",
                     st->label, hy_db_message(hub->db));
    }
    hub->persist_failed = err != HY_OK;
    return err;
}

void node_hub_changed(node_hub *hub, node_store *st, const node_link *from)
{
    (void)hub;
    node_ledger_changed(st);
    for (node_link *link = st->links; link != NULL; link = link->next) {
        if (link == from)
            continue;
        /* A closed session answers HY_E_CLOSED: it is on its way out already. */
        hy_session_changed(link->session);
        node_link_kick(link);
    }
}

/* Compacts a store once nobody wrote to it for a tick: rewriting it while a writer streams
 * would hold up every acknowledgement (persist compacts only far past the thresholds). */
static void compact_if_idle(node_hub *hub, node_store *st)
{
    if (st->memory_only || st->persisted_in_tick || !st->persisted_since_compact) {
        st->persisted_in_tick = false;
        return;
    }
    st->persisted_since_compact = false;
    hy_err err = hy_db_store_compact(hub->db, st->store);
    if (err) {
        hub->metrics.persist_failures++;
        if (!hub->quiet)
            node_log("store %s: cannot compact it in the database: %s", st->label,
                     hy_db_message(hub->db));
    }
    hub->persist_failed = err != HY_OK;
}

static void hub_tick(lws_sorted_usec_list_t *sul)
{
    node_hub *hub = lws_container_of(sul, node_hub, tick);
    int64_t now = node_now_ms();
    for (size_t i = 0; i < hub->store_count; i++) {
        /* The ledger's tick reads persisted_in_tick, which compact_if_idle clears. */
        node_ledger_tick(hub, hub->stores[i]);
        compact_if_idle(hub, hub->stores[i]);
        for (node_link *link = hub->stores[i]->links; link != NULL; link = link->next) {
            if (hy_session_get_state(link->session) == HY_SESSION_HANDSHAKE &&
                now - link->opened_ms > NODE_HANDSHAKE_SECONDS * 1000) {
                node_link_drop(link, "no authenticated session within the handshake deadline");
                continue;
            }
            hy_session_tick(link->session);
            node_link_kick(link);
        }
    }
    /* Inbound links that never sent a first frame. */
    for (node_link *link = hub->handshaking; link != NULL; link = link->next) {
        if (now - link->opened_ms > NODE_HANDSHAKE_SECONDS * 1000)
            node_link_drop(link, "no HELLO within the handshake deadline");
    }
#ifdef __GLIBC__
    /* After a burst (many peers catching up at once) glibc keeps the freed memory: 156 MB of
     * RSS for 1,000 idle peers that hold 24 MB. Giving it back once a second costs little. */
    malloc_trim(0);
#endif
    lws_sul_schedule(hub->context, 0, &hub->tick, hub_tick, LWS_US_PER_SEC);
}

void node_hub_stop_ticks(node_hub *hub)
{
    lws_sul_cancel(&hub->tick);
}

void node_hub_start_ticks(node_hub *hub, struct lws_context *context)
{
    hub->context = context;
    lws_sul_schedule(context, 0, &hub->tick, hub_tick, LWS_US_PER_SEC);
}

/* Ledgers on a node (docs/node.md, "Ledgers"): a store whose genesis names a committee gets a
 * hy_ledger, whose certified checkpoint /metrics and the log show. A node started with
 * --committee-key holds a member's key: it writes the ledgers whose committee names that key
 * as that member, and signs their checkpoints by itself once a ledger has settled. */
#include "node.h"

#include <string.h>

#include "hex.h"

/* Ticks in a row without a new op before a member signs: a client's batch and the gossip
 * after it arrive within a tick or two, and a vote for a frontier still moving opens an
 * epoch that the members then have to leave for the next one. */
enum { SETTLED_TICKS = 2 };

void node_hub_follow_ledgers(node_hub *hub, const uint8_t *committee_seed)
{
    hub->follow_ledgers = true;
    hub->has_committee_key = committee_seed != NULL;
    if (committee_seed != NULL) {
        memcpy(hub->committee_seed, committee_seed, HY_KEY_LEN);
        hy_key_public(hub->committee_key, committee_seed);
    }
}

static bool committee_names(const hy_genesis *policy, const uint8_t key[HY_KEY_LEN])
{
    for (size_t i = 0; i < policy->committee_count; i++) {
        if (memcmp(policy->committee + i * HY_KEY_LEN, key, HY_KEY_LEN) == 0)
            return true;
    }
    return false;
}

const uint8_t *node_ledger_actor(const node_hub *hub, const hy_genesis *policy)
{
    bool member = hub->follow_ledgers && hub->has_committee_key &&
                  committee_names(policy, hub->committee_key);
    return member ? hub->committee_seed : NULL;
}

hy_err node_ledger_open(node_hub *hub, node_store *st, const hy_genesis *policy)
{
    if (!hub->follow_ledgers || policy->committee_count == 0)
        return HY_OK;
    hy_err err = hy_ledger_open(st->store, st->genesis, st->genesis_len, &st->ledger);
    if (err)
        return err;
    st->signs_checkpoints = node_ledger_actor(hub, policy) != NULL;
    /* Whatever the database holds may never have been signed: try once it settles. */
    st->changed_since_checkpoint = true;
    hy_checkpoint_info info;
    hy_ledger_checkpoint_status(st->ledger, &info);
    st->certified_logged = info.epoch;
    return HY_OK;
}

void node_ledger_log_committee(const node_hub *hub)
{
    if (!hub->has_committee_key)
        return;
    size_t ledgers = 0, signing = 0;
    for (size_t i = 0; i < hub->store_count; i++) {
        ledgers += hub->stores[i]->ledger != NULL;
        signing += hub->stores[i]->signs_checkpoints;
    }
    char member[2 * HY_KEY_LEN + 1];
    hy_hex_encode(member, hub->committee_key, HY_KEY_LEN);
    node_log("committee key %s: signs the checkpoints of %zu of %zu ledgers", member, signing,
             ledgers);
}

void node_ledger_changed(node_store *st)
{
    if (st->ledger == NULL)
        return;
    hy_checkpoint_info info;
    hy_ledger_checkpoint_status(st->ledger, &info);
    if (info.epoch <= st->certified_logged)
        return;
    st->certified_logged = info.epoch;
    node_log("ledger %s: checkpoint epoch %llu certified by %zu members; %llu ops confirmed",
             st->label, (unsigned long long)info.epoch, info.signatures,
             (unsigned long long)info.confirmed_ops);
}

/* Signs a checkpoint of what the ledger holds, when there is something new to sign (the
 * ledger picks the epoch: the one other members signed for the same ops, or the next). */
static void sign_checkpoint(node_hub *hub, node_store *st)
{
    st->changed_since_checkpoint = false;
    uint64_t epoch = 0;
    hy_err err = hy_ledger_checkpoint(st->ledger, 0, &epoch);
    if (err == HY_E_NOT_FOUND || (err == HY_OK && epoch == 0))
        return; /* an empty ledger, or this member's newest vote is of these ops already */
    if (err) {
        node_log("ledger %s: cannot sign a checkpoint: %s", st->label, hy_err_str(err));
        return;
    }
    /* On disk before it leaves: a member that forgot its vote in a crash could sign another
     * digest for the same epoch, and be reported as a liar. */
    if (node_hub_persist(hub, st) != HY_OK)
        return;
    st->changed_since_checkpoint = false; /* our own vote is no reason to sign again */
    node_log("ledger %s: signed checkpoint epoch %llu", st->label, (unsigned long long)epoch);
    node_hub_changed(hub, st, NULL); /* which logs a certification our vote completed */
}

void node_ledger_tick(node_hub *hub, node_store *st)
{
    if (!st->signs_checkpoints)
        return;
    /* Settled means no new op for a while; votes do not count, so a member joins the
     * others' epoch at the next tick rather than waiting again after each vote. */
    hy_checkpoint_info info;
    hy_ledger_checkpoint_status(st->ledger, &info);
    if (info.held_ops != st->held_ops) {
        st->held_ops = info.held_ops;
        st->quiet_ticks = 0;
    } else if (st->quiet_ticks < SETTLED_TICKS) {
        st->quiet_ticks++;
    }
    /* While the database refuses writes, a vote could not be kept: wait. */
    if (st->quiet_ticks >= SETTLED_TICKS && st->changed_since_checkpoint && !hub->persist_failed)
        sign_checkpoint(hub, st);
}

size_t node_ledger_gauges_get(const node_hub *hub, node_ledger_gauges *out, size_t cap)
{
    size_t count = 0;
    for (size_t i = 0; i < hub->store_count; i++) {
        const node_store *st = hub->stores[i];
        if (st->ledger == NULL)
            continue;
        if (count < cap) {
            memcpy(out[count].store, st->id, HY_HASH_LEN);
            hy_ledger_checkpoint_status(st->ledger, &out[count].checkpoint);
        }
        count++;
    }
    return count;
}

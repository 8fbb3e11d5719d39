/* `hypha trace --mode concurrent`: a concurrent trace replayed with one replica per agent,
 * changes moving between replicas only as change batches of the public API.
 *
 * Each txn is one change made on its agent's replica at exactly the version its parents name.
 * Right after it is made, the change is taken out as a batch of its own (hy_store_changes with
 * the replica's heads from before it), kept for the replicas of other agents. To bring a
 * replica to the version of a txn's parents, the batches of the txns in the parents' history
 * that it lacks are merged, oldest first (txn order is causal order, so each change's deps
 * arrive before it). A replica therefore always holds the history of the last txn it applied,
 * and nothing more.
 *
 * A replica cannot go back: when the next txn of its agent names a version that lacks a txn
 * the replica already holds, replaying it would take a fork. Forking a replica means a new
 * actor (an actor that forks its own chain equivocates), so this replay refuses such a trace
 * with an error rather than giving a wrong result; the traces we know never do it
 * (friendsforever's agents always edit on top of everything they have seen).
 *
 * Agents' actor keys sort as the agents are numbered. The traces promise no two concurrent
 * inserts at one place, but FugueMax puts a local insert after the tombstones at its place,
 * and friendsforever then has raw conflicts (at txn 22364 agent 0 deletes a "." and types
 * ", hu" in its place, while agent 1 had typed " The" right after the "."). FugueMax orders
 * those by actor, lower first, and endContent has agent 0's text first: the order the
 * reference implementation (Gentle's reference-crdts) gives when agent names sort as numbered.
 * With the keys the other way round the replicas converge on another text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "trace_replay.h"

#define NO_TXN SIZE_MAX

typedef struct replica {
    hy_store *store; /* NULL until its agent's first txn */
    uint8_t *held;   /* one bit per txn: the txns whose changes it holds */
    size_t last;     /* the last txn it applied, or NO_TXN; it holds exactly its history */
} replica;

/* The change of one txn as a batch of its own. */
typedef struct txn_batch {
    uint8_t *data; /* NULL when no replica will merge it, or once every one that may has */
    size_t len;
    /* How many replicas may still merge it: those of the other agents that have a txn after
     * this one and have not merged it yet. The batch is freed when this reaches 0. */
    uint32_t pending;
} txn_batch;

typedef struct replay {
    const hy_trace *trace;
    const hy_store_config *config;
    replica *replicas; /* one per agent */
    uint8_t (*seeds)[HY_KEY_LEN]; /* the actor seed of each agent that edits */
    txn_batch *batches; /* one per txn */
    /* Scratch of the walk through a txn's history: visited[j] is 1 + the txn whose walk last
     * reached txn j; stack and missing hold at most every txn once. */
    uint32_t *visited;
    uint32_t *stack;
    uint32_t *missing;
    trace_heads heads;
    trace_utf8 buf;
    bool reported; /* the failure's error line is out */
} replay;

static bool holds(const replica *r, size_t txn)
{
    return (r->held[txn / 8] >> (txn % 8)) & 1;
}

static void hold(replica *r, size_t txn)
{
    r->held[txn / 8] |= (uint8_t)(1u << (txn % 8));
}

/* Arrays of n items, never empty so that a trace without txns allocates like any other. */
static void *alloc_items(size_t n, size_t size)
{
    return calloc(n ? n : 1, size);
}

/* How many replicas may merge each txn's batch: pending[i] counts the agents other than
 * txn i's own whose last txn comes after i (last: each agent's last txn, or NO_TXN). */
static void count_pending(replay *rp, const size_t *last)
{
    const hy_trace *t = rp->trace;
    uint32_t later = 0; /* agents whose last txn comes after i */
    for (size_t i = t->txn_count; i-- > 0;) {
        uint32_t agent = t->txns[i].agent;
        bool own_later = last[agent] > i;
        rp->batches[i].pending = later - own_later;
        if (last[agent] == i)
            later++;
    }
}

typedef struct actor_key {
    uint8_t seed[HY_KEY_LEN];
    uint8_t pub[HY_KEY_LEN];
} actor_key;

static int compare_keys(const void *a, const void *b)
{
    return memcmp(((const actor_key *)a)->pub, ((const actor_key *)b)->pub, HY_KEY_LEN);
}

/* Seeds derived from fixed labels, so that every run makes the same changes, handed out to
 * the agents that edit in the order of their public keys (see the top of this file). */
static hy_err assign_seeds(replay *rp, const size_t *last)
{
    const hy_trace *t = rp->trace;
    size_t editing = 0;
    for (size_t a = 0; a < t->agent_count; a++)
        editing += last[a] != NO_TXN;
    actor_key *keys = alloc_items(editing, sizeof *keys);
    if (keys == NULL)
        return HY_E_NOMEM;
    for (size_t k = 0; k < editing; k++) {
        char label[48];
        int len = snprintf(label, sizeof label, "hypha trace actor %zu", k);
        hy_hash(label, (size_t)len, keys[k].seed);
        hy_key_public(keys[k].pub, keys[k].seed);
    }
    qsort(keys, editing, sizeof *keys, compare_keys);
    size_t next = 0;
    for (size_t a = 0; a < t->agent_count; a++) {
        if (last[a] != NO_TXN)
            memcpy(rp->seeds[a], keys[next++].seed, HY_KEY_LEN);
    }
    free(keys);
    return HY_OK;
}

static hy_err replay_init(replay *rp, const hy_trace *trace, const hy_store_config *config)
{
    memset(rp, 0, sizeof *rp);
    rp->trace = trace;
    rp->config = config;
    size_t n = trace->txn_count;
    rp->replicas = alloc_items(trace->agent_count, sizeof *rp->replicas);
    rp->seeds = alloc_items(trace->agent_count, sizeof *rp->seeds);
    rp->batches = alloc_items(n, sizeof *rp->batches);
    rp->visited = alloc_items(n, sizeof *rp->visited);
    rp->stack = alloc_items(n, sizeof *rp->stack);
    rp->missing = alloc_items(n, sizeof *rp->missing);
    size_t *last = alloc_items(trace->agent_count, sizeof *last);
    hy_err err = HY_E_NOMEM;
    if (rp->replicas && rp->seeds && rp->batches && rp->visited && rp->stack && rp->missing &&
        last) {
        for (size_t a = 0; a < trace->agent_count; a++) {
            rp->replicas[a].last = NO_TXN;
            last[a] = NO_TXN;
        }
        for (size_t i = 0; i < n; i++)
            last[trace->txns[i].agent] = i;
        count_pending(rp, last);
        err = assign_seeds(rp, last);
    }
    free(last);
    return err;
}

/* Every batch still held, freed through the store that made it (all stores share one
 * allocator, but the API pairs each buffer with its store). */
static void free_batches(replay *rp)
{
    for (size_t i = 0; rp->batches && i < rp->trace->txn_count; i++) {
        txn_batch *b = &rp->batches[i];
        if (b->data)
            hy_store_buffer_free(rp->replicas[rp->trace->txns[i].agent].store, b->data, b->len);
        b->data = NULL;
    }
}

static void replay_free(replay *rp)
{
    free_batches(rp);
    for (size_t a = 0; rp->replicas && a < rp->trace->agent_count; a++) {
        hy_store_free(rp->replicas[a].store);
        free(rp->replicas[a].held);
    }
    free(rp->replicas);
    free(rp->seeds);
    free(rp->batches);
    free(rp->visited);
    free(rp->stack);
    free(rp->missing);
    trace_heads_free(&rp->heads);
    trace_utf8_free(&rp->buf);
}

/* The agent's replica, made at its first txn. */
static hy_err open_replica(replay *rp, uint32_t agent)
{
    replica *r = &rp->replicas[agent];
    if (r->store)
        return HY_OK;
    r->held = alloc_items((rp->trace->txn_count + 7) / 8, 1);
    if (r->held == NULL)
        return HY_E_NOMEM;
    hy_store_config config = *rp->config;
    config.actor_seed = rp->seeds[agent];
    return hy_store_new(&config, &r->store);
}

static void push_parents(replay *rp, size_t txn, uint32_t mark, size_t *stack_len)
{
    const hy_trace_txn *x = &rp->trace->txns[txn];
    for (uint32_t k = 0; k < x->parent_count; k++) {
        uint32_t parent = rp->trace->parents[x->first_parent + k];
        if (rp->visited[parent] != mark) {
            rp->visited[parent] = mark;
            rp->stack[(*stack_len)++] = parent;
        }
    }
}

static int compare_txns(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Lists in rp->missing the txns in the history of txns[index]'s parents that r lacks.
 * The walk stops at txns r holds, since r holds their history too; it reaches r's last txn
 * exactly when that txn is in the parents' history (every txn on the way to it descends
 * from it, so r lacks them). Otherwise r holds something the version lacks. */
static size_t find_missing(replay *rp, const replica *r, size_t index, bool *holds_more)
{
    uint32_t mark = (uint32_t)index + 1;
    size_t stack_len = 0, missing_len = 0;
    bool reached_last = r->last == NO_TXN;
    push_parents(rp, index, mark, &stack_len);
    while (stack_len > 0) {
        uint32_t txn = rp->stack[--stack_len];
        if (holds(r, txn)) {
            reached_last = reached_last || txn == r->last;
            continue;
        }
        rp->missing[missing_len++] = txn;
        push_parents(rp, txn, mark, &stack_len);
    }
    *holds_more = !reached_last;
    return missing_len;
}

/* Brings r to exactly the version txns[index]'s parents name. */
static hy_err catch_up(replay *rp, replica *r, size_t index)
{
    bool holds_more;
    size_t count = find_missing(rp, r, index, &holds_more);
    if (holds_more) {
        cli_error("trace: txn %zu: agent %lu's replica already holds txn %zu, which this "
                  "txn's parents lack; going back to their version would take a fork of the "
                  "replica, which this replay does not do", index,
                  (unsigned long)rp->trace->txns[index].agent, r->last);
        rp->reported = true;
        return HY_E_INVALID_ARG;
    }
    qsort(rp->missing, count, sizeof *rp->missing, compare_txns);
    for (size_t i = 0; i < count; i++) {
        uint32_t txn = rp->missing[i];
        txn_batch *b = &rp->batches[txn];
        hy_err err = hy_store_merge(r->store, b->data, b->len);
        if (err)
            return err;
        hold(r, txn);
        if (--b->pending == 0) {
            hy_store_buffer_free(r->store, b->data, b->len);
            b->data = NULL;
        }
    }
    return HY_OK;
}

static hy_err replay_txn(replay *rp, size_t index)
{
    uint32_t agent = rp->trace->txns[index].agent;
    replica *r = &rp->replicas[agent];
    txn_batch *b = &rp->batches[index];
    hy_err err = open_replica(rp, agent);
    if (err == HY_OK)
        err = catch_up(rp, r, index);
    if (err == HY_OK && b->pending)
        err = trace_read_heads(r->store, &rp->heads);
    if (err == HY_OK)
        err = trace_apply_txn(r->store, rp->trace, index, &rp->buf);
    if (err)
        return err;
    hold(r, index);
    r->last = index;
    if (b->pending == 0)
        return HY_OK;
    return hy_store_changes(r->store, rp->heads.hashes, rp->heads.count, &b->data, &b->len);
}

/* Merges every replica into a fresh one (merge_ms), saves and loads it, then brings every
 * replica up to date from it: ok when all of them read endContent. */
static hy_err merge_all(replay *rp, trace_figures *figures)
{
    const hy_trace *t = rp->trace;
    hy_store *merged = NULL;
    hy_err err = hy_store_new(rp->config, &merged);
    for (size_t a = 0; err == HY_OK && a < t->agent_count; a++) {
        if (rp->replicas[a].store)
            err = trace_sync(merged, rp->replicas[a].store, &rp->heads, figures);
    }
    if (err == HY_OK) {
        figures->ok = trace_text_is_end(merged, t, &rp->buf, &figures->final_len);
        err = trace_save_load(merged, rp->config, t, true, figures, &rp->buf);
    }
    for (size_t a = 0; err == HY_OK && a < t->agent_count; a++) {
        hy_store *store = rp->replicas[a].store;
        size_t len;
        if (store == NULL)
            continue;
        err = trace_sync(store, merged, &rp->heads, NULL);
        figures->ok = figures->ok && err == HY_OK && trace_text_is_end(store, t, &rp->buf, &len);
    }
    hy_store_free(merged);
    return err;
}

hy_err trace_replay_concurrent(const hy_trace *trace, const hy_store_config *config,
                               trace_figures *figures)
{
    replay rp;
    size_t failed_txn = NO_TXN;
    hy_err err = replay_init(&rp, trace, config);
    double start = trace_now_ms();
    for (size_t i = 0; err == HY_OK && i < trace->txn_count; i++) {
        err = replay_txn(&rp, i);
        if (err)
            failed_txn = i;
    }
    figures->apply_ms = trace_now_ms() - start;
    free_batches(&rp);
    if (err == HY_OK)
        err = merge_all(&rp, figures);
    if (err) {
        figures->ok = false;
        if (!rp.reported)
            trace_report(err, failed_txn);
    }
    replay_free(&rp);
    return err;
}

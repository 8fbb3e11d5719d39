/* Property test of the sync protocol over a simulated network (tests/support/sim_net.h):
 * 2 to 16 peers in random topologies, links that lose, duplicate and reorder messages,
 * partitions that heal, reconnects and restarts, random edits of every type while traffic
 * flows. After healing, every store holds the same state and every link is in sync; after
 * that, ticks and announcements send nothing at all (docs/protocol.md, "Reconciliation",
 * step 4: "once both ends hold the same changes ... ticks send nothing"). Gossip: a change
 * made at one peer crosses each link at most once each way (step 3), never back towards
 * where it came from.
 *
 *   test_sync_sim [SEEDS [FIRST_SEED]]     HYPHA_SEED=S test_sync_sim: seed S alone
 *
 * A failure names its seed; tests/prop runs many more seeds. */
#include "hy_test.h"

#include "sim_net.h"
#include "store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t seeds = 16, first_seed = 1;
static bool trace; /* HYPHA_SIM_TRACE=1: print every message of the seeded runs */

static sim_net *new_net(void)
{
    sim_net *n = calloc(1, sizeof *n);
    assert_non_null(n);
    return n;
}

static void check(sim_net *n, bool ok)
{
    if (!ok)
        fail_msg("%s (rerun alone: HYPHA_SEED=%llu test_sync_sim; HYPHA_SIM_TRACE=1 prints "
                 "every message)", n->why, (unsigned long long)n->seed);
}

/* A network after convergence stays silent: ticks for two simulated minutes, every session
 * told its store changed, and ticks again: not one frame. */
static void assert_silent(sim_net *n)
{
    uint64_t before = n->frames_sent;
    check(n, sim_run_until(n, n->now + 120 * SIM_TICK_MS));
    check(n, sim_poke(n));
    check(n, sim_run_until(n, n->now + 5 * SIM_TICK_MS));
    if (n->frames_sent != before)
        fail_msg("seed %llu: %llu frames after convergence (sync loop)",
                 (unsigned long long)n->seed, (unsigned long long)(n->frames_sent - before));
    if (!sim_quiet(n))
        fail_msg("seed %llu: out of sync again while silent", (unsigned long long)n->seed);
}

/* What the links did, over all seeds: a fault model that never fired would prove nothing;
 * nor would big edits that never needed a batch in parts. */
static uint64_t lost_total, duplicated_total, parted_total;

static void run_seed(uint64_t seed)
{
    hy_rng rng = { seed };
    /* Mostly small networks; one seed in five has 9 to 16 peers. */
    size_t peers = hy_rng_below(&rng, 5) ? 2 + (size_t)hy_rng_below(&rng, 7)
                                         : 9 + (size_t)hy_rng_below(&rng, 8);
    sim_options o;
    memset(&o, 0, sizeof o);
    o.require_signatures = (int)hy_rng_below(&rng, 2);
    o.restrict_writers = hy_rng_below(&rng, 2);
    o.restrict_readers = hy_rng_below(&rng, 2);
    /* One seed in three: sessions take frames no larger than a whole part needs. */
    o.max_frame = hy_rng_below(&rng, 3) ? 0 : HY_MIN_MAX_FRAME;
    sim_net *n = new_net();
    check(n, sim_init(n, seed, peers, &o));
    n->trace = trace;
    const char *shape = sim_random_topology(n, false);
    printf("seed %llu: %zu peers, %s of %zu links%s\n", (unsigned long long)seed, peers, shape,
           n->link_count, o.max_frame ? ", smallest max_frame" : "");
    check(n, !n->why[0]);

    /* Edits while traffic flows, with partitions, reconnects and restarts. */
    uint64_t end = 8 * SIM_TICK_MS + hy_rng_below(&rng, 12 * SIM_TICK_MS);
    uint64_t heal_at = UINT64_MAX;
    while (n->now < end) {
        check(n, sim_run_until(n, n->now + 20 + hy_rng_below(&rng, 400)));
        if (n->now >= heal_at) {
            check(n, sim_heal(n));
            heal_at = UINT64_MAX;
        }
        uint64_t what = hy_rng_below(&rng, 100);
        if (what < 79) {
            check(n, sim_edit(n, (size_t)hy_rng_below(&rng, peers)));
        } else if (what < 80) { /* a batch in one to four CHANGES parts */
            size_t len = 40000 + (size_t)hy_rng_below(&rng, 3 * 65536);
            check(n, sim_edit_big(n, (size_t)hy_rng_below(&rng, peers), len));
        } else if (what < 88 && heal_at == UINT64_MAX) {
            uint32_t side = (uint32_t)hy_rng_below(&rng, ((uint64_t)1 << peers) - 2) + 1;
            check(n, sim_partition(n, side));
            heal_at = n->now + 2 * SIM_TICK_MS + hy_rng_below(&rng, 8 * SIM_TICK_MS);
        } else if (what < 94 && heal_at == UINT64_MAX) {
            check(n, sim_reconnect(n, (size_t)hy_rng_below(&rng, n->link_count)));
        } else if (what < 97 && heal_at == UINT64_MAX) {
            check(n, sim_restart(n, (size_t)hy_rng_below(&rng, peers)));
        }
    }
    check(n, sim_heal(n));
    /* Lossy links stay lossy: ticks must recover what they lose. */
    check(n, sim_settle(n, 600 * SIM_TICK_MS));
    check(n, sim_same_state(n));
    assert_true(n->edits > 0);
    assert_silent(n);
    for (size_t i = 0; i < n->link_count; i++)
        for (int k = 0; k < 2; k++) {
            lost_total += n->links[i].dir[k].lost;
            duplicated_total += n->links[i].dir[k].duplicated;
        }
    parted_total += n->parted_batches;
    sim_free(n);
    free(n);
}

static void peers_converge_and_fall_silent_for_every_seed(void **state)
{
    (void)state;
    for (uint64_t seed = first_seed; seed < first_seed + seeds; seed++)
        run_seed(seed);
    if (seeds >= 5)
        assert_true(lost_total > 0 && duplicated_total > 0);
    if (seeds >= 16)
        assert_true(parted_total > 0);
}

/* The watched change: the one head of peer p's store after a fresh edit there. */
static void edit_and_watch(sim_net *n, size_t p)
{
    assert_int_equal(hy_counter_add(n->peers[p].store, "docs", "watched", "n", 1), HY_OK);
    size_t count = 0;
    assert_int_equal(hy_store_heads(n->peers[p].store, n->watch, 1, &count), HY_OK);
    assert_int_equal(count, 1);
    n->watching = true;
    check(n, sim_announce(n, p));
}

static void assert_reached_everyone(sim_net *n)
{
    check(n, sim_settle(n, 60 * SIM_TICK_MS));
    check(n, sim_same_state(n));
    for (size_t p = 0; p < n->peer_count; p++)
        assert_int_not_equal(hy_log_find(n->peers[p].store->log, n->watch), UINT32_MAX);
}

/* 16 peers in a star or a line over FIFO links, some of them duplicating: one change made at
 * one peer reaches all, in exactly one CHANGES batch per link, sent away from its origin
 * (never back), whatever copies the links themselves made. */
static void gossip_in_a_tree_crosses_each_link_once(void **state)
{
    (void)state;
    for (uint64_t shape = 0; shape < 4; shape++) {
        sim_net *n = new_net();
        sim_options o;
        memset(&o, 0, sizeof o);
        check(n, sim_init(n, 1000 + shape, SIM_MAX_PEERS, &o));
        sim_fault f = { 0, shape & 1 ? 300 : 0, 2, 20, true, 2 };
        for (size_t p = 1; p < SIM_MAX_PEERS; p++)
            sim_connect(n, shape < 2 ? 0 : p - 1, p, &f);
        check(n, sim_settle(n, 10 * SIM_TICK_MS));
        for (int i = 0; i < 5; i++)
            check(n, sim_edit(n, (size_t)i * 3));
        check(n, sim_settle(n, 30 * SIM_TICK_MS));
        size_t origin = shape < 2 ? 7 : 5; /* a leaf of the star; inside the line */
        edit_and_watch(n, origin);
        assert_reached_everyone(n);
        uint64_t copies = 0;
        for (size_t i = 0; i < n->link_count; i++) {
            const sim_link *l = &n->links[i];
            /* Links are (hub, leaf) in the star and (p - 1, p) in the line: away from the
             * origin is from end 1 on the origin's own link of the star and on the line's
             * links below the origin, from end 0 elsewhere. */
            size_t far = l->peer[1];
            int away = (shape < 2 ? far == origin : far <= origin) ? 1 : 0;
            if (l->dir[away].watched_sent != 1 || l->dir[1 - away].watched_sent != 0)
                fail_msg("%s, link %zu-%zu: %llu batches with the change away from its origin,"
                         " %llu back (expected 1 and 0)", shape < 2 ? "star" : "line",
                         l->peer[0], l->peer[1],
                         (unsigned long long)l->dir[away].watched_sent,
                         (unsigned long long)l->dir[1 - away].watched_sent);
            copies += l->dir[away].watched_copies;
        }
        if (shape & 1)
            assert_true(copies > 0); /* the duplicating links did duplicate some */
        assert_silent(n);
        sim_free(n);
        free(n);
    }
}

/* Random connected graphs with cycles over FIFO links (duplicating, never losing): a change
 * crosses each link at most once in each direction. */
static void gossip_in_a_graph_crosses_each_link_at_most_once_each_way(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 4; seed++) {
        sim_net *n = new_net();
        sim_options o;
        memset(&o, 0, sizeof o);
        size_t peers = 6 + (size_t)(seed % 4) * 3;
        check(n, sim_init(n, 2000 + seed, peers, &o));
        sim_fault f = { 0, seed & 1 ? 250 : 0, 2, 30, true, 3 };
        for (size_t p = 1; p < peers; p++)
            sim_connect(n, (size_t)hy_rng_below(&n->rng, p), p, &f);
        for (size_t extra = 0; extra < peers; extra++) {
            size_t a = (size_t)hy_rng_below(&n->rng, peers);
            size_t b = (size_t)hy_rng_below(&n->rng, peers);
            bool dup = a == b;
            for (size_t i = 0; i < n->link_count && !dup; i++)
                dup = (n->links[i].peer[0] == a && n->links[i].peer[1] == b) ||
                      (n->links[i].peer[0] == b && n->links[i].peer[1] == a);
            if (!dup)
                sim_connect(n, a, b, &f);
        }
        check(n, sim_settle(n, 10 * SIM_TICK_MS));
        for (size_t i = 0; i < peers; i++)
            check(n, sim_edit(n, i));
        check(n, sim_settle(n, 30 * SIM_TICK_MS));
        edit_and_watch(n, (size_t)(seed % peers));
        assert_reached_everyone(n);
        uint64_t batches = 0;
        for (size_t i = 0; i < n->link_count; i++)
            for (int k = 0; k < 2; k++) {
                batches += n->links[i].dir[k].watched_sent;
                if (n->links[i].dir[k].watched_sent > 1)
                    fail_msg("seed %llu: link %zu-%zu carried the change %llu times from "
                             "peer %zu", (unsigned long long)n->seed, n->links[i].peer[0],
                             n->links[i].peer[1],
                             (unsigned long long)n->links[i].dir[k].watched_sent,
                             n->links[i].peer[k]);
            }
        /* Every peer but the origin got it in some batch. */
        assert_in_range(batches, peers - 1, 2 * n->link_count);
        assert_silent(n);
        sim_free(n);
        free(n);
    }
}

int main(int argc, char **argv)
{
    const char *one = getenv("HYPHA_SEED");
    if (one && *one) {
        first_seed = strtoull(one, NULL, 10);
        seeds = 1;
    }
    const char *t = getenv("HYPHA_SIM_TRACE");
    trace = t && *t && *t != '0';
    if (argc > 1)
        seeds = strtoull(argv[1], NULL, 10);
    if (argc > 2)
        first_seed = strtoull(argv[2], NULL, 10);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(peers_converge_and_fall_silent_for_every_seed),
        cmocka_unit_test(gossip_in_a_tree_crosses_each_link_once),
        cmocka_unit_test(gossip_in_a_graph_crosses_each_link_at_most_once_each_way),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

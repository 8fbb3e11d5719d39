#include "sim_net.h"

#include "store_internal.h"
#include "wire.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_HEADS 64

__attribute__((format(printf, 2, 3))) static bool fail(sim_net *n, const char *fmt, ...)
{
    if (n->why[0])
        return false;
    int at = snprintf(n->why, sizeof n->why, "seed %llu, t=%llu ms: ",
                      (unsigned long long)n->seed, (unsigned long long)n->now);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(n->why + at, sizeof n->why - (size_t)at, fmt, ap);
    va_end(ap);
    return false;
}

static uint64_t below(sim_net *n, uint64_t k) { return hy_rng_below(&n->rng, k); }

/* ---- edits of every type ---- */

static hy_value small_value(hy_rng *r, char text[8])
{
    hy_value v;
    memset(&v, 0, sizeof v);
    if (hy_rng_below(r, 2)) {
        text[0] = (char)('p' + hy_rng_below(r, 8));
        text[1] = (char)('0' + hy_rng_below(r, 10));
        v.type = HY_TYPE_STRING;
        v.as.bytes.data = (const uint8_t *)text;
        v.as.bytes.len = 2;
    } else {
        v.type = HY_TYPE_INT;
        v.as.integer = (int64_t)hy_rng_below(r, 64) - 32;
    }
    return v;
}

/* A random position and run inside a sequence of len items: *at < len, 1 <= *run. */
static void pick_run(hy_rng *r, size_t len, size_t *at, size_t *run)
{
    *at = (size_t)hy_rng_below(r, len);
    size_t room = len - *at;
    *run = 1 + (size_t)hy_rng_below(r, room < 3 ? room : 3);
}

static hy_err random_edit(hy_store *s, hy_rng *r)
{
    static const char *const words[] = { "ab", "\xc3\xa9", "\xf0\x9f\x8c\xb1", "xyz" };
    static const char *const names[] = { "k", "m", "\xc3\xb1" };
    static const char *const fields[] = { "title", "n", "body", "items", "tags", "meta" };
    const char *c = hy_rng_below(r, 3) ? "docs" : "todo";
    char key[2] = { (char)('a' + hy_rng_below(r, 3)), 0 };
    char text[8];
    hy_value v = small_value(r, text);
    size_t len = 0, at, run;
    hy_err err = HY_OK;
    switch (hy_rng_below(r, 13)) {
    case 0:
    case 1:
        return hy_put(s, c, key, "title", &v);
    case 2:
        return hy_counter_add(s, c, key, "n", (int64_t)hy_rng_below(r, 9) - 4);
    case 3: {
        const char *w = words[hy_rng_below(r, 4)];
        err = hy_text_len(s, c, key, "body", &len);
        if (err == HY_OK)
            err = hy_text_insert(s, c, key, "body", (size_t)hy_rng_below(r, len + 1), w,
                                 strlen(w));
        return err;
    }
    case 4:
        err = hy_text_len(s, c, key, "body", &len);
        if (err || len == 0)
            return err;
        pick_run(r, len, &at, &run);
        return hy_text_delete(s, c, key, "body", at, run);
    case 5:
        err = hy_list_len(s, c, key, "items", &len);
        return err ? err : hy_list_insert(s, c, key, "items", (size_t)hy_rng_below(r, len + 1), &v);
    case 6:
        err = hy_list_len(s, c, key, "items", &len);
        if (err || len == 0)
            return err;
        pick_run(r, len, &at, &run);
        return hy_list_delete(s, c, key, "items", at, run);
    case 7:
        v.type = HY_TYPE_INT;
        v.as.integer = (int64_t)hy_rng_below(r, 5);
        return hy_set_add(s, c, key, "tags", &v);
    case 8:
        v.type = HY_TYPE_INT;
        v.as.integer = (int64_t)hy_rng_below(r, 5);
        err = hy_set_delete(s, c, key, "tags", &v);
        break;
    case 9:
    case 10:
        return hy_map_put(s, c, key, "meta", names[hy_rng_below(r, 3)], &v);
    case 11:
        err = hy_map_remove(s, c, key, "meta", names[hy_rng_below(r, 3)]);
        break;
    default: /* remove what this replica sees of a field of any type */
        err = hy_remove(s, c, key, fields[hy_rng_below(r, 6)]);
        break;
    }
    return err == HY_E_NOT_FOUND ? HY_OK : err;
}

/* ---- links ---- */

static hy_err heads_of(hy_store *s, uint8_t heads[MAX_HEADS * HY_HASH_LEN], size_t *count)
{
    return hy_store_heads(s, heads, MAX_HEADS, count);
}

/* A digest of a store's heads, to see whether a delivery moved them. */
static bool heads_digest(sim_net *n, size_t p, uint8_t out[HY_HASH_LEN])
{
    uint8_t heads[MAX_HEADS * HY_HASH_LEN];
    size_t count = 0;
    hy_err err = heads_of(n->peers[p].store, heads, &count);
    if (err)
        return fail(n, "peer %zu: hy_store_heads: %s", p, hy_err_str(err));
    hy_hash(heads, count * HY_HASH_LEN, out);
    return true;
}

static void trace_message(const sim_net *n, const sim_link *l, int k, const uint8_t *data,
                          size_t len, const char *what);

static bool enqueue(sim_net *n, sim_dir *d, const uint8_t *data, size_t len, uint64_t due,
                    unsigned watched)
{
    if (d->len == d->cap) {
        size_t cap = d->cap ? 2 * d->cap : 16;
        sim_msg *bigger = realloc(d->msgs, cap * sizeof *bigger);
        if (bigger == NULL)
            return fail(n, "out of memory");
        d->msgs = bigger;
        d->cap = cap;
    }
    sim_msg *m = &d->msgs[d->len];
    m->data = malloc(len);
    if (m->data == NULL)
        return fail(n, "out of memory");
    memcpy(m->data, data, len);
    m->len = len;
    m->due = due;
    m->order = n->order++;
    m->watched = watched;
    d->len++;
    return true;
}

/* Puts a transport message on the link in direction k, as the link's faults decide. */
static bool send(sim_net *n, sim_link *l, int k, const hy_writer *msg, unsigned watched)
{
    sim_dir *d = &l->dir[k];
    d->messages++;
    d->watched_sent += watched;
    if (l->cut || below(n, 1000) < l->fault.loss) {
        d->lost++;
        if (n->trace)
            trace_message(n, l, k, msg->data, msg->len, "lost");
        return true;
    }
    int copies = below(n, 1000) < l->fault.dup ? 2 : 1;
    if (n->trace)
        trace_message(n, l, k, msg->data, msg->len, copies == 2 ? "sent x2" : "sent");
    if (copies == 2) {
        d->duplicated++;
        d->watched_copies += watched;
    }
    for (int c = 0; c < copies; c++) {
        uint64_t due = n->now + l->fault.delay_min +
                       below(n, l->fault.delay_max - l->fault.delay_min + 1);
        if (l->fault.fifo && due < d->last_due)
            due = d->last_due;
        if (due > d->last_due)
            d->last_due = due;
        if (!enqueue(n, d, msg->data, msg->len, due, watched))
            return false;
    }
    return true;
}

/* Checks a CHANGES frame end k sent against docs/protocol.md, and returns 1 when it completes
 * a batch that carries the watched change. Every batch a session sends has a higher number
 * than the last (>= 1); its parts are exactly WIRE_PART bytes but the last (1 to WIRE_PART).
 * The sender (p2p/) also queues the parts of a batch one after another, in index order: the
 * harness relies on that to reassemble each batch and check that docs/format.md decodes it. */
static unsigned check_changes(sim_net *n, sim_link *l, int k, const wire_view *v, bool *ok)
{
    sim_dir *d = &l->dir[k];
    wire_changes_view c;
    hy_err err = wire_read_changes(v->payload, v->len, &c);
    if (err) {
        *ok = fail(n, "peer %zu sent peer %zu a CHANGES that docs/protocol.md does not decode: "
                      "%s", l->peer[k], l->peer[1 - k], hy_err_str(err));
        return 0;
    }
    bool last = c.flags & WIRE_LAST;
    const char *wrong = NULL;
    if (d->next_part == 0 && c.batch <= d->batch)
        wrong = "a batch number not above the session's last";
    else if (d->next_part != 0 && c.batch != d->batch)
        wrong = "a part of another batch before the last part of this one";
    else if (c.part != d->next_part)
        wrong = "a part out of index order";
    else if (c.len == 0 || c.len > WIRE_PART || (!last && c.len != WIRE_PART))
        wrong = "a part of the wrong size";
    if (wrong) {
        *ok = fail(n, "peer %zu sent peer %zu %s (batch %llu part %llu of %zu bytes%s; "
                      "expected batch %s %llu, part %llu)", l->peer[k], l->peer[1 - k], wrong,
                   (unsigned long long)c.batch, (unsigned long long)c.part, c.len,
                   last ? ", last" : "", d->next_part ? "=" : ">", (unsigned long long)d->batch,
                   (unsigned long long)d->next_part);
        return 0;
    }
    if (c.part == 0)
        d->parts.len = 0;
    d->batch = c.batch;
    d->next_part++;
    hy_write_bytes(&d->parts, c.data, c.len);
    if (!last)
        return 0;
    d->next_part = 0;
    n->parted_batches += c.part > 0;
    size_t count = 0;
    unsigned found = 0;
    err = d->parts.err ? d->parts.err
                       : wire_batch_hashes(d->parts.data, d->parts.len, NULL, 0, &count);
    uint8_t *hashes = err || !n->watching ? NULL : malloc(count * HY_HASH_LEN + 1);
    if (hashes)
        err = wire_batch_hashes(d->parts.data, d->parts.len, hashes, count, &count);
    for (size_t i = 0; hashes && err == HY_OK && i < count; i++)
        found |= memcmp(hashes + i * HY_HASH_LEN, n->watch, HY_HASH_LEN) == 0;
    free(hashes);
    d->parts.len = 0;
    if (err)
        *ok = fail(n, "peer %zu sent peer %zu a CHANGES batch that docs/format.md does not "
                      "decode: %s", l->peer[k], l->peer[1 - k], hy_err_str(err));
    return found;
}

/* Sends everything end k of link l has queued, grouped into messages of 1..batch frames. */
static bool pump(sim_net *n, sim_link *l, int k)
{
    hy_session *s = l->end[k];
    if (s == NULL)
        return true;
    hy_writer msg;
    hy_writer_init(&msg, hy_allocator_default());
    unsigned frames = 0, target = 1 + (unsigned)below(n, l->fault.batch), watched = 0;
    bool ok = true;
    const uint8_t *frame;
    size_t len;
    while (ok && hy_session_next(s, &frame, &len) == HY_OK) {
        wire_view v;
        size_t at = 0;
        if (wire_read(frame, len, &at, &v) != HY_OK || at != len) {
            ok = fail(n, "peer %zu gave peer %zu a frame that is not one whole frame",
                      l->peer[k], l->peer[1 - k]);
            break;
        }
        n->frames_sent++;
        l->dir[k].frames[v.type < 8 ? v.type : 0]++;
        if (v.type == WIRE_ERROR) {
            uint64_t code = 0;
            wire_read_error(v.payload, v.len, &code);
            ok = fail(n, "peer %zu sent peer %zu ERROR %s", l->peer[k], l->peer[1 - k],
                      hy_err_str((hy_err)code));
            break;
        }
        if (v.type == WIRE_CHANGES)
            watched += check_changes(n, l, k, &v, &ok);
        hy_write_bytes(&msg, frame, len);
        if (++frames == target) {
            ok = ok && send(n, l, k, &msg, watched);
            msg.len = 0;
            frames = watched = 0;
            target = 1 + (unsigned)below(n, l->fault.batch);
        }
    }
    if (ok && msg.err)
        ok = fail(n, "out of memory");
    if (ok && frames)
        ok = send(n, l, k, &msg, watched);
    hy_writer_free(&msg);
    return ok;
}

static bool pump_peer(sim_net *n, size_t p)
{
    for (size_t i = 0; i < n->link_count; i++)
        for (int k = 0; k < 2; k++)
            if (n->links[i].peer[k] == p && !pump(n, &n->links[i], k))
                return false;
    return true;
}

/* Tells peer p's sessions (but skip, when not NULL) that its store changed. */
static bool announce(sim_net *n, size_t p, const hy_session *skip)
{
    for (size_t i = 0; i < n->link_count; i++)
        for (int k = 0; k < 2; k++) {
            hy_session *s = n->links[i].end[k];
            if (n->links[i].peer[k] != p || s == NULL || s == skip)
                continue;
            hy_err err = hy_session_changed(s);
            if (err)
                return fail(n, "peer %zu: hy_session_changed: %s", p, hy_err_str(err));
        }
    return pump_peer(n, p);
}

static void clear_dir(sim_dir *d)
{
    for (size_t i = 0; i < d->len; i++)
        free(d->msgs[i].data);
    d->len = 0;
    d->parts.len = 0;
    d->batch = d->next_part = 0; /* the sessions are new: numbering starts again */
}

static void link_down(sim_net *n, sim_link *l)
{
    if (n->trace)
        fprintf(stderr, "%8llu ms  link %zu-%zu down\n", (unsigned long long)n->now,
                l->peer[0], l->peer[1]);
    for (int k = 0; k < 2; k++) {
        hy_session_free(l->end[k]);
        l->end[k] = NULL;
        clear_dir(&l->dir[k]);
    }
    l->cut = false;
}

static bool link_up(sim_net *n, sim_link *l)
{
    if (n->trace)
        fprintf(stderr, "%8llu ms  link %zu-%zu up\n", (unsigned long long)n->now, l->peer[0],
                l->peer[1]);
    for (int k = 0; k < 2; k++) {
        sim_peer *p = &n->peers[l->peer[k]];
        uint8_t nonce[HY_NONCE_LEN];
        hy_rng_fill(&n->rng, nonce, sizeof nonce);
        hy_session_config cfg;
        memset(&cfg, 0, sizeof cfg);
        cfg.store = p->store;
        cfg.genesis = n->genesis;
        cfg.genesis_len = n->genesis_len;
        cfg.node_seed = p->node_seed;
        cfg.nonce = nonce;
        cfg.max_frame = n->options.max_frame;
        hy_err err = hy_session_new(&cfg, &l->end[k]);
        if (err)
            return fail(n, "peer %zu: hy_session_new: %s", l->peer[k], hy_err_str(err));
        l->dir[k].last_due = n->now;
    }
    return pump(n, l, 0) && pump(n, l, 1);
}

/* ---- the network ---- */

static hy_store_config peer_config(sim_net *n, size_t p)
{
    hy_store_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.platform = &n->peers[p].platform.platform;
    cfg.actor_seed = n->peers[p].actor_seed;
    cfg.require_signatures = n->options.require_signatures;
    if (n->options.restrict_writers) {
        cfg.writers = n->writers;
        cfg.writer_count = n->peer_count;
    }
    return cfg;
}

bool sim_init(sim_net *n, uint64_t seed, size_t peer_count, const sim_options *options)
{
    memset(n, 0, sizeof *n);
    n->seed = seed;
    n->rng.state = seed;
    if (options)
        n->options = *options;
    if (peer_count < 2 || peer_count > SIM_MAX_PEERS)
        return fail(n, "%zu peers", peer_count);
    n->peer_count = peer_count;
    for (size_t p = 0; p < peer_count; p++) {
        sim_peer *peer = &n->peers[p];
        test_platform_init(&peer->platform, seed * 131 + p);
        hy_rng_fill(&n->rng, peer->actor_seed, HY_KEY_LEN);
        hy_rng_fill(&n->rng, peer->node_seed, HY_KEY_LEN);
        hy_key_public(n->writers + p * HY_KEY_LEN, peer->actor_seed);
        hy_key_public(n->node_keys + p * HY_KEY_LEN, peer->node_seed);
        peer->next_tick = 1 + below(n, SIM_TICK_MS);
    }
    hy_genesis g;
    memset(&g, 0, sizeof g);
    g.name = "sim";
    g.name_len = 3;
    if (n->options.restrict_writers) {
        g.writers = n->writers;
        g.writer_count = peer_count;
    }
    if (n->options.restrict_readers) {
        g.readers = n->node_keys;
        g.reader_count = peer_count;
    }
    hy_err err = hy_genesis_encode(&g, n->genesis, sizeof n->genesis, &n->genesis_len);
    if (err)
        return fail(n, "hy_genesis_encode: %s", hy_err_str(err));
    for (size_t p = 0; p < peer_count; p++) {
        hy_store_config cfg = peer_config(n, p);
        err = hy_store_new(&cfg, &n->peers[p].store);
        if (err)
            return fail(n, "peer %zu: hy_store_new: %s", p, hy_err_str(err));
    }
    return true;
}

void sim_free(sim_net *n)
{
    for (size_t i = 0; i < n->link_count; i++) {
        link_down(n, &n->links[i]);
        for (int k = 0; k < 2; k++) {
            free(n->links[i].dir[k].msgs);
            hy_writer_free(&n->links[i].dir[k].parts);
        }
    }
    for (size_t p = 0; p < n->peer_count; p++)
        hy_store_free(n->peers[p].store);
    n->link_count = n->peer_count = 0;
}

size_t sim_connect(sim_net *n, size_t a, size_t b, const sim_fault *fault)
{
    if (n->link_count == SIM_MAX_LINKS || a == b || a >= n->peer_count || b >= n->peer_count) {
        fail(n, "cannot link %zu and %zu", a, b);
        return SIZE_MAX;
    }
    sim_link *l = &n->links[n->link_count];
    memset(l, 0, sizeof *l);
    l->peer[0] = a;
    l->peer[1] = b;
    l->fault = *fault;
    if (l->fault.batch == 0)
        l->fault.batch = 1;
    if (l->fault.delay_min == 0)
        l->fault.delay_min = 1;
    if (l->fault.delay_max < l->fault.delay_min)
        l->fault.delay_max = l->fault.delay_min;
    for (int k = 0; k < 2; k++)
        hy_writer_init(&l->dir[k].parts, hy_allocator_default());
    n->link_count++;
    link_up(n, l);
    return n->link_count - 1;
}

sim_fault sim_random_fault(sim_net *n)
{
    sim_fault f;
    f.loss = below(n, 3) ? (unsigned)below(n, 300) : 0;
    f.dup = below(n, 3) ? (unsigned)below(n, 200) : 0;
    f.delay_min = 1 + (uint32_t)below(n, 40);
    f.delay_max = f.delay_min + (uint32_t)below(n, 400);
    f.fifo = below(n, 2) == 0;
    f.batch = 1 + (unsigned)below(n, 4);
    return f;
}

static bool linked(const sim_net *n, size_t a, size_t b)
{
    for (size_t i = 0; i < n->link_count; i++)
        if ((n->links[i].peer[0] == a && n->links[i].peer[1] == b) ||
            (n->links[i].peer[0] == b && n->links[i].peer[1] == a))
            return true;
    return false;
}

const char *sim_random_topology(sim_net *n, bool lossless)
{
    static const sim_fault perfect = { 0, 0, 1, 20, true, 1 };
    size_t order[SIM_MAX_PEERS], count = n->peer_count;
    for (size_t i = 0; i < count; i++)
        order[i] = i;
    for (size_t i = count - 1; i > 0; i--) {
        size_t j = (size_t)below(n, i + 1), t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    uint64_t shape = below(n, 4);
    for (size_t i = 1; i < count; i++) {
        size_t to = shape == 2 ? order[0] : shape == 3 ? order[below(n, i)] : order[i - 1];
        sim_fault f = lossless ? perfect : sim_random_fault(n);
        sim_connect(n, to, order[i], &f);
    }
    if (shape == 1 && count > 2) {
        sim_fault f = lossless ? perfect : sim_random_fault(n);
        sim_connect(n, order[count - 1], order[0], &f);
    }
    for (size_t extra = shape == 3 ? count / 2 : 0; extra > 0; extra--) {
        size_t a = (size_t)below(n, count), b = (size_t)below(n, count);
        if (a == b || linked(n, a, b))
            continue;
        sim_fault f = lossless ? perfect : sim_random_fault(n);
        sim_connect(n, a, b, &f);
    }
    static const char *const names[] = { "line", "ring", "star", "random graph" };
    return names[shape];
}

/* One line per message: "deliver" when it arrives, or what the link did when it was sent. */
static void trace_message(const sim_net *n, const sim_link *l, int k, const uint8_t *data,
                          size_t len, const char *what)
{
    static const char *const names[] = { "?", "HELLO", "AUTH", "SYNC", "CHANGES", "NEED",
                                         "ERROR", "?" };
    fprintf(stderr, "%8llu ms  %zu -> %zu %-7s:", (unsigned long long)n->now, l->peer[k],
            l->peer[1 - k], what);
    wire_view v;
    size_t at = 0;
    while (wire_read(data, len, &at, &v) == HY_OK) {
        fprintf(stderr, " %s(%zu", names[v.type < 8 ? v.type : 0], v.len);
        wire_changes_view c;
        if (v.type == WIRE_CHANGES && wire_read_changes(v.payload, v.len, &c) == HY_OK) {
            uint8_t h[HY_HASH_LEN];
            hy_hash(c.data, c.len, h);
            fprintf(stderr, " batch %llu part %llu%s #%02x%02x", (unsigned long long)c.batch,
                    (unsigned long long)c.part, c.flags & WIRE_LAST ? " last" : "", h[0], h[1]);
        } else if (v.type == WIRE_CHANGES) {
            fprintf(stderr, " undecodable");
        }
        if (v.type == WIRE_SYNC)
            fprintf(stderr, " flags %u", v.payload[0]);
        fputc(')', stderr);
    }
    fputc('\n', stderr);
}

/* Hands message m, from end k of link l, to the other end. */
static bool deliver(sim_net *n, sim_link *l, int k, const sim_msg *m)
{
    int to = 1 - k;
    size_t p = l->peer[to];
    hy_session *s = l->end[to];
    uint8_t before[HY_HASH_LEN], after[HY_HASH_LEN];
    if (n->trace)
        trace_message(n, l, k, m->data, m->len, "deliver");
    if (!heads_digest(n, p, before))
        return false;
    hy_err err = hy_session_receive(s, m->data, m->len);
    if (err)
        return fail(n, "peer %zu, from peer %zu: hy_session_receive: %s", p, l->peer[k],
                    hy_err_str(err));
    if (hy_session_get_state(s) == HY_SESSION_CLOSED)
        return fail(n, "peer %zu's session with peer %zu closed (%s)", p, l->peer[k],
                    hy_err_str(hy_session_error(s)));
    if (hy_session_get_state(s) == HY_SESSION_READY) {
        const uint8_t *key = hy_session_peer_key(s);
        if (key == NULL || memcmp(key, n->node_keys + l->peer[k] * HY_KEY_LEN, HY_KEY_LEN))
            return fail(n, "peer %zu's session names the wrong peer key for peer %zu", p,
                        l->peer[k]);
    }
    if (!heads_digest(n, p, after))
        return false;
    if (memcmp(before, after, HY_HASH_LEN) != 0)
        return announce(n, p, s);
    return pump_peer(n, p);
}

static bool tick(sim_net *n, size_t p)
{
    n->peers[p].next_tick += SIM_TICK_MS;
    for (size_t i = 0; i < n->link_count; i++)
        for (int k = 0; k < 2; k++) {
            hy_session *s = n->links[i].end[k];
            if (n->links[i].peer[k] != p || s == NULL)
                continue;
            hy_err err = hy_session_tick(s);
            if (err)
                return fail(n, "peer %zu: hy_session_tick: %s", p, hy_err_str(err));
        }
    return pump_peer(n, p);
}

bool sim_run_until(sim_net *n, uint64_t t)
{
    while (!n->why[0]) {
        sim_link *at_link = NULL;
        int at_dir = 0;
        size_t at_msg = 0;
        for (size_t i = 0; i < n->link_count; i++)
            for (int k = 0; k < 2; k++) {
                const sim_dir *d = &n->links[i].dir[k];
                for (size_t j = 0; j < d->len; j++) {
                    const sim_msg *m = &d->msgs[j];
                    const sim_msg *best = at_link ? &at_link->dir[at_dir].msgs[at_msg] : NULL;
                    if (best == NULL || m->due < best->due ||
                        (m->due == best->due && m->order < best->order)) {
                        at_link = &n->links[i];
                        at_dir = k;
                        at_msg = j;
                    }
                }
            }
        size_t ticker = 0;
        for (size_t p = 1; p < n->peer_count; p++)
            if (n->peers[p].next_tick < n->peers[ticker].next_tick)
                ticker = p;
        uint64_t tick_at = n->peers[ticker].next_tick;
        uint64_t msg_at = at_link ? at_link->dir[at_dir].msgs[at_msg].due : UINT64_MAX;
        if (tick_at > t && msg_at > t)
            break;
        if (tick_at <= msg_at) {
            n->now = tick_at;
            tick(n, ticker);
            continue;
        }
        sim_dir *d = &at_link->dir[at_dir];
        sim_msg m = d->msgs[at_msg];
        d->msgs[at_msg] = d->msgs[--d->len];
        n->now = m.due;
        deliver(n, at_link, at_dir, &m);
        free(m.data);
    }
    if (!n->why[0] && n->now < t)
        n->now = t;
    return !n->why[0];
}

/* One transaction of 1 to 3 random edits at peer p, committed. */
static bool commit_edits(sim_net *n, size_t p)
{
    hy_store *s = n->peers[p].store;
    hy_err err = hy_txn_begin(s);
    for (uint64_t e = 1 + below(n, 3); err == HY_OK && e > 0; e--)
        err = random_edit(s, &n->rng);
    if (err) {
        hy_txn_rollback(s);
        return fail(n, "peer %zu: an edit failed: %s", p, hy_err_str(err));
    }
    err = hy_txn_commit(s);
    if (err)
        return fail(n, "peer %zu: commit: %s", p, hy_err_str(err));
    n->edits++;
    return true;
}

bool sim_edit(sim_net *n, size_t p)
{
    return commit_edits(n, p) && sim_announce(n, p);
}

bool sim_announce(sim_net *n, size_t p) { return announce(n, p, NULL); }

bool sim_edit_big(sim_net *n, size_t p, size_t len)
{
    char *text = malloc(len);
    if (text == NULL)
        return fail(n, "out of memory");
    for (size_t i = 0; i < len; i++)
        text[i] = (char)('a' + (i * 7 + i / 26) % 26);
    size_t at = 0;
    hy_store *s = n->peers[p].store;
    hy_err err = hy_text_len(s, "big", "a", "body", &at);
    if (err == HY_OK)
        err = hy_text_insert(s, "big", "a", "body", (size_t)below(n, at + 1), text, len);
    free(text);
    if (err)
        return fail(n, "peer %zu: a big insert failed: %s", p, hy_err_str(err));
    n->edits++;
    return announce(n, p, NULL);
}

bool sim_reconnect(sim_net *n, size_t i)
{
    link_down(n, &n->links[i]);
    return link_up(n, &n->links[i]);
}

bool sim_restart(sim_net *n, size_t p)
{
    for (size_t i = 0; i < n->link_count; i++)
        if (n->links[i].peer[0] == p || n->links[i].peer[1] == p)
            link_down(n, &n->links[i]);
    uint8_t *bytes;
    size_t len, offset = 0;
    hy_err err = hy_store_save(n->peers[p].store, &bytes, &len);
    if (err)
        return fail(n, "peer %zu: save: %s", p, hy_err_str(err));
    hy_store *again = NULL;
    hy_store_config cfg = peer_config(n, p);
    err = hy_store_load(&cfg, bytes, len, &again, &offset);
    hy_store_buffer_free(n->peers[p].store, bytes, len);
    if (err)
        return fail(n, "peer %zu: load: %s at %zu", p, hy_err_str(err), offset);
    hy_store_free(n->peers[p].store);
    n->peers[p].store = again;
    for (size_t i = 0; i < n->link_count; i++)
        if ((n->links[i].peer[0] == p || n->links[i].peer[1] == p) &&
            !link_up(n, &n->links[i]))
            return false;
    return true;
}

bool sim_partition(sim_net *n, uint32_t side)
{
    for (size_t i = 0; i < n->link_count; i++) {
        sim_link *l = &n->links[i];
        if (((side >> l->peer[0]) & 1) == ((side >> l->peer[1]) & 1) || l->end[0] == NULL)
            continue;
        if (below(n, 2)) {
            l->cut = true;
            if (n->trace)
                fprintf(stderr, "%8llu ms  link %zu-%zu cut\n", (unsigned long long)n->now,
                        l->peer[0], l->peer[1]);
        }
        else
            link_down(n, l);
    }
    return !n->why[0];
}

bool sim_heal(sim_net *n)
{
    for (size_t i = 0; i < n->link_count; i++) {
        sim_link *l = &n->links[i];
        l->cut = false;
        if (l->end[0] == NULL && !link_up(n, l))
            return false;
    }
    return true;
}

bool sim_quiet(const sim_net *n)
{
    for (size_t i = 0; i < n->link_count; i++) {
        const sim_link *l = &n->links[i];
        if (l->cut || l->end[0] == NULL)
            return false;
        for (int k = 0; k < 2; k++)
            if (l->dir[k].len || l->dir[k].next_part ||
                hy_session_get_state(l->end[k]) != HY_SESSION_READY ||
                !hy_session_in_sync(l->end[k]))
                return false;
    }
    return true;
}

bool sim_settle(sim_net *n, uint64_t max_ms)
{
    uint64_t until = n->now + max_ms;
    while (!sim_quiet(n)) {
        if (n->now >= until) {
            for (size_t i = 0; i < n->link_count; i++) {
                const sim_link *l = &n->links[i];
                for (int k = 0; k < 2 && l->end[k]; k++)
                    if (!hy_session_in_sync(l->end[k]) || l->dir[k].len)
                        return fail(n, "not settled after %llu ms: peer %zu's session with "
                                       "peer %zu is %s, %zu messages in flight to it",
                                    (unsigned long long)max_ms, l->peer[k], l->peer[1 - k],
                                    hy_session_in_sync(l->end[k]) ? "in sync" : "not in sync",
                                    l->dir[1 - k].len);
            }
            return fail(n, "not settled after %llu ms", (unsigned long long)max_ms);
        }
        if (!sim_run_until(n, n->now + 50))
            return false;
    }
    return true;
}

bool sim_same_state(sim_net *n)
{
    uint8_t first[MAX_HEADS * HY_HASH_LEN], heads[MAX_HEADS * HY_HASH_LEN];
    size_t first_count = 0, count = 0;
    uint8_t *saved0 = NULL, *saved = NULL;
    size_t len0 = 0, len = 0;
    if (heads_of(n->peers[0].store, first, &first_count) ||
        hy_store_save(n->peers[0].store, &saved0, &len0))
        return fail(n, "peer 0: cannot read heads or save");
    bool ok = true;
    for (size_t p = 0; ok && p < n->peer_count; p++) {
        hy_store *s = n->peers[p].store;
        if (hy_log_pending_count(s->log) || hy_log_equivocation_count(s->log))
            ok = fail(n, "peer %zu: %zu changes pending, %zu equivocations", p,
                      hy_log_pending_count(s->log), hy_log_equivocation_count(s->log));
        else if (heads_of(s, heads, &count) || count != first_count ||
                 memcmp(heads, first, count * HY_HASH_LEN) != 0)
            ok = fail(n, "peer %zu's heads differ from peer 0's", p);
        else if (hy_store_save(s, &saved, &len))
            ok = fail(n, "peer %zu: cannot save", p);
        else {
            if (len != len0 || memcmp(saved, saved0, len) != 0)
                ok = fail(n, "peer %zu saves other bytes than peer 0", p);
            hy_store_buffer_free(s, saved, len);
        }
    }
    hy_store_buffer_free(n->peers[0].store, saved0, len0);
    return ok;
}

bool sim_poke(sim_net *n)
{
    for (size_t p = 0; p < n->peer_count; p++)
        if (!announce(n, p, NULL))
            return false;
    return true;
}

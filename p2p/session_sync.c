/* Reconciliation (docs/protocol.md, "Reconciliation"): SYNC announces heads and a version
 * vector, CHANGES carries batches in parts, NEED asks for changes by hash when vectors cannot
 * tell (equivocation). What the peer holds is tracked per session so that pushes send each
 * change over a link once and never back to where it came from. */
#include "session_internal.h"

#include "alloc.h"
#include "bloom.h"
#include "try.h"

#include <stdlib.h>
#include <string.h>

static int hash_cmp(const void *a, const void *b) { return memcmp(a, b, HY_HASH_LEN); }

/* ---- what the peer holds ---- */

static uint32_t *seq_at(hy_vec *seqs, uint32_t actor)
{
    return &HY_VEC_AT(seqs, uint32_t, actor);
}

/* One zeroed entry per actor of the log (actors arrive as changes do), of any item size. */
static hy_err grow_per_actor(hy_session *s, hy_vec *per_actor)
{
    uint32_t actors = hy_log_actor_count(s->log);
    HY_TRY(hy_vec_reserve(per_actor, &s->alloc, actors));
    if (per_actor->len < actors) {
        memset(hy_vec_at(per_actor, per_actor->len), 0,
               (actors - per_actor->len) * per_actor->elem);
        per_actor->len = actors;
    }
    return HY_OK;
}

/* Raises seqs (per actor) to cover the changes with these log indexes. */
static hy_err raise_seqs(hy_session *s, hy_vec *seqs, const uint32_t *indexes, size_t count)
{
    HY_TRY(grow_per_actor(s, seqs));
    for (size_t i = 0; i < count; i++) {
        hy_log_entry e;
        hy_log_get(s->log, indexes[i], &e);
        uint32_t *seq = seq_at(seqs, e.actor);
        if (e.seq > *seq)
            *seq = e.seq;
    }
    return HY_OK;
}

void session_forget_sent(hy_session *s) { s->sent_now.len = 0; }

/* Widens this tick's range of each sent change's actor. */
static hy_err note_sent(hy_session *s, const uint32_t *indexes, size_t count)
{
    HY_TRY(grow_per_actor(s, &s->sent_now));
    for (size_t i = 0; i < count; i++) {
        hy_log_entry e;
        hy_log_get(s->log, indexes[i], &e);
        sent_range *r = hy_vec_at(&s->sent_now, e.actor);
        if (r->lo == 0 || e.seq < r->lo)
            r->lo = e.seq;
        if (e.seq > r->hi)
            r->hi = e.seq;
    }
    return HY_OK;
}

static bool in_range(const hy_vec *ranges, uint32_t actor, uint32_t seq)
{
    if (actor >= ranges->len)
        return false;
    const sent_range *r = hy_vec_at(ranges, actor);
    return r->lo != 0 && r->lo <= seq && seq <= r->hi;
}

static bool sent_lately(hy_session *s, uint32_t actor, uint32_t seq)
{
    return in_range(&s->sent_now, actor, seq);
}

/* Drops from indexes the changes of every actor some of whose changes there were sent
 * since the last tick (presumed in flight). All of the actor's, not only those: the
 * rest of its run would go without the signature on the run's top, which went with the
 * others, and a peer requiring signatures would refuse them. */
static hy_err drop_in_flight(hy_session *s, hy_vec *indexes)
{
    uint32_t actors = hy_log_actor_count(s->log);
    uint8_t *busy = hy_alloc_zero(&s->alloc, actors ? actors : 1, 1);
    if (busy == NULL)
        return HY_E_NOMEM;
    for (size_t i = 0; i < indexes->len; i++) {
        hy_log_entry e;
        hy_log_get(s->log, HY_VEC_AT(indexes, uint32_t, i), &e);
        busy[e.actor] |= sent_lately(s, e.actor, e.seq);
    }
    size_t kept = 0;
    for (size_t i = 0; i < indexes->len; i++) {
        uint32_t index = HY_VEC_AT(indexes, uint32_t, i);
        hy_log_entry e;
        hy_log_get(s->log, index, &e);
        if (!busy[e.actor])
            HY_VEC_AT(indexes, uint32_t, kept++) = index;
    }
    indexes->len = kept;
    hy_free(&s->alloc, busy, actors ? actors : 1);
    return HY_OK;
}

static hy_err peer_vv(hy_session *s, hy_vec *out)
{
    HY_TRY(grow_per_actor(s, &s->peer_seq));
    for (uint32_t a = 0; a < s->peer_seq.len; a++) {
        hy_vv_entry e;
        e.seq = *seq_at(&s->peer_seq, a);
        if (e.seq == 0)
            continue;
        memcpy(e.actor, hy_log_actor_key(s->log, a), HY_KEY_LEN);
        HY_TRY(hy_vec_push(out, &s->alloc, &e));
    }
    return HY_OK;
}

/* ---- SYNC ---- */

/* Our heads, sorted by hash, at most MAX_HASHES of them. */
static hy_err our_heads(hy_session *s, hy_vec *out)
{
    uint32_t n = hy_log_head_count(s->log);
    if (n > MAX_HASHES)
        n = MAX_HASHES; /* a peer still converges; it only cannot confirm it */
    for (uint32_t i = 0; i < n; i++)
        HY_TRY(hy_vec_push(out, &s->alloc, hy_log_hash(s->log, hy_log_head(s->log, i))));
    if (out->len > 1)
        qsort(out->data, out->len, HY_HASH_LEN, hash_cmp);
    return HY_OK;
}

hy_err session_send_sync(hy_session *s, uint8_t flags)
{
    hy_vec heads;
    hy_vec_init(&heads, HY_HASH_LEN);
    hy_err err = our_heads(s, &heads);
    uint32_t actors = hy_log_actor_count(s->log), listed = 0;
    size_t vv_len = 0;
    for (uint32_t a = 0; a < actors; a++) {
        uint32_t seq = hy_log_actor_seq(s->log, a);
        listed += seq != 0;
        vv_len += seq ? HY_KEY_LEN + hy_varint_len(seq) : 0;
    }
    if (err == HY_OK) {
        msg_frame_header(&s->out, MSG_SYNC,
                         1 + hy_varint_len(heads.len) + heads.len * HY_HASH_LEN +
                             hy_varint_len(listed) + vv_len);
        hy_write_u8(&s->out, flags);
        hy_write_varint(&s->out, heads.len);
        hy_write_bytes(&s->out, heads.data, heads.len * HY_HASH_LEN);
        hy_write_varint(&s->out, listed);
        for (uint32_t a = 0; a < actors; a++) {
            uint32_t seq = hy_log_actor_seq(s->log, a);
            if (seq == 0)
                continue;
            hy_write_bytes(&s->out, hy_log_actor_key(s->log, a), HY_KEY_LEN);
            hy_write_varint(&s->out, seq);
        }
        err = s->out.err;
    }
    hy_vec_free(&heads, &s->alloc);
    return err;
}

int hy_session_in_sync(const hy_session *s)
{
    if (s->state != HY_SESSION_READY || !s->peer_announced)
        return 0;
    hy_log *log = s->log;
    uint32_t n = hy_log_head_count(log);
    if (s->peer_heads.len != n)
        return 0;
    for (size_t i = 0; i < s->peer_heads.len; i++) {
        uint32_t index = hy_log_find(log, hy_vec_at(&s->peer_heads, i));
        bool head = false;
        for (uint32_t h = 0; h < n && !head && index != HY_LOG_NONE; h++)
            head = hy_log_head(log, h) == index;
        if (!head)
            return 0;
    }
    return 1;
}

/* ---- CHANGES out ---- */

/* Drops the changes no held signature covers yet: a change another actor signed only
 * through a later change that waits in our queue for a dep. A peer requiring signatures
 * would refuse them; they go once the signed change applies. Our own are signed on sending. */
static void drop_unsigned(hy_session *s, hy_vec *indexes)
{
    uint32_t local = hy_log_local_actor(s->log), covered_actor = HY_LOG_NONE, covered_seq = 0;
    size_t kept = 0;
    for (size_t i = 0; i < indexes->len; i++) {
        uint32_t index = HY_VEC_AT(indexes, uint32_t, i);
        hy_log_entry e;
        hy_log_get(s->log, index, &e);
        if (e.actor != local && e.actor != covered_actor) {
            uint8_t sig[HY_SIG_LEN];
            uint32_t signed_change = hy_log_actor_signature(s->log, e.actor, sig);
            hy_log_entry top;
            if (signed_change != HY_LOG_NONE)
                hy_log_get(s->log, signed_change, &top);
            covered_actor = e.actor;
            covered_seq = signed_change == HY_LOG_NONE ? 0 : top.seq;
        }
        if (e.actor == local || e.seq <= covered_seq)
            HY_VEC_AT(indexes, uint32_t, kept++) = index;
    }
    indexes->len = kept;
}

/* Queues the changes with these log indexes (causal order) as one batch in parts. */
static hy_err send_changes(hy_session *s, hy_vec *indexes)
{
    drop_unsigned(s, indexes);
    if (indexes->len == 0)
        return HY_OK;
    hy_writer batch;
    hy_writer_init(&batch, s->alloc);
    hy_err err = hy_log_write_batch(s->log, indexes->data, indexes->len, &batch);
    uint64_t number = ++s->out_batch;
    for (size_t at = 0, part = 0; err == HY_OK && at < batch.len; at += PART_DATA, part++) {
        size_t len = batch.len - at < PART_DATA ? batch.len - at : PART_DATA;
        uint8_t flags = at + len == batch.len ? CHANGES_FINAL : 0;
        msg_frame_header(&s->out, MSG_CHANGES,
                         1 + hy_varint_len(number) + hy_varint_len(part) + len);
        hy_write_u8(&s->out, flags);
        hy_write_varint(&s->out, number);
        hy_write_varint(&s->out, part);
        hy_write_bytes(&s->out, batch.data + at, len);
        err = s->out.err;
    }
    hy_writer_free(&batch);
    if (err == HY_OK) {
        s->stats.changes_out += indexes->len;
        err = raise_seqs(s, &s->peer_seq, indexes->data, indexes->len);
    }
    if (err == HY_OK)
        err = note_sent(s, indexes->data, indexes->len);
    return err;
}

hy_err session_push(hy_session *s)
{
    if (!s->peer_announced)
        return HY_OK; /* its SYNC will say what it lacks */
    hy_vec vv, missing;
    hy_vec_init(&vv, sizeof(hy_vv_entry));
    hy_vec_init(&missing, sizeof(uint32_t));
    hy_err err = peer_vv(s, &vv);
    if (err == HY_OK)
        err = hy_log_missing_by_vv(s->log, vv.data, vv.len, &missing);
    if (err == HY_OK)
        err = send_changes(s, &missing);
    hy_vec_free(&vv, &s->alloc);
    hy_vec_free(&missing, hy_log_allocator(s->log));
    return err;
}

/* ---- NEED out ---- */

/* Asks for the unknown heads (and what queued changes wait for), with a Bloom filter of our
 * changes past the peer heads we know, so the answer skips what we hold. */
static hy_err send_need(hy_session *s, const hy_vec *unknown)
{
    hy_vec wanted, ours;
    hy_vec_init(&wanted, HY_HASH_LEN);
    hy_vec_init(&ours, sizeof(uint32_t));
    const hy_allocator *log_alloc = hy_log_allocator(s->log); /* what log queries grow with */
    hy_err err = hy_vec_reserve(&wanted, log_alloc, unknown->len);
    if (err == HY_OK) {
        memcpy(wanted.data, unknown->data, unknown->len * HY_HASH_LEN);
        wanted.len = unknown->len;
        err = hy_log_wanted(s->log, MAX_HASHES, &wanted);
    }
    if (err == HY_OK) {
        /* Unknown heads and wanted hashes may repeat; NEED lists each once, ascending. */
        if (wanted.len > 1)
            qsort(wanted.data, wanted.len, HY_HASH_LEN, hash_cmp);
        size_t kept = 0;
        for (size_t i = 0; i < wanted.len; i++)
            if (kept == 0 || hash_cmp(hy_vec_at(&wanted, kept - 1), hy_vec_at(&wanted, i)))
                memmove(hy_vec_at(&wanted, kept++), hy_vec_at(&wanted, i), HY_HASH_LEN);
        wanted.len = kept > MAX_HASHES ? MAX_HASHES : kept;
        err = hy_log_missing_by_heads(s->log, s->peer_heads.data, s->peer_heads.len, &ours);
    }
    size_t bloom_len = bloom_len_for(ours.len);
    if (bloom_len > MAX_BLOOM)
        bloom_len = MAX_BLOOM;
    uint8_t *bloom = err == HY_OK && bloom_len ? hy_alloc_zero(&s->alloc, 1, bloom_len) : NULL;
    if (bloom_len && bloom == NULL && err == HY_OK)
        err = HY_E_NOMEM;
    if (err == HY_OK) {
        for (size_t i = 0; i < ours.len; i++)
            bloom_add(bloom, bloom_len, BLOOM_PROBES,
                      hy_log_hash(s->log, HY_VEC_AT(&ours, uint32_t, i)));
        msg_frame_header(&s->out, MSG_NEED,
                         hy_varint_len(wanted.len) + wanted.len * HY_HASH_LEN + 1 +
                             hy_varint_len(bloom_len) + bloom_len);
        hy_write_varint(&s->out, wanted.len);
        hy_write_bytes(&s->out, wanted.data, wanted.len * HY_HASH_LEN);
        hy_write_u8(&s->out, BLOOM_PROBES);
        hy_write_varint(&s->out, bloom_len);
        hy_write_bytes(&s->out, bloom, bloom_len);
        err = s->out.err;
    }
    hy_free(&s->alloc, bloom, bloom_len);
    hy_vec_free(&wanted, log_alloc);
    hy_vec_free(&ours, log_alloc);
    return err;
}

/* ---- SYNC in ---- */

static hy_err record_peer_state(hy_session *s, msg_sync *m, bool *vv_ahead)
{
    s->peer_heads.len = 0;
    HY_TRY(hy_vec_reserve(&s->peer_heads, &s->alloc, m->head_count));
    if (m->head_count)
        memcpy(s->peer_heads.data, m->heads, m->head_count * HY_HASH_LEN);
    s->peer_heads.len = m->head_count;
    s->peer_announced = true;
    HY_TRY(grow_per_actor(s, &s->peer_seq));
    memset(s->peer_seq.data, 0, s->peer_seq.len * sizeof(uint32_t));
    *vv_ahead = false;
    for (size_t i = 0; i < m->vv_count; i++) {
        const uint8_t *key;
        uint64_t seq;
        msg_sync_vv_next(m, &key, &seq);
        uint32_t actor = hy_log_actor_find(s->log, key);
        if (actor == HY_LOG_NONE) {
            *vv_ahead = true;
            continue;
        }
        *seq_at(&s->peer_seq, actor) = (uint32_t)seq;
        *vv_ahead |= seq > hy_log_actor_seq(s->log, actor);
    }
    return HY_OK;
}

hy_err session_on_sync(hy_session *s, const msg_frame *f)
{
    msg_sync m;
    hy_err err = msg_read_sync(f, &m);
    if (err)
        return session_fail(s, err, "malformed SYNC");
    bool vv_ahead;
    hy_vec unknown, missing, vv;
    hy_vec_init(&unknown, HY_HASH_LEN);
    hy_vec_init(&missing, sizeof(uint32_t));
    hy_vec_init(&vv, sizeof(hy_vv_entry));
    err = record_peer_state(s, &m, &vv_ahead);
    for (size_t i = 0; err == HY_OK && i < m.head_count; i++)
        if (hy_log_find(s->log, m.heads + i * HY_HASH_LEN) == HY_LOG_NONE)
            err = hy_vec_push(&unknown, &s->alloc, m.heads + i * HY_HASH_LEN);
    /* Exact when we know every head the peer has; else by its vector, which may repeat
     * changes it holds but never misses one an honest chain gives it. */
    if (err == HY_OK && unknown.len == 0)
        err = hy_log_missing_by_heads(s->log, m.heads, m.head_count, &missing);
    else if (err == HY_OK && (err = peer_vv(s, &vv)) == HY_OK)
        err = hy_log_missing_by_vv(s->log, vv.data, vv.len, &missing);
    if (err == HY_OK)
        err = drop_in_flight(s, &missing);
    if (err == HY_OK)
        err = send_changes(s, &missing);
    /* Heads we lack that no vector entry accounts for: only hashes can find them. */
    if (err == HY_OK && unknown.len && !vv_ahead)
        err = send_need(s, &unknown);
    if (err == HY_OK && (m.flags & SYNC_REPLY))
        err = session_send_sync(s, 0);
    hy_vec_free(&unknown, &s->alloc);
    hy_vec_free(&missing, hy_log_allocator(s->log));
    hy_vec_free(&vv, &s->alloc);
    return err ? session_fail(s, err, "out of memory") : HY_OK;
}

/* ---- CHANGES in ---- */

/* The batch's change count (for the refused figure), 0 when it does not say. */
static uint64_t batch_count(const uint8_t *data, size_t len)
{
    hy_reader r = hy_reader_make(data, len);
    const uint8_t *magic;
    uint64_t version, count;
    if (hy_read_view(&r, 4, &magic) || hy_read_varint(&r, &version) ||
        hy_read_varint(&r, &count))
        return 0;
    return count;
}

/* Forgets the batch being received; a large buffer goes, so idle sessions stay small. */
static void reset_inbound(hy_session *s)
{
    if (s->inbound.cap > 4096)
        hy_vec_free(&s->inbound, &s->alloc);
    s->inbound.len = 0;
    s->in_slots.len = 0;
    if (s->in_parts.len)
        memset(s->in_parts.data, 0, s->in_parts.len);
    s->in_total = s->in_got = s->in_max = 0;
}

/* Puts the parts in index order; they usually came in it, and then nothing moves. */
static hy_err order_parts(hy_session *s)
{
    bool in_order = true;
    for (size_t i = 0; i < s->in_slots.len && in_order; i++)
        in_order = HY_VEC_AT(&s->in_slots, in_slot, i).part == i;
    if (in_order)
        return HY_OK;
    hy_vec ordered;
    hy_vec_init(&ordered, 1);
    HY_TRY(hy_vec_reserve(&ordered, &s->alloc, s->inbound.len));
    for (size_t i = 0; i < s->in_slots.len; i++) {
        const in_slot *p = hy_vec_at(&s->in_slots, i);
        memcpy((uint8_t *)ordered.data + (size_t)p->part * PART_DATA,
               (const uint8_t *)s->inbound.data + p->at, p->len);
    }
    ordered.len = s->inbound.len;
    hy_vec_free(&s->inbound, &s->alloc);
    s->inbound = ordered;
    return HY_OK;
}

static hy_err merge_batch(hy_session *s)
{
    uint32_t before = hy_log_count(s->log);
    hy_err err = hy_store_merge(s->store, s->inbound.data, s->inbound.len);
    uint32_t after = hy_log_count(s->log);
    if (err != HY_OK && err != HY_E_MISSING_DEPS && err != HY_E_QUEUE_FULL) {
        s->stats.changes_refused += batch_count(s->inbound.data, s->inbound.len);
        reset_inbound(s);
        return session_fail(s, err, err == HY_E_FORBIDDEN ? "a change by an actor who may not write"
                                    : err == HY_E_BAD_SIGNATURE ? "a change signature does not verify"
                                                               : "an invalid change batch");
    }
    reset_inbound(s);
    s->in_complete = true;
    s->stats.changes_in += after - before;
    /* Everything applied came from the peer (or was released by what it sent): it holds it,
     * so pushes never send it back. */
    for (uint32_t i = before; i < after; i++)
        HY_TRY(raise_seqs(s, &s->peer_seq, &i, 1));
    /* Tell the peer where we stand now, so it knows at once that we are level. */
    return after > before ? session_send_sync(s, 0) : HY_OK;
}

/* Puts one part of batch `number` in place. Parts may come in any order, twice, or never (a
 * lossy link): a newer batch number abandons the batch being assembled, whose changes the
 * peer sends again after the next SYNC shows them missing. */
static hy_err take_part(hy_session *s, uint64_t number, uint64_t part, bool final,
                        const uint8_t *data, size_t len)
{
    if (number < s->in_batch || (number == s->in_batch && s->in_complete))
        return HY_OK; /* a late part of an abandoned batch, or a copy of a merged one */
    if (number > s->in_batch) {
        reset_inbound(s);
        s->in_batch = number;
        s->in_complete = false;
    }
    if ((!final && len != PART_DATA) || len == 0 || len > PART_DATA ||
        (s->in_total && (final ? part + 1 != s->in_total : part >= s->in_total)))
        return session_fail(s, HY_E_FORMAT, "CHANGES parts do not fit together");
    if (part >= s->max_batch / PART_DATA + 1 || part * PART_DATA + len > s->max_batch)
        return session_fail(s, HY_E_TOO_LARGE, "change batch over the size limit");
    size_t byte = (size_t)(part / 8);
    if (byte < s->in_parts.len && (HY_VEC_AT(&s->in_parts, uint8_t, byte) >> (part % 8) & 1))
        return HY_OK; /* a copy */
    /* Parts already here beyond the last one cannot belong to this batch. */
    if (final && s->in_got && s->in_max > part)
        return session_fail(s, HY_E_FORMAT, "CHANGES parts do not fit together");
    if (hy_vec_reserve(&s->in_parts, &s->alloc, byte + 1) ||
        hy_vec_reserve(&s->in_slots, &s->alloc, s->in_slots.len + 1) ||
        hy_vec_reserve(&s->inbound, &s->alloc, s->inbound.len + len))
        return session_fail(s, HY_E_NOMEM, "out of memory");
    while (s->in_parts.len <= byte)
        HY_VEC_AT(&s->in_parts, uint8_t, s->in_parts.len++) = 0;
    if (final)
        s->in_total = part + 1;
    HY_VEC_AT(&s->in_parts, uint8_t, byte) |= (uint8_t)(1u << (part % 8));
    in_slot slot = { (uint32_t)part, (uint32_t)len, s->inbound.len };
    hy_vec_push(&s->in_slots, &s->alloc, &slot); /* room reserved */
    memcpy((uint8_t *)s->inbound.data + s->inbound.len, data, len);
    s->inbound.len += len;
    if (s->in_got == 0 || part > s->in_max)
        s->in_max = part;
    s->in_got++;
    if (!(s->in_total && s->in_got == s->in_total))
        return HY_OK;
    if (order_parts(s) != HY_OK)
        return session_fail(s, HY_E_NOMEM, "out of memory");
    return merge_batch(s);
}

hy_err session_on_changes(hy_session *s, const msg_frame *f)
{
    hy_reader r = hy_reader_make(f->payload, f->len);
    uint8_t flags;
    uint64_t number, part;
    hy_err err = hy_read_u8(&r, &flags);
    if (err == HY_OK && (flags & ~CHANGES_FINAL))
        err = HY_E_FORMAT;
    if (err == HY_OK)
        err = hy_read_varint(&r, &number);
    if (err == HY_OK)
        err = hy_read_varint(&r, &part);
    if (err == HY_OK && number == 0)
        err = HY_E_FORMAT;
    if (err)
        return session_fail(s, err, "malformed CHANGES");
    return take_part(s, number, part, flags & CHANGES_FINAL, f->payload + r.pos,
                     hy_reader_left(&r));
}

/* ---- NEED in ---- */

enum { BEYOND = 1, VISITED = 2, ASKED = 4 };

static int index_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* The changes that answer a NEED: the asked ones and their ancestors, walking back until a
 * change is below the heads the peer announced or in its Bloom filter (either way it holds
 * the change's ancestors too). A false positive of the filter leaves the peer waiting for a
 * dep, which its next NEED names. */
static hy_err answer_need(hy_session *s, const msg_need *m, hy_vec *out)
{
    uint32_t count = hy_log_count(s->log);
    hy_vec beyond, stack;
    hy_vec_init(&beyond, sizeof(uint32_t));
    hy_vec_init(&stack, sizeof(uint32_t));
    uint8_t *mark = hy_alloc_zero(&s->alloc, count ? count : 1, 1);
    hy_err err = mark ? hy_log_missing_by_heads(s->log, s->peer_heads.data, s->peer_heads.len,
                                                &beyond)
                      : HY_E_NOMEM;
    for (size_t i = 0; err == HY_OK && i < beyond.len; i++)
        mark[HY_VEC_AT(&beyond, uint32_t, i)] |= BEYOND;
    for (size_t i = 0; err == HY_OK && i < m->hash_count; i++) {
        uint32_t index = hy_log_find(s->log, m->hashes + i * HY_HASH_LEN);
        if (index == HY_LOG_NONE)
            continue;
        mark[index] |= ASKED;
        err = hy_vec_push(&stack, &s->alloc, &index);
    }
    while (err == HY_OK && stack.len) {
        uint32_t index = HY_VEC_AT(&stack, uint32_t, --stack.len);
        uint8_t was = mark[index];
        mark[index] |= VISITED;
        if ((was & VISITED) || !(was & (BEYOND | ASKED)))
            continue;
        if (!(was & ASKED) &&
            bloom_has(m->bloom, m->bloom_len, m->bloom_k, hy_log_hash(s->log, index)))
            continue;
        err = hy_vec_push(out, &s->alloc, &index);
        hy_log_entry e;
        hy_log_get(s->log, index, &e);
        for (uint32_t d = 0; err == HY_OK && d < e.dep_count; d++)
            err = hy_vec_push(&stack, &s->alloc, &e.deps[d]);
    }
    /* Applied order is a causal order. */
    if (err == HY_OK && out->len > 1)
        qsort(out->data, out->len, sizeof(uint32_t), index_cmp);
    hy_free(&s->alloc, mark, count ? count : 1);
    hy_vec_free(&beyond, hy_log_allocator(s->log));
    hy_vec_free(&stack, &s->alloc);
    return err;
}

hy_err session_on_need(hy_session *s, const msg_frame *f)
{
    msg_need m;
    hy_err err = msg_read_need(f, &m);
    if (err)
        return session_fail(s, err, "malformed NEED");
    hy_vec answer;
    hy_vec_init(&answer, sizeof(uint32_t));
    err = answer_need(s, &m, &answer);
    if (err == HY_OK)
        err = send_changes(s, &answer);
    hy_vec_free(&answer, &s->alloc);
    return err ? session_fail(s, err, "out of memory") : HY_OK;
}

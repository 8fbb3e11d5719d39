/* Snapshot encoding of a sequence (specified in docs/decisions.md, "Sequence CRDT"):
 *
 *   varint runs
 *   per run: u8 flags      bit 0 deleted; bits 1-2 left origin kind; bits 3-4 right origin kind
 *            varint actor
 *            varint zigzag(counter - end of the previous run's counters)
 *            varint len (>= 1)
 *            [left kind 2:  varint actor, varint zigzag(left counter - counter)]
 *            [right kind 2: varint actor, varint zigzag(right counter - counter)]
 *   varint value, for every visible element in order
 *
 * Left kinds: 0 none, 1 the previous run's last element, 2 explicit. Right kinds: 0 none, 1 the
 * previous run's right origin, 2 explicit. Runs are maximal and the shortest kind is always
 * used, so the encoding is a function of the state alone; the decoder refuses anything else. */
#include "seq_internal.h"

#include "try.h"

enum {
    FLAG_DELETED = 1,
    LEFT_SHIFT = 1,
    RIGHT_SHIFT = 3,
    KIND_NONE = 0,
    KIND_PREV = 1,
    KIND_EXPLICIT = 2,
    FLAGS_MAX = 0x1f,
};

typedef struct run {
    uint64_t counter, len;
    uint32_t actor;
    bool deleted;
    hy_id left, right;
} run;

static bool same_id(hy_id a, hy_id b)
{
    return a.counter == b.counter && (a.counter == HY_SEQ_NONE || a.actor == b.actor);
}

static hy_id run_last(const run *r)
{
    return (hy_id){ r->actor, r->counter + r->len - 1 };
}

static bool run_continues(const run *a, const run *b)
{
    return a->actor == b->actor && a->counter + a->len == b->counter &&
           a->deleted == b->deleted && same_id(b->left, run_last(a)) &&
           same_id(b->right, a->right);
}

static run span_run(const seq_span *sp)
{
    return (run){ sp->counter, sp->len, sp->actor, sp->deleted != 0,
                  { sp->left_actor, sp->left_ctr }, { sp->right_actor, sp->right_ctr } };
}

static unsigned left_kind(const run *prev, const run *r)
{
    if (r->left.counter == HY_SEQ_NONE)
        return KIND_NONE;
    return prev && same_id(r->left, run_last(prev)) ? KIND_PREV : KIND_EXPLICIT;
}

static unsigned right_kind(const run *prev, const run *r)
{
    if (r->right.counter == HY_SEQ_NONE)
        return KIND_NONE;
    return prev && prev->right.counter != HY_SEQ_NONE && same_id(r->right, prev->right)
               ? KIND_PREV
               : KIND_EXPLICIT;
}

static void write_delta(hy_writer *w, uint64_t value, uint64_t base)
{
    hy_write_varint(w, hy_zigzag((int64_t)value - (int64_t)base));
}

static void write_run(hy_writer *w, const run *prev, const run *r)
{
    unsigned lk = left_kind(prev, r), rk = right_kind(prev, r);
    hy_write_u8(w, (uint8_t)((r->deleted ? FLAG_DELETED : 0) | lk << LEFT_SHIFT |
                             rk << RIGHT_SHIFT));
    hy_write_varint(w, r->actor);
    write_delta(w, r->counter, prev ? prev->counter + prev->len : 0);
    hy_write_varint(w, r->len);
    if (lk == KIND_EXPLICIT) {
        hy_write_varint(w, r->left.actor);
        write_delta(w, r->left.counter, r->counter);
    }
    if (rk == KIND_EXPLICIT) {
        hy_write_varint(w, r->right.actor);
        write_delta(w, r->right.counter, r->counter);
    }
}

/* Calls emit (when w is not NULL) for each maximal run; returns how many there are. */
static size_t for_each_run(const hy_seq *s, hy_writer *w)
{
    size_t count = 0;
    run cur = { 0 }, prev = { 0 };
    bool have = false, have_prev = false;
    for (const seq_node *leaf = s->first_leaf; leaf; leaf = leaf->u.l.next)
        for (uint32_t i = 0; i < leaf->n; i++) {
            run r = span_run(&leaf->u.l.spans[i]);
            if (have && run_continues(&cur, &r)) {
                cur.len += r.len;
                continue;
            }
            if (have) {
                if (w)
                    write_run(w, have_prev ? &prev : NULL, &cur);
                prev = cur;
                have_prev = true;
                count++;
            }
            cur = r;
            have = true;
        }
    if (have) {
        if (w)
            write_run(w, have_prev ? &prev : NULL, &cur);
        count++;
    }
    return count;
}

hy_err hy_seq_save(const hy_seq *s, hy_writer *w)
{
    hy_write_varint(w, for_each_run(s, NULL));
    for_each_run(s, w);
    const uint32_t *values = s->values.data;
    for (const seq_node *leaf = s->first_leaf; leaf; leaf = leaf->u.l.next)
        for (uint32_t i = 0; i < leaf->n; i++) {
            const seq_span *sp = &leaf->u.l.spans[i];
            if (!sp->deleted)
                for (uint32_t k = 0; k < sp->len; k++)
                    hy_write_varint(w, values[sp->val_off + k]);
        }
    return w->err;
}

/* counter = base + zigzag-decoded delta, which must land below the counter limit. */
static hy_err read_delta(hy_reader *r, uint64_t base, uint64_t *out)
{
    uint64_t z;
    HY_TRY(hy_read_varint(r, &z));
    int64_t d = hy_unzigzag(z);
    if ((d < 0 && (uint64_t)-(d + 1) >= base) ||
        (d >= 0 && (uint64_t)d >= HY_SEQ_COUNTER_LIMIT - base))
        return HY_E_FORMAT;
    *out = (uint64_t)((int64_t)base + d);
    return HY_OK;
}

static hy_err read_run(hy_reader *r, const run *prev, run *out)
{
    uint8_t flags;
    uint64_t actor, len;
    HY_TRY(hy_read_u8(r, &flags));
    unsigned lk = (flags >> LEFT_SHIFT) & 3, rk = (flags >> RIGHT_SHIFT) & 3;
    if (flags > FLAGS_MAX || lk > KIND_EXPLICIT || rk > KIND_EXPLICIT)
        return HY_E_FORMAT;
    out->deleted = flags & FLAG_DELETED;
    HY_TRY(hy_read_varint_max(r, UINT32_MAX, &actor));
    out->actor = (uint32_t)actor;
    HY_TRY(read_delta(r, prev ? prev->counter + prev->len : 0, &out->counter));
    HY_TRY(hy_read_varint_max(r, UINT32_MAX - 2, &len));
    if (len == 0 || len > HY_SEQ_COUNTER_LIMIT - out->counter)
        return HY_E_FORMAT;
    out->len = len;
    out->left = (hy_id){ 0, HY_SEQ_NONE };
    out->right = (hy_id){ 0, HY_SEQ_NONE };
    if (lk == KIND_PREV) {
        if (prev == NULL)
            return HY_E_FORMAT;
        out->left = run_last(prev);
    } else if (lk == KIND_EXPLICIT) {
        HY_TRY(hy_read_varint_max(r, UINT32_MAX, &actor));
        out->left.actor = (uint32_t)actor;
        HY_TRY(read_delta(r, out->counter, &out->left.counter));
    }
    if (rk == KIND_PREV) {
        if (prev == NULL || prev->right.counter == HY_SEQ_NONE)
            return HY_E_FORMAT;
        out->right = prev->right;
    } else if (rk == KIND_EXPLICIT) {
        HY_TRY(hy_read_varint_max(r, UINT32_MAX, &actor));
        out->right.actor = (uint32_t)actor;
        HY_TRY(read_delta(r, out->counter, &out->right.counter));
    }
    /* One state, one encoding: the writer would have merged this run or used a shorter kind. */
    if (left_kind(prev, out) != lk || right_kind(prev, out) != rk ||
        (prev && run_continues(prev, out)))
        return HY_E_FORMAT;
    return HY_OK;
}

static hy_err load_runs(hy_seq *s, hy_reader *r)
{
    size_t count;
    HY_TRY(hy_read_count(r, 4, &count));
    run prev = { 0 };
    seq_loc end = { s->first_leaf, 0 };
    for (size_t i = 0; i < count; i++) {
        size_t start = r->pos;
        run cur;
        hy_err err = read_run(r, i ? &prev : NULL, &cur);
        if (err == HY_OK && cur.len >= UINT32_MAX - 1 - s->tot)
            err = HY_E_TOO_LARGE;
        /* Every visible element's value follows the runs, in a byte at least: refusing what
         * the input cannot hold keeps hostile lengths from reserving memory. */
        if (err == HY_OK && !cur.deleted && s->values.len + cur.len > hy_reader_left(r))
            err = HY_E_TRUNCATED;
        if (err == HY_OK && (seq_find_id(s, cur.actor, cur.counter).leaf ||
                             seq_find_id(s, cur.actor, cur.counter + cur.len - 1).leaf))
            err = HY_E_FORMAT; /* an id twice */
        if (err) {
            if (err != HY_E_TRUNCATED && err != HY_E_VARINT && err != HY_E_TOO_LARGE)
                r->pos = start;
            return err;
        }
        HY_TRY(seq_reserve_nodes(s, 1));
        uint32_t val_off = (uint32_t)s->values.len;
        if (!cur.deleted) {
            /* Zeros hold the values' places until load_values reads them, so the tree and the
             * wide map agree at every step (no wide elements yet). */
            HY_TRY(seq_values_reserve(s, cur.len));
            seq_values_append(s, NULL, cur.len);
        }
        seq_span span = {
            .counter = cur.counter,
            .left_ctr = cur.left.counter,
            .right_ctr = cur.right.counter,
            .actor = cur.actor,
            .left_actor = cur.left.actor,
            .right_actor = cur.right.actor,
            .len = (uint32_t)cur.len,
            .val_off = cur.deleted ? 0 : val_off,
            .deleted = cur.deleted,
        };
        end = seq_insert_span(s, end, &span);
        end.idx++;
        prev = cur;
    }
    return HY_OK;
}

/* Overwrites the placeholders load_runs appended, then counts the wide elements. */
static hy_err load_values(hy_seq *s, hy_reader *r)
{
    if (hy_reader_left(r) < s->vis)
        return HY_E_TRUNCATED;
    for (size_t i = 0; i < s->vis; i++) {
        uint64_t v;
        HY_TRY(hy_read_varint_max(r, UINT32_MAX, &v));
        HY_VEC_AT(&s->values, uint32_t, i) = (uint32_t)v;
    }
    seq_values_remap(s);
    seq_recount_wide(s);
    return HY_OK;
}

hy_err hy_seq_load(const hy_allocator *a, const hy_seq_config *cfg, hy_reader *r,
                   hy_seq **out)
{
    if (r == NULL || out == NULL)
        return HY_E_INVALID_ARG;
    hy_seq *s;
    HY_TRY(hy_seq_new(a, cfg, &s));
    hy_err err = load_runs(s, r);
    if (err == HY_OK)
        err = load_values(s, r);
    if (err) {
        hy_seq_free(s);
        return err;
    }
    *out = s;
    return HY_OK;
}

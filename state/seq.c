/* The sequence CRDT: local edits, remote integration (FugueMax, in the "YjsMod" formulation
 * of Gentle's reference-crdts), reads. Snapshots are in seq_save.c, the tree in seq_tree.c. */
#include "seq_internal.h"

#include "alloc.h"
#include "try.h"

#include <string.h>

hy_err hy_seq_new(const hy_allocator *a, const hy_seq_config *cfg, hy_seq **out)
{
    if (a == NULL || out == NULL)
        return HY_E_INVALID_ARG;
    *out = NULL;
    hy_seq *s = hy_alloc_zero(a, 1, sizeof *s);
    if (s == NULL)
        return HY_E_NOMEM;
    s->alloc = *a;
    if (cfg)
        s->cfg = *cfg;
    seq_index_init(&s->index, s->cfg.seed);
    hy_err err = seq_values_init(s);
    if (err == HY_OK)
        err = seq_tree_init(s);
    if (err) {
        hy_seq_free(s);
        return err;
    }
    *out = s;
    return HY_OK;
}

void hy_seq_free(hy_seq *s)
{
    if (s == NULL)
        return;
    seq_tree_free(s);
    hy_vec_free(&s->values, &s->alloc);
    hy_vec_free(&s->wide_map, &s->alloc);
    seq_index_free(&s->index, &s->alloc);
    hy_allocator a = s->alloc;
    hy_free(&a, s, sizeof *s);
}

size_t hy_seq_len(const hy_seq *s)
{
    return s->vis;
}

size_t hy_seq_span_count(const hy_seq *s)
{
    return s->spans;
}

static const hy_id no_id = { 0, HY_SEQ_NONE };

static bool id_eq(hy_id a, hy_id b)
{
    return a.counter == b.counter && (a.counter == HY_SEQ_NONE || a.actor == b.actor);
}

static hy_id span_first(const seq_span *sp)
{
    return (hy_id){ sp->actor, sp->counter };
}

static hy_id span_last(const seq_span *sp)
{
    return (hy_id){ sp->actor, sp->counter + sp->len - 1 };
}

static hy_id span_left(const seq_span *sp)
{
    return (hy_id){ sp->left_actor, sp->left_ctr };
}

static hy_id span_right(const seq_span *sp)
{
    return (hy_id){ sp->right_actor, sp->right_ctr };
}

static int actor_cmp(const hy_seq *s, uint32_t a, uint32_t b)
{
    if (s->cfg.actor_cmp)
        return s->cfg.actor_cmp(s->cfg.actor_user, a, b);
    return (a > b) - (a < b);
}

/* true when b's elements are exactly those a's run would have had if continued: same actor,
 * next counters, same deletion state, inserted right after a's last element, before a's right
 * origin. Such spans are one run in a snapshot, so merging them never changes the state. */
static bool continues(const seq_span *a, const seq_span *b)
{
    return a->actor == b->actor && a->counter + a->len == b->counter &&
           a->deleted == b->deleted && id_eq(span_left(b), span_last(a)) &&
           id_eq(span_right(b), span_right(a));
}

/* Merges the span at loc with the next span in its leaf when one continues the other; spans
 * split by deletes come back together when the gap between them is deleted too. */
static void merge_next(hy_seq *s, seq_loc loc)
{
    seq_node *leaf = loc.leaf;
    if (loc.idx + 1 >= leaf->n)
        return;
    seq_span *a = &leaf->u.l.spans[loc.idx];
    const seq_span *b = a + 1;
    if (!continues(a, b) || (!a->deleted && a->val_off + a->len != b->val_off))
        return;
    a->len += b->len;
    memmove(a + 1, a + 2, (leaf->n - loc.idx - 2) * sizeof(seq_span));
    leaf->n--;
    s->spans--;
}

static bool valid_counter(uint64_t c)
{
    return c < HY_SEQ_COUNTER_LIMIT;
}

static bool valid_origin(hy_id id)
{
    return id.counter == HY_SEQ_NONE || valid_counter(id.counter);
}

/* Checks that n elements starting at first may be added, and makes room for their values and
 * the nodes of two span insertions, so that the edit cannot fail once it starts. */
static hy_err prepare_insert(hy_seq *s, hy_id first, size_t n)
{
    if (n == 0 || !valid_counter(first.counter) ||
        n > HY_SEQ_COUNTER_LIMIT - first.counter)
        return HY_E_INVALID_ARG;
    if (n >= UINT32_MAX - 1 - s->tot || n > UINT32_MAX - s->values.len)
        return HY_E_LIMIT;
    HY_TRY(seq_values_reserve(s, n));
    return seq_reserve_nodes(s, 2);
}

/* Puts op's elements at slot, extending the span before it when op continues that span. */
static void place(hy_seq *s, seq_loc slot, const hy_seq_op *op)
{
    uint32_t n = (uint32_t)op->n;
    seq_span span = {
        .counter = op->id.counter,
        .left_ctr = op->origin_left.counter,
        .right_ctr = op->origin_right.counter,
        .actor = op->id.actor,
        .left_actor = op->origin_left.counter == HY_SEQ_NONE ? 0 : op->origin_left.actor,
        .right_actor = op->origin_right.counter == HY_SEQ_NONE ? 0 : op->origin_right.actor,
        .len = n,
        .val_off = (uint32_t)s->values.len,
        .deleted = 0,
    };
    /* The values go in first: the tree counts the span's wide elements from them. */
    uint32_t wide = seq_values_append(s, op->values, n);
    seq_loc prev = seq_prev(slot);
    seq_span *p = prev.leaf ? seq_at(prev) : NULL;
    if (p && continues(p, &span) && p->val_off + p->len == span.val_off) {
        p->len += n;
        seq_bubble(s, prev.leaf, n, n, wide);
        seq_index_set(&s->index, &s->alloc, span.actor, span.counter, n, prev.leaf);
    } else {
        seq_insert_span(s, slot, &span);
    }
}

hy_err hy_seq_insert(hy_seq *s, size_t pos, hy_id first, const uint32_t *values, size_t n,
                     hy_seq_op *op)
{
    if (s == NULL || values == NULL || op == NULL || pos > s->vis)
        return HY_E_INVALID_ARG;
    HY_TRY(prepare_insert(s, first, n));
    uint32_t off;
    seq_loc slot = seq_find_vis(s, pos, &off);
    if (off > 0)
        slot = seq_split(s, slot, off);
    seq_loc prev = seq_prev(slot);
    op->id = first;
    op->origin_left = prev.leaf ? span_last(seq_at(prev)) : no_id;
    op->origin_right = slot.idx < slot.leaf->n ? span_first(seq_at(slot)) : no_id;
    op->n = n;
    op->values = values;
    place(s, slot, op);
    return HY_OK;
}

/* Appends a deleted piece to ranges, merged with the previous piece of this call (from index
 * since) when the ids continue it. */
static void add_range(hy_vec *ranges, size_t since, uint32_t actor, uint64_t counter,
                      size_t n)
{
    if (ranges->len > since) {
        hy_seq_range *last = &HY_VEC_AT(ranges, hy_seq_range, ranges->len - 1);
        if (last->first.actor == actor && last->first.counter + last->n == counter) {
            last->n += n;
            return;
        }
    }
    HY_VEC_AT(ranges, hy_seq_range, ranges->len++) = (hy_seq_range){ { actor, counter }, n };
}

hy_err hy_seq_delete(hy_seq *s, size_t pos, size_t n, hy_vec *ranges)
{
    if (s == NULL || pos > s->vis || n > s->vis - pos ||
        (ranges && ranges->elem != sizeof(hy_seq_range)))
        return HY_E_INVALID_ARG;
    if (n == 0)
        return HY_OK;
    uint32_t off;
    if (ranges) {
        /* Count the pieces first so the output has room before anything changes. */
        seq_loc loc = seq_find_vis(s, pos, &off);
        size_t left = n, pieces = 0;
        uint32_t actor = 0;
        uint64_t end = HY_SEQ_NONE;
        for (uint32_t skip = off; left > 0; loc = seq_next(loc), skip = 0) {
            const seq_span *sp = seq_at(loc);
            if (sp->deleted)
                continue;
            size_t take = sp->len - skip < left ? sp->len - skip : left;
            pieces += !(sp->actor == actor && sp->counter + skip == end);
            actor = sp->actor;
            end = sp->counter + skip + take;
            left -= take;
        }
        HY_TRY(hy_vec_reserve(ranges, &s->alloc, ranges->len + pieces));
    }
    HY_TRY(seq_reserve_nodes(s, 2));
    size_t since = ranges ? ranges->len : 0;
    seq_loc loc = seq_find_vis(s, pos, &off);
    if (off > 0)
        loc = seq_split(s, loc, off);
    size_t left = n;
    while (left > 0) {
        seq_span *sp = seq_at(loc);
        if (sp->deleted) {
            loc = seq_next(loc);
            continue;
        }
        if (sp->len > left)
            loc = seq_prev(seq_split(s, loc, (uint32_t)left));
        sp = seq_at(loc);
        seq_bubble(s, loc.leaf, -(int64_t)sp->len, 0, -(int64_t)seq_span_wide(s, sp));
        sp->deleted = 1;
        if (ranges)
            add_range(ranges, since, sp->actor, sp->counter, sp->len);
        left -= sp->len;
        seq_loc prev = seq_prev(loc);
        if (prev.leaf == loc.leaf && continues(seq_at(prev), sp)) {
            merge_next(s, prev);
            loc = prev;
        }
        merge_next(s, loc);
        loc = seq_next(loc);
    }
    return HY_OK;
}

/* Position of an element counting tombstones: -1 for an absent left origin, s->tot for an
 * absent right origin. HY_E_NOT_FOUND when the id is not here. */
static hy_err position_of(hy_seq *s, hy_id id, bool right, int64_t *out)
{
    if (id.counter == HY_SEQ_NONE) {
        *out = right ? (int64_t)s->tot : -1;
        return HY_OK;
    }
    seq_loc loc = seq_find_id(s, id.actor, id.counter);
    if (loc.leaf == NULL)
        return HY_E_NOT_FOUND;
    size_t vis, tot;
    seq_rank(&loc, &vis, &tot);
    *out = (int64_t)(tot + (id.counter - seq_at(loc)->counter));
    return HY_OK;
}

/* The FugueMax position for op among the elements between its origins (positions lpos and
 * rpos), whose run starts at `from` (offset off into that span). Elements there were inserted
 * concurrently with op; op goes before the first one whose left origin is left of op's, and
 * among siblings with the same left origin it orders by right origin (further right first)
 * and then by actor. This is reference-crdts' integrateYjsMod, run span by span: within a
 * span only its first element can stop the scan, since the others' left origin is their
 * predecessor, which lies inside the scanned range. */
static hy_err scan_position(hy_seq *s, const hy_seq_op *op, seq_loc from, uint32_t off,
                            int64_t lpos, int64_t rpos, int64_t *dest_out)
{
    int64_t i = lpos + 1, dest = i;
    bool scanning = false;
    for (seq_loc at = from; at.leaf && at.idx < at.leaf->n; at = seq_next(at), off = 0) {
        if (!scanning)
            dest = i;
        if (i == rpos)
            break;
        const seq_span *sp = seq_at(at);
        hy_id oleft = off ? (hy_id){ sp->actor, sp->counter + off - 1 } : span_left(sp);
        int64_t olp, orp;
        HY_TRY(position_of(s, oleft, false, &olp));
        HY_TRY(position_of(s, span_right(sp), true, &orp));
        if (olp < lpos)
            break;
        if (olp == lpos) {
            if (orp < rpos) {
                scanning = true;
            } else if (orp == rpos) {
                if (actor_cmp(s, op->id.actor, sp->actor) < 0)
                    break;
                scanning = false;
            } else {
                scanning = false;
            }
        }
        int64_t rest = (int64_t)(sp->len - off) - 1;
        i++;
        if (rpos >= i && rpos < i + rest) {
            if (!scanning)
                dest = rpos;
            *dest_out = dest;
            return HY_OK;
        }
        i += rest;
    }
    if (!scanning)
        dest = i;
    *dest_out = dest;
    return HY_OK;
}

hy_err hy_seq_apply_insert(hy_seq *s, const hy_seq_op *op, size_t *index_out)
{
    if (s == NULL || op == NULL || op->values == NULL || index_out == NULL ||
        !valid_origin(op->origin_left) || !valid_origin(op->origin_right))
        return HY_E_INVALID_ARG;
    *index_out = SIZE_MAX;
    if (op->n == 0 || !valid_counter(op->id.counter) ||
        op->n > HY_SEQ_COUNTER_LIMIT - op->id.counter)
        return HY_E_INVALID_ARG;
    bool has_first = seq_find_id(s, op->id.actor, op->id.counter).leaf != NULL;
    bool has_last = op->n == 1
                        ? has_first
                        : seq_find_id(s, op->id.actor, op->id.counter + op->n - 1).leaf != NULL;
    if (has_first && has_last)
        return HY_OK;
    if (has_first || has_last)
        return HY_E_INVALID_ARG;

    /* The element right after the left origin, where the scan starts. */
    seq_loc lloc = { NULL, 0 }, from;
    uint32_t from_off = 0;
    if (op->origin_left.counter == HY_SEQ_NONE) {
        from = (seq_loc){ s->first_leaf, 0 };
    } else {
        lloc = seq_find_id(s, op->origin_left.actor, op->origin_left.counter);
        if (lloc.leaf == NULL)
            return HY_E_NOT_FOUND;
        const seq_span *l = seq_at(lloc);
        uint32_t k = (uint32_t)(op->origin_left.counter - l->counter);
        if (k + 1 < l->len) {
            from = lloc;
            from_off = k + 1;
        } else {
            from = seq_next(lloc);
        }
    }
    bool at_end = from.leaf == NULL || from.idx >= from.leaf->n;
    bool adjacent = at_end ? op->origin_right.counter == HY_SEQ_NONE
                           : id_eq(op->origin_right,
                                   (hy_id){ seq_at(from)->actor, seq_at(from)->counter + from_off });
    if (!adjacent && op->origin_right.counter != HY_SEQ_NONE &&
        seq_find_id(s, op->origin_right.actor, op->origin_right.counter).leaf == NULL)
        return HY_E_NOT_FOUND;
    HY_TRY(prepare_insert(s, op->id, op->n));
    seq_loc slot;
    if (adjacent) {
        /* Nothing was inserted between the origins concurrently: no scan. */
        if (from_off > 0)
            slot = seq_split(s, from, from_off);
        else if (lloc.leaf)
            slot = (seq_loc){ lloc.leaf, lloc.idx + 1 };
        else
            slot = from;
    } else {
        int64_t lpos, rpos, dest;
        HY_TRY(position_of(s, op->origin_left, false, &lpos));
        HY_TRY(position_of(s, op->origin_right, true, &rpos));
        if (rpos <= lpos)
            return HY_E_INVALID_ARG;
        HY_TRY(scan_position(s, op, from, from_off, lpos, rpos, &dest));
        uint32_t off;
        slot = seq_find_tot(s, (size_t)dest, &off);
        if (off > 0)
            slot = seq_split(s, slot, off);
    }
    size_t vis, tot;
    seq_rank(&slot, &vis, &tot);
    *index_out = vis;
    place(s, slot, op);
    return HY_OK;
}

hy_err hy_seq_apply_delete(hy_seq *s, hy_id first, size_t n, hy_seq_removed_fn removed,
                           void *user)
{
    if (s == NULL || !valid_counter(first.counter) ||
        n > HY_SEQ_COUNTER_LIMIT - first.counter)
        return HY_E_INVALID_ARG;
    uint64_t end = first.counter + n;
    for (uint64_t c = first.counter; c < end;) {
        seq_loc loc = seq_find_id(s, first.actor, c);
        if (loc.leaf == NULL)
            return HY_E_NOT_FOUND;
        c = seq_at(loc)->counter + seq_at(loc)->len;
    }
    HY_TRY(seq_reserve_nodes(s, 2));
    for (uint64_t c = first.counter; c < end;) {
        seq_loc loc = seq_find_id(s, first.actor, c);
        seq_span *sp = seq_at(loc);
        if (sp->deleted) {
            c = sp->counter + sp->len;
            continue;
        }
        if (sp->counter < c)
            loc = seq_split(s, loc, (uint32_t)(c - sp->counter));
        sp = seq_at(loc);
        if (sp->counter + sp->len > end)
            loc = seq_prev(seq_split(s, loc, (uint32_t)(end - sp->counter)));
        sp = seq_at(loc);
        size_t vis, tot;
        seq_rank(&loc, &vis, &tot);
        seq_bubble(s, loc.leaf, -(int64_t)sp->len, 0, -(int64_t)seq_span_wide(s, sp));
        sp->deleted = 1;
        c = sp->counter + sp->len;
        if (removed)
            removed(user, vis, sp->len);
        seq_loc prev = seq_prev(loc);
        if (prev.leaf == loc.leaf && continues(seq_at(prev), sp)) {
            merge_next(s, prev);
            loc = prev;
        }
        merge_next(s, loc);
    }
    return HY_OK;
}

uint32_t hy_seq_get(const hy_seq *s, size_t pos)
{
    if (pos >= s->vis)
        return 0;
    uint32_t off;
    seq_loc loc = seq_find_vis(s, pos, &off);
    return HY_VEC_AT(&s->values, uint32_t, seq_at(loc)->val_off + off);
}

hy_err hy_seq_id_at(const hy_seq *s, size_t pos, hy_id *out)
{
    if (s == NULL || out == NULL || pos >= s->vis)
        return HY_E_INVALID_ARG;
    uint32_t off;
    seq_loc loc = seq_find_vis(s, pos, &off);
    *out = (hy_id){ seq_at(loc)->actor, seq_at(loc)->counter + off };
    return HY_OK;
}

size_t hy_seq_read(const hy_seq *s, size_t pos, uint32_t *out, size_t n)
{
    if (pos >= s->vis)
        return 0;
    if (n > s->vis - pos)
        n = s->vis - pos;
    uint32_t off;
    seq_loc loc = seq_find_vis(s, pos, &off);
    const uint32_t *values = s->values.data;
    size_t done = 0;
    for (; done < n; loc = seq_next(loc), off = 0) {
        const seq_span *sp = seq_at(loc);
        if (sp->deleted)
            continue;
        size_t take = sp->len - off < n - done ? sp->len - off : n - done;
        memcpy(out + done, values + sp->val_off + off, take * sizeof(uint32_t));
        done += take;
    }
    return done;
}

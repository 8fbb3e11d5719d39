/* The span B-tree. Leaves hold spans in document order and are linked both ways; inner nodes
 * hold, per child, the visible, total and visible wide element counts under it, so a position
 * is found by one descent and a span's position by one climb. Nodes come from a spare list filled before
 * an edit starts, so once an edit begins mutating it cannot fail. */
#include "seq_internal.h"

#include "alloc.h"
#include "try.h"

#include <string.h>

#define HALF (SEQ_FANOUT / 2)

static seq_node *take_node(hy_seq *s)
{
    seq_node *n = s->spare;
    s->spare = n->parent;
    s->nspare--;
    memset(n, 0, sizeof *n);
    return n;
}

hy_err seq_reserve_nodes(hy_seq *s, size_t inserts)
{
    /* One insertion splits at most a leaf, each inner node above it, and adds a root. */
    size_t need = inserts * (s->height + 2);
    while (s->nspare < need) {
        seq_node *n = hy_alloc(&s->alloc, sizeof *n);
        if (n == NULL)
            return HY_E_NOMEM;
        n->parent = s->spare;
        s->spare = n;
        s->nspare++;
    }
    return HY_OK;
}

hy_err seq_tree_init(hy_seq *s)
{
    HY_TRY(seq_reserve_nodes(s, 1));
    s->root = take_node(s);
    s->root->leaf = 1;
    s->first_leaf = s->root;
    s->height = 0;
    return HY_OK;
}

static void free_subtree(hy_seq *s, seq_node *n)
{
    if (!n->leaf)
        for (uint32_t i = 0; i < n->n; i++)
            free_subtree(s, n->u.i.child[i]);
    hy_free(&s->alloc, n, sizeof *n);
}

void seq_tree_free(hy_seq *s)
{
    if (s->root)
        free_subtree(s, s->root);
    while (s->spare) {
        seq_node *n = s->spare;
        s->spare = n->parent;
        hy_free(&s->alloc, n, sizeof *n);
    }
    s->root = NULL;
    s->nspare = 0;
}

static uint32_t child_slot(const seq_node *parent, const seq_node *child)
{
    uint32_t i = 0;
    while (parent->u.i.child[i] != child)
        i++;
    return i;
}

void seq_bubble(hy_seq *s, seq_node *leaf, int64_t dvis, int64_t dtot, int64_t dwide)
{
    seq_node *n = leaf;
    while (n->parent) {
        seq_node *p = n->parent;
        uint32_t i = child_slot(p, n);
        p->u.i.vis[i] = (uint32_t)((int64_t)p->u.i.vis[i] + dvis);
        p->u.i.tot[i] = (uint32_t)((int64_t)p->u.i.tot[i] + dtot);
        p->u.i.wide[i] = (uint32_t)((int64_t)p->u.i.wide[i] + dwide);
        n = p;
    }
    s->vis = (size_t)((int64_t)s->vis + dvis);
    s->tot = (size_t)((int64_t)s->tot + dtot);
    s->wide = (size_t)((int64_t)s->wide + dwide);
}

/* The counts a node carries up to its parent. */
typedef struct counts {
    uint32_t vis, tot, wide;
} counts;

static void inner_insert(hy_seq *s, seq_node *node, uint32_t slot, seq_node *child, counts c);

static void set_child(seq_node *node, uint32_t slot, seq_node *child, counts c)
{
    node->u.i.child[slot] = child;
    node->u.i.vis[slot] = c.vis;
    node->u.i.tot[slot] = c.tot;
    node->u.i.wide[slot] = c.wide;
    child->parent = node;
}

/* sibling took c's elements from node and goes right after it. */
static void insert_sibling(hy_seq *s, seq_node *node, seq_node *sibling, counts c)
{
    seq_node *p = node->parent;
    if (p == NULL) {
        seq_node *r = take_node(s);
        r->n = 2;
        set_child(r, 0, node,
                  (counts){ (uint32_t)(s->vis - c.vis), (uint32_t)(s->tot - c.tot),
                            (uint32_t)(s->wide - c.wide) });
        set_child(r, 1, sibling, c);
        s->root = r;
        s->height++;
        return;
    }
    uint32_t i = child_slot(p, node);
    p->u.i.vis[i] -= c.vis;
    p->u.i.tot[i] -= c.tot;
    p->u.i.wide[i] -= c.wide;
    inner_insert(s, p, i + 1, sibling, c);
}

static void inner_insert(hy_seq *s, seq_node *node, uint32_t slot, seq_node *child, counts c)
{
    if (node->n == SEQ_FANOUT) {
        seq_node *right = take_node(s);
        counts m = { 0, 0, 0 };
        for (uint32_t i = HALF; i < SEQ_FANOUT; i++) {
            set_child(right, i - HALF, node->u.i.child[i],
                      (counts){ node->u.i.vis[i], node->u.i.tot[i], node->u.i.wide[i] });
            m.vis += node->u.i.vis[i];
            m.tot += node->u.i.tot[i];
            m.wide += node->u.i.wide[i];
        }
        right->n = SEQ_FANOUT - HALF;
        node->n = HALF;
        insert_sibling(s, node, right, m);
        if (slot > HALF) {
            /* The ancestors counted child's elements under node; they now go under right. */
            seq_bubble(s, node, -(int64_t)c.vis, -(int64_t)c.tot, -(int64_t)c.wide);
            seq_bubble(s, right, c.vis, c.tot, c.wide);
            node = right;
            slot -= HALF;
        }
    }
    uint32_t move = node->n - slot;
    memmove(&node->u.i.child[slot + 1], &node->u.i.child[slot], move * sizeof(seq_node *));
    memmove(&node->u.i.vis[slot + 1], &node->u.i.vis[slot], move * sizeof(uint32_t));
    memmove(&node->u.i.tot[slot + 1], &node->u.i.tot[slot], move * sizeof(uint32_t));
    memmove(&node->u.i.wide[slot + 1], &node->u.i.wide[slot], move * sizeof(uint32_t));
    set_child(node, slot, child, c);
    node->n++;
}

/* Moves spans [at, n) to a new leaf after this one. */
static seq_node *leaf_split(hy_seq *s, seq_node *leaf, uint32_t at)
{
    seq_node *right = take_node(s);
    right->leaf = 1;
    counts m = { 0, 0, 0 };
    for (uint32_t i = at; i < leaf->n; i++) {
        const seq_span *sp = &leaf->u.l.spans[i];
        right->u.l.spans[i - at] = *sp;
        m.vis += seq_span_vis(sp);
        m.tot += sp->len;
        m.wide += seq_span_wide(s, sp);
        seq_index_set(&s->index, &s->alloc, sp->actor, sp->counter, sp->len, right);
    }
    right->n = leaf->n - at;
    leaf->n = at;
    right->u.l.prev = leaf;
    right->u.l.next = leaf->u.l.next;
    if (leaf->u.l.next)
        leaf->u.l.next->u.l.prev = right;
    leaf->u.l.next = right;
    insert_sibling(s, leaf, right, m);
    return right;
}

/* known: the leaf the index already names for span's ids (NULL: none), to skip re-indexing. */
static seq_loc insert_at(hy_seq *s, seq_loc loc, const seq_span *span, const seq_node *known)
{
    seq_node *leaf = loc.leaf;
    uint32_t idx = loc.idx;
    if (leaf->n == SEQ_FANOUT) {
        /* Appending at the document's end (loading, typing at the end) leaves full leaves
         * behind; elsewhere both halves keep room. */
        uint32_t at = idx == SEQ_FANOUT && leaf->u.l.next == NULL ? SEQ_FANOUT : HALF;
        seq_node *right = leaf_split(s, leaf, at);
        if (idx > HALF) {
            leaf = right;
            idx -= at;
        }
    }
    memmove(&leaf->u.l.spans[idx + 1], &leaf->u.l.spans[idx],
            (leaf->n - idx) * sizeof(seq_span));
    leaf->u.l.spans[idx] = *span;
    leaf->n++;
    s->spans++;
    seq_bubble(s, leaf, seq_span_vis(span), span->len, seq_span_wide(s, span));
    if (leaf != known)
        seq_index_set(&s->index, &s->alloc, span->actor, span->counter, span->len, leaf);
    return (seq_loc){ leaf, idx };
}

seq_loc seq_insert_span(hy_seq *s, seq_loc loc, const seq_span *span)
{
    return insert_at(s, loc, span, NULL);
}

seq_loc seq_split(hy_seq *s, seq_loc loc, uint32_t off)
{
    seq_span *left = seq_at(loc);
    seq_span right = *left;
    right.counter += off;
    right.len -= off;
    right.val_off += off;
    right.left_actor = left->actor;
    right.left_ctr = left->counter + off - 1;
    left->len = off;
    seq_bubble(s, loc.leaf, -(int64_t)seq_span_vis(&right), -(int64_t)right.len,
               -(int64_t)seq_span_wide(s, &right));
    return insert_at(s, (seq_loc){ loc.leaf, loc.idx + 1 }, &right, loc.leaf);
}

seq_loc seq_find_vis(const hy_seq *s, size_t pos, uint32_t *off)
{
    seq_node *n = s->root;
    while (!n->leaf) {
        uint32_t i = 0;
        while (i + 1 < n->n && pos >= n->u.i.vis[i])
            pos -= n->u.i.vis[i++];
        n = n->u.i.child[i];
    }
    seq_node *leaf = n;
    for (uint32_t i = 0; i < leaf->n; i++) {
        uint32_t v = seq_span_vis(&leaf->u.l.spans[i]);
        if (pos < v) {
            *off = (uint32_t)pos;
            return (seq_loc){ leaf, i };
        }
        pos -= v;
    }
    *off = 0;
    return (seq_loc){ leaf, leaf->n };
}

seq_loc seq_find_tot(const hy_seq *s, size_t pos, uint32_t *off)
{
    seq_node *n = s->root;
    while (!n->leaf) {
        uint32_t i = 0;
        while (i + 1 < n->n && pos >= n->u.i.tot[i])
            pos -= n->u.i.tot[i++];
        n = n->u.i.child[i];
    }
    seq_node *leaf = n;
    for (uint32_t i = 0; i < leaf->n; i++) {
        uint32_t len = leaf->u.l.spans[i].len;
        if (pos < len) {
            *off = (uint32_t)pos;
            return (seq_loc){ leaf, i };
        }
        pos -= len;
    }
    *off = 0;
    return (seq_loc){ leaf, leaf->n };
}

void seq_rank(const seq_loc *loc, size_t *vis, size_t *tot)
{
    size_t v = 0, t = 0;
    for (uint32_t i = 0; i < loc->idx; i++) {
        v += seq_span_vis(&loc->leaf->u.l.spans[i]);
        t += loc->leaf->u.l.spans[i].len;
    }
    const seq_node *n = loc->leaf;
    while (n->parent) {
        const seq_node *p = n->parent;
        for (uint32_t i = 0; p->u.i.child[i] != n; i++) {
            v += p->u.i.vis[i];
            t += p->u.i.tot[i];
        }
        n = p;
    }
    *vis = v;
    *tot = t;
}

seq_loc seq_next(seq_loc loc)
{
    if (loc.idx + 1 < loc.leaf->n)
        return (seq_loc){ loc.leaf, loc.idx + 1 };
    return (seq_loc){ loc.leaf->u.l.next, 0 };
}

seq_loc seq_prev(seq_loc loc)
{
    if (loc.idx > 0)
        return (seq_loc){ loc.leaf, loc.idx - 1 };
    seq_node *p = loc.leaf->u.l.prev;
    return (seq_loc){ p, p ? p->n - 1 : 0 };
}

static seq_loc find_in_leaf(seq_node *leaf, uint32_t actor, uint64_t counter)
{
    for (uint32_t i = 0; i < leaf->n; i++) {
        const seq_span *sp = &leaf->u.l.spans[i];
        if (sp->actor == actor && counter >= sp->counter && counter - sp->counter < sp->len)
            return (seq_loc){ leaf, i };
    }
    return (seq_loc){ NULL, 0 };
}

bool seq_reindex(hy_seq *s)
{
    seq_index_clear(&s->index, &s->alloc);
    for (seq_node *leaf = s->first_leaf; leaf && !s->index.stale; leaf = leaf->u.l.next)
        for (uint32_t i = 0; i < leaf->n; i++) {
            const seq_span *sp = &leaf->u.l.spans[i];
            seq_index_set(&s->index, &s->alloc, sp->actor, sp->counter, sp->len, leaf);
        }
    return !s->index.stale;
}

seq_loc seq_find_id(hy_seq *s, uint32_t actor, uint64_t counter)
{
    if (s->index.stale && !seq_reindex(s)) {
        for (seq_node *leaf = s->first_leaf; leaf; leaf = leaf->u.l.next) {
            seq_loc loc = find_in_leaf(leaf, actor, counter);
            if (loc.leaf)
                return loc;
        }
        return (seq_loc){ NULL, 0 };
    }
    seq_node *leaf = seq_index_get_cached(&s->index, actor, counter);
    return leaf ? find_in_leaf(leaf, actor, counter) : (seq_loc){ NULL, 0 };
}

/* The wide count of a subtree, written into its inner nodes on the way up. */
static uint32_t recount(const hy_seq *s, seq_node *n)
{
    uint32_t wide = 0;
    for (uint32_t i = 0; i < n->n; i++) {
        if (n->leaf) {
            wide += seq_span_wide(s, &n->u.l.spans[i]);
        } else {
            n->u.i.wide[i] = recount(s, n->u.i.child[i]);
            wide += n->u.i.wide[i];
        }
    }
    return wide;
}

void seq_recount_wide(hy_seq *s)
{
    s->wide = recount(s, s->root);
}

static bool check_node(const hy_seq *s, const seq_node *n, const seq_node *parent, size_t depth,
                       size_t *vis, size_t *tot, size_t *wide, const seq_node **prev_leaf)
{
    if (n->parent != parent || n->n == 0 || n->n > SEQ_FANOUT)
        return false;
    size_t v = 0, t = 0, w = 0;
    if (n->leaf) {
        if (depth != s->height || n->u.l.prev != *prev_leaf)
            return false;
        *prev_leaf = n;
        for (uint32_t i = 0; i < n->n; i++) {
            const seq_span *sp = &n->u.l.spans[i];
            if (sp->len == 0 || sp->counter + sp->len > HY_SEQ_COUNTER_LIMIT)
                return false;
            if (!s->index.stale &&
                (seq_index_get(&s->index, sp->actor, sp->counter) != n ||
                 seq_index_get(&s->index, sp->actor, sp->counter + sp->len - 1) != n))
                return false;
            if (!sp->deleted && (uint64_t)sp->val_off + sp->len > s->values.len)
                return false;
            v += seq_span_vis(sp);
            t += sp->len;
            w += seq_span_wide(s, sp);
        }
    } else {
        for (uint32_t i = 0; i < n->n; i++) {
            size_t cv = 0, ct = 0, cw = 0;
            if (!check_node(s, n->u.i.child[i], n, depth + 1, &cv, &ct, &cw, prev_leaf) ||
                cv != n->u.i.vis[i] || ct != n->u.i.tot[i] || cw != n->u.i.wide[i])
                return false;
            v += cv;
            t += ct;
            w += cw;
        }
    }
    *vis = v;
    *tot = t;
    *wide = w;
    return true;
}

hy_err hy_seq_check(const hy_seq *s)
{
    size_t vis = 0, tot = 0, wide = 0, spans = 0;
    const seq_node *last = NULL;
    /* The wide map first: the wide counts below are computed through it. */
    if (!seq_values_check(s))
        return HY_E_FORMAT;
    if (s->root->leaf && s->root->n == 0) /* only an empty sequence has an empty leaf */
        return s->root == s->first_leaf && s->vis == 0 && s->tot == 0 && s->wide == 0 &&
                       s->spans == 0
                   ? HY_OK
                   : HY_E_FORMAT;
    if (!check_node(s, s->root, NULL, 0, &vis, &tot, &wide, &last) || vis != s->vis ||
        tot != s->tot || wide != s->wide)
        return HY_E_FORMAT;
    const seq_node *leaf = s->first_leaf;
    for (; leaf; leaf = leaf->u.l.next) {
        spans += leaf->n;
        if (leaf->u.l.next == NULL && leaf != last)
            return HY_E_FORMAT;
    }
    return spans == s->spans ? HY_OK : HY_E_FORMAT;
}

/* UTF-16 positions over the span tree. Inner nodes count the visible wide elements (outside
 * the BMP) under each child, so a subtree's UTF-16 length is visible + wide, and the wide map
 * (seq_values.c) counts them inside a span: one descent converts either way in O(log n). */
#include "seq_internal.h"

/* Where a descent stopped: the span holding the target (or the slot after the last span), the
 * rest of the target inside it, and the visible and wide elements before that span. */
typedef struct descent {
    seq_loc loc;
    size_t rest;
    size_t vis, wide;
} descent;

/* Descends to target, counted in visible elements or, when utf16, in UTF-16 code units. */
static descent descend(const hy_seq *s, size_t target, bool utf16)
{
    descent d = { { NULL, 0 }, target, 0, 0 };
    seq_node *n = s->root;
    while (!n->leaf) {
        uint32_t i = 0;
        for (; i + 1 < n->n; i++) {
            size_t size = (size_t)n->u.i.vis[i] + (utf16 ? n->u.i.wide[i] : 0);
            if (d.rest < size)
                break;
            d.rest -= size;
            d.vis += n->u.i.vis[i];
            d.wide += n->u.i.wide[i];
        }
        n = n->u.i.child[i];
    }
    for (uint32_t i = 0; i < n->n; i++) {
        const seq_span *sp = &n->u.l.spans[i];
        uint32_t v = seq_span_vis(sp), w = seq_span_wide(s, sp);
        size_t size = (size_t)v + (utf16 ? w : 0);
        if (d.rest < size) {
            d.loc = (seq_loc){ n, i };
            return d;
        }
        d.rest -= size;
        d.vis += v;
        d.wide += w;
    }
    d.loc = (seq_loc){ n, n->n };
    return d;
}

size_t hy_seq_len_utf16(const hy_seq *s)
{
    return s->vis + s->wide;
}

hy_err hy_seq_pos_to_utf16(const hy_seq *s, size_t pos, size_t *utf16)
{
    if (s == NULL || utf16 == NULL || pos > s->vis)
        return HY_E_INVALID_ARG;
    descent d = descend(s, pos, false);
    if (d.rest > 0) /* inside a span: its wide elements before pos */
        d.wide += seq_values_wide(s, seq_at(d.loc)->val_off, d.rest);
    *utf16 = pos + d.wide;
    return HY_OK;
}

hy_err hy_seq_pos_from_utf16(const hy_seq *s, size_t utf16, size_t *pos)
{
    if (s == NULL || pos == NULL || utf16 > s->vis + s->wide)
        return HY_E_INVALID_ARG;
    descent d = descend(s, utf16, true);
    size_t k = 0;
    if (d.rest > 0) {
        const seq_span *sp = seq_at(d.loc);
        k = seq_values_fit_utf16(s, sp->val_off, sp->len, d.rest);
        if (k + seq_values_wide(s, sp->val_off, k) != d.rest)
            return HY_E_INVALID_ARG; /* between the two units of a surrogate pair */
    }
    *pos = d.vis + k;
    return HY_OK;
}

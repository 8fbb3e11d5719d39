/* Private to state/seq*.c: the span B-tree and the id index. */
#ifndef HY_SEQ_INTERNAL_H
#define HY_SEQ_INTERNAL_H

#include "seq.h"

#include "table.h"
#include "vec.h"

#include <stdbool.h>

/* Spans per leaf and children per inner node: a few cache lines of counts per level, and few
 * levels (automerge-paper's ~10^4 spans fit in three). */
#define SEQ_FANOUT 32

/* Elements from here on are "wide": code points outside the BMP, two UTF-16 code units each.
 * The tree counts them so that UTF-16 offsets convert in O(log n) (see seq_utf16.c); for
 * lists the count means nothing and costs nothing more. */
#define SEQ_WIDE_MIN 0x10000u

/* A run of elements with ids (actor, counter .. counter + len - 1). The origins are those of
 * the first element; element k > 0 has origin_left (actor, counter + k - 1) and the same
 * origin_right. Values of element k are values[val_off + k] (unused when deleted). */
typedef struct seq_span {
    uint64_t counter;
    uint64_t left_ctr;  /* HY_SEQ_NONE: no left origin */
    uint64_t right_ctr; /* HY_SEQ_NONE: no right origin */
    uint32_t actor;
    uint32_t left_actor;
    uint32_t right_actor;
    uint32_t len;
    uint32_t val_off;
    uint32_t deleted;
} seq_span;

typedef struct seq_node seq_node;
struct seq_node {
    seq_node *parent;
    uint32_t n;    /* spans in a leaf, children in an inner node */
    uint32_t leaf; /* bool */
    union {
        struct {
            seq_node *prev, *next;
            seq_span spans[SEQ_FANOUT];
        } l;
        struct {
            uint32_t vis[SEQ_FANOUT]; /* visible elements under child i */
            uint32_t tot[SEQ_FANOUT]; /* all elements under child i */
            uint32_t wide[SEQ_FANOUT]; /* visible elements >= SEQ_WIDE_MIN under child i */
            seq_node *child[SEQ_FANOUT];
        } i;
    } u;
};

/* A span in a leaf; idx == leaf->n is the slot after the leaf's last span. */
typedef struct seq_loc {
    seq_node *leaf;
    uint32_t idx;
} seq_loc;

/* Id -> leaf. Counters of one actor are cut into pages of SEQ_PAGE elements; a page holds a
 * sorted list of markers "from this offset on, the ids live in this leaf" (NULL: not in the
 * sequence). Pages keep updates small (a leaf split rewrites a few short lists) and look-ups
 * one hash probe plus a binary search. The index is a hint: a look-up checks the leaf it names,
 * and when an allocation failed during an update the index is marked stale and rebuilt, so an
 * index update never has to fail an edit. */
#define SEQ_PAGE_BITS 8
#define SEQ_PAGE ((uint32_t)1 << SEQ_PAGE_BITS)

typedef struct seq_marker {
    uint32_t off;
    seq_node *leaf;
} seq_marker;

/* The wide map: which values (of the append-only values array) are wide, one bit each, per
 * block of 64 with the count of wide values in all earlier blocks, so that the wide count of
 * any range of values (a span, or part of one) costs two look-ups and two popcounts. Blocks
 * cover values.len / 64 + 1 blocks (the last one partly filled, bits past the end zero). */
#define SEQ_WIDE_BLOCK 64

typedef struct seq_wide_block {
    uint64_t bits;   /* bit k: value block * 64 + k is wide */
    uint32_t before; /* wide values in earlier blocks */
} seq_wide_block;

typedef struct seq_index {
    hy_table map;   /* {actor, page number} -> slot in pages */
    hy_vec pages; /* hy_vec of seq_marker per page */
    bool stale;
    /* The page used last: typing and replaying stay on one page for hundreds of ops. */
    bool have_last;
    uint32_t last_actor;
    uint32_t last_slot;
    uint64_t last_page;
} seq_index;

struct hy_seq {
    hy_allocator alloc;
    hy_seq_config cfg;
    seq_node *root;
    seq_node *first_leaf;
    size_t height; /* inner levels above the leaves */
    size_t vis;    /* visible elements */
    size_t tot;    /* all elements */
    size_t wide;   /* visible elements >= SEQ_WIDE_MIN */
    size_t spans;
    seq_node *spare; /* preallocated nodes (linked through parent) so edits cannot fail midway */
    size_t nspare;
    hy_vec values; /* uint32_t, append-only; spans point into it */
    hy_vec wide_map; /* seq_wide_block over values */
    seq_index index;
};

/* seq_index.c */
void seq_index_init(seq_index *ix, uint64_t seed);
void seq_index_free(seq_index *ix, const hy_allocator *a);
/* Records that ids (actor, counter .. counter + len - 1) live in leaf; marks the index stale
 * when out of memory. */
void seq_index_set(seq_index *ix, const hy_allocator *a, uint32_t actor, uint64_t counter,
                   uint64_t len, seq_node *leaf);
/* The leaf the index names for an id, or NULL (the _cached form remembers the page). */
seq_node *seq_index_get(const seq_index *ix, uint32_t actor, uint64_t counter);
seq_node *seq_index_get_cached(seq_index *ix, uint32_t actor, uint64_t counter);
void seq_index_clear(seq_index *ix, const hy_allocator *a);

/* seq_values.c: the values array and its wide map, which always describe each other. */
hy_err seq_values_init(hy_seq *s);
/* Makes room for n more values, so that seq_values_append cannot fail. */
hy_err seq_values_reserve(hy_seq *s, size_t n);
/* Appends n values (NULL: n zeros, placeholders a load overwrites); returns how many are
 * wide. */
uint32_t seq_values_append(hy_seq *s, const uint32_t *values, size_t n);
/* Rebuilds the wide map after the values were overwritten in place. */
void seq_values_remap(hy_seq *s);
/* Wide values among values[off .. off + n). */
uint32_t seq_values_wide(const hy_seq *s, size_t off, size_t n);
/* The largest k <= n whose first k values from off take at most units UTF-16 code units. */
uint32_t seq_values_fit_utf16(const hy_seq *s, size_t off, uint32_t n, size_t units);
/* Checks the wide map against the values; false when it is wrong. */
bool seq_values_check(const hy_seq *s);

/* seq_tree.c */
hy_err seq_tree_init(hy_seq *s);
void seq_tree_free(hy_seq *s);
/* Ensures spare nodes for `inserts` span insertions, so that the next that many calls of
 * seq_insert_span cannot fail. */
hy_err seq_reserve_nodes(hy_seq *s, size_t inserts);
/* Inserts *span at loc (which may be the slot after a leaf's last span); returns where it
 * landed. Needs a spare from seq_reserve_nodes. */
seq_loc seq_insert_span(hy_seq *s, seq_loc loc, const seq_span *span);
/* Splits the span at loc after off elements (0 < off < len); returns the right part. */
seq_loc seq_split(hy_seq *s, seq_loc loc, uint32_t off);
/* Adds dvis visible, dtot total and dwide wide elements to the counts above leaf. */
void seq_bubble(hy_seq *s, seq_node *leaf, int64_t dvis, int64_t dtot, int64_t dwide);
/* Recomputes every wide count from the spans (after a load replaced the values). */
void seq_recount_wide(hy_seq *s);
/* The span at visible position pos: loc and offset in it. pos == s->vis gives the slot after
 * the last span. */
seq_loc seq_find_vis(const hy_seq *s, size_t pos, uint32_t *off);
/* The same for a position counting tombstones. */
seq_loc seq_find_tot(const hy_seq *s, size_t pos, uint32_t *off);
/* Visible and total elements before the span at loc. */
void seq_rank(const seq_loc *loc, size_t *vis, size_t *tot);
/* Neighbouring spans; leaf NULL when there is none. */
seq_loc seq_next(seq_loc loc);
seq_loc seq_prev(seq_loc loc);
/* The span holding (actor, counter), via the index; leaf NULL when absent. */
seq_loc seq_find_id(hy_seq *s, uint32_t actor, uint64_t counter);
/* Rebuilds the index from the spans; false when out of memory. */
bool seq_reindex(hy_seq *s);

static inline seq_span *seq_at(seq_loc loc)
{
    return &loc.leaf->u.l.spans[loc.idx];
}

static inline uint32_t seq_span_vis(const seq_span *sp)
{
    return sp->deleted ? 0 : sp->len;
}

/* Visible wide elements of a span. */
static inline uint32_t seq_span_wide(const hy_seq *s, const seq_span *sp)
{
    return sp->deleted ? 0 : seq_values_wide(s, sp->val_off, sp->len);
}

#endif

#include "seq_internal.h"

#include <string.h>

typedef struct page_key {
    uint32_t actor;
    uint32_t zero; /* keys are hashed as bytes: no padding */
    uint64_t page;
} page_key;

static page_key make_key(uint32_t actor, uint64_t page)
{
    page_key k;
    memset(&k, 0, sizeof k);
    k.actor = actor;
    k.page = page;
    return k;
}

void seq_index_init(seq_index *ix, uint64_t seed)
{
    hy_table_init(&ix->map, sizeof(page_key), seed);
    hy_vec_init(&ix->pages, sizeof(hy_vec));
    ix->stale = false;
    ix->have_last = false;
}

static bool find_page(seq_index *ix, uint32_t actor, uint64_t page_no, uint32_t *slot)
{
    if (ix->have_last && ix->last_actor == actor && ix->last_page == page_no) {
        *slot = ix->last_slot;
        return true;
    }
    page_key key = make_key(actor, page_no);
    if (!hy_table_get(&ix->map, &key, slot))
        return false;
    ix->have_last = true;
    ix->last_actor = actor;
    ix->last_page = page_no;
    ix->last_slot = *slot;
    return true;
}

void seq_index_clear(seq_index *ix, const hy_allocator *a)
{
    for (size_t i = 0; i < ix->pages.len; i++)
        hy_vec_free(&HY_VEC_AT(&ix->pages, hy_vec, i), a);
    hy_vec_free(&ix->pages, a);
    uint64_t seed = ix->map.seed;
    hy_table_free(&ix->map, a);
    seq_index_init(ix, seed);
}

void seq_index_free(seq_index *ix, const hy_allocator *a)
{
    seq_index_clear(ix, a);
}

/* Sets offsets [lo, hi) of one page to leaf, keeping markers sorted and merging neighbours
 * that name the same leaf. */
static hy_err page_set(hy_vec *page, const hy_allocator *a, uint32_t lo, uint32_t hi,
                       seq_node *leaf)
{
    seq_marker tmp[SEQ_PAGE + 2];
    size_t n = 0;
    const seq_marker *m = page->data;
    size_t i = 0;
    seq_node *at_hi = NULL; /* what covered hi before */
    for (; i < page->len && m[i].off < lo; i++) {
        tmp[n++] = m[i];
        at_hi = m[i].leaf;
    }
    for (; i < page->len && m[i].off <= hi; i++)
        at_hi = m[i].leaf;
    if (n == 0 || tmp[n - 1].leaf != leaf)
        tmp[n++] = (seq_marker){ lo, leaf };
    if (hi < SEQ_PAGE && at_hi != leaf)
        tmp[n++] = (seq_marker){ hi, at_hi };
    for (; i < page->len; i++)
        if (tmp[n - 1].leaf != m[i].leaf)
            tmp[n++] = m[i];
    if (n > page->cap && hy_vec_reserve(page, a, n))
        return HY_E_NOMEM;
    memcpy(page->data, tmp, n * sizeof(seq_marker));
    page->len = n;
    return HY_OK;
}

static hy_err index_set(seq_index *ix, const hy_allocator *a, uint32_t actor, uint64_t counter,
                        uint64_t len, seq_node *leaf)
{
    uint64_t end = counter + len;
    while (counter < end) {
        uint64_t page_no = counter >> SEQ_PAGE_BITS;
        uint64_t base = page_no << SEQ_PAGE_BITS;
        uint32_t lo = (uint32_t)(counter - base);
        uint32_t hi = end - base < SEQ_PAGE ? (uint32_t)(end - base) : SEQ_PAGE;
        uint32_t slot;
        if (!find_page(ix, actor, page_no, &slot)) {
            page_key key = make_key(actor, page_no);
            if (ix->pages.len >= UINT32_MAX - 1)
                return HY_E_NOMEM;
            if (hy_vec_reserve(&ix->pages, a, ix->pages.len + 1) ||
                hy_table_put(&ix->map, a, &key, (uint32_t)ix->pages.len))
                return HY_E_NOMEM;
            slot = (uint32_t)ix->pages.len++;
            hy_vec *fresh = &HY_VEC_AT(&ix->pages, hy_vec, slot);
            hy_vec_init(fresh, sizeof(seq_marker));
        }
        hy_vec *page = &HY_VEC_AT(&ix->pages, hy_vec, slot);
        if (page->len == 0) {
            /* A page starts as "nothing here" so that offsets outside the range stay absent. */
            if (hy_vec_reserve(page, a, 4))
                return HY_E_NOMEM;
            HY_VEC_AT(page, seq_marker, 0) = (seq_marker){ 0, NULL };
            page->len = 1;
        }
        if (page_set(page, a, lo, hi, leaf))
            return HY_E_NOMEM;
        counter = base + hi;
    }
    return HY_OK;
}

void seq_index_set(seq_index *ix, const hy_allocator *a, uint32_t actor, uint64_t counter,
                   uint64_t len, seq_node *leaf)
{
    if (!ix->stale && index_set(ix, a, actor, counter, len, leaf))
        ix->stale = true;
}

static seq_node *page_get(const seq_index *ix, uint32_t slot, uint64_t counter)
{
    const hy_vec *page = &HY_VEC_AT(&ix->pages, hy_vec, slot);
    const seq_marker *m = page->data;
    uint32_t off = (uint32_t)(counter & (SEQ_PAGE - 1));
    size_t lo = 0, hi = page->len; /* the answer is the last marker with m.off <= off */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (m[mid].off <= off)
            lo = mid;
        else
            hi = mid;
    }
    return m[lo].leaf;
}

seq_node *seq_index_get(const seq_index *ix, uint32_t actor, uint64_t counter)
{
    page_key key = make_key(actor, counter >> SEQ_PAGE_BITS);
    uint32_t slot;
    return hy_table_get(&ix->map, &key, &slot) ? page_get(ix, slot, counter) : NULL;
}

seq_node *seq_index_get_cached(seq_index *ix, uint32_t actor, uint64_t counter)
{
    uint32_t slot;
    return find_page(ix, actor, counter >> SEQ_PAGE_BITS, &slot) ? page_get(ix, slot, counter)
                                                                 : NULL;
}

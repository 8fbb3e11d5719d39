/* An allocator for tests: counts live and peak bytes, checks that frees name the size they
 * were allocated with, and fails the k-th allocation request on demand (OOM injection). */
#ifndef HY_TEST_ALLOC_H
#define HY_TEST_ALLOC_H

#include "hypha.h"

typedef struct hy_test_alloc {
    size_t live_bytes;
    size_t peak_bytes;
    size_t live_blocks;
    size_t requests;   /* allocations and growths asked for so far */
    size_t fail_at;    /* fail the request with this 1-based number; 0: never */
    size_t failures;   /* requests refused so far */
} hy_test_alloc;

/* Resets *t and returns an allocator that reports to it. */
hy_allocator hy_test_allocator(hy_test_alloc *t);

#endif

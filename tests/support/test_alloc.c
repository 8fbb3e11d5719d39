#include "test_alloc.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Each block carries its size in a header so that a free naming the wrong size is caught. */
typedef union header {
    size_t size;
    max_align_t align; /* keeps the payload aligned like malloc's */
} header;

static void *test_alloc_fn(void *user, void *ptr, size_t old_size, size_t new_size)
{
    hy_test_alloc *t = user;
    header *h = ptr ? (header *)ptr - 1 : NULL;
    if (h && h->size != old_size) {
        fprintf(stderr, "test allocator: block of %zu bytes released as %zu\n", h->size,
                old_size);
        abort();
    }
    if (new_size == 0) {
        if (h) {
            t->live_bytes -= h->size;
            t->live_blocks--;
            free(h);
        }
        return NULL;
    }
    t->requests++;
    if (t->fail_at && t->requests == t->fail_at) {
        t->failures++;
        return NULL;
    }
    header *n = realloc(h, sizeof(header) + new_size);
    if (n == NULL)
        return NULL;
    if (h == NULL)
        t->live_blocks++;
    t->live_bytes = t->live_bytes - old_size + new_size;
    if (t->live_bytes > t->peak_bytes)
        t->peak_bytes = t->live_bytes;
    n->size = new_size;
    return n + 1;
}

hy_allocator hy_test_allocator(hy_test_alloc *t)
{
    memset(t, 0, sizeof *t);
    hy_allocator a = { test_alloc_fn, t };
    return a;
}

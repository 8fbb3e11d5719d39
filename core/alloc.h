/* Allocation through the caller's hook, and arenas for scratch memory. */
#ifndef HY_ALLOC_H
#define HY_ALLOC_H

#include "hypha.h"

/* NULL on failure or when size is 0. */
void *hy_alloc(const hy_allocator *a, size_t size);
/* Like hy_alloc, zero-filled; NULL also when n * size overflows. */
void *hy_alloc_zero(const hy_allocator *a, size_t n, size_t size);
/* Resizes p (allocated with old_size); NULL on failure, p untouched. */
void *hy_realloc(const hy_allocator *a, void *p, size_t old_size, size_t new_size);
/* Accepts NULL. */
void hy_free(const hy_allocator *a, void *p, size_t size);

/* Live and peak bytes of an allocator made by hy_allocator_counting. */
typedef struct hy_alloc_stats {
    size_t live;
    size_t peak;
} hy_alloc_stats;

/* The default allocator, counting into *stats (which must outlive it): the benchmarks and
 * `hypha trace` report an engine's memory through it. */
hy_allocator hy_allocator_counting(hy_alloc_stats *stats);

/* n * size, or SIZE_MAX when it overflows (so that an allocation of it fails). */
size_t hy_size_mul(size_t n, size_t size);

/* A bump allocator: many small allocations freed at once. Blocks come from the allocator. */
typedef struct hy_arena_block hy_arena_block;
typedef struct hy_arena {
    hy_allocator alloc;
    hy_arena_block *head;
    size_t used;      /* bytes used in head */
    size_t capacity;  /* bytes usable in head */
} hy_arena;

void hy_arena_init(hy_arena *arena, hy_allocator alloc);
/* Memory aligned for any object, valid until reset or free; NULL on failure. */
void *hy_arena_alloc(hy_arena *arena, size_t size);
/* Frees every block. The arena stays usable. */
void hy_arena_reset(hy_arena *arena);

#endif

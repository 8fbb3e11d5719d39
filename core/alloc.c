#include "alloc.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

static void *default_alloc(void *user, void *ptr, size_t old_size, size_t new_size)
{
    (void)user;
    (void)old_size;
    if (new_size == 0) {
        free(ptr);
        return NULL;
    }
    return realloc(ptr, new_size);
}

hy_allocator hy_allocator_default(void)
{
    hy_allocator a = { default_alloc, NULL };
    return a;
}

static void *counting_alloc(void *user, void *ptr, size_t old_size, size_t new_size)
{
    hy_alloc_stats *stats = user;
    void *p = default_alloc(NULL, ptr, old_size, new_size);
    if (new_size == 0) {
        stats->live -= old_size;
    } else if (p) {
        stats->live = stats->live - old_size + new_size;
        if (stats->live > stats->peak)
            stats->peak = stats->live;
    }
    return p;
}

hy_allocator hy_allocator_counting(hy_alloc_stats *stats)
{
    hy_allocator a = { counting_alloc, stats };
    return a;
}

void *hy_alloc(const hy_allocator *a, size_t size)
{
    return size ? a->fn(a->user, NULL, 0, size) : NULL;
}

size_t hy_size_mul(size_t n, size_t size)
{
    return (size != 0 && n > SIZE_MAX / size) ? SIZE_MAX : n * size;
}

void *hy_alloc_zero(const hy_allocator *a, size_t n, size_t size)
{
    size_t total = hy_size_mul(n, size);
    void *p = total == SIZE_MAX ? NULL : hy_alloc(a, total);
    if (p)
        memset(p, 0, total);
    return p;
}

void *hy_realloc(const hy_allocator *a, void *p, size_t old_size, size_t new_size)
{
    if (new_size == 0)
        return NULL;
    return a->fn(a->user, p, p ? old_size : 0, new_size);
}

void hy_free(const hy_allocator *a, void *p, size_t size)
{
    if (p)
        a->fn(a->user, p, size, 0);
}

/* ---- arena ---- */

struct hy_arena_block {
    hy_arena_block *next;
    size_t size; /* whole block, header included */
};

#define ARENA_ALIGN alignof(max_align_t)
#define ARENA_HEADER ((sizeof(hy_arena_block) + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1))
#define ARENA_MIN_BLOCK 4096u

void hy_arena_init(hy_arena *arena, hy_allocator alloc)
{
    arena->alloc = alloc;
    arena->head = NULL;
    arena->used = 0;
    arena->capacity = 0;
}

void *hy_arena_alloc(hy_arena *arena, size_t size)
{
    size_t rounded = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (size == 0 || rounded < size)
        return NULL;
    if (arena->head == NULL || arena->capacity - arena->used < rounded) {
        /* Blocks double with the arena's size so that a large arena needs few of them. */
        size_t want = arena->head ? arena->head->size * 2 : ARENA_MIN_BLOCK;
        if (want - ARENA_HEADER < rounded)
            want = rounded + ARENA_HEADER;
        if (want < rounded)
            return NULL;
        hy_arena_block *block = hy_alloc(&arena->alloc, want);
        if (block == NULL)
            return NULL;
        block->next = arena->head;
        block->size = want;
        arena->head = block;
        arena->used = 0;
        arena->capacity = want - ARENA_HEADER;
    }
    void *p = (uint8_t *)arena->head + ARENA_HEADER + arena->used;
    arena->used += rounded;
    return p;
}

void hy_arena_reset(hy_arena *arena)
{
    hy_arena_block *block = arena->head;
    while (block) {
        hy_arena_block *next = block->next;
        hy_free(&arena->alloc, block, block->size);
        block = next;
    }
    arena->head = NULL;
    arena->used = 0;
    arena->capacity = 0;
}

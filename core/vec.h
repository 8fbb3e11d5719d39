/* A growable array of fixed-size elements. The allocator is passed to each growing call
 * rather than stored, because containers that hold many vectors already hold it once. */
#ifndef HY_VEC_H
#define HY_VEC_H

#include "hypha.h"

typedef struct hy_vec {
    void *data;
    size_t len;
    size_t cap;
    size_t elem;
} hy_vec;

static inline void hy_vec_init(hy_vec *v, size_t elem)
{
    v->data = NULL;
    v->len = 0;
    v->cap = 0;
    v->elem = elem;
}

/* Ensures room for at least total elements. */
hy_err hy_vec_reserve(hy_vec *v, const hy_allocator *a, size_t total);
/* Appends one element copied from item (item may be NULL: the slot is zeroed). */
hy_err hy_vec_push(hy_vec *v, const hy_allocator *a, const void *item);
void hy_vec_free(hy_vec *v, const hy_allocator *a);

static inline void *hy_vec_at(const hy_vec *v, size_t i)
{
    return (uint8_t *)v->data + i * v->elem;
}

#define HY_VEC_AT(v, type, i) (((type *)(v)->data)[i])

#endif

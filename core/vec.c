#include "vec.h"

#include "alloc.h"

#include <string.h>

hy_err hy_vec_reserve(hy_vec *v, const hy_allocator *a, size_t total)
{
    if (total <= v->cap)
        return HY_OK;
    /* The first allocation is exact: most vectors in a store (a register's values, a set's
     * tags) hold one or two items for life. Growth after that doubles. */
    size_t cap = v->cap ? v->cap : total;
    while (cap < total)
        cap = cap > SIZE_MAX / 2 ? total : cap * 2;
    size_t bytes = hy_size_mul(cap, v->elem);
    if (bytes == SIZE_MAX)
        return HY_E_NOMEM;
    void *p = hy_realloc(a, v->data, v->cap * v->elem, bytes);
    if (p == NULL)
        return HY_E_NOMEM;
    v->data = p;
    v->cap = cap;
    return HY_OK;
}

hy_err hy_vec_push(hy_vec *v, const hy_allocator *a, const void *item)
{
    hy_err err = hy_vec_reserve(v, a, v->len + 1);
    if (err)
        return err;
    void *slot = hy_vec_at(v, v->len);
    if (item)
        memcpy(slot, item, v->elem);
    else
        memset(slot, 0, v->elem);
    v->len++;
    return HY_OK;
}

void hy_vec_free(hy_vec *v, const hy_allocator *a)
{
    hy_free(a, v->data, v->cap * v->elem);
    hy_vec_init(v, v->elem);
}

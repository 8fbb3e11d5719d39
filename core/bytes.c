#include "bytes.h"

#include "alloc.h"

#include <string.h>

void hy_store_u32le(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

void hy_store_u64le(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* ---- reader ---- */

hy_err hy_read_view(hy_reader *r, size_t n, const uint8_t **out)
{
    if (n > hy_reader_left(r))
        return HY_E_TRUNCATED;
    *out = r->data + r->pos;
    r->pos += n;
    return HY_OK;
}

hy_err hy_read_copy(hy_reader *r, void *out, size_t n)
{
    const uint8_t *p;
    hy_err err = hy_read_view(r, n, &p);
    if (err == HY_OK && n)
        memcpy(out, p, n);
    return err;
}

hy_err hy_read_u8(hy_reader *r, uint8_t *out)
{
    if (r->pos >= r->len)
        return HY_E_TRUNCATED;
    *out = r->data[r->pos++];
    return HY_OK;
}

hy_err hy_read_u32le(hy_reader *r, uint32_t *out)
{
    const uint8_t *p;
    hy_err err = hy_read_view(r, 4, &p);
    if (err == HY_OK)
        *out = hy_load_u32le(p);
    return err;
}

hy_err hy_read_u64le(hy_reader *r, uint64_t *out)
{
    const uint8_t *p;
    hy_err err = hy_read_view(r, 8, &p);
    if (err == HY_OK)
        *out = hy_load_u64le(p);
    return err;
}

hy_err hy_read_varint(hy_reader *r, uint64_t *out)
{
    uint64_t v = 0;
    size_t i = 0;
    for (;;) {
        if (r->pos + i >= r->len)
            return HY_E_TRUNCATED;
        uint8_t b = r->data[r->pos + i];
        /* The tenth byte holds bit 63 only. */
        if (i == HY_VARINT_MAX_LEN - 1 && b > 1)
            return HY_E_VARINT;
        v |= (uint64_t)(b & 0x7f) << (7 * i);
        i++;
        if (!(b & 0x80)) {
            /* A zero final byte after others means the value had a shorter form. */
            if (b == 0 && i > 1)
                return HY_E_VARINT;
            break;
        }
    }
    r->pos += i;
    *out = v;
    return HY_OK;
}

hy_err hy_read_varint_max(hy_reader *r, uint64_t max, uint64_t *out)
{
    size_t start = r->pos;
    uint64_t v;
    hy_err err = hy_read_varint(r, &v);
    if (err)
        return err;
    if (v > max) {
        r->pos = start;
        return HY_E_TOO_LARGE;
    }
    *out = v;
    return HY_OK;
}

hy_err hy_read_count(hy_reader *r, size_t min_item_bytes, size_t *out)
{
    size_t start = r->pos;
    uint64_t v;
    hy_err err = hy_read_varint(r, &v);
    if (err)
        return err;
    size_t left = hy_reader_left(r);
    uint64_t max = min_item_bytes ? left / min_item_bytes : left;
    if (v > max) {
        r->pos = start;
        return HY_E_TOO_LARGE;
    }
    *out = (size_t)v;
    return HY_OK;
}

size_t hy_varint_len(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

size_t hy_varint_put(uint8_t *buf, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        buf[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    buf[n++] = (uint8_t)v;
    return n;
}

/* ---- writer ---- */

void hy_writer_init(hy_writer *w, hy_allocator alloc)
{
    w->alloc = alloc;
    w->data = NULL;
    w->len = 0;
    w->cap = 0;
    w->err = HY_OK;
}

void hy_writer_free(hy_writer *w)
{
    hy_free(&w->alloc, w->data, w->cap);
    hy_writer_init(w, w->alloc);
}

uint8_t *hy_writer_reserve(hy_writer *w, size_t n)
{
    if (w->err)
        return NULL;
    /* An empty writer allocates even for n = 0, so the pointer it returns is never NULL. */
    if (n > w->cap - w->len || w->data == NULL) {
        size_t need = w->len + n;
        if (need < w->len) {
            w->err = HY_E_NOMEM;
            return NULL;
        }
        size_t cap = w->cap ? w->cap : 64;
        while (cap < need)
            cap = cap > SIZE_MAX / 2 ? need : cap * 2;
        uint8_t *p = hy_realloc(&w->alloc, w->data, w->cap, cap);
        if (p == NULL) {
            w->err = HY_E_NOMEM;
            return NULL;
        }
        w->data = p;
        w->cap = cap;
    }
    return w->data + w->len;
}

void hy_write_bytes(hy_writer *w, const void *p, size_t n)
{
    uint8_t *dst = hy_writer_reserve(w, n);
    if (dst && n) {
        memcpy(dst, p, n);
        w->len += n;
    }
}

void hy_write_u8(hy_writer *w, uint8_t v)
{
    hy_write_bytes(w, &v, 1);
}

void hy_write_u32le(hy_writer *w, uint32_t v)
{
    uint8_t *dst = hy_writer_reserve(w, 4);
    if (dst) {
        hy_store_u32le(dst, v);
        w->len += 4;
    }
}

void hy_write_u64le(hy_writer *w, uint64_t v)
{
    uint8_t *dst = hy_writer_reserve(w, 8);
    if (dst) {
        hy_store_u64le(dst, v);
        w->len += 8;
    }
}

void hy_write_varint(hy_writer *w, uint64_t v)
{
    uint8_t *dst = hy_writer_reserve(w, HY_VARINT_MAX_LEN);
    if (dst)
        w->len += hy_varint_put(dst, v);
}

hy_err hy_writer_take(hy_writer *w, uint8_t **data, size_t *len)
{
    hy_err err = w->err;
    uint8_t *p = w->data;
    if (err == HY_OK && w->len < w->cap) {
        p = w->len ? hy_realloc(&w->alloc, w->data, w->cap, w->len) : NULL;
        if (w->len && p == NULL)
            err = HY_E_NOMEM;
        else if (w->len == 0)
            hy_free(&w->alloc, w->data, w->cap);
    }
    if (err) {
        hy_writer_free(w);
        return err;
    }
    *data = p;
    *len = w->len;
    hy_writer_init(w, w->alloc);
    return HY_OK;
}

/* Values: checking, encoding into ops, decoding from them, and owned copies. */
#include "store_internal.h"

#include "alloc.h"
#include "try.h"
#include "utf8.h"

#include <string.h>

hy_err store_value_check(const hy_value *v)
{
    switch (v->type) {
    case HY_TYPE_NULL:
    case HY_TYPE_BOOL:
    case HY_TYPE_INT:
    case HY_TYPE_DOUBLE:
        return HY_OK;
    case HY_TYPE_STRING:
        if (v->as.bytes.len && v->as.bytes.data == NULL)
            return HY_E_INVALID_ARG;
        return hy_utf8_valid(v->as.bytes.data, v->as.bytes.len) ? HY_OK : HY_E_INVALID_ARG;
    case HY_TYPE_BYTES:
        return (v->as.bytes.len && v->as.bytes.data == NULL) ? HY_E_INVALID_ARG : HY_OK;
    }
    return HY_E_INVALID_ARG;
}

void store_value_write(hy_writer *w, const hy_value *v)
{
    hy_write_u8(w, (uint8_t)v->type);
    switch (v->type) {
    case HY_TYPE_NULL:
        break;
    case HY_TYPE_BOOL:
        hy_write_u8(w, v->as.boolean ? 1 : 0);
        break;
    case HY_TYPE_INT:
        hy_write_varint(w, hy_zigzag(v->as.integer));
        break;
    case HY_TYPE_DOUBLE: {
        uint64_t bits;
        memcpy(&bits, &v->as.number, sizeof bits);
        hy_write_u64le(w, bits);
        break;
    }
    case HY_TYPE_STRING:
    case HY_TYPE_BYTES:
        hy_write_varint(w, v->as.bytes.len);
        hy_write_bytes(w, v->as.bytes.data, v->as.bytes.len);
        break;
    }
}

hy_err store_value_read(hy_reader *r, hy_value *v)
{
    uint8_t type, b;
    uint64_t u;
    size_t at = r->pos;
    HY_TRY(hy_read_u8(r, &type));
    memset(v, 0, sizeof *v);
    v->type = (hy_type)type;
    switch (type) {
    case HY_TYPE_NULL:
        return HY_OK;
    case HY_TYPE_BOOL:
        HY_TRY(hy_read_u8(r, &b));
        if (b > 1) {
            r->pos--;
            return HY_E_FORMAT;
        }
        v->as.boolean = b;
        return HY_OK;
    case HY_TYPE_INT:
        HY_TRY(hy_read_varint(r, &u));
        v->as.integer = hy_unzigzag(u);
        return HY_OK;
    case HY_TYPE_DOUBLE:
        HY_TRY(hy_read_u64le(r, &u));
        memcpy(&v->as.number, &u, sizeof u);
        return HY_OK;
    case HY_TYPE_STRING:
    case HY_TYPE_BYTES:
        HY_TRY(hy_read_count(r, 1, &v->as.bytes.len));
        HY_TRY(hy_read_view(r, v->as.bytes.len, &v->as.bytes.data));
        if (type == HY_TYPE_STRING && !hy_utf8_valid(v->as.bytes.data, v->as.bytes.len)) {
            r->pos = at;
            return HY_E_FORMAT;
        }
        return HY_OK;
    default:
        r->pos = at;
        return HY_E_FORMAT;
    }
}

hy_err store_value_copy(hy_store *s, const hy_value *in, hy_value *out)
{
    *out = *in;
    if ((in->type == HY_TYPE_STRING || in->type == HY_TYPE_BYTES) && in->as.bytes.len) {
        uint8_t *copy = hy_alloc(&s->alloc, in->as.bytes.len);
        if (copy == NULL)
            return HY_E_NOMEM;
        memcpy(copy, in->as.bytes.data, in->as.bytes.len);
        out->as.bytes.data = copy;
    }
    return HY_OK;
}

void store_value_free(hy_store *s, hy_value *v)
{
    if ((v->type == HY_TYPE_STRING || v->type == HY_TYPE_BYTES) && v->as.bytes.len) {
        uint8_t *owned;
        memcpy(&owned, &v->as.bytes.data, sizeof owned); /* the store's own copy */
        hy_free(&s->alloc, owned, v->as.bytes.len);
    }
    v->type = HY_TYPE_NULL;
}

/* A register entry's bytes: their length (4 bytes, native order), then the bytes. */
#define LEN_BYTES sizeof(uint32_t)

hy_err store_entry_make(hy_store *s, op_id id, const hy_value *value, reg_entry *out)
{
    memset(out, 0, sizeof *out);
    out->counter = id.counter;
    out->actor = id.actor;
    out->type = (uint8_t)value->type;
    switch (value->type) {
    case HY_TYPE_NULL:
        return HY_OK;
    case HY_TYPE_BOOL:
        out->as.integer = value->as.boolean != 0;
        return HY_OK;
    case HY_TYPE_INT:
        out->as.integer = value->as.integer;
        return HY_OK;
    case HY_TYPE_DOUBLE:
        out->as.number = value->as.number;
        return HY_OK;
    case HY_TYPE_STRING:
    case HY_TYPE_BYTES:
        break;
    }
    size_t len = value->as.bytes.len;
    if (len == 0)
        return HY_OK;
    if (len > UINT32_MAX || len > SIZE_MAX - LEN_BYTES)
        return HY_E_TOO_LARGE;
    out->as.bytes = hy_alloc(&s->alloc, LEN_BYTES + len);
    if (out->as.bytes == NULL)
        return HY_E_NOMEM;
    uint32_t len32 = (uint32_t)len;
    memcpy(out->as.bytes, &len32, LEN_BYTES);
    memcpy(out->as.bytes + LEN_BYTES, value->as.bytes.data, len);
    return HY_OK;
}

static size_t entry_bytes_len(const reg_entry *e)
{
    uint32_t len = 0;
    if (e->as.bytes)
        memcpy(&len, e->as.bytes, LEN_BYTES);
    return len;
}

static bool holds_bytes(const reg_entry *e)
{
    return e->type == HY_TYPE_STRING || e->type == HY_TYPE_BYTES;
}

hy_value store_entry_value(const reg_entry *e)
{
    hy_value v;
    memset(&v, 0, sizeof v);
    v.type = (hy_type)e->type;
    if (holds_bytes(e)) {
        v.as.bytes.len = entry_bytes_len(e);
        v.as.bytes.data = e->as.bytes ? e->as.bytes + LEN_BYTES : NULL;
    } else if (e->type == HY_TYPE_BOOL) {
        v.as.boolean = (int)e->as.integer;
    } else if (e->type == HY_TYPE_INT) {
        v.as.integer = e->as.integer;
    } else if (e->type == HY_TYPE_DOUBLE) {
        v.as.number = e->as.number;
    }
    return v;
}

void store_entry_free(hy_store *s, reg_entry *e)
{
    if (holds_bytes(e) && e->as.bytes)
        hy_free(&s->alloc, e->as.bytes, LEN_BYTES + entry_bytes_len(e));
    e->type = HY_TYPE_NULL;
    e->as.bytes = NULL;
}

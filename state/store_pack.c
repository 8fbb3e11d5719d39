/* The record store's packing of saved ops (docs/format.md, "Packed store ops"): changes made
 * only of text edits, which is what typing produces one keystroke at a time, are split into
 * columns (kinds, fields, origins and deleted ids relative to the op's own id, text) whose
 * runs compress to almost nothing; any other change is kept as it is. */
#include "store_internal.h"

#include "alloc.h"
#include "column.h"
#include "deflate.h"
#include "try.h"

#include <string.h>

enum {
    COL_MODE,        /* per change: PACKED or PLAIN */
    COL_ACTORS,      /* per packed change: its actor table's size */
    COL_KIND,        /* per op */
    COL_PATH,        /* per op: a field's number, in order of first use (new: the next) */
    COL_LEFT_REF,    /* per insert: the origin's first varint (0 none, else actor ref + 1) */
    COL_LEFT_DELTA,  /* per left origin: zigzag(own id - its counter): 1 while typing */
    COL_RIGHT_REF,
    COL_RIGHT_DELTA, /* per right origin: zigzag(its counter - the previous right origin's):
                      * 0 while typing, which keeps the same element on the right */
    COL_TEXT_LEN,    /* per insert: its UTF-8 byte count */
    COL_RANGES,      /* per delete: its range count */
    COL_DEL_REF,     /* per range */
    COL_DEL_DELTA,   /* per range: zigzag(first counter - the previous range's): -1 while
                      * backspacing, +1 while deleting forward */
    COL_DEL_N,       /* per range */
    INT_COLUMNS
};
enum { BYTES_PLAIN, BYTES_KEYS, BYTES_PATHS, BYTES_TEXT, BYTE_COLUMNS };
enum { MODE_PACKED = 0, MODE_PLAIN = 1 };
/* Each column is stored as it is or DEFLATE-compressed, whichever is smaller; columns below
 * this size are not worth trying. */
enum { FORM_STORED = 0, FORM_DEFLATED = 1, DEFLATE_MIN = 64 };
/* DEFLATE cannot expand more than 1032 to 1: a claimed size beyond it is a lie. */
#define DEFLATE_MAX_RATIO 1032

/* Ids an insert of these UTF-8 bytes takes: one per code point, counted by lead bytes, so
 * that packer and unpacker agree on any bytes (invalid text changes no state anyway). */
static uint64_t ids_taken(const uint8_t *text, size_t len)
{
    uint64_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += (text[i] & 0xc0) != 0x80;
    return n;
}

/* ---- packing ---- */

typedef struct path_ref {
    size_t at, len; /* in packer.bytes[BYTES_PATHS] */
} path_ref;

/* Counters that later values are relative to, in packing order. */
typedef struct previous {
    uint64_t right, deleted;
} previous;

/* What a counter is stored relative to, for each column that holds counters. */
static uint64_t *base_of(previous *prev, int col, uint64_t *own)
{
    return col == COL_LEFT_DELTA ? own : col == COL_RIGHT_DELTA ? &prev->right : &prev->deleted;
}

/* A counter as stored, and back. Left origins are below own (delta own - counter); the others
 * follow the previous one (delta counter - previous), which then moves to this counter. */
static uint64_t counter_delta(previous *prev, int col, uint64_t own, uint64_t counter)
{
    uint64_t *base = base_of(prev, col, &own);
    int64_t d = col == COL_LEFT_DELTA ? (int64_t)(own - counter) : (int64_t)(counter - *base);
    *base = counter;
    return hy_zigzag(d);
}

static uint64_t counter_of(previous *prev, int col, uint64_t own, uint64_t delta)
{
    uint64_t *base = base_of(prev, col, &own);
    uint64_t d = (uint64_t)hy_unzigzag(delta);
    uint64_t counter = col == COL_LEFT_DELTA ? own - d : *base + d;
    *base = counter;
    return counter;
}

typedef struct packer {
    const hy_allocator *a;
    previous prev;
    hy_vec ints[INT_COLUMNS]; /* uint64_t */
    hy_writer bytes[BYTE_COLUMNS];
    hy_vec paths;             /* path_ref by number */
    hy_table path_numbers;      /* external: path bytes -> number */
} packer;

static const uint8_t *path_bytes(const void *user, uint32_t number, size_t *len)
{
    const packer *p = user;
    const path_ref *ref = &HY_VEC_AT(&p->paths, path_ref, number);
    *len = ref->len;
    return p->bytes[BYTES_PATHS].data + ref->at;
}

static hy_err put_int(packer *p, int col, uint64_t v)
{
    return hy_vec_push(&p->ints[col], p->a, &v);
}

static hy_err put_path(packer *p, const uint8_t *path, size_t len)
{
    uint32_t number;
    if (!hy_table_find(&p->path_numbers, path, len, &number)) {
        number = (uint32_t)p->paths.len;
        hy_writer *w = &p->bytes[BYTES_PATHS];
        path_ref ref = { w->len, len };
        hy_write_bytes(w, path, len);
        HY_TRY(w->err);
        HY_TRY(hy_vec_push(&p->paths, p->a, &ref));
        HY_TRY(hy_table_insert(&p->path_numbers, p->a, number));
    }
    return put_int(p, COL_PATH, number);
}

/* Reads an origin; with p, puts it in its columns. */
static hy_err pack_origin(packer *p, hy_reader *r, uint64_t own, int ref_col)
{
    uint64_t ref, counter = 0;
    HY_TRY(hy_read_varint(r, &ref));
    if (ref)
        HY_TRY(hy_read_varint(r, &counter));
    if (p == NULL)
        return HY_OK;
    HY_TRY(put_int(p, ref_col, ref));
    return ref ? put_int(p, ref_col + 1, counter_delta(&p->prev, ref_col + 1, own, counter))
               : HY_OK;
}

/* Walks the ops of one change; with p NULL it only checks that they can be packed (every op
 * a text insert or delete), otherwise it puts them in the columns. */
static hy_err pack_ops(packer *p, const hy_ops_change *c)
{
    hy_reader r = hy_reader_make(c->ops, c->ops_len);
    size_t actors;
    const uint8_t *keys;
    HY_TRY(hy_read_count(&r, HY_KEY_LEN, &actors));
    HY_TRY(hy_read_view(&r, actors * HY_KEY_LEN, &keys));
    if (p) {
        HY_TRY(put_int(p, COL_ACTORS, actors));
        hy_write_bytes(&p->bytes[BYTES_KEYS], keys, actors * HY_KEY_LEN);
    }
    uint64_t own = c->start_op;
    while (hy_reader_left(&r)) {
        uint8_t kind;
        HY_TRY(hy_read_u8(&r, &kind));
        if (kind != OP_TEXT_INSERT && kind != OP_TEXT_DELETE)
            return HY_E_FORMAT;
        size_t path_at = r.pos;
        for (int i = 0; i < 3; i++) {
            uint8_t len;
            const uint8_t *name;
            HY_TRY(hy_read_u8(&r, &len));
            HY_TRY(hy_read_view(&r, len, &name));
        }
        if (p) {
            HY_TRY(put_int(p, COL_KIND, kind));
            HY_TRY(put_path(p, c->ops + path_at, r.pos - path_at));
        }
        if (kind == OP_TEXT_INSERT) {
            HY_TRY(pack_origin(p, &r, own, COL_LEFT_REF));
            HY_TRY(pack_origin(p, &r, own, COL_RIGHT_REF));
            size_t len;
            const uint8_t *text;
            HY_TRY(hy_read_count(&r, 1, &len));
            HY_TRY(hy_read_view(&r, len, &text));
            if (p) {
                HY_TRY(put_int(p, COL_TEXT_LEN, len));
                hy_write_bytes(&p->bytes[BYTES_TEXT], text, len);
            }
            own += ids_taken(text, len);
            continue;
        }
        size_t ranges;
        HY_TRY(hy_read_count(&r, 3, &ranges));
        if (p)
            HY_TRY(put_int(p, COL_RANGES, ranges));
        for (size_t i = 0; i < ranges; i++) {
            uint64_t ref, first, n;
            HY_TRY(hy_read_varint(&r, &ref));
            HY_TRY(hy_read_varint(&r, &first));
            HY_TRY(hy_read_varint(&r, &n));
            if (p && (put_int(p, COL_DEL_REF, ref) ||
                      put_int(p, COL_DEL_DELTA,
                              counter_delta(&p->prev, COL_DEL_DELTA, own, first)) ||
                      put_int(p, COL_DEL_N, n)))
                return HY_E_NOMEM;
        }
        own++;
    }
    return HY_OK;
}

static hy_err pack_change(packer *p, const hy_ops_change *c)
{
    hy_err err = pack_ops(NULL, c);
    if (err == HY_E_NOMEM)
        return err;
    if (err) {
        HY_TRY(put_int(p, COL_MODE, MODE_PLAIN));
        hy_write_bytes(&p->bytes[BYTES_PLAIN], c->ops, c->ops_len);
        return p->bytes[BYTES_PLAIN].err;
    }
    HY_TRY(put_int(p, COL_MODE, MODE_PACKED));
    return pack_ops(p, c);
}

static void packer_free(packer *p)
{
    for (int i = 0; i < INT_COLUMNS; i++)
        hy_vec_free(&p->ints[i], p->a);
    for (int i = 0; i < BYTE_COLUMNS; i++)
        hy_writer_free(&p->bytes[i]);
    hy_vec_free(&p->paths, p->a);
    hy_table_free(&p->path_numbers, p->a);
}

/* Appends one column's bytes, compressed when that makes them smaller. */
static hy_err write_column(const hy_allocator *a, const hy_writer *column, hy_writer *w)
{
    if (column->len >= DEFLATE_MIN) {
        hy_writer packed;
        hy_writer_init(&packed, *a);
        hy_err err = hy_deflate(a, column->data, column->len, &packed);
        bool smaller = err == HY_OK && packed.len + 8 < column->len;
        if (smaller) {
            hy_write_varint(w, FORM_DEFLATED);
            hy_write_varint(w, column->len);
            hy_write_varint(w, packed.len);
            hy_write_bytes(w, packed.data, packed.len);
        }
        hy_writer_free(&packed);
        if (err == HY_E_NOMEM)
            return err;
        if (smaller)
            return w->err;
    }
    hy_write_varint(w, FORM_STORED);
    hy_write_bytes(w, column->data, column->len);
    return w->err;
}

static hy_err pack(void *user, const hy_allocator *a, const hy_ops_change *changes,
                   size_t count, hy_writer *w)
{
    (void)user;
    packer p;
    p.a = a;
    p.prev = (previous){ 0, 0 };
    for (int i = 0; i < INT_COLUMNS; i++)
        hy_vec_init(&p.ints[i], sizeof(uint64_t));
    for (int i = 0; i < BYTE_COLUMNS; i++)
        hy_writer_init(&p.bytes[i], *a);
    hy_vec_init(&p.paths, sizeof(path_ref));
    /* Paths come from this store's own log, so no peer aims them at one slot. */
    hy_table_init_external(&p.path_numbers, path_bytes, &p, 0);
    hy_err err = HY_OK;
    for (size_t i = 0; err == HY_OK && i < count; i++)
        err = pack_change(&p, &changes[i]);
    for (int i = 0; err == HY_OK && i < BYTE_COLUMNS; i++)
        err = p.bytes[i].err;
    hy_writer column;
    hy_writer_init(&column, *a);
    for (int i = 0; err == HY_OK && i < INT_COLUMNS + BYTE_COLUMNS; i++) {
        column.len = 0;
        if (i < INT_COLUMNS) {
            hy_col_write(&column, p.ints[i].data, p.ints[i].len);
        } else {
            hy_write_varint(&column, p.bytes[i - INT_COLUMNS].len);
            hy_write_bytes(&column, p.bytes[i - INT_COLUMNS].data, p.bytes[i - INT_COLUMNS].len);
        }
        err = column.err ? column.err : write_column(a, &column, w);
    }
    hy_writer_free(&column);
    packer_free(&p);
    return err;
}

/* ---- unpacking ---- */

typedef struct unpacker {
    const hy_allocator *a;
    previous prev;
    hy_col_reader ints[INT_COLUMNS];
    hy_reader bytes[BYTE_COLUMNS];
    hy_vec paths; /* path_view by number */
    hy_writer inflated[INT_COLUMNS + BYTE_COLUMNS]; /* columns that came compressed */
} unpacker;

typedef struct path_view {
    const uint8_t *bytes;
    size_t len;
} path_view;

static hy_err close_packing(void *state, bool check)
{
    unpacker *u = state;
    hy_err err = HY_OK;
    for (int i = 0; check && err == HY_OK && i < INT_COLUMNS; i++)
        err = hy_col_close(&u->ints[i]);
    for (int i = 0; check && err == HY_OK && i < BYTE_COLUMNS; i++)
        err = hy_reader_left(&u->bytes[i]) ? HY_E_FORMAT : HY_OK;
    hy_vec_free(&u->paths, u->a);
    for (int i = 0; i < INT_COLUMNS + BYTE_COLUMNS; i++)
        hy_writer_free(&u->inflated[i]);
    hy_free(u->a, u, sizeof *u);
    return err;
}

/* Column i: *src is r itself when the column is stored as it is, or `inflated` over its
 * decompressed bytes (kept in u). */
static hy_err read_column(unpacker *u, int i, hy_reader *r, hy_reader *inflated,
                          hy_reader **src)
{
    uint64_t form;
    HY_TRY(hy_read_varint(r, &form));
    *src = r;
    if (form == FORM_STORED)
        return HY_OK;
    if (form != FORM_DEFLATED)
        return HY_E_FORMAT;
    uint64_t size;
    size_t packed_len;
    const uint8_t *packed;
    HY_TRY(hy_read_varint(r, &size));
    HY_TRY(hy_read_count(r, 1, &packed_len));
    HY_TRY(hy_read_view(r, packed_len, &packed));
    if (size / DEFLATE_MAX_RATIO > packed_len)
        return HY_E_TOO_LARGE;
    size_t consumed;
    hy_writer *out = &u->inflated[i];
    HY_TRY(hy_inflate(packed, packed_len, out, (size_t)size, &consumed));
    if (consumed != packed_len || out->len != size)
        return HY_E_FORMAT;
    *inflated = hy_reader_make(out->data, out->len);
    *src = inflated;
    return HY_OK;
}

static hy_err open_packing(void *user, const hy_allocator *a, const uint8_t *data, size_t len,
                           void **state)
{
    (void)user;
    unpacker *u = hy_alloc_zero(a, 1, sizeof *u);
    if (u == NULL)
        return HY_E_NOMEM;
    u->a = a;
    hy_vec_init(&u->paths, sizeof(path_view));
    for (int i = 0; i < INT_COLUMNS + BYTE_COLUMNS; i++)
        hy_writer_init(&u->inflated[i], *a);
    hy_reader r = hy_reader_make(data, len);
    hy_err err = HY_OK;
    for (int i = 0; err == HY_OK && i < INT_COLUMNS + BYTE_COLUMNS; i++) {
        hy_reader inflated, *column;
        err = read_column(u, i, &r, &inflated, &column);
        if (err == HY_OK && i < INT_COLUMNS)
            err = hy_col_open(&u->ints[i], column);
        if (err == HY_OK && i >= INT_COLUMNS) {
            size_t n;
            const uint8_t *bytes;
            err = hy_read_count(column, 1, &n);
            if (err == HY_OK)
                err = hy_read_view(column, n, &bytes);
            if (err == HY_OK)
                u->bytes[i - INT_COLUMNS] = hy_reader_make(bytes, n);
        }
        /* A compressed column holds exactly one column. */
        if (err == HY_OK && column == &inflated && hy_reader_left(column))
            err = HY_E_FORMAT;
    }
    if (err == HY_OK && hy_reader_left(&r))
        err = HY_E_FORMAT;
    if (err) {
        close_packing(u, false);
        return err;
    }
    *state = u;
    return HY_OK;
}

static hy_err take_int(unpacker *u, int col, uint64_t *v)
{
    return hy_col_next(&u->ints[col], v);
}

static hy_err unpack_path(unpacker *u, hy_writer *out)
{
    uint64_t number;
    HY_TRY(take_int(u, COL_PATH, &number));
    if (number > u->paths.len)
        return HY_E_FORMAT;
    if (number == u->paths.len) {
        hy_reader *r = &u->bytes[BYTES_PATHS];
        size_t at = r->pos;
        for (int i = 0; i < 3; i++) {
            uint8_t len;
            const uint8_t *name;
            HY_TRY(hy_read_u8(r, &len));
            HY_TRY(hy_read_view(r, len, &name));
        }
        path_view v = { r->data + at, r->pos - at };
        HY_TRY(hy_vec_push(&u->paths, u->a, &v));
    }
    const path_view *v = &HY_VEC_AT(&u->paths, path_view, number);
    hy_write_bytes(out, v->bytes, v->len);
    return HY_OK;
}

static hy_err unpack_origin(unpacker *u, hy_writer *out, uint64_t own, int ref_col)
{
    uint64_t ref, delta;
    HY_TRY(take_int(u, ref_col, &ref));
    hy_write_varint(out, ref);
    if (ref == 0)
        return HY_OK;
    HY_TRY(take_int(u, ref_col + 1, &delta));
    hy_write_varint(out, counter_of(&u->prev, ref_col + 1, own, delta));
    return HY_OK;
}

/* Appends one op; the change's ops must end at `end` in out. */
static hy_err unpack_op(unpacker *u, hy_writer *out, size_t end, uint64_t *own)
{
    uint64_t kind;
    HY_TRY(take_int(u, COL_KIND, &kind));
    if (kind != OP_TEXT_INSERT && kind != OP_TEXT_DELETE)
        return HY_E_FORMAT;
    hy_write_u8(out, (uint8_t)kind);
    HY_TRY(unpack_path(u, out));
    if (kind == OP_TEXT_INSERT) {
        HY_TRY(unpack_origin(u, out, *own, COL_LEFT_REF));
        HY_TRY(unpack_origin(u, out, *own, COL_RIGHT_REF));
        uint64_t len;
        const uint8_t *text;
        HY_TRY(take_int(u, COL_TEXT_LEN, &len));
        if (len > hy_reader_left(&u->bytes[BYTES_TEXT]))
            return HY_E_TRUNCATED;
        HY_TRY(hy_read_view(&u->bytes[BYTES_TEXT], (size_t)len, &text));
        hy_write_varint(out, len);
        hy_write_bytes(out, text, (size_t)len);
        *own += ids_taken(text, (size_t)len);
        return HY_OK;
    }
    uint64_t ranges;
    HY_TRY(take_int(u, COL_RANGES, &ranges));
    hy_write_varint(out, ranges);
    for (uint64_t i = 0; i < ranges; i++) {
        uint64_t ref, delta, n;
        HY_TRY(take_int(u, COL_DEL_REF, &ref));
        HY_TRY(take_int(u, COL_DEL_DELTA, &delta));
        HY_TRY(take_int(u, COL_DEL_N, &n));
        hy_write_varint(out, ref);
        hy_write_varint(out, counter_of(&u->prev, COL_DEL_DELTA, *own, delta));
        hy_write_varint(out, n);
        if (out->len > end) /* a repeated group must not make a huge op */
            return HY_E_FORMAT;
    }
    (*own)++;
    return HY_OK;
}

static hy_err unpack_next(void *state, const hy_ops_change *c, hy_writer *out)
{
    unpacker *u = state;
    uint64_t mode;
    HY_TRY(take_int(u, COL_MODE, &mode));
    const uint8_t *bytes;
    if (mode == MODE_PLAIN) {
        HY_TRY(hy_read_view(&u->bytes[BYTES_PLAIN], c->ops_len, &bytes));
        hy_write_bytes(out, bytes, c->ops_len);
        return out->err;
    }
    if (mode != MODE_PACKED)
        return HY_E_FORMAT;
    uint64_t actors;
    HY_TRY(take_int(u, COL_ACTORS, &actors));
    if (actors > c->ops_len / HY_KEY_LEN)
        return HY_E_FORMAT;
    HY_TRY(hy_read_view(&u->bytes[BYTES_KEYS], (size_t)actors * HY_KEY_LEN, &bytes));
    size_t start = out->len;
    hy_write_varint(out, actors);
    hy_write_bytes(out, bytes, (size_t)actors * HY_KEY_LEN);
    /* Every op writes bytes, so the length the log expects bounds the loop. */
    uint64_t own = c->start_op;
    while (out->err == HY_OK && out->len - start < c->ops_len)
        HY_TRY(unpack_op(u, out, start + c->ops_len, &own));
    HY_TRY(out->err);
    return out->len - start == c->ops_len ? HY_OK : HY_E_FORMAT;
}

const hy_ops_codec store_ops_codec = { pack, open_packing, unpack_next, close_packing, NULL };

#include "column.h"

#include "try.h"

static size_t run_end(const uint64_t *values, size_t i, size_t n)
{
    size_t j = i + 1;
    while (j < n && values[j] == values[i])
        j++;
    return j;
}

static void write_groups(hy_writer *w, const uint64_t *values, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t j = run_end(values, i, n);
        if (j - i >= 2) {
            hy_write_varint(w, hy_zigzag((int64_t)(j - i)));
            hy_write_varint(w, values[i]);
            i = j;
            continue;
        }
        /* A literal group runs until the next repeat of two or more. */
        size_t end = j;
        while (end < n && run_end(values, end, n) - end < 2)
            end++;
        hy_write_varint(w, hy_zigzag(-(int64_t)(end - i)));
        for (; i < end; i++)
            hy_write_varint(w, values[i]);
    }
}

static void write_plain(hy_writer *w, const uint64_t *values, size_t n)
{
    for (size_t i = 0; i < n; i++)
        hy_write_varint(w, values[i]);
}

/* Encodes into a scratch writer to learn the length, then writes it with its length
 * prefix: columns are small next to the data they describe. */
static void write_prefixed(hy_writer *w, const uint64_t *values, size_t n,
                           void (*encode)(hy_writer *, const uint64_t *, size_t))
{
    hy_writer body;
    hy_writer_init(&body, w->alloc);
    encode(&body, values, n);
    if (body.err && w->err == HY_OK)
        w->err = body.err;
    hy_write_varint(w, body.len);
    hy_write_bytes(w, body.data, body.len);
    hy_writer_free(&body);
}

void hy_col_write(hy_writer *w, const uint64_t *values, size_t n)
{
    write_prefixed(w, values, n, write_groups);
}

void hy_col_write_plain(hy_writer *w, const uint64_t *values, size_t n)
{
    write_prefixed(w, values, n, write_plain);
}

hy_err hy_col_open(hy_col_reader *c, hy_reader *outer)
{
    size_t len;
    const uint8_t *bytes;
    HY_TRY(hy_read_count(outer, 1, &len));
    HY_TRY(hy_read_view(outer, len, &bytes));
    c->r = hy_reader_make(bytes, len);
    c->base = outer->pos - len;
    c->left = 0;
    c->literal = false;
    return HY_OK;
}

hy_err hy_col_next(hy_col_reader *c, uint64_t *out)
{
    if (c->left == 0) {
        size_t at = c->r.pos;
        uint64_t header;
        HY_TRY(hy_read_varint(&c->r, &header));
        int64_t n = hy_unzigzag(header);
        /* Canonical groups only: no repeat of fewer than two, no empty group, no two literal
         * groups in a row. */
        if (n == 0 || n == 1 || (n < 0 && c->literal)) {
            c->r.pos = at;
            return HY_E_FORMAT;
        }
        c->literal = n < 0;
        c->left = n < 0 ? (uint64_t)(-(n + 1)) + 1 : (uint64_t)n;
        if (!c->literal)
            HY_TRY(hy_read_varint(&c->r, &c->value));
    }
    if (c->literal)
        HY_TRY(hy_read_varint(&c->r, &c->value));
    c->left--;
    *out = c->value;
    return HY_OK;
}

hy_err hy_col_close(const hy_col_reader *c)
{
    return (c->left == 0 && hy_reader_left(&c->r) == 0) ? HY_OK : HY_E_FORMAT;
}

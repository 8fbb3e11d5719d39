/* Columns of unsigned integers, run-length encoded (docs/format.md, "Columns"): a column is a
 * varint byte length and groups; a group header is a zigzag varint n, n >= 2 meaning "the
 * next varint, n times" and n < 0 meaning "-n varints follow, one value each". */
#ifndef HY_COLUMN_H
#define HY_COLUMN_H

#include "bytes.h"

/* Appends values[0..n) as one length-prefixed RLE column. */
void hy_col_write(hy_writer *w, const uint64_t *values, size_t n);
/* Appends values[0..n) as one length-prefixed plain column: one varint per value, so that
 * every value costs at least one byte of input. */
void hy_col_write_plain(hy_writer *w, const uint64_t *values, size_t n);

typedef struct hy_col_reader {
    hy_reader r;       /* over the column's bytes only */
    size_t base;       /* offset of the column's first byte in the whole input */
    uint64_t value;
    uint64_t left;     /* values left in the current group */
    bool literal;
} hy_col_reader;

/* Takes the next length-prefixed column from outer. */
hy_err hy_col_open(hy_col_reader *c, hy_reader *outer);
hy_err hy_col_next(hy_col_reader *c, uint64_t *out);
/* HY_E_FORMAT unless every value of the column has been read. */
hy_err hy_col_close(const hy_col_reader *c);
/* Where in the whole input the reader stands (for error offsets). */
static inline size_t hy_col_offset(const hy_col_reader *c) { return c->base + c->r.pos; }

#endif

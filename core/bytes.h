/* Byte reader and writer: bounds-checked reads of hostile input, growable output.
 *
 * Integers are unsigned LEB128 varints (canonical only) or explicit little-endian. A failed
 * read leaves the reader where it was, so r->pos is the byte offset of the bad value. */
#ifndef HY_BYTES_H
#define HY_BYTES_H

#include "hypha.h"

#include <stdbool.h>

#define HY_VARINT_MAX_LEN 10

typedef struct hy_reader {
    const uint8_t *data;
    size_t len;
    size_t pos;
} hy_reader;

static inline hy_reader hy_reader_make(const void *data, size_t len)
{
    hy_reader r = { (const uint8_t *)data, len, 0 };
    return r;
}

static inline size_t hy_reader_left(const hy_reader *r) { return r->len - r->pos; }

hy_err hy_read_u8(hy_reader *r, uint8_t *out);
hy_err hy_read_u32le(hy_reader *r, uint32_t *out);
hy_err hy_read_u64le(hy_reader *r, uint64_t *out);
/* Copies n bytes into out. */
hy_err hy_read_copy(hy_reader *r, void *out, size_t n);
/* Points *out at the next n bytes of the input (no copy). */
hy_err hy_read_view(hy_reader *r, size_t n, const uint8_t **out);
/* Canonical LEB128: HY_E_VARINT when over-long (a redundant 0x80/0x00 tail) or over 64 bits. */
hy_err hy_read_varint(hy_reader *r, uint64_t *out);
/* A varint that must be <= max; HY_E_TOO_LARGE otherwise. */
hy_err hy_read_varint_max(hy_reader *r, uint64_t max, uint64_t *out);
/* A count of items each taking at least min_item_bytes of the remaining input: HY_E_TOO_LARGE
 * when the input could not hold that many, so no allocation is ever sized by a lie. */
hy_err hy_read_count(hy_reader *r, size_t min_item_bytes, size_t *out);

/* Zigzag maps signed to unsigned so small magnitudes get short varints. */
static inline uint64_t hy_zigzag(int64_t v)
{
    return ((uint64_t)v << 1) ^ (v < 0 ? UINT64_MAX : 0);
}
static inline int64_t hy_unzigzag(uint64_t v)
{
    return (v & 1) ? -(int64_t)(v >> 1) - 1 : (int64_t)(v >> 1);
}

size_t hy_varint_len(uint64_t v);
/* Writes v into buf (at least HY_VARINT_MAX_LEN bytes); returns the length. */
size_t hy_varint_put(uint8_t *buf, uint64_t v);

/* A growable output buffer with a sticky error: after the first failure every write is a
 * no-op, so encoders check once at the end. */
typedef struct hy_writer {
    hy_allocator alloc;
    uint8_t *data;
    size_t len;
    size_t cap;
    hy_err err;
} hy_writer;

void hy_writer_init(hy_writer *w, hy_allocator alloc);
void hy_writer_free(hy_writer *w);
/* Makes room for n more bytes; returns a pointer to them (NULL after an error). The caller
 * writes them and then calls hy_writer_advance. */
uint8_t *hy_writer_reserve(hy_writer *w, size_t n);
static inline void hy_writer_advance(hy_writer *w, size_t n) { w->len += n; }
void hy_write_u8(hy_writer *w, uint8_t v);
void hy_write_u32le(hy_writer *w, uint32_t v);
void hy_write_u64le(hy_writer *w, uint64_t v);
void hy_write_bytes(hy_writer *w, const void *p, size_t n);
void hy_write_varint(hy_writer *w, uint64_t v);
/* Hands the buffer, shrunk to its length, to the caller (free with hy_free(alloc, data, len);
 * data is NULL when len is 0) and resets w. On a sticky error, frees it and returns the error. */
hy_err hy_writer_take(hy_writer *w, uint8_t **data, size_t *len);

void hy_store_u32le(uint8_t *p, uint32_t v);
void hy_store_u64le(uint8_t *p, uint64_t v);
/* Inline: hash functions load a word per 8 bytes of key (compilers make this one load). */
static inline uint32_t hy_load_u32le(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t hy_load_u64le(const uint8_t *p)
{
    return (uint64_t)hy_load_u32le(p) | (uint64_t)hy_load_u32le(p + 4) << 32;
}

#endif

/* A strict streaming JSON reader (RFC 8259) for files we do not trust, such as editing
 * traces. It pulls the input through a refill callback, so a large or compressed file is
 * read in bounded buffers; it never recurses, and nesting deeper than JSON_MAX_DEPTH is an
 * error; strings come out as Unicode code points, after their UTF-8 and their escapes
 * (surrogate pairs included) have been checked.
 *
 * The reader is pulled by a schema: the caller asks for the value it expects next (an
 * object, an integer, a string) and skips what it does not know. The first error stops
 * everything: every later call returns false, and r->message says what and r->error_offset
 * where. */
#ifndef HY_JSON_H
#define HY_JSON_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "hypha.h"
#include "vec.h"

/* Deep enough for any document we read, shallow enough that a depth bit per level fits a
 * uint64_t. */
#define JSON_MAX_DEPTH 64
#define JSON_MESSAGE_LEN 200
/* error_offset of an error about the document as a whole rather than a place in it. */
#define JSON_NO_OFFSET UINT64_MAX

typedef enum json_type {
    JSON_NONE, /* the end of the input, or a byte that starts no value */
    JSON_OBJECT,
    JSON_ARRAY,
    JSON_STRING,
    JSON_NUMBER,
    JSON_TRUE,
    JSON_FALSE,
    JSON_NULL,
} json_type;

/* Points *data at the next *len bytes of the input (*len == 0 at its end) and returns HY_OK;
 * or returns why the input could not be read (HY_E_IO, HY_E_TRUNCATED, ...) after writing
 * it to message. */
typedef hy_err (*json_refill_fn)(void *source, const uint8_t **data, size_t *len,
                                 char *message, size_t message_len);

typedef struct json_reader {
    const uint8_t *next;    /* the unread part of the current window: [next, end) */
    const uint8_t *end;
    const uint8_t *window;  /* the current window's first byte */
    uint64_t window_offset; /* its offset in the input */
    uint64_t max_bytes;     /* inputs longer than this are refused */
    json_refill_fn refill;  /* NULL once the input has ended */
    void *source;
    hy_allocator alloc;     /* for the strings read into hy_vecs */
    hy_err error;           /* HY_OK until the first failure */
    uint64_t error_offset;  /* the input offset where it was noticed */
    char message[JSON_MESSAGE_LEN];
} json_reader;

/* Reads what refill supplies, refusing inputs longer than max_bytes (HY_E_TOO_LARGE). */
void json_reader_init(json_reader *r, json_refill_fn refill, void *source, uint64_t max_bytes,
                      hy_allocator alloc);
/* Reads len bytes in memory. */
void json_reader_init_memory(json_reader *r, const uint8_t *data, size_t len,
                             hy_allocator alloc);

/* Records the first error: code, the current offset and the formatted message. Returns false,
 * so that callers can write `return json_fail(...)`. */
bool json_fail(json_reader *r, hy_err code, const char *format, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
bool json_vfail(json_reader *r, hy_err code, const char *format, va_list ap)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 0)))
#endif
    ;

/* The type of the next value, after skipping whitespace; consumes nothing else. */
json_type json_peek(json_reader *r);
/* "an object", "a string", ...; "no value" for JSON_NONE. */
const char *json_type_name(json_type type);
/* true when the next value has this type; otherwise fails with "expected X, found Y". */
bool json_expect(json_reader *r, json_type type);

/* Walks the members of an object or the elements of an array:
 *     json_iter it;
 *     json_object_begin(r, &it);
 *     while (json_object_next(r, &it, &key)) { read or skip the value }
 *     if (r->error) ...
 * The _next calls return false at the end of the container and after any error. */
typedef struct json_iter {
    bool open;  /* the opening bracket was read and the closing one not yet */
    bool first; /* no member or element has been read yet */
} json_iter;

bool json_object_begin(json_reader *r, json_iter *it);
/* Reads the next key into key (replacing its content; code points) and the colon after it. */
bool json_object_next(json_reader *r, json_iter *it, hy_vec *key);
bool json_array_begin(json_reader *r, json_iter *it);
bool json_array_next(json_reader *r, json_iter *it);

/* true when key (code points, as json_object_next leaves it) spells the ASCII name. */
bool json_key_is(const hy_vec *key, const char *name);

/* Reads a string, appending its code points to out (a hy_vec of uint32_t), or only checking
 * it when out is NULL. */
bool json_read_string(json_reader *r, hy_vec *out);
/* Reads a number that must be an integer (no fraction, no exponent) within int64_t. */
bool json_read_integer(json_reader *r, int64_t *value);
/* Reads and checks any value, without keeping it. */
bool json_skip_value(json_reader *r);
/* Checks that only whitespace follows. */
bool json_expect_end(json_reader *r);

#endif

/* Text fields: the public edits and reads, in code points, over the sequence CRDT, and the
 * conversion of positions to and from UTF-16 code units. */
#include "store_internal.h"

#include "alloc.h"
#include "try.h"
#include "utf8.h"

#include <string.h>

static hy_err insert_in_txn(hy_store *s, const char *c, const char *k, const char *name,
                            size_t pos, const char *utf8, size_t len)
{
    if (len == 0)
        return HY_OK;
    if (utf8 == NULL || !hy_utf8_valid((const uint8_t *)utf8, len))
        return HY_E_INVALID_ARG;
    uint32_t index;
    HY_TRY(store_field(s, c, k, name, OP_TEXT_INSERT, &index));
    hy_seq *seq;
    HY_TRY(store_seq_for_edit(s, index, FIELD_TEXT, &seq));
    HY_TRY(hy_vec_reserve(&s->code_points, &s->alloc, len));
    size_t n = hy_utf8_decode((const uint8_t *)utf8, len, s->code_points.data);
    HY_TRY(store_seq_insert(s, index, FIELD_TEXT, seq, pos, s->code_points.data, n));
    hy_write_varint(&s->txn_body, len);
    hy_write_bytes(&s->txn_body, utf8, len);
    HY_TRY(store_body_written(s));
    store_note_text(s, index, HY_PATCH_TEXT_INSERT, pos, n, s->code_points.data);
    return HY_OK;
}

hy_err hy_text_insert(hy_store *s, const char *c, const char *k, const char *name, size_t pos,
                      const char *utf8, size_t len)
{
    EDIT(s, insert_in_txn(s, c, k, name, pos, utf8, len));
}

hy_err hy_text_delete(hy_store *s, const char *c, const char *k, const char *name, size_t pos,
                      size_t n)
{
    EDIT(s, store_seq_delete(s, c, k, name, OP_TEXT_DELETE, FIELD_TEXT, pos, n));
}

/* The field's text for reading: NULL (empty) when never written. */
static hy_err text_for_read(hy_store *s, const char *c, const char *k, const char *name,
                            const hy_seq **seq)
{
    const field *f;
    HY_TRY(store_field_of_kind(s, c, k, name, FIELD_TEXT, &f));
    *seq = f ? store_field_more(f)->text : NULL;
    return HY_OK;
}

hy_err hy_text_len(hy_store *s, const char *c, const char *k, const char *name, size_t *out)
{
    const hy_seq *seq;
    if (out == NULL)
        return HY_E_INVALID_ARG;
    HY_TRY(text_for_read(s, c, k, name, &seq));
    *out = seq ? hy_seq_len(seq) : 0;
    return HY_OK;
}

hy_err hy_text_read(hy_store *s, const char *c, const char *k, const char *name, char *buf,
                    size_t cap, size_t *len)
{
    const hy_seq *seq;
    if (len == NULL || (cap && buf == NULL))
        return HY_E_INVALID_ARG;
    HY_TRY(text_for_read(s, c, k, name, &seq));
    size_t n = seq ? hy_seq_len(seq) : 0, bytes = 0, done = 0;
    uint32_t chunk[256];
    /* Reads in chunks: the text may be far larger than any scratch buffer. */
    while (done < n) {
        size_t got = hy_seq_read(seq, done, chunk, sizeof chunk / sizeof chunk[0]);
        for (size_t i = 0; i < got; i++) {
            uint8_t enc[4];
            size_t w = hy_utf8_encode(chunk[i], enc);
            if (bytes + w <= cap)
                memcpy(buf + bytes, enc, w);
            bytes += w;
        }
        done += got;
    }
    *len = bytes;
    return bytes > cap ? HY_E_TOO_LARGE : HY_OK;
}

hy_err hy_text_len_utf16(hy_store *s, const char *c, const char *k, const char *name,
                        size_t *out)
{
    const hy_seq *seq;
    if (out == NULL)
        return HY_E_INVALID_ARG;
    HY_TRY(text_for_read(s, c, k, name, &seq));
    *out = seq ? hy_seq_len_utf16(seq) : 0;
    return HY_OK;
}

/* Converts a position in the field's text with convert; a field never written is empty. */
static hy_err convert_pos(hy_store *s, const char *c, const char *k, const char *name,
                          size_t in, size_t *out,
                          hy_err (*convert)(const hy_seq *, size_t, size_t *))
{
    const hy_seq *seq;
    if (out == NULL)
        return HY_E_INVALID_ARG;
    HY_TRY(text_for_read(s, c, k, name, &seq));
    if (seq)
        return convert(seq, in, out);
    if (in > 0)
        return HY_E_INVALID_ARG;
    *out = 0;
    return HY_OK;
}

hy_err hy_text_pos_from_utf16(hy_store *s, const char *c, const char *k, const char *name,
                              size_t utf16, size_t *pos)
{
    return convert_pos(s, c, k, name, utf16, pos, hy_seq_pos_from_utf16);
}

hy_err hy_text_pos_to_utf16(hy_store *s, const char *c, const char *k, const char *name,
                            size_t pos, size_t *utf16)
{
    return convert_pos(s, c, k, name, pos, utf16, hy_seq_pos_to_utf16);
}

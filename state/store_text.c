/* Text fields: the public edits and reads, in code points, over the sequence CRDT. */
#include "store_internal.h"

#include "alloc.h"
#include "try.h"
#include "utf8.h"

#include <string.h>

/* The text field for a local edit, refusing fields of another type. */
static hy_err text_for_edit(hy_store *s, uint32_t index, hy_seq **seq)
{
    field *f = store_field_at(s, index);
    if (f->kind == FIELD_COUNTER || f->kind == FIELD_SET ||
        (f->kind == FIELD_REGISTER && f->entries.len))
        return HY_E_INVALID_ARG;
    return store_text_of(s, index, seq);
}

hy_err store_push_rebuild_undo(hy_store *s, uint32_t index)
{
    undo u;
    memset(&u, 0, sizeof u);
    u.field = index;
    u.kind = store_field_at(s, index)->kind;
    u.kind_id = store_field_at(s, index)->kind_id;
    u.rebuild = true;
    hy_vec_init(&u.removed, sizeof(reg_entry));
    return hy_vec_push(&s->undo, &s->alloc, &u);
}

static void set_text_kind(hy_store *s, uint32_t index, op_id id)
{
    field *f = store_field_at(s, index);
    f->kind = FIELD_TEXT;
    f->kind_id = id;
}

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
    HY_TRY(text_for_edit(s, index, &seq));
    if (pos > hy_seq_len(seq))
        return HY_E_INVALID_ARG;
    HY_TRY(hy_vec_reserve(&s->code_points, &s->alloc, len));
    size_t n = hy_utf8_decode((const uint8_t *)utf8, len, s->code_points.data);
    HY_TRY(store_push_rebuild_undo(s, index));
    op_id id = store_next_local_ids(s, n);
    hy_seq_op op;
    hy_id first = { id.actor, id.counter };
    hy_err err = hy_seq_insert(seq, pos, first, s->code_points.data, n, &op);
    if (err) {
        s->undo.len--;
        return err;
    }
    set_text_kind(s, index, id);
    if (store_write_origin(s, op.origin_left) || store_write_origin(s, op.origin_right)) {
        s->txn_broken = true; /* the state has the insert, the body cannot: undo it all */
        return HY_E_NOMEM;
    }
    hy_write_varint(&s->txn_body, len);
    hy_write_bytes(&s->txn_body, utf8, len);
    if (s->txn_body.err) {
        s->txn_broken = true;
        return s->txn_body.err;
    }
    store_note_text(s, index, HY_PATCH_TEXT_INSERT, pos, n, s->code_points.data);
    return HY_OK;
}

static hy_err delete_in_txn(hy_store *s, const char *c, const char *k, const char *name,
                            size_t pos, size_t n)
{
    if (n == 0)
        return HY_OK;
    uint32_t index;
    HY_TRY(store_field(s, c, k, name, OP_TEXT_DELETE, &index));
    hy_seq *seq;
    HY_TRY(text_for_edit(s, index, &seq));
    if (pos > hy_seq_len(seq) || n > hy_seq_len(seq) - pos)
        return HY_E_INVALID_ARG;
    HY_TRY(store_push_rebuild_undo(s, index));
    hy_vec ranges;
    hy_vec_init(&ranges, sizeof(hy_seq_range));
    hy_err err = hy_seq_delete(seq, pos, n, &ranges);
    if (err) {
        s->undo.len--;
        hy_vec_free(&ranges, &s->alloc);
        return err;
    }
    op_id id = store_next_local_id(s);
    set_text_kind(s, index, id);
    hy_write_varint(&s->txn_body, ranges.len);
    for (size_t i = 0; i < ranges.len && err == HY_OK; i++) {
        const hy_seq_range *r = hy_vec_at(&ranges, i);
        op_id first = { r->first.actor, r->first.counter };
        err = store_write_pred(s, first);
        hy_write_varint(&s->txn_body, r->n);
    }
    hy_vec_free(&ranges, &s->alloc);
    if (err || s->txn_body.err) {
        s->txn_broken = true; /* the state has the delete, the body cannot: undo it all */
        return HY_E_NOMEM;
    }
    store_note_text(s, index, HY_PATCH_TEXT_DELETE, pos, n, NULL);
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
    EDIT(s, delete_in_txn(s, c, k, name, pos, n));
}

/* The field's text for reading: NULL (empty) when never written. */
static hy_err text_for_read(hy_store *s, const char *c, const char *k, const char *name,
                            const hy_seq **seq)
{
    const field *f;
    HY_TRY(store_field_of_kind(s, c, k, name, FIELD_TEXT, &f));
    *seq = f ? f->text : NULL;
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

hy_err store_rebuild_field(hy_store *s, uint32_t index)
{
    field *f = store_field_at(s, index);
    hy_seq_free(f->text);
    f->text = NULL;
    store_set_free(s, f);
    f->kind = FIELD_NONE;
    f->kind_id.actor = 0;
    f->kind_id.counter = 0;
    s->only_field = index;
    hy_err err = HY_OK;
    for (uint32_t i = 0; err == HY_OK && i < hy_log_count(s->log); i++) {
        hy_log_entry e;
        hy_log_get(s->log, i, &e);
        err = store_apply_change(s, &e);
        if (err != HY_E_NOMEM)
            err = HY_OK; /* a change whose ops never applied stays so */
    }
    s->only_field = UINT32_MAX;
    return err;
}

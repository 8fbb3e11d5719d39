/* Frames and the fixed-layout messages. SYNC, CHANGES and NEED bodies that depend on the log
 * are assembled by the session (session_sync.c) with msg_frame_header. */
#include "messages.h"

#include "try.h"
#include "utf8.h"

#include <string.h>

hy_err msg_next_frame(hy_reader *r, size_t max_frame, msg_frame *out)
{
    HY_TRY(hy_read_u8(r, &out->type));
    uint64_t len;
    size_t at = r->pos;
    HY_TRY(hy_read_varint(r, &len));
    if (len > max_frame) {
        r->pos = at;
        return HY_E_TOO_LARGE;
    }
    out->len = (size_t)len;
    return hy_read_view(r, out->len, &out->payload);
}

void msg_frame_header(hy_writer *w, uint8_t type, size_t len)
{
    hy_write_u8(w, type);
    hy_write_varint(w, len);
}

/* A decoded payload must use every byte: trailing bytes would be a second spelling. */
static hy_err finish(const hy_reader *r)
{
    return hy_reader_left(r) ? HY_E_FORMAT : HY_OK;
}

size_t msg_hello_payload(uint8_t *out, const uint8_t node_key[HY_KEY_LEN],
                         const uint8_t nonce[HY_NONCE_LEN], const uint8_t store_id[HY_HASH_LEN])
{
    size_t n = hy_varint_put(out, PROTOCOL_VERSION);
    memcpy(out + n, node_key, HY_KEY_LEN);
    memcpy(out + n + HY_KEY_LEN, nonce, HY_NONCE_LEN);
    memcpy(out + n + HY_KEY_LEN + HY_NONCE_LEN, store_id, HY_HASH_LEN);
    return n + HY_KEY_LEN + HY_NONCE_LEN + HY_HASH_LEN;
}

void msg_write_hello(hy_writer *w, const uint8_t payload[HELLO_MAX_LEN], size_t len)
{
    msg_frame_header(w, MSG_HELLO, len);
    hy_write_bytes(w, payload, len);
}

hy_err msg_read_hello(const msg_frame *f, msg_hello *out)
{
    hy_reader r = hy_reader_make(f->payload, f->len);
    uint64_t version;
    HY_TRY(hy_read_varint(&r, &version));
    if (version != PROTOCOL_VERSION)
        return HY_E_VERSION;
    HY_TRY(hy_read_view(&r, HY_KEY_LEN, &out->node_key));
    HY_TRY(hy_read_view(&r, HY_NONCE_LEN, &out->nonce));
    HY_TRY(hy_read_view(&r, HY_HASH_LEN, &out->store_id));
    return finish(&r);
}

hy_err msg_read_auth(const msg_frame *f, const uint8_t **sig)
{
    hy_reader r = hy_reader_make(f->payload, f->len);
    HY_TRY(hy_read_view(&r, HY_SIG_LEN, sig));
    return finish(&r);
}

/* count hashes, strictly ascending (so unique), at most MAX_HASHES. */
static hy_err read_hashes(hy_reader *r, size_t *count, const uint8_t **hashes)
{
    HY_TRY(hy_read_count(r, HY_HASH_LEN, count));
    if (*count > MAX_HASHES)
        return HY_E_TOO_LARGE;
    HY_TRY(hy_read_view(r, *count * HY_HASH_LEN, hashes));
    for (size_t i = 1; i < *count; i++)
        if (memcmp(*hashes + (i - 1) * HY_HASH_LEN, *hashes + i * HY_HASH_LEN, HY_HASH_LEN) >= 0)
            return HY_E_FORMAT;
    return HY_OK;
}

static hy_err read_flags(hy_reader *r, uint8_t allowed, uint8_t *flags)
{
    HY_TRY(hy_read_u8(r, flags));
    return (*flags & ~allowed) ? HY_E_FORMAT : HY_OK;
}

hy_err msg_read_sync(const msg_frame *f, msg_sync *out)
{
    hy_reader r = hy_reader_make(f->payload, f->len);
    HY_TRY(read_flags(&r, SYNC_REPLY, &out->flags));
    HY_TRY(read_hashes(&r, &out->head_count, &out->heads));
    HY_TRY(hy_read_count(&r, VV_ENTRY_MIN, &out->vv_count));
    size_t vv_at = r.pos;
    for (size_t i = 0; i < out->vv_count; i++) {
        const uint8_t *key;
        uint64_t seq;
        HY_TRY(hy_read_view(&r, HY_KEY_LEN, &key));
        HY_TRY(hy_read_varint_max(&r, UINT32_MAX, &seq));
        if (seq == 0)
            return HY_E_FORMAT;
    }
    out->vv = hy_reader_make(f->payload + vv_at, r.pos - vv_at);
    return finish(&r);
}

void msg_sync_vv_next(msg_sync *s, const uint8_t **key, uint64_t *seq)
{
    /* Checked by msg_read_sync: these reads cannot fail. */
    (void)hy_read_view(&s->vv, HY_KEY_LEN, key);
    (void)hy_read_varint(&s->vv, seq);
}

hy_err msg_read_changes(const msg_frame *f, uint8_t *flags, const uint8_t **data, size_t *len)
{
    hy_reader r = hy_reader_make(f->payload, f->len);
    HY_TRY(read_flags(&r, CHANGES_FINAL, flags));
    *len = hy_reader_left(&r);
    *data = f->payload + r.pos;
    return HY_OK;
}

hy_err msg_read_need(const msg_frame *f, msg_need *out)
{
    hy_reader r = hy_reader_make(f->payload, f->len);
    HY_TRY(read_hashes(&r, &out->hash_count, &out->hashes));
    HY_TRY(hy_read_u8(&r, &out->bloom_k));
    if (out->bloom_k > HY_HASH_LEN / 4)
        return HY_E_FORMAT;
    HY_TRY(hy_read_count(&r, 1, &out->bloom_len));
    if (out->bloom_len > MAX_BLOOM)
        return HY_E_TOO_LARGE;
    HY_TRY(hy_read_view(&r, out->bloom_len, &out->bloom));
    return finish(&r);
}

hy_err msg_read_error(const msg_frame *f, uint64_t *code, const uint8_t **text, size_t *len)
{
    hy_reader r = hy_reader_make(f->payload, f->len);
    HY_TRY(hy_read_varint_max(&r, UINT32_MAX, code));
    *len = hy_reader_left(&r);
    *text = f->payload + r.pos;
    return *len <= MAX_ERROR_TEXT && hy_utf8_valid(*text, *len) ? HY_OK : HY_E_FORMAT;
}

void msg_write_error(hy_writer *w, hy_err code, const char *text)
{
    uint8_t frame[HY_ERROR_FRAME_MAX];
    size_t len;
    if (hy_error_frame(code, text, frame, sizeof frame, &len) == HY_OK) /* always fits */
        hy_write_bytes(w, frame, len);
}

hy_err hy_error_frame(hy_err code, const char *text, uint8_t *out, size_t cap, size_t *len)
{
    if (text == NULL || len == NULL || (cap && out == NULL))
        return HY_E_INVALID_ARG;
    size_t text_len = strlen(text);
    if (text_len > MAX_ERROR_TEXT)
        text_len = MAX_ERROR_TEXT;
    size_t payload = hy_varint_len((uint64_t)code) + text_len;
    *len = 1 + hy_varint_len(payload) + payload;
    if (*len > cap)
        return HY_E_TOO_LARGE;
    size_t at = 0;
    out[at++] = MSG_ERROR;
    at += hy_varint_put(out + at, payload);
    at += hy_varint_put(out + at, (uint64_t)code);
    memcpy(out + at, text, text_len);
    return HY_OK;
}

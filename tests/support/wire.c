#include "wire.h"

#include "try.h"
#include "utf8.h"

#include <string.h>

void wire_frame_header(hy_writer *w, uint8_t type, uint64_t len)
{
    hy_write_u8(w, type);
    hy_write_varint(w, len);
}

void wire_frame(hy_writer *w, uint8_t type, const uint8_t *payload, size_t len)
{
    wire_frame_header(w, type, len);
    hy_write_bytes(w, payload, len);
}

void wire_hello(hy_writer *w, uint64_t version, const uint8_t key[HY_KEY_LEN],
                const uint8_t nonce[HY_NONCE_LEN], const uint8_t store_id[HY_HASH_LEN])
{
    hy_write_varint(w, version);
    hy_write_bytes(w, key, HY_KEY_LEN);
    hy_write_bytes(w, nonce, HY_NONCE_LEN);
    hy_write_bytes(w, store_id, HY_HASH_LEN);
}

void wire_auth_digest(uint8_t digest[HY_HASH_LEN], const uint8_t *own_hello, size_t own_len,
                      const uint8_t *peer_hello, size_t peer_len)
{
    static const char label[] = "hypha auth v1";
    uint8_t msg[sizeof label - 1 + 2 * 128];
    size_t n = sizeof label - 1;
    memcpy(msg, label, n);
    if (own_len > 128 || peer_len > 128) {
        memset(digest, 0, HY_HASH_LEN);
        return;
    }
    memcpy(msg + n, own_hello, own_len);
    memcpy(msg + n + own_len, peer_hello, peer_len);
    hy_hash(msg, n + own_len + peer_len, digest);
}

void wire_auth_sig(uint8_t sig[HY_SIG_LEN], const uint8_t seed[HY_KEY_LEN],
                   const uint8_t *own_hello, size_t own_len, const uint8_t *peer_hello,
                   size_t peer_len)
{
    uint8_t digest[HY_HASH_LEN];
    wire_auth_digest(digest, own_hello, own_len, peer_hello, peer_len);
    hy_sign(sig, seed, digest, sizeof digest);
}

void wire_sync(hy_writer *w, uint8_t flags, const uint8_t *heads, size_t head_count,
               const uint8_t *vv_keys, const uint64_t *vv_seqs, size_t vv_count)
{
    hy_write_u8(w, flags);
    hy_write_varint(w, head_count);
    hy_write_bytes(w, heads, head_count * HY_HASH_LEN);
    hy_write_varint(w, vv_count);
    for (size_t i = 0; i < vv_count; i++) {
        hy_write_bytes(w, vv_keys + i * HY_KEY_LEN, HY_KEY_LEN);
        hy_write_varint(w, vv_seqs[i]);
    }
}

void wire_changes(hy_writer *w, uint8_t flags, uint64_t batch, uint64_t part,
                  const uint8_t *data, size_t len)
{
    hy_write_u8(w, flags);
    hy_write_varint(w, batch);
    hy_write_varint(w, part);
    hy_write_bytes(w, data, len);
}

hy_err wire_read_changes(const uint8_t *payload, size_t len, wire_changes_view *out)
{
    hy_reader r = hy_reader_make(payload, len);
    HY_TRY(hy_read_u8(&r, &out->flags));
    HY_TRY(hy_read_varint(&r, &out->batch));
    HY_TRY(hy_read_varint(&r, &out->part));
    if ((out->flags & ~WIRE_LAST) || out->batch == 0)
        return HY_E_FORMAT;
    out->data = payload + r.pos;
    out->len = hy_reader_left(&r);
    return HY_OK;
}

void wire_error(hy_writer *w, uint64_t code, const char *message)
{
    hy_write_varint(w, code);
    hy_write_bytes(w, message, strlen(message));
}

hy_err wire_read(const uint8_t *data, size_t len, size_t *at, wire_view *out)
{
    if (*at >= len)
        return HY_E_NOT_FOUND;
    hy_reader r = hy_reader_make(data + *at, len - *at);
    uint64_t n;
    HY_TRY(hy_read_u8(&r, &out->type));
    HY_TRY(hy_read_varint(&r, &n));
    if (n > hy_reader_left(&r))
        return HY_E_TRUNCATED;
    out->payload = data + *at + r.pos;
    out->len = (size_t)n;
    *at += r.pos + (size_t)n;
    return HY_OK;
}

hy_err wire_read_sync(const uint8_t *payload, size_t len, wire_sync_view *out)
{
    hy_reader r = hy_reader_make(payload, len);
    HY_TRY(hy_read_u8(&r, &out->flags));
    HY_TRY(hy_read_count(&r, HY_HASH_LEN, &out->head_count));
    HY_TRY(hy_read_view(&r, out->head_count * HY_HASH_LEN, &out->heads));
    HY_TRY(hy_read_count(&r, HY_KEY_LEN + 1, &out->vv_count));
    out->vv = payload + r.pos;
    for (size_t i = 0; i < out->vv_count; i++) {
        const uint8_t *key;
        uint64_t seq;
        HY_TRY(hy_read_view(&r, HY_KEY_LEN, &key));
        HY_TRY(hy_read_varint(&r, &seq));
        if (seq == 0)
            return HY_E_FORMAT;
    }
    return hy_reader_left(&r) ? HY_E_FORMAT : HY_OK;
}

hy_err wire_read_error(const uint8_t *payload, size_t len, uint64_t *code)
{
    hy_reader r = hy_reader_make(payload, len);
    HY_TRY(hy_read_varint(&r, code));
    size_t left = hy_reader_left(&r);
    return left <= 200 && hy_utf8_valid(payload + r.pos, left) ? HY_OK : HY_E_FORMAT;
}

hy_err wire_batch_hashes(const uint8_t *batch, size_t len, uint8_t *out, size_t cap,
                         size_t *count)
{
    hy_reader r = hy_reader_make(batch, len);
    const uint8_t *magic;
    uint64_t version;
    HY_TRY(hy_read_view(&r, 4, &magic));
    if (memcmp(magic, "HYCB", 4) != 0)
        return HY_E_FORMAT;
    HY_TRY(hy_read_varint(&r, &version));
    if (version != 1)
        return HY_E_VERSION;
    HY_TRY(hy_read_count(&r, 2, count));
    for (size_t i = 0; i < *count; i++) {
        size_t n;
        const uint8_t *change;
        HY_TRY(hy_read_count(&r, 1, &n));
        HY_TRY(hy_read_view(&r, n, &change));
        if (i < cap)
            hy_hash(change, n, out + i * HY_HASH_LEN);
    }
    size_t sigs;
    HY_TRY(hy_read_count(&r, HY_HASH_LEN + HY_SIG_LEN, &sigs));
    HY_TRY(hy_read_view(&r, sigs * (HY_HASH_LEN + HY_SIG_LEN), &magic));
    return hy_reader_left(&r) ? HY_E_FORMAT : HY_OK;
}

void wire_batch(hy_writer *w, const hy_bytes *changes, size_t count, const uint8_t *sigs,
                size_t sig_count)
{
    hy_write_bytes(w, "HYCB", 4);
    hy_write_varint(w, 1);
    hy_write_varint(w, count);
    for (size_t i = 0; i < count; i++) {
        hy_write_varint(w, changes[i].len);
        hy_write_bytes(w, changes[i].data, changes[i].len);
    }
    hy_write_varint(w, sig_count);
    hy_write_bytes(w, sigs, sig_count * (HY_HASH_LEN + HY_SIG_LEN));
}

size_t wire_drain(hy_session *s, hy_writer *out)
{
    const uint8_t *frame;
    size_t len, n = 0;
    while (hy_session_next(s, &frame, &len) == HY_OK) {
        hy_write_bytes(out, frame, len);
        n++;
    }
    return n;
}

size_t wire_pump(hy_session *a, hy_session *b)
{
    hy_session *ends[2] = { a, b };
    size_t crossed = 0, before;
    do {
        before = crossed;
        for (int i = 0; i < 2; i++) {
            const uint8_t *frame;
            size_t len;
            while (hy_session_next(ends[i], &frame, &len) == HY_OK) {
                hy_session_receive(ends[1 - i], frame, len);
                crossed++;
            }
        }
    } while (crossed != before);
    return crossed;
}

void wire_peer_init(wire_peer *p, uint8_t n, uint8_t m, const uint8_t store_id[HY_HASH_LEN])
{
    memset(p, 0, sizeof *p);
    memset(p->seed, n, sizeof p->seed);
    memset(p->nonce, m, sizeof p->nonce);
    hy_key_public(p->key, p->seed);
    hy_writer w;
    hy_writer_init(&w, hy_allocator_default());
    wire_hello(&w, 1, p->key, p->nonce, store_id);
    if (w.err == HY_OK && w.len <= sizeof p->hello) {
        memcpy(p->hello, w.data, w.len);
        p->hello_len = w.len;
    }
    hy_writer_free(&w);
}

hy_err wire_peer_heard(wire_peer *p, const uint8_t *payload, size_t len)
{
    if (len != 1 + HY_KEY_LEN + HY_NONCE_LEN + HY_HASH_LEN)
        return HY_E_FORMAT;
    memcpy(p->peer_hello, payload, len);
    p->peer_hello_len = len;
    return HY_OK;
}

void wire_peer_greet(const wire_peer *p, hy_writer *w)
{
    uint8_t sig[HY_SIG_LEN];
    wire_frame(w, WIRE_HELLO, p->hello, p->hello_len);
    wire_auth_sig(sig, p->seed, p->hello, p->hello_len, p->peer_hello, p->peer_hello_len);
    wire_frame(w, WIRE_AUTH, sig, sizeof sig);
}

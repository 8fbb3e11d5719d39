/* A sync session's life: HELLO and AUTH, dispatch of the frames that arrive, the queue of
 * frames to send, and closing with an ERROR frame (docs/protocol.md). */
#include "session_internal.h"

#include "alloc.h"
#include "try.h"
#include "wipe.h"

#include <string.h>

static const char AUTH_LABEL[] = "hypha auth v1";

/* What each end signs: its own HELLO first, so a signature cannot be reflected back. */
static void transcript(uint8_t out[HY_HASH_LEN], const uint8_t *first, size_t first_len,
                       const uint8_t *second, size_t second_len)
{
    uint8_t buf[sizeof AUTH_LABEL - 1 + 2 * HELLO_MAX_LEN];
    memcpy(buf, AUTH_LABEL, sizeof AUTH_LABEL - 1);
    memcpy(buf + sizeof AUTH_LABEL - 1, first, first_len);
    memcpy(buf + sizeof AUTH_LABEL - 1 + first_len, second, second_len);
    hy_hash(buf, sizeof AUTH_LABEL - 1 + first_len + second_len, out);
}

static hy_err copy_genesis(hy_session *s, const hy_session_config *c)
{
    HY_TRY(hy_genesis_decode(c->genesis, c->genesis_len, &s->policy, NULL));
    s->genesis = hy_alloc(&s->alloc, c->genesis_len);
    if (s->genesis == NULL)
        return HY_E_NOMEM;
    memcpy(s->genesis, c->genesis, c->genesis_len);
    s->genesis_len = c->genesis_len;
    /* Re-point the policy into our copy. */
    return hy_genesis_decode(s->genesis, s->genesis_len, &s->policy, NULL);
}

hy_err hy_session_new(const hy_session_config *c, hy_session **out)
{
    if (c == NULL || out == NULL || c->store == NULL || c->genesis == NULL ||
        c->node_seed == NULL || c->nonce == NULL || (c->max_frame && c->max_frame < MIN_FRAME))
        return HY_E_INVALID_ARG;
    hy_allocator alloc = c->alloc.fn ? c->alloc : hy_allocator_default();
    hy_session *s = hy_alloc_zero(&alloc, 1, sizeof *s);
    if (s == NULL)
        return HY_E_NOMEM;
    s->alloc = alloc;
    s->store = c->store;
    s->log = hy_store_log(c->store);
    s->max_frame = c->max_frame ? c->max_frame : HY_DEFAULT_MAX_FRAME;
    s->max_batch = c->max_batch ? c->max_batch : HY_DEFAULT_MAX_BATCH;
    hy_vec_init(&s->peer_seq, sizeof(uint32_t));
    hy_vec_init(&s->peer_heads, HY_HASH_LEN);
    hy_vec_init(&s->sent_now, sizeof(sent_range));
    hy_vec_init(&s->inbound, 1);
    hy_vec_init(&s->in_parts, 1);
    hy_vec_init(&s->in_slots, sizeof(in_slot));
    hy_writer_init(&s->out, alloc);
    hy_err err = copy_genesis(s, c);
    if (err) {
        hy_session_free(s);
        return err;
    }
    hy_hash(s->genesis, s->genesis_len, s->store_id);
    memcpy(s->seed, c->node_seed, HY_KEY_LEN);
    uint8_t key[HY_KEY_LEN];
    hy_key_public(key, s->seed);
    s->hello_len = msg_hello_payload(s->hello, key, c->nonce, s->store_id);
    msg_write_hello(&s->out, s->hello, s->hello_len);
    *out = s;
    return HY_OK;
}

void hy_session_free(hy_session *s)
{
    if (s == NULL)
        return;
    hy_free(&s->alloc, s->genesis, s->genesis_len);
    hy_vec_free(&s->peer_seq, &s->alloc);
    hy_vec_free(&s->peer_heads, &s->alloc);
    hy_vec_free(&s->sent_now, &s->alloc);
    hy_vec_free(&s->inbound, &s->alloc);
    hy_vec_free(&s->in_parts, &s->alloc);
    hy_vec_free(&s->in_slots, &s->alloc);
    hy_writer_free(&s->out);
    hy_wipe(s->seed, sizeof s->seed);
    hy_allocator alloc = s->alloc;
    hy_free(&alloc, s, sizeof *s);
}

hy_err session_fail(hy_session *s, hy_err err, const char *why)
{
    if (s->state != HY_SESSION_CLOSED) {
        msg_write_error(&s->out, err, why);
        s->state = HY_SESSION_CLOSED;
        s->error = err;
        hy_vec_free(&s->inbound, &s->alloc);
        hy_vec_free(&s->in_parts, &s->alloc);
        hy_vec_free(&s->in_slots, &s->alloc);
    }
    return err;
}

/* ---- handshake ---- */

static void queue_auth(hy_session *s)
{
    uint8_t digest[HY_HASH_LEN], sig[HY_SIG_LEN];
    transcript(digest, s->hello, s->hello_len, s->peer_hello, s->peer_hello_len);
    hy_sign(sig, s->seed, digest, sizeof digest);
    msg_frame_header(&s->out, MSG_AUTH, HY_SIG_LEN);
    hy_write_bytes(&s->out, sig, HY_SIG_LEN);
}

static hy_err on_hello(hy_session *s, const msg_frame *f)
{
    if (s->peer_hello_len) {
        if (f->len != s->peer_hello_len || memcmp(f->payload, s->peer_hello, f->len) != 0)
            return session_fail(s, HY_E_PROTOCOL, "a second, different HELLO");
        /* The peer sent its HELLO again: it has not seen our AUTH, which a link lost. */
        queue_auth(s);
        return HY_OK;
    }
    msg_hello h;
    hy_err err = msg_read_hello(f, &h);
    if (err == HY_E_VERSION)
        return session_fail(s, err, "protocol version 1 only");
    if (err)
        return session_fail(s, err, "malformed HELLO");
    if (memcmp(h.store_id, s->store_id, HY_HASH_LEN) != 0)
        return session_fail(s, HY_E_NOT_FOUND, "no such store here");
    /* Our own HELLO sent back: an attacker reflecting it (and then our AUTH) would pass as
     * us, and so as any reader we are. */
    if (memcmp(h.nonce, s->hello + s->hello_len - HY_HASH_LEN - HY_NONCE_LEN, HY_NONCE_LEN) == 0)
        return session_fail(s, HY_E_PROTOCOL, "our own HELLO reflected");
    memcpy(s->peer_hello, f->payload, f->len);
    s->peer_hello_len = f->len;
    memcpy(s->peer_key, h.node_key, HY_KEY_LEN);
    queue_auth(s);
    return HY_OK;
}

static bool may_read(const hy_session *s, const uint8_t key[HY_KEY_LEN])
{
    if (s->policy.reader_count == 0)
        return true;
    for (size_t i = 0; i < s->policy.reader_count; i++)
        if (memcmp(s->policy.readers + i * HY_KEY_LEN, key, HY_KEY_LEN) == 0)
            return true;
    return false;
}

static hy_err on_auth(hy_session *s, const msg_frame *f)
{
    if (s->state == HY_SESSION_READY)
        return HY_OK; /* a copy the link duplicated, or a resend after our HELLO's */
    /* An AUTH that overtook a lost HELLO: the peer's next tick repeats both. */
    if (s->peer_hello_len == 0)
        return HY_OK;
    const uint8_t *sig;
    hy_err err = msg_read_auth(f, &sig);
    if (err)
        return session_fail(s, err, "malformed AUTH");
    uint8_t digest[HY_HASH_LEN];
    transcript(digest, s->peer_hello, s->peer_hello_len, s->hello, s->hello_len);
    if (hy_verify(sig, s->peer_key, digest, sizeof digest) != HY_OK)
        return session_fail(s, HY_E_BAD_SIGNATURE, "AUTH signature does not verify");
    if (!may_read(s, s->peer_key))
        return session_fail(s, HY_E_FORBIDDEN, "this node key may not sync the store");
    s->state = HY_SESSION_READY;
    return session_send_sync(s, SYNC_REPLY);
}

/* ---- frames in and out ---- */

static hy_err on_error(hy_session *s, const msg_frame *f)
{
    uint64_t code;
    const uint8_t *text;
    size_t len;
    s->error = msg_read_error(f, &code, &text, &len) == HY_OK && code != HY_OK
                   ? (hy_err)code : HY_E_PROTOCOL;
    s->state = HY_SESSION_CLOSED;
    return HY_E_CLOSED;
}

static hy_err dispatch(hy_session *s, const msg_frame *f)
{
    if (f->type == MSG_ERROR)
        return on_error(s, f);
    switch (f->type) {
    case MSG_HELLO: return on_hello(s, f);
    case MSG_AUTH: return on_auth(s, f);
    case MSG_SYNC:
    case MSG_CHANGES:
    case MSG_NEED:
        /* Before AUTH they are ignored, not acted on: on a reordering link they can overtake
         * the AUTH they follow, and the peer sends them again after its next tick. */
        if (s->state != HY_SESSION_READY)
            return HY_OK;
        return f->type == MSG_SYNC      ? session_on_sync(s, f)
               : f->type == MSG_CHANGES ? session_on_changes(s, f)
                                        : session_on_need(s, f);
    default: return session_fail(s, HY_E_PROTOCOL, "unknown frame type");
    }
}

hy_err hy_session_receive(hy_session *s, const uint8_t *data, size_t len)
{
    if (s == NULL || (len && data == NULL))
        return HY_E_INVALID_ARG;
    if (s->state == HY_SESSION_CLOSED)
        return HY_E_CLOSED;
    hy_reader r = hy_reader_make(data, len);
    s->stats.bytes_in += len;
    while (hy_reader_left(&r)) {
        msg_frame f;
        hy_err err = msg_next_frame(&r, s->max_frame, &f);
        if (err == HY_E_TOO_LARGE)
            return session_fail(s, err, "frame over the size limit");
        if (err)
            return session_fail(s, err, "truncated frame");
        s->stats.frames_in++;
        HY_TRY(dispatch(s, &f));
    }
    return s->out.err ? session_fail(s, s->out.err, "out of memory") : HY_OK;
}

hy_err hy_session_next(hy_session *s, const uint8_t **frame, size_t *len)
{
    if (s == NULL || frame == NULL || len == NULL)
        return HY_E_INVALID_ARG;
    if (s->out.err)
        return s->out.err;
    if (s->out_sent == s->out.len) {
        /* Drained: an idle session keeps no buffer (a catch-up may have grown it to MBs). */
        if (s->out.cap > 4096)
            hy_writer_free(&s->out);
        s->out.len = s->out_sent = 0;
        return HY_E_NOT_FOUND;
    }
    hy_reader r = hy_reader_make(s->out.data + s->out_sent, s->out.len - s->out_sent);
    msg_frame f;
    /* Our own frames: the size bound is what we wrote, not the peer's cap. */
    hy_err err = msg_next_frame(&r, SIZE_MAX, &f);
    if (err)
        return err;
    *frame = s->out.data + s->out_sent;
    *len = r.pos;
    s->out_sent += r.pos;
    s->stats.frames_out++;
    s->stats.bytes_out += r.pos;
    return HY_OK;
}

hy_err hy_session_changed(hy_session *s)
{
    if (s == NULL)
        return HY_E_INVALID_ARG;
    if (s->state != HY_SESSION_READY)
        return s->state == HY_SESSION_CLOSED ? HY_E_CLOSED : HY_OK;
    return session_push(s);
}

hy_err hy_session_tick(hy_session *s)
{
    if (s == NULL)
        return HY_E_INVALID_ARG;
    if (s->state == HY_SESSION_CLOSED)
        return HY_E_CLOSED;
    if (s->state == HY_SESSION_HANDSHAKE) {
        /* A link may have lost our HELLO or AUTH: the peer answers a repeated HELLO with
         * its AUTH again, and ignores what it already has. */
        msg_write_hello(&s->out, s->hello, s->hello_len);
        if (s->peer_hello_len)
            queue_auth(s);
        return s->out.err;
    }
    session_forget_sent(s);
    return hy_session_in_sync(s) ? HY_OK : session_send_sync(s, SYNC_REPLY);
}

/* ---- what the host reads ---- */

hy_session_state hy_session_get_state(const hy_session *s) { return s->state; }
hy_err hy_session_error(const hy_session *s) { return s->error; }

const uint8_t *hy_session_peer_key(const hy_session *s)
{
    return s->state == HY_SESSION_READY ? s->peer_key : NULL;
}

void hy_session_get_stats(const hy_session *s, hy_session_stats *out) { *out = s->stats; }

hy_err hy_hello_store_id(const uint8_t *frame, size_t len, uint8_t id[HY_HASH_LEN])
{
    if ((len && frame == NULL) || id == NULL)
        return HY_E_INVALID_ARG;
    hy_reader r = hy_reader_make(frame, len);
    msg_frame f;
    msg_hello h;
    HY_TRY(msg_next_frame(&r, HELLO_MAX_LEN, &f));
    if (f.type != MSG_HELLO)
        return HY_E_PROTOCOL;
    HY_TRY(msg_read_hello(&f, &h));
    memcpy(id, h.store_id, HY_HASH_LEN);
    return HY_OK;
}

#include "change.h"

#include "blake3.h"
#include "try.h"

#include <string.h>

/* The rules, one per group of fields, so that the decoder can report the offset of the group
 * that broke one. */

static hy_err check_counters(const hy_change *c)
{
    if (c->seq == 0 || c->seq > HY_SEQ_MAX)
        return HY_E_SEQ;
    if (c->start_op == 0 || c->start_op > HY_COUNTER_MAX)
        return HY_E_SEQ;
    return HY_OK;
}

static hy_err check_deps(const hy_change *c)
{
    if (c->dep_count > HY_CHANGE_MAX_DEPS)
        return HY_E_TOO_LARGE;
    /* The first change of an actor may have no deps; a later one names at least its
     * predecessor in the actor's chain. */
    if (c->seq > 1 && c->dep_count == 0)
        return HY_E_FORMAT;
    for (size_t i = 1; i < c->dep_count; i++)
        if (memcmp(c->deps + (i - 1) * HY_HASH_LEN, c->deps + i * HY_HASH_LEN, HY_HASH_LEN) >= 0)
            return HY_E_FORMAT;
    return HY_OK;
}

static hy_err check_ops(const hy_change *c)
{
    if (c->op_count == 0 || c->op_count > HY_COUNTER_MAX - c->start_op + 1)
        return HY_E_SEQ;
    /* Every op takes at least one byte, which bounds how many changes an input can claim. */
    if (c->ops_len < c->op_count)
        return HY_E_FORMAT;
    return HY_OK;
}

hy_err hy_change_check(const hy_change *c)
{
    HY_TRY(check_counters(c));
    HY_TRY(check_deps(c));
    return check_ops(c);
}

hy_err hy_change_encode(hy_writer *w, const hy_change *c)
{
    if (hy_change_check(c))
        return HY_E_INVALID_ARG;
    hy_write_varint(w, HY_CHANGE_FORMAT);
    hy_write_bytes(w, c->actor, HY_KEY_LEN);
    hy_write_varint(w, c->seq);
    hy_write_varint(w, c->start_op);
    hy_write_varint(w, hy_zigzag(c->time_ms));
    hy_write_varint(w, c->dep_count);
    hy_write_bytes(w, c->deps, c->dep_count * HY_HASH_LEN);
    hy_write_varint(w, c->op_count);
    hy_write_varint(w, c->ops_len);
    hy_write_bytes(w, c->ops, c->ops_len);
    return w->err;
}

/* Runs a check and, when it fails, rewinds r to the start of the fields it covers. */
static hy_err checked(hy_reader *r, size_t fields_at, hy_err err)
{
    if (err)
        r->pos = fields_at;
    return err;
}

hy_err hy_change_read(hy_change *c, hy_reader *r)
{
    uint64_t format, time;
    size_t at = r->pos;
    HY_TRY(hy_read_varint(r, &format));
    if (format != HY_CHANGE_FORMAT)
        return checked(r, at, HY_E_VERSION);
    HY_TRY(hy_read_copy(r, c->actor, HY_KEY_LEN));
    at = r->pos;
    HY_TRY(hy_read_varint(r, &c->seq));
    HY_TRY(hy_read_varint(r, &c->start_op));
    HY_TRY(checked(r, at, check_counters(c)));
    HY_TRY(hy_read_varint(r, &time));
    c->time_ms = hy_unzigzag(time);
    at = r->pos;
    HY_TRY(hy_read_count(r, HY_HASH_LEN, &c->dep_count));
    HY_TRY(hy_read_view(r, c->dep_count * HY_HASH_LEN, &c->deps));
    HY_TRY(checked(r, at, check_deps(c)));
    at = r->pos;
    HY_TRY(hy_read_varint(r, &c->op_count));
    HY_TRY(hy_read_count(r, 1, &c->ops_len));
    HY_TRY(hy_read_view(r, c->ops_len, &c->ops));
    return checked(r, at, check_ops(c));
}

hy_err hy_change_decode(hy_change *c, const uint8_t *buf, size_t len, size_t *err_offset)
{
    hy_reader r = hy_reader_make(buf, len);
    hy_err err = hy_change_read(c, &r);
    if (err == HY_OK && hy_reader_left(&r) != 0)
        err = HY_E_FORMAT;
    if (err && err_offset)
        *err_offset = r.pos;
    return err;
}

void hy_change_hash(const uint8_t *encoded, size_t len, uint8_t out[HY_HASH_LEN])
{
    hy_blake3(encoded, len, out);
}

void hy_change_sig_msg(uint8_t msg[HY_CHANGE_SIG_MSG_LEN], const uint8_t hash[HY_HASH_LEN])
{
    memcpy(msg, HY_CHANGE_SIG_CONTEXT, sizeof(HY_CHANGE_SIG_CONTEXT) - 1);
    memcpy(msg + sizeof(HY_CHANGE_SIG_CONTEXT) - 1, hash, HY_HASH_LEN);
}

/* Loading the compact form: every hash is recomputed from the fields and the heads computed
 * from them must match the stored heads, so any corruption of any change is caught. */
#include "log_internal.h"

#include "alloc.h"
#include "column.h"
#include "try.h"

#include <string.h>

typedef struct loader {
    hy_reader r;
    uint64_t version;
    hy_col_reader cols[COL_COUNT];
    hy_reader deps;        /* version 1: plain varints */
    size_t deps_base;
    hy_col_reader dep_col; /* version 2: an RLE column */
    const uint8_t *ops;    /* plain ops */
    size_t ops_len;        /* their total */
    size_t ops_at;
    const hy_ops_codec *codec; /* packed ops: the codec and its state */
    void *codec_state;
    hy_writer unpacked;    /* one change's ops, unpacked */
    const uint8_t *actor_keys;
    size_t actor_count;
    size_t change_count;
    size_t err_offset;
} loader;

static hy_err fail_at(loader *L, size_t offset, hy_err err)
{
    L->err_offset = offset;
    return err;
}

/* Reads column col's next value; an error sets the offset. */
static hy_err next_value(loader *L, int col, uint64_t *v)
{
    hy_err err = hy_col_next(&L->cols[col], v);
    return err ? fail_at(L, hy_col_offset(&L->cols[col]), err) : HY_OK;
}

static hy_err read_bounded_count(loader *L, size_t *out)
{
    if (L->version == 1)
        return hy_read_count(&L->r, 1, out);
    size_t at = L->r.pos;
    uint64_t n;
    HY_TRY(hy_read_varint(&L->r, &n));
    if (n / LOG_MAX_EXPANSION > L->r.len) {
        L->r.pos = at;
        return HY_E_TOO_LARGE;
    }
    *out = (size_t)n;
    return HY_OK;
}

/* The ops section: version 1 has the plain bytes; version 2 says whether they are plain or
 * packed by the owner's codec, which must then be configured. */
static hy_err read_ops_header(loader *L, const hy_ops_codec *codec, const hy_allocator *a)
{
    uint64_t mode = LOG_OPS_PLAIN;
    size_t at = L->r.pos;
    if (L->version != 1)
        HY_TRY(hy_read_varint(&L->r, &mode));
    if (mode == LOG_OPS_PLAIN) {
        HY_TRY(hy_read_count(&L->r, 1, &L->ops_len));
        return hy_read_view(&L->r, L->ops_len, &L->ops);
    }
    if (mode != LOG_OPS_PACKED || codec == NULL) {
        L->r.pos = at;
        return mode == LOG_OPS_PACKED ? HY_E_VERSION : HY_E_FORMAT;
    }
    HY_TRY(read_bounded_count(L, &L->ops_len));
    size_t len;
    const uint8_t *packed;
    HY_TRY(hy_read_count(&L->r, 1, &len));
    HY_TRY(hy_read_view(&L->r, len, &packed));
    hy_err err = codec->open(codec->user, a, packed, len, &L->codec_state);
    if (err) {
        L->r.pos -= len;
        return err;
    }
    L->codec = codec;
    return HY_OK;
}

static hy_err read_header(loader *L, const hy_log *log)
{
    const uint8_t *magic;
    uint64_t version;
    HY_TRY(hy_read_view(&L->r, LOG_MAGIC_LEN, &magic));
    if (memcmp(magic, LOG_MAGIC, LOG_MAGIC_LEN) != 0) {
        L->r.pos = 0;
        return HY_E_FORMAT;
    }
    size_t at = L->r.pos;
    HY_TRY(hy_read_varint(&L->r, &version));
    if (version != 1 && version != LOG_FORMAT_VERSION) {
        L->r.pos = at;
        return HY_E_VERSION;
    }
    L->version = version;
    HY_TRY(hy_read_count(&L->r, HY_KEY_LEN, &L->actor_count));
    HY_TRY(hy_read_view(&L->r, L->actor_count * HY_KEY_LEN, &L->actor_keys));
    for (size_t i = 1; i < L->actor_count; i++) {
        if (memcmp(L->actor_keys + (i - 1) * HY_KEY_LEN, L->actor_keys + i * HY_KEY_LEN,
                   HY_KEY_LEN) >= 0) {
            L->r.pos -= (L->actor_count - i) * HY_KEY_LEN;
            return HY_E_FORMAT;
        }
    }
    /* Version 1: each change owns at least one byte of ops, so the input bounds the count;
     * version 2 packs, so the bound is a multiple of the input. */
    HY_TRY(read_bounded_count(L, &L->change_count));
    for (int col = 0; col < COL_COUNT; col++) {
        HY_TRY(hy_col_open(&L->cols[col], &L->r));
        if (col == COL_DEP_COUNT && L->version == 1) {
            size_t len;
            const uint8_t *bytes;
            HY_TRY(hy_read_count(&L->r, 1, &len));
            HY_TRY(hy_read_view(&L->r, len, &bytes));
            L->deps = hy_reader_make(bytes, len);
            L->deps_base = L->r.pos - len;
        } else if (col == COL_DEP_COUNT) {
            HY_TRY(hy_col_open(&L->dep_col, &L->r));
        }
    }
    return read_ops_header(L, log->cfg.ops_codec, &log->cfg.alloc);
}

/* Rebuilds change `position`, hashes it and applies it. */
static hy_err load_change(loader *L, hy_log *log, size_t position, uint64_t *last_seq,
                          uint64_t *prev_start, uint64_t *prev_time, uint32_t *dep_index)
{
    uint64_t actor, seq_delta, start_delta, time_delta, dep_count, op_count, ops_len;
    HY_TRY(next_value(L, COL_ACTOR, &actor));
    if (actor >= L->actor_count)
        return fail_at(L, hy_col_offset(&L->cols[COL_ACTOR]), HY_E_FORMAT);
    HY_TRY(next_value(L, COL_SEQ, &seq_delta));
    HY_TRY(next_value(L, COL_START_OP, &start_delta));
    HY_TRY(next_value(L, COL_TIME, &time_delta));
    HY_TRY(next_value(L, COL_DEP_COUNT, &dep_count));
    HY_TRY(next_value(L, COL_OP_COUNT, &op_count));
    HY_TRY(next_value(L, COL_OPS_LEN, &ops_len));
    if (dep_count > HY_CHANGE_MAX_DEPS)
        return fail_at(L, hy_col_offset(&L->cols[COL_DEP_COUNT]), HY_E_TOO_LARGE);
    size_t ops_len_at = hy_col_offset(&L->cols[COL_OPS_LEN]);
    if (ops_len > L->ops_len - L->ops_at)
        return fail_at(L, ops_len_at, HY_E_TOO_LARGE);

    hy_change c;
    memcpy(c.actor, L->actor_keys + actor * HY_KEY_LEN, HY_KEY_LEN);
    c.seq = last_seq[actor] + (uint64_t)hy_unzigzag(seq_delta);
    last_seq[actor] = c.seq;
    c.start_op = *prev_start + start_delta;
    if (c.start_op < *prev_start)
        return fail_at(L, hy_col_offset(&L->cols[COL_START_OP]), HY_E_SEQ);
    *prev_start = c.start_op;
    *prev_time += (uint64_t)hy_unzigzag(time_delta);
    c.time_ms = (int64_t)*prev_time;
    c.dep_count = (size_t)dep_count;
    c.op_count = op_count;
    c.ops_len = (size_t)ops_len;
    L->ops_at += c.ops_len;
    if (L->codec) {
        L->unpacked.len = 0;
        hy_ops_change packed = { c.actor, c.start_op, NULL, c.ops_len };
        hy_err err = L->codec->next(L->codec_state, &packed, &L->unpacked);
        if (err == HY_OK && L->unpacked.len != c.ops_len)
            err = HY_E_FORMAT;
        if (err)
            return err == HY_E_NOMEM ? err : fail_at(L, ops_len_at, err);
        c.ops = L->unpacked.data;
    } else {
        c.ops = L->ops + L->ops_at - c.ops_len;
    }

    /* Deps are backward distances to earlier positions; a distance of 0 names the change
     * itself and one past the start names nothing: both would make a cycle or a hole. */
    hy_writer *w = &log->scratch;
    w->len = 0;
    /* Room for the dep hashes, then for the encoding, which copies them again (fixed fields
     * take at most 96 bytes): the hashes must not move while it is written. */
    uint8_t *hashes = hy_writer_reserve(w, 2 * c.dep_count * HY_HASH_LEN + 96 + c.ops_len);
    if (hashes == NULL) {
        w->err = HY_OK;
        return HY_E_NOMEM;
    }
    for (size_t i = 0; i < c.dep_count; i++) {
        uint64_t distance;
        size_t at = L->version == 1 ? L->deps_base + L->deps.pos : hy_col_offset(&L->dep_col);
        hy_err err = L->version == 1 ? hy_read_varint(&L->deps, &distance)
                                     : hy_col_next(&L->dep_col, &distance);
        if (err)
            return fail_at(L, at, err);
        if (distance == 0 || distance > position)
            return fail_at(L, at, HY_E_CYCLE);
        dep_index[i] = (uint32_t)(position - distance);
        memcpy(hashes + i * HY_HASH_LEN, log_change_at(log, dep_index[i])->hash, HY_HASH_LEN);
    }
    w->len = c.dep_count * HY_HASH_LEN;
    c.deps = hashes;
    size_t start = w->len;
    hy_err err = hy_change_encode(w, &c);
    if (err == HY_E_INVALID_ARG)
        return fail_at(L, hy_col_offset(&L->cols[COL_ACTOR]), HY_E_FORMAT);
    HY_TRY(err);
    uint8_t hash[HY_HASH_LEN];
    hy_change_hash(w->data + start, w->len - start, hash);
    if (hy_log_find(log, hash) != HY_LOG_NONE)
        return fail_at(L, hy_col_offset(&L->cols[COL_ACTOR]), HY_E_FORMAT); /* duplicate */
    err = log_apply(log, &c, hash, dep_index, NULL);
    return err == HY_E_NOMEM ? err : err ? fail_at(L, hy_col_offset(&L->cols[COL_ACTOR]), err)
                                         : HY_OK;
}

static hy_err read_changes(loader *L, hy_log *log)
{
    const hy_allocator *a = &log->cfg.alloc;
    uint64_t *last_seq = hy_alloc_zero(a, L->actor_count + 1, sizeof *last_seq);
    uint32_t *dep_index = hy_alloc(a, HY_CHANGE_MAX_DEPS * sizeof *dep_index);
    hy_err err = (last_seq && dep_index) ? HY_OK : HY_E_NOMEM;
    /* Room up front (as far as the input vouches for it: packed counts may lie). */
    size_t vouched = L->r.len * 64;
    size_t changes = L->change_count < vouched ? L->change_count : vouched;
    /* Version 2 does not say how many dep edges there are: most changes have one. */
    if (err == HY_OK)
        err = log_reserve(log, changes, L->version == 1 ? L->deps.len : changes,
                          L->ops_len < vouched ? L->ops_len : vouched);
    uint64_t prev_start = 0, prev_time = 0;
    for (size_t p = 0; err == HY_OK && p < L->change_count; p++)
        err = load_change(L, log, p, last_seq, &prev_start, &prev_time, dep_index);
    for (int col = 0; err == HY_OK && col < COL_COUNT; col++)
        if (hy_col_close(&L->cols[col]))
            err = fail_at(L, hy_col_offset(&L->cols[col]), HY_E_FORMAT);
    if (err == HY_OK && L->version != 1 && hy_col_close(&L->dep_col))
        err = fail_at(L, hy_col_offset(&L->dep_col), HY_E_FORMAT);
    if (err == HY_OK && (hy_reader_left(&L->deps) || L->ops_at != L->ops_len))
        err = fail_at(L, L->r.pos, HY_E_FORMAT);
    if (L->codec) {
        hy_err closed = L->codec->close(L->codec_state, err == HY_OK);
        L->codec = NULL;
        if (err == HY_OK && closed)
            err = fail_at(L, L->r.pos, closed);
    }
    hy_free(a, last_seq, (L->actor_count + 1) * sizeof *last_seq);
    hy_free(a, dep_index, HY_CHANGE_MAX_DEPS * sizeof *dep_index);
    return err;
}

static hy_err read_heads_and_sigs(loader *L, hy_log *log)
{
    size_t at = L->r.pos, count;
    HY_TRY(hy_read_count(&L->r, HY_HASH_LEN, &count));
    if (count != log->heads.len) {
        L->r.pos = at;
        return HY_E_HASH_MISMATCH;
    }
    for (size_t i = 0; i < count; i++) {
        const uint8_t *hash;
        at = L->r.pos;
        HY_TRY(hy_read_view(&L->r, HY_HASH_LEN, &hash));
        if (memcmp(hash, log_change_at(log, HY_VEC_AT(&log->heads, uint32_t, i))->hash,
                   HY_HASH_LEN) != 0) {
            L->r.pos = at;
            return HY_E_HASH_MISMATCH;
        }
    }
    HY_TRY(hy_read_count(&L->r, 1 + HY_SIG_LEN, &count));
    for (size_t i = 0; i < count; i++) {
        uint64_t position;
        const uint8_t *sig;
        at = L->r.pos;
        HY_TRY(hy_read_varint_max(&L->r, L->change_count ? L->change_count - 1 : 0, &position));
        HY_TRY(hy_read_view(&L->r, HY_SIG_LEN, &sig));
        if (L->change_count == 0) {
            L->r.pos = at;
            return HY_E_FORMAT;
        }
        const log_change *c = log_change_at(log, (uint32_t)position);
        hy_err err = log_verify_sig(log_actor_at(log, c->actor)->key, c->hash, sig);
        if (err == HY_OK)
            err = log_record_sig(log, (uint32_t)position, sig);
        if (err) {
            L->r.pos = at;
            return err;
        }
    }
    if (log->cfg.require_signatures) {
        /* Every actor's newest change must be signed, so its whole chain is authenticated. */
        for (uint32_t i = 0; i < log->actors.len; i++) {
            const log_actor *act = log_actor_at(log, i);
            if (act->signed_change == HY_LOG_NONE ||
                log_change_at(log, act->signed_change)->seq != act->chain.len)
                return HY_E_BAD_SIGNATURE;
        }
    }
    return hy_reader_left(&L->r) ? HY_E_FORMAT : HY_OK;
}

hy_err hy_log_load_into(hy_log *log, const uint8_t *data, size_t len, size_t *err_offset)
{
    if (log->changes.len != 0)
        return HY_E_INVALID_ARG;
    loader L;
    memset(&L, 0, sizeof L);
    L.r = hy_reader_make(data, len);
    L.err_offset = SIZE_MAX;
    hy_writer_init(&L.unpacked, log->cfg.alloc);
    hy_err err = read_header(&L, log);
    if (err == HY_OK)
        err = read_changes(&L, log);
    if (L.codec) /* read_changes did not get to close it */
        L.codec->close(L.codec_state, false);
    hy_writer_free(&L.unpacked);
    if (err == HY_OK)
        err = read_heads_and_sigs(&L, log);
    if (err && err_offset)
        *err_offset = L.err_offset != SIZE_MAX ? L.err_offset : L.r.pos;
    return err;
}

hy_err hy_log_load(const hy_log_config *config, const uint8_t *data, size_t len, hy_log **out,
                   size_t *err_offset)
{
    hy_log *log;
    HY_TRY(hy_log_new(config, &log));
    hy_err err = hy_log_load_into(log, data, len, err_offset);
    if (err) {
        hy_log_free(log);
        return err;
    }
    *out = log;
    return HY_OK;
}

/* Change batches (docs/format.md, "Change batch"): changes and the signatures that cover
 * them, as one message between replicas. */
#include "log_internal.h"

#include "alloc.h"
#include "try.h"

#include <string.h>

#define BATCH_MAGIC "HYCB"
#define BATCH_MAGIC_LEN 4
#define BATCH_VERSION 1

hy_err hy_log_write_batch(hy_log *log, const uint32_t *indexes, size_t count, hy_writer *w)
{
    log_flush_hashes(log);
    HY_TRY(hy_log_sign_local(log));
    const hy_allocator *a = &log->cfg.alloc;
    hy_write_bytes(w, BATCH_MAGIC, BATCH_MAGIC_LEN);
    hy_write_varint(w, BATCH_VERSION);
    hy_write_varint(w, count);
    uint8_t *sent = hy_alloc_zero(a, log->changes.len + 1, 1);
    if (sent == NULL)
        return HY_E_NOMEM;
    hy_writer change;
    hy_writer_init(&change, *a);
    hy_err err = HY_OK;
    for (size_t i = 0; err == HY_OK && i < count; i++) {
        change.len = 0;
        err = hy_log_encode(log, indexes[i], &change);
        hy_write_varint(w, change.len);
        hy_write_bytes(w, change.data, change.len);
        sent[indexes[i]] = 1;
    }
    hy_writer_free(&change);
    /* The signatures on changes sent cover every change sent: a change is sent only with
     * the newer ones of its actor the peer lacks, up to the newest signed. */
    hy_vec held;
    hy_vec_init(&held, sizeof(hy_log_sig));
    if (err == HY_OK)
        err = hy_log_signatures(log, &held);
    size_t used = 0;
    for (size_t i = 0; err == HY_OK && i < held.len; i++) {
        const hy_log_sig *s = hy_vec_at(&held, i);
        if (sent[hy_log_find(log, s->hash)])
            HY_VEC_AT(&held, hy_log_sig, used++) = *s;
    }
    hy_write_varint(w, used);
    for (size_t i = 0; err == HY_OK && i < used; i++)
        hy_write_bytes(w, hy_vec_at(&held, i), sizeof(hy_log_sig));
    hy_vec_free(&held, a);
    hy_free(a, sent, log->changes.len + 1);
    return err ? err : w->err;
}

hy_err hy_log_read_batch(hy_log *log, const uint8_t *data, size_t len, size_t *err_offset)
{
    const hy_allocator *a = &log->cfg.alloc;
    hy_reader r = hy_reader_make(data, len);
    const uint8_t *magic;
    uint64_t version;
    size_t count = 0, sig_count = 0, at = 0;
    hy_bytes *changes = NULL;
    hy_err err = hy_read_view(&r, BATCH_MAGIC_LEN, &magic);
    if (err == HY_OK && memcmp(magic, BATCH_MAGIC, BATCH_MAGIC_LEN) != 0) {
        r.pos = 0;
        err = HY_E_FORMAT;
    }
    if (err == HY_OK) {
        at = r.pos;
        err = hy_read_varint(&r, &version);
        if (err == HY_OK && version != BATCH_VERSION) {
            r.pos = at;
            err = HY_E_VERSION;
        }
    }
    if (err == HY_OK)
        err = hy_read_count(&r, 2, &count);
    if (err == HY_OK) {
        changes = hy_alloc_zero(a, count + 1, sizeof *changes);
        err = changes ? HY_OK : HY_E_NOMEM;
    }
    for (size_t i = 0; err == HY_OK && i < count; i++) {
        err = hy_read_count(&r, 1, &changes[i].len);
        if (err == HY_OK)
            err = hy_read_view(&r, changes[i].len, &changes[i].data);
    }
    const uint8_t *sigs = NULL;
    if (err == HY_OK)
        err = hy_read_count(&r, sizeof(hy_log_sig), &sig_count);
    if (err == HY_OK)
        err = hy_read_view(&r, sig_count * sizeof(hy_log_sig), &sigs);
    if (err == HY_OK && hy_reader_left(&r) != 0)
        err = HY_E_FORMAT;
    if (err) {
        if (err_offset)
            *err_offset = r.pos;
        hy_free(a, changes, (count + 1) * sizeof *changes);
        return err;
    }
    /* hy_log_sig is two byte arrays: no padding, so the wire layout is the struct. */
    hy_log_sig *copy = hy_alloc(a, (sig_count + 1) * sizeof *copy);
    if (copy == NULL) {
        hy_free(a, changes, (count + 1) * sizeof *changes);
        return HY_E_NOMEM;
    }
    if (sig_count)
        memcpy(copy, sigs, sig_count * sizeof *copy);
    size_t bad = 0;
    err = hy_log_add_batch(log, changes, count, copy, sig_count, &bad);
    if (err && err != HY_E_MISSING_DEPS && err_offset)
        *err_offset = bad < count ? (size_t)(changes[bad].data - data) : 0;
    hy_free(a, copy, (sig_count + 1) * sizeof *copy);
    hy_free(a, changes, (count + 1) * sizeof *changes);
    return err;
}

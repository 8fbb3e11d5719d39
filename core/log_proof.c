/* Proofs of equivocation that anyone can check without the log (docs/format.md,
 * "Equivocation proof"). */
#include "log_internal.h"

#include "try.h"

#include <string.h>

#define PROOF_MAGIC "HYEQ"
#define PROOF_MAGIC_LEN 4
#define PROOF_VERSION 1

/* A signature of the actor whose chain leads down to change `target`: the path goes to path
 * (from target upward) and the signature to *sig. */
static hy_err find_signed_chain(const hy_log *log, uint32_t target, hy_vec *path,
                                const uint8_t **sig)
{
    const log_actor *act = log_actor_at(log, log_change_at(log, target)->actor);
    if (act->signed_change != HY_LOG_NONE) {
        hy_err err = log_chain_path(log, act->signed_change, target, path);
        if (err != HY_E_NOT_FOUND) {
            *sig = act->sig;
            return err;
        }
    }
    for (size_t i = 0; i < log->branch_sigs.len; i++) {
        const log_branch_sig *b = &HY_VEC_AT(&log->branch_sigs, log_branch_sig, i);
        if (log_change_at(log, b->change)->actor != log_change_at(log, target)->actor)
            continue;
        hy_err err = log_chain_path(log, b->change, target, path);
        if (err != HY_E_NOT_FOUND) {
            *sig = b->sig;
            return err;
        }
    }
    return HY_E_BAD_SIGNATURE; /* no signature covers it: nothing to prove with */
}

hy_err hy_log_equivocation_proof(hy_log *log, size_t i, hy_writer *w)
{
    const hy_allocator *a = &log->cfg.alloc;
    const hy_equivocation *e = &HY_VEC_AT(&log->equivocations, hy_equivocation, i);
    hy_write_bytes(w, PROOF_MAGIC, PROOF_MAGIC_LEN);
    hy_write_varint(w, PROOF_VERSION);
    uint32_t sides[2] = { e->first, e->second };
    hy_vec path;
    hy_vec_init(&path, sizeof(uint32_t));
    hy_writer change;
    hy_writer_init(&change, *a);
    hy_err err = HY_OK;
    for (int side = 0; err == HY_OK && side < 2; side++) {
        const uint8_t *sig = NULL;
        path.len = 0;
        err = find_signed_chain(log, sides[side], &path, &sig);
        if (err)
            break;
        hy_write_varint(w, path.len);
        for (size_t k = 0; err == HY_OK && k < path.len; k++) {
            change.len = 0;
            err = hy_log_encode(log, HY_VEC_AT(&path, uint32_t, k), &change);
            hy_write_varint(w, change.len);
            hy_write_bytes(w, change.data, change.len);
        }
        hy_write_bytes(w, sig, HY_SIG_LEN);
    }
    hy_vec_free(&path, a);
    hy_writer_free(&change);
    return err ? err : w->err;
}

/* Reads one side: a chain of one actor's changes, each naming the one before, ending in a
 * signed change. Gives the actor, the first change's seq and hash. */
static hy_err read_side(hy_reader *r, uint8_t actor[HY_KEY_LEN], bool have_actor,
                        uint64_t *first_seq, uint8_t first_hash[HY_HASH_LEN])
{
    size_t count;
    HY_TRY(hy_read_count(r, 2, &count));
    if (count == 0)
        return HY_E_FORMAT;
    uint8_t prev_hash[HY_HASH_LEN];
    uint64_t prev_seq = 0;
    for (size_t k = 0; k < count; k++) {
        size_t len, at = r->pos;
        const uint8_t *bytes;
        HY_TRY(hy_read_count(r, 1, &len));
        HY_TRY(hy_read_view(r, len, &bytes));
        hy_change c;
        size_t offset = 0;
        hy_err err = hy_change_decode(&c, bytes, len, &offset);
        if (err) {
            r->pos = r->pos - len + offset;
            return err;
        }
        if (have_actor && memcmp(c.actor, actor, HY_KEY_LEN) != 0) {
            r->pos = at;
            return HY_E_FORMAT;
        }
        memcpy(actor, c.actor, HY_KEY_LEN);
        have_actor = true;
        if (k > 0) {
            bool linked = false;
            for (size_t d = 0; d < c.dep_count && !linked; d++)
                linked = memcmp(c.deps + d * HY_HASH_LEN, prev_hash, HY_HASH_LEN) == 0;
            if (!linked || c.seq != prev_seq + 1) {
                r->pos = at;
                return HY_E_SEQ;
            }
        }
        hy_change_hash(bytes, len, prev_hash);
        prev_seq = c.seq;
        if (k == 0) {
            *first_seq = c.seq;
            memcpy(first_hash, prev_hash, HY_HASH_LEN);
        }
    }
    const uint8_t *sig;
    size_t at = r->pos;
    HY_TRY(hy_read_view(r, HY_SIG_LEN, &sig));
    hy_err err = log_verify_sig(actor, prev_hash, sig);
    if (err)
        r->pos = at;
    return err;
}

hy_err hy_equivocation_proof_verify(const uint8_t *proof, size_t len,
                                    uint8_t actor[HY_KEY_LEN], size_t *err_offset)
{
    hy_reader r = hy_reader_make(proof, len);
    uint8_t key[HY_KEY_LEN], hashes[2][HY_HASH_LEN];
    uint64_t seqs[2], version;
    const uint8_t *magic;
    hy_err err = hy_read_view(&r, PROOF_MAGIC_LEN, &magic);
    if (err == HY_OK && memcmp(magic, PROOF_MAGIC, PROOF_MAGIC_LEN) != 0) {
        r.pos = 0;
        err = HY_E_FORMAT;
    }
    if (err == HY_OK) {
        size_t at = r.pos;
        err = hy_read_varint(&r, &version);
        if (err == HY_OK && version != PROOF_VERSION) {
            r.pos = at;
            err = HY_E_VERSION;
        }
    }
    for (int side = 0; err == HY_OK && side < 2; side++)
        err = read_side(&r, key, side == 1, &seqs[side], hashes[side]);
    if (err == HY_OK && hy_reader_left(&r) != 0)
        err = HY_E_FORMAT;
    /* The two sides must be two different changes at one seq. */
    if (err == HY_OK &&
        (seqs[0] != seqs[1] || memcmp(hashes[0], hashes[1], HY_HASH_LEN) == 0))
        err = HY_E_FORMAT;
    if (err) {
        if (err_offset)
            *err_offset = r.pos;
        return err;
    }
    if (actor)
        memcpy(actor, key, HY_KEY_LEN);
    return HY_OK;
}

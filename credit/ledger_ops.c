/* The ledger's op encoding (docs/ledger.md, "Ops"). */
#include "ledger_ops.h"

#include "blake3.h"
#include "try.h"

#include <string.h>

/* Amounts and limits: canonical varints within their range. */
static hy_err read_amount(hy_reader *r, int64_t min, int64_t *out)
{
    uint64_t v;
    HY_TRY(hy_read_varint(r, &v));
    if (v < (uint64_t)min || v > (uint64_t)HY_AMOUNT_MAX)
        return HY_E_TOO_LARGE;
    *out = (int64_t)v;
    return HY_OK;
}

static hy_err read_frontier(hy_reader *r, ledger_op *op)
{
    HY_TRY(hy_read_count(r, HY_HASH_LEN, &op->frontier_count));
    if (op->frontier_count == 0 || op->frontier_count > LEDGER_MAX_FRONTIER)
        return HY_E_TOO_LARGE;
    HY_TRY(hy_read_view(r, op->frontier_count * HY_HASH_LEN, &op->frontier));
    for (size_t i = 1; i < op->frontier_count; i++)
        if (memcmp(op->frontier + (i - 1) * HY_HASH_LEN, op->frontier + i * HY_HASH_LEN,
                   HY_HASH_LEN) >= 0)
            return HY_E_FORMAT;
    return HY_OK;
}

static hy_err decode(hy_reader *r, ledger_op *op)
{
    const uint8_t *mark;
    HY_TRY(hy_read_view(r, sizeof LEDGER_OP_MARK - 1, &mark));
    if (memcmp(mark, LEDGER_OP_MARK, sizeof LEDGER_OP_MARK - 1) != 0)
        return HY_E_FORMAT;
    uint8_t kind;
    HY_TRY(hy_read_u8(r, &kind));
    op->kind = (ledger_kind)kind;
    switch (kind) {
    case OP_OPEN:
        return read_amount(r, 0, &op->amount);
    case OP_GRANT:
    case OP_SPEND:
        HY_TRY(hy_read_view(r, HY_KEY_LEN, &op->account));
        HY_TRY(hy_read_view(r, HY_KEY_LEN, &op->other));
        return read_amount(r, 1, &op->amount);
    case OP_LIMIT:
        HY_TRY(hy_read_view(r, HY_KEY_LEN, &op->account));
        return read_amount(r, 0, &op->amount);
    case OP_CHECKPOINT:
        HY_TRY(hy_read_varint(r, &op->epoch));
        if (op->epoch == 0)
            return HY_E_FORMAT;
        HY_TRY(read_frontier(r, op));
        HY_TRY(hy_read_view(r, HY_HASH_LEN, &op->state));
        return hy_read_view(r, HY_SIG_LEN, &op->sig);
    default:
        return HY_E_FORMAT;
    }
}

hy_err ledger_op_decode(const uint8_t *ops, size_t len, ledger_op *op)
{
    memset(op, 0, sizeof *op);
    hy_reader r = hy_reader_make(ops, len);
    HY_TRY(decode(&r, op));
    return hy_reader_left(&r) ? HY_E_FORMAT : HY_OK;
}

void ledger_op_encode(const ledger_op *op, hy_writer *w)
{
    hy_write_bytes(w, LEDGER_OP_MARK, sizeof LEDGER_OP_MARK - 1);
    hy_write_u8(w, (uint8_t)op->kind);
    switch (op->kind) {
    case OP_OPEN:
        hy_write_varint(w, (uint64_t)op->amount);
        break;
    case OP_GRANT:
    case OP_SPEND:
        hy_write_bytes(w, op->account, HY_KEY_LEN);
        hy_write_bytes(w, op->other, HY_KEY_LEN);
        hy_write_varint(w, (uint64_t)op->amount);
        break;
    case OP_LIMIT:
        hy_write_bytes(w, op->account, HY_KEY_LEN);
        hy_write_varint(w, (uint64_t)op->amount);
        break;
    case OP_CHECKPOINT:
        hy_write_varint(w, op->epoch);
        hy_write_varint(w, op->frontier_count);
        hy_write_bytes(w, op->frontier, op->frontier_count * HY_HASH_LEN);
        hy_write_bytes(w, op->state, HY_HASH_LEN);
        hy_write_bytes(w, op->sig, HY_SIG_LEN);
        break;
    }
}

void ledger_checkpoint_digest(const uint8_t ledger_id[HY_HASH_LEN], uint64_t epoch,
                              const uint8_t *frontier, size_t frontier_count,
                              const uint8_t state[HY_HASH_LEN], uint8_t out[HY_HASH_LEN])
{
    hy_blake3_hasher h;
    hy_blake3_init_derive_key(&h, "hypha ledger checkpoint 1");
    uint8_t buf[2 * HY_VARINT_MAX_LEN];
    size_t n = hy_varint_put(buf, epoch);
    n += hy_varint_put(buf + n, frontier_count);
    hy_blake3_update(&h, ledger_id, HY_HASH_LEN);
    hy_blake3_update(&h, buf, n);
    hy_blake3_update(&h, frontier, frontier_count * HY_HASH_LEN);
    hy_blake3_update(&h, state, HY_HASH_LEN);
    hy_blake3_final(&h, out, HY_HASH_LEN);
}

void ledger_checkpoint_msg(uint8_t msg[LEDGER_CHECKPOINT_MSG_LEN],
                           const uint8_t digest[HY_HASH_LEN])
{
    memcpy(msg, LEDGER_CHECKPOINT_CONTEXT, sizeof(LEDGER_CHECKPOINT_CONTEXT) - 1);
    memcpy(msg + sizeof(LEDGER_CHECKPOINT_CONTEXT) - 1, digest, HY_HASH_LEN);
}

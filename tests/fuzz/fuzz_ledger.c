/* Arbitrary bytes against the credit ledger. The first byte picks the target:
 *   0  ledger_op_decode: what it accepts re-encodes to the same bytes
 *   1  a member's replica of a ledger with an account, a grant and a spend; the rest is ops,
 *      each behind a 2-byte little-endian length, committed as the member's changes, so that
 *      each goes through the derived state, the checkpoint checks and the audit
 *   2  the rest merged into such a replica as a change batch from a peer
 * Never a crash or leak; balances sum to 0 whatever was applied; the audit and a checkpoint
 * run on what is left. */
#include "fuzz.h"

#include "ledger_fixture.h"
#include "ledger_ops.h"
#include "store_owner.h"

#include <string.h>

static void fuzz_decode(const uint8_t *data, size_t size)
{
    ledger_op op;
    if (ledger_op_decode(data, size, &op) != HY_OK)
        return;
    hy_writer w;
    hy_writer_init(&w, hy_allocator_default());
    ledger_op_encode(&op, &w);
    FUZZ_CHECK(w.err == HY_OK && w.len == size && memcmp(w.data, data, size) == 0);
    hy_writer_free(&w);
}

static void check_ledger(hy_ledger *l)
{
    int64_t sum = 0;
    for (size_t i = 0; i < hy_ledger_account_count(l); i++) {
        hy_account_info info;
        FUZZ_CHECK(hy_ledger_account(l, hy_ledger_account_key(l, i), &info) == HY_OK);
        sum += info.balance;
    }
    FUZZ_CHECK(sum == 0);
    hy_audit *audit;
    FUZZ_CHECK(hy_ledger_audit(l, &audit) == HY_OK);
    for (size_t i = 0; i < hy_audit_count(audit); i++)
        FUZZ_CHECK(hy_audit_get(audit, i)->kind >= HY_FINDING_OVERDRAFT &&
                   hy_audit_get(audit, i)->kind <= HY_FINDING_INVALID_OP);
    hy_audit_free(audit);
    hy_err err = hy_ledger_checkpoint(l, 0, NULL);
    FUZZ_CHECK(err == HY_OK || err == HY_E_NOT_FOUND || err == HY_E_LIMIT);
    hy_checkpoint_info info;
    hy_ledger_checkpoint_status(l, &info);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    uint8_t mode = data[0] % 3;
    data++;
    size--;
    if (mode == 0) {
        fuzz_decode(data, size);
        return 0;
    }
    ledger_world w;
    ledger_world_init(&w, 4, 100, 1);
    ledger_replica r;
    FUZZ_CHECK(ledger_replica_open(&r, &w, w.member_seed[0], 5) == HY_OK);
    uint8_t device[HY_KEY_LEN] = { 1 }, payee[HY_KEY_LEN] = { 2 };
    FUZZ_CHECK(hy_ledger_open_account(r.ledger, 100) == HY_OK);
    FUZZ_CHECK(hy_ledger_grant(r.ledger, r.key, device, 30) == HY_OK);
    FUZZ_CHECK(hy_ledger_spend(r.ledger, r.key, payee, 20) == HY_OK);
    if (mode == 1) {
        while (size >= 2) {
            size_t len = (size_t)data[0] | (size_t)data[1] << 8;
            data += 2;
            size -= 2;
            if (len > size)
                len = size;
            if (len > 0)
                FUZZ_CHECK(hy_store_commit_owned(r.store, data, len, NULL) == HY_OK);
            data += len;
            size -= len;
        }
    } else {
        hy_store_merge(r.store, data, size);
    }
    check_ledger(r.ledger);
    ledger_replica_close(&r);
    return 0;
}

/* The trace loader on arbitrary bytes: it never reads out of bounds and never leaks; a
 * failure always comes with a message; whatever it accepts is structurally sound as
 * trace_file.h promises, and a sequential one replays without crashing. */
#include "fuzz.h"

#include <string.h>

#include "test_alloc.h"
#include "trace_file.h"

static void check_sound(const hy_trace *t)
{
    FUZZ_CHECK(t->start_content + t->start_len <= t->text + t->text_len);
    FUZZ_CHECK(t->end_content + t->end_len <= t->text + t->text_len);
    for (size_t i = 0; i < t->txn_count; i++) {
        const hy_trace_txn *txn = &t->txns[i];
        FUZZ_CHECK(txn->first_patch + (size_t)txn->patch_count <= t->patch_count);
        FUZZ_CHECK(txn->first_parent + (size_t)txn->parent_count <= t->parent_count);
        FUZZ_CHECK(txn->agent < t->agent_count);
        for (uint32_t k = 0; k < txn->parent_count; k++)
            FUZZ_CHECK(t->parents[txn->first_parent + k] < i);
    }
    for (size_t i = 0; i < t->patch_count; i++)
        FUZZ_CHECK(t->patches[i].ins_start + (size_t)t->patches[i].ins_len <= t->text_len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hy_test_alloc counts;
    hy_trace *trace = NULL;
    char err[256] = "";
    hy_err result = hy_trace_parse(data, size, hy_test_allocator(&counts), &trace, err, sizeof err);
    if (result != HY_OK) {
        FUZZ_CHECK(trace == NULL && strncmp(err, "trace: ", 7) == 0 && strlen(err) > 7);
        FUZZ_CHECK(counts.live_bytes == 0);
        return 0;
    }
    check_sound(trace);
    if (trace->kind == HY_TRACE_SEQUENTIAL) {
        size_t final_len;
        hy_err replayed = hy_trace_replay(trace, &final_len, err, sizeof err);
        FUZZ_CHECK(replayed == HY_OK || replayed == HY_E_FORMAT);
    }
    hy_trace_free(trace);
    FUZZ_CHECK(counts.live_bytes == 0);
    return 0;
}

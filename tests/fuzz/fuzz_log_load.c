/* Loading a saved log from arbitrary bytes: errors carry an offset inside the input; a log
 * that loads saves a log that loads again with the same changes and heads. */
#include "fuzz.h"

#include "log.h"

#include <string.h>

static void same_heads(const hy_log *a, const hy_log *b)
{
    FUZZ_CHECK(hy_log_count(a) == hy_log_count(b));
    FUZZ_CHECK(hy_log_head_count(a) == hy_log_head_count(b));
    for (uint32_t i = 0; i < hy_log_head_count(a); i++) {
        hy_log_entry x, y;
        hy_log_get(a, hy_log_head(a, i), &x);
        hy_log_get(b, hy_log_head(b, i), &y);
        FUZZ_CHECK(memcmp(x.hash, y.hash, HY_HASH_LEN) == 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hy_log_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.alloc = hy_allocator_default();
    hy_log *log = NULL, *again = NULL;
    size_t offset = SIZE_MAX;
    hy_err err = hy_log_load(&cfg, data, size, &log, &offset);
    if (err) {
        FUZZ_CHECK(offset <= size);
        return 0;
    }
    hy_writer w;
    hy_writer_init(&w, cfg.alloc);
    FUZZ_CHECK(hy_log_save(log, &w) == HY_OK);
    FUZZ_CHECK(hy_log_load(&cfg, w.data, w.len, &again, NULL) == HY_OK);
    same_heads(log, again);
    hy_writer_free(&w);
    hy_log_free(log);
    hy_log_free(again);
    return 0;
}

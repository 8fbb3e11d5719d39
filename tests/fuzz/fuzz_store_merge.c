/* Applying an arbitrary change batch to a store that already holds state: never a crash,
 * and the store stays usable (it still takes a local edit and saves). */
#include "fuzz.h"

#include "hypha.h"
#include "store_fixture.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    test_platform p;
    hy_store_config cfg = fixture_store_config(&p, hy_allocator_default(), 2);
    hy_store *s;
    FUZZ_CHECK(hy_store_new(&cfg, &s) == HY_OK);
    hy_value v = { .type = HY_TYPE_INT, .as.integer = 1 };
    FUZZ_CHECK(hy_put(s, "tasks", "a", "title", &v) == HY_OK);
    hy_store_merge(s, data, size);
    FUZZ_CHECK(hy_counter_add(s, "tasks", "a", "votes", 1) == HY_OK ||
               hy_counter_add(s, "tasks", "b", "votes", 1) == HY_OK);
    uint8_t *saved;
    size_t len;
    FUZZ_CHECK(hy_store_save(s, &saved, &len) == HY_OK);
    hy_store_buffer_free(s, saved, len);
    hy_store_free(s);
    return 0;
}

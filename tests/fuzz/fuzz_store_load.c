/* Loading a store from arbitrary bytes (a snapshot): an error with an offset inside the
 * input, or a store that saves and loads again. */
#include "fuzz.h"

#include "hypha.h"
#include "store_fixture.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    test_platform p;
    hy_store_config cfg = fixture_store_config(&p, hy_allocator_default(), 1);
    hy_store *s = NULL, *again = NULL;
    size_t offset = SIZE_MAX;
    if (hy_store_load(&cfg, data, size, &s, &offset) != HY_OK) {
        FUZZ_CHECK(offset <= size);
        return 0;
    }
    uint8_t *saved;
    size_t len;
    FUZZ_CHECK(hy_store_save(s, &saved, &len) == HY_OK);
    FUZZ_CHECK(hy_store_load(&cfg, saved, len, &again, NULL) == HY_OK);
    hy_store_buffer_free(s, saved, len);
    hy_store_free(s);
    hy_store_free(again);
    return 0;
}

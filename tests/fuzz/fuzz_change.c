/* The change decoder on arbitrary bytes: it never reads out of bounds, reports an offset
 * inside the input, and whatever it accepts re-encodes to exactly the same bytes. */
#include "fuzz.h"

#include "change.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hy_change c;
    size_t offset = SIZE_MAX;
    hy_err err = hy_change_decode(&c, data, size, &offset);
    if (err) {
        FUZZ_CHECK(offset <= size);
        return 0;
    }
    hy_writer w;
    hy_writer_init(&w, hy_allocator_default());
    FUZZ_CHECK(hy_change_encode(&w, &c) == HY_OK);
    FUZZ_CHECK(w.len == size && memcmp(w.data, data, size) == 0);
    hy_writer_free(&w);
    return 0;
}

/* The DEFLATE decoder on arbitrary bytes: it never reads or writes out of bounds, answers
 * only with the errors its contract names (leaving the output as it was), stays within its
 * output bound, and whatever it decodes our compressor compresses to a stream that decodes
 * back to the same bytes. */
#include "fuzz.h"

#include "deflate.h"

#include <string.h>

#define MAX_OUT (1 << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hy_allocator al = hy_allocator_default();
    hy_writer out;
    hy_writer_init(&out, al);
    hy_write_u8(&out, 0x55); /* earlier output that matches must not reach */
    size_t consumed = SIZE_MAX;
    hy_err err = hy_inflate(data, size, &out, MAX_OUT, &consumed);
    if (err) {
        FUZZ_CHECK(err == HY_E_FORMAT || err == HY_E_TRUNCATED || err == HY_E_TOO_LARGE);
        FUZZ_CHECK(out.len == 1 && consumed == SIZE_MAX);
        hy_writer_free(&out);
        return 0;
    }
    FUZZ_CHECK(consumed <= size && out.len - 1 <= MAX_OUT);
    /* The stream alone decodes the same: nothing after it was read. */
    hy_writer again;
    hy_writer_init(&again, al);
    FUZZ_CHECK(hy_inflate(data, consumed, &again, MAX_OUT, NULL) == HY_OK);
    FUZZ_CHECK(again.len == out.len - 1);
    FUZZ_CHECK(again.len == 0 || memcmp(again.data, out.data + 1, again.len) == 0);

    hy_writer z;
    hy_writer_init(&z, al);
    FUZZ_CHECK(hy_deflate(&al, out.data + 1, out.len - 1, &z) == HY_OK);
    again.len = 0;
    FUZZ_CHECK(hy_inflate(z.data, z.len, &again, out.len - 1, &consumed) == HY_OK);
    FUZZ_CHECK(consumed == z.len && again.len == out.len - 1);
    FUZZ_CHECK(again.len == 0 || memcmp(again.data, out.data + 1, again.len) == 0);
    hy_writer_free(&z);
    hy_writer_free(&again);
    hy_writer_free(&out);
    return 0;
}

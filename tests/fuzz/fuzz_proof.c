/* Equivocation proofs from arbitrary bytes: checked without crashing, offsets in bounds. */
#include "fuzz.h"

#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t offset = SIZE_MAX;
    uint8_t actor[HY_KEY_LEN];
    if (hy_equivocation_proof_verify(data, size, actor, &offset) != HY_OK)
        FUZZ_CHECK(offset <= size);
    return 0;
}

/* Every fuzz target defines this (libFuzzer's entry point). */
#ifndef HY_FUZZ_H
#define HY_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts (so the fuzzer records a crash) when a property the target checks is false. */
#define FUZZ_CHECK(cond)                                                                      \
    do {                                                                                      \
        if (!(cond))                                                                          \
            __builtin_trap();                                                                 \
    } while (0)

#endif

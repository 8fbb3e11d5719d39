/* The one include of every unit test. Natively the tests run under cmocka; under WASI and
 * Emscripten, where cmocka cannot be built (no setjmp in wasi-libc), the same sources compile
 * against our own minimal runner in tests/shim/, which implements the subset used here. */
#ifndef HY_TEST_H
#define HY_TEST_H

#ifdef HY_TEST_SHIM
#include "shim/cmocka_shim.h"
#else
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#endif

#endif

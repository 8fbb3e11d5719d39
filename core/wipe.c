#include "wipe.h"

#include <stdint.h>
#include <string.h>

void hy_wipe(void *p, size_t n)
{
    if (n == 0) {
        return; /* p may be NULL, which memset does not allow even for n = 0 */
    }
#if defined(__GNUC__) || defined(__clang__)
    /* memset is fast, but stores to memory that is dead afterwards may be removed. The empty
     * asm statement claims to read the memory behind p, so the compiler must complete the
     * stores before it (this also holds under link-time optimization). */
    memset(p, 0, n);
    __asm__ __volatile__("" : : "r"(p) : "memory");
#else
    /* Without GNU asm: stores through a volatile lvalue are observable behaviour, so every
     * one of them is emitted. */
    volatile uint8_t *v = (volatile uint8_t *)p;
    while (n > 0) {
        *v++ = 0;
        n--;
    }
#endif
}

/* Zeroing of secrets. */
#ifndef HY_WIPE_H
#define HY_WIPE_H

#include <stddef.h>

/* Zeroes n bytes at p (p may be NULL when n is 0). Unlike memset, the stores cannot be
 * removed by the optimizer as dead, so it is safe on buffers that are about to go out of
 * scope, which is exactly where secrets must be erased. */
void hy_wipe(void *p, size_t n);

#endif

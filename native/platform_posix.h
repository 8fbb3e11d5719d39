/* The platform vtable for POSIX systems: the wall clock and the kernel's random source.
 * Lives outside the portable core, which never touches the operating system itself. */
#ifndef HY_PLATFORM_POSIX_H
#define HY_PLATFORM_POSIX_H

#include "hypha.h"

/* A platform whose now_ms reads CLOCK_REALTIME and whose random_bytes reads getrandom(2).
 * It holds no state (user is NULL), so one value may be shared by any number of threads. */
hy_platform hy_platform_posix(void);

#endif

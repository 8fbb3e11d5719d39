/* The platform vtable for POSIX systems: the wall clock and the kernel's random source.
 * Lives outside the portable core, which never touches the operating system itself. */
#ifndef HY_PLATFORM_POSIX_H
#define HY_PLATFORM_POSIX_H

#include "hypha.h"

/* hy_platform_posix() is declared in hypha.h: the native library exports it. */

#endif

/* What the WASI reactor (hypha.reactor.wasm) exports besides the API of hypha.h. */
#ifndef HYPHA_WASI_H
#define HYPHA_WASI_H

#include "hypha.h"

/* The platform of hy_platform_posix, whose clock and randomness wasi-libc serves through WASI
 * clock_time_get and random_get, as a pointer a host can put in hy_store_config.platform
 * (a struct returned by value would need the host to know the C ABI's convention for it).
 * Never NULL; valid for the module's lifetime. */
HY_API const hy_platform *hy_platform_wasi(void);

#endif

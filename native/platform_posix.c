#include "hypha.h"

#include <sys/random.h>
#include <time.h>

/* The most getentropy returns per call (POSIX.1-2024's GETENTROPY_MAX, which not every C
 * library defines yet). */
enum { ENTROPY_MAX = 256 };

static int64_t posix_now_ms(void *user)
{
    (void)user;
    struct timespec now;
    /* Cannot fail for CLOCK_REALTIME with a valid pointer; 0 is the documented fallback of an
     * informational clock rather than a reason to stop. */
    if (clock_gettime(CLOCK_REALTIME, &now) != 0)
        return 0;
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static hy_err posix_random_bytes(void *user, uint8_t *buf, size_t len)
{
    (void)user;
    /* getentropy rather than getrandom: glibc, musl, the BSDs, macOS and wasi-libc (over WASI
     * random_get) all have it, so this one file is the platform of the native libraries and
     * of the WASI reactor. It fills a whole request or fails (retrying signals itself), but
     * refuses requests over ENTROPY_MAX bytes. */
    while (len > 0) {
        size_t n = len < ENTROPY_MAX ? len : ENTROPY_MAX;
        if (getentropy(buf, n) != 0)
            return HY_E_IO;
        buf += n;
        len -= n;
    }
    return HY_OK;
}

hy_platform hy_platform_posix(void)
{
    hy_platform platform = {
        .version = HY_PLATFORM_VERSION,
        .user = NULL,
        .now_ms = posix_now_ms,
        .random_bytes = posix_random_bytes,
    };
    return platform;
}

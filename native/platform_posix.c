#include "hypha.h"

#include <errno.h>
#include <sys/random.h>
#include <time.h>

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
    /* getrandom may return fewer bytes than asked (requests over 256 bytes) or be interrupted
     * by a signal before returning any: loop until the buffer is full. */
    while (len > 0) {
        ssize_t got = getrandom(buf, len, 0);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            return HY_E_IO;
        }
        buf += got;
        len -= (size_t)got;
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

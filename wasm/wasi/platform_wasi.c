#include "hypha_wasi.h"

const hy_platform *hy_platform_wasi(void)
{
    /* The same stateless vtable every time: refilling it is cheaper than a flag saying it was
     * filled, and a module instance runs one thread. */
    static hy_platform platform;
    platform = hy_platform_posix();
    return &platform;
}

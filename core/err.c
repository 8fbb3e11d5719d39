#include "hypha.h"

const char *hy_err_str(hy_err err)
{
    switch (err) {
    case HY_OK: return "ok";
    case HY_E_NOMEM: return "out of memory";
    case HY_E_INVALID_ARG: return "invalid argument";
    case HY_E_TRUNCATED: return "input truncated";
    case HY_E_VARINT: return "malformed varint";
    case HY_E_TOO_LARGE: return "count or length too large";
    case HY_E_FORMAT: return "malformed input";
    case HY_E_VERSION: return "unknown version";
    case HY_E_HASH_MISMATCH: return "hash mismatch";
    case HY_E_BAD_SIGNATURE: return "bad or missing signature";
    case HY_E_MISSING_DEPS: return "dependencies missing";
    case HY_E_QUEUE_FULL: return "pending queue full";
    case HY_E_EQUIVOCATION: return "equivocation";
    case HY_E_CYCLE: return "dependency cycle";
    case HY_E_NOT_FOUND: return "not found";
    case HY_E_SEQ: return "sequence number out of order";
    case HY_E_IO: return "i/o error";
    case HY_E_LIMIT: return "engine limit exceeded";
    case HY_E_FORBIDDEN: return "not permitted by the store's policy";
    case HY_E_PROTOCOL: return "sync protocol violated";
    case HY_E_CLOSED: return "session closed";
    case HY_E_INSUFFICIENT_ESCROW: return "insufficient escrow";
    }
    return "unknown error";
}

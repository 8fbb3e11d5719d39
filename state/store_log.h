/* The store's change log, for the modules that sync a store (p2p/) or read its history
 * (credit/): they read and query it through core/log.h, but add changes only through
 * hy_store_merge, so the store's state and its subscribers follow. */
#ifndef HY_STORE_LOG_H
#define HY_STORE_LOG_H

#include "hypha.h"
#include "log.h"

hy_log *hy_store_log(hy_store *store);

#endif

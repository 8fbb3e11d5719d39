/* --key SEEDFILE, shared by `hypha node` and the database commands (node_key.c). */
#ifndef HY_NODE_KEY_H
#define HY_NODE_KEY_H

#include <stdbool.h>
#include <stdint.h>

#include "hypha.h"

/* Reads a node key's secret seed from path: 64 hex digits, alone or on the "seed:" line that
 * `hypha keygen` prints. False after printing one error line. */
bool node_read_seed_file(const char *path, uint8_t seed[HY_KEY_LEN]);

#endif

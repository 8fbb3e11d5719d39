/* The wasm32 layouts docs/building.md gives hosts, which place these structs in the module's
 * memory by offset: a change to the header that moves a field fails the build here rather
 * than silently breaking hosts. */
#include "hypha.h"

#include <stddef.h>

_Static_assert(sizeof(hy_store_config) == 28 && offsetof(hy_store_config, alloc.fn) == 0 &&
                   offsetof(hy_store_config, alloc.user) == 4 &&
                   offsetof(hy_store_config, platform) == 8 &&
                   offsetof(hy_store_config, actor_seed) == 12 &&
                   offsetof(hy_store_config, require_signatures) == 16 &&
                   offsetof(hy_store_config, writers) == 20 &&
                   offsetof(hy_store_config, writer_count) == 24,
               "hy_store_config layout");
_Static_assert(sizeof(hy_value) == 16 && offsetof(hy_value, type) == 0 &&
                   offsetof(hy_value, as.bytes.data) == 8 &&
                   offsetof(hy_value, as.bytes.len) == 12,
               "hy_value layout");
_Static_assert(sizeof(hy_patch) == 64 && offsetof(hy_patch, kind) == 0 &&
                   offsetof(hy_patch, collection) == 4 && offsetof(hy_patch, key) == 8 &&
                   offsetof(hy_patch, field) == 12 && offsetof(hy_patch, value) == 16 &&
                   offsetof(hy_patch, delta) == 32 && offsetof(hy_patch, index) == 40 &&
                   offsetof(hy_patch, count) == 44 && offsetof(hy_patch, text) == 48 &&
                   offsetof(hy_patch, text_len) == 52 && offsetof(hy_patch, name) == 56 &&
                   offsetof(hy_patch, index_utf16) == 60,
               "hy_patch layout");

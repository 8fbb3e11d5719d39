/* The wasm32 layouts of the structs that code outside C reads or fills by byte offset: the JS
 * API (values.mjs, patches.mjs, session.mjs's stats and ledger.mjs here) and WASI hosts
 * (docs/building.md, "The WASI reactor"). The browser module (js_exports.c) and the reactor
 * (wasi/abi.c) both include this file, so that a change to include/hypha.h that moves a field
 * fails their build rather than silently breaking those readers. */
#ifndef HY_WASM_LAYOUTS_H
#define HY_WASM_LAYOUTS_H

#include "hypha.h"

#include <stddef.h>

_Static_assert(sizeof(void *) == 4 && sizeof(size_t) == 4, "wasm32 is assumed");
_Static_assert(sizeof(hy_store_config) == 28 && offsetof(hy_store_config, alloc.fn) == 0 &&
                   offsetof(hy_store_config, alloc.user) == 4 &&
                   offsetof(hy_store_config, platform) == 8 &&
                   offsetof(hy_store_config, actor_seed) == 12 &&
                   offsetof(hy_store_config, require_signatures) == 16 &&
                   offsetof(hy_store_config, writers) == 20 &&
                   offsetof(hy_store_config, writer_count) == 24,
               "hy_store_config layout");
_Static_assert(sizeof(hy_value) == 16 && offsetof(hy_value, type) == 0 &&
                   offsetof(hy_value, as) == 8 && offsetof(hy_value, as.bytes.data) == 8 &&
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
/* Seven uint64 in declaration order. */
_Static_assert(sizeof(hy_session_stats) == 56 && offsetof(hy_session_stats, changes_refused) == 48,
               "hy_session_stats layout");
_Static_assert(sizeof(hy_genesis) == 40 && offsetof(hy_genesis, name_len) == 4 &&
                   offsetof(hy_genesis, writers) == 8 && offsetof(hy_genesis, writer_count) == 12 &&
                   offsetof(hy_genesis, readers) == 16 && offsetof(hy_genesis, reader_count) == 20 &&
                   offsetof(hy_genesis, committee) == 24 &&
                   offsetof(hy_genesis, committee_count) == 28 &&
                   offsetof(hy_genesis, credit_limit) == 32,
               "hy_genesis layout");
_Static_assert(sizeof(hy_account_info) == 32 && offsetof(hy_account_info, limit) == 8 &&
                   offsetof(hy_account_info, balance) == 16 &&
                   offsetof(hy_account_info, confirmed_balance) == 24,
               "hy_account_info layout");
_Static_assert(sizeof(hy_checkpoint_info) == 72 && offsetof(hy_checkpoint_info, digest) == 8 &&
                   offsetof(hy_checkpoint_info, signatures) == 40 &&
                   offsetof(hy_checkpoint_info, confirmed_ops) == 48 &&
                   offsetof(hy_checkpoint_info, disputed_ops) == 56 &&
                   offsetof(hy_checkpoint_info, held_ops) == 64,
               "hy_checkpoint_info layout");
_Static_assert(sizeof(hy_finding) == 104 && offsetof(hy_finding, account) == 4 &&
                   offsetof(hy_finding, actor) == 36 && offsetof(hy_finding, deficit) == 72 &&
                   offsetof(hy_finding, epoch) == 80 && offsetof(hy_finding, ops) == 88 &&
                   offsetof(hy_finding, op_count) == 92 && offsetof(hy_finding, proof) == 96 &&
                   offsetof(hy_finding, proof_len) == 100,
               "hy_finding layout");

#endif

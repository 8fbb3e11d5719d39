/* Helpers shared by the change-log tests. */
#ifndef HY_LOG_FIXTURE_H
#define HY_LOG_FIXTURE_H

#include "log.h"
#include "test_alloc.h"

/* A deterministic seed for test actor n. */
void fixture_seed(uint8_t seed[HY_KEY_LEN], unsigned n);
hy_log_config fixture_config(hy_allocator alloc, bool require_signatures);
/* A log whose local actor is test actor n; NULL on failure. */
hy_log *fixture_log(hy_allocator alloc, unsigned actor, bool require_signatures);
/* Commits text as the ops of one change (op_count 1). */
hy_err fixture_commit(hy_log *log, const char *text);
/* Sends every change of from that to lacks (by heads), as one batch signed per actor. */
hy_err fixture_sync(hy_log *from, hy_log *to);
/* Saves log into *data / *len, allocated with the default allocator (free with
 * fixture_free). */
hy_err fixture_save(hy_log *log, uint8_t **data, size_t *len);
void fixture_free(uint8_t *data, size_t len);

#endif

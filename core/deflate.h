/* Raw DEFLATE (RFC 1951): no zlib or gzip header, no checksum. Our own, because the portable
 * core builds to WebAssembly and WASI without libraries (docs/decisions.md). */
#ifndef HY_DEFLATE_H
#define HY_DEFLATE_H

#include "bytes.h"

/* Appends the compressed form of in[0..len) to out. The working set (hash chains over a
 * 32 KiB window, one block of symbols: about 300 KB at most) comes from a and is freed before
 * returning. The output depends only on the input. On an error out keeps its length on entry
 * (HY_E_NOMEM: from a, or out's sticky error). */
hy_err hy_deflate(const hy_allocator *a, const uint8_t *in, size_t len, hy_writer *out);

/* Decodes one raw DEFLATE stream from hostile input, appending what it decodes to out.
 * HY_E_FORMAT when the stream breaks RFC 1951 (or uses a code it forbids), HY_E_TRUNCATED
 * when the input ends inside it, HY_E_TOO_LARGE when it would decode to more than max_out
 * bytes, HY_E_NOMEM when out cannot grow; on any error out keeps its length on entry. On
 * success *consumed (when not NULL) is the number of input bytes the stream took, its last
 * partial byte included: whatever follows is not the stream's. Needs no allocation besides
 * out's and a few KB of stack. */
hy_err hy_inflate(const uint8_t *in, size_t len, hy_writer *out, size_t max_out,
                  size_t *consumed);

#endif

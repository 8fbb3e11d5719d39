/* Sync frames built and read by hand from docs/protocol.md, for tests that play a peer (honest
 * or hostile) or count what crosses a link. Independent of p2p/: if the two disagree about a
 * byte, a test says so. */
#ifndef HY_WIRE_H
#define HY_WIRE_H

#include "bytes.h"
#include "hypha.h"
#include "log.h"

#include <stdbool.h>

enum wire_type {
    WIRE_HELLO = 1,
    WIRE_AUTH = 2,
    WIRE_SYNC = 3,
    WIRE_CHANGES = 4,
    WIRE_NEED = 5,
    WIRE_ERROR = 6,
};

/* Frames are built into a hy_writer (default allocator); a sticky error is the caller's to
 * check (tests assert w.err == HY_OK once). */

/* Appends a frame: type, varint length, payload. */
void wire_frame(hy_writer *w, uint8_t type, const uint8_t *payload, size_t len);
/* Appends a frame header announcing len payload bytes, and nothing else. */
void wire_frame_header(hy_writer *w, uint8_t type, uint64_t len);

/* Payloads. */
void wire_hello(hy_writer *w, uint64_t version, const uint8_t key[HY_KEY_LEN],
                const uint8_t nonce[HY_NONCE_LEN], const uint8_t store_id[HY_HASH_LEN]);
/* What AUTH signs: BLAKE3("hypha auth v1" || own HELLO payload || peer's HELLO payload). */
void wire_auth_digest(uint8_t digest[HY_HASH_LEN], const uint8_t *own_hello, size_t own_len,
                      const uint8_t *peer_hello, size_t peer_len);
/* The AUTH signature: seed signs that digest. */
void wire_auth_sig(uint8_t sig[HY_SIG_LEN], const uint8_t seed[HY_KEY_LEN],
                   const uint8_t *own_hello, size_t own_len, const uint8_t *peer_hello,
                   size_t peer_len);
/* heads: count hashes as given (the caller orders them); vv: vv_count entries of a key and a
 * seq. */
void wire_sync(hy_writer *w, uint8_t flags, const uint8_t *heads, size_t head_count,
               const uint8_t *vv_keys, const uint64_t *vv_seqs, size_t vv_count);
/* CHANGES: a batch travels in parts of exactly WIRE_PART data bytes, the last part 1 to
 * WIRE_PART; flags bit 0 (WIRE_LAST) marks the last part. */
#define WIRE_PART 65536
#define WIRE_LAST 0x01
/* A CHANGES payload: flags, the batch number, the part's index in its batch, its data. */
void wire_changes(hy_writer *w, uint8_t flags, uint64_t batch, uint64_t part,
                  const uint8_t *data, size_t len);
/* A decoded CHANGES header (data points into the payload). */
typedef struct wire_changes_view {
    uint8_t flags;
    uint64_t batch, part;
    const uint8_t *data;
    size_t len;
} wire_changes_view;
/* Decodes a CHANGES payload: HY_E_FORMAT for unknown flags or batch 0, else the varint
 * decoder's code. It does not judge the data's length (the caller knows the batch). */
hy_err wire_read_changes(const uint8_t *payload, size_t len, wire_changes_view *out);
void wire_error(hy_writer *w, uint64_t code, const char *message);

/* One frame read from a buffer of whole frames. */
typedef struct wire_view {
    uint8_t type;
    const uint8_t *payload;
    size_t len;
} wire_view;

/* Reads the frame at *at of data[0..len) and advances *at past it: HY_OK, HY_E_NOT_FOUND at
 * the end, or the decoding error. */
hy_err wire_read(const uint8_t *data, size_t len, size_t *at, wire_view *out);

/* A decoded SYNC payload (pointers into it). */
typedef struct wire_sync_view {
    uint8_t flags;
    size_t head_count;
    const uint8_t *heads;
    size_t vv_count;
    const uint8_t *vv; /* vv_count entries: key (32 bytes), varint seq */
} wire_sync_view;
hy_err wire_read_sync(const uint8_t *payload, size_t len, wire_sync_view *out);
/* The code of an ERROR payload; HY_E_FORMAT when the message is over 200 bytes or not
 * UTF-8. */
hy_err wire_read_error(const uint8_t *payload, size_t len, uint64_t *code);

/* The hashes of the changes in a change batch (docs/format.md, "Change batch"): up to cap of
 * them into out (HY_HASH_LEN each); *count is how many the batch holds. */
hy_err wire_batch_hashes(const uint8_t *batch, size_t len, uint8_t *out, size_t cap,
                         size_t *count);
/* Writes a change batch of count encoded changes and sig_count (hash, sig) pairs. */
void wire_batch(hy_writer *w, const hy_bytes *changes, size_t count, const uint8_t *sigs,
                size_t sig_count);

/* Everything a session has queued, drained into out (appended, one frame after another);
 * returns how many frames. */
size_t wire_drain(hy_session *s, hy_writer *out);

/* Hands every frame each session queues to the other, both ways, until both are quiet (a
 * perfect link); returns how many frames crossed. */
size_t wire_pump(hy_session *a, hy_session *b);

/* A hand-played peer: its node key, nonce and the HELLO payloads of both ends. */
typedef struct wire_peer {
    uint8_t seed[HY_KEY_LEN];
    uint8_t key[HY_KEY_LEN];
    uint8_t nonce[HY_NONCE_LEN];
    uint8_t hello[128];
    size_t hello_len;
    uint8_t peer_hello[128];
    size_t peer_hello_len;
} wire_peer;

/* A peer with node key from seed byte n and nonce byte m, greeting store_id. */
void wire_peer_init(wire_peer *p, uint8_t n, uint8_t m, const uint8_t store_id[HY_HASH_LEN]);
/* Notes the session's HELLO payload (the peer's side of the transcript): HY_E_FORMAT when
 * the payload is not a HELLO's size. */
hy_err wire_peer_heard(wire_peer *p, const uint8_t *payload, size_t len);
/* Appends this peer's HELLO frame, then its AUTH frame over the transcript. */
void wire_peer_greet(const wire_peer *p, hy_writer *w);

#endif

/* The sync protocol's frames and messages (docs/protocol.md): encoders that append whole
 * frames to a writer, and decoders that check every byte of a hostile payload and point into
 * it without copying. */
#ifndef HY_P2P_MESSAGES_H
#define HY_P2P_MESSAGES_H

#include "bytes.h"

#include <stdbool.h>

enum {
    MSG_HELLO = 1,
    MSG_AUTH = 2,
    MSG_SYNC = 3,
    MSG_CHANGES = 4,
    MSG_NEED = 5,
    MSG_ERROR = 6,
};

#define PROTOCOL_VERSION 1
#define SYNC_REPLY 0x01     /* SYNC flags: the sender asks for the receiver's SYNC */
#define CHANGES_FINAL 0x01  /* CHANGES flags: the last part of a batch */
#define MAX_HASHES 1024     /* heads per SYNC, hashes per NEED */
#define MAX_BLOOM (1u << 20)
#define MAX_ERROR_TEXT 200
#define HELLO_MAX_LEN (HY_VARINT_MAX_LEN + HY_KEY_LEN + HY_NONCE_LEN + HY_HASH_LEN)
#define VV_ENTRY_MIN (HY_KEY_LEN + 1)
/* Batches travel in parts of exactly this many bytes, the last part up to it. */
#define PART_DATA 65536
/* The smallest max_frame a session takes: a whole part and its header. */
#define MIN_FRAME HY_MIN_MAX_FRAME
_Static_assert(HY_MIN_MAX_FRAME == PART_DATA + 1 + 2 * HY_VARINT_MAX_LEN, "a part fits a frame");

typedef struct msg_hello {
    const uint8_t *node_key, *nonce, *store_id;
} msg_hello;

typedef struct msg_sync {
    uint8_t flags;
    size_t head_count;
    const uint8_t *heads;   /* head_count hashes, strictly ascending */
    size_t vv_count;
    hy_reader vv;           /* vv_count checked entries: key, varint seq >= 1 */
} msg_sync;

typedef struct msg_need {
    size_t hash_count;
    const uint8_t *hashes;
    uint8_t bloom_k;
    size_t bloom_len;
    const uint8_t *bloom;
} msg_need;

/* A frame split off the front of a transport message. */
typedef struct msg_frame {
    uint8_t type;
    const uint8_t *payload;
    size_t len;
} msg_frame;

/* Reads the next frame of r: HY_E_TOO_LARGE when its payload exceeds max_frame. */
hy_err msg_next_frame(hy_reader *r, size_t max_frame, msg_frame *out);
/* Appends a frame header; the caller writes exactly len payload bytes after it. */
void msg_frame_header(hy_writer *w, uint8_t type, size_t len);

void msg_write_hello(hy_writer *w, const uint8_t payload[HELLO_MAX_LEN], size_t len);
/* The HELLO payload for this end (returns its length; out holds HELLO_MAX_LEN bytes). */
size_t msg_hello_payload(uint8_t *out, const uint8_t node_key[HY_KEY_LEN],
                         const uint8_t nonce[HY_NONCE_LEN], const uint8_t store_id[HY_HASH_LEN]);
/* HY_E_VERSION for another protocol version; the payload must be exactly a HELLO. */
hy_err msg_read_hello(const msg_frame *f, msg_hello *out);

hy_err msg_read_auth(const msg_frame *f, const uint8_t **sig);
hy_err msg_read_sync(const msg_frame *f, msg_sync *out);
/* The next entry of a decoded SYNC's version vector. */
void msg_sync_vv_next(msg_sync *s, const uint8_t **key, uint64_t *seq);
hy_err msg_read_changes(const msg_frame *f, uint8_t *flags, const uint8_t **data, size_t *len);
hy_err msg_read_need(const msg_frame *f, msg_need *out);
hy_err msg_read_error(const msg_frame *f, uint64_t *code, const uint8_t **text, size_t *len);

void msg_write_error(hy_writer *w, hy_err code, const char *text);

#endif

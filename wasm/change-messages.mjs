// The messages of the provisional change broadcast (docs/js.md, "The change broadcast"), which
// carries changes between stores until the sync protocol of issue 5 replaces it. One message is
// one BroadcastChannel message or one binary WebSocket frame:
//   byte 0     format: 0, the provisional change broadcast
//   byte 1     kind: HELLO 1, HEADS 2, CHANGES 3
//   HELLO, HEADS: 32-byte change hashes, as many as fit (none is valid)
//   CHANGES: one change batch (docs/format.md) up to the end
const FORMAT = 0;
const HEADER_LENGTH = 2;
const HASH_LENGTH = 32;

export const Kind = Object.freeze({ HELLO: 1, HEADS: 2, CHANGES: 3 });

/** A message of the change broadcast that does not decode. */
export class TransportError extends Error {
  static { this.prototype.name = 'TransportError'; } // where the built-in errors have theirs
}

/** HELLO or HEADS naming these 32-byte hashes. */
export function encodeHashes(kind, hashes) {
  const message = new Uint8Array(HEADER_LENGTH + hashes.length * HASH_LENGTH);
  message.set([FORMAT, kind]);
  hashes.forEach((hash, i) => message.set(hash, HEADER_LENGTH + i * HASH_LENGTH));
  return message;
}

export function encodeChanges(batch) {
  const message = new Uint8Array(HEADER_LENGTH + batch.length);
  message.set([FORMAT, Kind.CHANGES]);
  message.set(batch, HEADER_LENGTH);
  return message;
}

/** { kind, hashes } or { kind, batch } (views into bytes); null for a message of another
 * format, which a newer protocol may send; a TransportError when it is malformed. */
export function decode(bytes) {
  if (bytes.length < HEADER_LENGTH) throw new TransportError(`a message of ${bytes.length} bytes`);
  if (bytes[0] !== FORMAT) return null;
  const [kind, body] = [bytes[1], bytes.subarray(HEADER_LENGTH)];
  if (kind === Kind.CHANGES) return { kind, batch: body };
  if (kind !== Kind.HELLO && kind !== Kind.HEADS)
    throw new TransportError(`unknown message kind ${kind}`);
  if (body.length % HASH_LENGTH !== 0)
    throw new TransportError(`hashes of ${body.length} bytes, not a multiple of ${HASH_LENGTH}`);
  const hashes = Array.from({ length: body.length / HASH_LENGTH },
                            (_, i) => body.subarray(i * HASH_LENGTH, (i + 1) * HASH_LENGTH));
  return { kind, hashes };
}

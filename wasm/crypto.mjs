// The core's hashing and signatures: BLAKE3 and Ed25519 (docs/crypto.md).
import { checkBytes } from './args.mjs';
import { alloc, frame, pushBytes, readBytes } from './heap.mjs';
import { wasm } from './loader.mjs';

const HASH_LEN = 32, KEY_LEN = 32, SIG_LEN = 64;

/** BLAKE3 of data: 32 bytes. */
export function hash(data) {
  checkBytes(data, 'hash', 'data');
  return frame(() => {
    const out = alloc(HASH_LEN, 'hash');
    wasm._hy_hash(pushBytes(data, 'hash'), data.length, out);
    return readBytes(out, HASH_LEN);
  });
}

/** The Ed25519 public key of a 32-byte secret seed. */
export function publicKey(seed) {
  checkBytes(seed, 'publicKey', 'seed', KEY_LEN);
  return frame(() => {
    const out = alloc(KEY_LEN, 'publicKey');
    wasm._hy_key_public(out, pushBytes(seed, 'publicKey'));
    return readBytes(out, KEY_LEN);
  });
}

/** The 64-byte Ed25519 signature of message by seed's key. */
export function sign(seed, message) {
  checkBytes(seed, 'sign', 'seed', KEY_LEN);
  checkBytes(message, 'sign', 'message');
  return frame(() => {
    const out = alloc(SIG_LEN, 'sign');
    wasm._hy_sign(out, pushBytes(seed, 'sign'), pushBytes(message, 'sign'), message.length);
    return readBytes(out, SIG_LEN);
  });
}

/** Whether signature is a valid signature of message by publicKey. */
export function verify(signature, publicKey, message) {
  checkBytes(signature, 'verify', 'signature', SIG_LEN);
  checkBytes(publicKey, 'verify', 'publicKey', KEY_LEN);
  checkBytes(message, 'verify', 'message');
  return frame(() => wasm._hy_verify(pushBytes(signature, 'verify'), pushBytes(publicKey, 'verify'),
                                     pushBytes(message, 'verify'), message.length) === 0);
}

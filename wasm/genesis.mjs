// A store's genesis: its name and policy in canonical bytes, whose BLAKE3 hash is the store id
// that sync peers meet on (docs/protocol.md, "Genesis").
import { checkAmount, checkBytes, checkName, show } from './args.mjs';
import { check, checkAt, invalid } from './errors.mjs';
import { alloc, frame, pushBytes, pushUtf8, readBytes, readU32 } from './heap.mjs';
import { wasm } from './loader.mjs';

const KEY_LEN = 32, HASH_LEN = 32;

/** Packs a list of 32-byte keys into the frame: [pointer, count]. */
function pushKeys(keys, where, what) {
  if (keys === undefined) return [0, 0];
  if (!Array.isArray(keys)) invalid(where, `${what} must be an array, got ${show(keys)}`);
  const at = alloc(keys.length * KEY_LEN, where);
  keys.forEach((key, i) => wasm.HEAPU8.set(checkBytes(key, where, `${what}[${i}]`, KEY_LEN),
                                           at + i * KEY_LEN));
  return [at, keys.length];
}

/**
 * The canonical genesis of a store: `name` (1 to 255 bytes of UTF-8), `writers` (the 32-byte
 * actor keys that may author changes) and `readers` (the node keys that may open a sync
 * session); an absent or empty list means anyone. Key order does not matter; a key listed
 * twice is INVALID_ARG. A credit ledger's (ledger.mjs) also names its checkpoint `committee`
 * (3f + 1 keys, f >= 1) and the `creditLimit` an account gets without the committee's leave
 * (0 to 2^53 - 1, default 0); its bytes are a version-2 genesis.
 */
export function genesis(policy) {
  if (policy === null || typeof policy !== 'object')
    invalid('genesis', `policy must be an object, got ${show(policy)}`);
  const { name, writers, readers, committee, creditLimit = 0 } = policy;
  checkName(name, 'genesis', 'name');
  const limit = checkAmount(creditLimit, 'genesis', 'creditLimit', 0);
  return frame(() => {
    const [utf8, length] = pushUtf8(name, 'genesis');
    const lists = Object.entries({ writers, readers, committee });
    const keys = lists.flatMap(([what, list]) => pushKeys(list, 'genesis', what));
    const keyCount = lists.reduce((sum, [, list]) => sum + (list?.length ?? 0), 0);
    // Magic, version, four counts and the limit take at most 4 + 6 * 10 bytes.
    const cap = 64 + length + keyCount * KEY_LEN;
    const [out, written] = [alloc(cap, 'genesis'), alloc(4, 'genesis')];
    check(wasm._hyjs_genesis_encode(utf8, length, ...keys, limit, out, cap, written), 'genesis',
          'a name of 1 to 255 bytes, at most 1024 keys in each list, none twice, a committee ' +
          'of 3f + 1 keys (f >= 1) or none, and a credit limit only with a committee');
    return readBytes(out, readU32(written));
  });
}

/** The store id of a genesis: 32 bytes. Bytes that are not a canonical genesis throw a
 * HyphaError whose `offset` is where they went bad. */
export function storeId(genesisBytes) {
  checkBytes(genesisBytes, 'storeId', 'genesis');
  return frame(() => {
    const [id, offset] = [alloc(HASH_LEN, 'storeId'), alloc(4, 'storeId')];
    checkAt(wasm._hyjs_store_id(pushBytes(genesisBytes, 'storeId'), genesisBytes.length, id,
                                offset), 'storeId', readU32(offset));
    return readBytes(id, HASH_LEN);
  });
}

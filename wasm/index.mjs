// hypha's browser module: a local-first store of CRDT records in WebAssembly (docs/js.md).
import { checkBytes } from './args.mjs';
import { check, invalid } from './errors.mjs';
import { edited, storePointer } from './fields.mjs';
import { alloc, frame, pushBytes, readBytes, readU32 } from './heap.mjs';
import { wasm } from './loader.mjs';
import { followStore, Store, storeChanged, storeClosing } from './store.mjs';

export { hash, publicKey, sign, verify } from './crypto.mjs';
export { ErrorCode, HyphaError } from './errors.mjs';
export { CounterField, ListField, MapField, SetField, TextField } from './fields.mjs';
export { genesis, storeId } from './genesis.mjs';
export { Ledger } from './ledger.mjs';
export { Store } from './store.mjs';
export { Float64 } from './values.mjs';

/** Bytes of the WebAssembly heap in use (what malloc holds), to watch for leaks; it walks the
 * heap (emmalloc's mallinfo), so it is for tests and diagnostics. */
export const heapUsed = () => wasm._hyjs_heap_used() >>> 0;

// hypha/sync (sync.mjs) is a bundle of its own, so that an app that does not sync does not
// download it, yet its sessions must run in this module's one WebAssembly instance: it finds
// what it needs under this key, kept off the public exports.
Object.defineProperty(Store, Symbol.for('hypha.internal'), {
  value: Object.freeze({ wasm, frame, alloc, pushBytes, readBytes, readU32, check, checkBytes,
                         invalid, storePointer, edited, followStore, storeChanged,
                         storeClosing }),
});

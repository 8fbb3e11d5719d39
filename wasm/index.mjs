// hypha's browser module: a local-first store of CRDT records in WebAssembly (docs/js.md).
import { wasm } from './loader.mjs';

export { hash, publicKey, sign, verify } from './crypto.mjs';
export { ErrorCode, HyphaError } from './errors.mjs';
export { CounterField, ListField, MapField, SetField, TextField } from './fields.mjs';
export { Store } from './store.mjs';
export { Float64 } from './values.mjs';

/** Bytes of the WebAssembly heap in use (what malloc holds), to watch for leaks; it walks the
 * heap (emmalloc's mallinfo), so it is for tests and diagnostics. */
export const heapUsed = () => wasm._hyjs_heap_used() >>> 0;

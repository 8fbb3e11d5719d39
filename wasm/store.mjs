// The store: one replicated dataset of records, its transactions, subscriptions, changes and
// persistence. It owns one C hy_store, freed by close() or, as a safety net, when the Store is
// garbage collected.
import { checkBytes, checkFunction, checkPath, pushName, show } from './args.mjs';
import { check, checkAt, ErrorCode, HyphaError, invalid } from './errors.mjs';
import { CounterField, deleted, edited, editField, ListField, MapField, onField, SetField,
  storePointer, TextField, valueOf, valuesOf } from './fields.mjs';
import { alloc, frame, pushBytes, readBytes, readU32 } from './heap.mjs';
import { wasm } from './loader.mjs';
import { readPatches } from './patches.mjs';
import { pushValue } from './values.mjs';

const HASH_LEN = 32;
const KEY_LEN = 32;

// What a C store owns: its pointer, its subscriptions' tokens and the function that frees
// the C object reading its changes (a ledger, ledger.mjs), which borrows the store's pointer
// and so goes first. Kept apart from the Store, which the finalizer must not reach.
function release(native) {
  native.freeOwner?.();
  wasm._hy_store_free(native.pointer);
  native.pointer = 0;
  for (const token of native.tokens) subscribers.delete(token);
}
const finalizer = new FinalizationRegistry(release);

// Subscription tokens (the user pointer of hyjs_subscribe) to their stores, held weakly so
// that a store forgotten with live subscriptions can still be collected.
const subscribers = new Map();
let lastToken = 0;

const construct = Symbol('construct');

/** What hypha/sync's sessions implement to follow a store (Store[followStore]). */
export const storeChanged = Symbol('hypha.storeChanged');
export const storeClosing = Symbol('hypha.storeClosing');
export const followStore = Symbol('hypha.followStore');
/** store[storeOwner](free, where): free() frees the store's ledger (ledger.mjs) before the
 * store; store[storeOwner](null, where) when the ledger is closed on its own. */
export const storeOwner = Symbol('hypha.storeOwner');

/** The options as hyjs_store_new and hyjs_store_load take them, pushed into the frame, and a
 * copy of the genesis for the Store to keep. */
function storeOptions(options, where) {
  if (options === undefined) options = {};
  else if (options === null || typeof options !== 'object')
    invalid(where, `options must be an object, got ${show(options)}`);
  const { actorSeed, requireSignatures = false, genesis } = options;
  if (actorSeed !== undefined) checkBytes(actorSeed, where, 'actorSeed', KEY_LEN);
  if (typeof requireSignatures !== 'boolean')
    invalid(where, `requireSignatures must be a boolean, got ${show(requireSignatures)}`);
  if (genesis !== undefined) checkBytes(genesis, where, 'genesis');
  return {
    args: [actorSeed ? pushBytes(actorSeed, where) : 0, requireSignatures ? 1 : 0,
           genesis ? pushBytes(genesis, where) : 0, genesis?.length ?? 0],
    genesis: genesis?.slice(),
  };
}

/** Copies out and frees a buffer the core returned through (out, out_len). */
function takeBuffer(store, out, length) {
  const [at, bytes] = [readU32(out), readU32(length)];
  try {
    return readBytes(at, bytes);
  } finally {
    wasm._hy_store_buffer_free(store, at, bytes);
  }
}

export class Store {
  #native;
  #genesis;
  #subscriptions = new Map(); // token -> { id: the core's, callback }
  #busy = 0; // transact callbacks and deliveries running: close() must wait for them
  #inTransaction = false;
  // hypha/sync's sessions, held weakly (a forgotten one can still be collected). They are
  // told after commits and merges, once per burst of them (a microtask), so that they push
  // the news; and closed before the store is freed, since they borrow its C pointer.
  #followers = new Set();
  #changeQueued = false;

  /** Use Store.create or Store.load. */
  constructor(key, pointer, genesis) {
    if (key !== construct) invalid('new Store', 'use Store.create() or Store.load()');
    this.#native = { pointer, tokens: new Set(), freeOwner: null };
    this.#genesis = genesis;
    finalizer.register(this, this.#native, this.#native);
  }

  /** A new, empty store. options.actorSeed: the local actor's 32-byte secret seed (default:
   * a fresh one); options.requireSignatures: refuse changes without a valid signature;
   * options.genesis: the store's genesis (genesis()), whose writers alone may author changes. */
  static create(options) {
    return frame(() => {
      const { args, genesis } = storeOptions(options, 'Store.create');
      const out = alloc(4, 'Store.create');
      check(wasm._hyjs_store_new(...args, out), 'Store.create');
      return new Store(construct, readU32(out), genesis);
    });
  }

  /** A store from save()'s bytes, verified; a HyphaError's `offset` says where they went bad. */
  static load(bytes, options) {
    return frame(() => {
      checkBytes(bytes, 'Store.load', 'bytes');
      const { args, genesis } = storeOptions(options, 'Store.load');
      const data = pushBytes(bytes, 'Store.load');
      const [out, offset] = [alloc(4, 'Store.load'), alloc(4, 'Store.load')];
      wasm.HEAPU32[offset >>> 2] = 0; // for the errors that name no offset
      checkAt(wasm._hyjs_store_load(...args, data, bytes.length, out, offset), 'Store.load',
              readU32(offset));
      return new Store(construct, readU32(out), genesis);
    });
  }

  [storePointer](where) {
    if (!this.#native.pointer) invalid(where, 'the store is closed');
    return this.#native.pointer;
  }

  /** Frees the store's WebAssembly memory; later calls throw. Closing twice does nothing. */
  close() {
    if (!this.#native.pointer) return;
    if (this.#busy) invalid('close', 'not inside transact() or a subscription callback');
    for (const follower of this.#followers) follower.deref()?.[storeClosing]();
    this.#followers.clear();
    finalizer.unregister(this.#native);
    release(this.#native);
    this.#subscriptions.clear();
  }

  get closed() { return this.#native.pointer === 0; }

  /** The local actor's 32-byte public key. */
  get actor() { return readBytes(wasm._hy_store_actor(this[storePointer]('actor')), KEY_LEN); }

  /** The genesis the store was made with (a copy), or undefined. */
  get genesis() { return this.#genesis?.slice(); }

  [storeOwner](free, where) {
    // The core cannot let go of a ledger while a transaction is open.
    if (this.#inTransaction) invalid(where, 'not inside transact()');
    this.#native.freeOwner = free;
  }

  [followStore](follower) {
    const ref = new WeakRef(follower);
    this.#followers.add(ref);
    return () => this.#followers.delete(ref);
  }

  [edited]() {
    if (this.#inTransaction || this.#changeQueued || this.#followers.size === 0) return;
    this.#changeQueued = true;
    queueMicrotask(() => {
      this.#changeQueued = false;
      for (const follower of this.#followers) follower.deref()?.[storeChanged]();
    });
  }

  // ---- registers ----

  put(collection, key, field, value) {
    editField(this, checkPath('put', collection, key, field), 'put', (s, c, k, f) =>
      check(wasm._hy_put(s, c, k, f, pushValue(value, 'put')), 'put'));
  }

  /** The winning value; undefined when the field is unset or removed. */
  get(collection, key, field) {
    return onField(this, checkPath('get', collection, key, field), 'get', (s, c, k, f) =>
      valueOf('get', (out) => wasm._hy_get(s, c, k, f, out)));
  }

  /** Every current value, the winner first (more than one after concurrent writes). */
  conflicts(collection, key, field) {
    const path = checkPath('conflicts', collection, key, field);
    return onField(this, path, 'conflicts', (s, c, k, f) =>
      valuesOf('conflicts', wasm._hy_get_conflicts(s, c, k, f),
               (i, out) => wasm._hy_get_conflict(s, c, k, f, i, out)));
  }

  /** Removes what this replica sees of a field of any type (hy_remove); false when there was
   * nothing to remove. */
  remove(collection, key, field) {
    return editField(this, checkPath('remove', collection, key, field), 'remove', (s, c, k, f) =>
      deleted('remove', wasm._hy_remove(s, c, k, f)));
  }

  // ---- handles on fields of the other types ----

  counter(collection, key, field) { return new CounterField(this, collection, key, field); }
  text(collection, key, field) { return new TextField(this, collection, key, field); }
  list(collection, key, field) { return new ListField(this, collection, key, field); }
  set(collection, key, field) { return new SetField(this, collection, key, field); }
  map(collection, key, field) { return new MapField(this, collection, key, field); }

  // ---- transactions ----

  /** Runs fn(store) as one transaction: its edits become one change when it returns, and
   * none of them happened when it throws (the error is rethrown). fn must be synchronous;
   * transactions do not nest. Returns what fn returns. */
  transact(fn) {
    checkFunction(fn, 'transact', 'fn');
    const store = this[storePointer]('transact');
    const err = wasm._hy_txn_begin(store);
    if (err !== 0) throw new HyphaError(err, 'transact', 'a transaction is open already');
    let result;
    this.#busy++;
    this.#inTransaction = true;
    try {
      result = fn(this);
      if (typeof result?.then === 'function')
        invalid('transact', 'fn returned a promise: a transaction ends when fn returns');
    } catch (error) {
      wasm._hy_txn_rollback(store);
      throw error;
    } finally {
      this.#busy--;
      this.#inTransaction = false;
    }
    check(wasm._hy_txn_commit(store), 'transact');
    this[edited]();
    return result;
  }

  // ---- subscriptions ----

  /** Calls callback(patches) after each commit or merge that changed a field under the
   * filter ({collection, key, field}, each optional). Returns the function that ends it, which
   * may be called at any time, also inside a callback, and more than once. */
  subscribe(filter, callback) {
    if (typeof filter === 'function' && callback === undefined) [filter, callback] = [{}, filter];
    checkFunction(callback, 'subscribe', 'callback');
    if (filter === null || typeof filter !== 'object')
      invalid('subscribe', `filter must be an object, got ${show(filter)}`);
    const token = ++lastToken;
    const id = frame(() => {
      const store = this[storePointer]('subscribe');
      const [c, k, f] = ['collection', 'key', 'field'].map((what) => filter[what] === undefined
        ? 0 : pushName(filter[what], 'subscribe', `filter.${what}`));
      const out = alloc(4, 'subscribe');
      check(wasm._hyjs_subscribe(store, c, k, f, token, out), 'subscribe');
      return readU32(out);
    });
    this.#subscriptions.set(token, { id, callback });
    this.#native.tokens.add(token);
    subscribers.set(token, new WeakRef(this));
    return () => this.#unsubscribe(token);
  }

  #unsubscribe(token) {
    const subscription = this.#subscriptions.get(token);
    if (!subscription || this.closed) return;
    this.#subscriptions.delete(token);
    this.#native.tokens.delete(token);
    subscribers.delete(token);
    wasm._hy_unsubscribe(this.#native.pointer, subscription.id);
  }

  // The C trampoline of js_exports.c calls this during a commit or merge.
  static {
    wasm.hyjsDeliver = (token, patches, count) => subscribers.get(token)?.deref()
      ?.#deliver(token, patches, count);
  }

  #deliver(token, patches, count) {
    const subscription = this.#subscriptions.get(token);
    if (!subscription) return;
    this.#busy++;
    try {
      subscription.callback(readPatches(patches, count));
    } catch (error) {
      // Thrown through the C core it would leave the core mid-delivery: reported as an
      // uncaught error instead, as event listeners' errors are.
      queueMicrotask(() => { throw error; });
    } finally {
      this.#busy--;
    }
  }

  // ---- changes, merge and persistence ----

  /** The heads: the 32-byte hashes of the changes no other change depends on. */
  heads() {
    return frame(() => {
      const store = this[storePointer]('heads');
      const count = alloc(4, 'heads');
      let err = wasm._hy_store_heads(store, 0, 0, count);
      if (err !== ErrorCode.TOO_LARGE) {
        check(err, 'heads');
        return [];
      }
      const n = readU32(count);
      const out = alloc(n * HASH_LEN, 'heads');
      check(wasm._hy_store_heads(store, out, n, count), 'heads');
      return Array.from({ length: n }, (_, i) => readBytes(out + i * HASH_LEN, HASH_LEN));
    });
  }

  /** A change batch of every change a replica whose heads are `heads` lacks (all of them
   * without heads), for that replica's merge(). */
  changes(heads = []) {
    if (!Array.isArray(heads)) invalid('changes', `heads must be an array, got ${show(heads)}`);
    return frame(() => {
      const store = this[storePointer]('changes');
      const packed = alloc(heads.length * HASH_LEN, 'changes');
      heads.forEach((head, i) => {
        checkBytes(head, 'changes', `heads[${i}]`, HASH_LEN);
        wasm.HEAPU8.set(head, packed + i * HASH_LEN);
      });
      const [out, length] = [alloc(4, 'changes'), alloc(4, 'changes')];
      check(wasm._hy_store_changes(store, packed, heads.length, out, length), 'changes');
      return takeBuffer(store, out, length);
    });
  }

  /** Applies a change batch from another replica (its changes(), or saveIncremental()).
   * Returns false when some changes wait for changes not received yet (they apply once
   * those arrive), true when everything applied. */
  merge(batch) {
    return frame(() => {
      const store = this[storePointer]('merge');
      checkBytes(batch, 'merge', 'batch');
      const err = wasm._hy_store_merge(store, pushBytes(batch, 'merge'), batch.length);
      this[edited]();
      if (err === ErrorCode.MISSING_DEPS) return false;
      check(err, 'merge');
      return true;
    });
  }

  /** The whole store as bytes, for Store.load. */
  save() { return this.#saved('save', wasm._hy_store_save); }

  /** The changes since the last save() or saveIncremental(), as a batch: restore with
   * Store.load(snapshot) and merge() of each increment in order. */
  saveIncremental() { return this.#saved('saveIncremental', wasm._hy_store_save_incremental); }

  #saved(where, save) {
    return frame(() => {
      const store = this[storePointer](where);
      const [out, length] = [alloc(4, where), alloc(4, where)];
      check(save(store, out, length), where);
      return takeBuffer(store, out, length);
    });
  }
}

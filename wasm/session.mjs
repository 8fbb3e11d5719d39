// A sync session (docs/protocol.md): one end of a conversation with one peer about one store,
// over any message transport. It wraps the C session (hy_session_*), hands every frame it has
// to send to a callback at once, and follows its store, so that commits and merges, local or
// through other sessions, are pushed to the peer without polling.
import { sameBytes } from './heads.mjs';
import { ErrorCode, HyphaError, Store } from './index.mjs';

const { wasm, frame, alloc, pushBytes, readBytes, readU32, check, checkBytes, invalid,
        storePointer, edited, followStore, storeChanged, storeClosing } =
  Store[Symbol.for('hypha.internal')];

const KEY_LEN = 32;
const STATES = ['handshake', 'ready', 'closed'];
// hy_session_stats: seven uint64 in this order (js_exports.c asserts the layout).
const STATS = ['framesIn', 'framesOut', 'bytesIn', 'bytesOut', 'changesIn', 'changesOut',
               'changesRefused'];
const CHANGES_IN = STATS.indexOf('changesIn');

// What a C session owns, kept apart from the SyncSession, which the finalizer must not reach.
function release(native) {
  wasm._hy_session_free(native.pointer);
  native.pointer = 0;
  native.unfollow();
}
const finalizer = new FinalizationRegistry(release);


function size(value, where, what) {
  if (value === undefined) return 0;
  if (Number.isInteger(value) && value > 0 && value <= 0xffffffff) return value;
  invalid(where, `${what} must be a positive integer of bytes, got ${value}`);
}

/** A fresh 32-byte secret seed: a node key for one session or one transport. */
export const randomSeed = () => crypto.getRandomValues(new Uint8Array(KEY_LEN));

/** A transport's check of its store and session options when it is made, rather than at its
 * first session: a session made and closed at once runs every check a real one will. */
export function checkSessionOptions(store, options, where) {
  if (!(store instanceof Store)) throw new TypeError(`${where}: a transport needs a Store`);
  new SyncSession(store, { ...options, send() {} }).close();
}

export class SyncSession {
  #native;
  #store;
  #send;
  #receiving = false; // inside hy_session_receive, whose merges run subscription callbacks
  #closeAfterReceive = false;
  #closedBy = null; // the HyphaError that ended the session

  /**
   * A session of `store` with one peer. options.send(frame) is called with each frame to
   * send (a Uint8Array), in order, starting with the HELLO now. options.genesis: the store's
   * genesis (default: store.genesis; a store made without one syncs only under a genesis that
   * names no writers, since it would not refuse the others' changes); options.nodeSeed: the
   * 32-byte secret of this end's node key (default: a fresh one); options.maxFrame and
   * options.maxBatch: the limits of docs/protocol.md (defaults 1 MiB and 64 MiB).
   */
  constructor(store, options) {
    if (!(store instanceof Store)) invalid('SyncSession', 'store must be a Store');
    if (options === null || typeof options !== 'object')
      invalid('SyncSession', 'options must be an object');
    const { send, nodeSeed = randomSeed(), maxFrame, maxBatch } = options;
    const genesis = options.genesis ?? store.genesis;
    if (typeof send !== 'function') invalid('SyncSession', 'options.send must be a function');
    if (genesis === undefined)
      invalid('SyncSession', 'a genesis is needed: options.genesis, or Store.create({ genesis })');
    checkBytes(genesis, 'SyncSession', 'genesis');
    checkBytes(nodeSeed, 'SyncSession', 'nodeSeed', KEY_LEN);
    const enforced = store.genesis !== undefined;
    if (enforced && !sameBytes(genesis, store.genesis))
      invalid('SyncSession', 'options.genesis is not the genesis the store was made with');
    const limits = [size(maxFrame, 'SyncSession', 'maxFrame'),
                    size(maxBatch, 'SyncSession', 'maxBatch')];
    const pointer = frame(() => {
      const out = alloc(4, 'SyncSession');
      check(wasm._hyjs_session_new(store[storePointer]('SyncSession'),
                                   pushBytes(genesis, 'SyncSession'), genesis.length,
                                   enforced ? 1 : 0, pushBytes(nodeSeed, 'SyncSession'),
                                   ...limits, out),
            'SyncSession', enforced ? undefined
              : 'the store does not refuse writers the genesis leaves out: Store.create({ genesis })');
      return readU32(out);
    });
    this.#store = store;
    this.#send = send;
    this.#native = { pointer, unfollow: store[followStore](this) };
    finalizer.register(this, this.#native, this.#native);
    this.#flush();
  }

  /** 'handshake', 'ready' (authenticated: changes flow) or 'closed'. */
  get state() {
    const pointer = this.#native.pointer;
    return pointer ? STATES[wasm._hy_session_get_state(pointer)] : 'closed';
  }

  /** Why the session closed: a HyphaError (the code ours or the peer's), or null. */
  get error() { return this.#closedBy; }

  /** Whether the peer's last announcement names exactly this store's heads. */
  get inSync() {
    const pointer = this.#native.pointer;
    return pointer !== 0 && wasm._hy_session_in_sync(pointer) === 1;
  }

  /** The peer's 32-byte node key once the session is ready, else null. */
  get peerKey() {
    const at = this.#native.pointer && wasm._hy_session_peer_key(this.#native.pointer);
    return at ? readBytes(at, KEY_LEN) : null;
  }

  /** Frames, bytes and changes in and out, and changes refused, as numbers. */
  get stats() {
    const values = this.#stats();
    return Object.fromEntries(STATS.map((name, i) => [name, values[i]]));
  }

  /** Handles a message from the peer: one or more whole frames. A peer that breaks the
   * protocol, or sends changes the store refuses, closes the session: `state` is then
   * 'closed' and `error` says why, once the ERROR frame for the peer has been sent. */
  receive(data) {
    checkBytes(data, 'SyncSession.receive', 'data');
    const pointer = this.#pointer('SyncSession.receive');
    const before = this.#stats()[CHANGES_IN];
    this.#receiving = true;
    let err;
    try {
      err = frame(() => wasm._hy_session_receive(pointer, pushBytes(data, 'SyncSession.receive'),
                                                 data.length));
    } finally {
      this.#receiving = false;
    }
    if (err !== 0 && !this.#closedBy && STATES[wasm._hy_session_get_state(pointer)] === 'closed')
      this.#closedBy = new HyphaError(wasm._hy_session_error(pointer), 'SyncSession.receive',
        err === ErrorCode.CLOSED ? 'the peer ended the session' : 'refused what the peer sent');
    if (this.#stats()[CHANGES_IN] > before) this.#store[edited](); // the other sessions pass it on
    this.#flush();
    if (this.#closeAfterReceive) this.close();
  }

  /** Time passed (call it about once a second): re-sends what the peer has not confirmed. */
  tick() {
    wasm._hy_session_tick(this.#pointer('SyncSession.tick'));
    this.#flush();
  }

  /** Frees the session's WebAssembly memory; it sends nothing more. Closing twice does
   * nothing. */
  close() {
    if (!this.#native.pointer) return;
    if (this.#receiving) {
      this.#closeAfterReceive = true; // the C call under way still uses the session
      return;
    }
    finalizer.unregister(this.#native);
    release(this.#native);
  }

  [storeChanged]() {
    if (!this.#native.pointer) return;
    wasm._hy_session_changed(this.#native.pointer);
    try {
      this.#flush();
    } catch (error) {
      queueMicrotask(() => { throw error; }); // no caller to take it: reported as uncaught
    }
  }

  [storeClosing]() { this.close(); }

  #pointer(where) {
    if (!this.#native.pointer) throw new HyphaError(ErrorCode.CLOSED, where, 'the session is closed');
    return this.#native.pointer;
  }

  #stats() {
    return frame(() => {
      const out = alloc(8 * STATS.length, 'SyncSession.stats');
      wasm._hy_session_get_stats(this.#pointer('SyncSession.stats'), out);
      return Array.from(wasm.HEAP64.subarray(out >>> 3, (out >>> 3) + STATS.length), Number);
    });
  }

  /** Sends what the session has queued. send() may close the session, or reach it again. */
  #flush() {
    frame(() => {
      const [at, length] = [alloc(4, 'SyncSession'), alloc(4, 'SyncSession')];
      while (this.#native.pointer) {
        const err = wasm._hy_session_next(this.#native.pointer, at, length);
        if (err === ErrorCode.NOT_FOUND) return;
        check(err, 'SyncSession');
        this.#send(readBytes(readU32(at), readU32(length)));
      }
    });
  }
}

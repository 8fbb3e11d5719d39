// hypha/sync: persistence in IndexedDB, sync sessions and transports (docs/js.md, "Persistence
// and sync").
import { HyphaError, Store, StoreOptions } from './index.js';

/** An `error` event of a persistence or a transport. */
export interface ErrorEventOf<E = Error> extends Event {
  readonly error: E;
}

export interface PersistenceOptions {
  /** Increments that trigger a compaction into a new snapshot; default 500. */
  compactAfter?: number;
}

/** A failure of IndexedDB (its DOMException is the `cause`), or a use after close(). */
export class PersistenceError extends Error {
  readonly name: 'PersistenceError';
}

/**
 * A store kept in the IndexedDB database `hypha:NAME`: a snapshot plus the change batches
 * committed since, written by itself after commits and merges, compacted past `compactAfter`.
 * Dispatches `error` events for writes it started by itself that failed.
 */
export class IndexedDBPersistence extends EventTarget {
  private constructor();
  readonly name: string;
  /** The store kept. It stays open after close(): close it once close() has resolved. */
  readonly store: Store;
  /** Resolves once everything committed before the call is in IndexedDB. */
  flush(): Promise<void>;
  /** Folds the increments into a new snapshot now. */
  compact(): Promise<void>;
  /** Writes what is left, stops following the store, closes the database. */
  close(): Promise<void>;
  /** Closes and deletes the database. */
  clear(): Promise<void>;
  addEventListener(type: 'error', listener: (event: ErrorEventOf<PersistenceError | HyphaError>) => void,
    options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions): void;
  removeEventListener(type: 'error', listener: (event: ErrorEventOf<PersistenceError | HyphaError>) => void,
    options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions): void;
  dispatchEvent(event: Event): boolean;
}

/** Opens the store kept under `name` (empty the first time): snapshot loaded, increments merged.
 * The genesis is kept in the database: later opens may leave it out; another one is INVALID_ARG. */
export function openPersistentStore(name: string, options?: StoreOptions & PersistenceOptions):
  Promise<IndexedDBPersistence>;
/** Keeps an existing store under `name`: merges what the database holds, writes what it lacks
 * (its genesis too). */
export function persist(store: Store, name: string, options?: PersistenceOptions):
  Promise<IndexedDBPersistence>;

/** A message a transport cannot use: not an envelope, or a text WebSocket message. */
export class TransportError extends Error {
  readonly name: 'TransportError';
}

export type SessionState = 'handshake' | 'ready' | 'closed';

export interface SessionOptions {
  /** The store's genesis; default store.genesis. A store made without one syncs only under a
   * genesis that names no writers (it would not refuse the others' changes). */
  genesis?: Uint8Array;
  /** The 32-byte secret seed of this end's node key; default: a fresh random one. */
  nodeSeed?: Uint8Array;
  /** The largest frame payload accepted or sent, in bytes; default 1 MiB. */
  maxFrame?: number;
}

export interface SyncSessionOptions extends SessionOptions {
  /** Called with each frame to send, in order, from the HELLO in the constructor on. */
  send(frame: Uint8Array): void;
  /** The largest change batch the peer may send in parts, in bytes; default 64 MiB. */
  maxBatch?: number;
}

export interface SessionStats {
  framesIn: number;
  framesOut: number;
  bytesIn: number;
  bytesOut: number;
  /** Changes received and applied. */
  changesIn: number;
  changesOut: number;
  /** Changes refused (a forbidden writer, a bad signature, an invalid change). */
  changesRefused: number;
}

/**
 * One end of a sync session (docs/protocol.md) with one peer about one store, over any message
 * transport: hand it what arrives (receive), and it sends through options.send. It follows the
 * store: commits and merges, local or through its other sessions, are pushed by themselves.
 * Call tick() about once a second. It owns WebAssembly memory until close() (closing the store
 * closes it too; garbage collection frees it later).
 */
export class SyncSession {
  constructor(store: Store, options: SyncSessionOptions);
  readonly state: SessionState;
  /** Why the session closed: ours or the peer's code; null while open or after close(). */
  readonly error: HyphaError | null;
  /** Whether the peer's last announcement names exactly this store's heads. */
  readonly inSync: boolean;
  /** The peer's node key once ready, else null. */
  readonly peerKey: Uint8Array | null;
  readonly stats: SessionStats;
  /** One or more whole frames from the peer. A peer that breaks the protocol or sends what the
   * store refuses closes the session (state 'closed', error set) after its ERROR frame went. */
  receive(data: Uint8Array): void;
  /** Re-sends what the peer has not confirmed. */
  tick(): void;
  /** Frees the session; calls after it throw CLOSED. Closing twice does nothing. */
  close(): void;
}

export interface BroadcastChannelTransportOptions extends SessionOptions {
  /** ms between the "here" each tab repeats; default 5,000. */
  heartbeatInterval?: number;
  /** ms of silence after which a tab counts as gone; default 20,000. */
  peerTimeout?: number;
}

/** A tab a BroadcastChannelTransport has a session with. */
export interface BroadcastPeer {
  /** Its tab id (hex). */
  id: string;
  state: SessionState;
  inSync: boolean;
}

/** Keeps a store in step with the other tabs of this origin over the BroadcastChannel
 * `hypha:NAME`: a sync session per pair of tabs (docs/js.md). */
export class BroadcastChannelTransport extends EventTarget {
  constructor(store: Store, name: string, options?: BroadcastChannelTransportOptions);
  readonly name: string;
  /** This tab's id on the channel (hex), new for every transport. */
  readonly tabId: string;
  readonly peers: BroadcastPeer[];
  /** Says goodbye to the other tabs and leaves the channel. */
  close(): void;
  addEventListener(type: 'error', listener: (event: ErrorEventOf<TransportError | HyphaError>) => void,
    options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions): void;
  removeEventListener(type: 'error', listener: (event: ErrorEventOf<TransportError | HyphaError>) => void,
    options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions): void;
  dispatchEvent(event: Event): boolean;
}

export type WebSocketStatus = 'connecting' | 'connected' | 'disconnected' | 'refused' | 'offline';

/** A `status` event of a WebSocketTransport. */
export interface StatusEvent extends Event {
  readonly status: WebSocketStatus;
}

export interface WebSocketTransportOptions extends SessionOptions {
  /** The WebSocket class; default the global one (under node 20, pass the ws package's). */
  WebSocket?: new (url: string, protocols?: string | string[]) => WebSocket;
  /** Connect at once; default true. */
  connect?: boolean;
  /** The reconnect backoff's bounds in ms; defaults 250 and 10,000. */
  minReconnectDelay?: number;
  maxReconnectDelay?: number;
}

/** Keeps a store in step with a hypha node over a WebSocket (URL/sync, subprotocol
 * hypha-sync-1, a session per connection), reconnecting with backoff except after a refusal;
 * `status` changes dispatch `status` events. */
export class WebSocketTransport extends EventTarget {
  constructor(store: Store, url: string | URL, options?: WebSocketTransportOptions);
  /** The node's URL as given. */
  readonly url: string;
  /** 'disconnected': a reconnect is due; 'refused': a session ended with NOT_FOUND,
   * FORBIDDEN, VERSION, PROTOCOL or BAD_SIGNATURE (the `error` event told), which a new
   * connection would only repeat: no reconnect until connect(); 'offline': disconnect() or
   * close() was called. */
  readonly status: WebSocketStatus;
  /** Whether the node's last announcement names exactly this store's heads. */
  readonly inSync: boolean;
  /** Goes online: connects now and after every drop except a refusal; from 'refused', tries
   * again with the backoff reset. */
  connect(): void;
  /** Goes offline: closes the socket and stops reconnecting until connect(). */
  disconnect(): void;
  /** Disconnects for good. */
  close(): void;
  addEventListener(type: 'status', listener: (event: StatusEvent) => void,
    options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: 'error', listener: (event: ErrorEventOf<Error>) => void,
    options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions): void;
  removeEventListener(type: 'status', listener: (event: StatusEvent) => void,
    options?: boolean | EventListenerOptions): void;
  removeEventListener(type: 'error', listener: (event: ErrorEventOf<Error>) => void,
    options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions): void;
  dispatchEvent(event: Event): boolean;
}

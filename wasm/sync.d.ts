// hypha/sync: persistence in IndexedDB and transports (docs/js.md, "Persistence and transports").
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

/** Opens the store kept under `name` (empty the first time): snapshot loaded, increments merged. */
export function openPersistentStore(name: string, options?: StoreOptions & PersistenceOptions):
  Promise<IndexedDBPersistence>;
/** Keeps an existing store under `name`: merges what the database holds, writes what it lacks. */
export function persist(store: Store, name: string, options?: PersistenceOptions):
  Promise<IndexedDBPersistence>;

/** A message of the change broadcast that does not decode. */
export class TransportError extends Error {
  readonly name: 'TransportError';
}

/** Keeps a store in step with the other tabs of this origin over the BroadcastChannel
 * `hypha:NAME` (the provisional change broadcast until the sync protocol; docs/js.md). */
export class BroadcastChannelTransport extends EventTarget {
  constructor(store: Store, name: string);
  readonly name: string;
  /** Leaves the channel and stops following the store. */
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

export type WebSocketStatus = 'connecting' | 'connected' | 'disconnected' | 'offline';

/** A `status` event of a WebSocketTransport. */
export interface StatusEvent extends Event {
  readonly status: WebSocketStatus;
}

export interface WebSocketTransportOptions {
  /** The WebSocket class; default the global one (under node 20, pass the ws package's). */
  WebSocket?: new (url: string) => WebSocket;
  /** Connect at once; default true. */
  connect?: boolean;
  /** The reconnect backoff's bounds in ms; defaults 250 and 10,000. */
  minReconnectDelay?: number;
  maxReconnectDelay?: number;
}

/** Keeps a store in step with a node over a WebSocket (binary frames), reconnecting with
 * backoff; `status` changes dispatch `status` events. */
export class WebSocketTransport extends EventTarget {
  constructor(store: Store, url: string | URL, options?: WebSocketTransportOptions);
  readonly url: string;
  /** 'disconnected': a reconnect is due; 'offline': disconnect() or close() was called. */
  readonly status: WebSocketStatus;
  /** Goes online: connects now and after every drop. */
  connect(): void;
  /** Goes offline: closes the socket and stops reconnecting until connect(). */
  disconnect(): void;
  /** Disconnects for good and stops following the store. */
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

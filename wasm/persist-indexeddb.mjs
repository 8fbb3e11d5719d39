// A store kept in IndexedDB (docs/js.md, "IndexedDB"): one snapshot (Store.save) plus the
// change batches committed since, one record per write. Writes follow commits and merges by
// themselves; past a threshold the increments are folded into a new snapshot, in one
// transaction that also takes in whatever other tabs wrote, so no crash and no other tab can
// make a change disappear.
import { errorEvent } from './events.mjs';
import { headsKey, sameBytes, sameHeads } from './heads.mjs';
import { requestDone, transactionDone } from './idb.mjs';
import { Store } from './index.mjs';

const { checkBytes, followStore, invalid, storeChanged, storeClosing } =
  Store[Symbol.for('hypha.internal')];

const SNAPSHOT = 'snapshot'; // under SNAPSHOT_KEY: { bytes, heads: headsKey }; GENESIS_KEY: { bytes }
const SNAPSHOT_KEY = 'current';
// The store's genesis, kept beside its snapshot: a snapshot does not hold it (Store.load must
// be given it), and a store opened without it would lose its policy (writers, readers, a
// ledger's committee) and its id.
const GENESIS_KEY = 'genesis';
const INCREMENTS = 'increments'; // change batches under increasing keys
const DEFAULT_COMPACT_AFTER = 500;

/** A failure of IndexedDB (its DOMException is the `cause`), or a use after close(). */
export class PersistenceError extends Error {
  static { this.prototype.name = 'PersistenceError'; } // where the built-in errors have theirs
}

const databaseName = (name) => `hypha:${name}`;

function checkName(name, where) {
  if (typeof name !== 'string' || name === '')
    throw new TypeError(`${where}: name must be a non-empty string`);
}

function persistenceOptions(options, where) {
  if (options === null || typeof options !== 'object')
    throw new TypeError(`${where}: options must be an object`);
  const { compactAfter = DEFAULT_COMPACT_AFTER } = options;
  if (!Number.isSafeInteger(compactAfter) || compactAfter < 1)
    throw new RangeError(`${where}: compactAfter must be a positive integer, got ${compactAfter}`);
  return { compactAfter };
}

/** Runs an IndexedDB step, turning its DOMException into a PersistenceError. */
async function idb(what, step) {
  try {
    return await step();
  } catch (error) {
    throw new PersistenceError(`IndexedDB: ${what}: ${error?.message ?? error}`, { cause: error });
  }
}

function openDatabase(name) {
  if (typeof indexedDB === 'undefined')
    throw new PersistenceError('IndexedDB is not available here');
  return idb(`cannot open ${databaseName(name)}`, () => {
    const request = indexedDB.open(databaseName(name), 1);
    request.onupgradeneeded = () => {
      request.result.createObjectStore(SNAPSHOT);
      request.result.createObjectStore(INCREMENTS, { autoIncrement: true });
    };
    return requestDone(request);
  });
}

/** The snapshot record (or undefined), the increments in the order they were written, and
 * the genesis kept (or undefined). */
async function readStored(db, name) {
  const [snapshot, batches, genesis] = await idb(`cannot read ${databaseName(name)}`, () => {
    const transaction = db.transaction([SNAPSHOT, INCREMENTS], 'readonly');
    const snapshots = transaction.objectStore(SNAPSHOT);
    return Promise.all([requestDone(snapshots.get(SNAPSHOT_KEY)),
                        requestDone(transaction.objectStore(INCREMENTS).getAll()),
                        requestDone(snapshots.get(GENESIS_KEY))]);
  });
  return [snapshot, batches, genesis?.bytes];
}

/**
 * The genesis to open the store of database name under: given (the caller's), else kept (the
 * database's). A given one the database lacks is kept from now on; one other than the kept one
 * is INVALID_ARG, since it names another store.
 */
async function settleGenesis(db, name, given, kept, where) {
  if (given === undefined) return kept;
  if (kept !== undefined) {
    if (!sameBytes(given, kept))
      invalid(where, `the database ${databaseName(name)} keeps a store of another genesis`);
    return kept;
  }
  await idb(`cannot write to ${databaseName(name)}`, () => {
    const transaction = db.transaction(SNAPSHOT, 'readwrite');
    transaction.objectStore(SNAPSHOT).put({ bytes: given.slice() }, GENESIS_KEY);
    return transactionDone(transaction);
  });
  return given;
}

/** Merges a snapshot into a store (Store.load it, then merge what the store lacks). */
function mergeSnapshot(store, bytes) {
  const stored = Store.load(bytes);
  try {
    store.merge(stored.changes(store.heads()));
  } finally {
    stored.close();
  }
}

const construct = Symbol('construct');

/**
 * Keeps one store in an IndexedDB database. Made by openPersistentStore() or persist().
 * Dispatches `error` events (event.error) when a write made on its own fails; the changes it
 * held are written by the next one, and flush() rejects while they cannot be.
 */
export class IndexedDBPersistence extends EventTarget {
  #db;
  #name;
  #store;
  #compactAfter;
  #savedHeads; // the heads of what the database holds of this store
  #snapshotHeads; // headsKey of the snapshot this object last read or wrote
  #queue = Promise.resolve(); // writes and compactions run one at a time, in order
  #nextWrite = null; // the queued write that will take the changes not written yet
  #commits = 0; // commits and merges of the store seen so far
  #commitsWritten = 0; // how many of those the database holds
  #unsubscribe;
  #unfollow;
  #closing = null;
  #stopped = null; // the PersistenceError of a database that can no longer be written

  /** Use openPersistentStore() or persist(). */
  constructor(key, { db, name, store, compactAfter, savedHeads, snapshotHeads }) {
    if (key !== construct)
      throw new TypeError('new IndexedDBPersistence: use openPersistentStore() or persist()');
    super();
    this.#db = db;
    this.#name = name;
    this.#store = store;
    this.#compactAfter = compactAfter;
    this.#savedHeads = savedHeads;
    this.#snapshotHeads = snapshotHeads;
    // A subscription sees each commit and merge at once (so a store closed before its write
    // ran is noticed); following the store as sync sessions do also sees the changes that
    // report no patch: a ledger's ops.
    this.#unsubscribe = store.subscribe(() => this[storeChanged]());
    this.#unfollow = store[followStore](this);
    // Another tab deletes the database (clear()) or the browser drops it: let go of it.
    db.onversionchange = () => this.#stop('the database was deleted by another tab');
    db.onclose = () => this.#stop('the browser closed the database');
  }

  /** A commit or merge changed the store. */
  [storeChanged]() {
    this.#commits++;
    this.#write();
  }

  /** The store closes: what it did not write yet is reported by the next write. */
  [storeClosing]() {}

  /** The name given to openPersistentStore() or persist(). */
  get name() { return this.#name; }
  /** The store kept. It stays open after close(): close it after close() has resolved. */
  get store() { return this.#store; }

  /** Resolves once everything committed before the call is in IndexedDB. */
  flush() {
    return this.#unusable('flush') ?? this.#write();
  }

  /** Folds the increments into a new snapshot now (it happens by itself past compactAfter). */
  compact() {
    return this.#unusable('compact') ?? this.#enqueue(() => this.#compact());
  }

  /** Writes what is left, stops following the store and closes the database. The store stays
   * open. Closing again returns the same promise. */
  close() {
    this.#closing ??= (async () => {
      this.#unsubscribe();
      this.#unfollow();
      try {
        await this.#write();
      } finally {
        this.#db.close();
      }
    })();
    return this.#closing;
  }

  /** Closes (writing what is left first) and deletes the database, as if never persisted. */
  async clear() {
    await this.close().catch(() => {}); // what is about to be deleted need not be written
    await idb(`cannot delete ${databaseName(this.#name)}`,
              () => requestDone(indexedDB.deleteDatabase(databaseName(this.#name))));
  }

  /** A rejected promise when the persistence can no longer write, else undefined. */
  #unusable(where) {
    if (this.#stopped) return Promise.reject(this.#stopped);
    if (this.#closing)
      return Promise.reject(new PersistenceError(`${where}: the persistence is closed`));
  }

  #enqueue(job) {
    const run = this.#queue.then(() => {
      if (this.#stopped) throw this.#stopped;
      return job();
    });
    this.#queue = run.catch(() => {});
    return run;
  }

  /** The pending write, queued now if there is none: commits made before it starts join it. */
  #write() {
    if (!this.#nextWrite) {
      this.#nextWrite = this.#enqueue(() => {
        this.#nextWrite = null;
        return this.#writeChanges();
      });
      this.#nextWrite.catch((error) => this.dispatchEvent(errorEvent(error)));
    }
    return this.#nextWrite;
  }

  async #writeChanges() {
    const store = this.#store;
    if (store.closed) {
      if (this.#commitsWritten !== this.#commits)
        throw new PersistenceError('the store was closed before its last changes were written: ' +
                                   'await close() of the persistence before store.close()');
      return;
    }
    const commits = this.#commits;
    const heads = store.heads();
    if (sameHeads(heads, this.#savedHeads)) {
      this.#commitsWritten = commits;
      return;
    }
    // changes(heads) rather than saveIncremental(): it depends on no state of the store that
    // other code (or a second persistence) could move.
    const batch = store.changes(this.#savedHeads);
    const count = await idb(`cannot write to ${databaseName(this.#name)}`, async () => {
      const transaction = this.#db.transaction(INCREMENTS, 'readwrite');
      const increments = transaction.objectStore(INCREMENTS);
      increments.add(batch);
      const counted = requestDone(increments.count());
      await transactionDone(transaction);
      return counted;
    });
    this.#savedHeads = heads;
    this.#commitsWritten = commits;
    if (count >= this.#compactAfter)
      this.#enqueue(() => this.#compact()).catch((error) => this.dispatchEvent(errorEvent(error)));
  }

  /** One readwrite transaction: reads the snapshot and every increment (other tabs' too),
   * merges what this store lacks, writes the new snapshot and deletes the increments. IndexedDB
   * runs it whole or not at all, and no other tab writes to the database meanwhile. */
  async #compact() {
    const store = this.#store;
    if (store.closed) return;
    const [heads, commits] = await idb(`cannot compact ${databaseName(this.#name)}`,
      async () => {
        const transaction = this.#db.transaction([SNAPSHOT, INCREMENTS], 'readwrite');
        const done = transactionDone(transaction);
        const [snapshots, increments] = [transaction.objectStore(SNAPSHOT),
                                         transaction.objectStore(INCREMENTS)];
        try {
          const [snapshot, batches] = await Promise.all([requestDone(snapshots.get(SNAPSHOT_KEY)),
                                                         requestDone(increments.getAll())]);
          // A snapshot this object did not read or write was written by another tab.
          if (snapshot && snapshot.heads !== this.#snapshotHeads)
            mergeSnapshot(store, snapshot.bytes);
          for (const batch of batches) store.merge(batch);
          const [bytes, saved, commits] = [store.save(), store.heads(), this.#commits];
          snapshots.put({ bytes, heads: headsKey(saved) }, SNAPSHOT_KEY);
          increments.clear();
          await done;
          return [saved, commits];
        } catch (error) {
          done.catch(() => {}); // the error thrown here says more than the abort
          try {
            transaction.abort(); // nothing of a compaction that failed half-way
          } catch {
            // finished already: its own failure aborted it
          }
          throw error;
        }
      });
    this.#savedHeads = heads;
    this.#snapshotHeads = headsKey(heads);
    this.#commitsWritten = commits;
  }

  #stop(reason) {
    this.#db.close();
    if (this.#stopped) return;
    this.#stopped = new PersistenceError(`${databaseName(this.#name)}: ${reason}`);
    this.dispatchEvent(errorEvent(this.#stopped));
  }
}

/**
 * Opens the store kept in IndexedDB under `name` (a new, empty one the first time): the
 * snapshot loaded, the increments merged in order. options: the Store options (actorSeed,
 * requireSignatures, genesis: kept in the database, so later opens may leave it out) and
 * compactAfter (increments that trigger a new snapshot; default 500).
 */
export async function openPersistentStore(name, options = {}) {
  checkName(name, 'openPersistentStore');
  const { compactAfter } = persistenceOptions(options, 'openPersistentStore');
  const { actorSeed, requireSignatures } = options;
  if (options.genesis !== undefined) checkBytes(options.genesis, 'openPersistentStore', 'genesis');
  const db = await openDatabase(name);
  let store;
  try {
    const [snapshot, batches, kept] = await readStored(db, name);
    const genesis = await settleGenesis(db, name, options.genesis, kept, 'openPersistentStore');
    const storeOptions = { actorSeed, requireSignatures, genesis };
    store = snapshot ? Store.load(snapshot.bytes, storeOptions) : Store.create(storeOptions);
    // An increment may wait for one written later by another tab: merge() then returns false.
    for (const batch of batches) store.merge(batch);
    const persistence = new IndexedDBPersistence(construct, {
      db, name, store, compactAfter, savedHeads: store.heads(), snapshotHeads: snapshot?.heads,
    });
    if (batches.length >= compactAfter)
      persistence.compact().catch((error) => persistence.dispatchEvent(errorEvent(error)));
    return persistence;
  } catch (error) {
    store?.close();
    db.close();
    throw error;
  }
}

/**
 * Keeps an existing store in IndexedDB under `name`: merges what the database holds into it,
 * writes what the database lacks (its genesis too), then follows its commits. options:
 * compactAfter.
 */
export async function persist(store, name, options = {}) {
  if (!(store instanceof Store)) throw new TypeError('persist: store must be a Store');
  checkName(name, 'persist');
  const { compactAfter } = persistenceOptions(options, 'persist');
  const db = await openDatabase(name);
  try {
    const [snapshot, batches, kept] = await readStored(db, name);
    if (store.genesis === undefined && kept !== undefined)
      invalid('persist', `the database ${databaseName(name)} keeps a store of a genesis this store lacks`);
    await settleGenesis(db, name, store.genesis, kept, 'persist');
    const stored = snapshot ? Store.load(snapshot.bytes) : Store.create();
    let savedHeads;
    try {
      for (const batch of batches) stored.merge(batch);
      savedHeads = stored.heads();
      store.merge(stored.changes(store.heads()));
    } finally {
      stored.close();
    }
    const persistence = new IndexedDBPersistence(construct, {
      db, name, store, compactAfter, savedHeads, snapshotHeads: snapshot?.heads,
    });
    persistence.flush().catch(() => {}); // reported as an error event too
    return persistence;
  } catch (error) {
    db.close();
    throw error;
  }
}

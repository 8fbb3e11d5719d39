// hypha's browser module: the JS/TypeScript API over the C core (docs/js.md).

/**
 * What registers, sets, lists and map entries hold. A `number` that is a safe integer (and not
 * -0) is stored as an int64, any other number as a double; a `bigint` is an int64 (it must fit);
 * a `Float64` is a double whatever its value. Reads give integers as `number` when they are
 * safe integers and as `bigint` otherwise, doubles as `number`, strings and bytes as copies.
 */
export type Value = null | boolean | number | bigint | string | Uint8Array | Float64;
/** A value as reads return it (a Float64 reads back as a number). */
export type ReadValue = null | boolean | number | bigint | string | Uint8Array;

/** A number to store as a double even when it is an integer. */
export class Float64 {
  constructor(value: number);
  readonly value: number;
}

/** hy_err's values (include/hypha.h): pinned, only ever appended. */
export declare const ErrorCode: Readonly<{
  NOMEM: 1; INVALID_ARG: 2; TRUNCATED: 3; VARINT: 4; TOO_LARGE: 5; FORMAT: 6; VERSION: 7;
  HASH_MISMATCH: 8; BAD_SIGNATURE: 9; MISSING_DEPS: 10; QUEUE_FULL: 11; EQUIVOCATION: 12;
  CYCLE: 13; NOT_FOUND: 14; SEQ: 15; IO: 16; LIMIT: 17;
  FORBIDDEN: 18; PROTOCOL: 19; CLOSED: 20; INSUFFICIENT_ESCROW: 21;
}>;
export type ErrorCodeName = keyof typeof ErrorCode;

/** Every failure of the API: from the C core, or a JS argument it cannot take (INVALID_ARG). */
export class HyphaError extends Error {
  readonly name: 'HyphaError';
  /** The C core's hy_err value. */
  readonly code: number;
  /** The code's name in ErrorCode, as `NOT_FOUND`. */
  readonly codeName: ErrorCodeName | 'UNKNOWN';
  /** Store.load and storeId only: the byte offset where the input went bad. */
  readonly offset?: number;
}

export interface StoreOptions {
  /** The local actor's 32-byte secret seed (Ed25519); default: a fresh random one. */
  actorSeed?: Uint8Array;
  /** Refuse changes not covered by a valid signature of their actor; default false. */
  requireSignatures?: boolean;
  /** The store's genesis (genesis()): only its writers may author changes, local commits
   * included (FORBIDDEN otherwise); sync sessions take it as the store's identity. A ledger's
   * genesis (one naming a committee) makes the store require signatures. */
  genesis?: Uint8Array;
}

/** What a genesis says: the store's name and who may write and sync it. */
export interface GenesisPolicy {
  /** 1 to 255 bytes of UTF-8, without NUL. */
  name: string;
  /** The 32-byte actor keys that may author changes; absent or empty: anyone. */
  writers?: Uint8Array[];
  /** The 32-byte node keys that may open a sync session; absent or empty: anyone. */
  readers?: Uint8Array[];
  /** A credit ledger's (Ledger): the 32-byte keys of its checkpoint committee, 3f + 1 of them
   * with f >= 1; absent or empty: the store is no ledger. */
  committee?: Uint8Array[];
  /** A ledger's: the credit limit an account gets without the committee's leave, a safe
   * integer from 0 (the default) to 2^53 - 1; only with a committee. */
  creditLimit?: number;
}

/** Which fields a subscription covers; an absent name matches any. */
export interface Filter {
  collection?: string;
  key?: string;
  field?: string;
}

interface PatchBase {
  collection: string;
  key: string;
  field: string;
}
/**
 * What changed in one field, as subscribers receive it. Text indexes are UTF-16 offsets in the
 * text as it was right after that edit (apply a delivery's patches in order); a text deletion
 * counts the code points it removed.
 */
export type Patch = PatchBase & (
  | { kind: 'put'; value: ReadValue }
  | { kind: 'remove' }
  | { kind: 'counter-add'; delta: number | bigint }
  | { kind: 'text-insert'; index: number; text: string }
  | { kind: 'text-delete'; index: number; codePoints: number }
  | { kind: 'set-add'; value: ReadValue }
  | { kind: 'set-delete'; value: ReadValue }
  | { kind: 'list-insert'; index: number; value: ReadValue }
  | { kind: 'list-delete'; index: number; count: number }
  | { kind: 'map-set'; name: string; value: ReadValue }
  | { kind: 'map-delete'; name: string }
);

/**
 * One replicated dataset: records addressed by (collection, key), each a map of named fields.
 * Names are strings of at most 255 UTF-8 bytes, without NUL. It owns WebAssembly memory:
 * close() frees it (garbage collection does too, later). Every edit outside transact() is a
 * change of its own.
 */
export class Store {
  private constructor();
  static create(options?: StoreOptions): Store;
  /** A store from save()'s bytes, verified (HyphaError with `offset` when they are bad). */
  static load(bytes: Uint8Array, options?: StoreOptions): Store;
  /** Frees the store; later calls throw. Not inside transact() or a subscription callback. */
  close(): void;
  readonly closed: boolean;
  /** The local actor's 32-byte public key. */
  readonly actor: Uint8Array;
  /** The genesis the store was made with (a copy), or undefined. */
  readonly genesis: Uint8Array | undefined;

  /** Writes a register (last writer wins; concurrent values stay readable). */
  put(collection: string, key: string, field: string, value: Value): void;
  /** The register's winning value; undefined when it is unset or removed. */
  get(collection: string, key: string, field: string): ReadValue | undefined;
  /** Every current value of a register, the winner first. */
  conflicts(collection: string, key: string, field: string): ReadValue[];
  /** Removes what this replica sees of a field of any type; false when there was nothing. */
  remove(collection: string, key: string, field: string): boolean;

  counter(collection: string, key: string, field: string): CounterField;
  text(collection: string, key: string, field: string): TextField;
  list(collection: string, key: string, field: string): ListField;
  set(collection: string, key: string, field: string): SetField;
  map(collection: string, key: string, field: string): MapField;

  /** Runs fn as one transaction (one change); a throw rolls every edit back and is rethrown.
   * fn must be synchronous; transactions do not nest. */
  transact<T>(fn: (store: Store) => T): T;

  /** Calls callback after each commit or merge changing a field under the filter. Returns the
   * function that ends the subscription (safe inside a callback, and more than once). A
   * callback's exception is reported as an uncaught error; the store carries on. */
  subscribe(callback: (patches: Patch[]) => void): () => void;
  subscribe(filter: Filter, callback: (patches: Patch[]) => void): () => void;

  /** The 32-byte hashes of the changes no other change depends on. */
  heads(): Uint8Array[];
  /** A batch of every change a replica at `heads` lacks (everything without heads). */
  changes(heads?: Uint8Array[]): Uint8Array;
  /** Applies a batch (changes() or saveIncremental() of a replica): true when all of it
   * applied, false when some changes wait for changes not received yet. */
  merge(batch: Uint8Array): boolean;
  /** The whole store as bytes, for Store.load. */
  save(): Uint8Array;
  /** The changes since the last save() or saveIncremental(), as a batch for merge(). */
  saveIncremental(): Uint8Array;
}

/** Field handles: plain objects naming a field; each call reads or edits the store as it is. */
interface FieldHandle {
  readonly collection: string;
  readonly key: string;
  readonly field: string;
}

export class CounterField implements FieldHandle {
  private constructor();
  readonly collection: string;
  readonly key: string;
  readonly field: string;
  /** delta: a safe integer or an int64 bigint; default 1. */
  add(delta?: number | bigint): void;
  /** 0 for a counter never written. */
  readonly value: number | bigint;
}

/** Indexes and lengths count UTF-16 code units, as JS strings do. */
export class TextField implements FieldHandle {
  private constructor();
  readonly collection: string;
  readonly key: string;
  readonly field: string;
  insert(index: number, text: string): void;
  delete(index: number, length?: number): void;
  readonly length: number;
  toString(): string;
}

/** Indexes count elements; concurrent inserts at one place never interleave. */
export class ListField implements FieldHandle {
  private constructor();
  readonly collection: string;
  readonly key: string;
  readonly field: string;
  insert(index: number, value: Value): void;
  push(value: Value): void;
  delete(index: number, count?: number): void;
  /** undefined past the end. */
  get(index: number): ReadValue | undefined;
  readonly length: number;
  toArray(): ReadValue[];
}

/** Add-wins: an add survives a concurrent delete. */
export class SetField implements FieldHandle {
  private constructor();
  readonly collection: string;
  readonly key: string;
  readonly field: string;
  add(value: Value): void;
  /** false when the value was not in the set. */
  delete(value: Value): boolean;
  has(value: Value): boolean;
  readonly size: number;
  /** In an order every replica agrees on. */
  values(): ReadValue[];
}

/** A nested map: named entries, each a register. */
export class MapField implements FieldHandle {
  private constructor();
  readonly collection: string;
  readonly key: string;
  readonly field: string;
  set(name: string, value: Value): void;
  get(name: string): ReadValue | undefined;
  has(name: string): boolean;
  /** false when the entry was absent. */
  delete(name: string): boolean;
  /** Every current value of the entry, the winner first. */
  conflicts(name: string): ReadValue[];
  readonly size: number;
  /** In byte order of their UTF-8, as every replica lists them. */
  keys(): string[];
  toObject(): Record<string, ReadValue>;
}

/** A store's canonical genesis (docs/protocol.md): keys sorted; at most 1024 in each list,
 * none twice. With a committee, a ledger's (version 2). */
export function genesis(policy: GenesisPolicy): Uint8Array;
/** The store id of a genesis (its BLAKE3 hash, 32 bytes), once it decodes; a HyphaError
 * with `offset` otherwise. */
export function storeId(genesis: Uint8Array): Uint8Array;

/** A ledger's account, as this replica holds it. */
export interface AccountInfo {
  /** An OPEN by the account's root is held. */
  opened: boolean;
  /** Its credit limit (0 until opened). */
  limit: number;
  /** Received - spent over every valid op held. */
  balance: number | bigint;
  /** The same over the ops certified checkpoints confirmed. */
  confirmedBalance: number | bigint;
}

/** The newest certified checkpoint (2f + 1 members signed its digest). */
export interface CheckpointStatus {
  /** 0: none certified yet. */
  epoch: number | bigint;
  /** The 32-byte digest the members signed; null while epoch is 0. */
  digest: Uint8Array | null;
  /** The distinct members who signed it. */
  signatures: number;
  /** Ops confirmed by the certified checkpoints. */
  confirmedOps: number;
  /** Ops that conflict with a certified checkpoint (they leave the balances). */
  disputedOps: number;
  /** The changes held that are no checkpoint: what a checkpoint's frontier covers. */
  heldOps: number;
}

/** Something wrong in a ledger: every replica holding the same changes finds the same. */
export interface Finding {
  /** overdraft: a device's rights below 0 (a cloned or lying device); equivocation: an actor
   * wrote two changes with one seq; pastLimit: a balance below -limit; checkpointConflict: a
   * member signed two digests for one epoch; invalidOp: a change that is no valid ledger op
   * (it changes nothing). */
  kind: 'overdraft' | 'equivocation' | 'pastLimit' | 'checkpointConflict' | 'invalidOp';
  /** overdraft and pastLimit: the account; null otherwise. */
  account: Uint8Array | null;
  /** The device, the equivocating actor, the member or the op's author; null for pastLimit. */
  actor: Uint8Array | null;
  /** overdraft: -rights; pastLimit: -(balance + limit); 0 otherwise. */
  deficit: number | bigint;
  /** checkpointConflict: the epoch; 0 otherwise. */
  epoch: number | bigint;
  /** The 32-byte hashes of the ops (changes) at fault. */
  ops: Uint8Array[];
  /** equivocation: a proof of it anyone can check; null otherwise. */
  proof: Uint8Array | null;
}

export interface LedgerOptions {
  /** The ledger's genesis (genesis() with a committee); default: the store's. */
  genesis?: Uint8Array;
}

/**
 * A mutual-credit ledger kept in a store (docs/js.md, "Credit ledger"): accounts start at 0
 * and pay others by going negative down to their credit limit. An account is its root key;
 * its devices are the keys it granted spending rights (escrow) to. Every op is a signed
 * change of the store, written as the store's actor, so the ledger syncs, saves and loads
 * with the store. Keys are 32 bytes; amounts and limits are safe integers (1 or 0 to
 * 2^53 - 1); balances, rights and epochs read as numbers while they are safe integers, as
 * bigints beyond. It owns WebAssembly memory: close() frees it, closing the store does too.
 */
export class Ledger {
  private constructor();
  /** The ledger of a store under a ledger's genesis, which must require signatures (a store
   * made with that genesis does); one ledger per store at a time. */
  static open(store: Store, options?: LedgerOptions): Ledger;
  /** Frees the ledger; later calls throw. Not inside the store's transact(). */
  close(): void;
  readonly closed: boolean;

  /** Makes the store's actor the root of an account; the limit is capped by the genesis'
   * creditLimit or what f + 1 members allowed (default: the cap). */
  openAccount(limit?: number): void;
  /** Moves rights of this device in account to toDevice (INSUFFICIENT_ESCROW when they fall
   * short, FORBIDDEN when this device is not one of the account's). */
  grant(account: Uint8Array, toDevice: Uint8Array, amount: number): void;
  /** Pays toAccount out of this device's rights in account, with no network
   * (INSUFFICIENT_ESCROW, FORBIDDEN as grant). */
  spend(account: Uint8Array, toAccount: Uint8Array, amount: number): void;
  /** A committee member allows account a limit up to limit (FORBIDDEN for others); f + 1
   * members must agree. */
  allowLimit(account: Uint8Array, limit: number): void;
  /** A committee member signs a checkpoint of the ops held (FORBIDDEN for others); epoch 0
   * (the default) lets the ledger choose. The epoch signed, 0 when there is nothing to sign;
   * INVALID_ARG for an epoch not past this member's last and the last certified. */
  checkpoint(epoch?: number | bigint): number | bigint;

  /** null when no op names the account. */
  account(key: Uint8Array): AccountInfo | null;
  /** A device's rights (escrow) in account; 0 for a key that is not one of its devices. */
  rights(account: Uint8Array, device: Uint8Array): number | bigint;
  /** Whether device is one of account's devices (rights of 0 do not tell). */
  isDevice(account: Uint8Array, device: Uint8Array): boolean;
  /** The accounts' root keys, in no particular order. */
  accounts(): Uint8Array[];
  checkpointStatus(): CheckpointStatus;
  /** Every finding, in a canonical order. */
  audit(): Finding[];
}

/** BLAKE3: 32 bytes. */
export function hash(data: Uint8Array): Uint8Array;
/** The Ed25519 public key of a 32-byte seed. */
export function publicKey(seed: Uint8Array): Uint8Array;
/** A 64-byte Ed25519 signature. */
export function sign(seed: Uint8Array, message: Uint8Array): Uint8Array;
export function verify(signature: Uint8Array, publicKey: Uint8Array, message: Uint8Array): boolean;

/** Bytes of the WebAssembly heap in use (malloc's), to watch for leaks: it walks the heap, so
 * it is for tests and diagnostics, not for every call. */
export function heapUsed(): number;

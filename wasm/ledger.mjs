// The credit ledger (docs/ledger.md): mutual credit kept in a store whose genesis names a
// checkpoint committee. A Ledger owns one C hy_ledger, which reads every change its store holds
// and follows each one the store applies, so the ledger syncs, saves and loads with its store.
// Keys are 32-byte Uint8Arrays, as everywhere in the API; amounts and limits are safe integers;
// balances, rights and epochs read back as numbers while they are safe integers, as bigints
// beyond (as counters do).
import { checkAmount, checkBytes, show } from './args.mjs';
import { check, ErrorCode, invalid } from './errors.mjs';
import { edited, storePointer } from './fields.mjs';
import { alloc, frame, pushBytes, readBytes, readU32 } from './heap.mjs';
import { wasm } from './loader.mjs';
import { Store, storeOwner } from './store.mjs';
import { fromInt64 } from './values.mjs';

const KEY_LEN = 32, HASH_LEN = 32;
const UINT64_MAX = 2n ** 64n - 1n;
// hy_account_info, hy_checkpoint_info and hy_finding in wasm32 (pinned by layouts.h), and
// hy_finding_kind's values as names.
const ACCOUNT_INFO_SIZE = 32, CHECKPOINT_INFO_SIZE = 72;
const FINDING_ACCOUNT = 4, FINDING_ACTOR = 36, FINDING_DEFICIT = 72, FINDING_EPOCH = 80,
  FINDING_OPS = 88, FINDING_OP_COUNT = 92, FINDING_PROOF = 96, FINDING_PROOF_LEN = 100;
const kinds = [undefined, 'overdraft', 'equivocation', 'pastLimit', 'checkpointConflict',
  'invalidOp'];

const readI64 = (at) => fromInt64(wasm.HEAP64[at >>> 3]);
const readU64 = (at) => fromInt64(wasm.HEAPU64[at >>> 3]);

function checkEpoch(value) {
  if (Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === 'bigint' && value >= 0n && value <= UINT64_MAX) return value;
  invalid('checkpoint', `epoch must be a safe integer or a bigint from 0 to 2^64 - 1, got ${
    show(value)}`);
}

function readFinding(at) {
  const kind = kinds[readU32(at)];
  const [ops, opCount] = [readU32(at + FINDING_OPS), readU32(at + FINDING_OP_COUNT)];
  const proofLength = readU32(at + FINDING_PROOF_LEN);
  return {
    kind,
    // The overdrawn or past-limit account; the device, equivocating actor, member or author.
    account: kind === 'overdraft' || kind === 'pastLimit'
      ? readBytes(at + FINDING_ACCOUNT, KEY_LEN) : null,
    actor: kind === 'pastLimit' ? null : readBytes(at + FINDING_ACTOR, KEY_LEN),
    deficit: readI64(at + FINDING_DEFICIT),
    epoch: readU64(at + FINDING_EPOCH),
    ops: Array.from({ length: opCount }, (_, i) => readBytes(ops + i * HASH_LEN, HASH_LEN)),
    proof: proofLength ? readBytes(readU32(at + FINDING_PROOF), proofLength) : null,
  };
}

// What a C ledger owns: its pointer. Kept apart from the Ledger, which the finalizer must not
// reach; its store frees it first when the store goes before it.
function release(native) {
  if (!native.pointer) return;
  wasm._hy_ledger_free(native.pointer);
  native.pointer = 0;
}
const finalizer = new FinalizationRegistry(release);

const construct = Symbol('construct');

export class Ledger {
  #native;
  #store;

  /** Use Ledger.open. */
  constructor(key, store, pointer) {
    if (key !== construct) invalid('new Ledger', 'use Ledger.open()');
    const native = { pointer };
    this.#native = native;
    this.#store = store;
    finalizer.register(this, native, native);
    store[storeOwner](() => release(native), 'Ledger.open');
  }

  /**
   * The ledger kept in `store`, whose genesis (options.genesis, default store.genesis) must
   * be a ledger's (genesis({ committee, ... })) and which must require signatures (a store
   * made with a ledger's genesis does). A store has one ledger open at a time. It writes as
   * the store's actor.
   */
  static open(store, options = {}) {
    if (!(store instanceof Store))
      invalid('Ledger.open', `store must be a Store, got ${show(store)}`);
    if (options === null || typeof options !== 'object')
      invalid('Ledger.open', `options must be an object, got ${show(options)}`);
    const genesis = options.genesis ?? store.genesis;
    if (genesis === undefined)
      invalid('Ledger.open', 'a genesis is needed: options.genesis, or Store.create({ genesis })');
    checkBytes(genesis, 'Ledger.open', 'genesis');
    const pointer = frame(() => {
      const out = alloc(4, 'Ledger.open');
      check(wasm._hy_ledger_open(store[storePointer]('Ledger.open'),
                                 pushBytes(genesis, 'Ledger.open'), genesis.length, out),
            'Ledger.open', 'the genesis must name a committee, and the store must require ' +
            'signatures, have no ledger open and no transaction open');
      return readU32(out);
    });
    return new Ledger(construct, store, pointer);
  }

  /** Frees the ledger's WebAssembly memory (closing its store does too); later calls throw.
   * Not inside the store's transact(). Closing twice does nothing. */
  close() {
    if (!this.#native.pointer) return;
    this.#store[storeOwner](null, 'Ledger.close');
    finalizer.unregister(this.#native);
    release(this.#native);
  }

  get closed() { return this.#native.pointer === 0; }

  #pointer(where) {
    if (!this.#native.pointer) invalid(where, 'the ledger is closed, or its store');
    return this.#native.pointer;
  }

  /** Runs fn(the C ledger) in a frame. */
  #read(where, fn) {
    return frame(() => fn(this.#pointer(where)));
  }

  /** #read for an op, which commits a change: the store's sync sessions hear of it. */
  #commit(where, fn) {
    const result = this.#read(where, fn);
    this.#store[edited]();
    return result;
  }

  // ---- the local ops: each commits one signed change of the store ----

  /** Makes the store's actor the root of an account with this credit limit, capped by the
   * genesis' creditLimit or what f + 1 committee members allowed (default: the cap). */
  openAccount(limit = Number.MAX_SAFE_INTEGER) {
    const amount = checkAmount(limit, 'openAccount', 'limit', 0);
    this.#commit('openAccount', (l) => check(wasm._hy_ledger_open_account(l, amount),
                                             'openAccount'));
  }

  /** Moves amount of this device's rights in account to toDevice, which becomes one of the
   * account's devices: INSUFFICIENT_ESCROW when the rights fall short, FORBIDDEN when this
   * device is not one of the account's. */
  grant(account, toDevice, amount) {
    this.#transfer('grant', wasm._hy_ledger_grant, account, toDevice, 'toDevice', amount);
  }

  /** Pays amount from account to toAccount out of this device's rights, with no network:
   * INSUFFICIENT_ESCROW when the rights this replica knows of fall short, FORBIDDEN when this
   * device is not one of the account's. */
  spend(account, toAccount, amount) {
    this.#transfer('spend', wasm._hy_ledger_spend, account, toAccount, 'toAccount', amount);
  }

  #transfer(where, transfer, account, other, otherName, amount) {
    checkBytes(account, where, 'account', KEY_LEN);
    checkBytes(other, where, otherName, KEY_LEN);
    const value = checkAmount(amount, where, 'amount', 1);
    this.#commit(where, (l) => check(transfer(l, pushBytes(account, where),
                                              pushBytes(other, where), value), where));
  }

  /** A committee member's leave for account to have a credit limit up to limit (FORBIDDEN for
   * others); an account's cap is the highest limit f + 1 members allowed. */
  allowLimit(account, limit) {
    checkBytes(account, 'allowLimit', 'account', KEY_LEN);
    const value = checkAmount(limit, 'allowLimit', 'limit', 0);
    this.#commit('allowLimit', (l) => check(wasm._hy_ledger_allow_limit(
      l, pushBytes(account, 'allowLimit'), value), 'allowLimit'));
  }

  /**
   * A committee member signs the digest of `epoch`, the ops this replica holds and the
   * balances under them (FORBIDDEN for others); 2f + 1 signatures of one digest certify it.
   * An epoch not past this member's last and the last certified is INVALID_ARG. epoch 0 (the
   * default) lets the ledger choose, so that members holding the same ops agree. Returns the
   * epoch signed, or 0 when there is nothing to sign (no ops, or this member's newest
   * signature covers them already).
   */
  checkpoint(epoch = 0) {
    const value = checkEpoch(epoch);
    return this.#commit('checkpoint', (l) => {
      const out = alloc(8, 'checkpoint');
      const err = wasm._hy_ledger_checkpoint(l, value, out);
      if (err === ErrorCode.NOT_FOUND) return 0;
      check(err, 'checkpoint');
      return readU64(out);
    });
  }

  // ---- reads ----

  /** { opened, limit, balance, confirmedBalance } of the account with this root key; null
   * when no op names it. */
  account(key) {
    checkBytes(key, 'account', 'key', KEY_LEN);
    return this.#read('account', (l) => {
      const out = alloc(ACCOUNT_INFO_SIZE, 'account');
      const err = wasm._hy_ledger_account(l, pushBytes(key, 'account'), out);
      if (err === ErrorCode.NOT_FOUND) return null;
      check(err, 'account');
      return { opened: wasm.HEAP32[out >>> 2] !== 0, limit: readI64(out + 8),
               balance: readI64(out + 16), confirmedBalance: readI64(out + 24) };
    });
  }

  /** device's rights (escrow) in account: what it may still spend or grant; 0 for a key that
   * is not one of its devices, below 0 for a device that spent more (a clone). */
  rights(account, device) {
    checkBytes(account, 'rights', 'account', KEY_LEN);
    checkBytes(device, 'rights', 'device', KEY_LEN);
    return this.#read('rights', (l) => fromInt64(wasm._hy_ledger_rights(
      l, pushBytes(account, 'rights'), pushBytes(device, 'rights'))));
  }

  /** Whether device is one of account's devices (its root once opened, or a key a device
   * granted to), which rights of 0 do not tell. */
  isDevice(account, device) {
    checkBytes(account, 'isDevice', 'account', KEY_LEN);
    checkBytes(device, 'isDevice', 'device', KEY_LEN);
    return this.#read('isDevice', (l) => wasm._hy_ledger_is_device(
      l, pushBytes(account, 'isDevice'), pushBytes(device, 'isDevice')) !== 0);
  }

  /** The root keys of the accounts known, in no particular order. */
  accounts() {
    return this.#read('accounts', (l) => Array.from(
      { length: wasm._hy_ledger_account_count(l) >>> 0 },
      (_, i) => readBytes(wasm._hy_ledger_account_key(l, i), KEY_LEN)));
  }

  /** The newest certified checkpoint: { epoch (0: none yet), digest (null then), signatures,
   * confirmedOps, disputedOps }, and heldOps, the changes held that are no checkpoint. */
  checkpointStatus() {
    return this.#read('checkpointStatus', (l) => {
      const out = alloc(CHECKPOINT_INFO_SIZE, 'checkpointStatus');
      wasm._hy_ledger_checkpoint_status(l, out);
      const epoch = readU64(out);
      return { epoch, digest: epoch ? readBytes(out + 8, HASH_LEN) : null,
               signatures: readU32(out + 40), confirmedOps: readU64(out + 48),
               disputedOps: readU64(out + 56), heldOps: readU64(out + 64) };
    });
  }

  /** Everything wrong in the ledger as this replica holds it, in the order every replica
   * holding the same changes gives. */
  audit() {
    return this.#read('audit', (l) => {
      const out = alloc(4, 'audit');
      check(wasm._hy_ledger_audit(l, out), 'audit');
      const audit = readU32(out);
      try {
        return Array.from({ length: wasm._hy_audit_count(audit) >>> 0 },
                          (_, i) => readFinding(wasm._hy_audit_get(audit, i)));
      } finally {
        wasm._hy_audit_free(audit);
      }
    });
  }
}

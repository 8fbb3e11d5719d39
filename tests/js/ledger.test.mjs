// The credit ledger in JS (docs/js.md, "Credit ledger"): a ledger's genesis, byte for byte;
// a committee of four and replicas that are Stores of their own actors, synced by changes()
// and merge() or by sync sessions; escrow, offline devices, limits, checkpoints, the audit of
// cloned devices and members, save and load, bad arguments, and closing in either order.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { hypha, seedOf, throwsHypha } from './support.mjs';
import { hex } from './sync-support.mjs';

const { ErrorCode, Ledger, Store, SyncSession, genesis, heapUsed, publicKey, storeId } = hypha;
const { FORBIDDEN, INSUFFICIENT_ESCROW, INVALID_ARG } = ErrorCode;

const LIMIT = 1000;
const memberSeeds = [1, 2, 3, 4].map(seedOf);
const committee = memberSeeds.map(publicKey);
const ledgerGenesis = genesis({ name: 'ledger', committee, creditLimit: LIMIT });

/** A replica: a store of its own actor under the ledger's genesis, and its ledger. */
function replica(t, seed, options = {}) {
  const store = Store.create({ genesis: ledgerGenesis, actorSeed: seed, ...options });
  const ledger = Ledger.open(store);
  t.after(() => store.close());
  return { store, ledger, key: store.actor };
}

/** The committee's four members, as replicas. */
const members = (t) => memberSeeds.map((seed) => replica(t, seed));

/** Sends what `to` lacks of `from`'s changes. */
const sync = (from, to) => to.store.merge(from.store.changes(to.store.heads()));
const syncBoth = (a, b) => { sync(a, b); sync(b, a); };

/** A clone of a replica: its key and everything it holds, on another store. */
function clone(t, original, seed) {
  const store = Store.load(original.store.save(), { genesis: ledgerGenesis, actorSeed: seed });
  t.after(() => store.close());
  return { store, ledger: Ledger.open(store), key: store.actor };
}

const kinds = (findings) => findings.map((finding) => finding.kind).sort();

// A ledger's genesis (p2p/genesis.c) is a store's, version 2, followed by the committee (a
// key list) and the credit limit (a varint): the bytes are spelt out here, not taken from C.
test('genesis: a ledger\'s is version 2, then the committee and the credit limit', () => {
  const sorted = [...committee].sort((a, b) => Buffer.compare(a, b));
  const expected = new Uint8Array([
    ...Buffer.from('HYGN'), 2, 6, ...Buffer.from('ledger'), 0, 0, // no writers, no readers
    4, ...sorted.flatMap((key) => [...key]), 0xe8, 0x07, // 1000 as a varint
  ]);
  assert.deepEqual(ledgerGenesis, expected);
  const reversed = [...committee].reverse();
  assert.deepEqual(genesis({ name: 'ledger', committee: reversed, creditLimit: LIMIT }), expected);
  assert.equal(storeId(ledgerGenesis).length, 32);
  const max = genesis({ name: 'l', committee, creditLimit: Number.MAX_SAFE_INTEGER });
  assert.deepEqual([...max.subarray(-8)], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]);
  assert.equal(genesis({ name: 'l', committee })[4], 2); // creditLimit 0
  assert.equal(genesis({ name: 'l', committee: [] })[4], 1); // no committee: a plain store
  for (const size of [1, 3, 5, 6, 8])
    throwsHypha(() => genesis({ name: 'l', committee: Array.from({ length: size }, (_, i) =>
      publicKey(seedOf(i + 1))) }), INVALID_ARG, /3f \+ 1/, `${size} members`);
  throwsHypha(() => genesis({ name: 'l', creditLimit: 5 }), INVALID_ARG, /only with a committee/);
  throwsHypha(() => genesis({ name: 'l', committee: [...committee.slice(1), committee[1]] }),
              INVALID_ARG);
  throwsHypha(() => genesis({ name: 'l', committee: committee[0] }), INVALID_ARG, /committee/);
  throwsHypha(() => genesis({ name: 'l', committee: [new Uint8Array(31), ...committee.slice(1)] }),
              INVALID_ARG, /committee\[0\]/);
  for (const bad of [-1, 1.5, 2 ** 53, NaN, '5', 5n, null])
    throwsHypha(() => genesis({ name: 'l', committee, creditLimit: bad }), INVALID_ARG,
                /creditLimit/, String(bad));
});

const bin = process.env.HYPHA_BIN;
const cliSkip = !bin || !existsSync(bin) ? `no hypha binary at HYPHA_BIN (${bin})`
  : spawnSync(bin, ['help', 'ledger']).status !== 0 ? `${bin} has no ledger command` : false;

test('genesis: the command line\'s `hypha ledger init` names the same ledger', { skip: cliSkip },
     (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hypha-ledger-js-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const out = execFileSync(bin, ['ledger', '--db', join(dir, 'hypha.db'), 'init', 'ledger',
                                 '--committee', committee.map(hex).join(','),
                                 '--limit', String(LIMIT)], { encoding: 'utf8' });
  assert.match(out, new RegExp(hex(storeId(ledgerGenesis))));
});

test('a store under a ledger\'s genesis requires signatures, as a ledger needs', (t) => {
  const store = Store.create({ genesis: ledgerGenesis });
  const loaded = Store.load(store.save(), { genesis: ledgerGenesis });
  const plain = Store.create();
  const signed = Store.create({ requireSignatures: true });
  t.after(() => [store, loaded, plain, signed].forEach((s) => s.close()));
  for (const s of [store, loaded]) Ledger.open(s).openAccount();
  throwsHypha(() => Ledger.open(plain, { genesis: ledgerGenesis }), INVALID_ARG,
              /require signatures/);
  Ledger.open(signed, { genesis: ledgerGenesis }).openAccount(5);
  throwsHypha(() => Ledger.open(store), INVALID_ARG, /no ledger open/); // one at a time
});

test('spending is local and bounded by escrow; receipts count once confirmed', (t) => {
  const [alice, bob] = [replica(t, seedOf(11)), replica(t, seedOf(12))];
  throwsHypha(() => alice.ledger.spend(alice.key, bob.key, 1), FORBIDDEN); // no account yet
  assert.equal(alice.ledger.account(alice.key), null);
  alice.ledger.openAccount(600);
  assert.equal(alice.ledger.rights(alice.key, alice.key), 600);
  throwsHypha(() => alice.ledger.spend(alice.key, bob.key, 601), INSUFFICIENT_ESCROW,
              /^spend: /);
  alice.ledger.spend(alice.key, bob.key, 250);
  alice.ledger.spend(alice.key, bob.key, 350);
  throwsHypha(() => alice.ledger.spend(alice.key, bob.key, 1), INSUFFICIENT_ESCROW);
  assert.deepEqual(alice.ledger.account(alice.key),
                   { opened: true, limit: 600, balance: -600, confirmedBalance: 0 });
  assert.deepEqual(alice.ledger.account(bob.key),
                   { opened: false, limit: 0, balance: 600, confirmedBalance: 0 });

  bob.ledger.openAccount(LIMIT * 5); // capped by the genesis' credit limit
  syncBoth(alice, bob);
  assert.deepEqual(bob.ledger.account(bob.key),
                   { opened: true, limit: LIMIT, balance: 600, confirmedBalance: 0 });
  assert.equal(bob.ledger.rights(bob.key, bob.key), LIMIT);
  const byHex = (keys) => keys.map(hex).sort();
  assert.deepEqual(byHex(bob.ledger.accounts()), byHex([alice.key, bob.key]));
  assert.deepEqual(bob.ledger.audit(), []);
});

test('escrow granted to a device that spends it offline', (t) => {
  const [root, phone, shop] = [21, 22, 23].map((n) => replica(t, seedOf(n)));
  root.ledger.openAccount(800);
  root.ledger.grant(root.key, phone.key, 300);
  assert.equal(root.ledger.rights(root.key, root.key), 500);
  assert.equal(root.ledger.rights(root.key, phone.key), 300);
  throwsHypha(() => root.ledger.grant(root.key, phone.key, 501), INSUFFICIENT_ESCROW);
  sync(root, phone);
  // Offline: the phone spends from its own escrow, the root from what it kept.
  phone.ledger.spend(root.key, shop.key, 200);
  throwsHypha(() => phone.ledger.spend(root.key, shop.key, 101), INSUFFICIENT_ESCROW);
  root.ledger.spend(root.key, shop.key, 500);
  throwsHypha(() => shop.ledger.grant(root.key, shop.key, 1), FORBIDDEN); // not its device
  syncBoth(root, phone);
  syncBoth(phone, shop);
  for (const r of [root, phone, shop]) {
    assert.equal(r.ledger.account(root.key).balance, -700);
    assert.equal(r.ledger.account(shop.key).balance, 700);
    assert.equal(r.ledger.rights(root.key, phone.key), 100);
    assert.equal(r.ledger.rights(root.key, shop.key), 0);
    assert.ok(r.ledger.isDevice(root.key, phone.key) && r.ledger.isDevice(root.key, root.key));
    assert.ok(!r.ledger.isDevice(root.key, shop.key));
    assert.deepEqual(r.ledger.audit(), []);
  }
});

test('a limit past the genesis\' needs f + 1 members', (t) => {
  const committeeReplicas = members(t);
  const alice = replica(t, seedOf(31));
  throwsHypha(() => alice.ledger.allowLimit(alice.key, 5000), FORBIDDEN);
  alice.ledger.openAccount(5000);
  assert.equal(alice.ledger.account(alice.key).limit, LIMIT);
  committeeReplicas[0].ledger.allowLimit(alice.key, 5000);
  sync(committeeReplicas[0], alice);
  assert.equal(alice.ledger.account(alice.key).limit, LIMIT); // one member may be lying
  committeeReplicas[1].ledger.allowLimit(alice.key, 3000);
  sync(committeeReplicas[1], alice);
  assert.equal(alice.ledger.account(alice.key).limit, 3000); // two agree on 3000 at least
  assert.equal(alice.ledger.rights(alice.key, alice.key), 3000);
});

test('three of four members certify a checkpoint, which confirms what it covers', (t) => {
  const committeeReplicas = members(t);
  const [alice, bob] = [replica(t, seedOf(41)), replica(t, seedOf(42))];
  alice.ledger.openAccount(500);
  bob.ledger.openAccount(500);
  alice.ledger.spend(alice.key, bob.key, 120);
  syncBoth(alice, bob);
  for (const member of committeeReplicas) sync(alice, member);

  throwsHypha(() => alice.ledger.checkpoint(), FORBIDDEN); // not a member
  assert.deepEqual(bob.ledger.checkpointStatus(),
                   { epoch: 0, digest: null, signatures: 0, confirmedOps: 0, disputedOps: 0,
                     heldOps: 3 }); // two OPENs and a SPEND
  committeeReplicas.slice(0, 3).forEach((member, i) => {
    assert.equal(member.ledger.checkpoint(), 1);
    assert.equal(member.ledger.checkpoint(), 0); // its newest signature covers it already
    throwsHypha(() => member.ledger.checkpoint(1), INVALID_ARG); // never two digests
    sync(member, bob);
    assert.equal(bob.ledger.checkpointStatus().epoch, i < 2 ? 0 : 1);
  });
  const status = bob.ledger.checkpointStatus();
  assert.equal(status.signatures, 3);
  assert.equal(status.digest.length, 32);
  assert.ok(status.confirmedOps >= 3);
  assert.equal(status.disputedOps, 0);
  assert.equal(bob.ledger.account(bob.key).confirmedBalance, 120);
  assert.equal(bob.ledger.account(alice.key).confirmedBalance, -120);
  assert.equal(bob.ledger.rights(bob.key, bob.key), 620); // limit + confirmed receipts
  // The fourth member: epoch 1 is taken, so it signs the next one.
  sync(bob, committeeReplicas[3]);
  throwsHypha(() => committeeReplicas[3].ledger.checkpoint(1), INVALID_ARG);
  assert.equal(committeeReplicas[3].ledger.checkpoint(2n), 2);
  assert.deepEqual(bob.ledger.audit(), []);
});

test('a cloned device: its overdraft and its equivocation, the same on every replica', (t) => {
  const [root, phone, shop] = [51, 52, 53].map((n) => replica(t, seedOf(n)));
  root.ledger.openAccount(800);
  root.ledger.grant(root.key, phone.key, 300);
  sync(root, phone);
  const phoneClone = clone(t, phone, seedOf(52));
  phone.ledger.spend(root.key, shop.key, 250);
  phoneClone.ledger.spend(root.key, shop.key, 260); // each thinks it holds 300
  sync(phone, shop);
  sync(phoneClone, shop);
  sync(shop, root);
  const audits = [shop, root].map((r) => r.ledger.audit());
  assert.deepEqual(audits[0], audits[1]);
  const findings = audits[0];
  assert.deepEqual(kinds(findings), ['equivocation', 'overdraft']);
  const overdraft = findings.find((f) => f.kind === 'overdraft');
  assert.deepEqual(overdraft.account, root.key);
  assert.deepEqual(overdraft.actor, phone.key);
  assert.equal(overdraft.deficit, 210);
  assert.equal(overdraft.epoch, 0);
  assert.equal(overdraft.ops.length, 1); // the spend past the escrow
  assert.equal(overdraft.ops[0].length, 32);
  assert.equal(overdraft.proof, null);
  const equivocation = findings.find((f) => f.kind === 'equivocation');
  assert.equal(equivocation.account, null);
  assert.deepEqual(equivocation.actor, phone.key);
  assert.equal(equivocation.ops.length, 2);
  assert.ok(equivocation.proof instanceof Uint8Array && equivocation.proof.length > 0);
  assert.equal(root.ledger.rights(root.key, phone.key), -210);
});

test('a cloned root spends past its limit; a cloned member signs two digests', (t) => {
  const committeeReplicas = members(t);
  const [root, shop] = [replica(t, seedOf(61)), replica(t, seedOf(62))];
  root.ledger.openAccount(800);
  const rootClone = clone(t, root, seedOf(61));
  root.ledger.spend(root.key, shop.key, 500);
  rootClone.ledger.spend(root.key, shop.key, 700);
  syncBoth(root, shop);
  syncBoth(rootClone, shop);
  const pastLimit = shop.ledger.audit().find((f) => f.kind === 'pastLimit');
  assert.deepEqual(pastLimit.account, root.key);
  assert.equal(pastLimit.actor, null);
  assert.equal(pastLimit.deficit, 400); // -1200 against a limit of 800

  // Member 0 and its clone hold different ops and each sign epoch 1.
  const member = committeeReplicas[0];
  const memberClone = clone(t, member, memberSeeds[0]);
  sync(root, member);
  sync(rootClone, memberClone);
  assert.equal(member.ledger.checkpoint(), 1);
  assert.equal(memberClone.ledger.checkpoint(), 1);
  syncBoth(member, shop);
  syncBoth(memberClone, shop);
  const conflict = shop.ledger.audit().find((f) => f.kind === 'checkpointConflict');
  assert.equal(conflict.account, null);
  assert.deepEqual(conflict.actor, committee[0]);
  assert.equal(conflict.epoch, 1);
  assert.equal(conflict.ops.length, 2);
  assert.equal(shop.ledger.checkpointStatus().epoch, 0);
});

test('ops that are no ledger op (a record edit) are reported and change nothing', (t) => {
  const alice = replica(t, seedOf(71));
  alice.ledger.openAccount(500);
  alice.store.put('c', 'k', 'f', 1);
  const [finding] = alice.ledger.audit();
  assert.equal(finding.kind, 'invalidOp');
  assert.deepEqual(finding.actor, alice.key);
  assert.equal(finding.ops.length, 1);
  assert.equal(alice.ledger.rights(alice.key, alice.key), 500);
});

test('a loaded store gives the same ledger, and merges keep it up to date', (t) => {
  const [alice, bob] = [replica(t, seedOf(81)), replica(t, seedOf(82))];
  alice.ledger.openAccount(500);
  alice.ledger.grant(alice.key, bob.key, 100);
  alice.ledger.spend(alice.key, bob.key, 42);
  const loaded = Store.load(alice.store.save(), { genesis: ledgerGenesis, actorSeed: seedOf(81) });
  t.after(() => loaded.close());
  const ledger = Ledger.open(loaded);
  assert.deepEqual(ledger.account(alice.key),
                   { opened: true, limit: 500, balance: -42, confirmedBalance: 0 });
  assert.equal(ledger.rights(alice.key, bob.key), 100);
  assert.equal(ledger.rights(alice.key, alice.key), 358);
  sync(alice, bob);
  bob.ledger.spend(alice.key, bob.key, 60); // bob's device pays bob's account
  loaded.merge(bob.store.changes(loaded.heads()));
  assert.equal(ledger.rights(alice.key, bob.key), 40);
  assert.equal(ledger.account(alice.key).balance, -102);
});

test('ledger ops travel through sync sessions like any change', async (t) => {
  const [alice, bob] = [replica(t, seedOf(91)), replica(t, seedOf(92))];
  const queues = [[], []];
  const sessions = [alice, bob].map((r, i) =>
    new SyncSession(r.store, { send: (frame) => queues[1 - i].push(frame) }));
  const run = async () => {
    for (let round = 0; round < 50; round++) {
      await null; // the stores tell their sessions in a microtask
      if (!queues[0].length && !queues[1].length) return;
      queues.forEach((queue, i) => queue.splice(0).forEach((frame) => sessions[i].receive(frame)));
    }
  };
  await run();
  alice.ledger.openAccount(500);
  alice.ledger.spend(alice.key, bob.key, 70);
  await run();
  assert.equal(bob.ledger.account(bob.key).balance, 70);
  sessions.forEach((session) => session.close());
});

test('bad arguments are INVALID_ARG, and failing calls leave no memory behind', (t) => {
  const alice = replica(t, seedOf(101));
  const { ledger, key } = alice;
  ledger.openAccount(500);
  throwsHypha(() => new Ledger(), INVALID_ARG, /Ledger\.open/);
  throwsHypha(() => Ledger.open({}), INVALID_ARG, /store must be a Store/);
  throwsHypha(() => Ledger.open(alice.store, null), INVALID_ARG, /options/);
  const bare = Store.create({ requireSignatures: true });
  t.after(() => bare.close());
  throwsHypha(() => Ledger.open(bare), INVALID_ARG, /a genesis is needed/);
  throwsHypha(() => Ledger.open(bare, { genesis: 'x' }), INVALID_ARG, /genesis/);
  throwsHypha(() => Ledger.open(bare, { genesis: genesis({ name: 'plain' }) }), INVALID_ARG,
              /committee/);
  const calls = [
    ...[0, -1, 1.5, NaN, 2 ** 53, '5', 5n, undefined].flatMap((amount) => [
      () => ledger.spend(key, key, amount), () => ledger.grant(key, key, amount)]),
    ...[-1, 1.5, 2 ** 53, '5', null].flatMap((limit) => [
      () => ledger.openAccount(limit), () => ledger.allowLimit(key, limit)]),
    ...[-1, 1.5, -1n, 2n ** 64n, '1'].map((epoch) => () => ledger.checkpoint(epoch)),
    ...[undefined, 'ab', new Uint8Array(31), [...key]].flatMap((bad) => [
      () => ledger.spend(bad, key, 1), () => ledger.spend(key, bad, 1),
      () => ledger.grant(key, bad, 1), () => ledger.allowLimit(bad, 1),
      () => ledger.account(bad), () => ledger.rights(bad, key), () => ledger.rights(key, bad),
      () => ledger.isDevice(bad, key), () => ledger.isDevice(key, bad)]),
  ];
  calls.forEach((call) => throwsHypha(call, INVALID_ARG, null, String(call)));
  const before = heapUsed();
  for (let i = 0; i < 1000; i++) {
    throwsHypha(() => ledger.spend(key, key, 10_000), INSUFFICIENT_ESCROW);
    throwsHypha(() => ledger.allowLimit(key, 1), FORBIDDEN);
    throwsHypha(calls[i % calls.length], INVALID_ARG);
  }
  assert.equal(heapUsed(), before);
});

test('closing: the store frees its ledger first, a closed ledger throws, and nothing leaks',
     () => {
  const before = heapUsed();
  for (let round = 0; round < 20; round++) {
    const store = Store.create({ genesis: ledgerGenesis });
    const ledger = Ledger.open(store);
    ledger.openAccount(10);
    if (round % 2) {
      store.close(); // the ledger goes with it
      assert.ok(ledger.closed);
      throwsHypha(() => ledger.account(store.actor), INVALID_ARG, /closed/);
      ledger.close();
    } else {
      ledger.close();
      ledger.close();
      throwsHypha(() => ledger.openAccount(), INVALID_ARG, /closed/);
      const again = Ledger.open(store); // one at a time, not one ever
      assert.equal(again.account(store.actor).limit, 10);
      // The core cannot drop a ledger inside a transaction, nor commit an op there.
      store.transact(() => {
        throwsHypha(() => again.close(), INVALID_ARG, /transact/);
        throwsHypha(() => again.openAccount(), INVALID_ARG);
      });
      store.close();
      assert.ok(again.closed);
    }
  }
  assert.equal(heapUsed(), before);
});

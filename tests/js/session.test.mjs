// The genesis codec, a store's writer policy and SyncSession in JS (docs/js.md, "Sync"): two
// sessions wired by a link the test controls (direct, or losing, duplicating and reordering
// messages) converge, fall silent, refuse what the policy refuses, and free their memory.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hypha, random, seedOf, throwsHypha } from './support.mjs';
import { changesFrame, headsOf } from './sync-support.mjs';

const { ErrorCode, Store, SyncSession, genesis, hash, heapUsed, publicKey, storeId } = hypha;
const { CLOSED, FORBIDDEN, INVALID_ARG, NOT_FOUND } = ErrorCode;

const key = (n) => publicKey(seedOf(n));
const notes = genesis({ name: 'notes' });

/**
 * Two sessions joined by a link: link.run() delivers what is in flight until nothing is,
 * ticking both ends meanwhile when `ticks` is set. A lossy link (rng) drops, duplicates and
 * reorders messages. link.sent counts the frames each way.
 */
function connect(a, b, { rng, optionsA = {}, optionsB = {} } = {}) {
  const queues = [[], []]; // to a, to b
  const sent = [0, 0];
  const carry = (to) => (frame) => {
    sent[to]++;
    if (rng && rng.below(10) === 0) return; // lost
    queues[to].push(frame);
    if (rng && rng.below(10) === 0) queues[to].push(frame); // duplicated
  };
  const sa = new SyncSession(a, { ...optionsA, send: carry(1) });
  const sb = new SyncSession(b, { ...optionsB, send: carry(0) });
  const sessions = [sa, sb];
  return {
    sa, sb, sent,
    /** Delivers until the link is quiet (rounds: at most that many, ticking each). */
    async run({ ticks = false, rounds = 200 } = {}) {
      for (let round = 0; round < rounds; round++) {
        await null; // the stores' change notices run as microtasks
        if (ticks) sessions.forEach((session) => session.state !== 'closed' && session.tick());
        if (!queues[0].length && !queues[1].length) {
          await null;
          if (!queues[0].length && !queues[1].length) return;
        }
        for (const to of [0, 1]) {
          const batch = queues[to].splice(0);
          if (rng) batch.sort(() => rng.below(3) - 1); // reordered
          for (const frame of batch) if (sessions[to].state !== 'closed') sessions[to].receive(frame);
        }
      }
    },
    close() { sessions.forEach((session) => session.close()); },
  };
}

test('genesis: canonical bytes whatever the key order, and its store id', () => {
  const g = genesis({ name: 'notes', writers: [key(2), key(1)], readers: [key(3)] });
  assert.deepEqual(g, genesis({ name: 'notes', writers: [key(1), key(2)], readers: [key(3)] }));
  assert.deepEqual([...g.subarray(0, 5)], [0x48, 0x59, 0x47, 0x4e, 1]); // "HYGN", version 1
  assert.equal(g.length, 5 + 1 + 5 + 1 + 64 + 1 + 32);
  assert.deepEqual(storeId(g), hash(g));
  assert.notDeepEqual(storeId(g), storeId(notes));
  assert.equal(genesis({ name: 'é' }).length, 5 + 1 + 2 + 2);
  throwsHypha(() => genesis({ name: 'n', writers: [key(1), key(1)] }), INVALID_ARG);
  throwsHypha(() => genesis({ name: '' }), INVALID_ARG);
  throwsHypha(() => genesis({ name: 'x'.repeat(256) }), INVALID_ARG);
  throwsHypha(() => genesis({ name: 'n', writers: [new Uint8Array(31)] }), INVALID_ARG);
  throwsHypha(() => genesis({ name: 'n', readers: key(1) }), INVALID_ARG);
  throwsHypha(() => genesis({ name: 'n', writers: Array.from({ length: 1025 }, (_, i) => hash(new Uint8Array([i >> 8, i]))) }), INVALID_ARG);
  throwsHypha(() => genesis('notes'), INVALID_ARG);
  // Not a canonical genesis: the error says where.
  const unsorted = g.slice();
  unsorted.set(g.subarray(12, 44), 44);
  unsorted.set(g.subarray(44, 76), 12);
  assert.throws(() => storeId(unsorted), (error) => error.code === ErrorCode.FORMAT && error.offset > 0);
  assert.throws(() => storeId(g.subarray(0, 20)), (error) => error.code === ErrorCode.TOO_LARGE && error.offset === 11);
  throwsHypha(() => storeId('notes'), INVALID_ARG);
});

test('a store made with a genesis refuses writers it does not list, locally and on merge', () => {
  const policy = genesis({ name: 'team', writers: [key(1)] });
  const writer = Store.create({ genesis: policy, actorSeed: seedOf(1) });
  const outsider = Store.create({ genesis: policy, actorSeed: seedOf(2) });
  const anyone = Store.create({ actorSeed: seedOf(2) });
  writer.put('c', 'k', 'f', 'allowed');
  throwsHypha(() => outsider.put('c', 'k', 'f', 'refused'), FORBIDDEN);
  throwsHypha(() => outsider.transact((s) => s.text('c', 'k', 't').insert(0, 'x')), FORBIDDEN);
  anyone.put('c', 'k', 'f', 'refused');
  throwsHypha(() => writer.merge(anyone.changes()), FORBIDDEN);
  assert.equal(writer.get('c', 'k', 'f'), 'allowed');
  outsider.merge(writer.changes());
  assert.equal(outsider.get('c', 'k', 'f'), 'allowed');
  throwsHypha(() => Store.load(anyone.save(), { genesis: policy }), FORBIDDEN);
  assert.equal(Store.load(writer.save(), { genesis: policy }).get('c', 'k', 'f'), 'allowed');
  assert.deepEqual(writer.genesis, policy);
  writer.genesis[0] = 0; // a copy
  assert.deepEqual(writer.genesis, policy);
  assert.equal(anyone.genesis, undefined);
  throwsHypha(() => Store.create({ genesis: policy.subarray(1) }), ErrorCode.FORMAT);
  throwsHypha(() => Store.create({ genesis: 'team' }), INVALID_ARG);
  for (const store of [writer, outsider, anyone]) store.close();
});

test('two sessions converge in one exchange, confirm it on a tick, then fall silent', async () => {
  const [a, b] = [Store.create({ genesis: notes }), Store.create({ genesis: notes })];
  for (let i = 0; i < 50; i++) a.list('c', 'k', 'items').push(i);
  b.text('c', 'k', 'body').insert(0, 'from b 😀');
  const link = connect(a, b);
  assert.equal(link.sa.state, 'handshake');
  assert.equal(link.sa.peerKey, null);
  await link.run();
  assert.equal(link.sa.state, 'ready');
  assert.equal(headsOf(a), headsOf(b));
  assert.equal(b.list('c', 'k', 'items').length, 50);
  assert.equal(a.text('c', 'k', 'body').toString(), 'from b 😀');
  await link.run({ ticks: true, rounds: 3 });
  assert.ok(link.sa.inSync && link.sb.inSync);
  const sent = link.sent.slice();
  await link.run({ ticks: true, rounds: 10 });
  assert.deepEqual(link.sent, sent, 'frames after convergence');
  const stats = link.sa.stats;
  assert.ok(stats.changesOut >= 50);
  assert.equal(stats.changesIn, 1);
  assert.equal(stats.changesRefused, 0);
  assert.equal(stats.framesOut, link.sent[1]);
  // A commit afterwards is pushed by itself (the store tells its sessions), once.
  a.put('c', 'k', 'later', true);
  await link.run();
  assert.equal(b.get('c', 'k', 'later'), true);
  assert.equal(link.sa.stats.changesOut, stats.changesOut + 1);
  link.close();
  a.close();
  b.close();
});

for (const seed of [1, 2, 3]) test(`a lossy, duplicating, reordering link converges (seed ${seed})`, async () => {
  const rng = random(seed);
  const [a, b] = [Store.create({ genesis: notes }), Store.create({ genesis: notes })];
  const link = connect(a, b, { rng });
  for (let i = 0; i < 30; i++) {
    rng.pick([a, b]).counter('c', 'k', 'n').add(1);
    rng.pick([a, b]).text('c', 'k', 't').insert(0, String(i % 10));
    await link.run({ ticks: true, rounds: 2 });
  }
  await link.run({ ticks: true, rounds: 400 });
  assert.equal(headsOf(a), headsOf(b));
  assert.equal(a.counter('c', 'k', 'n').value, 30);
  assert.equal(b.text('c', 'k', 't').toString(), a.text('c', 'k', 't').toString());
  link.close();
  a.close();
  b.close();
});

test('a store tells all its sessions: a change crosses a line of three stores', async () => {
  const stores = [0, 1, 2].map(() => Store.create({ genesis: notes }));
  const left = connect(stores[0], stores[1]);
  const right = connect(stores[1], stores[2]);
  const run = () => Promise.all([left.run(), right.run()]);
  await run();
  stores[0].put('c', 'k', 'from', 'the left end');
  stores[2].transact((s) => s.set('c', 'k', 'tags').add('right'));
  for (let i = 0; i < 4; i++) await run();
  assert.equal(stores[2].get('c', 'k', 'from'), 'the left end');
  assert.deepEqual(stores[0].set('c', 'k', 'tags').values(), ['right']);
  // The middle store sent each change on once: no echo back to where it came from.
  assert.equal(left.sb.stats.changesOut, 1);
  assert.equal(right.sa.stats.changesOut, 1);
  for (const thing of [left, right, ...stores]) thing.close();
});

test('changes by a writer the genesis leaves out: the session refuses them with FORBIDDEN', async () => {
  const policy = genesis({ name: 'team', writers: [key(1)] });
  const [victim, peer] = [Store.create({ genesis: policy }), Store.create({ genesis: policy })];
  const link = connect(victim, peer);
  await link.run();
  assert.equal(link.sa.state, 'ready');
  // What an honest peer cannot send: a batch by another actor, in a CHANGES frame.
  const forger = Store.create({ actorSeed: seedOf(2) });
  forger.put('c', 'k', 'f', 'forged');
  link.sa.receive(changesFrame(forger.changes()));
  assert.equal(link.sa.state, 'closed');
  assert.equal(link.sa.error.code, FORBIDDEN);
  assert.equal(link.sa.stats.changesRefused, 1);
  assert.equal(victim.get('c', 'k', 'f'), undefined);
  await link.run(); // the ERROR frame reaches the peer, which closes too
  assert.equal(link.sb.state, 'closed');
  assert.equal(link.sb.error.code, FORBIDDEN);
  assert.match(link.sb.error.message, /the peer ended the session/);
  link.close();
  for (const store of [victim, peer, forger]) store.close();
});

test('readers: a node key the genesis does not list is refused', async () => {
  const policy = genesis({ name: 'private', readers: [key(5)] });
  const [a, b] = [Store.create({ genesis: policy }), Store.create({ genesis: policy })];
  const allowed = connect(a, b, { optionsA: { nodeSeed: seedOf(5) }, optionsB: { nodeSeed: seedOf(5) } });
  await allowed.run();
  assert.equal(allowed.sa.state, 'ready');
  assert.deepEqual(allowed.sa.peerKey, key(5));
  const refused = connect(a, b, { optionsA: { nodeSeed: seedOf(5) }, optionsB: { nodeSeed: seedOf(6) } });
  await refused.run();
  assert.equal(refused.sa.state, 'closed');
  assert.equal(refused.sa.error.code, FORBIDDEN);
  assert.equal(refused.sb.error.code, FORBIDDEN);
  // Another store altogether: NOT_FOUND.
  const other = Store.create({ genesis: genesis({ name: 'other' }) });
  const lost = connect(a, other);
  await lost.run();
  assert.equal(lost.sa.error.code, NOT_FOUND);
  for (const thing of [allowed, refused, lost, a, b, other]) thing.close();
});

test('arguments a session cannot take', () => {
  const store = Store.create({ genesis: notes });
  const anyone = Store.create();
  const send = () => {};
  throwsHypha(() => new SyncSession({}, { send }), INVALID_ARG);
  throwsHypha(() => new SyncSession(store), INVALID_ARG);
  throwsHypha(() => new SyncSession(store, {}), INVALID_ARG, /send/);
  throwsHypha(() => new SyncSession(anyone, { send }), INVALID_ARG, /genesis/);
  throwsHypha(() => new SyncSession(store, { send, genesis: genesis({ name: 'other' }) }), INVALID_ARG,
              /not the genesis the store was made with/);
  throwsHypha(() => new SyncSession(anyone, { send, genesis: genesis({ name: 'n', writers: [key(1)] }) }),
              INVALID_ARG, /Store.create\(\{ genesis \}\)/);
  throwsHypha(() => new SyncSession(anyone, { send, genesis: notes.subarray(2) }), ErrorCode.FORMAT);
  throwsHypha(() => new SyncSession(store, { send, nodeSeed: new Uint8Array(31) }), INVALID_ARG);
  throwsHypha(() => new SyncSession(store, { send, maxFrame: -1 }), INVALID_ARG);
  throwsHypha(() => new SyncSession(store, { send, maxBatch: 1.5 }), INVALID_ARG);
  // A store without policy syncs under a genesis that names no writers.
  const session = new SyncSession(anyone, { send, genesis: notes });
  throwsHypha(() => session.receive('frames'), INVALID_ARG);
  session.close();
  store.close();
  anyone.close();
});

test('close() frees the memory; calls after it throw CLOSED; closing the store closes its sessions', async () => {
  const warm = async () => {
    const [a, b] = [Store.create({ genesis: notes }), Store.create({ genesis: notes })];
    for (let i = 0; i < 200; i++) a.text('c', 'k', 't').insert(i, 'x');
    const link = connect(a, b);
    await link.run({ ticks: true, rounds: 5 });
    assert.equal(b.text('c', 'k', 't').length, 200);
    return [link, a, b];
  };
  for (const thing of (await warm()).reverse()) thing.close(); // first-use allocations
  const baseline = heapUsed();
  for (let round = 0; round < 3; round++) {
    const [link, a, b] = await warm();
    link.close();
    link.close();
    assert.equal(link.sa.state, 'closed');
    throwsHypha(() => link.sa.tick(), CLOSED);
    throwsHypha(() => link.sa.receive(new Uint8Array([1, 0])), CLOSED);
    a.close();
    b.close();
    assert.equal(heapUsed(), baseline, `round ${round}`);
  }
  // The store first: its sessions close with it (they borrow its memory).
  const [link, a, b] = await warm();
  a.close();
  assert.equal(link.sa.state, 'closed');
  b.close();
  assert.equal(link.sb.state, 'closed');
  assert.equal(heapUsed(), baseline);
});

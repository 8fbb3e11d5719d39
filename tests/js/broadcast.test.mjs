// BroadcastChannelTransport in node (node 20 has BroadcastChannel; Chromium runs it between
// pages in tests/browser): a sync session per pair of tabs in envelopes (docs/js.md,
// "BroadcastChannel envelopes"). Stores converge, latecomers catch up, tabs that leave or fall
// silent are dropped, failed sessions are not reopened, and a converged channel carries only
// heartbeats. A spy channel of the same name sees every envelope, as the tabs' own do.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hypha, seedOf } from './support.mjs';
import { changesFrame, closeAfter, collectErrors, converged, hex, sleep, until }
  from './sync-support.mjs';

const { BroadcastChannelTransport, ErrorCode, HyphaError, Store, TransportError, genesis,
        heapUsed, publicKey } = hypha;
const [HERE, FRAMES, BYE] = [1, 2, 3];
const HEADER = 33;
const notes = genesis({ name: 'notes' });
// Short timers, so that heartbeats and timeouts happen within a test.
const fast = { heartbeatInterval: 40, peerTimeout: 200 };

let channels = 0;
const channelName = () => `broadcast-test-${process.pid}-${++channels}`;

/** Every envelope on the channel `hypha:name`, decoded: { kind, from, to, frame }. */
function spy(t, name) {
  const channel = new BroadcastChannel(`hypha:${name}`);
  closeAfter(t, channel);
  const messages = [];
  channel.onmessage = ({ data }) => messages.push({
    kind: data[0], from: hex(data.subarray(1, 17)), to: hex(data.subarray(17, HEADER)),
    frame: data.subarray(HEADER),
  });
  const post = (kind, from, to, frame = []) =>
    channel.postMessage(new Uint8Array([kind, ...from, ...to, ...frame]));
  return { channel, messages, post, frames: () => messages.filter(({ kind }) => kind === FRAMES) };
}

function joined(t, store, name, options = fast) {
  const transport = collectErrors(new BroadcastChannelTransport(store, name, options));
  closeAfter(t, transport);
  return transport;
}

const created = (t, count, options = { genesis: notes }) => {
  const stores = Array.from({ length: count }, () => Store.create(options));
  closeAfter(t, ...stores);
  return stores;
};

test('two stores converge both ways, concurrent edits included, one session each', async (t) => {
  const name = channelName();
  const [a, b] = created(t, 2);
  const [ta, tb] = [joined(t, a, name), joined(t, b, name)];
  a.put('notes', 'n1', 'title', 'from a');
  b.text('notes', 'n1', 'body').insert(0, 'from b 😀');
  b.counter('notes', 'n1', 'votes').add(2);
  a.counter('notes', 'n1', 'votes').add(3);
  await converged([a, b]);
  for (const store of [a, b]) {
    assert.equal(store.get('notes', 'n1', 'title'), 'from a');
    assert.equal(store.text('notes', 'n1', 'body').toString(), 'from b 😀');
    assert.equal(store.counter('notes', 'n1', 'votes').value, 5);
  }
  b.put('notes', 'n1', 'title', 'from b');
  await converged([a, b]);
  assert.equal(a.get('notes', 'n1', 'title'), 'from b');
  assert.equal(ta.peers.length, 1);
  assert.equal(ta.peers[0].state, 'ready');
  await until(() => ta.peers[0].inSync && tb.peers[0].inSync, 'both sessions in sync');
  assert.deepEqual([...ta.errors, ...tb.errors], []);
});

test('a late joiner catches up both ways; a tab that leaves says so and is dropped', async (t) => {
  const name = channelName();
  const [a, b, late] = created(t, 3);
  const [ta, tb] = [joined(t, a, name), joined(t, b, name)];
  for (let i = 0; i < 20; i++) a.list('c', 'k', 'items').push(i);
  b.put('c', 'k', 'owner', 'b');
  await converged([a, b]);
  late.put('c', 'k', 'offline', 'written before joining');
  const tl = joined(t, late, name);
  await converged([a, b, late]);
  assert.deepEqual(late.list('c', 'k', 'items').toArray(), Array.from({ length: 20 }, (_, i) => i));
  assert.equal(a.get('c', 'k', 'offline'), 'written before joining');
  assert.equal(b.get('c', 'k', 'offline'), 'written before joining');
  assert.equal(ta.peers.length, 2);

  // b leaves: its BYE drops the sessions with it at once, not after peerTimeout.
  const watch = spy(t, name);
  tb.close();
  await until(() => ta.peers.length === 1 && tl.peers.length === 1, 'the others dropped b');
  assert.ok(watch.messages.some(({ kind, to }) => kind === BYE && /^0+$/.test(to)));
  b.put('c', 'k', 'while away', 'b');
  a.put('c', 'k', 'while b was away', 'a');
  await sleep(20);
  assert.equal(b.get('c', 'k', 'while b was away'), undefined);
  // ... and comes back (a reloaded tab): a new tab id, new sessions, caught up both ways.
  const tb2 = joined(t, b, name);
  await converged([a, b, late]);
  assert.equal(a.get('c', 'k', 'while away'), 'b');
  assert.equal(b.get('c', 'k', 'while b was away'), 'a');
  assert.deepEqual([...ta.errors, ...tl.errors, ...tb2.errors], []);
});

test('a tab that vanishes without a word is dropped after peerTimeout', async (t) => {
  const name = channelName();
  const [a] = created(t, 1);
  const ta = joined(t, a, name);
  const ghost = spy(t, name);
  const ghostId = new Uint8Array(16).fill(9);
  ghost.post(HERE, ghostId, new Uint8Array(16));
  await until(() => ta.peers.length === 1, 'a session with the ghost');
  // a opened a session: its HELLO went to the ghost, which never answers.
  assert.ok(ghost.frames().some(({ to, frame }) => to === hex(ghostId) && frame[0] === 1));
  const started = Date.now();
  await until(() => ta.peers.length === 0, 'the ghost dropped');
  assert.ok(Date.now() - started >= 150, 'not before peerTimeout');
  await until(() => ghost.messages.some(({ kind, to }) => kind === BYE && to === hex(ghostId)),
              'a BYE to the ghost');
  // Frames of a session a no longer has (not a HELLO) are answered with BYE, not acted on.
  ghost.messages.length = 0;
  ghost.post(FRAMES, ghostId, Buffer.from(ta.tabId, 'hex'), [3, 0]);
  await until(() => ghost.messages.some(({ kind }) => kind === BYE), 'a BYE to the stale frames');
  assert.equal(ta.peers.length, 0);
  assert.deepEqual(ta.errors, []);
});

test('once converged only heartbeats cross the channel; a burst of edits is one push', async (t) => {
  const name = channelName();
  const stores = created(t, 3);
  const watch = spy(t, name);
  stores.forEach((store) => joined(t, store, name));
  await converged(stores);
  await sleep(300); // ticks (every 40 ms here): the sessions confirm that they are level
  watch.messages.length = 0;
  await sleep(300);
  assert.deepEqual(watch.frames(), [], 'sync frames once converged');
  assert.ok(watch.messages.every(({ kind }) => kind === HERE));

  // 100 edits in one task: one CHANGES from the editing tab to each other tab.
  for (let i = 0; i < 100; i++) stores[0].text('c', 'k', 'body').insert(i, 'x');
  await converged(stores);
  await sleep(50);
  const changes = watch.frames().filter(({ frame }) => frame[0] === 4);
  assert.ok(changes.length >= 2 && changes.length <= 4, `${changes.length} CHANGES frames`);
  await sleep(300);
  watch.messages.length = 0;
  await sleep(300);
  assert.deepEqual(watch.frames(), [], 'sync frames once converged again');
});

test('a store on two channels forwards between them (its sessions tell each other)', async (t) => {
  const [left, right] = [channelName(), channelName()];
  const [a, bridge, c] = created(t, 3);
  joined(t, a, left);
  joined(t, bridge, left);
  joined(t, bridge, right);
  joined(t, c, right);
  a.put('c', 'k', 'from', 'a');
  c.put('c', 'k', 'from', 'c');
  await converged([a, bridge, c]);
  assert.deepEqual(a.conflicts('c', 'k', 'from').sort(), ['a', 'c']);
});

test('a writer outside the genesis: its changes are refused with FORBIDDEN, and not retried', async (t) => {
  const name = channelName();
  const policy = genesis({ name: 'team', writers: [publicKey(seedOf(1))] });
  const [writer] = created(t, 1, { genesis: policy, actorSeed: seedOf(1) });
  const tw = joined(t, writer, name);
  // Changes by an actor the policy leaves out: no honest tab holds or sends them, so the
  // hostile tab is played by hand: an honest session of a store under the same genesis for
  // the handshake, then a CHANGES frame carrying the outsider's batch.
  const [rogue] = created(t, 1, { genesis: policy, actorSeed: seedOf(1) });
  const [outsider] = created(t, 1, { actorSeed: seedOf(2) });
  outsider.put('c', 'k', 'f', 'forged');
  const watch = spy(t, name);
  const rogueId = new Uint8Array(16).fill(7);
  const rogueSession = new hypha.SyncSession(rogue, {
    send: (frame) => watch.post(FRAMES, rogueId, Buffer.from(tw.tabId, 'hex'), frame) });
  t.after(() => rogueSession.close());
  watch.channel.onmessage = ({ data }) => {
    if (data[0] === FRAMES && hex(data.subarray(17, HEADER)) === hex(rogueId)) {
      rogueSession.receive(data.subarray(HEADER));
      if (rogueSession.state === 'ready' && !watch.forged) {
        watch.forged = true;
        watch.post(FRAMES, rogueId, Buffer.from(tw.tabId, 'hex'), changesFrame(outsider.changes()));
      }
    }
  };
  await until(() => tw.errors.length === 1, 'the refusal reported');
  assert.ok(tw.errors[0] instanceof HyphaError);
  assert.equal(tw.errors[0].code, ErrorCode.FORBIDDEN);
  assert.equal(writer.get('c', 'k', 'f'), undefined);
  assert.equal(tw.peers.length, 0);
  // Its heartbeats do not open a session again.
  watch.post(HERE, rogueId, new Uint8Array(16));
  await sleep(100);
  assert.equal(tw.peers.length, 0);
  assert.equal(tw.errors.length, 1);
});

test('tabs of another store on the same channel: NOT_FOUND once, then left alone', async (t) => {
  const name = channelName();
  const [a] = created(t, 1);
  const [other] = created(t, 1, { genesis: genesis({ name: 'other' }) });
  const [ta, to] = [joined(t, a, name), joined(t, other, name)];
  await until(() => ta.errors.length && to.errors.length, 'both sessions refused');
  await sleep(300); // several heartbeats
  assert.equal(ta.errors.length, 1);
  assert.equal(ta.errors[0].code, ErrorCode.NOT_FOUND);
  assert.equal(to.errors.length, 1);
  assert.deepEqual([ta.peers, to.peers], [[], []]);
});

test('a tab whose node key the readers leave out: FORBIDDEN once on each side, no retry',
     async (t) => {
  const name = channelName();
  const [reader, outsider] = [seedOf(5), seedOf(6)];
  const guarded = genesis({ name: 'private', readers: [publicKey(reader)] });
  const [a, b] = created(t, 2, { genesis: guarded });
  const [ta, tb] = [joined(t, a, name, { ...fast, nodeSeed: reader }),
                    joined(t, b, name, { ...fast, nodeSeed: outsider })];
  await until(() => ta.errors.length && tb.errors.length, 'both sessions refused');
  await sleep(300); // several heartbeats
  assert.deepEqual([...ta.errors, ...tb.errors].map((error) => error.code),
                   [ErrorCode.FORBIDDEN, ErrorCode.FORBIDDEN]);
  assert.deepEqual([ta.peers, tb.peers], [[], []]);
});

test('messages it cannot use are reported and skipped; the transport carries on', async (t) => {
  const name = channelName();
  const [a, b] = created(t, 2);
  const ta = joined(t, a, name);
  const raw = spy(t, name).channel;
  raw.postMessage(new Uint8Array([HERE, 1, 2])); // too short
  raw.postMessage(new Uint8Array(HEADER).fill(9)); // unknown kind
  raw.postMessage(new Uint8Array([FRAMES, ...new Uint8Array(32)])); // frames without a frame
  raw.postMessage('text'); // not bytes
  await until(() => ta.errors.length >= 4, 'the four messages reported');
  await sleep(50); // and no more
  assert.equal(ta.errors.length, 4, ta.errors.map(String).join('\n'));
  assert.ok(ta.errors.every((error) => error instanceof TransportError));
  joined(t, b, name);
  b.put('c', 'k', 'f', 'still works');
  await converged([a, b]);
  assert.equal(a.get('c', 'k', 'f'), 'still works');
});

test('after close() nothing is sent; a closed store ends its transports; bad arguments throw',
     async (t) => {
  const name = channelName();
  const [store, other] = created(t, 2);
  const watch = spy(t, name);
  const transport = joined(t, store, name);
  await sleep(20);
  assert.deepEqual(watch.messages.map(({ kind }) => kind), [HERE]);
  transport.close();
  transport.close();
  await until(() => watch.messages.at(-1).kind === BYE, 'its BYE');
  watch.messages.length = 0;
  store.put('c', 'k', 'f', 1);
  await sleep(100);
  assert.deepEqual(watch.messages, []);

  const ending = joined(t, other, name);
  joined(t, created(t, 1)[0], name);
  await until(() => ending.peers.length === 1, 'a session');
  other.close();
  await until(() => watch.messages.some(({ kind }) => kind === BYE), 'the closed store\'s BYE');
  assert.deepEqual(ending.peers, []);

  const [anyone] = created(t, 1, {});
  const [open] = created(t, 1);
  assert.throws(() => new BroadcastChannelTransport(open, ''), TypeError);
  assert.throws(() => new BroadcastChannelTransport({}, 'x', fast), TypeError);
  assert.throws(() => new BroadcastChannelTransport(anyone, 'x'),
                (error) => error.code === ErrorCode.INVALID_ARG && /genesis/.test(error.message));
  assert.throws(() => new BroadcastChannelTransport(open, 'x', { peerTimeout: 0 }), RangeError);
});

test('closing the transports and the stores gives their WebAssembly memory back', async () => {
  const round = async () => {
    const name = channelName();
    const stores = [0, 1, 2].map(() => Store.create({ genesis: notes }));
    const transports = stores.map((store) => new BroadcastChannelTransport(store, name, fast));
    for (let i = 0; i < 100; i++) stores[i % 3].list('c', 'k', 'items').push(i);
    await converged(stores);
    await until(() => transports.every((transport) => transport.peers.length === 2 &&
      transport.peers.every(({ inSync }) => inSync)), 'every session in sync');
    transports.forEach((transport) => transport.close());
    stores.forEach((store) => store.close());
  };
  await round(); // first-use allocations
  const baseline = heapUsed();
  await round();
  await round();
  assert.equal(heapUsed(), baseline);
});

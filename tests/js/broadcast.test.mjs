// BroadcastChannelTransport in node (node 20 has BroadcastChannel; the same tests run between
// two pages in Chromium in tests/browser): stores converge, latecomers catch up, nothing echoes.
// A spy channel of the same name sees every message, as the stores' own channels do.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hypha, seedOf } from './support.mjs';
import { closeAfter, collectErrors, converged, headsOf, sleep } from './sync-support.mjs';

const { BroadcastChannelTransport, HyphaError, Store, TransportError } = hypha;
const [HELLO, HEADS, CHANGES] = [1, 2, 3];

let channels = 0;
const channelName = () => `broadcast-test-${process.pid}-${++channels}`;

/** Every message on the channel `hypha:name`, as [kind, bytes]. */
function spy(t, name) {
  const channel = new BroadcastChannel(`hypha:${name}`);
  closeAfter(t, channel);
  const messages = [];
  channel.onmessage = ({ data }) => messages.push([data[1], data]);
  return { channel, messages, kinds: () => messages.map(([kind]) => kind) };
}

function joined(t, store, name) {
  const transport = collectErrors(new BroadcastChannelTransport(store, name));
  closeAfter(t, transport);
  return transport;
}

test('two stores converge both ways, concurrent edits included', async (t) => {
  const name = channelName();
  const [a, b] = [Store.create({ actorSeed: seedOf(1) }), Store.create({ actorSeed: seedOf(2) })];
  closeAfter(t, a, b);
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
  // And again in the other direction, after the first exchange.
  b.put('notes', 'n1', 'title', 'from b');
  await converged([a, b]);
  assert.equal(a.get('notes', 'n1', 'title'), 'from b');
  assert.deepEqual([...ta.errors, ...tb.errors], []);
});

test('a late joiner catches up, and what it wrote alone reaches the others', async (t) => {
  const name = channelName();
  const [a, b, late] = [Store.create(), Store.create(), Store.create()];
  closeAfter(t, a, b, late);
  const [ta, tb] = [joined(t, a, name), joined(t, b, name)];
  for (let i = 0; i < 20; i++) a.list('c', 'k', 'items').push(i);
  b.put('c', 'k', 'owner', 'b');
  await converged([a, b]);
  late.put('c', 'k', 'offline', 'written before joining');
  const tl = joined(t, late, name);
  await converged([a, b, late]);
  assert.deepEqual(late.list('c', 'k', 'items').toArray(), Array.from({ length: 20 }, (_, i) => i));
  assert.equal(late.get('c', 'k', 'owner'), 'b');
  assert.equal(a.get('c', 'k', 'offline'), 'written before joining');
  assert.equal(b.get('c', 'k', 'offline'), 'written before joining');
  // A peer that leaves, writes and comes back (a reconnecting tab) catches up both ways.
  tb.close();
  b.put('c', 'k', 'while away', 'b');
  a.put('c', 'k', 'while b was away', 'a');
  await sleep(20);
  assert.equal(b.get('c', 'k', 'while b was away'), undefined);
  const tb2 = joined(t, b, name);
  await converged([a, b, late]);
  assert.equal(a.get('c', 'k', 'while away'), 'b');
  assert.equal(b.get('c', 'k', 'while b was away'), 'a');
  assert.deepEqual([...ta.errors, ...tl.errors, ...tb2.errors], []);
});

test('no echo: one message per burst of commits, nothing once converged', async (t) => {
  const name = channelName();
  const stores = [Store.create(), Store.create(), Store.create()];
  closeAfter(t, ...stores);
  const watch = spy(t, name);
  stores.forEach((store) => joined(t, store, name));
  await converged(stores);
  await sleep(50); // the HELLO exchange ends
  watch.messages.length = 0;

  // A burst of edits in one task is one CHANGES, merged by both others, who send nothing.
  for (let i = 0; i < 100; i++) stores[0].text('c', 'k', 'body').insert(i, 'x');
  await converged(stores);
  await sleep(100);
  assert.deepEqual(watch.kinds(), [CHANGES]);

  // Concurrent edits on every store: one CHANGES each, then silence.
  watch.messages.length = 0;
  stores.forEach((store, i) => store.counter('c', 'k', 'n').add(i + 1));
  await converged(stores);
  await sleep(100);
  assert.deepEqual(watch.kinds(), [CHANGES, CHANGES, CHANGES]);
  for (const store of stores) assert.equal(store.counter('c', 'k', 'n').value, 6);
});

test('a peer that fell behind catches up with only what it lacks', async (t) => {
  const name = channelName();
  const [a, b] = [Store.create(), Store.create()];
  closeAfter(t, a, b);
  joined(t, a, name);
  const tb = joined(t, b, name);
  for (let i = 0; i < 200; i++) a.list('c', 'k', 'items').push(i);
  await converged([a, b]);
  tb.close();
  const before = a.heads();
  a.list('c', 'k', 'items').push('new');
  await sleep(10); // a sends it while b is away
  const watch = spy(t, name);
  joined(t, b, name);
  await converged([a, b]);
  await sleep(50);
  // b's HELLO; a's answer (the one change b lacks) and HEADS; b, up to date, sends nothing.
  assert.deepEqual(watch.kinds(), [HELLO, CHANGES, HEADS]);
  assert.equal(watch.messages[1][1].length, 2 + a.changes(before).length);
});

test('a store on two channels forwards between them, and nothing loops', async (t) => {
  const [left, right] = [channelName(), channelName()];
  const [a, bridge, c] = [Store.create(), Store.create(), Store.create()];
  closeAfter(t, a, bridge, c);
  const [watchLeft, watchRight] = [spy(t, left), spy(t, right)];
  joined(t, a, left);
  joined(t, bridge, left);
  joined(t, bridge, right);
  joined(t, c, right);
  await sleep(50);
  [watchLeft, watchRight].forEach((watch) => { watch.messages.length = 0; });
  a.put('c', 'k', 'from', 'a');
  c.put('c', 'k', 'from', 'c');
  await converged([a, bridge, c]);
  await sleep(100);
  assert.deepEqual(a.conflicts('c', 'k', 'from').sort(), ['a', 'c']);
  // Each side: its own edit, then the bridge forwarding the other side's. Nothing more.
  assert.deepEqual(watchLeft.kinds(), [CHANGES, CHANGES]);
  assert.deepEqual(watchRight.kinds(), [CHANGES, CHANGES]);
});

test('changes waiting for dependencies: one HEADS asks for them, and not again', async (t) => {
  const name = channelName();
  const [source, a] = [Store.create(), Store.create()];
  closeAfter(t, source, a);
  source.put('c', 'k', 'f', 1);
  const first = source.heads();
  source.put('c', 'k', 'f', 2);
  const later = source.changes(first); // depends on the first change, which a lacks
  // The test plays a peer that holds source's changes.
  const peer = spy(t, name);
  const ta = joined(t, a, name);
  const post = (kind, body) => {
    const message = new Uint8Array(2 + body.length);
    message.set([0, kind]);
    message.set(body, 2);
    peer.channel.postMessage(message);
  };
  await sleep(20);
  assert.deepEqual(peer.kinds(), [HELLO]);
  post(CHANGES, later);
  await sleep(50);
  assert.deepEqual(peer.kinds(), [HELLO, HEADS]);
  assert.equal(a.get('c', 'k', 'f'), undefined);
  // The same batch again leaves a where it was: it does not ask again.
  post(CHANGES, later);
  await sleep(50);
  assert.deepEqual(peer.kinds(), [HELLO, HEADS]);
  // The answer to its HEADS: what a peer at those heads lacks.
  const asked = peer.messages[1][1].subarray(2);
  const hashes = Array.from({ length: asked.length / 32 },
                            (_, i) => asked.subarray(i * 32, i * 32 + 32));
  post(CHANGES, source.changes(hashes));
  await sleep(50);
  assert.equal(a.get('c', 'k', 'f'), 2);
  assert.equal(headsOf(a), headsOf(source));
  assert.deepEqual(ta.errors, []);
});

test('messages it cannot use are reported and skipped; the transport carries on', async (t) => {
  const name = channelName();
  const [a, b] = [Store.create(), Store.create()];
  closeAfter(t, a, b);
  const ta = joined(t, a, name);
  const raw = spy(t, name).channel;
  raw.postMessage(new Uint8Array([0])); // too short
  raw.postMessage(new Uint8Array([0, 9])); // unknown kind
  raw.postMessage(new Uint8Array([0, HEADS, 1, 2, 3])); // not whole hashes
  raw.postMessage(new Uint8Array([0, CHANGES, 0x48, 0x59, 0x43, 0x42, 9])); // a bad batch
  raw.postMessage('text'); // not bytes
  raw.postMessage(new Uint8Array([7, 1, 2, 3])); // another format: skipped quietly
  await sleep(50);
  assert.equal(ta.errors.length, 5, ta.errors.map(String).join('\n'));
  assert.ok(ta.errors.slice(0, 3).every((error) => error instanceof TransportError));
  assert.ok(ta.errors[3] instanceof HyphaError);
  assert.ok(ta.errors[4] instanceof TransportError);
  joined(t, b, name);
  b.put('c', 'k', 'f', 'still works');
  await converged([a, b]);
  assert.equal(a.get('c', 'k', 'f'), 'still works');
});

test('after close() commits send nothing; bad arguments throw', async (t) => {
  const name = channelName();
  const store = Store.create();
  closeAfter(t, store);
  const watch = spy(t, name);
  const transport = joined(t, store, name);
  await sleep(20);
  assert.deepEqual(watch.kinds(), [HELLO]);
  watch.messages.length = 0;
  transport.close();
  transport.close();
  store.put('c', 'k', 'f', 1);
  await sleep(30);
  assert.deepEqual(watch.kinds(), []);
  assert.throws(() => new BroadcastChannelTransport(store, ''), TypeError);
  assert.throws(() => new BroadcastChannelTransport({}, 'x'), TypeError);
});

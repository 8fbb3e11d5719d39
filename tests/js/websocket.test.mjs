// WebSocketTransport in node against tests/browser/relay.mjs, a test fixture that forwards
// frames between clients (issue 5 brings the real node). Node 20 has no WebSocket: the client
// class is the ws package's (tests/browser's devDependency, installed by npm ci there).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startRelay, WebSocket } from '../browser/relay.mjs';
import { hypha } from './support.mjs';
import { closeAfter, collectErrors, converged, sleep } from './sync-support.mjs';

const { Store, TransportError, WebSocketTransport } = hypha;

const fast = { WebSocket, minReconnectDelay: 20, maxReconnectDelay: 200 };

/** A transport whose status changes land in transport.statuses. */
function connected(t, store, url, options = {}) {
  const transport = collectErrors(new WebSocketTransport(store, url, { ...fast, ...options }));
  const statuses = [transport.status];
  transport.addEventListener('status', ({ status }) => statuses.push(status));
  closeAfter(t, transport);
  return Object.assign(transport, { statuses });
}

async function statusOf(transport, status) {
  for (const started = Date.now(); Date.now() - started < 5000; await sleep(5))
    if (transport.status === status) return;
  assert.fail(`status ${transport.status}, not ${status}, after 5 s`);
}

async function relay(t, options) {
  const started = await startRelay(options);
  t.after(() => started.stop());
  return started;
}

test('two stores converge through a relay, in binary frames, and then fall silent', async (t) => {
  const { url, stats } = await relay(t);
  const [a, b] = [Store.create(), Store.create()];
  closeAfter(t, a, b);
  const [ta, tb] = [connected(t, a, url), connected(t, b, url)];
  await Promise.all([statusOf(ta, 'connected'), statusOf(tb, 'connected')]);
  assert.deepEqual(ta.statuses, ['connecting', 'connected']);
  a.text('notes', 'n1', 'body').insert(0, 'hello 🌍');
  b.set('notes', 'n1', 'tags').add('greeting');
  await converged([a, b]);
  assert.equal(b.text('notes', 'n1', 'body').toString(), 'hello 🌍');
  assert.deepEqual(a.set('notes', 'n1', 'tags').values(), ['greeting']);
  assert.equal(stats.textFrames, 0);
  await sleep(100);
  const frames = stats.binaryFrames;
  await sleep(200);
  assert.equal(stats.binaryFrames, frames, 'frames after convergence');
  assert.deepEqual([...ta.errors, ...tb.errors], []);
});

test('a dropped relay: disconnected, reconnects with backoff, edits made meanwhile converge',
     async (t) => {
  let server = await startRelay();
  t.after(() => server.stop());
  const [a, b] = [Store.create(), Store.create()];
  closeAfter(t, a, b);
  const [ta, tb] = [connected(t, a, server.url), connected(t, b, server.url)];
  a.put('c', 'k', 'before', 1);
  await Promise.all([statusOf(ta, 'connected'), statusOf(tb, 'connected')]);
  await converged([a, b]);

  await server.stop();
  await Promise.all([statusOf(ta, 'disconnected'), statusOf(tb, 'disconnected')]);
  a.put('c', 'k', 'while down', 'a');
  b.put('c', 'k', 'also while down', 'b');
  await sleep(300); // several failed attempts: the delays have grown to the cap
  assert.equal(b.get('c', 'k', 'while down'), undefined);

  server = await startRelay({ port: server.port });
  await Promise.all([statusOf(ta, 'connected'), statusOf(tb, 'connected')]);
  await converged([a, b]);
  assert.equal(b.get('c', 'k', 'while down'), 'a');
  assert.equal(a.get('c', 'k', 'also while down'), 'b');
  // Connected, then disconnected and connecting by turns while the relay was down.
  assert.deepEqual(ta.statuses.slice(0, 3), ['connecting', 'connected', 'disconnected']);
  assert.equal(ta.statuses.at(-1), 'connected');
  const retries = ta.statuses.filter((status) => status === 'connecting').length - 1;
  assert.ok(retries >= 2 && retries <= 12, `${retries} reconnect attempts in about 300 ms`);
});

test('the offline switch: disconnect() closes and stays off; connect() catches up', async (t) => {
  const { url, stats } = await relay(t);
  const [a, b] = [Store.create(), Store.create()];
  closeAfter(t, a, b);
  const [ta, tb] = [connected(t, a, url), connected(t, b, url)];
  await Promise.all([statusOf(ta, 'connected'), statusOf(tb, 'connected')]);

  ta.disconnect();
  assert.equal(ta.status, 'offline');
  const connections = stats.connections;
  a.put('c', 'k', 'offline edit', 1);
  b.put('c', 'k', 'online edit', 2);
  await sleep(200);
  assert.equal(stats.connections, connections, 'no reconnect while offline');
  assert.equal(b.get('c', 'k', 'offline edit'), undefined);
  assert.equal(a.get('c', 'k', 'online edit'), undefined);

  ta.connect();
  await statusOf(ta, 'connected');
  await converged([a, b]);
  assert.equal(b.get('c', 'k', 'offline edit'), 1);
  assert.equal(a.get('c', 'k', 'online edit'), 2);
  ta.close();
  assert.equal(ta.status, 'offline');
  assert.throws(() => ta.connect(), TypeError);
});

test('frames it cannot use are reported; the transport carries on', async (t) => {
  const { url } = await relay(t);
  const store = Store.create();
  closeAfter(t, store);
  const transport = connected(t, store, url);
  await statusOf(transport, 'connected');
  const raw = new WebSocket(url);
  t.after(() => raw.terminate());
  await new Promise((resolve) => raw.once('open', resolve));
  raw.send('a text frame');
  raw.send(new Uint8Array([0, 9]));
  await sleep(100);
  assert.equal(transport.errors.length, 2);
  assert.ok(transport.errors.every((error) => error instanceof TransportError));
  assert.equal(transport.status, 'connected');
});

test('arguments it cannot take throw at once', () => {
  const store = Store.create();
  assert.throws(() => new WebSocketTransport(store, 'http://127.0.0.1/', fast), TypeError);
  assert.throws(() => new WebSocketTransport(store, 'not a url', fast), TypeError);
  const url = 'ws://127.0.0.1/';
  assert.throws(() => new WebSocketTransport(store, url), TypeError); // node 20 has no WebSocket
  assert.throws(() => new WebSocketTransport(store, url, { ...fast, minReconnectDelay: -1 }),
                RangeError);
  assert.throws(() => new WebSocketTransport(store, url, { ...fast, maxReconnectDelay: 10 }),
                RangeError);
  assert.throws(() => new WebSocketTransport({}, 'ws://127.0.0.1/', fast), TypeError);
  store.close();
});

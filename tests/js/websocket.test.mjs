// WebSocketTransport in node against tests/browser/peer.mjs, a WebSocket server running the
// package's SyncSession per connection as the node does (node.test.mjs meets the real node).
// Node 20 has no WebSocket: the client class is the ws package's (tests/browser's
// devDependency, installed by npm ci there).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { startPeer, WebSocket, WebSocketServer } from '../browser/peer.mjs';
import { hypha, seedOf } from './support.mjs';
import { closeAfter, collectErrors, collectStatuses, connectionAttempts, converged, errorFrame,
         sleep, until } from './sync-support.mjs';

const { ErrorCode, HyphaError, Store, TransportError, WebSocketTransport, genesis,
        publicKey } = hypha;

const notes = genesis({ name: 'notes' });
const fast = { WebSocket, minReconnectDelay: 20, maxReconnectDelay: 200 };

/** A transport whose errors land in transport.errors and statuses in transport.statuses. */
function connected(t, store, url, options = {}) {
  const transport = new WebSocketTransport(store, url, { ...fast, ...options });
  closeAfter(t, transport);
  return collectStatuses(collectErrors(transport));
}

const statusOf = (transport, status) =>
  until(() => transport.status === status, `status ${status} (it is ${transport.status})`);

/** Stores of `notes`, closed when the test ends. */
function stores(t, count) {
  const made = Array.from({ length: count }, () => Store.create({ genesis: notes }));
  closeAfter(t, ...made);
  return made;
}

async function peer(t, options = {}) {
  const store = options.store ?? stores(t, 1)[0];
  const started = await startPeer({ store, ...options });
  t.after(() => started.stop());
  return Object.assign(started, { store });
}

/** A WebSocket server on a free port of 127.0.0.1, at any path, that hands each connection
 * to onConnection(socket, request) instead of syncing; its URL. Closed when the test ends. */
async function scriptedServer(t, onConnection) {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  t.after(() => new Promise((resolve) => {
    for (const client of server.clients) client.terminate();
    server.close(resolve);
  }));
  server.on('connection', onConnection);
  await once(server, 'listening');
  return `ws://127.0.0.1:${server.address().port}`;
}

test('two clients converge through a peer, in binary frames at URL/sync, then fall silent',
     async (t) => {
  const { url: origin, stats, store: server } = await peer(t, { path: '/app/sync' });
  const url = `${origin}/app/`; // a node under a base path
  const [a, b] = stores(t, 2);
  const [ta, tb] = [connected(t, a, url), connected(t, b, url)];
  await Promise.all([statusOf(ta, 'connected'), statusOf(tb, 'connected')]);
  assert.deepEqual(ta.statuses, ['connecting', 'connected']);
  assert.deepEqual([...stats.protocols], ['hypha-sync-1']);
  a.text('notes', 'n1', 'body').insert(0, 'hello 🌍');
  b.set('notes', 'n1', 'tags').add('greeting');
  await converged([a, b, server]);
  assert.equal(b.text('notes', 'n1', 'body').toString(), 'hello 🌍');
  assert.deepEqual(a.set('notes', 'n1', 'tags').values(), ['greeting']);
  await until(() => ta.inSync && tb.inSync, 'both in sync with the peer');
  assert.equal(stats.textMessages, 0);
  await sleep(1100); // a client tick: nothing is left to confirm
  const messages = stats.binaryMessages;
  await sleep(1100);
  assert.equal(stats.binaryMessages, messages, 'messages after convergence');
  assert.deepEqual([...ta.errors, ...tb.errors, ...stats.errors], []);
});

test('a dropped peer: disconnected, reconnects with backoff and a new session, edits converge',
     async (t) => {
  let server = await peer(t);
  const store = server.store;
  const [a, b] = stores(t, 2);
  const [ta, tb] = [connected(t, a, server.url), connected(t, b, server.url)];
  a.put('c', 'k', 'before', 1);
  await Promise.all([statusOf(ta, 'connected'), statusOf(tb, 'connected')]);
  await converged([a, b, store]);

  await server.stop();
  await Promise.all([statusOf(ta, 'disconnected'), statusOf(tb, 'disconnected')]);
  a.put('c', 'k', 'while down', 'a');
  b.put('c', 'k', 'also while down', 'b');
  await sleep(300); // several failed attempts: the delays have grown to the cap
  assert.equal(b.get('c', 'k', 'while down'), undefined);

  server = await peer(t, { store, port: server.port });
  await Promise.all([statusOf(ta, 'connected'), statusOf(tb, 'connected')]);
  await converged([a, b, store]);
  assert.equal(b.get('c', 'k', 'while down'), 'a');
  assert.equal(a.get('c', 'k', 'also while down'), 'b');
  assert.equal(server.stats.connections, 2);
  assert.deepEqual(ta.statuses.slice(0, 3), ['connecting', 'connected', 'disconnected']);
  assert.equal(ta.statuses.at(-1), 'connected');
  const retries = connectionAttempts(ta) - 1;
  assert.ok(retries >= 2 && retries <= 12, `${retries} reconnect attempts in about 300 ms`);
  assert.ok(!ta.statuses.includes('refused'), 'a dropped connection is no refusal');
  assert.deepEqual([...ta.errors, ...tb.errors], []);
});

test('the offline switch: disconnect() closes and stays off; connect() catches up', async (t) => {
  const { url, stats, store: server } = await peer(t);
  const [a, b] = stores(t, 2);
  const [ta, tb] = [connected(t, a, url), connected(t, b, url)];
  await Promise.all([statusOf(ta, 'connected'), statusOf(tb, 'connected')]);

  ta.disconnect();
  assert.equal(ta.status, 'offline');
  assert.equal(ta.inSync, false);
  const connections = stats.connections;
  a.put('c', 'k', 'offline edit', 1);
  b.put('c', 'k', 'online edit', 2);
  await sleep(200);
  assert.equal(stats.connections, connections, 'no reconnect while offline');
  assert.equal(b.get('c', 'k', 'offline edit'), undefined);
  assert.equal(a.get('c', 'k', 'online edit'), undefined);

  ta.connect();
  await statusOf(ta, 'connected');
  await converged([a, b, server]);
  assert.equal(b.get('c', 'k', 'offline edit'), 1);
  assert.equal(a.get('c', 'k', 'online edit'), 2);
  ta.close();
  assert.equal(ta.status, 'offline');
  assert.throws(() => ta.connect(), TypeError);
});

test('a store the peer does not hold: NOT_FOUND once, then refused until connect()',
     async (t) => {
  const other = Store.create({ genesis: genesis({ name: 'other' }) });
  closeAfter(t, other);
  const { url, stats } = await peer(t, { store: other });
  const [store] = stores(t, 1);
  const transport = connected(t, store, url);
  await statusOf(transport, 'refused');
  assert.deepEqual(transport.statuses, ['connecting', 'connected', 'refused']);
  assert.equal(transport.errors.length, 1);
  assert.ok(transport.errors[0] instanceof HyphaError);
  assert.equal(transport.errors[0].code, ErrorCode.NOT_FOUND);
  assert.ok(stats.errors.every((error) => error.code === ErrorCode.NOT_FOUND));
  await sleep(300); // backoff periods of 10 to 200 ms
  assert.equal(stats.connections, 1, 'no reconnect after a refusal');
  assert.equal(transport.errors.length, 1);
  assert.equal(transport.inSync, false);

  transport.connect(); // the app tries again: once
  await until(() => transport.errors.length === 2, 'the second refusal');
  assert.deepEqual(transport.statuses.slice(3), ['connecting', 'connected', 'refused']);
  await sleep(100);
  assert.equal(stats.connections, 2);
  transport.disconnect();
  assert.equal(transport.status, 'offline');
});

test('refusals end reconnecting whichever end sends them; other session errors do not',
     async (t) => {
  // A peer that ends every session at once, with the code its URL's path names.
  const url = await scriptedServer(t, (socket, request) =>
    socket.send(errorFrame(Number(request.url.split('/')[1]), 'ended by the test')));
  const { BAD_SIGNATURE, FORBIDDEN, FORMAT, IO, LIMIT, NOMEM, NOT_FOUND, PROTOCOL, QUEUE_FULL,
          TOO_LARGE, VERSION } = ErrorCode;
  const refusals = [NOT_FOUND, FORBIDDEN, VERSION, PROTOCOL, BAD_SIGNATURE];
  const passing = [NOMEM, IO, LIMIT, QUEUE_FULL, TOO_LARGE, FORMAT];
  const transports = new Map([...refusals, ...passing].map((code) =>
    [code, connected(t, stores(t, 1)[0], `${url}/${code}/`)]));
  // A listener that switches the transport off when told of the refusal has the last word.
  const switchedOff = connected(t, stores(t, 1)[0], `${url}/${NOT_FOUND}/`);
  switchedOff.addEventListener('error', () => switchedOff.disconnect());

  // This end refuses too: the peer's node key is not among the store's readers.
  const reader = seedOf(5);
  const guarded = genesis({ name: 'guarded', readers: [publicKey(reader)] });
  const [mine, theirs] = [Store.create({ genesis: guarded }), Store.create({ genesis: guarded })];
  closeAfter(t, mine, theirs);
  const { url: peerUrl, stats } = await peer(t, { store: theirs });
  const refusing = connected(t, mine, peerUrl, { nodeSeed: reader });

  // Until every transport that is not refused has tried three times (backoff: a loaded
  // machine's timers run late, so no fixed sleep is long enough); the refused ones must not
  // have tried again meanwhile.
  await until(() => passing.every((code) => connectionAttempts(transports.get(code)) >= 3) &&
                    refusing.status === 'refused',
              'the transports not refused retry three times');
  for (const code of refusals) {
    const transport = transports.get(code);
    assert.equal(transport.status, 'refused', `code ${code}`);
    assert.deepEqual(transport.errors.map((error) => error.code), [code]);
    assert.match(transport.errors[0].message, /the peer ended the session/);
    assert.equal(connectionAttempts(transport), 1, `code ${code}`);
  }
  for (const code of passing) {
    const transport = transports.get(code);
    assert.ok(!transport.statuses.includes('refused'), `code ${code}`);
    const attempts = connectionAttempts(transport);
    assert.ok(attempts >= 3, `code ${code}: ${attempts} attempts`);
    assert.ok(transport.errors.length >= 2 &&
              transport.errors.every((error) => error.code === code), `code ${code}`);
  }
  assert.deepEqual(switchedOff.statuses, ['connecting', 'connected', 'offline']);
  assert.equal(refusing.status, 'refused');
  assert.deepEqual(refusing.errors.map((error) => error.code), [FORBIDDEN]);
  assert.match(refusing.errors[0].message, /refused what the peer sent/);
  assert.equal(stats.connections, 1);
});

test('a text message from the peer is reported, and the session goes on', async (t) => {
  const url = await scriptedServer(t, (socket) => socket.send('a text message'));
  const [store] = stores(t, 1);
  const talker = connected(t, store, url);
  await until(() => talker.errors.length === 1, 'the text message reported');
  assert.ok(talker.errors[0] instanceof TransportError);
  assert.equal(talker.status, 'connected');
});

test('a closed store ends its transport', async (t) => {
  const { url } = await peer(t);
  const store = Store.create({ genesis: notes });
  const transport = connected(t, store, url);
  await statusOf(transport, 'connected');
  store.close();
  await statusOf(transport, 'offline'); // at the next tick
  assert.throws(() => transport.connect(), TypeError);
});

test('arguments it cannot take throw at once', (t) => {
  const [store] = stores(t, 1);
  const anyone = Store.create();
  closeAfter(t, anyone);
  const url = 'ws://127.0.0.1/';
  assert.throws(() => new WebSocketTransport(store, 'http://127.0.0.1/', fast), TypeError);
  assert.throws(() => new WebSocketTransport(store, 'not a url', fast), TypeError);
  assert.throws(() => new WebSocketTransport(store, url), TypeError); // node 20 has no WebSocket
  assert.throws(() => new WebSocketTransport(store, url, { ...fast, minReconnectDelay: -1 }),
                RangeError);
  assert.throws(() => new WebSocketTransport(store, url, { ...fast, maxReconnectDelay: 10 }),
                RangeError);
  assert.throws(() => new WebSocketTransport({}, url, fast), TypeError);
  assert.throws(() => new WebSocketTransport(anyone, url, fast),
                (error) => error.code === ErrorCode.INVALID_ARG);
  assert.throws(() => new WebSocketTransport(store, url, { ...fast, nodeSeed: new Uint8Array(3) }),
                (error) => error.code === ErrorCode.INVALID_ARG);
  // The URL names the node; the socket opens at its sync path.
  const transport = new WebSocketTransport(store, 'ws://127.0.0.1:9/base/', { ...fast, connect: false });
  assert.equal(transport.url, 'ws://127.0.0.1:9/base/');
  assert.equal(transport.status, 'offline');
});

// A browser-module client in node talks to a real `hypha node` over WebSocket (issue 5): the
// JS genesis names the same store as `hypha store create`, two clients converge through the
// node, and what they wrote is in the node's database once it stops. A client the node
// refuses stops reconnecting; one whose WebSocket upgrade it refuses cannot tell, and keeps
// trying, as it does while the node restarts.
// HYPHA_BIN names the native build's hypha (ctest sets it; ./dev test builds the native preset
// first).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { WebSocket } from '../browser/peer.mjs';
import { nodeMetrics, startNode, stopNode } from '../node/nodes.mjs';
import { hypha, seedOf } from './support.mjs';
import { closeAfter, collectErrors, collectStatuses, connectionAttempts, converged, hex, sleep,
         until } from './sync-support.mjs';

const { ErrorCode, Store, WebSocketTransport, genesis, publicKey, storeId } = hypha;
const bin = process.env.HYPHA_BIN;
const skip = !bin || !existsSync(bin)
  ? `no hypha binary at HYPHA_BIN (${bin}): build the native preset first` : false;

/** `hypha ARGS...` in dir; its standard output. */
const run = (dir, ...args) => execFileSync(bin, args, { cwd: dir, encoding: 'utf8' });

/** A fresh directory for a node's database, removed when the test ends. */
function nodeDir(t) {
  const dir = mkdtempSync(join(tmpdir(), 'hypha-node-js-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** `hypha node ...args` on a free port of 127.0.0.1, until stop(), which must see it exit 0. */
async function startHubNode(t, dir, ...args) {
  const node = await startNode(bin, dir, 'hub', ['--db', 'hypha.db', ...args]);
  t.after(() => node.child.exitCode === null && node.child.kill('SIGKILL'));
  return {
    url: node.url,
    port: node.port,
    log: node.log,
    metrics: () => nodeMetrics(node),
    async stop() {
      assert.equal((await stopNode(node)).code, 0, node.log());
    },
  };
}

/** A TCP relay on a free port of 127.0.0.1 to the port route.port, which a test changes: a
 * node started again (on another free port) is reached at the same URL. */
async function relay(t) {
  const route = { port: 0 };
  const sockets = new Set();
  const server = createServer((client) => {
    const upstream = connect(route.port, '127.0.0.1');
    for (const [from, to] of [[client, upstream], [upstream, client]]) {
      sockets.add(from);
      from.pipe(to);
      from.on('error', () => to.destroy()); // a node that is down: the client sees a close
      from.on('close', () => {
        sockets.delete(from);
        to.destroy();
      });
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => {
    sockets.forEach((socket) => socket.destroy());
    server.close();
  });
  return { url: `ws://127.0.0.1:${server.address().port}`, route };
}

const fast = { WebSocket, minReconnectDelay: 20, maxReconnectDelay: 200 };

/** A transport whose errors land in transport.errors and statuses in transport.statuses. */
function transportTo(t, url, store, options = {}) {
  const transport = new WebSocketTransport(store, url, { ...fast, ...options });
  closeAfter(t, transport);
  return collectStatuses(collectErrors(transport));
}

test('a browser-module client syncs with hypha node over WebSocket', { skip, timeout: 60_000 },
     async (t) => {
  const dir = nodeDir(t);
  const writer = seedOf(1);
  const notes = genesis({ name: 'notes' });
  const team = genesis({ name: 'team', writers: [publicKey(writer)] });
  // The JS genesis and the command line's name the same stores.
  assert.equal(JSON.parse(run(dir, 'store', '--db', 'hypha.db', '--json', 'create', 'notes')).id,
               hex(storeId(notes)));
  assert.equal(JSON.parse(run(dir, 'store', '--db', 'hypha.db', '--json', '--writers',
                              hex(publicKey(writer)), 'create', 'team')).id, hex(storeId(team)));

  const node = await startHubNode(t, dir);
  const [a, b] = [Store.create({ genesis: notes }), Store.create({ genesis: notes })];
  const author = Store.create({ genesis: team, actorSeed: writer });
  closeAfter(t, a, b, author);
  const transports = [a, b, author].map((store) => transportTo(t, node.url, store));
  a.put('notes', 'n1', 'title', 'hello from a 🌍');
  a.text('notes', 'n1', 'body').insert(0, 'text too');
  b.counter('notes', 'n1', 'votes').add(3);
  author.put('docs', 'd1', 'title', 'by the one writer');
  await converged([a, b]);
  assert.equal(b.get('notes', 'n1', 'title'), 'hello from a 🌍');
  assert.equal(b.text('notes', 'n1', 'body').toString(), 'text too');
  assert.equal(a.counter('notes', 'n1', 'votes').value, 3);
  for (const transport of transports) {
    await until(() => transport.inSync, `in sync with the node:\n${node.log()}`);
    assert.deepEqual(transport.errors, []);
  }

  // In sync means the node announced our heads: it holds them, in its database (whose
  // command line reads registers).
  transports.forEach((transport) => transport.close());
  await node.stop();
  assert.equal(run(dir, 'get', '--db', 'hypha.db', 'notes', 'notes', 'n1', 'title'),
               'hello from a 🌍\n');
  assert.equal(run(dir, 'get', '--db', 'hypha.db', 'team', 'docs', 'd1', 'title'),
               'by the one writer\n');
});

test('a node that refuses the store or the node key: one error, then no retry until connect()',
     { skip, timeout: 30_000 }, async (t) => {
  const dir = nodeDir(t);
  const [reader, outsider] = [seedOf(5), seedOf(6)];
  const nodeKey = run(dir, 'key', '--db', 'hypha.db').trim();
  run(dir, 'store', '--db', 'hypha.db', '--readers', `${nodeKey},${hex(publicKey(reader))}`,
      'create', 'private');
  const node = await startHubNode(t, dir);
  const notes = genesis({ name: 'notes' }); // not in the node's database (yet)
  const guarded = genesis({ name: 'private', readers: [Buffer.from(nodeKey, 'hex'),
                                                      publicKey(reader)] });
  const [lost, locked, allowed] =
    [notes, guarded, guarded].map((policy) => Store.create({ genesis: policy }));
  closeAfter(t, lost, locked, allowed);
  const unheld = transportTo(t, node.url, lost);
  const unread = transportTo(t, node.url, locked, { nodeSeed: outsider });
  const read = transportTo(t, node.url, allowed, { nodeSeed: reader });
  await until(() => unheld.status === 'refused' && unread.status === 'refused',
              `both refused:\n${node.log()}`);
  await until(() => read.inSync, 'the reader in sync');
  await sleep(300); // backoff periods of 10 to 200 ms
  for (const [transport, code] of [[unheld, ErrorCode.NOT_FOUND], [unread, ErrorCode.FORBIDDEN]]) {
    assert.deepEqual(transport.statuses, ['connecting', 'connected', 'refused']);
    assert.deepEqual(transport.errors.map((error) => error.code), [code]);
    assert.match(transport.errors[0].message, /the peer ended the session/);
  }
  assert.equal((await node.metrics()).hypha_peers_dropped_total, 2, 'one attempt each');
  assert.deepEqual(read.errors, []);

  // The operator adds the store; the app tries again, and syncs.
  run(dir, 'store', '--db', 'hypha.db', 'create', 'notes');
  lost.put('notes', 'n1', 'title', 'kept while refused');
  unheld.connect();
  await until(() => unheld.inSync, `in sync after connect():\n${node.log()}`);
  assert.deepEqual(unheld.statuses.slice(3), ['connecting', 'connected']);
  assert.equal(unheld.errors.length, 1);
  [unheld, unread, read].forEach((transport) => transport.close());
  await node.stop();
  assert.equal(run(dir, 'get', '--db', 'hypha.db', 'notes', 'notes', 'n1', 'title'),
               'kept while refused\n');
});

test('an upgrade the node refuses (a wrong path, --max-peers) looks like a node that is down: ' +
     'reconnecting goes on', { skip, timeout: 30_000 }, async (t) => {
  const dir = nodeDir(t);
  run(dir, 'store', '--db', 'hypha.db', 'create', 'notes');
  const node = await startHubNode(t, dir, '--max-peers', '1');
  const notes = genesis({ name: 'notes' });
  const [first, second, astray] = [1, 2, 3].map(() => Store.create({ genesis: notes }));
  closeAfter(t, first, second, astray);
  const holder = transportTo(t, node.url, first);
  await until(() => holder.inSync, 'the one peer in sync');
  const waiting = transportTo(t, node.url, second); // HTTP 503 while the holder is connected
  const wrongPath = transportTo(t, `${node.url}/elsewhere/`, astray); // HTTP 404
  // Three attempts each (backoff periods of 10 to 200 ms; a loaded machine's timers run late).
  await until(() => [waiting, wrongPath].every((transport) => connectionAttempts(transport) >= 3),
              'three attempts each');
  for (const transport of [waiting, wrongPath]) {
    assert.ok(connectionAttempts(transport) >= 3, `${connectionAttempts(transport)} attempts`);
    assert.ok(!transport.statuses.includes('connected') && !transport.statuses.includes('refused'),
              transport.statuses.join());
    assert.deepEqual(transport.errors, []); // a browser is told no more than "closed"
  }
  assert.ok((await node.metrics()).hypha_connections_refused_total >= 6);

  holder.disconnect(); // room for one more: the next attempt gets in
  await until(() => waiting.inSync, `the waiting peer in sync:\n${node.log()}`);
  assert.ok(['connecting', 'disconnected'].includes(wrongPath.status), wrongPath.status);
});

test('a node stopped and started again: the client reconnects and catches up, no refusal',
     { skip, timeout: 30_000 }, async (t) => {
  const dir = nodeDir(t);
  run(dir, 'store', '--db', 'hypha.db', 'create', 'notes');
  const { url, route } = await relay(t);
  let node = await startHubNode(t, dir);
  route.port = node.port;
  const store = Store.create({ genesis: genesis({ name: 'notes' }) });
  closeAfter(t, store);
  const transport = transportTo(t, url, store);
  store.put('notes', 'n1', 'title', 'before');
  await until(() => transport.inSync, `in sync:\n${node.log()}`);

  await node.stop();
  await until(() => transport.status !== 'connected', 'the drop seen');
  store.put('notes', 'n1', 'title', 'while the node was down');
  await sleep(300); // several attempts at the stopped node
  node = await startHubNode(t, dir);
  route.port = node.port;
  await until(() => transport.inSync, `in sync with the restarted node:\n${node.log()}`);
  assert.ok(connectionAttempts(transport) >= 4, `${connectionAttempts(transport)} attempts`);
  assert.ok(!transport.statuses.includes('refused'), transport.statuses.join());
  assert.deepEqual(transport.errors, []);
  transport.close();
  await node.stop();
  assert.equal(run(dir, 'get', '--db', 'hypha.db', 'notes', 'notes', 'n1', 'title'),
               'while the node was down\n');
});

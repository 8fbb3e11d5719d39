// A browser-module client in node talks to a real `hypha node` over WebSocket (issue 5): the
// JS genesis names the same store as `hypha store create`, two clients converge through the
// node, and what they wrote is in the node's database once it stops. HYPHA_BIN names the
// native build's hypha (ctest sets it; ./dev test builds the native preset first).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { WebSocket } from '../browser/peer.mjs';
import { startNode, stopNode } from '../node/nodes.mjs';
import { hypha, seedOf } from './support.mjs';
import { closeAfter, collectErrors, converged, hex, until } from './sync-support.mjs';

const { Store, WebSocketTransport, genesis, publicKey, storeId } = hypha;
const bin = process.env.HYPHA_BIN;
const skip = !bin || !existsSync(bin)
  ? `no hypha binary at HYPHA_BIN (${bin}): build the native preset first` : false;

/** `hypha ARGS...` in dir; its standard output. */
const run = (dir, ...args) => execFileSync(bin, args, { cwd: dir, encoding: 'utf8' });

/** `hypha node` on a free port of 127.0.0.1, until stop(), which must see it exit 0. */
async function startHubNode(t, dir) {
  const node = await startNode(bin, dir, 'hub', ['--db', 'hypha.db']);
  t.after(() => node.child.exitCode === null && node.child.kill('SIGKILL'));
  return {
    url: node.url,
    log: node.log,
    async stop() {
      assert.equal((await stopNode(node)).code, 0, node.log());
    },
  };
}

test('a browser-module client syncs with hypha node over WebSocket', { skip, timeout: 60_000 },
     async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hypha-node-js-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
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
  const options = { WebSocket, minReconnectDelay: 20, maxReconnectDelay: 200 };
  const transports = [a, b, author].map((store) => {
    const transport = collectErrors(new WebSocketTransport(store, node.url, options));
    closeAfter(t, transport);
    return transport;
  });
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

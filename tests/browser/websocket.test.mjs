// WebSocketTransport with Chromium's own WebSocket: a page and a store in node keep in step
// through a sync peer (peer.mjs: the package's SyncSession behind a ws server, as the node
// serves it: path /sync, subprotocol hypha-sync-1, which Chromium insists on), across a
// restart of the peer.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { hypha } from '../js/support.mjs';
import { until } from '../js/sync-support.mjs';
import { launch } from './chromium.mjs';
import { startPeer } from './peer.mjs';

const browser = await launch();
after(() => browser.close());

const waitFor = (page, predicate, arg) =>
  page.waitForFunction(predicate, arg, { polling: 10, timeout: 5000 });

test('a page and a node-side store converge through a sync peer, across a restart', async (t) => {
  const store = hypha.Store.create({ genesis: hypha.genesis({ name: 'notes' }) });
  let peer = await startPeer({ store });
  t.after(() => { peer.stop(); store.close(); });
  const page = await browser.newPage();
  await page.evaluate(async (url) => {
    window.hypha = { ...await import('/pkg/index.mjs'), ...await import('/pkg/sync.mjs') };
    window.store = hypha.Store.create({ genesis: hypha.genesis({ name: 'notes' }) });
    window.transport = new hypha.WebSocketTransport(store, url,
      { minReconnectDelay: 20, maxReconnectDelay: 200 });
    window.statuses = [transport.status];
    window.errors = [];
    transport.addEventListener('status', ({ status }) => statuses.push(status));
    transport.addEventListener('error', ({ error }) => errors.push(String(error)));
  }, peer.url);
  await waitFor(page, () => transport.status === 'connected');

  store.text('notes', 'n1', 'body').insert(0, 'from node 🌍');
  await waitFor(page, () => store.text('notes', 'n1', 'body').toString() === 'from node 🌍');
  await page.evaluate(() => store.counter('notes', 'n1', 'votes').add(5));
  await until(() => store.counter('notes', 'n1', 'votes').value === 5, 'the page\'s counter');
  await waitFor(page, () => transport.inSync);

  await peer.stop();
  await waitFor(page, () => transport.status === 'disconnected');
  await page.evaluate(() => store.put('notes', 'n1', 'title', 'written while the peer was down'));
  peer = await startPeer({ store, port: peer.port });
  await until(() => store.get('notes', 'n1', 'title') === 'written while the peer was down',
              'the edit made while the peer was down');
  const statuses = await page.evaluate(() => statuses);
  assert.deepEqual(statuses.slice(0, 3), ['connecting', 'connected', 'disconnected']);
  assert.equal(statuses.at(-1), 'connected');
  assert.equal(peer.stats.textMessages, 0);
  assert.deepEqual([...peer.stats.protocols], ['hypha-sync-1']);
  assert.deepEqual([...peer.stats.errors, ...await page.evaluate(() => errors)], []);
  assert.deepEqual(browser.pageErrors, []);
  await page.close();
});

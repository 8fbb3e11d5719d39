// WebSocketTransport with Chromium's own WebSocket: a page and a store in node keep in step
// through the relay fixture (relay.mjs; issue 5 brings the node), across a relay restart.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { hypha } from '../js/support.mjs';
import { sleep } from '../js/sync-support.mjs';
import { launch } from './chromium.mjs';
import { startRelay, WebSocket } from './relay.mjs';

const browser = await launch();
after(() => browser.close());

const waitFor = (page, predicate, arg) =>
  page.waitForFunction(predicate, arg, { polling: 10, timeout: 5000 });

/** Waits until predicate() holds in node. */
async function until(predicate, what) {
  for (const started = Date.now(); Date.now() - started < 5000; await sleep(10))
    if (predicate()) return;
  assert.fail(`not after 5 s: ${what}`);
}

test('a page and a node-side store converge through a relay, across a restart', async (t) => {
  let relay = await startRelay();
  t.after(() => relay.stop());
  const store = hypha.Store.create();
  const transport = new hypha.WebSocketTransport(store, relay.url,
    { WebSocket, minReconnectDelay: 20, maxReconnectDelay: 200 });
  t.after(() => { transport.close(); store.close(); });
  const page = await browser.newPage();
  await page.evaluate(async (url) => {
    window.hypha = { ...await import('/pkg/index.mjs'), ...await import('/pkg/sync.mjs') };
    window.store = hypha.Store.create();
    window.transport = new hypha.WebSocketTransport(store, url,
      { minReconnectDelay: 20, maxReconnectDelay: 200 });
    window.statuses = [transport.status];
    transport.addEventListener('status', ({ status }) => statuses.push(status));
  }, relay.url);
  await waitFor(page, () => transport.status === 'connected');

  store.text('notes', 'n1', 'body').insert(0, 'from node 🌍');
  await waitFor(page, () => store.text('notes', 'n1', 'body').toString() === 'from node 🌍');
  await page.evaluate(() => store.counter('notes', 'n1', 'votes').add(5));
  await until(() => store.counter('notes', 'n1', 'votes').value === 5, 'the page\'s counter');

  await relay.stop();
  await waitFor(page, () => transport.status === 'disconnected');
  await page.evaluate(() => store.put('notes', 'n1', 'title', 'written while the relay was down'));
  relay = await startRelay({ port: relay.port });
  await until(() => store.get('notes', 'n1', 'title') === 'written while the relay was down',
              'the edit made while the relay was down');
  const statuses = await page.evaluate(() => statuses);
  assert.deepEqual(statuses.slice(0, 3), ['connecting', 'connected', 'disconnected']);
  assert.equal(statuses.at(-1), 'connected');
  assert.equal(relay.stats.textFrames, 0);
  assert.deepEqual(browser.pageErrors, []);
  await page.close();
});

// BroadcastChannelTransport between two pages of one origin in Chromium: a sync session per
// pair of tabs, edits go both ways, a tab that closes says so (pagehide), and tabs of one app
// (persisted in IndexedDB and broadcasting) stay in step across a reload.
import assert from 'node:assert/strict';
import { after, afterEach, test } from 'node:test';
import { launch } from './chromium.mjs';

const browser = await launch();
after(() => browser.close());
afterEach(() => assert.deepEqual(browser.pageErrors, []));

/** A page with the package as window.hypha, a store of the genesis named `name` as
 * window.store, on the channel `name`; persisted under `name` too when `persisted`. */
async function tab({ name, persisted = false }) {
  const page = await browser.newPage();
  await join(page, { name, persisted });
  return page;
}

function join(page, options) {
  return page.evaluate(async ({ name, persisted }) => {
    window.hypha = { ...await import('/pkg/index.mjs'), ...await import('/pkg/sync.mjs') };
    const genesis = hypha.genesis({ name });
    window.store = persisted ? (await hypha.openPersistentStore(name, { genesis })).store
      : hypha.Store.create({ genesis });
    window.transport = new hypha.BroadcastChannelTransport(store, name);
    window.errors = [];
    transport.addEventListener('error', ({ error }) => errors.push(String(error)));
  }, options);
}

const waitFor = (page, predicate, arg) =>
  page.waitForFunction(predicate, arg, { polling: 10, timeout: 5000 });

test('two pages converge both ways, concurrent edits included', async () => {
  const [a, b] = [await tab({ name: 'room' }), await tab({ name: 'room' })];
  await a.evaluate(() => store.text('notes', 'n1', 'body').insert(0, 'from a 😀'));
  await waitFor(b, () => store.text('notes', 'n1', 'body').toString() === 'from a 😀');
  await b.evaluate(() => store.text('notes', 'n1', 'body').insert(0, 'b: '));
  await waitFor(a, () => store.text('notes', 'n1', 'body').toString() === 'b: from a 😀');
  await Promise.all([a.evaluate(() => store.counter('c', 'k', 'n').add(1)),
                     b.evaluate(() => store.counter('c', 'k', 'n').add(2))]);
  for (const page of [a, b]) {
    await waitFor(page, () => store.counter('c', 'k', 'n').value === 3);
    assert.deepEqual(await page.evaluate(() => errors), []);
  }
  assert.deepEqual(await a.evaluate(() => transport.peers.map(({ state }) => state)), ['ready']);
  // A third tab joins and leaves: closing the page (pagehide) tells the others at once, long
  // before the 20 s peerTimeout.
  const c = await tab({ name: 'room' });
  await waitFor(c, () => store.counter('c', 'k', 'n').value === 3);
  await waitFor(a, () => transport.peers.length === 2);
  await c.close({ runBeforeUnload: true });
  await waitFor(a, () => transport.peers.length === 1);
  await waitFor(b, () => transport.peers.length === 1);
  await Promise.all([a.close(), b.close()]);
});

test('tabs of one app, persisted and broadcasting: a reloaded tab has everything', async () => {
  const options = { name: 'app', persisted: true };
  const [a, b] = [await tab(options), await tab(options)];
  await a.evaluate(() => store.list('c', 'k', 'items').push('first'));
  await waitFor(b, () => store.list('c', 'k', 'items').length === 1);
  // b reloads; a edits meanwhile; b is back with what it had and what it missed.
  await b.reload();
  await a.evaluate(() => store.list('c', 'k', 'items').push('while b reloaded'));
  await join(b, options);
  await waitFor(b, () => store.list('c', 'k', 'items').toArray().join() ===
                         'first,while b reloaded');
  await b.evaluate(() => store.list('c', 'k', 'items').push('from b'));
  await waitFor(a, () => store.list('c', 'k', 'items').length === 3);
  for (const page of [a, b]) assert.deepEqual(await page.evaluate(() => errors), []);
  await Promise.all([a.close(), b.close()]);
});

// IndexedDB persistence in Chromium: what a page writes is there after a reload, increments
// fold into snapshots, tabs sharing a database lose nothing to each other's compactions.
import assert from 'node:assert/strict';
import { after, afterEach, test } from 'node:test';
import { launch } from './chromium.mjs';

const browser = await launch();
after(() => browser.close());
afterEach(() => assert.deepEqual(browser.pageErrors, []));

/** Runs in the page: the snapshot and the number of increments in the database of `name`. */
async function stored(name) {
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open(`hypha:${name}`);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const transaction = db.transaction(['snapshot', 'increments']);
  const read = (request) => new Promise((resolve) => {
    request.onsuccess = () => resolve(request.result);
  });
  const [snapshot, increments] = await Promise.all([
    read(transaction.objectStore('snapshot').get('current')),
    read(transaction.objectStore('increments').count())]);
  db.close();
  return { snapshot: snapshot !== undefined, increments };
}

/** A page with `stored` defined and the package as window.hypha. */
async function newPage() {
  const page = await browser.newPage();
  await preparePage(page);
  return page;
}

async function preparePage(page) {
  await page.evaluate(async (source) => {
    window.hypha = { ...await import('/pkg/index.mjs'), ...await import('/pkg/sync.mjs') };
    window.stored = (0, eval)(`(${source})`);
    window.heads = (store) => store.heads().map((head) => head.join('.')).sort().join();
  }, stored.toString());
}

async function reload(page) {
  await page.reload();
  await preparePage(page);
}

test('what a page wrote is there after a reload', async () => {
  const page = await newPage();
  const before = await page.evaluate(async () => {
    const saved = await hypha.openPersistentStore('notes');
    const { store } = saved;
    store.put('notes', 'n1', 'title', 'persisted');
    store.text('notes', 'n1', 'body').insert(0, 'hello 😀');
    store.counter('notes', 'n1', 'votes').add(3);
    await saved.flush();
    return heads(store);
  });
  await reload(page);
  const after = await page.evaluate(async () => {
    const { store } = await hypha.openPersistentStore('notes');
    return {
      title: store.get('notes', 'n1', 'title'),
      body: store.text('notes', 'n1', 'body').toString(),
      votes: store.counter('notes', 'n1', 'votes').value,
      heads: heads(store),
    };
  });
  assert.deepEqual(after, { title: 'persisted', body: 'hello 😀', votes: 3, heads: before });
  await page.close();
});

test('commits are written without flush(): a reload soon after keeps them', async () => {
  const page = await newPage();
  await page.evaluate(async () => {
    const { store } = await hypha.openPersistentStore('unflushed');
    for (let i = 0; i < 10; i++) store.list('c', 'k', 'items').push(i);
    while ((await stored('unflushed')).increments === 0) await new Promise((r) => setTimeout(r, 5));
  });
  await reload(page);
  const items = await page.evaluate(async () => {
    const { store } = await hypha.openPersistentStore('unflushed');
    return store.list('c', 'k', 'items').toArray();
  });
  assert.deepEqual(items, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  await page.close();
});

test('a ledger\'s ops, which report no patch, are written without flush() too', async () => {
  const page = await newPage();
  const opened = await page.evaluate(async () => {
    const committee = [1, 2, 3, 4].map((n) => new Uint8Array(32).fill(n));
    const genesis = hypha.genesis({ name: 'coop', committee, creditLimit: 100 });
    const { store } = await hypha.openPersistentStore('coop', { genesis });
    const ledger = hypha.Ledger.open(store);
    ledger.openAccount(60);
    while ((await stored('coop')).increments === 0) await new Promise((r) => setTimeout(r, 5));
    return Array.from(store.actor);
  });
  await reload(page);
  const account = await page.evaluate(async (actor) => {
    const committee = [1, 2, 3, 4].map((n) => new Uint8Array(32).fill(n));
    const genesis = hypha.genesis({ name: 'coop', committee, creditLimit: 100 });
    const { store } = await hypha.openPersistentStore('coop', { genesis });
    return hypha.Ledger.open(store).account(new Uint8Array(actor));
  }, opened);
  assert.deepEqual(account, { opened: true, limit: 60, balance: 0, confirmedBalance: 0 });
  await page.close();
});

test('increments fold into a snapshot past compactAfter, which loads after a reload', async () => {
  const page = await newPage();
  const before = await page.evaluate(async () => {
    const saved = await hypha.openPersistentStore('compacted', { compactAfter: 10 });
    const text = saved.store.text('c', 'k', 'body');
    for (let i = 0; i < 35; i++) {
      text.insert(i, String.fromCharCode(97 + (i % 26)));
      await saved.flush(); // one increment each
    }
    await saved.flush(); // and the compaction the last write may have queued
    return { heads: heads(saved.store), text: text.toString(), stored: await stored('compacted') };
  });
  // A compaction after every 10th write (or so: one may take in a commit made meanwhile).
  assert.ok(before.stored.snapshot);
  const { increments } = before.stored;
  assert.ok(increments > 0 && increments < 10, `${increments} increments`);
  await reload(page);
  const after = await page.evaluate(async () => {
    const { store } = await hypha.openPersistentStore('compacted', { compactAfter: 10 });
    return { heads: heads(store), text: store.text('c', 'k', 'body').toString() };
  });
  assert.deepEqual(after, { heads: before.heads, text: before.text });
  assert.equal(after.text.length, 35);
  await page.close();
});

test('two tabs on one database: each compaction keeps what the other tab wrote', async () => {
  const [a, b] = [await newPage(), await newPage()];
  const open = (page) => page.evaluate(async () => {
    window.saved = await hypha.openPersistentStore('shared', { compactAfter: 1000 });
  });
  const write = (page, field) => page.evaluate(async (field) => {
    saved.store.put('c', 'k', field, true);
    await saved.flush();
  }, field);
  const compact = (page) => page.evaluate(() => saved.compact());
  /** The fields a tab opening the database now finds. */
  const readBack = async () => {
    const page = await newPage();
    const fields = await page.evaluate(async () => {
      const saved = await hypha.openPersistentStore('shared');
      const found = ['x', 'y', 'z', 'w'].filter((field) => saved.store.get('c', 'k', field));
      await saved.close();
      return found;
    });
    await page.close();
    return fields;
  };
  await open(a);
  await open(b);
  await write(a, 'x');
  await write(b, 'y');
  await compact(a); // takes in b's increment
  assert.deepEqual(await a.evaluate(() => stored('shared')), { snapshot: true, increments: 0 });
  assert.deepEqual(await readBack(), ['x', 'y']);
  await write(b, 'z');
  await compact(b); // takes in a's snapshot, which b never read
  assert.deepEqual(await readBack(), ['x', 'y', 'z']);
  await write(a, 'w');
  await compact(a); // and b's in turn
  assert.deepEqual(await readBack(), ['x', 'y', 'z', 'w']);
  await Promise.all([a.close(), b.close()]);
});

test('clear() deletes the database: the other tab is told, a new open is empty', async () => {
  const [a, b] = [await newPage(), await newPage()];
  await a.evaluate(async () => {
    window.saved = await hypha.openPersistentStore('cleared');
    window.errors = [];
    saved.addEventListener('error', ({ error }) => errors.push(error.name));
    saved.store.put('c', 'k', 'f', 1);
    await saved.flush();
  });
  const reopened = await b.evaluate(async () => {
    const saved = await hypha.openPersistentStore('cleared');
    const before = saved.store.get('c', 'k', 'f');
    await saved.clear();
    const { store } = await hypha.openPersistentStore('cleared');
    return { before, after: store.get('c', 'k', 'f') ?? null };
  });
  assert.deepEqual(reopened, { before: 1, after: null });
  const told = await a.evaluate(async () => {
    const flushed = await saved.flush().then(() => 'resolved', (error) => error.name);
    return { errors, flushed };
  });
  assert.deepEqual(told, { errors: ['PersistenceError'], flushed: 'PersistenceError' });
  await Promise.all([a.close(), b.close()]);
});

test('the genesis is kept: later opens may leave it out; another genesis is refused', async () => {
  const page = await newPage();
  const result = await page.evaluate(async () => {
    const team = hypha.genesis({ name: 'kept-genesis' });
    const first = await hypha.openPersistentStore('kept-genesis', { genesis: team });
    first.store.put('c', 'k', 'f', 'written under team');
    await first.close();
    first.store.close();
    const again = await hypha.openPersistentStore('kept-genesis');
    const kept = { genesis: again.store.genesis?.join() === team.join(),
                   value: again.store.get('c', 'k', 'f') };
    await again.close();
    again.store.close();
    const refusal = (promise) => promise.then(() => 'opened', (error) => error.codeName);
    const other = await refusal(hypha.openPersistentStore('kept-genesis',
                                                          { genesis: hypha.genesis({ name: 'other' }) }));
    const withoutGenesis = await refusal(hypha.persist(hypha.Store.create(), 'kept-genesis'));
    // persist() keeps the genesis of the store it is given.
    const notes = hypha.Store.create({ genesis: hypha.genesis({ name: 'persisted-genesis' }) });
    await (await hypha.persist(notes, 'persisted-genesis')).close();
    const reopened = await hypha.openPersistentStore('persisted-genesis');
    const persisted = reopened.store.genesis?.join() === notes.genesis.join();
    await reopened.close();
    return { kept, other, withoutGenesis, persisted };
  });
  assert.deepEqual(result, { kept: { genesis: true, value: 'written under team' },
                             other: 'INVALID_ARG', withoutGenesis: 'INVALID_ARG', persisted: true });
  await page.close();
});

test('misuse is reported: bad arguments, a store closed before its last write', async () => {
  const page = await newPage();
  const errors = await page.evaluate(async () => {
    const name = (promise) => promise.then(() => 'resolved', (error) => error.name);
    const saved = await hypha.openPersistentStore('misuse');
    saved.store.put('c', 'k', 'f', 1);
    saved.store.close(); // before the write that commit queued has run
    return {
      emptyName: await name(hypha.openPersistentStore('')),
      compactAfter: await name(hypha.openPersistentStore('x', { compactAfter: 0 })),
      notAStore: await name(hypha.persist({}, 'x')),
      closedStore: await name(saved.close()),
    };
  });
  assert.deepEqual(errors, { emptyName: 'TypeError', compactAfter: 'RangeError',
                             notAStore: 'TypeError', closedStore: 'PersistenceError' });
  await page.close();
});

test('persist() keeps an existing store: what it and the database had end up in both', async () => {
  const page = await newPage();
  await page.evaluate(async () => {
    const saved = await hypha.openPersistentStore('attached');
    saved.store.put('c', 'k', 'stored', 'from the database');
    await saved.close();
  });
  const result = await page.evaluate(async () => {
    const store = hypha.Store.create();
    store.put('c', 'k', 'memory', 'from memory');
    const persistence = await hypha.persist(store, 'attached');
    const merged = store.get('c', 'k', 'stored');
    await persistence.close();
    const { store: reopened } = await hypha.openPersistentStore('attached');
    const memory = reopened.get('c', 'k', 'memory');
    return { merged, memory, heads: heads(store) === heads(reopened) };
  });
  assert.deepEqual(result, { merged: 'from the database', memory: 'from memory', heads: true });
  await page.close();
});

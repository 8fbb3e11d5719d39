// The package as a browser gets it: index.mjs and hypha.wasm from a static server, imported by
// a page of that origin, in Chromium.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { launch } from './chromium.mjs';

const browser = await launch();
after(() => browser.close());

test('the package loads in a page and works; hypha.wasm comes as application/wasm', async () => {
  const page = await browser.newPage();
  const wasmResponse = page.waitForResponse((response) => response.url().endsWith('/hypha.wasm'));
  const result = await page.evaluate(async () => {
    const { Store, HyphaError, hash } = await import('/pkg/index.mjs');
    const store = Store.create();
    const text = store.text('notes', 'n1', 'body');
    text.insert(0, 'héllo 😀 world');
    text.delete(6, 3); // the emoji is two UTF-16 code units, and the space after it
    store.counter('notes', 'n1', 'votes').add(2);
    const copy = Store.load(store.save());
    let code;
    try {
      Store.load(new Uint8Array([1, 2, 3]));
    } catch (error) {
      code = error instanceof HyphaError && error.codeName;
    }
    const result = {
      text: copy.text('notes', 'n1', 'body').toString(),
      votes: copy.counter('notes', 'n1', 'votes').value,
      hashLength: hash(new Uint8Array([1])).length,
      code,
    };
    store.close();
    copy.close();
    return result;
  });
  assert.deepEqual(result, { text: 'héllo world', votes: 2, hashLength: 32, code: 'TRUNCATED' });
  const response = await wasmResponse;
  assert.equal(response.status(), 200);
  assert.equal(response.headers()['content-type'], 'application/wasm');
  assert.deepEqual(browser.pageErrors, []);
  await page.close();
});

test('the credit ledger works in a page: ops, escrow, merge, int64 reads', async () => {
  const page = await browser.newPage();
  const result = await page.evaluate(async () => {
    const { Ledger, Store, genesis, publicKey } = await import('/pkg/index.mjs');
    const committee = [1, 2, 3, 4].map((n) => publicKey(new Uint8Array(32).fill(n)));
    const ledgerGenesis = genesis({ name: 'ledger', committee, creditLimit: 500 });
    const [a, b] = [0, 1].map(() => Store.create({ genesis: ledgerGenesis }));
    const [la, lb] = [Ledger.open(a), Ledger.open(b)];
    la.openAccount();
    la.spend(a.actor, b.actor, 120);
    let code;
    try {
      la.spend(a.actor, b.actor, 400);
    } catch (error) {
      code = error.codeName;
    }
    b.merge(a.changes(b.heads()));
    const result = { payer: la.account(a.actor), payee: lb.account(b.actor),
                     rights: la.rights(a.actor, a.actor), code, findings: lb.audit().length };
    a.close();
    b.close();
    return result;
  });
  assert.deepEqual(result, {
    payer: { opened: true, limit: 500, balance: -120, confirmedBalance: 0 },
    payee: { opened: false, limit: 0, balance: 120, confirmedBalance: 0 },
    rights: 380, code: 'INSUFFICIENT_ESCROW', findings: 0,
  });
  assert.deepEqual(browser.pageErrors, []);
  await page.close();
});

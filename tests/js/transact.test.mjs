// Transactions as a callback: one change on return, nothing on a throw.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hypha, throwsHypha } from './support.mjs';

const { ErrorCode, Store } = hypha;

/** Every kind of field, written so that a rolled back transaction has something to undo. */
function fill(store) {
  store.put('c', 'k', 'reg', 'before');
  store.counter('c', 'k', 'n').add(1);
  store.text('c', 'k', 't').insert(0, 'a😀');
  store.list('c', 'k', 'l').push(1);
  store.set('c', 'k', 's').add('x');
  store.map('c', 'k', 'm').set('e', 1);
}

const stateOf = (store) => ({
  reg: store.conflicts('c', 'k', 'reg'),
  n: store.counter('c', 'k', 'n').value,
  t: store.text('c', 'k', 't').toString(),
  l: store.list('c', 'k', 'l').toArray(),
  s: store.set('c', 'k', 's').values(),
  m: store.map('c', 'k', 'm').toObject(),
});

test('a transaction commits its edits as one change and returns what fn returns', () => {
  const [a, b] = [Store.create(), Store.create()];
  fill(a);
  const batchBefore = a.heads();
  const result = a.transact((store) => {
    assert.equal(store, a);
    store.put('c', 'k', 'reg', 'after');
    store.text('c', 'k', 't').insert(0, 'z');
    assert.equal(store.text('c', 'k', 't').toString(), 'za😀'); // reads see the edits
    return 42;
  });
  assert.equal(result, 42);
  const [head] = a.heads();
  assert.notDeepEqual(head, batchBefore[0]);
  // One change: merging only what follows the old head applies both edits at once.
  b.merge(a.changes());
  assert.equal(b.get('c', 'k', 'reg'), 'after');
  assert.equal(b.text('c', 'k', 't').toString(), 'za😀');
  a.close();
  b.close();
});

test('a throw rolls every edit back, of every field type, and is rethrown as is', () => {
  const store = Store.create();
  fill(store);
  const before = stateOf(store);
  const heads = store.heads();
  const thrown = new Error('boom');
  assert.throws(() => store.transact(() => {
    store.put('c', 'k', 'reg', 'after');
    store.counter('c', 'k', 'n').add(10);
    store.text('c', 'k', 't').insert(1, '😀😀');
    store.text('c', 'k', 't').delete(0, 1);
    store.list('c', 'k', 'l').insert(0, 'new');
    store.set('c', 'k', 's').add('y');
    store.set('c', 'k', 's').delete('x');
    store.map('c', 'k', 'm').set('f', 2);
    store.remove('c', 'k', 'reg');
    store.put('c', 'k', 'fresh', 1);
    throw thrown;
  }), (error) => error === thrown);
  assert.deepEqual(stateOf(store), before);
  assert.equal(store.get('c', 'k', 'fresh'), undefined);
  assert.deepEqual(store.heads(), heads);
  // The store is usable afterwards, transactions included.
  store.transact(() => store.put('c', 'k', 'reg', 'later'));
  assert.equal(store.get('c', 'k', 'reg'), 'later');
  store.close();
});

test('a failing call inside fn rolls back when its HyphaError escapes', () => {
  const store = Store.create();
  store.put('c', 'k', 'reg', 1);
  throwsHypha(() => store.transact(() => {
    store.put('c', 'k', 'reg', 2);
    store.list('c', 'k', 'l').delete(5);
  }), ErrorCode.INVALID_ARG, /list\.delete/);
  assert.equal(store.get('c', 'k', 'reg'), 1);
  store.close();
});

test('transactions do not nest, fn must be synchronous and a function', async () => {
  const store = Store.create();
  throwsHypha(() => store.transact(() => store.transact(() => {})), ErrorCode.INVALID_ARG,
              /open already/);
  throwsHypha(() => store.transact(async () => { store.put('c', 'k', 'f', 1); }),
              ErrorCode.INVALID_ARG, /promise/);
  assert.equal(store.get('c', 'k', 'f'), undefined);
  throwsHypha(() => store.transact('not a function'), ErrorCode.INVALID_ARG, /function/);
  throwsHypha(() => store.transact(() => store.merge(new Uint8Array(0))), ErrorCode.INVALID_ARG);
  throwsHypha(() => store.transact(() => store.close()), ErrorCode.INVALID_ARG, /close/);
  assert.equal(store.closed, false);
  store.close();
});

test('a rolled back transaction notifies no subscriber; a committed one notifies once', () => {
  const store = Store.create();
  const deliveries = [];
  store.subscribe((patches) => deliveries.push(patches));
  assert.throws(() => store.transact(() => {
    store.put('c', 'k', 'f', 1);
    throw new Error('no');
  }));
  assert.equal(deliveries.length, 0);
  store.transact(() => {
    store.put('c', 'k', 'f', 1);
    store.counter('c', 'k', 'n').add(2);
  });
  assert.equal(deliveries.length, 1);
  assert.deepEqual(deliveries[0].map((patch) => patch.kind), ['put', 'counter-add']);
  store.close();
});

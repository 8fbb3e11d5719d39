// Subscriptions: plain-object patches for every kind of edit, filters, unsubscribing (also
// inside a callback), edits and errors inside callbacks, and patches from merges.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hypha, throwsHypha } from './support.mjs';

const { ErrorCode, Float64, Store } = hypha;
const where = { collection: 'c', key: 'k' };

test('every kind of patch, as a plain object', () => {
  const store = Store.create();
  const patches = [];
  store.subscribe((delivered) => patches.push(...delivered));
  store.put('c', 'k', 'reg', 'v');
  store.remove('c', 'k', 'reg');
  store.counter('c', 'k', 'n').add(5n);
  store.text('c', 'k', 't').insert(0, 'a😀b');
  store.text('c', 'k', 't').delete(1, 2);
  store.set('c', 'k', 's').add(new Float64(2));
  assert.equal(store.set('c', 'k', 's').delete(2), false); // an int 2: not the double 2
  store.set('c', 'k', 's').delete(new Float64(2));
  store.list('c', 'k', 'l').push(new Uint8Array([9]));
  store.list('c', 'k', 'l').delete(0);
  store.map('c', 'k', 'm').set('e', true);
  store.map('c', 'k', 'm').delete('e');
  assert.deepEqual(patches, [
    { kind: 'put', ...where, field: 'reg', value: 'v' },
    { kind: 'remove', ...where, field: 'reg' },
    { kind: 'counter-add', ...where, field: 'n', delta: 5 },
    { kind: 'text-insert', ...where, field: 't', index: 0, text: 'a😀b' },
    { kind: 'text-delete', ...where, field: 't', index: 1, codePoints: 1 },
    { kind: 'set-add', ...where, field: 's', value: 2 },
    { kind: 'set-delete', ...where, field: 's', value: 2 },
    { kind: 'list-insert', ...where, field: 'l', index: 0, value: new Uint8Array([9]) },
    { kind: 'list-delete', ...where, field: 'l', index: 0, count: 1 },
    { kind: 'map-set', ...where, field: 'm', name: 'e', value: true },
    { kind: 'map-delete', ...where, field: 'm', name: 'e' },
  ]);
  for (const patch of patches) assert.equal(Object.getPrototypeOf(patch), Object.prototype);
  store.close();
});

test('text patches give UTF-16 indexes after astral characters', () => {
  const store = Store.create();
  const text = store.text('c', 'k', 't');
  text.insert(0, '😀😀');
  const patches = [];
  store.subscribe((delivered) => patches.push(...delivered));
  text.insert(4, 'x');
  text.insert(2, '🌍');
  text.delete(6, 1);
  assert.deepEqual(patches.map(({ kind, index }) => [kind, index]),
                   [['text-insert', 4], ['text-insert', 2], ['text-delete', 6]]);
  store.close();
});

test('every text patch of one delivery has the UTF-16 index of its own moment', () => {
  const store = Store.create();
  const text = store.text('c', 'k', 't');
  text.insert(0, 'ab');
  const patches = [];
  store.subscribe((delivered) => patches.push(...delivered));
  // One transaction: the later edits put astral characters before the earlier ones' places.
  store.transact(() => {
    text.insert(1, '😀'); // "a😀b"
    text.insert(0, '🌍'); // "🌍a😀b"
    text.delete(3, 2);    // "🌍ab": the 😀, after 🌍 (2 units) and a
  });
  assert.deepEqual(patches.map(({ kind, index }) => [kind, index]),
                   [['text-insert', 1], ['text-insert', 0], ['text-delete', 3]]);
  // Replaying the patches on a copy gives the text.
  let copy = 'ab';
  for (const p of patches)
    copy = p.kind === 'text-insert' ? copy.slice(0, p.index) + p.text + copy.slice(p.index)
      : copy.slice(0, p.index) + [...copy.slice(p.index)].slice(p.codePoints).join('');
  assert.equal(copy, text.toString());
  store.close();
});

test('filters by collection, key and field', () => {
  const store = Store.create();
  const seen = { all: [], collection: [], key: [], field: [] };
  store.subscribe((p) => seen.all.push(...p));
  store.subscribe({ collection: 'c' }, (p) => seen.collection.push(...p));
  store.subscribe({ collection: 'c', key: 'k' }, (p) => seen.key.push(...p));
  store.subscribe({ collection: 'c', key: 'k', field: 'f' }, (p) => seen.field.push(...p));
  store.put('c', 'k', 'f', 1);
  store.put('c', 'k', 'g', 2);
  store.put('c', 'other', 'f', 3);
  store.put('d', 'k', 'f', 4);
  const values = (list) => list.map((patch) => patch.value);
  assert.deepEqual(values(seen.all), [1, 2, 3, 4]);
  assert.deepEqual(values(seen.collection), [1, 2, 3]);
  assert.deepEqual(values(seen.key), [1, 2]);
  assert.deepEqual(values(seen.field), [1]);
  store.close();
});

test('unsubscribe stops deliveries, is idempotent, and works inside a callback', () => {
  const store = Store.create();
  const calls = { self: 0, other: 0, stays: 0 };
  let stopOther;
  const stopSelf = store.subscribe(() => {
    calls.self++;
    stopSelf();
    stopOther();
  });
  stopOther = store.subscribe(() => calls.other++);
  store.subscribe(() => calls.stays++);
  store.put('c', 'k', 'f', 1);
  store.put('c', 'k', 'f', 2);
  assert.deepEqual(calls, { self: 1, other: 0, stays: 2 });
  stopSelf();
  stopOther();
  store.close();
  stopSelf(); // after close too
});

test('a callback may edit the store: its patches follow in a later call', () => {
  const store = Store.create();
  const deliveries = [];
  store.subscribe((patches) => {
    deliveries.push(patches.map((patch) => patch.field));
    if (patches[0].field === 'f') store.counter('c', 'k', 'echo').add(1);
  });
  store.put('c', 'k', 'f', 1);
  assert.deepEqual(deliveries, [['f'], ['echo']]);
  assert.equal(store.counter('c', 'k', 'echo').value, 1);
  store.close();
});

test('a throwing callback is reported as an uncaught error; the store and others go on', () => {
  const store = Store.create();
  const reported = [];
  const queueMicrotask = globalThis.queueMicrotask;
  globalThis.queueMicrotask = (task) => {
    try { task(); } catch (error) { reported.push(error); }
  };
  try {
    let after = 0;
    store.subscribe(() => { throw new Error('callback failed'); });
    store.subscribe(() => { store.close(); });
    store.subscribe(() => after++);
    store.put('c', 'k', 'f', 1);
    assert.equal(reported.length, 2);
    assert.equal(reported[0].message, 'callback failed');
    assert.equal(reported[1].code, ErrorCode.INVALID_ARG);
    assert.match(reported[1].message, /close/);
    assert.equal(after, 1);
    assert.equal(store.get('c', 'k', 'f'), 1);
  } finally {
    globalThis.queueMicrotask = queueMicrotask;
  }
  store.close();
});

test('merges deliver patches to the receiving store\'s subscribers', () => {
  const [a, b] = [Store.create(), Store.create()];
  a.put('c', 'k', 'f', 'hi');
  a.text('c', 'k', 't').insert(0, '😀 x');
  const patches = [];
  b.subscribe({ field: 't' }, (delivered) => patches.push(...delivered));
  assert.equal(b.merge(a.changes()), true);
  assert.deepEqual(patches, [{ kind: 'text-insert', ...where, field: 't', index: 0, text: '😀 x' }]);
  a.close();
  b.close();
});

test('bad filters and callbacks are refused', () => {
  const store = Store.create();
  throwsHypha(() => store.subscribe(), ErrorCode.INVALID_ARG, /callback/);
  throwsHypha(() => store.subscribe({}, 'no'), ErrorCode.INVALID_ARG, /callback/);
  throwsHypha(() => store.subscribe(null, () => {}), ErrorCode.INVALID_ARG, /filter/);
  throwsHypha(() => store.subscribe({ key: 5 }, () => {}), ErrorCode.INVALID_ARG, /filter\.key/);
  throwsHypha(() => store.subscribe({ field: 'a\0b' }, () => {}), ErrorCode.INVALID_ARG, /NUL/);
  store.close();
});

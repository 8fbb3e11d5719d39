// Hostile input from JS: wrong types for every kind of argument, out-of-range indexes, and
// garbage bytes for load() and merge(). Each must throw a HyphaError with the right code,
// never trap WebAssembly (a RuntimeError), and leave no memory behind.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hypha, random, seedOf, throwsHypha } from './support.mjs';

const { ErrorCode, Float64, HyphaError, Store, hash, heapUsed, publicKey, sign, verify } = hypha;
const { INVALID_ARG } = ErrorCode;

const notStrings = [undefined, null, 1, 1n, true, {}, [], Symbol('s'), () => {}, new String('s')];
const badNames = [...notStrings, 'a\0b', 'a\uD800', '\uDC00z', 'x'.repeat(256), 'é'.repeat(128)];
const badValues = [undefined, {}, [], Symbol('s'), () => {}, new Date(0), new Number(1),
  new Uint16Array(2), new ArrayBuffer(2), new DataView(new ArrayBuffer(2)), 2n ** 63n,
  -(2n ** 63n) - 1n, '\uD83D', 'ok\uDE00'];
const badIndexes = [-1, 1.5, NaN, Infinity, -Infinity, 2 ** 32, 2 ** 53, '0', null, undefined,
  1n, {}, [0], true];
const badDeltas = [1.5, NaN, Infinity, 2 ** 53, '1', null, {}, 2n ** 63n, -(2n ** 63n) - 1n, true];
const notBytes = [undefined, null, 'bytes', [1, 2], {}, 5, new ArrayBuffer(4), new Uint16Array(2),
  new Int8Array(2), new DataView(new ArrayBuffer(2))];
const badSeeds = [...notBytes, new Uint8Array(0), new Uint8Array(31), new Uint8Array(33)];

/** Every call of the API with one hostile argument in each position: [label, values, call]. */
function hostileCalls(store) {
  const text = store.text('c', 'k', 'text');
  const list = store.list('c', 'k', 'list');
  const set = store.set('c', 'k', 'set');
  const map = store.map('c', 'k', 'map');
  const counter = store.counter('c', 'k', 'counter');
  const handles = ['counter', 'text', 'list', 'set', 'map'];
  const calls = [];
  for (const method of ['put', 'get', 'conflicts', 'remove', ...handles]) {
    calls.push([`${method}(collection)`, badNames, (x) => store[method](x, 'k', 'f', 1)]);
    calls.push([`${method}(key)`, badNames, (x) => store[method]('c', x, 'f', 1)]);
    calls.push([`${method}(field)`, badNames, (x) => store[method]('c', 'k', x, 1)]);
  }
  calls.push(
    ['put(value)', badValues, (x) => store.put('c', 'k', 'f', x)],
    ['counter.add(delta)', badDeltas, (x) => counter.add(x)],
    ['text.insert(index)', badIndexes, (x) => text.insert(x, 'a')],
    ['text.insert(text)', [...notStrings, '\uD800'], (x) => text.insert(0, x)],
    ['text.delete(index)', badIndexes, (x) => text.delete(x, 1)],
    ['text.delete(length)', badIndexes.filter((x) => x !== undefined), (x) => text.delete(0, x)],
    ['list.insert(index)', badIndexes, (x) => list.insert(x, 1)],
    ['list.insert(value)', badValues, (x) => list.insert(0, x)],
    ['list.push(value)', badValues, (x) => list.push(x)],
    ['list.delete(index)', badIndexes, (x) => list.delete(x)],
    ['list.delete(count)', badIndexes.filter((x) => x !== undefined), (x) => list.delete(0, x)],
    ['list.get(index)', badIndexes, (x) => list.get(x)],
    ['set.add(value)', badValues, (x) => set.add(x)],
    ['set.delete(value)', badValues, (x) => set.delete(x)],
    ['set.has(value)', badValues, (x) => set.has(x)],
    ['map.set(name)', badNames, (x) => map.set(x, 1)],
    ['map.set(value)', badValues, (x) => map.set('e', x)],
    ['map.get(name)', badNames, (x) => map.get(x)],
    ['map.has(name)', badNames, (x) => map.has(x)],
    ['map.delete(name)', badNames, (x) => map.delete(x)],
    ['map.conflicts(name)', badNames, (x) => map.conflicts(x)],
    ['transact(fn)', [undefined, null, 1, 'f', {}], (x) => store.transact(x)],
    ['subscribe(callback)', [undefined, null, 1, 'f', {}], (x) => store.subscribe({}, x)],
    ['subscribe(filter)', [null, 1, 'f', true], (x) => store.subscribe(x, () => {})],
    ['subscribe(filter.collection)', badNames.filter((x) => x !== undefined),
     (x) => store.subscribe({ collection: x }, () => {})],
    ['changes(heads)', [null, 'heads', {}, new Uint8Array(32), 1], (x) => store.changes(x)],
    ['changes(heads[0])', [...badSeeds, new Uint8Array(64)], (x) => store.changes([x])],
    ['merge(batch)', notBytes, (x) => store.merge(x)],
    ['Store.load(bytes)', notBytes, (x) => Store.load(x)],
    ['Store.load(options)', [null, 1, 'o', true], (x) => Store.load(new Uint8Array(0), x)],
    ['Store.create(options)', [null, 1, 'o', true], (x) => Store.create(x)],
    ['Store.create(actorSeed)', badSeeds.filter((x) => x !== undefined),
     (x) => Store.create({ actorSeed: x })],
    ['Store.create(requireSignatures)', [1, 'yes', null, {}],
     (x) => Store.create({ requireSignatures: x })],
    ['hash(data)', notBytes, (x) => hash(x)],
    ['publicKey(seed)', badSeeds, (x) => publicKey(x)],
    ['sign(seed)', badSeeds, (x) => sign(x, new Uint8Array(1))],
    ['sign(message)', notBytes, (x) => sign(seedOf(1), x)],
    ['verify(signature)', [...notBytes, new Uint8Array(63)],
     (x) => verify(x, new Uint8Array(32), new Uint8Array(1))],
    ['verify(publicKey)', badSeeds, (x) => verify(new Uint8Array(64), x, new Uint8Array(1))],
    ['verify(message)', notBytes, (x) => verify(new Uint8Array(64), new Uint8Array(32), x)],
    ['new Float64(value)', [undefined, '1', 1n, null, {}], (x) => new Float64(x)],
  );
  return calls;
}

test('a wrong type for any argument throws INVALID_ARG naming the call', () => {
  const store = Store.create();
  let checked = 0;
  for (const [label, values, call] of hostileCalls(store)) {
    const where = label.replace(/\(.*/, '').replace(/^(counter|text|list|set|map)$/, '$1');
    for (const value of values) {
      assert.throws(() => call(value), (error) => {
        assert.ok(error instanceof HyphaError, `${label} with ${String(typeof value)}: ${error?.stack}`);
        assert.equal(error.code, INVALID_ARG, `${label}: ${error.message}`);
        assert.ok(error.message.startsWith(where), `${label}: ${error.message}`);
        return true;
      }, `${label} accepted a hostile ${typeof value}`);
      checked++;
    }
  }
  assert.ok(checked > 400, `${checked} hostile calls`);
  // Nothing above reached the store.
  assert.deepEqual(store.heads(), []);
  store.close();
});

test('out-of-range indexes and counts are refused, the field unchanged', () => {
  const store = Store.create();
  const text = store.text('c', 'k', 't');
  text.insert(0, 'ab😀');
  const list = store.list('c', 'k', 'l');
  list.push(1);
  list.push(2);
  const refused = [
    () => text.insert(5, 'x'), () => text.insert(3, 'x'), () => text.delete(0, 5),
    () => text.delete(4, 1), () => text.delete(5, 0), () => text.delete(1, 2 ** 32 - 2),
    () => text.delete(2 ** 32 - 1, 1),
    () => list.insert(3, 0), () => list.delete(2, 1), () => list.delete(0, 3),
    () => list.delete(1, 2 ** 32 - 1), () => list.delete(2 ** 32 - 1, 1),
    () => list.delete(2 ** 32 - 1, 2 ** 32 - 1),
  ];
  refused.forEach((call, i) => throwsHypha(call, INVALID_ARG, undefined, `case ${i}`));
  assert.equal(list.get(2), undefined);
  assert.equal(list.get(2 ** 32 - 1), undefined);
  assert.equal(text.toString(), 'ab😀');
  assert.deepEqual(list.toArray(), [1, 2]);
  store.close();
});

/** Asserts that call throws a HyphaError (any code but INVALID_ARG's siblings of misuse), not
 * a RuntimeError or anything else. */
function refusedAsInput(call, label) {
  try {
    call();
  } catch (error) {
    assert.ok(error instanceof HyphaError, `${label}: ${error?.stack ?? error}`);
    assert.ok(error.code > 0 && error.code <= 17, `${label}: code ${error.code}`);
    return error;
  }
  return undefined;
}

function sampleStore() {
  const store = Store.create({ actorSeed: seedOf(9) });
  store.put('notes', 'n1', 'title', 'hello');
  store.text('notes', 'n1', 'body').insert(0, 'some text 😀');
  store.counter('notes', 'n1', 'votes').add(3);
  store.list('notes', 'n1', 'items').push('x');
  store.set('notes', 'n1', 'tags').add('t');
  store.map('notes', 'n1', 'meta').set('a', 1);
  store.put('notes', 'n2', 'title', 'second');
  return store;
}

test('garbage to load(): random bytes, every truncation and bit flips of a snapshot', () => {
  const source = sampleStore();
  const snapshot = source.save();
  const rng = random(11);
  for (let i = 0; i < 500; i++) {
    const garbage = rng.bytes(rng.below(300));
    assert.ok(refusedAsInput(() => Store.load(garbage).close(), `random ${i}`), `random ${i} loaded`);
    const withMagic = Uint8Array.from([...snapshot.subarray(0, 8), ...rng.bytes(rng.below(200))]);
    refusedAsInput(() => Store.load(withMagic).close(), `magic + random ${i}`);
  }
  const truncationCodes = new Set();
  for (let length = 0; length < snapshot.length; length++) {
    const error = refusedAsInput(() => Store.load(snapshot.subarray(0, length)).close(),
                                 `truncated to ${length}`);
    assert.ok(error, `the snapshot truncated to ${length} bytes loaded`);
    assert.ok(error.offset <= length, `offset ${error.offset} past ${length}`);
    truncationCodes.add(error.code);
  }
  assert.ok(truncationCodes.has(ErrorCode.TRUNCATED), [...truncationCodes].join());
  for (let at = 0; at < snapshot.length; at++) {
    const flipped = snapshot.slice();
    flipped[at] ^= 1 << (at % 8);
    refusedAsInput(() => Store.load(flipped).close(), `bit flipped at ${at}`);
  }
  source.close();
});

test('garbage to merge(): random bytes, every truncation and bit flips of a batch', () => {
  const source = sampleStore();
  const batch = source.changes();
  const rng = random(12);
  const target = Store.create();
  for (let i = 0; i < 500; i++)
    assert.ok(refusedAsInput(() => target.merge(rng.bytes(1 + rng.below(300))), `random ${i}`));
  for (let length = 1; length < batch.length; length++)
    assert.ok(refusedAsInput(() => target.merge(batch.subarray(0, length)), `truncated ${length}`),
              `the batch truncated to ${length} bytes merged`);
  for (let at = 0; at < batch.length; at++) {
    const flipped = batch.slice();
    flipped[at] ^= 1 << (at % 8);
    const fresh = Store.create();
    refusedAsInput(() => fresh.merge(flipped), `bit flipped at ${at}`);
    fresh.close();
  }
  // Still a working store, which the real batch brings up to date.
  assert.equal(target.merge(batch), true);
  assert.equal(target.get('notes', 'n1', 'title'), 'hello');
  source.close();
  target.close();
});

test('10,000 failed calls of each kind leave the WebAssembly heap as it was', () => {
  const source = sampleStore();
  const snapshot = source.save();
  const batch = source.changes();
  const store = Store.create();
  const text = store.text('c', 'k', 't');
  text.insert(0, 'abc');
  const rng = random(13);
  // Each call that fails below holds about 4 KB on the C stack (a frame never popped would
  // overflow the 5 MB stack long before 10,000 calls) or a 60 KB block from malloc.
  const stackValue = 'v'.repeat(1300);
  const bigValue = 'v'.repeat(20_000);
  const failures = [
    () => Store.load(snapshot.subarray(0, rng.below(snapshot.length))),
    () => Store.load(rng.bytes(64)),
    () => store.merge(batch.subarray(0, 1 + rng.below(batch.length - 1))),
    () => store.merge(rng.bytes(64)),
    () => store.put('c', 'k', 't', stackValue), // a text field is not a register
    () => store.put('c', 'k', 't', bigValue),
    () => store.put('c', 'k', 'f'.repeat(256), bigValue),
    () => text.insert(4, stackValue),
    () => text.insert(4, bigValue),
    () => text.delete(1, 10),
    () => store.list('c', 'k', 'l').delete(0),
    () => store.transact(() => { store.put('c', 'k', 'x', bigValue); throw new Error('undo'); }),
  ];
  const fail = (call) => assert.throws(call, (e) => e instanceof HyphaError || e.message === 'undo');
  for (const call of failures) for (let i = 0; i < 10; i++) fail(call); // lasting buffers sized
  for (const call of failures) {
    const before = heapUsed();
    for (let i = 0; i < 10_000; i++) fail(call);
    assert.equal(heapUsed(), before, `10,000 times ${call}`);
  }
  assert.equal(text.toString(), 'abc');
  assert.equal(store.get('c', 'k', 'x'), undefined);
  store.close();
  source.close();
});

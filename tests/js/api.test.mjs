// Every call of the JS API, on the happy path and with the errors the core reports.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { hypha, pkgDir, seedOf, throwsHypha } from './support.mjs';

const { ErrorCode, Float64, HyphaError, Store, hash, publicKey, sign, verify } = hypha;

test('Store.create: a fresh actor each time, or the one of a given seed', () => {
  const [a, b] = [Store.create(), Store.create()];
  assert.equal(a.actor.length, 32);
  assert.notDeepEqual(a.actor, b.actor);
  const seeded = Store.create({ actorSeed: seedOf(7) });
  assert.deepEqual(seeded.actor, publicKey(seedOf(7)));
  for (const store of [a, b, seeded]) store.close();
});

test('registers hold every value type and read them back', () => {
  const store = Store.create();
  const cases = [
    [null, null], [true, true], [false, false], [0, 0], [-42, -42],
    [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER], [1.5, 1.5], [-0, -0], [NaN, NaN],
    [Infinity, Infinity], [2n ** 62n, 2n ** 62n], [-(2n ** 63n), -(2n ** 63n)], [5n, 5],
    [new Float64(3), 3], ['', ''], ['héllo 😀\0end', 'héllo 😀\0end'],
    [new Uint8Array([0, 1, 255]), new Uint8Array([0, 1, 255])], [new Uint8Array(0), new Uint8Array(0)],
  ];
  cases.forEach(([written, read], i) => {
    store.put('c', 'k', `f${i}`, written);
    assert.deepEqual(store.get('c', 'k', `f${i}`), read, `case ${i}`);
  });
  assert.equal(store.get('c', 'k', 'never'), undefined);
  store.close();
});

test('a large value and a large name cross the heap through malloc, not the stack', () => {
  const store = Store.create();
  const big = 'x'.repeat(100_000) + '😀';
  store.put('c', 'k', 'f', big);
  assert.equal(store.get('c', 'k', 'f'), big);
  const bytes = new Uint8Array(50_000).map((_, i) => i);
  store.put('c', 'k', 'b', bytes);
  assert.deepEqual(store.get('c', 'k', 'b'), bytes);
  throwsHypha(() => store.put('c', 'k', 'n'.repeat(10_000), 1), ErrorCode.INVALID_ARG);
  store.close();
});

test('names up to 255 UTF-8 bytes are accepted, longer ones refused', () => {
  const store = Store.create();
  store.put('é'.repeat(127), 'k', 'f', 1); // 254 bytes
  assert.equal(store.get('é'.repeat(127), 'k', 'f'), 1);
  store.put('x'.repeat(255), 'k', 'f', 2);
  throwsHypha(() => store.put('x'.repeat(256), 'k', 'f', 1), ErrorCode.INVALID_ARG);
  store.close();
});

test('remove, conflicts after concurrent writes, and reading a field as the wrong type', () => {
  const [a, b] = [Store.create({ actorSeed: seedOf(1) }), Store.create({ actorSeed: seedOf(2) })];
  a.put('c', 'k', 'f', 'from a');
  b.put('c', 'k', 'f', 'from b');
  a.merge(b.changes());
  b.merge(a.changes());
  const conflicts = a.conflicts('c', 'k', 'f');
  assert.equal(conflicts.length, 2);
  assert.deepEqual(new Set(conflicts), new Set(['from a', 'from b']));
  assert.deepEqual(b.conflicts('c', 'k', 'f'), conflicts);
  assert.equal(a.get('c', 'k', 'f'), conflicts[0]);
  assert.equal(a.remove('c', 'k', 'f'), true);
  assert.equal(a.get('c', 'k', 'f'), undefined);
  assert.deepEqual(a.conflicts('c', 'k', 'f'), []);
  assert.equal(a.remove('c', 'k', 'f'), false);
  a.counter('c', 'k', 'n').add(1);
  throwsHypha(() => a.get('c', 'k', 'n'), ErrorCode.INVALID_ARG);
  throwsHypha(() => a.put('c', 'k', 'n', 1), ErrorCode.INVALID_ARG);
  throwsHypha(() => a.text('c', 'k', 'n').toString(), ErrorCode.INVALID_ARG);
  a.close();
  b.close();
});

test('counters: add numbers and bigints, read numbers or bigints, remove', () => {
  const store = Store.create();
  const votes = store.counter('c', 'k', 'votes');
  assert.deepEqual([votes.collection, votes.key, votes.field], ['c', 'k', 'votes']);
  assert.equal(votes.value, 0);
  votes.add();
  votes.add(41);
  assert.equal(votes.value, 42);
  votes.add(-50n);
  assert.equal(votes.value, -8);
  votes.add(2n ** 62n);
  assert.equal(votes.value, 2n ** 62n - 8n);
  assert.equal(store.remove('c', 'k', 'votes'), true);
  assert.equal(votes.value, 0);
  assert.equal(store.remove('c', 'k', 'votes'), false);
  store.close();
});

test('lists: insert, push, get, delete, length, toArray', () => {
  const store = Store.create();
  const list = store.list('c', 'k', 'items');
  assert.equal(list.length, 0);
  assert.deepEqual(list.toArray(), []);
  list.push('b');
  list.insert(0, 'a');
  list.push(3);
  list.insert(3, null);
  assert.deepEqual(list.toArray(), ['a', 'b', 3, null]);
  assert.equal(list.length, 4);
  assert.equal(list.get(2), 3);
  assert.equal(list.get(4), undefined);
  list.delete(1);
  list.delete(1, 2);
  assert.deepEqual(list.toArray(), ['a']);
  throwsHypha(() => list.insert(5, 'x'), ErrorCode.INVALID_ARG);
  throwsHypha(() => list.delete(0, 2), ErrorCode.INVALID_ARG);
  assert.equal(store.remove('c', 'k', 'items'), true);
  assert.equal(list.length, 0);
  store.close();
});

test('sets: add, has, delete, size, values', () => {
  const store = Store.create();
  const tags = store.set('c', 'k', 'tags');
  assert.equal(tags.size, 0);
  tags.add('red');
  tags.add('red');
  tags.add(7);
  tags.add(new Uint8Array([1]));
  assert.equal(tags.size, 3);
  assert.equal(tags.has('red'), true);
  assert.equal(tags.has('blue'), false);
  assert.equal(tags.has(new Uint8Array([1])), true);
  assert.deepEqual(new Set(tags.values().map(String)), new Set(['red', '7', '1']));
  assert.equal(tags.delete('red'), true);
  assert.equal(tags.delete('red'), false);
  assert.equal(tags.size, 2);
  store.close();
});

test('maps: set, get, has, delete, conflicts, size, keys in byte order, toObject', () => {
  const store = Store.create();
  const meta = store.map('c', 'k', 'meta');
  meta.set('b', 2);
  meta.set('a', 'one');
  meta.set('é', null);
  assert.deepEqual(meta.keys(), ['a', 'b', 'é']);
  assert.equal(meta.size, 3);
  assert.equal(meta.get('a'), 'one');
  assert.equal(meta.get('z'), undefined);
  assert.equal(meta.has('é'), true);
  assert.deepEqual(meta.conflicts('b'), [2]);
  assert.deepEqual(meta.conflicts('z'), []);
  assert.equal(meta.delete('b'), true);
  assert.equal(meta.delete('b'), false);
  assert.deepEqual(meta.toObject(), { a: 'one', 'é': null });
  store.close();
});

test('close frees the store: calls and handles throw, closing again does nothing', () => {
  const store = Store.create();
  const text = store.text('c', 'k', 'f');
  store.close();
  assert.equal(store.closed, true);
  store.close();
  throwsHypha(() => store.put('c', 'k', 'f', 1), ErrorCode.INVALID_ARG, /closed/);
  throwsHypha(() => text.toString(), ErrorCode.INVALID_ARG, /closed/);
  throwsHypha(() => store.actor, ErrorCode.INVALID_ARG, /closed/);
  throwsHypha(() => store.save(), ErrorCode.INVALID_ARG, /closed/);
  throwsHypha(() => store.subscribe(() => {}), ErrorCode.INVALID_ARG, /closed/);
});

test('stores dropped without close() are freed once garbage collected, subscribed or not', () => {
  const script = fileURLToPath(new URL('fixtures/forgotten-stores.mjs', import.meta.url));
  const run = spawnSync(process.execPath, ['--expose-gc', script, pkgDir], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const { before, held, after } = JSON.parse(run.stdout);
  assert.ok(held > before + 20 * 1000, `20 stores hold ${held - before} bytes`);
  assert.equal(after, before);
});

test('new Store is refused: stores come from create or load', () => {
  throwsHypha(() => new Store(), ErrorCode.INVALID_ARG, /Store.create/);
});

test('HyphaError: an Error with the C code, its name and the core\'s description', () => {
  const store = Store.create();
  try {
    store.list('c', 'k', 'l').delete(3);
    assert.fail('no error');
  } catch (error) {
    assert.ok(error instanceof Error && error instanceof HyphaError);
    assert.equal(error.code, 2);
    assert.equal(error.codeName, 'INVALID_ARG');
    assert.match(error.message, /^list\.delete: invalid argument/);
  }
  assert.equal(ErrorCode.NOT_FOUND, 14);
  assert.equal(ErrorCode.LIMIT, 17);
  store.close();
});

test('crypto: BLAKE3 and Ed25519 against RFC 8032 test 1 and the BLAKE3 vector of ""', () => {
  const hex = (bytes) => Buffer.from(bytes).toString('hex');
  const bytesOf = (text) => Uint8Array.from(Buffer.from(text, 'hex'));
  assert.equal(hex(hash(new Uint8Array(0))),
               'af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262');
  const seed = bytesOf('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
  const pub = publicKey(seed);
  assert.equal(hex(pub), 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
  const signature = sign(seed, new Uint8Array(0));
  assert.equal(hex(signature),
               'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b');
  assert.equal(verify(signature, pub, new Uint8Array(0)), true);
  assert.equal(verify(signature, pub, new Uint8Array([1])), false);
});

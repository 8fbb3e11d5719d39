// Save and load, incremental saves, heads and changes, and merges between replicas.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hypha, random, seedOf, throwsHypha } from './support.mjs';

const { ErrorCode, Store } = hypha;

function fill(store, tag) {
  store.put('notes', 'n1', `title-${tag}`, `title ${tag}`);
  store.put('notes', 'n1', 'shared', tag);
  store.counter('notes', 'n1', 'votes').add(tag.length);
  store.text('notes', 'n1', 'body').insert(0, `${tag} 😀 `);
  store.list('notes', 'n1', 'items').push(tag);
  store.set('notes', 'n1', 'tags').add(tag);
  store.map('notes', 'n1', 'meta').set(tag, 2n ** 60n);
}

const stateOf = (store) => ({
  titleA: store.get('notes', 'n1', 'title-a'),
  titleB: store.get('notes', 'n1', 'title-b'),
  shared: store.conflicts('notes', 'n1', 'shared'),
  votes: store.counter('notes', 'n1', 'votes').value,
  body: store.text('notes', 'n1', 'body').toString(),
  items: store.list('notes', 'n1', 'items').toArray(),
  tags: store.set('notes', 'n1', 'tags').values(),
  meta: store.map('notes', 'n1', 'meta').toObject(),
  heads: store.heads().map((head) => Buffer.from(head).toString('hex')).sort(),
});

test('save and load round trip every field type, with the actor of the given seed', () => {
  const store = Store.create({ actorSeed: seedOf(3) });
  fill(store, 'a');
  const bytes = store.save();
  assert.ok(bytes instanceof Uint8Array && bytes.length > 0);
  const loaded = Store.load(bytes, { actorSeed: seedOf(3) });
  assert.deepEqual(stateOf(loaded), stateOf(store));
  assert.deepEqual(loaded.actor, store.actor);
  assert.deepEqual(Store.load(bytes).heads(), store.heads());
  // The loaded store goes on editing as the same actor.
  loaded.put('notes', 'n1', 'title-a', 'edited');
  assert.equal(Store.load(loaded.save()).get('notes', 'n1', 'title-a'), 'edited');
  store.close();
  loaded.close();
});

test('an empty store saves and loads', () => {
  const store = Store.create();
  assert.deepEqual(store.heads(), []);
  const loaded = Store.load(store.save());
  assert.deepEqual(loaded.heads(), []);
  store.close();
  loaded.close();
});

test('incremental saves restore on top of the snapshot, in order', () => {
  const store = Store.create();
  fill(store, 'a');
  const snapshot = store.save();
  store.put('notes', 'n1', 'title-b', 'second');
  const first = store.saveIncremental();
  store.text('notes', 'n1', 'body').insert(0, '🌍');
  const second = store.saveIncremental();
  const empty = store.saveIncremental();
  const restored = Store.load(snapshot);
  for (const increment of [first, second, empty]) assert.equal(restored.merge(increment), true);
  assert.deepEqual(stateOf(restored), stateOf(store));
  store.close();
  restored.close();
});

test('changes(heads) holds only what a replica at those heads lacks', () => {
  const [a, b] = [Store.create(), Store.create()];
  fill(a, 'a');
  b.merge(a.changes());
  assert.deepEqual(b.heads(), a.heads());
  const nothing = a.changes(b.heads());
  a.put('notes', 'n1', 'title-a', 'newer');
  const delta = a.changes(b.heads());
  assert.ok(delta.length < a.changes().length);
  assert.ok(nothing.length < delta.length);
  assert.equal(b.merge(delta), true);
  assert.equal(b.get('notes', 'n1', 'title-a'), 'newer');
  a.close();
  b.close();
});

test('two replicas edit concurrently and converge, merging both ways', () => {
  const [a, b] = [Store.create({ actorSeed: seedOf(1) }), Store.create({ actorSeed: seedOf(2) })];
  fill(a, 'a');
  fill(b, 'b');
  const [fromA, fromB] = [a.changes(), b.changes()];
  assert.equal(b.merge(fromA), true);
  assert.equal(a.merge(fromB), true);
  assert.deepEqual(stateOf(a), stateOf(b));
  const state = stateOf(a);
  assert.equal(state.votes, 2);
  assert.equal(state.shared.length, 2);
  assert.deepEqual(new Set(state.items), new Set(['a', 'b']));
  assert.equal(state.heads.length, 2);
  // Merging the same batch again changes nothing.
  assert.equal(a.merge(fromB), true);
  assert.deepEqual(stateOf(a), state);
  a.close();
  b.close();
});

test('a batch whose dependencies are missing waits: merge returns false, then applies', () => {
  const [a, b] = [Store.create(), Store.create()];
  a.put('c', 'k', 'f', 1);
  const first = a.changes();
  const heads = a.heads();
  a.put('c', 'k', 'f', 2);
  const second = a.changes(heads);
  assert.equal(b.merge(second), false);
  assert.equal(b.get('c', 'k', 'f'), undefined);
  assert.equal(b.merge(first), true);
  assert.equal(b.get('c', 'k', 'f'), 2);
  a.close();
  b.close();
});

test('requireSignatures: signed batches merge; an unsigned tampered one does not', () => {
  const [a, strict] = [Store.create(), Store.create({ requireSignatures: true })];
  a.put('c', 'k', 'f', 1);
  const batch = a.changes();
  assert.equal(strict.merge(batch), true);
  assert.equal(strict.get('c', 'k', 'f'), 1);
  const rng = random(7);
  let refused = 0;
  const codes = new Set();
  for (let i = 0; i < 50; i++) {
    const tampered = batch.slice();
    tampered[rng.below(tampered.length)] ^= 1 << rng.below(8);
    const fresh = Store.create({ requireSignatures: true });
    try {
      fresh.merge(tampered);
    } catch (error) {
      assert.ok(error instanceof hypha.HyphaError, String(error));
      codes.add(error.code);
      refused++;
    }
    assert.equal(fresh.get('c', 'k', 'f') ?? 1, 1); // nothing forged got in
    fresh.close();
  }
  assert.ok(refused > 40, `${refused} of 50 tampered batches refused`);
  assert.ok(codes.has(ErrorCode.BAD_SIGNATURE), [...codes].join());
  a.close();
  strict.close();
});

test('load reports where bad bytes went wrong', () => {
  const store = Store.create();
  store.put('c', 'k', 'f', 1);
  const bytes = store.save();
  const truncated = bytes.subarray(0, bytes.length - 1);
  assert.throws(() => Store.load(truncated), (error) => {
    assert.ok(error instanceof hypha.HyphaError);
    assert.equal(typeof error.offset, 'number');
    assert.ok(error.offset <= truncated.length);
    assert.match(error.message, /^Store\.load: .*at byte \d+$/);
    return true;
  });
  throwsHypha(() => Store.load(new Uint8Array([0x68, 0x79, 0x70, 0x68, 0x61, 0, 0, 0])),
              ErrorCode.FORMAT);
  store.close();
});

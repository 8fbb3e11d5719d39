// Text through JS string indexes: UTF-16 offsets, surrogate pairs and emoji, checked against
// the same edits applied to a JS string.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hypha, random, throwsHypha } from './support.mjs';

const { ErrorCode, Store } = hypha;

test('insert and delete at UTF-16 offsets around emoji and other astral characters', () => {
  const store = Store.create();
  const text = store.text('docs', 'd1', 'body');
  assert.equal(text.toString(), '');
  assert.equal(text.length, 0);
  text.insert(0, 'ab');
  text.insert(1, '😀'); // 'a😀b'
  assert.equal(text.toString(), 'a😀b');
  assert.equal(text.length, 4);
  text.insert(3, '𝄞'); // after the emoji: 'a😀𝄞b'
  assert.equal(text.toString(), 'a😀𝄞b');
  text.delete(1, 2); // the emoji's two units
  assert.equal(text.toString(), 'a𝄞b');
  text.insert(4, '👩‍👩‍👧'); // ZWJ sequence: 5 code points, 8 units
  assert.equal(text.toString(), 'a𝄞b👩‍👩‍👧');
  assert.equal(text.length, 12);
  text.delete(4, 8);
  assert.equal(text.toString(), 'a𝄞b');
  store.close();
});

test('an offset inside a surrogate pair or past the end is refused, the text unchanged', () => {
  const store = Store.create();
  const text = store.text('docs', 'd1', 'body');
  text.insert(0, 'x😀y');
  throwsHypha(() => text.insert(2, '!'), ErrorCode.INVALID_ARG, /surrogate pair/);
  throwsHypha(() => text.delete(2, 1), ErrorCode.INVALID_ARG);
  throwsHypha(() => text.delete(1, 1), ErrorCode.INVALID_ARG); // ends inside the pair
  throwsHypha(() => text.insert(5, '!'), ErrorCode.INVALID_ARG, /past its end/);
  throwsHypha(() => text.delete(3, 5), ErrorCode.INVALID_ARG);
  throwsHypha(() => text.insert(0, 'a\uD800b'), ErrorCode.INVALID_ARG, /unpaired surrogate/);
  throwsHypha(() => text.insert(0, '\uDC00'), ErrorCode.INVALID_ARG, /unpaired surrogate/);
  assert.equal(text.toString(), 'x😀y');
  text.delete(0, 0);
  assert.equal(text.toString(), 'x😀y');
  store.close();
});

test('a NUL inside text is text like any other character', () => {
  const store = Store.create();
  const text = store.text('docs', 'd1', 'body');
  text.insert(0, 'a\0b');
  assert.equal(text.toString(), 'a\0b');
  assert.equal(text.length, 3);
  store.close();
});

// Whole code points of every UTF-8 length, so that offsets never split a pair.
const pieces = ['a', 'Z', ' ', 'é', 'ß', '€', '中', '😀', '𝄞', '👍🏽', '\u0301', '\n'];

for (const seed of [1, 2, 3]) {
  test(`random edits match a JS string (seed ${seed})`, () => {
    const rng = random(seed);
    const store = Store.create();
    const text = store.text('docs', 'd1', 'body');
    let model = '';
    // Offsets that do not split a surrogate pair.
    const boundaries = () => {
      const at = [0];
      for (const ch of model) at.push(at.at(-1) + ch.length);
      return at;
    };
    for (let step = 0; step < 400; step++) {
      const at = boundaries();
      if (model.length && rng.below(3) === 0) {
        const from = rng.below(at.length - 1);
        const to = from + 1 + rng.below(Math.min(5, at.length - 1 - from));
        text.delete(at[from], at[to] - at[from]);
        model = model.slice(0, at[from]) + model.slice(at[to]);
      } else {
        const index = rng.pick(at);
        const piece = Array.from({ length: 1 + rng.below(4) }, () => rng.pick(pieces)).join('');
        text.insert(index, piece);
        model = model.slice(0, index) + piece + model.slice(index);
      }
      assert.equal(text.length, model.length, `step ${step}`);
    }
    assert.equal(text.toString(), model);
    store.close();
  });
}

test('concurrent text edits with emoji converge after merge both ways', () => {
  const [a, b] = [Store.create(), Store.create()];
  a.text('d', '1', 't').insert(0, 'hello 🌍');
  b.merge(a.changes());
  a.text('d', '1', 't').insert(6, '😀 ');
  b.text('d', '1', 't').insert(8, '!');
  b.text('d', '1', 't').delete(0, 1);
  a.merge(b.changes(a.heads()));
  b.merge(a.changes(b.heads()));
  const merged = a.text('d', '1', 't').toString();
  assert.equal(b.text('d', '1', 't').toString(), merged);
  assert.equal(merged, 'ello 😀 🌍!');
  a.close();
  b.close();
});

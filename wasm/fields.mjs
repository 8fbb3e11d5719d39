// Handles on one field of a store (store.text(...), store.list(...) and so on): plain JS
// objects holding the store and the field's path, so they own no WebAssembly memory; each
// call reads or edits the store as it is then.
import { checkIndex, checkPath, checkString, pushName, pushPath } from './args.mjs';
import { check, ErrorCode } from './errors.mjs';
import { alloc, frame, pushUtf8, readCString, readU32, readUtf8 } from './heap.mjs';
import { wasm } from './loader.mjs';
import { fromInt64, pushValue, readValue, toInt64, valueSlot } from './values.mjs';

/** The store's C pointer, for this module and store.mjs only; throws once it is closed. */
export const storePointer = Symbol('hypha.storePointer');
/** store[edited]() after an edit or a merge: the store tells its sync sessions (store.mjs). */
export const edited = Symbol('hypha.edited');

/** Runs fn(store, collection, key, field), the C pointers, in a new frame; path: checkPath's. */
export function onField(store, path, where, fn) {
  return frame(() => {
    const s = store[storePointer](where);
    return fn(s, ...pushPath(path, where));
  });
}

/** onField for an edit, which commits unless a transaction is open: the store's sync
 * sessions hear of it, so that they send it. */
export function editField(store, path, where, fn) {
  const result = onField(store, path, where, fn);
  store[edited]();
  return result;
}

/** Calls a C function that writes a size_t through its last argument; that size. */
function sizeOf(where, fn, detail) {
  const out = alloc(4, where);
  check(fn(out), where, detail);
  return readU32(out);
}

/** The code point position of a UTF-16 offset in a text. */
function codePointAt(where, s, c, k, f, utf16) {
  return sizeOf(where, (out) => wasm._hy_text_pos_from_utf16(s, c, k, f, utf16, out),
                `no UTF-16 offset ${utf16} in the text (past its end, inside a surrogate pair), ` +
                'or the field is not text');
}

/** What a C read of one value (hy_get, hy_list_get, hy_map_get) wrote through its last
 * argument, as a JS value; undefined when the core says NOT_FOUND. */
export function valueOf(where, fn) {
  const out = valueSlot(where);
  const err = fn(out);
  if (err === ErrorCode.NOT_FOUND) return undefined;
  check(err, where);
  return readValue(out);
}

/** count values read by fn(i, out) (hy_set_item and the like) as JS values. */
export function valuesOf(where, count, fn) {
  const out = valueSlot(where);
  return Array.from({ length: count >>> 0 }, (_, i) => {
    check(fn(i, out), where);
    return readValue(out);
  });
}

/** true when fn's C result is HY_OK, false for NOT_FOUND (nothing to delete). */
export function deleted(where, err) {
  if (err === ErrorCode.NOT_FOUND) return false;
  check(err, where);
  return true;
}

const onThisField = Symbol('onThisField');
const editThisField = Symbol('editThisField');

class Field {
  #store;
  #path;

  constructor(store, where, collection, key, field) {
    this.#path = checkPath(where, collection, key, field);
    this.#store = store;
  }

  get collection() { return this.#path[0]; }
  get key() { return this.#path[1]; }
  get field() { return this.#path[2]; }

  /** onField on this handle's field; a symbol, so that it stays out of the public API. */
  [onThisField](where, fn) { return onField(this.#store, this.#path, where, fn); }
  [editThisField](where, fn) { return editField(this.#store, this.#path, where, fn); }
}

export class CounterField extends Field {
  constructor(store, collection, key, field) { super(store, 'counter', collection, key, field); }

  add(delta = 1) {
    const by = toInt64(delta, 'counter.add', 'delta');
    this[editThisField]('counter.add', (s, c, k, f) =>
      check(wasm._hy_counter_add(s, c, k, f, by), 'counter.add'));
  }

  /** 0 for a counter never written. */
  get value() {
    return this[onThisField]('counter.value', (s, c, k, f) => {
      const out = alloc(8, 'counter.value');
      const err = wasm._hy_counter_get(s, c, k, f, out);
      if (err === ErrorCode.NOT_FOUND) return 0;
      check(err, 'counter.value');
      return fromInt64(wasm.HEAP64[out >>> 3]);
    });
  }
}

/** Text indexes and lengths count UTF-16 code units, as JS strings do. */
export class TextField extends Field {
  constructor(store, collection, key, field) { super(store, 'text', collection, key, field); }

  insert(index, text) {
    checkIndex(index, 'text.insert');
    checkString(text, 'text.insert', 'text');
    this[editThisField]('text.insert', (s, c, k, f) => {
      const pos = codePointAt('text.insert', s, c, k, f, index);
      const [utf8, length] = pushUtf8(text, 'text.insert');
      check(wasm._hy_text_insert(s, c, k, f, pos, utf8, length), 'text.insert');
    });
  }

  delete(index, length = 1) {
    checkIndex(index, 'text.delete');
    checkIndex(length, 'text.delete', 'length');
    checkIndex(index + length, 'text.delete', 'index + length');
    this[editThisField]('text.delete', (s, c, k, f) => {
      const from = codePointAt('text.delete', s, c, k, f, index);
      const to = codePointAt('text.delete', s, c, k, f, index + length);
      check(wasm._hy_text_delete(s, c, k, f, from, to - from), 'text.delete');
    });
  }

  get length() {
    return this[onThisField]('text.length',
      (s, c, k, f) => sizeOf('text.length', (out) => wasm._hy_text_len_utf16(s, c, k, f, out)));
  }

  toString() {
    return this[onThisField]('text.toString', (s, c, k, f) => {
      const length = alloc(4, 'text.toString');
      const err = wasm._hy_text_read(s, c, k, f, 0, 0, length);
      if (err !== ErrorCode.TOO_LARGE) {
        check(err, 'text.toString');
        return '';
      }
      const bytes = readU32(length);
      const at = alloc(bytes, 'text.toString');
      check(wasm._hy_text_read(s, c, k, f, at, bytes, length), 'text.toString');
      return readUtf8(at, bytes);
    });
  }
}

/** List indexes count elements. */
export class ListField extends Field {
  constructor(store, collection, key, field) { super(store, 'list', collection, key, field); }

  insert(index, value) { this.#insert('list.insert', checkIndex(index, 'list.insert'), value); }

  push(value) { this.#insert('list.push', undefined, value); }

  #insert(where, index, value) {
    this[editThisField](where, (s, c, k, f) => {
      const at = index ?? sizeOf(where, (out) => wasm._hy_list_len(s, c, k, f, out));
      check(wasm._hy_list_insert(s, c, k, f, at, pushValue(value, where)), where);
    });
  }

  delete(index, count = 1) {
    checkIndex(index, 'list.delete');
    checkIndex(count, 'list.delete', 'count');
    this[editThisField]('list.delete', (s, c, k, f) =>
      check(wasm._hy_list_delete(s, c, k, f, index, count), 'list.delete'));
  }

  /** undefined when index is past the end, as for arrays. */
  get(index) {
    checkIndex(index, 'list.get');
    return this[onThisField]('list.get', (s, c, k, f) =>
      valueOf('list.get', (out) => wasm._hy_list_get(s, c, k, f, index, out)));
  }

  get length() {
    return this[onThisField]('list.length',
      (s, c, k, f) => sizeOf('list.length', (out) => wasm._hy_list_len(s, c, k, f, out)));
  }

  toArray() {
    return this[onThisField]('list.toArray', (s, c, k, f) => {
      const length = sizeOf('list.toArray', (out) => wasm._hy_list_len(s, c, k, f, out));
      return valuesOf('list.toArray', length, (i, out) => wasm._hy_list_get(s, c, k, f, i, out));
    });
  }
}

/** An add-wins set of values. */
export class SetField extends Field {
  constructor(store, collection, key, field) { super(store, 'set', collection, key, field); }

  add(value) {
    this[editThisField]('set.add', (s, c, k, f) =>
      check(wasm._hy_set_add(s, c, k, f, pushValue(value, 'set.add')), 'set.add'));
  }

  /** false when value was not in the set. */
  delete(value) {
    return this[editThisField]('set.delete', (s, c, k, f) =>
      deleted('set.delete', wasm._hy_set_delete(s, c, k, f, pushValue(value, 'set.delete'))));
  }

  has(value) {
    return this[onThisField]('set.has', (s, c, k, f) => {
      const present = alloc(4, 'set.has');
      check(wasm._hy_set_has(s, c, k, f, pushValue(value, 'set.has'), present), 'set.has');
      return readU32(present) !== 0;
    });
  }

  get size() {
    return this[onThisField]('set.size', (s, c, k, f) => wasm._hy_set_count(s, c, k, f) >>> 0);
  }

  /** Every value, in an order every replica agrees on. */
  values() {
    return this[onThisField]('set.values', (s, c, k, f) =>
      valuesOf('set.values', wasm._hy_set_count(s, c, k, f),
               (i, out) => wasm._hy_set_item(s, c, k, f, i, out)));
  }
}

/** A nested map: named entries, each a register. */
export class MapField extends Field {
  constructor(store, collection, key, field) { super(store, 'map', collection, key, field); }

  set(name, value) {
    this[editThisField]('map.set', (s, c, k, f) => {
      const entry = pushName(name, 'map.set', 'name');
      check(wasm._hy_map_put(s, c, k, f, entry, pushValue(value, 'map.set')), 'map.set');
    });
  }

  /** The entry's winning value; undefined when it is absent. */
  get(name) { return this.#get('map.get', name); }

  has(name) { return this.#get('map.has', name) !== undefined; }

  #get(where, name) {
    return this[onThisField](where, (s, c, k, f) => {
      const entry = pushName(name, where, 'name');
      return valueOf(where, (out) => wasm._hy_map_get(s, c, k, f, entry, out));
    });
  }

  /** false when the entry was absent. */
  delete(name) {
    return this[editThisField]('map.delete', (s, c, k, f) =>
      deleted('map.delete', wasm._hy_map_remove(s, c, k, f, pushName(name, 'map.delete', 'name'))));
  }

  /** Every current value of the entry, the winner first (more than one after concurrent
   * writes); empty when it is absent. */
  conflicts(name) {
    return this[onThisField]('map.conflicts', (s, c, k, f) => {
      const entry = pushName(name, 'map.conflicts', 'name');
      return valuesOf('map.conflicts', wasm._hy_map_get_conflicts(s, c, k, f, entry),
                      (i, out) => wasm._hy_map_get_conflict(s, c, k, f, entry, i, out));
    });
  }

  get size() {
    return this[onThisField]('map.size', (s, c, k, f) => wasm._hy_map_count(s, c, k, f) >>> 0);
  }

  /** The entries' names in byte order of their UTF-8, as every replica lists them. */
  keys() {
    return this[onThisField]('map.keys', (s, c, k, f) => {
      const name = alloc(4, 'map.keys');
      return Array.from({ length: wasm._hy_map_count(s, c, k, f) >>> 0 }, (_, i) => {
        check(wasm._hy_map_name(s, c, k, f, i, name), 'map.keys');
        return readCString(readU32(name));
      });
    });
  }

  /** The entries as a plain object of winning values. */
  toObject() {
    return Object.fromEntries(this.keys().map((name) => [name, this.get(name)]));
  }
}

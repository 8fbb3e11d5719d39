// Drives the WASI reactor (hypha.reactor.wasm) the way a host that is not JavaScript would:
// through its exports alone, placing strings and buffers in its memory with malloc.
// Usage: node --no-warnings reactor.mjs hypha.reactor.wasm include/hypha.h wasm/wasi/hypha_wasi.h
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { afterEach, test } from 'node:test';
import { WASI } from 'node:wasi';

const [wasmFile, ...headerFiles] = process.argv.slice(2);
const wasi = new WASI({ version: 'preview1', returnOnExit: true });
const module = await WebAssembly.compile(await readFile(wasmFile));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
wasi.initialize(instance);
const hy = instance.exports;

// hy_err and hy_type values, and the wasm32 layouts of docs/building.md.
const OK = 0, E_INVALID_ARG = 2, E_TOO_LARGE = 5, E_FORMAT = 6, E_NOT_FOUND = 14;
const TYPE_STRING = 4, PATCH_TEXT_INSERT = 4;
const CONFIG_SIZE = 28, VALUE_SIZE = 16, PATCH_SIZE = 64, HASH_LEN = 32;

// ---- memory: every block and store a test makes is freed after it ----

const encoder = new TextEncoder(), decoder = new TextDecoder();
let blocks = [], stores = [];
afterEach(() => {
  stores.forEach((store) => hy.hy_store_free(store));
  blocks.forEach((ptr) => hy.free(ptr));
  blocks = [];
  stores = [];
});

// Views are made afresh on each use: growing the memory detaches the old buffer.
const view = () => new DataView(hy.memory.buffer);
const bytesAt = (ptr, len) => new Uint8Array(hy.memory.buffer, ptr, len);
const u32At = (ptr) => view().getUint32(ptr, true);

function alloc(len) {
  const ptr = hy.malloc(len);
  assert.notEqual(ptr, 0, 'malloc failed');
  bytesAt(ptr, len).fill(0);
  blocks.push(ptr);
  return ptr;
}
function bytesIn(data) {
  const ptr = alloc(data.length);
  bytesAt(ptr, data.length).set(data);
  return ptr;
}
const cString = (s) => bytesIn(encoder.encode(s + '\0'));
function readCString(ptr) {
  const memory = new Uint8Array(hy.memory.buffer);
  return decoder.decode(memory.subarray(ptr, memory.indexOf(0, ptr)));
}
function check(err) {
  assert.equal(err, OK, `hy_err ${err}: ${readCString(hy.hy_err_str(err))}`);
}

// A JS function as an index into the module's function table, where the C API takes a
// function pointer. A table holds only wasm functions, so a tiny module imports the JS
// function and exports it again as one. Every parameter and result is an i32.
function tableIndex(fn, params, results) {
  const i32s = (n) => [n, ...Array(n).fill(0x7f)];
  const section = (id, body) => [id, body.length, ...body];
  const wrapper = new WebAssembly.Module(new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,              // magic, version 1
    ...section(1, [1, 0x60, ...i32s(params), ...i32s(results)]), // one function type
    ...section(2, [1, 1, 0x6d, 1, 0x66, 0x00, 0x00]),            // import m.f of that type
    ...section(7, [1, 1, 0x66, 0x00, 0x00]),                     // export it as f
  ]));
  const table = hy.__indirect_function_table;
  const index = table.grow(1);
  table.set(index, new WebAssembly.Instance(wrapper, { m: { f: fn } }).exports.f);
  return index;
}

// ---- the store through the C API ----

// hy_store_config with the WASI platform, and an allocator function when given.
function config(allocFn = 0) {
  const cfg = alloc(CONFIG_SIZE);
  view().setUint32(cfg, allocFn, true);
  view().setUint32(cfg + 8, hy.hy_platform_wasi(), true);
  return cfg;
}
function newStore(cfg = config()) {
  const out = alloc(4);
  check(hy.hy_store_new(cfg, out));
  stores.push(u32At(out));
  return u32At(out);
}
// The collection, key and field arguments of every edit here: record notes/n1.
const at = (field) => [cString('notes'), cString('n1'), cString(field)];

function putString(store, field, s) {
  const data = encoder.encode(s);
  const value = alloc(VALUE_SIZE);
  view().setUint32(value, TYPE_STRING, true);
  view().setUint32(value + 8, bytesIn(data), true);
  view().setUint32(value + 12, data.length, true);
  check(hy.hy_put(store, ...at(field), value));
}
function getString(store, field) {
  const value = alloc(VALUE_SIZE);
  check(hy.hy_get(store, ...at(field), value));
  assert.equal(u32At(value), TYPE_STRING);
  return decoder.decode(bytesAt(u32At(value + 8), u32At(value + 12)));
}
function counter(store, field) {
  const out = alloc(8);
  check(hy.hy_counter_get(store, ...at(field), out));
  return view().getBigInt64(out, true);
}
function insertText(store, field, pos, s) {
  const data = encoder.encode(s);
  check(hy.hy_text_insert(store, ...at(field), pos, bytesIn(data), data.length));
}
// Of a non-empty text: asks for the length (HY_E_TOO_LARGE with the size needed), then reads.
function readText(store, field) {
  const len = alloc(4);
  assert.equal(hy.hy_text_read(store, ...at(field), 0, 0, len), E_TOO_LARGE);
  const buf = alloc(u32At(len));
  check(hy.hy_text_read(store, ...at(field), buf, u32At(len), len));
  return decoder.decode(bytesAt(buf, u32At(len)));
}
function sizeOut(fn, store, field) {
  const out = alloc(4);
  check(fn(store, ...at(field), out));
  return u32At(out);
}

// Copies out a buffer the store returned through (uint8_t **out, size_t *len), then frees it.
function takeBuffer(store, call) {
  const out = alloc(4), len = alloc(4);
  check(call(out, len));
  const copy = bytesAt(u32At(out), u32At(len)).slice();
  hy.hy_store_buffer_free(store, u32At(out), u32At(len));
  return copy;
}
const save = (store) => takeBuffer(store, (out, len) => hy.hy_store_save(store, out, len));
// The store's heads: a pointer to them, how many, and as sorted hex for comparing.
function heads(store) {
  const cap = 16, ptr = alloc(cap * HASH_LEN), count = alloc(4);
  check(hy.hy_store_heads(store, ptr, cap, count));
  const hex = Buffer.from(bytesAt(ptr, u32At(count) * HASH_LEN)).toString('hex');
  return { ptr, count: u32At(count), hex: hex.match(/.{64}/g).sort() };
}
// The change batch holding what `from` has and `to` lacks.
function changesFor(from, to) {
  const { ptr, count } = heads(to);
  return takeBuffer(from, (out, len) => hy.hy_store_changes(from, ptr, count, out, len));
}
function merge(store, batch) {
  check(hy.hy_store_merge(store, bytesIn(batch), batch.length));
}
function load(bytes, cfg = config()) {
  const out = alloc(4), offset = alloc(4);
  const err = hy.hy_store_load(cfg, bytesIn(bytes), bytes.length, out, offset);
  if (err === OK) stores.push(u32At(out));
  return { err, store: u32At(out), offset: u32At(offset) };
}

// ---- tests ----

test('exports every HY_API function of the headers and needs only WASI clock and randomness', async () => {
  const headers = (await Promise.all(headerFiles.map((f) => readFile(f, 'utf8')))).join('\n');
  const declared = [...headers.matchAll(/^HY_API\b[^(]*?(\w+)\(/gm)].map((m) => m[1]);
  // Every HY_API that is not its own #define opens a declaration the pattern above read.
  assert.equal(declared.length, headers.match(/(?<!#define )\bHY_API\b/g).length);
  // Native only: it returns its vtable by value; hy_platform_wasi gives the same by pointer.
  const expected = declared.filter((name) => name !== 'hy_platform_posix').sort();
  const exports = WebAssembly.Module.exports(module).filter((e) => e.kind === 'function');
  const exported = exports.map((e) => e.name);
  assert.deepEqual(exported.filter((name) => name.startsWith('hy_')).sort(), expected);
  assert.ok(['malloc', 'free', '_initialize'].every((name) => exported.includes(name)));
  assert.ok(!exported.includes('_start'), 'a reactor has no _start');
  assert.deepEqual(WebAssembly.Module.imports(module).map((i) => `${i.module}.${i.name}`).sort(),
                   ['wasi_snapshot_preview1.clock_time_get', 'wasi_snapshot_preview1.random_get']);
});

test('a register, text with an emoji and a counter read back', () => {
  const a = newStore(), b = newStore();
  // Fresh actor keys come from WASI random_get: two stores must differ.
  assert.notDeepEqual(bytesAt(hy.hy_store_actor(a), 32), bytesAt(hy.hy_store_actor(b), 32));
  putString(a, 'title', 'Grüße');
  assert.equal(getString(a, 'title'), 'Grüße');
  insertText(a, 'body', 0, 'Hi 🌍!');
  insertText(a, 'body', 2, ' there');
  assert.equal(readText(a, 'body'), 'Hi there 🌍!');
  assert.equal(sizeOut(hy.hy_text_len, a, 'body'), 11);
  assert.equal(sizeOut(hy.hy_text_len_utf16, a, 'body'), 12);
  check(hy.hy_counter_add(a, ...at('votes'), 2n));
  check(hy.hy_counter_add(a, ...at('votes'), -5n));
  assert.equal(counter(a, 'votes'), -3n);
});

test('a saved store loads into a second one with the same values', () => {
  const a = newStore();
  putString(a, 'title', 'Grüße');
  insertText(a, 'body', 0, 'Hi 🌍!');
  check(hy.hy_counter_add(a, ...at('votes'), 7n));
  const { err, store: b } = load(save(a));
  check(err);
  assert.equal(getString(b, 'title'), 'Grüße');
  assert.equal(readText(b, 'body'), 'Hi 🌍!');
  assert.equal(counter(b, 'votes'), 7n);
});

test('concurrent edits merge both ways, and subscribers see remote text', () => {
  const a = newStore(), b = newStore();
  insertText(a, 'body', 0, 'abc');
  check(hy.hy_counter_add(a, ...at('votes'), 1n));
  putString(b, 'title', 'from b');
  check(hy.hy_counter_add(b, ...at('votes'), 2n));

  const seen = [];
  const subscriber = tableIndex((user, patches, count) => {
    for (let p = patches; p < patches + count * PATCH_SIZE; p += PATCH_SIZE) {
      seen.push({ kind: u32At(p), index: u32At(p + 40), count: u32At(p + 44),
                  text: decoder.decode(bytesAt(u32At(p + 48), u32At(p + 52)).slice()) });
    }
  }, 3, 0);
  const id = alloc(4);
  check(hy.hy_subscribe(b, 0, 0, cString('body'), subscriber, 0, id));

  const toB = changesFor(a, b), toA = changesFor(b, a);
  merge(b, toB);
  merge(a, toA);
  for (const store of [a, b]) {
    assert.equal(readText(store, 'body'), 'abc');
    assert.equal(getString(store, 'title'), 'from b');
    assert.equal(counter(store, 'votes'), 3n);
  }
  assert.deepEqual(seen, [{ kind: PATCH_TEXT_INSERT, index: 0, count: 3, text: 'abc' }]);
  check(hy.hy_unsubscribe(b, u32At(id)));
  assert.equal(hy.hy_unsubscribe(b, u32At(id)), E_NOT_FOUND);
  assert.deepEqual(heads(a).hex, heads(b).hex);
});

test('bad arguments and bad bytes return error codes, not traps', () => {
  const a = newStore();
  insertText(a, 'body', 0, 'Hi 🌍!');
  assert.equal(hy.hy_text_delete(a, ...at('body'), 3, 10), E_INVALID_ARG);
  assert.equal(readText(a, 'body'), 'Hi 🌍!');
  assert.equal(hy.hy_get(a, ...at('missing'), alloc(VALUE_SIZE)), E_NOT_FOUND);

  const garbage = load(new Uint8Array(64).fill(0xab));
  assert.equal(garbage.err, E_FORMAT);
  assert.equal(garbage.offset, 0);
  const saved = save(a);
  assert.notEqual(load(saved.subarray(0, saved.length - 1)).err, OK);
  assert.notEqual(hy.hy_store_merge(a, bytesIn(saved), saved.length), OK);
  assert.ok(readCString(hy.hy_err_str(9999)).length > 0);
});

test('1,000 failing calls leak nothing and do not grow the heap', () => {
  // An allocator that counts the bytes it has out, so that a leak of any size shows.
  let live = 0;
  const counting = tableIndex((user, ptr, oldSize, newSize) => {
    const fresh = newSize ? hy.malloc(newSize) : 0;
    if (newSize && !fresh) return 0;
    if (ptr) {
      bytesAt(fresh, Math.min(oldSize, newSize)).set(bytesAt(ptr, Math.min(oldSize, newSize)));
      hy.free(ptr);
    }
    live += newSize - oldSize;
    return fresh;
  }, 4, 1);
  const cfg = config(counting);
  const a = newStore(cfg);
  insertText(a, 'body', 0, 'Hi 🌍! '.repeat(50));
  const saved = save(a), truncated = bytesIn(saved.subarray(0, saved.length >> 1));
  const out = alloc(4), offset = alloc(4), body = at('body');
  const fail = () => {
    assert.notEqual(hy.hy_store_load(cfg, truncated, saved.length >> 1, out, offset), OK);
    assert.notEqual(hy.hy_store_merge(a, truncated, saved.length >> 1), OK);
    assert.equal(hy.hy_text_delete(a, ...body, 400, 1), E_INVALID_ARG);
  };
  fail(); // the first round may grow the heap to its working size
  const [liveBefore, pagesBefore] = [live, hy.memory.buffer.byteLength];
  for (let i = 0; i < 1000; i++) fail();
  assert.equal(live, liveBefore);
  assert.equal(hy.memory.buffer.byteLength, pagesBefore);
});

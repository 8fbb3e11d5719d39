// Subscription patches: the core's hy_patch array, read into plain objects while the delivery
// lasts (the names and values it points at are valid only then).
import { readCString, readU32, readUtf8 } from './heap.mjs';
import { wasm } from './loader.mjs';
import { fromInt64, readValue } from './values.mjs';

// hy_patch's layout in wasm32 (pinned by js_exports.c), and hy_patch_kind's values as names.
const PATCH_SIZE = 64;
const COLLECTION = 4, KEY = 8, FIELD = 12, VALUE = 16, DELTA = 32, INDEX = 40, COUNT = 44,
  TEXT = 48, TEXT_LEN = 52, NAME = 56, INDEX_UTF16 = 60;
const kinds = [undefined, 'put', 'remove', 'counter-add', 'text-insert', 'text-delete',
  'set-add', 'set-delete', 'list-insert', 'list-delete', 'map-set', 'map-delete'];

/** The patches at `at` (count of them). */
export function readPatches(at, count) {
  return Array.from({ length: count }, (_, i) => readPatch(at + i * PATCH_SIZE));
}

function readPatch(at) {
  const word = (offset) => readU32(at + offset);
  const patch = {
    kind: kinds[word(0)],
    collection: readCString(word(COLLECTION)),
    key: readCString(word(KEY)),
    field: readCString(word(FIELD)),
  };
  switch (patch.kind) {
  case 'put': case 'set-add': case 'set-delete':
    patch.value = readValue(at + VALUE);
    break;
  case 'counter-add':
    patch.delta = fromInt64(wasm.HEAP64[(at + DELTA) >>> 3]);
    break;
  case 'text-insert':
    patch.index = word(INDEX_UTF16);
    patch.text = readUtf8(word(TEXT), word(TEXT_LEN));
    break;
  case 'text-delete':
    patch.index = word(INDEX_UTF16);
    patch.codePoints = word(COUNT);
    break;
  case 'list-insert':
    patch.index = word(INDEX);
    patch.value = readValue(at + VALUE);
    break;
  case 'list-delete':
    patch.index = word(INDEX);
    patch.count = word(COUNT);
    break;
  case 'map-set': case 'map-delete':
    patch.name = readCString(word(NAME));
    if (patch.kind === 'map-set') patch.value = readValue(at + VALUE);
    break;
  }
  return patch;
}

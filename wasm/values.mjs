// Values as registers, sets, lists and maps hold them (hy_value), and how JS values map to
// them. The core has int64 integers and doubles where JS has numbers: a number that is a safe
// integer (and not -0) is stored as an integer, any other number as a double; a bigint is an
// integer, and a Float64 is a double whatever its value. Integers read back as numbers when
// they are safe integers, as bigints otherwise; doubles read back as numbers.
import { checkString, show } from './args.mjs';
import { invalid } from './errors.mjs';
import { alloc, pushBytes, pushUtf8, readBytes, readUtf8 } from './heap.mjs';
import { wasm } from './loader.mjs';

// hy_type, and hy_value's layout in wasm32 (pinned by js_exports.c): the type, then the
// payload at 8: an int32 boolean, an int64, a double, or a (pointer, length) pair.
const NULL = 0, BOOL = 1, INT = 2, DOUBLE = 3, STRING = 4, BYTES = 5;
const VALUE_SIZE = 16, PAYLOAD = 8;

/** A number to store as a double even when it is an integer. */
export class Float64 {
  constructor(value) {
    if (typeof value !== 'number')
      invalid('new Float64', `value must be a number, got ${show(value)}`);
    this.value = value;
    Object.freeze(this);
  }
}

const INT64_MIN = -(2n ** 63n), INT64_MAX = 2n ** 63n - 1n;

/** A safe integer or an int64 bigint, as a bigint. */
export function toInt64(value, where, what) {
  if (Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === 'bigint' && value >= INT64_MIN && value <= INT64_MAX) return value;
  invalid(where,
          `${what} must be a safe integer or a bigint in the int64 range, got ${show(value)}`);
}

export const fromInt64 = (n) =>
  n >= Number.MIN_SAFE_INTEGER && n <= Number.MAX_SAFE_INTEGER ? Number(n) : n;

/** Writes value as a hy_value in the current frame; its pointer. */
export function pushValue(value, where) {
  let type, payload;
  if (value === null) type = NULL;
  else if (typeof value === 'boolean') [type, payload] = [BOOL, value ? 1 : 0];
  else if (typeof value === 'number' && Number.isSafeInteger(value) && !Object.is(value, -0))
    [type, payload] = [INT, BigInt(value)];
  else if (typeof value === 'number') [type, payload] = [DOUBLE, value];
  else if (value instanceof Float64) [type, payload] = [DOUBLE, value.value];
  else if (typeof value === 'bigint') [type, payload] = [INT, toInt64(value, where, 'value')];
  else if (typeof value === 'string')
    [type, payload] = [STRING, pushUtf8(checkString(value, where, 'value'), where)];
  else if (value instanceof Uint8Array)
    [type, payload] = [BYTES, [pushBytes(value, where), value.length]];
  else
    invalid(where, 'value must be null, a boolean, a number, a bigint, a string, a ' +
            `Uint8Array or a Float64, got ${show(value)}`);
  const at = alloc(VALUE_SIZE, where); // after the payload's blocks, which may grow the heap
  const word = (at + PAYLOAD) >>> 2;
  wasm.HEAP32[at >>> 2] = type;
  if (type === BOOL) wasm.HEAP32[word] = payload;
  else if (type === INT) wasm.HEAP64[word >>> 1] = payload;
  else if (type === DOUBLE) wasm.HEAPF64[word >>> 1] = payload;
  else if (type !== NULL) [wasm.HEAPU32[word], wasm.HEAPU32[word + 1]] = payload;
  return at;
}

/** Room for a hy_value the core fills in. */
export const valueSlot = (where) => alloc(VALUE_SIZE, where);

/** The hy_value at `at` as a JS value (strings and bytes copied out of the heap). */
export function readValue(at) {
  const word = (at + PAYLOAD) >>> 2;
  switch (wasm.HEAP32[at >>> 2]) {
  case BOOL: return wasm.HEAP32[word] !== 0;
  case INT: return fromInt64(wasm.HEAP64[word >>> 1]);
  case DOUBLE: return wasm.HEAPF64[word >>> 1];
  case STRING: return readUtf8(wasm.HEAPU32[word], wasm.HEAPU32[word + 1]);
  case BYTES: return readBytes(wasm.HEAPU32[word], wasm.HEAPU32[word + 1]);
  default: return null;
  }
}

// Checks the JS arguments of the API and shapes them as the C functions take them; anything
// else is an INVALID_ARG HyphaError before the call reaches WebAssembly.
import { invalid } from './errors.mjs';
import { pushUtf8 } from './heap.mjs';

const SIZE_MAX = 0xffffffff; // size_t in wasm32
const NAME_MAX = 255; // HY_NAME_MAX: checked here too, as the core's counts cannot report it
const nonAscii = /[^\0-\x7f]/;
const encoder = new TextEncoder();
const loneSurrogate = /\p{Cs}/u; // in a u-mode regexp only unpaired surrogates are code points

/** A short, safe description of any value for an error message. */
export function show(value) {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value === null || typeof value !== 'object' && typeof value !== 'function' &&
      typeof value !== 'symbol')
    return String(value);
  return `a value of type ${Array.isArray(value) ? 'array' : typeof value}`;
}

export function checkIndex(value, where, what = 'index') {
  if (Number.isInteger(value) && value >= 0 && value <= SIZE_MAX) return value;
  invalid(where, `${what} must be an integer from 0 to ${SIZE_MAX}, got ${show(value)}`);
}

/** A ledger's amount or credit limit: a safe integer from min (1 or 0) to 2^53 - 1
 * (HY_AMOUNT_MAX), as the int64 bigint the core takes. */
export function checkAmount(value, where, what, min) {
  if (Number.isSafeInteger(value) && value >= min) return BigInt(value);
  invalid(where, `${what} must be an integer from ${min} to ${Number.MAX_SAFE_INTEGER}, got ` +
          show(value));
}

/** A string TextEncoder can carry unchanged: well-formed UTF-16. */
export function checkString(value, where, what) {
  if (typeof value !== 'string') invalid(where, `${what} must be a string, got ${show(value)}`);
  if (loneSurrogate.test(value)) invalid(where, `${what} holds an unpaired surrogate`);
  return value;
}

export function checkBytes(value, where, what, length) {
  if (!(value instanceof Uint8Array))
    invalid(where, `${what} must be a Uint8Array, got ${show(value)}`);
  if (length !== undefined && value.length !== length)
    invalid(where, `${what} must be ${length} bytes, got ${value.length}`);
  return value;
}

export function checkFunction(value, where, what) {
  if (typeof value !== 'function') invalid(where, `${what} must be a function, got ${show(value)}`);
  return value;
}

/** A name (collection, key, field, map entry): without NUL (it would end the name early in
 * C) and at most NAME_MAX bytes of UTF-8. */
export function checkName(value, where, what) {
  if (checkString(value, where, what).includes('\0')) invalid(where, `${what} holds a NUL`);
  const bytes = nonAscii.test(value) ? encoder.encode(value).length : value.length;
  if (bytes > NAME_MAX) invalid(where, `${what} is ${bytes} bytes of UTF-8, over ${NAME_MAX}`);
  return value;
}

/** Copies a name into the frame as a C string; its pointer. */
export const pushName = (name, where, what) => pushUtf8(checkName(name, where, what), where)[0];

/** A field's address, checked: the names of its collection, key and field. */
export const checkPath = (where, collection, key, field) =>
  [checkName(collection, where, 'collection'), checkName(key, where, 'key'),
   checkName(field, where, 'field')];

/** Copies a path checkPath made into the frame: the C strings' pointers. */
export const pushPath = (path, where) => path.map((name) => pushUtf8(name, where)[0]);

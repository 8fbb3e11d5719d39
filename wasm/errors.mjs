// Every failure of the JS API, from the C core or from checking a JS argument, throws a
// HyphaError whose code is the C core's hy_err value (include/hypha.h).
import { wasm } from './loader.mjs';

/** hy_err's values: pinned, only ever appended. */
export const ErrorCode = Object.freeze({
  NOMEM: 1, INVALID_ARG: 2, TRUNCATED: 3, VARINT: 4, TOO_LARGE: 5, FORMAT: 6, VERSION: 7,
  HASH_MISMATCH: 8, BAD_SIGNATURE: 9, MISSING_DEPS: 10, QUEUE_FULL: 11, EQUIVOCATION: 12,
  CYCLE: 13, NOT_FOUND: 14, SEQ: 15, IO: 16, LIMIT: 17,
  FORBIDDEN: 18, PROTOCOL: 19, CLOSED: 20, INSUFFICIENT_ESCROW: 21,
});

const codeNames = Object.fromEntries(Object.entries(ErrorCode).map(([name, code]) => [code, name]));
const decoder = new TextDecoder();

/** The C core's description of a code (hy_err_str), never empty. */
function describe(code) {
  const at = wasm._hy_err_str(code);
  return decoder.decode(wasm.HEAPU8.subarray(at, wasm.HEAPU8.indexOf(0, at)));
}

export class HyphaError extends Error {
  /** where: the API call, as `text.insert`; detail: what was wrong, when more can be said. */
  constructor(code, where, detail) {
    super(`${where}: ${describe(code)}${detail ? `: ${detail}` : ''}`);
    this.name = 'HyphaError';
    this.code = code;
    this.codeName = codeNames[code] ?? 'UNKNOWN';
  }
}

/** Throws the HyphaError for a C result that is not HY_OK. */
export function check(err, where, detail) {
  if (err !== 0) throw new HyphaError(err, where, detail);
}

/** Throws the HyphaError of input that went bad at byte `offset` (Store.load, storeId). */
export function checkAt(err, where, offset) {
  if (err === 0) return;
  const error = new HyphaError(err, where, `at byte ${offset}`);
  error.offset = offset;
  throw error;
}

/** Throws an INVALID_ARG HyphaError for a JS argument the API cannot take. */
export function invalid(where, detail) {
  throw new HyphaError(ErrorCode.INVALID_ARG, where, detail);
}

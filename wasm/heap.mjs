// The WASM heap as the JS API uses it. A call's arguments live in a frame on the C stack
// (large ones in malloc'd blocks owned by the frame), and the frame ends when the call returns
// or throws, so no call leaves memory behind; results are copied out before that.
import { ErrorCode, HyphaError } from './errors.mjs';
import { wasm } from './loader.mjs';

// Larger blocks come from malloc: the C stack (5 MB) is the core's too.
const STACK_BLOCK_MAX = 4096;
const frameBlocks = []; // malloc'd blocks of the frames open now, innermost last
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Runs fn in a new frame: what alloc gives during fn is freed when fn returns or throws.
 * Frames nest, also through a subscription callback that runs inside a C call. */
export function frame(fn) {
  const stack = wasm.stackSave();
  const blocks = frameBlocks.length;
  try {
    return fn();
  } finally {
    while (frameBlocks.length > blocks) wasm._free(frameBlocks.pop());
    wasm.stackRestore(stack);
  }
}

/** size bytes (8-aligned) in the current frame. May grow the heap: take views after it. */
export function alloc(size, where) {
  if (size <= STACK_BLOCK_MAX) return wasm.stackAlloc(size);
  const block = wasm._malloc(size);
  if (!block) throw new HyphaError(ErrorCode.NOMEM, where);
  frameBlocks.push(block);
  return block;
}

// Strings up to this long are copied in JS when they are ASCII, as names and keystrokes
// mostly are: a call of TextEncoder costs more than such a loop.
const ASCII_LOOP_MAX = 64;

/** Copies a (well-formed) string into the frame as NUL-terminated UTF-8: [pointer, bytes]. */
export function pushUtf8(string, where) {
  const cap = string.length * 3 + 1;
  const at = alloc(cap, where);
  const heap = wasm.HEAPU8;
  let written = 0;
  if (string.length <= ASCII_LOOP_MAX)
    for (let unit; written < string.length && (unit = string.charCodeAt(written)) < 0x80; written++)
      heap[at + written] = unit;
  if (written < string.length)
    written = encoder.encodeInto(string, heap.subarray(at, at + cap)).written;
  heap[at + written] = 0;
  return [at, written];
}

export function pushBytes(bytes, where) {
  const at = alloc(bytes.length, where);
  wasm.HEAPU8.set(bytes, at);
  return at;
}

export const readUtf8 = (at, length) => decoder.decode(wasm.HEAPU8.subarray(at, at + length));
export const readCString = (at) => readUtf8(at, wasm.HEAPU8.indexOf(0, at) - at);
export const readBytes = (at, length) => wasm.HEAPU8.slice(at, at + length);
export const readU32 = (at) => wasm.HEAPU32[at >>> 2];

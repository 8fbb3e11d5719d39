// What the JS API's tests share: the package under test (HYPHA_PKG, which ctest sets, or the
// wasm preset's build/wasm/pkg), an assertion for HyphaErrors, and a seeded random source.
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const pkgDir = resolve(process.env.HYPHA_PKG ??
  fileURLToPath(new URL('../../build/wasm/pkg', import.meta.url)));
// The package's two entry points as one namespace: the store (index.mjs) and hypha/sync.
export const hypha = { ...await import(pathToFileURL(join(pkgDir, 'index.mjs')).href),
                       ...await import(pathToFileURL(join(pkgDir, 'sync.mjs')).href) };
const { HyphaError } = hypha;

/** Asserts that fn throws a HyphaError with this code (and a message matching pattern). */
export function throwsHypha(fn, code, pattern, label = '') {
  assert.throws(fn, (error) => {
    assert.ok(error instanceof HyphaError, `${label} expected a HyphaError, got ${error?.stack ?? error}`);
    assert.equal(error.code, code, `${label} ${error.message}`);
    assert.equal(error.name, 'HyphaError');
    if (pattern) assert.match(error.message, pattern);
    return true;
  });
}

/** A small seeded PRNG (mulberry32): failures repeat; the seed is in the test's name. */
export function random(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    below: (n) => Math.floor(next() * n),
    bytes: (n) => Uint8Array.from({ length: n }, () => Math.floor(next() * 256)),
    pick: (items) => items[Math.floor(next() * items.length)],
  };
}

/** A fixed 32-byte actor seed whose bytes all equal n. */
export const seedOf = (n) => new Uint8Array(32).fill(n);

// This browser's identity, asked for as this module is evaluated: app.mjs imports it before the
// browser module, whose evaluation waits for the WebAssembly module, so the Web Lock and
// localStorage are dealt with while the module downloads and compiles (measured: 20-90 ms of a
// first load that no longer wait).
import { fromHex, hex } from './hex.mjs';

/**
 * The seed of this browser's ledger account, kept in localStorage, or null when another tab
 * holds it. One tab at a time writes as the identity (a Web Lock held while the tab lives),
 * because two tabs writing as one actor would fork its history: an equivocation.
 */
async function identity() {
  const held = await new Promise((resolve) => {
    navigator.locks.request('hypha-demo:identity', { ifAvailable: true }, (lock) => {
      resolve(lock !== null);
      return lock && new Promise(() => {}); // held until the tab goes away
    });
  });
  if (!held) return null;
  const saved = localStorage.getItem('hypha-demo:identity');
  if (saved) return fromHex(saved);
  const seed = crypto.getRandomValues(new Uint8Array(32));
  localStorage.setItem('hypha-demo:identity', hex(seed));
  return seed;
}

/** A promise of identity()'s result. */
export const seed = identity();

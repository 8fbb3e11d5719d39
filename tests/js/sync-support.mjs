// What the transports' tests share: waiting for stores to converge, and closing what a test
// opened whether it passed or failed (an open channel or socket would keep node running).
import assert from 'node:assert/strict';

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export const headsOf = (store) =>
  store.heads().map((head) => Buffer.from(head).toString('hex')).sort().join();

/** Waits until every store has the same heads, so the same changes. */
export async function converged(stores, what = 'the stores') {
  for (const started = Date.now(); Date.now() - started < 5000; await sleep(5))
    if (stores.every((store) => headsOf(store) === headsOf(stores[0]))) return;
  assert.fail(`${what} did not converge in 5 s`);
}

/** Closes these (channels, transports, stores) when the test ends. */
export const closeAfter = (t, ...things) =>
  t.after(() => things.forEach((thing) => thing.close()));

/** Collects a transport's error events in transport.errors. */
export function collectErrors(transport) {
  const errors = [];
  transport.addEventListener('error', ({ error }) => errors.push(error));
  return Object.assign(transport, { errors });
}

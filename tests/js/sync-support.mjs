// What the transports' tests share: waiting for stores to converge, and closing what a test
// opened whether it passed or failed (an open channel or socket would keep node running).
import assert from 'node:assert/strict';

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export const hex = (bytes) => Buffer.from(bytes).toString('hex');

export const headsOf = (store) => store.heads().map(hex).sort().join();

/** Waits until predicate() holds, polling. */
export async function until(predicate, what) {
  for (const started = Date.now(); Date.now() - started < 5000; await sleep(5))
    if (predicate()) return;
  assert.fail(`not after 5 s: ${what}`);
}

/** Waits until every store has the same heads, so the same changes. */
export const converged = (stores, what = 'the stores') =>
  until(() => stores.every((store) => headsOf(store) === headsOf(stores[0])), `${what} converge`);

/** A sync frame (docs/protocol.md, "Frames"): its type, its payload's length (a varint), the
 * payload. */
function syncFrame(type, payload) {
  const length = [];
  for (let n = payload.length; n > 0x7f; n >>>= 7) length.push(0x80 | (n & 0x7f));
  length.push(payload.length >>> (7 * length.length));
  return new Uint8Array([type, ...length, ...payload]);
}

/** A CHANGES frame carrying a whole change batch of at most 64 KiB: what an honest peer
 * sends, for tests that play a dishonest one. */
export const changesFrame = (batch) =>
  syncFrame(4, [1, 1, 0, ...batch]); // the last part (part 0) of batch number 1

/** An ERROR frame: the code (below 128, so one varint byte) and a message, for tests that
 * play a peer ending the session. */
export const errorFrame = (code, message) =>
  syncFrame(6, [code, ...new TextEncoder().encode(message)]);

/** Closes these (channels, transports, stores) when the test ends. */
export const closeAfter = (t, ...things) =>
  t.after(() => things.forEach((thing) => thing.close()));

/** Collects a transport's error events in transport.errors. */
export function collectErrors(transport) {
  const errors = [];
  transport.addEventListener('error', ({ error }) => errors.push(error));
  return Object.assign(transport, { errors });
}

/** Collects a WebSocket transport's statuses, from the one it has now, in transport.statuses. */
export function collectStatuses(transport) {
  const statuses = [transport.status];
  transport.addEventListener('status', ({ status }) => statuses.push(status));
  return Object.assign(transport, { statuses });
}

/** How many connections a transport of collectStatuses set out to make. */
export const connectionAttempts = ({ statuses }) =>
  statuses.filter((status) => status === 'connecting').length;

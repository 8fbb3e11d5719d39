// The events the persistence and the transports dispatch: plain Events carrying their detail
// as a property (node 20 has no ErrorEvent, and a CustomEvent's `detail` reads worse).
export const errorEvent = (error) => Object.assign(new Event('error'), { error });
export const statusEvent = (status) => Object.assign(new Event('status'), { status });

/** A message a transport cannot use (not an envelope, a text WebSocket message). */
export class TransportError extends Error {
  static { this.prototype.name = 'TransportError'; } // where the built-in errors have theirs
}

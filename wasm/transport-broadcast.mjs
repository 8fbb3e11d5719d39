// Tabs (and workers) of one origin keep one store in step over a BroadcastChannel, with the
// provisional change broadcast (change-broadcast.mjs).
import { ChangeBroadcast } from './change-broadcast.mjs';
import { TransportError } from './change-messages.mjs';
import { errorEvent } from './events.mjs';

/**
 * Joins the BroadcastChannel of `name` (channel `hypha:NAME`) at once. Dispatches `error`
 * events (event.error) for messages it cannot use; it carries on after them.
 */
export class BroadcastChannelTransport extends EventTarget {
  #name;
  #channel;
  #broadcast;

  constructor(store, name) {
    super();
    if (typeof name !== 'string' || name === '')
      throw new TypeError('BroadcastChannelTransport: name must be a non-empty string');
    if (typeof BroadcastChannel !== 'function')
      throw new TypeError('BroadcastChannelTransport: BroadcastChannel is not available here');
    const report = (error) => this.dispatchEvent(errorEvent(error));
    this.#broadcast = new ChangeBroadcast(store, (bytes) => this.#channel.postMessage(bytes),
                                          report);
    this.#name = name;
    this.#channel = new BroadcastChannel(`hypha:${name}`);
    this.#channel.onmessage = ({ data }) => {
      if (data instanceof Uint8Array) this.#broadcast.receive(data);
      else report(new TransportError('a message that is not a Uint8Array'));
    };
    this.#channel.onmessageerror = () =>
      report(new TransportError('a message that cannot be read'));
    this.#broadcast.linked();
  }

  get name() { return this.#name; }

  /** Leaves the channel and stops following the store. Closing again does nothing. */
  close() {
    this.#broadcast.close();
    this.#channel.close();
  }
}

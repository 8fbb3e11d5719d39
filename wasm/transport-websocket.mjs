// A store kept in step with a node over a WebSocket (issue 5's node; until then any server
// that relays binary frames between the clients of one store), with the provisional change
// broadcast (change-broadcast.mjs) in binary frames. It reconnects with backoff after a drop,
// and goes offline (closed, not reconnecting) when the app says so.
import { ChangeBroadcast } from './change-broadcast.mjs';
import { TransportError } from './change-messages.mjs';
import { errorEvent, statusEvent } from './events.mjs';

function checkDelay(value, name) {
  if (typeof value !== 'number' || !(value >= 0) || value === Infinity)
    throw new RangeError(`WebSocketTransport: ${name} must be a finite number of ms, got ${value}`);
}

/**
 * Connects to `url` (ws: or wss:) unless options.connect is false. `status` is 'connecting',
 * 'connected', 'disconnected' (a reconnect is due) or 'offline' (disconnect() or close());
 * each change dispatches a `status` event (event.status). `error` events (event.error) tell of
 * messages it cannot use and of sockets that cannot be made; it carries on after them.
 * options.WebSocket: the WebSocket class (default: the global one; in node 20, the ws
 * package's); options.minReconnectDelay, maxReconnectDelay: the backoff's bounds in ms.
 */
export class WebSocketTransport extends EventTarget {
  #url;
  #WebSocket;
  #minDelay;
  #maxDelay;
  #broadcast;
  #socket = null;
  #reconnectTimer = null;
  #failures = 0; // connections that failed or dropped since the last that opened
  #status = 'offline';
  #online = false;
  #closed = false;

  constructor(store, url, options = {}) {
    super();
    const { WebSocket = globalThis.WebSocket, connect = true, minReconnectDelay = 250,
            maxReconnectDelay = 10_000 } = options;
    if (typeof WebSocket !== 'function')
      throw new TypeError('WebSocketTransport: no WebSocket class here: pass options.WebSocket');
    checkDelay(minReconnectDelay, 'minReconnectDelay');
    checkDelay(maxReconnectDelay, 'maxReconnectDelay');
    if (maxReconnectDelay < minReconnectDelay)
      throw new RangeError('WebSocketTransport: maxReconnectDelay is below minReconnectDelay');
    const parsed = new URL(url);
    if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:')
      throw new TypeError(`WebSocketTransport: a ws: or wss: URL, got ${parsed.protocol}`);
    this.#url = parsed.href;
    this.#WebSocket = WebSocket;
    this.#minDelay = minReconnectDelay;
    this.#maxDelay = maxReconnectDelay;
    this.#broadcast = new ChangeBroadcast(store, (bytes) => this.#socket.send(bytes),
                                          (error) => this.#report(error));
    if (connect) this.connect();
  }

  get url() { return this.#url; }
  get status() { return this.#status; }

  /** Goes online: connects now, and again after every drop. */
  connect() {
    if (this.#closed) throw new TypeError('WebSocketTransport: closed');
    if (this.#online) return;
    this.#online = true;
    this.#failures = 0;
    this.#open();
  }

  /** Goes offline: closes the socket and stops reconnecting until connect(). Commits made
   * meanwhile go out when it is back. */
  disconnect() {
    this.#online = false;
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = null;
    const socket = this.#socket;
    if (socket) {
      this.#socket = null;
      this.#broadcast.unlinked();
      socket.onopen = socket.onmessage = socket.onclose = null;
      socket.close();
    }
    this.#setStatus('offline');
  }

  /** Disconnects for good and stops following the store. */
  close() {
    this.disconnect();
    this.#broadcast.close();
    this.#closed = true;
  }

  #open() {
    this.#setStatus('connecting');
    let socket;
    try {
      socket = new this.#WebSocket(this.#url);
    } catch (error) {
      this.#report(error);
      this.#reconnectLater();
      return;
    }
    this.#socket = socket;
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => {
      this.#failures = 0;
      this.#setStatus('connected');
      this.#broadcast.linked();
    };
    socket.onmessage = ({ data }) => {
      if (typeof data === 'string')
        this.#report(new TransportError('a text frame: binary frames only'));
      else this.#broadcast.receive(new Uint8Array(data));
    };
    socket.onclose = () => {
      this.#socket = null;
      this.#broadcast.unlinked();
      this.#reconnectLater();
    };
    // A close event follows every error; ws (node) throws an error nobody listens to.
    socket.onerror = () => {};
  }

  /** Exponential backoff from minReconnectDelay, capped at maxReconnectDelay; each delay is
   * drawn from its upper half, so clients dropped together do not all come back at once. */
  #reconnectLater() {
    this.#setStatus('disconnected');
    const ceiling = Math.min(this.#maxDelay, this.#minDelay * 2 ** this.#failures++);
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = null;
      this.#open();
    }, delay);
  }

  #setStatus(status) {
    if (status === this.#status) return;
    this.#status = status;
    this.dispatchEvent(statusEvent(status));
  }

  #report(error) { this.dispatchEvent(errorEvent(error)); }
}

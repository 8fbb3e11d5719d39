// A store kept in step with a hypha node over a WebSocket: one sync session (docs/protocol.md)
// per connection, each frame in one binary message, on the node's sync path (URL/sync) with
// the subprotocol hypha-sync-1. It reconnects with backoff after a drop, with a fresh session;
// it stops when a session ends in a refusal that a new connection would only repeat, and goes
// offline (closed, not reconnecting) when the app says so.
import { errorEvent, statusEvent, TransportError } from './events.mjs';
import { ErrorCode } from './index.mjs';
import { checkSessionOptions, randomSeed, SyncSession } from './session.mjs';

const SUBPROTOCOL = 'hypha-sync-1';
const TICK_MS = 1000; // how often a session re-announces what the peer has not confirmed

// The codes with which a handshake refuses a session (docs/protocol.md, HELLO and AUTH): the
// store asked for is not held (NOT_FOUND), a node key may not read it (FORBIDDEN), the ends do
// not speak one protocol (VERSION, PROTOCOL), a node key's proof fails (BAD_SIGNATURE). Each
// is about what this transport is and asks for, which every connection repeats, so retrying
// cannot help (FORBIDDEN and BAD_SIGNATURE for a change are as lasting: the store keeps the
// change and would send it again). The other codes keep the backoff: a node short of memory
// or disk, or at a limit, recovers.
const REFUSALS = new Set([ErrorCode.NOT_FOUND, ErrorCode.FORBIDDEN, ErrorCode.VERSION,
                          ErrorCode.PROTOCOL, ErrorCode.BAD_SIGNATURE]);

function checkDelay(value, name) {
  if (typeof value !== 'number' || !(value >= 0) || value === Infinity)
    throw new RangeError(`WebSocketTransport: ${name} must be a finite number of ms, got ${value}`);
}

/** The sync URL of a node's base URL, as the node's own dialer makes it: ws://h:p/base is
 * served at ws://h:p/base/sync. */
function syncUrl(base) {
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/sync`;
  return url.href;
}

/**
 * Connects to the node at `url` (ws: or wss:) unless options.connect is false. `status` is
 * 'connecting', 'connected', 'disconnected' (a reconnect is due), 'refused' (a session ended
 * in a refusal that retrying cannot lift: no reconnect until connect()) or 'offline'
 * (disconnect() or close()); each change dispatches a `status` event (event.status). `error`
 * events (event.error) tell of messages it cannot use, sessions that ended in an error and
 * sockets that cannot be made; it carries on after them except after a refusal. options: the
 * session's (genesis, nodeSeed, maxFrame: SyncSession), WebSocket (the class; default the
 * global one, in node 20 the ws package's), minReconnectDelay and maxReconnectDelay (the
 * backoff's bounds in ms).
 */
export class WebSocketTransport extends EventTarget {
  #url;
  #syncUrl;
  #store;
  #sessionOptions;
  #WebSocket;
  #minDelay;
  #maxDelay;
  #socket = null;
  #session = null;
  #ticker = null;
  #reconnectTimer = null;
  #failures = 0; // connections that failed or dropped since the last that opened
  #status = 'offline';
  #online = false;
  #closed = false;

  constructor(store, url, options = {}) {
    super();
    const { WebSocket = globalThis.WebSocket, connect = true, minReconnectDelay = 250,
            maxReconnectDelay = 10_000, genesis, nodeSeed = randomSeed(), maxFrame } = options;
    if (typeof WebSocket !== 'function')
      throw new TypeError('WebSocketTransport: no WebSocket class here: pass options.WebSocket');
    checkDelay(minReconnectDelay, 'minReconnectDelay');
    checkDelay(maxReconnectDelay, 'maxReconnectDelay');
    if (maxReconnectDelay < minReconnectDelay)
      throw new RangeError('WebSocketTransport: maxReconnectDelay is below minReconnectDelay');
    const parsed = new URL(url);
    if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:')
      throw new TypeError(`WebSocketTransport: a ws: or wss: URL, got ${parsed.protocol}`);
    // One node key for every connection, so that the node sees the same peer come back.
    this.#sessionOptions = { genesis, nodeSeed, maxFrame };
    checkSessionOptions(store, this.#sessionOptions, 'WebSocketTransport');
    this.#store = store;
    this.#url = parsed.href;
    this.#syncUrl = syncUrl(parsed);
    this.#WebSocket = WebSocket;
    this.#minDelay = minReconnectDelay;
    this.#maxDelay = maxReconnectDelay;
    if (connect) this.connect();
  }

  /** The node's URL as given; the socket opens at its sync path, URL/sync. */
  get url() { return this.#url; }
  get status() { return this.#status; }
  /** Whether the node's last announcement names exactly this store's heads. */
  get inSync() { return this.#session?.inSync ?? false; }

  /** Goes online: connects now, and again after every drop except a refusal. From 'refused',
   * tries again (the node's policy or stores may have changed), with the backoff reset. */
  connect() {
    if (this.#closed) throw new TypeError('WebSocketTransport: closed');
    if (this.#online) return;
    this.#online = true;
    this.#failures = 0;
    this.#open();
  }

  /** Goes offline: closes the socket and stops reconnecting until connect(). Commits made
   * meanwhile go out when it is back. */
  disconnect() { this.#stop('offline'); }

  /** Disconnects for good. */
  close() {
    this.disconnect();
    this.#closed = true;
  }

  #open() {
    if (this.#store.closed) {
      this.close();
      return;
    }
    this.#setStatus('connecting');
    let socket;
    try {
      socket = new this.#WebSocket(this.#syncUrl, SUBPROTOCOL);
    } catch (error) {
      this.#report(error);
      this.#reconnectLater();
      return;
    }
    this.#socket = socket;
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => {
      if (this.#store.closed) return this.close();
      this.#failures = 0;
      this.#setStatus('connected');
      this.#session = new SyncSession(this.#store, { ...this.#sessionOptions,
                                                     send: (frame) => socket.send(frame) });
      this.#ticker = setInterval(() => this.#alive() && this.#session.tick(), TICK_MS);
    };
    socket.onmessage = ({ data }) => {
      if (!this.#alive()) return;
      if (typeof data === 'string') {
        this.#report(new TransportError('a text message: sync messages are binary'));
        return;
      }
      this.#session.receive(new Uint8Array(data));
      if (this.#session.state === 'closed') {
        // Its ERROR frame is sent; the node drops the connection too. Reconnect later, unless
        // a new session would be refused the same. The error goes first, so that the app
        // knows why by the time the status says 'refused'.
        const { error } = this.#session;
        this.#report(error);
        if (this.#socket !== socket) return; // a listener disconnected or closed the transport
        if (REFUSALS.has(error.code)) this.#stop('refused');
        else socket.close();
      }
    };
    socket.onclose = () => {
      this.#dropped();
      this.#reconnectLater();
    };
    // A close event follows every error; ws (node) throws an error nobody listens to.
    socket.onerror = () => {};
  }

  /** Closes the socket, if any, and stops reconnecting until connect(). */
  #stop(status) {
    this.#online = false;
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = null;
    const socket = this.#socket;
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = null;
      this.#dropped();
      socket.close();
    }
    this.#setStatus(status);
  }

  /** Whether the session can go on; a closed store ends the transport. */
  #alive() {
    if (this.#store.closed) this.close();
    return this.#session !== null && this.#session.state !== 'closed';
  }

  #dropped() {
    clearInterval(this.#ticker);
    this.#session?.close();
    this.#socket = this.#session = this.#ticker = null;
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

// Tabs (and workers) of one origin keep one store in step over a BroadcastChannel, with the
// sync protocol (docs/protocol.md): a session per pair of tabs, whose frames travel in
// envelopes naming the sending tab and the tab addressed (docs/js.md, "BroadcastChannel
// envelopes"), since every tab on the channel receives every message.
import { errorEvent, TransportError } from './events.mjs';
import { hex, sameBytes } from './heads.mjs';
import { checkSessionOptions, randomSeed, SyncSession } from './session.mjs';

const Kind = { HERE: 1, FRAMES: 2, BYE: 3 };
const ID_LEN = 16;
const HEADER_LEN = 1 + 2 * ID_LEN;
const EVERYONE = new Uint8Array(ID_LEN);
const HELLO = 1; // the frame type a fresh session starts with
const TICK_MS = 1000;


function checkMs(value, name) {
  if (!Number.isFinite(value) || value <= 0)
    throw new RangeError(`BroadcastChannelTransport: ${name} must be a positive number of ms`);
  return value;
}

/**
 * Joins the BroadcastChannel `hypha:NAME` of this origin at once. Dispatches `error` events
 * (event.error) for messages it cannot use and sessions that ended in an error; it carries on
 * after them. options: the session's (genesis, nodeSeed, maxFrame: SyncSession),
 * heartbeatInterval (ms between the "here" each tab repeats; default 5,000) and peerTimeout
 * (ms of silence after which a tab counts as gone; default 20,000).
 */
export class BroadcastChannelTransport extends EventTarget {
  #name;
  #store;
  #sessionOptions;
  #heartbeat;
  #peerTimeout;
  #id = crypto.getRandomValues(new Uint8Array(ID_LEN));
  #channel;
  #peers = new Map(); // hex id -> { id, session, heardAt }
  #refused = new Set(); // hex ids of tabs whose session ended in an error: not reopened
  #timer = null;
  #hereAt = 0;
  #pageHide = () => this.#leave();
  #pageShow = ({ persisted }) => persisted && this.#join(); // back from the back/forward cache

  constructor(store, name, options = {}) {
    super();
    if (typeof name !== 'string' || name === '')
      throw new TypeError('BroadcastChannelTransport: name must be a non-empty string');
    if (typeof BroadcastChannel !== 'function')
      throw new TypeError('BroadcastChannelTransport: BroadcastChannel is not available here');
    const { genesis, nodeSeed = randomSeed(), maxFrame, heartbeatInterval = 5000,
            peerTimeout = 20_000 } = options;
    this.#heartbeat = checkMs(heartbeatInterval, 'heartbeatInterval');
    this.#peerTimeout = checkMs(peerTimeout, 'peerTimeout');
    this.#sessionOptions = { genesis, nodeSeed, maxFrame };
    checkSessionOptions(store, this.#sessionOptions, 'BroadcastChannelTransport');
    this.#store = store;
    this.#name = name;
    this.#channel = new BroadcastChannel(`hypha:${name}`);
    this.#channel.onmessage = ({ data }) => this.#receive(data);
    this.#channel.onmessageerror = () =>
      this.#report(new TransportError('a message that cannot be read'));
    if (typeof globalThis.addEventListener === 'function' && 'onpagehide' in globalThis) {
      globalThis.addEventListener('pagehide', this.#pageHide);
      globalThis.addEventListener('pageshow', this.#pageShow);
    }
    this.#join();
  }

  get name() { return this.#name; }
  /** This tab's id on the channel (hex), new for every transport. */
  get tabId() { return hex(this.#id); }

  /** The tabs this one has a session with, and whether each holds the same changes. */
  get peers() {
    return Array.from(this.#peers.values(), ({ id, session }) =>
      ({ id: hex(id), state: session.state, inSync: session.inSync }));
  }

  /** Says goodbye to the other tabs and leaves the channel. Closing again does nothing. */
  close() {
    if (!this.#channel) return;
    this.#leave();
    this.#channel.close();
    this.#channel = null;
    globalThis.removeEventListener?.('pagehide', this.#pageHide);
    globalThis.removeEventListener?.('pageshow', this.#pageShow);
  }

  #join() {
    this.#here();
    this.#timer = setInterval(() => this.#tick(), Math.min(TICK_MS, this.#heartbeat));
  }

  /** The page goes away (or into the back/forward cache): the others drop their sessions now
   * rather than after peerTimeout. */
  #leave() {
    clearInterval(this.#timer);
    this.#timer = null;
    this.#post(Kind.BYE, EVERYONE);
    for (const key of [...this.#peers.keys()]) this.#drop(key);
  }

  #post(kind, to, frame) {
    const message = new Uint8Array(HEADER_LEN + (frame?.length ?? 0));
    message[0] = kind;
    message.set(this.#id, 1);
    message.set(to, 1 + ID_LEN);
    if (frame) message.set(frame, HEADER_LEN);
    this.#channel.postMessage(message);
  }

  #here() {
    this.#post(Kind.HERE, EVERYONE);
    this.#hereAt = Date.now();
  }

  #open(key, id) {
    const peer = { id, heardAt: Date.now(), session: null };
    this.#peers.set(key, peer);
    const send = (frame) => this.#post(Kind.FRAMES, id, frame);
    peer.session = new SyncSession(this.#store, { ...this.#sessionOptions, send });
    return peer;
  }

  #drop(key) {
    this.#peers.get(key)?.session.close();
    this.#peers.delete(key);
  }

  #receive(data) {
    if (!this.#channel) return;
    if (this.#store.closed) {
      this.close();
      return;
    }
    if (!(data instanceof Uint8Array) || data.length < HEADER_LEN || !(data[0] >= Kind.HERE &&
        data[0] <= Kind.BYE) || (data[0] === Kind.FRAMES && data.length === HEADER_LEN)) {
      this.#report(new TransportError('a message that is not a hypha envelope'));
      return;
    }
    const to = data.subarray(1 + ID_LEN, HEADER_LEN);
    if (!sameBytes(to, this.#id) && (data[0] === Kind.FRAMES || !sameBytes(to, EVERYONE)))
      return; // for another tab
    const id = data.slice(1, 1 + ID_LEN);
    const key = hex(id);
    let peer = this.#peers.get(key);
    if (data[0] === Kind.BYE) {
      this.#drop(key);
      return;
    }
    if (this.#refused.has(key)) return;
    if (data[0] === Kind.HERE) {
      if (peer) peer.heardAt = Date.now();
      else this.#open(key, id);
      return;
    }
    const frames = data.subarray(HEADER_LEN);
    if (!peer) {
      // A fresh session starts with HELLO. Other frames come from a session that we dropped
      // (the tab fell silent for a while): BYE makes that tab drop it too, and its next HERE
      // starts over.
      if (frames[0] !== HELLO) {
        this.#post(Kind.BYE, id);
        return;
      }
      peer = this.#open(key, id);
    }
    peer.heardAt = Date.now();
    peer.session.receive(frames);
    if (peer.session.state === 'closed') {
      this.#report(peer.session.error);
      this.#refused.add(key);
      this.#drop(key);
    }
  }

  #tick() {
    if (this.#store.closed) {
      this.close();
      return;
    }
    const now = Date.now();
    for (const [key, peer] of this.#peers) {
      if (now - peer.heardAt > this.#peerTimeout) {
        this.#drop(key);
        this.#post(Kind.BYE, peer.id);
      } else {
        peer.session.tick();
      }
    }
    if (now - this.#hereAt >= this.#heartbeat) this.#here();
  }

  #report(error) { this.dispatchEvent(errorEvent(error)); }
}

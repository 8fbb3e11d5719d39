// A hand-made sync peer for the node tests: a WebSocket client over a raw TCP socket (so a
// test can also send what no proper client would) and the handshake of docs/protocol.md.
// Ed25519 comes from node:crypto; BLAKE3 from `hypha hash`, the tool under test's own CLI,
// which test_cli checks against b3sum.
import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, randomBytes, sign } from 'node:crypto';
import { connect } from 'node:net';

export const FRAME = { HELLO: 1, AUTH: 2, SYNC: 3, CHANGES: 4, NEED: 5, ERROR: 6 };
export const ERR = { TOO_LARGE: 5, BAD_SIGNATURE: 9, NOT_FOUND: 14, FORBIDDEN: 18, PROTOCOL: 19 };

export function varint(n) {
  const out = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return Buffer.from(out);
}

export function frame(type, payload) {
  return Buffer.concat([Buffer.from([type]), varint(payload.length), payload]);
}

/** Splits a message into frames: [{type, payload}]. */
export function parseFrames(message) {
  const frames = [];
  let at = 0;
  while (at < message.length) {
    const type = message[at++];
    let len = 0;
    let scale = 1;
    for (;;) {
      const byte = message[at++];
      len += (byte & 0x7f) * scale;
      scale *= 128;
      if (!(byte & 0x80)) break;
    }
    frames.push({ type, payload: message.subarray(at, at + len) });
    at += len;
  }
  return frames;
}

/** An Ed25519 node key from a fresh seed. */
export function nodeKey() {
  const seed = randomBytes(32);
  const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  const privateKey = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return { privateKey, publicKey: spki.subarray(spki.length - 32) };
}

export function helloPayload(key, storeId) {
  return Buffer.concat([varint(1), key.publicKey, randomBytes(32), storeId]);
}

function blake3(hypha, data) {
  const line = execFileSync(hypha, ['hash', '-'], { input: data }).toString();
  return Buffer.from(line.slice(0, 64), 'hex');
}

/** AUTH's signature: over BLAKE3("hypha auth v1" || own HELLO || peer's HELLO). */
export function authPayload(hypha, key, ownHello, peerHello) {
  const digest = blake3(hypha, Buffer.concat([Buffer.from('hypha auth v1'), ownHello, peerHello]));
  return sign(null, digest, key.privateKey);
}

/** An ERROR payload's code (every hy_err fits one varint byte). */
export const errorCode = (payload) => payload[0];

/**
 * A WebSocket client on a raw socket. `messages` collects binary messages, `closed` resolves
 * (with the close code, or null without a close frame) when the connection ends.
 */
export class RawPeer {
  static async open(port, { path = '/sync', protocol = 'hypha-sync-1' } = {}) {
    const peer = new RawPeer(port);
    await peer.ready;
    const key = randomBytes(16).toString('base64');
    peer.socket.write(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n` +
        `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n` +
        `Sec-WebSocket-Protocol: ${protocol}\r\n\r\n`,
    );
    peer.status = await peer.upgraded;
    return peer;
  }

  constructor(port) {
    this.socket = connect(port, '127.0.0.1');
    this.ready = new Promise((resolve, reject) => {
      this.socket.once('connect', resolve);
      this.socket.once('error', reject);
    });
    this.buffer = Buffer.alloc(0);
    this.messages = [];
    this.waiters = [];
    this.closeCode = null;
    this.upgraded = new Promise((resolve) => (this.onUpgrade = resolve));
    this.closed = new Promise((resolve) => {
      this.socket.on('close', () => {
        this.onUpgrade(0);
        resolve(this.closeCode);
        for (const wake of this.waiters) wake();
      });
    });
    this.socket.on('error', () => {});
    this.socket.on('data', (chunk) => this.#receive(chunk));
    this.handshakeDone = false;
    this.localPort = null;
    this.ready.then(() => (this.localPort = this.socket.localPort));
  }

  #receive(chunk) {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    if (!this.handshakeDone) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = this.buffer.subarray(0, end).toString();
      this.buffer = this.buffer.subarray(end + 4);
      this.handshakeDone = true;
      this.onUpgrade(Number(head.split(' ')[1]));
    }
    for (;;) {
      if (this.buffer.length < 2) return;
      const opcode = this.buffer[0] & 0x0f;
      let len = this.buffer[1] & 0x7f;
      let at = 2;
      if (len === 126) {
        if (this.buffer.length < 4) return;
        len = this.buffer.readUInt16BE(2);
        at = 4;
      } else if (len === 127) {
        if (this.buffer.length < 10) return;
        len = Number(this.buffer.readBigUInt64BE(2));
        at = 10;
      }
      if (this.buffer.length < at + len) return;
      const payload = this.buffer.subarray(at, at + len);
      this.buffer = this.buffer.subarray(at + len);
      if (opcode === 2) this.messages.push(Buffer.from(payload));
      if (opcode === 8) this.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
      if (opcode === 9) this.#sendFrame(10, payload);
      for (const wake of this.waiters.splice(0)) wake();
    }
  }

  #sendFrame(opcode, payload) {
    const mask = randomBytes(4);
    let header;
    if (payload.length < 126) header = Buffer.from([0x80 | opcode, 0x80 | payload.length]);
    else if (payload.length < 65536) {
      header = Buffer.alloc(4);
      header[0] = 0x80 | opcode;
      header[1] = 0x80 | 126;
      header.writeUInt16BE(payload.length, 2);
    } else {
      header = Buffer.alloc(10);
      header[0] = 0x80 | opcode;
      header[1] = 0x80 | 127;
      header.writeBigUInt64BE(BigInt(payload.length), 2);
    }
    const masked = Buffer.from(payload);
    for (let i = 0; i < masked.length; i++) masked[i] ^= mask[i % 4];
    this.socket.write(Buffer.concat([header, mask, masked]));
  }

  sendBinary(payload) {
    this.#sendFrame(2, payload);
  }

  sendText(text) {
    this.#sendFrame(1, Buffer.from(text));
  }

  /** The frames of the next message (null when the connection ended first). */
  async nextFrames(timeoutMs = 5000) {
    const deadline = Date.now() + timeoutMs;
    while (this.messages.length === 0) {
      if (this.socket.destroyed || Date.now() > deadline) return null;
      await new Promise((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
    return parseFrames(this.messages.shift());
  }

  /** Waits for a frame of this type, skipping others; null when none came. */
  async expectFrame(type, timeoutMs = 5000) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const frames = await this.nextFrames(deadline - Date.now());
      if (frames === null) return null;
      const found = frames.find((f) => f.type === type);
      if (found) return found;
    }
    return null;
  }

  /** HELLO and AUTH both ways; returns the session's node key. */
  async handshake(hypha, storeId, key = nodeKey()) {
    const ownHello = helloPayload(key, storeId);
    this.sendBinary(frame(FRAME.HELLO, ownHello));
    const hello = await this.expectFrame(FRAME.HELLO);
    if (!hello) throw new Error('no HELLO from the node');
    this.sendBinary(frame(FRAME.AUTH, authPayload(hypha, key, ownHello, hello.payload)));
    const auth = await this.expectFrame(FRAME.AUTH);
    if (!auth) throw new Error('no AUTH from the node');
    return key;
  }

  end() {
    this.socket.destroy();
  }
}

// Hostile clients against a running node while an honest one keeps syncing: garbage bytes,
// text messages, oversized frames and messages, a HELLO for an unknown store, a bad AUTH
// signature, changes by an actor the store does not let write, a silent WebSocket, a
// never-finishing HTTP request, and one connection too many. Each hostile peer gets the
// ERROR it earned (where it speaks WebSocket), is dropped, and costs one log line; the
// honest writer never fails, and the node ends healthy.
// Usage: node hostile.mjs PATH/TO/hypha
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startNode as launchNode, sleep } from './nodes.mjs';
import { ERR, FRAME, RawPeer, errorCode, frame, nodeKey } from './peer.mjs';

const hypha = process.argv[2];
const dir = mkdtempSync(join(tmpdir(), 'hypha-hostile-'));
const run = (...args) => execFileSync(hypha, args, { cwd: dir }).toString().trim();
const runAsync = promisify(execFile);
const nodes = [];
const logs = [];

async function startNode(name, ...args) {
  const node = await launchNode(hypha, dir, name, args);
  nodes.push(node.child);
  logs.push({ name, text: node.log });
  return node;
}

/** Resolves with how long the socket took to be closed by the node (ms), or rejects. */
function closedWithin(socket, ms) {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not closed within ${ms} ms`)), ms);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Date.now() - start);
    });
    socket.on('error', () => {});
    socket.resume(); // EOF is seen only by a socket that reads
  });
}

async function expectError(peer, code, what) {
  const error = await peer.expectFrame(FRAME.ERROR);
  assert.ok(error, `${what}: no ERROR frame`);
  assert.equal(errorCode(error.payload), code, `${what}: ERROR code`);
  const closed = await Promise.race([peer.closed.then(() => true), sleep(5000).then(() => false)]);
  assert.ok(closed, `${what}: not dropped after the ERROR`);
  return peer.localPort;
}

try {
  const lockedWriter = nodeKey().publicKey.toString('hex');
  const openId = Buffer.from(run('store', 'create', 'open', '--db', 'node.db'), 'hex');
  const lockedId = Buffer.from(
    run('store', 'create', 'locked', '--writers', lockedWriter, '--db', 'node.db'), 'hex');
  run('store', 'create', 'open', '--db', 'writer.db');
  const node = await startNode('node', '--db', 'node.db', '--max-frame', '65557');
  const url = `ws://127.0.0.1:${node.port}`;

  // The honest writer: a record and a sync, again and again, until the attacks are over.
  let honest = { ok: 0, failed: [] };
  let stop = false;
  const writer = (async () => {
    for (let i = 1; !stop; i++) {
      try {
        await runAsync(hypha, ['put', '--db', 'writer.db', 'open', 'k', String(i), 'v', `v${i}`], { cwd: dir });
        await runAsync(hypha, ['sync', '--db', 'writer.db', '--peer', url, 'open', '--timeout', '10'], { cwd: dir });
        honest.ok++;
      } catch (err) {
        honest.failed.push(String(err.stderr || err));
      }
    }
  })();
  while (honest.ok < 2) await sleep(50);

  const dropped = []; // local ports of WebSocket peers the node must log once each

  // Upgrades to anything but sync are refused with an HTTP status.
  assert.equal((await RawPeer.open(node.port, { path: '/elsewhere' })).status, 404);
  assert.equal((await RawPeer.open(node.port, { protocol: 'chat' })).status, 400);
  // Garbage instead of HTTP: the connection is closed.
  {
    const socket = connect(node.port, '127.0.0.1');
    socket.on('connect', () => socket.write(Buffer.alloc(4096, 0xfe)));
    await closedWithin(socket, 15000);
  }
  // Garbage as the first sync message.
  {
    const peer = await RawPeer.open(node.port);
    assert.equal(peer.status, 101);
    peer.sendBinary(Buffer.from('GARBAGE, NOT A FRAME'));
    dropped.push(await expectError(peer, ERR.PROTOCOL, 'garbage'));
  }
  // A text message.
  {
    const peer = await RawPeer.open(node.port);
    peer.sendText('hello?');
    dropped.push(await expectError(peer, ERR.PROTOCOL, 'text message'));
  }
  // A HELLO for a store the node does not hold.
  {
    const peer = await RawPeer.open(node.port);
    const key = nodeKey();
    peer.sendBinary(frame(FRAME.HELLO, Buffer.concat([Buffer.from([1]), key.publicKey,
      Buffer.alloc(32, 7), Buffer.alloc(32, 9)])));
    dropped.push(await expectError(peer, ERR.NOT_FOUND, 'unknown store'));
  }
  // A first frame whose header claims 10 MB.
  {
    const peer = await RawPeer.open(node.port);
    peer.sendBinary(Buffer.from([FRAME.HELLO, 0x80, 0xad, 0xe2, 0x04, 1, 2, 3]));
    dropped.push(await expectError(peer, ERR.TOO_LARGE, 'oversized first frame'));
  }
  // A bad AUTH signature.
  {
    const peer = await RawPeer.open(node.port);
    const key = nodeKey();
    const hello = Buffer.concat([Buffer.from([1]), key.publicKey, Buffer.alloc(32, 1), openId]);
    peer.sendBinary(frame(FRAME.HELLO, hello));
    assert.ok(await peer.expectFrame(FRAME.HELLO), 'bad AUTH: no HELLO');
    peer.sendBinary(frame(FRAME.AUTH, Buffer.alloc(64, 0x55)));
    dropped.push(await expectError(peer, ERR.BAD_SIGNATURE, 'bad AUTH'));
  }
  // After an honest handshake: a frame over --max-frame, then a message over the limit.
  {
    const peer = await RawPeer.open(node.port);
    await peer.handshake(hypha, openId);
    peer.sendBinary(Buffer.from([FRAME.CHANGES, 0x80, 0x80, 0x08, 1, 0]));
    dropped.push(await expectError(peer, ERR.TOO_LARGE, 'frame over --max-frame'));
  }
  {
    const peer = await RawPeer.open(node.port);
    await peer.handshake(hypha, openId);
    peer.sendBinary(Buffer.alloc(200 * 1024, 3));
    dropped.push(await expectError(peer, ERR.TOO_LARGE, 'message over the limit'));
  }
  // Changes by an actor the store does not let write: the writer's changes, as the node
  // sends them for the open store, replayed into the locked one.
  {
    const reader = await RawPeer.open(node.port);
    await reader.handshake(hypha, openId);
    reader.sendBinary(frame(FRAME.SYNC, Buffer.from([1, 0, 0])));
    const changes = [];
    for (;;) {
      const part = await reader.expectFrame(FRAME.CHANGES);
      assert.ok(part, 'no CHANGES for an empty peer');
      changes.push(part);
      if (part.payload[0] & 1) break;
    }
    reader.end();
    const peer = await RawPeer.open(node.port);
    await peer.handshake(hypha, lockedId);
    for (const part of changes) peer.sendBinary(frame(FRAME.CHANGES, part.payload));
    dropped.push(await expectError(peer, ERR.FORBIDDEN, 'forbidden writer'));
  }
  // A WebSocket that never says HELLO, and an HTTP request that never ends (a byte every
  // second): both are cut off, by the handshake deadline and lws' header timeout.
  {
    const silent = await RawPeer.open(node.port);
    const loris = connect(node.port, '127.0.0.1');
    let trickle;
    loris.on('connect', () => {
      loris.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
      trickle = setInterval(() => loris.writable && loris.write('a'), 1000);
    });
    const [silentMs, lorisMs] = await Promise.all([
      closedWithin(silent.socket, 20000),
      closedWithin(loris, 30000),
    ]);
    clearInterval(trickle);
    assert.ok(silentMs >= 5000, `the silent peer was dropped after ${silentMs} ms`);
    console.log(`silent WebSocket dropped after ${silentMs} ms, slow HTTP after ${lorisMs} ms`);
    dropped.push(silent.localPort);
  }

  stop = true;
  await writer;
  assert.deepEqual(honest.failed, [], 'the honest writer failed');
  assert.ok(honest.ok >= 3, `the honest writer synced only ${honest.ok} times`);
  const health = await fetch(`http://127.0.0.1:${node.port}/healthz`);
  assert.equal(health.status, 200);
  assert.equal(await health.text(), 'ok\n');
  const metrics = await (await fetch(`http://127.0.0.1:${node.port}/metrics`)).text();
  const droppedTotal = Number(/^hypha_peers_dropped_total (\d+)$/m.exec(metrics)[1]);
  assert.ok(droppedTotal >= dropped.length, `peers_dropped_total ${droppedTotal}`);
  assert.ok(Number(/^hypha_changes_refused_total (\d+)$/m.exec(metrics)[1]) > 0,
    'changes_refused_total did not count the forbidden changes');
  for (const port of dropped) {
    const lines = node.log().split('\n').filter((line) => line.includes(`127.0.0.1:${port} `));
    assert.equal(lines.length, 1, `log lines about 127.0.0.1:${port}: ${JSON.stringify(lines)}`);
    assert.match(lines[0], /dropped: /);
  }

  // One connection over --max-peers is refused; the one inside the limit still syncs.
  const small = await startNode('small', '--db', 'node.db', '--max-peers', '1');
  const first = await RawPeer.open(small.port);
  assert.equal(first.status, 101);
  const second = await RawPeer.open(small.port);
  assert.equal(second.status, 503, 'a connection over --max-peers');
  assert.ok(await Promise.race([second.closed.then(() => true), sleep(5000).then(() => false)]),
    'over --max-peers: not closed');
  console.log(`over --max-peers: HTTP status ${second.status}`);
  await first.handshake(hypha, openId);
  assert.match(small.log(), /refused 127\.0\.0\.1:\d+: --max-peers 1 reached/);
  first.end();

  // SIGTERM: a clean exit (under the sanitizers, also no leak and no error report).
  for (const child of nodes) {
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    child.kill('SIGTERM');
    assert.deepEqual(await exited, { code: 0, signal: null }, 'a node did not stop cleanly');
  }
  console.log(`all passed (${honest.ok} honest syncs during the attacks)`);
} catch (err) {
  for (const child of nodes) child.kill('SIGKILL');
  for (const log of logs) console.error(`---- ${log.name}\n${log.text()}`);
  throw err;
} finally {
  await sleep(100);
  rmSync(dir, { recursive: true, force: true });
}

// The node benchmarks (issue 5): real `hypha node` processes on ephemeral ports of 127.0.0.1,
// driven by `hypha sync` and `hypha loadgen`, each figure the median of --runs runs. Prints one
// JSON object; budgets/measure.mjs runs it for ./dev bench (budgets.json's `nodebench.*`
// members) and gate.mjs --node runs it quick in ./dev test. budgets/README.md, "The node
// benchmarks", defines each workload and what it includes.
//
//   node budgets/node-bench.mjs [--quick] [--build DIR] [--runs N] [--only GROUP,...]
//
// GROUPs: catch-up (catch-up and reconnect), sync (throughput), idle (idle peers: memory and
// concurrent clients); all by default.
// DIR (default build/native) holds `hypha` and `budgets/node_fixture`. Any failure (a process
// that exits non-zero, a client error, a node that does not hold what it should) stops the
// run with a message: a figure is printed only when its workload completed correctly.
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { nodeMetrics, residentKiB, sleep, startNode, stopNode } from '../tests/node/nodes.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const GROUPS = ['catch-up', 'sync', 'idle'];
const options = { quick: false, build: join(root, 'build', 'native'), runs: undefined,
                  only: GROUPS };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--quick') options.quick = true;
  else if (argv[i] === '--build' && argv[i + 1]) options.build = resolve(argv[++i]);
  else if (argv[i] === '--runs' && Number(argv[i + 1]) >= 1) options.runs = Number(argv[++i]);
  else if (argv[i] === '--only' && argv[i + 1]?.split(',').every((g) => GROUPS.includes(g)))
    options.only = argv[++i].split(',');
  else {
    console.error('Usage: node budgets/node-bench.mjs [--quick] [--build DIR] [--runs N] ' +
                  `[--only ${GROUPS.join('|')},...]`);
    process.exit(2);
  }
}

// Full size is the issue's; quick (CI) keeps every step and shrinks the sizes to seconds.
const size = options.quick
  ? { records: 10000, ops: 20000, clients: 100, idleRecords: 1000, hold: 2, runs: 1 }
  : { records: 100000, ops: 500000, clients: 1000, idleRecords: 1000, hold: 3, runs: 3 };
const runs = options.runs ?? size.runs;
const RECONNECTS_PER_RUN = 3;
const STORE = 'bench';

const hypha = join(options.build, 'hypha');
const fixture = join(options.build, 'budgets', 'node_fixture');
for (const program of [hypha, fixture]) {
  if (!existsSync(program)) {
    throw new Error(`node-bench: ${program} is missing ` +
                    '(cmake --build DIR --target hypha node_fixture)');
  }
}

const dir = mkdtempSync(join(tmpdir(), 'hypha-node-bench-'));
const nodes = new Set();
const step = (what) => process.stderr.write(`node-bench: ${what}\n`);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const round = (value, digits = 3) => Number(value.toFixed(digits));

/** Runs hypha (or another program) to completion in dir; its stdout, trimmed. */
function run(program, ...args) {
  const stdio = ['ignore', 'pipe', 'pipe'];
  return execFileSync(program, args, { cwd: dir, encoding: 'utf8', stdio }).trim();
}

/**
 * A database holding STORE, empty; copied per run so that every run starts alike. One file:
 * SQLite folds the WAL back in and removes it when the last connection closes.
 */
function emptyDb(name) {
  run(hypha, 'store', 'create', STORE, '--db', name);
  return name;
}

async function start(name, args, extra) {
  const node = await startNode(hypha, dir, name, args, extra);
  nodes.add(node);
  return node;
}

async function stop(node) {
  const { code, signal } = await stopNode(node);
  nodes.delete(node);
  if (code !== 0)
    throw new Error(`node ${node.name} exited ${code ?? signal} on SIGTERM:\n${node.log()}`);
}

/**
 * Spawns program in dir; onLine(line, ms) sees each stderr line with the time it arrived.
 * Resolves with { code, stdout, stderr, ms }: ms from spawning to the exit.
 */
function spawnTimed(program, args, onLine = () => {}) {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(program, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let pending = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => {
      const now = performance.now();
      stderr += chunk;
      pending += chunk;
      for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
        onLine(pending.slice(0, nl), now);
        pending = pending.slice(nl + 1);
      }
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      resolvePromise({ code, stdout, stderr, ms: performance.now() - started }));
  });
}

/** `hypha loadgen ... --json`: its figures; throws unless it exited 0 without errors. */
function loadgenFigures(result, what) {
  let figures;
  try {
    figures = JSON.parse(result.stdout);
  } catch {
    throw new Error(`${what}: hypha loadgen printed no JSON (exit ${result.code}):\n` +
                    result.stderr);
  }
  if (result.code !== 0 || figures.errors !== 0 || figures.in_sync !== figures.clients)
    throw new Error(`${what}: hypha loadgen exit ${result.code}: ${result.stdout}${result.stderr}`);
  return figures;
}

/** Polls the node's metrics until ok(metrics) holds; throws after seconds. */
async function until(node, ok, what, seconds = 30) {
  const deadline = performance.now() + seconds * 1000;
  for (;;) {
    const metrics = await nodeMetrics(node);
    if (ok(metrics)) return metrics;
    if (performance.now() > deadline)
      throw new Error(`${what} within ${seconds} s:\n${node.log()}`);
    await sleep(10);
  }
}

// ---- a fresh node catching up, and a reconnect after one change ---------------------------

async function catchUpAndReconnect() {
  const full = emptyDb('full.db');
  step(`catch-up: writing ${size.records} records into ${full}`);
  run(fixture, full, STORE, String(size.records));
  const template = emptyDb('empty.db');
  const a = await start('a', ['--db', full]);
  const catchUp = [];
  for (let i = 0; i < runs; i++) {
    const fresh = `fresh${i}.db`;
    copyFileSync(join(dir, template), join(dir, fresh));
    const result = await spawnTimed(hypha, ['sync', '--db', fresh, '--peer', a.url, STORE,
                                            '--timeout', '120']);
    if (result.code !== 0)
      throw new Error(`catch-up: hypha sync exit ${result.code}: ${result.stderr}`);
    // The last record's field: the fresh database holds the whole store.
    const last = run(hypha, 'get', '--db', fresh, STORE, 'tasks', `r${size.records - 1}`,
                     'title');
    if (last !== 'a task title')
      throw new Error(`catch-up: ${fresh} lacks the last record (${last})`);
    catchUp.push(result.ms);
    step(`catch-up run ${i + 1}: ${result.ms.toFixed(1)} ms`);
  }

  // fresh0.db is level with A: each reconnect makes one change there, and a client loaded
  // from it connects. The change travels to A, which writes it to its database before it
  // answers. A few per run: one reconnect takes milliseconds, and the machine's noise (a
  // busy disk's fsync, another process holding the core) is of the same order.
  const reconnect = [];
  for (let i = 0; i < runs * RECONNECTS_PER_RUN; i++) {
    run(hypha, 'put', '--db', 'fresh0.db', STORE, 'items', 'reconnect', 'n', String(i));
    const applied = (await nodeMetrics(a)).hypha_changes_applied_total;
    const figures = loadgenFigures(
      await spawnTimed(hypha, ['loadgen', '--peer', a.url, '--clients', '1', '--db', 'fresh0.db',
                               STORE, '--json']), 'reconnect');
    const now = (await nodeMetrics(a)).hypha_changes_applied_total;
    if (now !== applied + 1)
      throw new Error(`reconnect: node A applied ${now - applied} changes, not 1`);
    reconnect.push(figures.seconds_to_all_in_sync * 1000);
  }
  step(`reconnects: ${reconnect.map((v) => v.toFixed(2)).join(', ')} ms`);
  await stop(a);
  return {
    catch_up_100k_records: {
      records: size.records, ms: round(median(catchUp), 1),
      runs_ms: catchUp.map((v) => round(v, 1)),
    },
    reconnect_one_change: { ms: round(median(reconnect)), runs_ms: reconnect.map((v) => round(v)) },
  };
}

// ---- sync throughput: a writer streams one-op changes into A, B follows ------------------

async function throughput() {
  const template = emptyDb('stream.db');
  const rates = [];
  const acknowledged = [];
  for (let i = 0; i < runs; i++) {
    // Fresh nodes and a fresh writer every run: the writer's replica is never persisted, so
    // its next run would reuse sequence numbers the nodes already hold.
    for (const name of [`sa${i}.db`, `sb${i}.db`, `sw${i}.db`])
      copyFileSync(join(dir, template), join(dir, name));
    const a = await start(`a${i}`, ['--db', `sa${i}.db`]);
    const b = await start(`b${i}`, ['--db', `sb${i}.db`, '--peer', a.url]);
    await until(b, (m) => m['hypha_peers{direction="outbound"}'] === 1,
                'node B never synced with A');
    // From the writer's first commit (its 'writing' line) until B has applied every change.
    let writing = null;
    let held = null;
    const result = await spawnTimed(
      hypha, ['loadgen', '--peer', a.url, '--clients', '1', '--db', `sw${i}.db`, STORE,
              '--write', String(size.ops), '--timeout', '300', '--json'],
      (line, ms) => {
        if (!line.includes('writing')) return;
        writing = ms;
        held = until(b, (x) => x.hypha_changes_applied_total >= size.ops,
                     `node B never held ${size.ops} changes`, 300).then(() => performance.now());
        held.catch(() => {}); // awaited below; a failed writer is reported instead
      });
    const figures = loadgenFigures(result, 'sync throughput');
    if (writing === null) throw new Error(`sync throughput: no 'writing' line:\n${result.stderr}`);
    rates.push(size.ops / (((await held) - writing) / 1000));
    acknowledged.push(figures.write_ops_per_s);
    step(`sync run ${i + 1}: ${Math.round(rates.at(-1))} ops/s at B ` +
         `(${Math.round(figures.write_ops_per_s)} acknowledged by A)`);
    await stop(b);
    await stop(a);
  }
  return {
    sync_loopback: {
      ops: size.ops, ops_per_s: Math.round(median(rates)), runs_ops_per_s: rates.map(Math.round),
      acknowledged_by_a_ops_per_s: Math.round(median(acknowledged)),
    },
  };
}

// ---- idle peers: memory per connection, and many clients at once -------------------------

/**
 * A node serving db, one warm-up client, then size.clients clients held idle: the node's RSS
 * before them and once they all are in sync and idle, and the load generator's figures.
 */
async function idleRun(name, db, clientsDb) {
  const m = await start(name, ['--db', db], { files: size.clients + 256 });
  // One client first, then gone: what the first session costs once (code paths, caches) is
  // not counted against the idle ones.
  loadgenFigures(await spawnTimed(hypha, ['loadgen', '--peer', m.url, '--clients', '1',
                                          '--db', clientsDb, STORE, '--json']), 'warm-up');
  await until(m, (x) => x['hypha_peers{direction="inbound"}'] === 0,
              'the warm-up client never left');
  const before = residentKiB(m);
  let sample = null;
  const result = await spawnTimed(
    hypha, ['loadgen', '--peer', m.url, '--clients', String(size.clients), '--db', clientsDb,
            STORE, '--hold', String(size.hold), '--timeout', '120', '--json'],
    (line) => {
      if (!line.includes('holding')) return;
      // Every client is in sync and idle; a second later the node has seen the last
      // acknowledgements too.
      sample = sleep(1000).then(async () => ({ rss: residentKiB(m),
                                                metrics: await nodeMetrics(m) }));
    });
  const figures = loadgenFigures(result, `${size.clients} clients`);
  if (sample === null) throw new Error(`idle peers: no 'holding' line:\n${result.stderr}`);
  const { rss, metrics } = await sample;
  const inbound = metrics['hypha_peers{direction="inbound"}'];
  if (inbound !== size.clients || metrics.hypha_peers_dropped_total !== 0 ||
      metrics.hypha_connections_refused_total !== 0)
    throw new Error(`idle peers: node ${name} saw ${inbound} peers, dropped ` +
                    `${metrics.hypha_peers_dropped_total}, refused ` +
                    `${metrics.hypha_connections_refused_total}`);
  await stop(m);
  return { ...figures, rss_before_kib: before, rss_with_clients_kib: rss,
           bytes_per_peer: ((rss - before) * 1024) / size.clients };
}

async function idlePeers() {
  const served = emptyDb('idle.db');
  run(fixture, served, STORE, String(size.idleRecords));
  const empty = emptyDb('idle-empty.db');
  const clients = emptyDb('clients.db');
  const loads = [];
  const connectionOnly = [];
  for (let i = 0; i < runs; i++) {
    loads.push(await idleRun(`m${i}`, served, clients));
    // The same with an empty store: the connection and its session alone, without what the
    // catch-ups left in the node's heap.
    connectionOnly.push((await idleRun(`e${i}`, empty, clients)).bytes_per_peer);
    const l = loads.at(-1);
    step(`idle peers run ${i + 1}: ${size.clients} clients in sync after ` +
         `${l.seconds_to_all_in_sync.toFixed(2)} s; node RSS ${l.rss_before_kib} -> ` +
         `${l.rss_with_clients_kib} KiB; empty store ${Math.round(connectionOnly.at(-1))} B/peer`);
  }
  const perPeer = loads.map((l) => l.bytes_per_peer);
  const middle = loads[perPeer.indexOf(median(perPeer))];
  return {
    memory_per_idle_peer: {
      clients: size.clients, store_records: size.idleRecords,
      kb: round(median(perPeer) / 1024, 2), runs_bytes: perPeer.map(Math.round),
      rss_before_kib: middle.rss_before_kib, rss_with_clients_kib: middle.rss_with_clients_kib,
      empty_store_kb: round(median(connectionOnly) / 1024, 2),
      empty_store_runs_bytes: connectionOnly.map(Math.round),
    },
    concurrent_clients: {
      clients: size.clients, connected: Math.min(...loads.map((l) => l.connected)),
      in_sync: Math.min(...loads.map((l) => l.in_sync)),
      errors: Math.max(...loads.map((l) => l.errors)),
      seconds_to_all_in_sync: round(median(loads.map((l) => l.seconds_to_all_in_sync))),
    },
  };
}

const loadAtStart = loadavg();
try {
  const results = {
    quick: options.quick,
    runs,
    ...(options.only.includes('catch-up') ? await catchUpAndReconnect() : {}),
    ...(options.only.includes('sync') ? await throughput() : {}),
    ...(options.only.includes('idle') ? await idlePeers() : {}),
    machine: { cpus: cpus().length, load_average_at_start: loadAtStart.map((v) => round(v, 2)),
               load_average_at_end: loadavg().map((v) => round(v, 2)) },
  };
  console.log(JSON.stringify(results, null, 2));
} catch (err) {
  for (const node of nodes) {
    node.child.kill('SIGKILL');
    console.error(`---- node ${node.name}\n${node.log()}`);
  }
  console.error(`node-bench: ${err.message}`);
  process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}

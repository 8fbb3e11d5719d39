// Real `hypha node` processes for node scripts (tests/node/hostile.mjs, budgets/node-bench.mjs):
// each on an ephemeral port of 127.0.0.1, read from the node's "listening on" log line as
// tests/node/lib.sh does, so nothing races for a port.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts `hypha node --listen 127.0.0.1:0 ...args` in dir and resolves once it listens, with
 * { name, child, pid, port, url, log() }. With files, the node's open-file limit is raised to
 * that first (`ulimit -n`, through bash, which execs the node: pid is the node's).
 */
export async function startNode(hypha, dir, name, args, { files } = {}) {
  const nodeArgs = ['node', '--listen', '127.0.0.1:0', ...args];
  const [command, argv] = files
    ? ['bash', ['-c', `ulimit -n ${files} && exec "$0" "$@"`, hypha, ...nodeArgs]]
    : [hypha, nodeArgs];
  const child = spawn(command, argv, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let text = '';
  child.stderr.on('data', (chunk) => (text += chunk));
  const log = () => text;
  for (let i = 0; i < 200; i++) {
    const match = /listening on [^ ]*:(\d+) /.exec(text);
    if (match) {
      const port = Number(match[1]);
      return { name, child, pid: child.pid, port, url: `ws://127.0.0.1:${port}`, log };
    }
    if (child.exitCode !== null) break;
    await sleep(50);
  }
  child.kill('SIGKILL');
  throw new Error(`node ${name} never listened: ${text}`);
}

/**
 * SIGTERM; resolves with { code, signal } once the node has exited, or rejects (with its log)
 * if it has not after ms.
 */
export function stopNode(node, ms = 10_000) {
  if (node.child.exitCode !== null || node.child.signalCode !== null)
    return Promise.resolve({ code: node.child.exitCode, signal: node.child.signalCode });
  let timer;
  const exited = new Promise((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`node ${node.name} still running ${ms} ms after SIGTERM: ${node.log()}`)), ms);
    node.child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  node.child.kill('SIGTERM');
  return exited.finally(() => clearTimeout(timer));
}

/** The node's /metrics as { 'name{labels}': number }. */
export async function nodeMetrics(node) {
  const text = await (await fetch(`http://127.0.0.1:${node.port}/metrics`)).text();
  const values = {};
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (match) values[match[1]] = Number(match[2]);
  }
  return values;
}

/** The node's resident memory (VmRSS of /proc/PID/status), in KiB. */
export function residentKiB(node) {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${node.pid}/status`, 'utf8'));
  if (!match) throw new Error(`node ${node.name}: no VmRSS in /proc/${node.pid}/status`);
  return Number(match[1]);
}

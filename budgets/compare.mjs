// budgets/compare [--quick] [--libs a,b] [--traces FILE,...]: replays the editing traces with
// each library in turn, each run in a process of its own, and prints one table (budgets/
// README.md, "Comparing with the peers"). Exits non-zero if any run fails or ends wrong.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const traces = join(here, '..', 'tests', 'data', 'traces');
const LIBRARIES = ['hypha', 'yjs', 'loro', 'automerge'];
// --quick: a cut of automerge-paper, small enough for CI (Automerge takes seconds on it).
const QUICK_TXNS = 5000;

function parseArgs(argv) {
  const args = { quick: false, libs: LIBRARIES, traces: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick')
      args.quick = true;
    else if (arg === '--libs' && i + 1 < argv.length)
      args.libs = argv[++i].split(',');
    else if (arg === '--traces' && i + 1 < argv.length)
      args.traces = argv[++i].split(',');
    else
      throw new Error(`usage: budgets/compare [--quick] [--libs ${LIBRARIES.join(',')}] [--traces FILE,...]`);
  }
  for (const lib of args.libs)
    if (!LIBRARIES.includes(lib))
      throw new Error(`unknown library ${lib} (known: ${LIBRARIES.join(', ')})`);
  return args;
}

// Each trace in the mode that measures everything it can: a sequential trace remotely
// (apply, merge, save, load), a concurrent one concurrently.
function runs(args) {
  if (args.traces)
    return args.traces.map((file) => ({ file, mode: /friendsforever/.test(file) ? 'concurrent' : 'remote', txns: 0 }));
  const paper = { file: join(traces, 'automerge-paper.json.gz'), mode: 'remote', txns: 0 };
  if (args.quick)
    return [{ ...paper, txns: QUICK_TXNS }];
  return [paper, { file: join(traces, 'friendsforever.json.gz'), mode: 'concurrent', txns: 0 }];
}

function runOne(lib, run) {
  const child = spawnSync(process.execPath,
    ['--expose-gc', join(here, 'peers', 'run-one.mjs'), lib, run.file, run.mode, String(run.txns || '')],
    { encoding: 'utf8', maxBuffer: 1 << 20 });
  const line = child.stdout.trim().split('\n').pop();
  if (child.status !== 0 && !line)
    return { library: lib, error: (child.stderr || `exit ${child.status}`).trim().split('\n').pop() };
  return JSON.parse(line);
}

const COLUMNS = [
  ['library', (r) => r.library],
  ['apply ms', (r) => r.apply_ms.toFixed(1)],
  ['merge ms', (r) => r.merge_ms.toFixed(1)],
  ['load ms', (r) => r.load_ms.toFixed(1)],
  ['save ms', (r) => r.save_ms.toFixed(1)],
  ['saved KB', (r) => (r.save_bytes / 1000).toFixed(1)],
  ['peak MB', (r) => (r.peak_bytes / 1e6).toFixed(1)],
  ['held MB', (r) => (r.retained_bytes / 1e6).toFixed(1)],
  ['ok', (r) => (r.ok ? 'yes' : 'NO')],
];

function printTable(title, results) {
  const rows = results.map((r) => (r.error ? [r.library, `failed: ${r.error}`] : COLUMNS.map(([, f]) => f(r))));
  const widths = COLUMNS.map(([name], i) => Math.max(name.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells) => cells.map((c, i) => (i ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  console.log(`\n${title}`);
  console.log(line(COLUMNS.map(([name]) => name)));
  for (const row of rows)
    console.log(row.length === COLUMNS.length ? line(row) : row.join('  '));
}

const args = parseArgs(process.argv.slice(2));
let failed = false;
for (const run of runs(args)) {
  if (!existsSync(run.file))
    throw new Error(`no trace at ${run.file}`);
  const results = args.libs.map((lib) => runOne(lib, run));
  failed ||= results.some((r) => r.error || !r.ok);
  const cut = run.txns ? `, first ${run.txns} txns` : '';
  printTable(`${run.file.split('/').pop()} (${run.mode}${cut}; node ${process.version})`, results);
}
process.exit(failed ? 1 : 0);

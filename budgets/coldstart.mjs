// The cold-start budget: runs the coldstart program (coldstart.c) of one build and reports
// the best of RUNS cold starts as JSON. The snapshot (100,000 records) is made first by the
// same program, in a temporary folder. A cold start is timed from spawning the process to
// the line it prints once the snapshot is loaded and one write made; under WebAssembly the
// budget's figure is the program's own since_instantiate_ms instead, which leaves out node's
// start-up (a browser pays no such cost for the module) and which process_ms keeps.
//
//   node budgets/coldstart.mjs native|wasm BUILD_DIR
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const RUNS = 3;

export function coldstartCommand(platform, buildDir) {
  return platform === 'wasm'
    ? [process.execPath, join(buildDir, 'budgets', 'coldstart.js')]
    : [join(buildDir, 'budgets', 'coldstart')];
}

// One cold start: the child's JSON line and the milliseconds from spawn to it.
function startOnce(command, snapshot) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command[0], [...command.slice(1), snapshot],
                        { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '', lineAt;
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (lineAt === undefined && out.includes('\n')) lineAt = performance.now();
    });
    child.stderr.on('data', (chunk) => { err += chunk; });
    child.on('error', reject);
    child.on('close', (status) => {
      if (status !== 0 || lineAt === undefined)
        return reject(new Error(`${command.join(' ')} ${snapshot}: exit ${status}: ${err}`));
      resolve({ report: JSON.parse(out), processMs: lineAt - started });
    });
  });
}

export async function measureColdStart(platform, buildDir) {
  const command = coldstartCommand(platform, buildDir);
  const dir = mkdtempSync(join(tmpdir(), 'hypha-coldstart-'));
  try {
    const snapshot = join(dir, 'records.hypha');
    const made = spawnSync(command[0], [...command.slice(1), '--make', snapshot],
                           { encoding: 'utf8' });
    if (made.status !== 0)
      throw new Error(`${command.join(' ')} --make: exit ${made.status}: ${made.stderr}`);
    let best;
    for (let run = 0; run < RUNS; run++) {
      const { report, processMs } = await startOnce(command, snapshot);
      const coldMs = platform === 'wasm' ? report.since_instantiate_ms : processMs;
      if (best === undefined || coldMs < best.cold_start_ms)
        best = { cold_start_ms: coldMs, process_ms: processMs, ...report };
    }
    return { runs: RUNS, records: JSON.parse(made.stdout).records, ...best };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [platform, buildDir] = process.argv.slice(2);
  if (!['native', 'wasm'].includes(platform) || !buildDir) {
    console.error('Usage: node budgets/coldstart.mjs native|wasm BUILD_DIR');
    process.exit(2);
  }
  console.log(JSON.stringify(await measureColdStart(platform, buildDir), null, 2));
}

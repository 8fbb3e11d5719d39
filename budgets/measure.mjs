// Runs the programs that measure the budgets, for one platform and its build folder, and
// returns their outputs as one results object: { bench, coldstart, trace, size, nodebench,
// demobench }
// (budgets.json names figures by paths into it). Only the parts asked for are run.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { measureColdStart } from './coldstart.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
export const TRACE = 'tests/data/traces/automerge-paper.json.gz';
const TRACE_RUNS = 3;

function run(command, args, okStatuses = [0], env = process.env) {
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', env,
                                            maxBuffer: 64 << 20 });
  if (result.error || !okStatuses.includes(result.status))
    throw new Error(`${command} ${args.join(' ')}: ` +
                    `${result.error?.message ?? `exit ${result.status}`}\n${result.stderr}`);
  return result.stdout;
}

export function runBench(platform, buildDir, sections) {
  const [command, ...args] = platform === 'wasm'
    ? [process.execPath, join(buildDir, 'budgets', 'bench.js')]
    : [join(buildDir, 'budgets', 'bench')];
  return JSON.parse(run(command, [...args, ...sections]));
}

// Each figure is the best of TRACE_RUNS runs (the phases are independent). Natively `hypha
// trace`; in wasm budgets/trace.mjs, the same replay through the JS API of BUILD_DIR/pkg.
export function runTrace(platform, buildDir) {
  const [command, ...args] = platform === 'wasm'
    ? [process.execPath, join(root, 'budgets', 'trace.mjs')]
    : [join(buildDir, 'hypha'), 'trace'];
  const env = { ...process.env, HYPHA_PKG: join(buildDir, 'pkg') };
  const best = {};
  for (let i = 0; i < TRACE_RUNS; i++) {
    const figures = JSON.parse(run(command, [...args, TRACE, '--mode', 'remote'], [0], env));
    if (figures.ok !== true) throw new Error(`hypha trace ${TRACE}: not ok`);
    for (const [key, value] of Object.entries(figures))
      best[key] = typeof value === 'number' && key in best ? Math.min(best[key], value) : value;
  }
  return { runs: TRACE_RUNS, ...best };
}

// size-check prints a table; its "total RAW GZIP" line is the figure it judges.
export function runSizeCheck(buildDir) {
  const out = run(join(root, 'budgets', 'size-check'), [buildDir], [0, 1]);
  const total = /^\s*total\s+(\d+)\s+(\d+)/m.exec(out);
  if (!total) throw new Error(`budgets/size-check: no 'total RAW GZIP' line in:\n${out}`);
  return { total_raw_bytes: Number(total[1]), total_gzip_bytes: Number(total[2]) };
}

// The node benchmarks (node-bench.mjs, native only): real node processes over loopback.
// quick: the CI sizes, seconds instead of a minute or two.
export function runNodeBench(buildDir, quick) {
  const args = [join(root, 'budgets', 'node-bench.mjs'), '--build', buildDir];
  return JSON.parse(run(process.execPath, quick ? [...args, '--quick'] : args));
}

// The web demo's figures (demo-bench.mjs, wasm): the browser package of buildDir served by the
// native build's hypha, in Chromium.
export function runDemoBench(buildDir) {
  return JSON.parse(run(process.execPath, [join(root, 'budgets', 'demo-bench.mjs'),
                                           '--pkg', join(buildDir, 'pkg')]));
}

// roots: which parts to run ("bench", "coldstart", "trace", "size", "nodebench",
// "demobench"); sections:
// the bench's; quick: run the node benchmarks at their CI sizes.
export async function measurePlatform(platform, buildDir, roots, sections, { quick = false } = {}) {
  const results = { platform };
  const step = (what) => process.stderr.write(`==> ${platform}: ${what}\n`);
  if (roots.has('bench')) {
    step(`bench ${sections.join(' ')}`);
    results.bench = runBench(platform, buildDir, sections);
  }
  if (roots.has('coldstart')) {
    step('cold start');
    results.coldstart = await measureColdStart(platform, buildDir);
  }
  if (roots.has('trace')) {
    step(`trace ${TRACE} --mode remote (x${TRACE_RUNS})`);
    results.trace = runTrace(platform, buildDir);
  }
  if (roots.has('size')) {
    step('budgets/size-check');
    results.size = runSizeCheck(buildDir);
  }
  if (roots.has('nodebench')) {
    step(`node-bench${quick ? ' --quick' : ''}`);
    results.nodebench = runNodeBench(buildDir, quick);
  }
  if (roots.has('demobench')) {
    step('demo-bench');
    results.demobench = runDemoBench(buildDir);
  }
  return results;
}

// The instruction-count gate (DESIGN.md section 9): runs each fixed workload of the workload
// program under `valgrind --tool=callgrind`, counting only inside workload_measured, and fails
// when a count grows more than TOLERANCE over callgrind-baseline.json. Counts repeat exactly
// for a given build, so unlike timings this gate can be tight on a noisy machine.
//
//   node budgets/callgrind-gate.mjs WORKLOAD_PROGRAM [--valgrind PATH] [--update]
//
// --update records the counts measured now as the new baseline: for a change that makes the
// work bigger on purpose (or smaller: lock a gain in), or for a new compiler.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';

const TOLERANCE = 0.05;
const baselinePath = new URL('./callgrind-baseline.json', import.meta.url);

const args = process.argv.slice(2);
const update = args.includes('--update');
const valgrindAt = args.indexOf('--valgrind');
const valgrind = valgrindAt >= 0 ? args[valgrindAt + 1] : 'valgrind';
const program = args.find((arg, i) => !arg.startsWith('--') && (valgrindAt < 0 || i !== valgrindAt + 1));
if (!program) {
  console.error('Usage: node budgets/callgrind-gate.mjs WORKLOAD_PROGRAM [--valgrind PATH] [--update]');
  process.exit(2);
}
if (!valgrind || valgrind.endsWith('-NOTFOUND') ||
    spawnSync(valgrind, ['--version']).status !== 0) {
  console.error(`callgrind-gate: FAIL: valgrind not found ('${valgrind}'): install it ` +
                '(apt-get install valgrind; ./dev test installs it)');
  process.exit(1);
}

const build = execFileSync(program, ['--build'], { encoding: 'utf8' }).trim();
const names = execFileSync(program, ['--list'], { encoding: 'utf8' }).trim().split('\n');

// The same argv and an empty environment wherever the gate runs from: the stack's contents
// move stack buffers' alignment, and with it memcpy's instruction counts (by up to 0.1%).
function count(name, dir) {
  const out = join(dir, `callgrind.${name}`);
  const run = spawnSync(valgrind, ['--tool=callgrind', '--toggle-collect=workload_measured',
                                   `--callgrind-out-file=${out}`, `./${basename(program)}`, name],
                        { cwd: dirname(resolve(program)), env: {}, encoding: 'utf8' });
  if (run.status !== 0)
    throw new Error(`valgrind ${program} ${name}: exit ${run.status}\n${run.stderr}`);
  const totals = /^totals:\s+(\d+)/m.exec(readFileSync(out, 'utf8'));
  if (!totals) throw new Error(`no totals line in ${out}`);
  return Number(totals[1]);
}

const dir = mkdtempSync(join(tmpdir(), 'hypha-callgrind-'));
const counts = {};
try {
  for (const name of names) counts[name] = count(name, dir);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

if (update) {
  const baseline = {
    about: 'Instructions counted by callgrind inside workload_measured for each workload of ' +
           'budgets/workload.c, with the build they were counted on. budgets/callgrind-gate.mjs ' +
           `fails when one grows more than ${TOLERANCE * 100}%; see budgets/README.md to update.`,
    build,
    instructions: counts,
  };
  writeFileSync(baselinePath, `${JSON.stringify(baseline, null, 2)}\n`);
  console.log(`callgrind-gate: baseline written for ${build}:`, counts);
  process.exit(0);
}

const baseline = JSON.parse(readFileSync(baselinePath, 'utf8'));
const updateHint = 'node budgets/callgrind-gate.mjs build/native/budgets/workload --update';
if (baseline.build !== build) {
  console.error(`callgrind-gate: FAIL: the baseline was counted on "${baseline.build}", this ` +
                `build is "${build}": counts of different compilers do not compare. Record ` +
                `one for this build on purpose with: ${updateHint}`);
  process.exit(1);
}
const failures = [];
for (const name of new Set([...names, ...Object.keys(baseline.instructions)])) {
  const now = counts[name], then = baseline.instructions[name];
  if (now === undefined || then === undefined) {
    failures.push(`callgrind budget ${name}: ${now === undefined ? 'no longer a workload'
                  : 'not in the baseline'}; update the baseline: ${updateHint}`);
    continue;
  }
  const growth = now / then - 1;
  const line = `callgrind budget ${name}: ${now.toLocaleString('en-US')} instructions, ` +
               `baseline ${then.toLocaleString('en-US')} (${growth >= 0 ? '+' : ''}` +
               `${(growth * 100).toFixed(2)}%, limit +${TOLERANCE * 100}%)`;
  if (growth > TOLERANCE) failures.push(line);
  else console.log(`${line}: ok${growth < -TOLERANCE
    ? `; ${(-growth * 100).toFixed(1)}% fewer: lock the gain in with ${updateHint}` : ''}`);
}
for (const failure of failures) console.error(`FAIL: ${failure}`);
process.exit(failures.length ? 1 : 0);

// Runs a benchmark command (the arguments) and checks what it printed: exit status 0, one
// well-formed JSON object, every number in it finite and positive. Not a timing gate.
import { spawnSync } from 'node:child_process';

const [command, ...args] = process.argv.slice(2);
const run = spawnSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
if (run.error || run.status !== 0) {
  console.error(`check-bench-json: ${command} ${args.join(' ')} failed:`,
                run.error?.message ?? `exit status ${run.status}, signal ${run.signal}`);
  process.exit(1);
}

let report;
try {
  report = JSON.parse(run.stdout);
} catch (err) {
  console.error(`check-bench-json: not JSON (${err.message}):\n${run.stdout}`);
  process.exit(1);
}

const bad = [];
(function walk(value, path) {
  if (typeof value === 'number') {
    if (!(Number.isFinite(value) && value > 0)) bad.push(`${path} = ${value}`);
  } else if (value === null) {
    bad.push(`${path} = null`);
  } else if (typeof value === 'object') {
    for (const [key, member] of Object.entries(value)) walk(member, `${path}.${key}`);
  }
})(report, 'bench');
if (typeof report !== 'object' || Array.isArray(report) || bad.length > 0) {
  console.error(`check-bench-json: figures that are not positive numbers: ${bad.join(', ')}`);
  process.exit(1);
}
console.log(run.stdout.trimEnd());

// ./dev bench: measures every budget of budgets.json on native and on WebAssembly (node),
// prints one table (figure, platform, measured, seed limit and pass/fail, our target and
// met/not), and writes every figure with the raw program outputs to a JSON file.
//
//   node budgets/report.mjs [--native BUILD_DIR] [--wasm BUILD_DIR] [--out FILE]
//
// Defaults: build/native, build/wasm, budgets/results.json (machine-specific: not committed).
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

import { formatLimit, formatNumber, loadBudgets, measure, meets, rootsOf } from './budgets.mjs';
import { measurePlatform } from './measure.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const options = { native: `${root}build/native`, wasm: `${root}build/wasm`,
                  out: `${root}budgets/results.json` };
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i += 2) {
  const key = args[i].replace(/^--/, '');
  if (!(key in options) || args[i + 1] === undefined) {
    console.error('Usage: node budgets/report.mjs [--native DIR] [--wasm DIR] [--out FILE]');
    process.exit(2);
  }
  options[key] = args[i + 1];
}

const budgets = loadBudgets();
const platforms = ['native', 'wasm'];
// What each platform must run: a slowdown needs its figure measured natively too.
const roots = { native: new Set(), wasm: new Set() };
for (const b of budgets) {
  for (const p of b.platforms) for (const r of rootsOf(b)) roots[p].add(r);
  if (b.wasm_slowdown_of) for (const r of rootsOf(b)) roots.native.add(r);
}

const startLoad = loadavg();
const all = {};
for (const p of platforms) all[p] = await measurePlatform(p, options[p], roots[p], []);

// The slowdown of every rate both platforms measured, as the previous ./dev bench printed.
function slowdown(native, wasm, isRate) {
  const ratios = {};
  for (const [key, value] of Object.entries(native ?? {})) {
    if (wasm?.[key] === undefined) continue;
    const rate = isRate || key.includes('per_s');
    if (typeof value === 'object' && value !== null) {
      const inner = slowdown(value, wasm[key], rate);
      if (Object.keys(inner).length > 0) ratios[key] = inner;
    } else if (rate && typeof value === 'number') {
      ratios[key] = Number((value / wasm[key]).toFixed(2));
    }
  }
  return ratios;
}

const verdict = (limit, value) => (limit ? (meets(limit, value) ? 'pass' : 'FAIL') : '');
const rows = [];
const judged = [];
const pending = [];
for (const b of budgets) {
  for (const p of b.platforms) {
    if (b.unmeasured) {
      pending.push(`${b.id} (${p}): ${b.unmeasured}`);
      judged.push({ id: b.id, platform: p, unmeasured: b.unmeasured });
      rows.push([b.id, p, 'pending', formatLimit(b.seed, b.unit), b.seed ? '-' : '',
                 formatLimit(b.target, b.unit), b.target ? '-' : '']);
      continue;
    }
    const value = measure(b, p, all);
    if (value === undefined) throw new Error(`${b.id} (${p}): nothing measured`);
    judged.push({ id: b.id, platform: p, measured: value, unit: b.unit,
                  seed: b.seed && { ...b.seed, pass: meets(b.seed, value) },
                  target: b.target && { ...b.target, pass: meets(b.target, value) } });
    rows.push([b.id, p, `${formatNumber(value)} ${b.unit}`,
               formatLimit(b.seed, b.unit), verdict(b.seed, value),
               formatLimit(b.target, b.unit), verdict(b.target, value)]);
  }
}

const header = ['budget', 'platform', 'measured', 'seed limit', 'seed', 'our target', 'target'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
console.log(line(header));
console.log(line(widths.map((w) => '-'.repeat(w))));
for (const row of rows) console.log(line(row));

const count = (key, value) => judged.filter((j) => j[key] && j[key].pass === value).length;
console.log(`\nseed limits: ${count('seed', true)} pass, ${count('seed', false)} FAIL; ` +
            `our targets: ${count('target', true)} met, ${count('target', false)} not met; ` +
            `${pending.length} pending`);
console.log('pending (nothing measures them yet):');
for (const p of pending) console.log(`  ${p}`);

const results = {
  measured_at: new Date().toISOString(),
  machine: { cpus: cpus().length, cpu_model: cpus()[0]?.model,
             load_average_at_start: startLoad, load_average_at_end: loadavg() },
  budgets: judged,
  wasm_time_vs_native: slowdown(all.native.bench, all.wasm.bench, false),
  outputs: all,
};
writeFileSync(options.out, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nevery figure and the programs' outputs: ${options.out}`);

// The seed-limit gate (ctest budgets.seed_limits): measures, on one platform, every budget of
// budgets.json with a seed limit that this build's budget programs (bench, coldstart) measure,
// and fails naming each budget that misses its limit, with the figure measured and the limit,
// when its seed limit gates CI (ci_gate: true); the others are printed with the reason they do
// not gate. Our tighter targets are printed, not gated: CI machines are too noisy for them
// (the callgrind gate catches regressions).
//
//   node budgets/gate.mjs native|wasm BUILD_DIR [--node]
//
// --node: the node benchmarks (node-bench.mjs, real node processes) instead, at their quick
// sizes (ctest budgets.node_bench): the harness runs end to end, and the seed limits it
// measures are gated.
import { benchSections, formatLimit, formatNumber, loadBudgets, measure, meets, rootsOf }
  from './budgets.mjs';
import { measurePlatform } from './measure.mjs';

const [platform, buildDir, flag] = process.argv.slice(2);
const node = flag === '--node';
if (!['native', 'wasm'].includes(platform) || !buildDir || (flag !== undefined && !node)) {
  console.error('Usage: node budgets/gate.mjs native|wasm BUILD_DIR [--node]');
  process.exit(2);
}

// size-check and hypha trace are not budget programs of this build: ./dev test runs the one,
// and the other measures no seed limit. The node benchmarks have a test of their own.
const PROGRAMS = node ? ['nodebench'] : ['bench', 'coldstart'];
const measured = loadBudgets().filter((b) => b.seed && !b.unmeasured &&
                                             b.platforms.includes(platform) &&
                                             rootsOf(b).every((r) => PROGRAMS.includes(r)));
const roots = new Set(measured.flatMap(rootsOf));
const results = await measurePlatform(platform, buildDir, roots, benchSections(measured),
                                      { quick: node });

const failures = [];
for (const budget of measured) {
  const value = measure(budget, platform, { [platform]: results });
  const name = `budget ${budget.id} (${platform})`;
  if (value === undefined) {
    failures.push(`${name}: nothing measured at ${budget.member}`);
    continue;
  }
  const line = `${name}: measured ${formatNumber(value)} ${budget.unit}, seed limit ` +
               `${formatLimit(budget.seed, budget.unit)}`;
  const target = budget.target ? `; our target ${formatLimit(budget.target, budget.unit)}: ` +
                 `${meets(budget.target, value) ? 'met' : 'not met'}` : '';
  if (budget.ci_gate !== true)
    console.log(`${line}: ${meets(budget.seed, value) ? 'met' : 'NOT met'}, not gated: ` +
                budget.ci_gate);
  else if (meets(budget.seed, value)) console.log(`${line}: ok${target}`);
  else failures.push(`${line} (${budget.what})`);
}
for (const failure of failures) console.error(`FAIL: ${failure}`);
process.exit(failures.length ? 1 : 0);

// budgets.json, read and checked, and the one way a measured figure is judged against a
// limit: shared by report.mjs (./dev bench) and gate.mjs (the ctest gate), so the table and
// the gate can never disagree.
import { readFileSync } from 'node:fs';

const OPS = {
  '<': (value, limit) => value < limit,
  '<=': (value, limit) => value <= limit,
  '>': (value, limit) => value > limit,
  '>=': (value, limit) => value >= limit,
};
const BETTER_OPS = { lower: ['<', '<='], higher: ['>', '>='] };

// Every entry, after checking that it says what the README promises (a typo in budgets.json
// must stop the gate, not quietly drop a budget).
export function loadBudgets(path = new URL('./budgets.json', import.meta.url)) {
  const { budgets } = JSON.parse(readFileSync(path, 'utf8'));
  const ids = new Set();
  for (const b of budgets) {
    const where = `budgets.json: ${b.id ?? '(an entry without id)'}`;
    const sources = [b.member, b.wasm_slowdown_of, b.unmeasured].filter((s) => s !== undefined);
    if (!b.id || ids.has(b.id)) throw new Error(`${where}: missing or repeated id`);
    if (!b.what || !b.unit || !Array.isArray(b.platforms) || b.platforms.length === 0)
      throw new Error(`${where}: needs what, unit and platforms`);
    if (sources.length !== 1)
      throw new Error(`${where}: needs exactly one of member, wasm_slowdown_of, unmeasured`);
    if (!(b.better in BETTER_OPS)) throw new Error(`${where}: better is lower or higher`);
    for (const limit of [b.seed, b.target]) {
      if (limit === null) continue;
      if (!limit || !BETTER_OPS[b.better].includes(limit.op) ||
          typeof limit.limit !== 'number' || !limit.source)
        throw new Error(`${where}: a limit needs an op agreeing with 'better', a number, a source`);
    }
    if (b.ci_gate !== true && typeof b.ci_gate !== 'string')
      throw new Error(`${where}: ci_gate is true or the reason it is not`);
    if (b.ci_gate === true && (!b.seed || b.unmeasured))
      throw new Error(`${where}: only a measured seed limit can gate CI`);
    ids.add(b.id);
  }
  return budgets;
}

// The member at a dotted path ("bench.store.records_peak_mb") of one platform's results.
export function lookup(results, path) {
  let value = results;
  for (const key of path.split('.')) value = value?.[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

// The figure a budget judges on one platform, or undefined when that was not measured.
// all: { native: results, wasm: results }.
export function measure(budget, platform, all) {
  if (budget.member) return lookup(all[platform], budget.member);
  const { member, kind } = budget.wasm_slowdown_of;
  const native = lookup(all.native, member);
  const wasm = lookup(all.wasm, member);
  if (native === undefined || wasm === undefined) return undefined;
  return kind === 'rate' ? native / wasm : wasm / native;
}

// true when value meets limit ({op, limit}), null when there is no limit.
export function meets(limit, value) {
  return limit ? OPS[limit.op](value, limit.limit) : null;
}

// A figure as people read it: 3 significant digits below 1,000, whole numbers with
// thousands separated above.
export function formatNumber(value) {
  const rounded = Math.abs(value) >= 1000 ? Math.round(value) : Number(value.toPrecision(3));
  return rounded.toLocaleString('en-US', { maximumFractionDigits: 3 });
}

export function formatLimit(limit, unit) {
  return limit ? `${limit.op} ${formatNumber(limit.limit)} ${unit}` : '';
}

// The program outputs a budget needs ("bench", "coldstart", ...): its member's first key.
export function rootsOf(budget) {
  if (budget.unmeasured) return [];
  return [(budget.member ?? budget.wasm_slowdown_of.member).split('.')[0]];
}

// The bench sections a set of budgets reads ("bench.store.x" -> "store").
export function benchSections(budgets) {
  const sections = new Set();
  for (const b of budgets) {
    const member = b.member ?? b.wasm_slowdown_of?.member;
    if (member?.startsWith('bench.')) sections.add(member.split('.')[1]);
  }
  return [...sections];
}

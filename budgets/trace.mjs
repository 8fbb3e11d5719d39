// node budgets/trace.mjs FILE [--mode local|remote|concurrent]: replays an editing trace with
// hypha's WASM package and prints the JSON object `hypha trace` prints for the native build
// (budgets/README.md, "Comparing with the peers"). peak_bytes is the WebAssembly heap in use
// (what malloc holds) above its level before the replay, sampled every 1,024 txns.
import { loadTrace } from './peers/trace-file.mjs';
import { replay } from './peers/replay.mjs';
import * as hypha from './peers/hypha.mjs';

const args = process.argv.slice(2);
const modeAt = args.indexOf('--mode');
const mode = modeAt >= 0 ? args.splice(modeAt, 2)[1] : null;
if (args.length !== 1 || (modeAt >= 0 && !['local', 'remote', 'concurrent'].includes(mode))) {
  console.error('usage: node budgets/trace.mjs FILE [--mode local|remote|concurrent]');
  process.exit(2);
}
const trace = loadTrace(args[0]);
const result = replay(hypha, trace, mode ?? (trace.kind === 'concurrent' ? 'concurrent' : 'local'),
                        hypha.heapUsed);
const KEYS = ['trace', 'mode', 'txns', 'ops', 'apply_ms', 'save_ms', 'save_bytes', 'load_ms',
              'merge_ms', 'peak_bytes', 'final_len', 'ok'];
const round = (v) => (typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * 10) / 10 : v);
console.log(JSON.stringify(Object.fromEntries(KEYS.map((k) => [k, round(result[k])]))));
process.exit(result.ok ? 0 : 1);

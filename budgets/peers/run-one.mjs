// node --expose-gc budgets/peers/run-one.mjs LIBRARY TRACE MODE [TXNS]: replays TRACE with
// one library in this process alone (so memory figures are its own) and prints one JSON line.
import { loadTrace } from './trace-file.mjs';
import { replay } from './replay.mjs';

const [libName, path, mode, limit] = process.argv.slice(2);
const lib = await import(`./${libName}.mjs`);
const trace = loadTrace(path, limit ? Number(limit) : 0);
const result = replay(lib, trace, mode);
process.stdout.write(JSON.stringify(result) + '\n');
process.exit(result.ok ? 0 : 1);

// Reads an editing trace (../shared/traces/README.md): .json or .json.gz.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { basename } from 'node:path';

// The peers take positions in UTF-16 units and the traces give code points; the two agree
// only while no character lies outside the BMP, so such a trace is refused, not converted.
function checkBmpOnly(trace) {
  for (const txn of trace.txns)
    for (const [, , text] of txn.patches)
      if (/[\uD800-\uDFFF]/.test(text))
        throw new Error('trace has characters outside the BMP: positions would need converting');
}

// A sequential trace's text after its first `count` txns, for a truncated run.
function replayPlain(trace, count) {
  let text = trace.startContent ?? '';
  for (const txn of trace.txns.slice(0, count))
    for (const [pos, del, ins] of txn.patches)
      text = text.slice(0, pos) + ins + text.slice(pos + del);
  return text;
}

// { name, kind: 'sequential' | 'concurrent', txns, endContent, numAgents }; with limit, only
// the first `limit` txns of a sequential trace (endContent recomputed).
export function loadTrace(path, limit) {
  let bytes = readFileSync(path);
  if (path.endsWith('.gz'))
    bytes = gunzipSync(bytes);
  const trace = JSON.parse(bytes.toString('utf8'));
  checkBmpOnly(trace);
  const kind = trace.kind === 'concurrent' ? 'concurrent' : 'sequential';
  if (limit && limit < trace.txns.length) {
    if (kind === 'concurrent')
      throw new Error('a concurrent trace cannot be cut short: its merges name later txns');
    trace.endContent = replayPlain(trace, limit);
    trace.txns = trace.txns.slice(0, limit);
  }
  if ((trace.startContent ?? '') !== '')
    throw new Error('traces with a start content are not supported');
  return { name: basename(path), kind, txns: trace.txns, endContent: trace.endContent,
           numAgents: trace.numAgents ?? 1 };
}

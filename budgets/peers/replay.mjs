// Replays a trace through one library's adapter and measures it, printing the object
// `hypha trace` prints (docs: budgets/README.md, "Comparing with the peers").
//
// An adapter (yjs.mjs, automerge.mjs, loro.mjs, hypha.mjs) exports: create(agent, {updates}),
// edit(replica, patches) -> [replica, update of this txn or null], apply(replica, updates) ->
// replica, everything(replica) -> what a fresh replica merges to catch up, save(replica),
// load(bytes) and text(replica). Replicas may be immutable values: every call returns the
// one to use next.

// Memory as node sees it: the JS heap plus memory outside it (typed arrays, WebAssembly
// memories), less what was there before the run. Sampled, so a peak between samples is
// missed; garbage not yet collected counts until it is.
class Memory {
  // measure: the bytes in use now (default: node's heap and memory outside it).
  constructor(measure = Memory.node) {
    this.now = measure;
    Memory.collect();
    this.base = this.now();
    this.peak = 0;
  }
  // Buffers outside the heap are freed a collection after their owners: collect until the
  // figure settles (run with --expose-gc; without it every figure includes garbage).
  static collect() {
    for (let i = 0; i < 4 && globalThis.gc; i++)
      globalThis.gc();
  }
  static node() {
    const m = process.memoryUsage();
    return m.heapUsed + m.external;
  }
  sample() {
    this.peak = Math.max(this.peak, this.now() - this.base);
  }
  // What stays alive: collected first, so only what the replicas hold.
  retained() {
    Memory.collect();
    return Math.max(0, this.now() - this.base);
  }
}

const SAMPLE_EVERY = 1024;
const codePoints = (s) => [...s].length;

function timed(fn) {
  const start = process.hrtime.bigint();
  const value = fn();
  return [value, Number(process.hrtime.bigint() - start) / 1e6];
}

function replaySequential(lib, trace, memory) {
  let replica = lib.create(0);
  const [, applyMs] = timed(() => {
    trace.txns.forEach((txn, i) => {
      [replica] = lib.edit(replica, txn.patches);
      if (i % SAMPLE_EVERY === 0)
        memory.sample();
    });
  });
  return { replica, applyMs, agents: [replica] };
}

// One replica per agent; before each txn its agent's replica merges the updates of the txns
// its parents hold that it lacks (a walk from the parents that stops at what it has).
function replayConcurrent(lib, trace, memory) {
  const n = trace.txns.length;
  const replicas = Array.from({ length: trace.numAgents }, (_, a) => lib.create(a, { updates: true }));
  const has = Array.from({ length: trace.numAgents }, () => new Uint8Array(n));
  const updates = new Array(n);
  const [, applyMs] = timed(() => {
    trace.txns.forEach((txn, k) => {
      const a = txn.agent, held = has[a], need = [];
      const stack = [...txn.parents];
      while (stack.length) {
        const p = stack.pop();
        if (held[p])
          continue;
        held[p] = 1;
        need.push(p);
        stack.push(...trace.txns[p].parents);
      }
      if (need.length) {
        need.sort((x, y) => x - y); // txn order is causal order
        replicas[a] = lib.apply(replicas[a], need.map((p) => updates[p]));
      }
      [replicas[a], updates[k]] = lib.edit(replicas[a], txn.patches);
      held[k] = 1;
      if (k % SAMPLE_EVERY === 0)
        memory.sample();
    });
  });
  return { replica: null, applyMs, agents: replicas };
}

// measure: as for Memory.
export function replay(lib, trace, mode, measure) {
  const memory = new Memory(measure);
  const concurrent = trace.kind === 'concurrent';
  if (concurrent !== (mode === 'concurrent'))
    throw new Error(`mode ${mode} does not fit a ${trace.kind} trace`);
  const run = concurrent ? replayConcurrent(lib, trace, memory) : replaySequential(lib, trace, memory);
  memory.sample();
  let ok = true;
  const result = { trace: trace.name, mode, library: lib.name, txns: trace.txns.length,
                   ops: trace.txns.reduce((sum, t) => sum + t.patches.length, 0),
                   apply_ms: run.applyMs, save_ms: 0, save_bytes: 0, load_ms: 0, merge_ms: 0 };
  let merged = run.replica;
  if (mode !== 'local') {
    // A fresh replica merges everything every replica holds.
    const all = run.agents.map((r) => lib.everything(r));
    let fresh = lib.create(trace.numAgents);
    [fresh, result.merge_ms] = timed(() => lib.apply(fresh, all));
    memory.sample();
    merged = fresh;
    ok &&= lib.text(fresh) === trace.endContent;
  }
  if (!concurrent)
    ok &&= lib.text(run.replica) === trace.endContent;
  const [bytes, saveMs] = timed(() => lib.save(merged));
  result.save_ms = saveMs;
  result.save_bytes = bytes.length;
  if (mode !== 'local') {
    const [loaded, loadMs] = timed(() => lib.load(bytes));
    result.load_ms = loadMs;
    ok &&= lib.text(loaded) === trace.endContent;
    memory.sample();
  }
  result.peak_bytes = memory.peak;
  result.retained_bytes = memory.retained(); // run and merged still hold the replicas here
  result.final_len = codePoints(lib.text(merged));
  result.ok = ok;
  return result;
}

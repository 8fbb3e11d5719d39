// hypha's WASM package (build/wasm/pkg from the wasm preset, or $HYPHA_PKG): one Store per
// replica, the text in one text field, one transaction (one change) per txn.
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const pkg = process.env.HYPHA_PKG ?? fileURLToPath(new URL('../../build/wasm/pkg', import.meta.url));
const hypha = await import(pathToFileURL(join(pkg, 'index.mjs')).href);
export const { heapUsed } = hypha;

export const name = 'hypha';

// FugueMax breaks ties between concurrent inserts by actor key, and the concurrent trace's
// endContent puts lower-numbered agents first: agent k gets the k-th smallest key, as
// `hypha trace` does (budgets/README.md, "Concurrent replay").
const AGENTS = 64;
const LOADER = AGENTS; // the replica that loads a snapshot or merges everything
const seeds = Array.from({ length: AGENTS + 1 }, (_, k) => hypha.hash(new TextEncoder().encode(`hypha trace agent ${k}`)))
  .map((seed) => ({ seed, key: Buffer.from(hypha.publicKey(seed)).toString('hex') }))
  .sort((a, b) => (a.key < b.key ? -1 : 1))
  .map(({ seed }) => seed);

const FIELD = ['doc', 'trace', 'text'];

export function create(agent, { updates = false } = {}) {
  if (agent > AGENTS)
    throw new Error(`at most ${AGENTS} agents`);
  const store = hypha.Store.create({ actorSeed: seeds[agent] });
  return { store, text: store.text(...FIELD), updates };
}

export function edit(replica, patches) {
  const heads = replica.updates ? replica.store.heads() : null;
  replica.store.transact(() => {
    for (const [pos, del, ins] of patches) {
      if (del)
        replica.text.delete(pos, del);
      if (ins)
        replica.text.insert(pos, ins);
    }
  });
  return [replica, heads ? replica.store.changes(heads) : null];
}

export function apply(replica, updates) {
  for (const update of updates)
    replica.store.merge(update);
  return replica;
}

export const everything = (replica) => replica.store.changes();
export const save = (replica) => replica.store.save();
export function load(bytes) {
  const store = hypha.Store.load(bytes, { actorSeed: seeds[LOADER] });
  return { store, text: store.text(...FIELD), updates: false };
}
export const text = (replica) => replica.text.toString();

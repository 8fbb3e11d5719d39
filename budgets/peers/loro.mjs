// Loro (Fugue-based): a LoroDoc per replica, a LoroText named "text", one commit per txn.
import { LoroDoc } from 'loro-crdt';

// The agent that loads a snapshot: distinct from every writer's.
const LOADER = 0xfffe;

export const name = 'loro';

export function create(agent, { updates = false } = {}) {
  const doc = new LoroDoc();
  doc.setPeerId(BigInt(agent + 1));
  return { doc, text: doc.getText('text'), updates };
}

export function edit(replica, patches) {
  const before = replica.updates ? replica.doc.oplogVersion() : null;
  for (const [pos, del, ins] of patches) {
    if (del)
      replica.text.delete(pos, del);
    if (ins)
      replica.text.insert(pos, ins);
  }
  replica.doc.commit();
  const update = before ? replica.doc.export({ mode: 'update', from: before }) : null;
  return [replica, update];
}

export function apply(replica, updates) {
  replica.doc.importBatch(updates);
  return replica;
}

export const everything = (replica) => replica.doc.export({ mode: 'update' });
export const save = (replica) => replica.doc.export({ mode: 'snapshot' });
export const load = (bytes) => apply(create(LOADER), [bytes]);
export const text = (replica) => replica.text.toString();

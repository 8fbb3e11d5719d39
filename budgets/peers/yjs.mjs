// Yjs (YATA): one Y.Doc per replica, a Y.Text named "text", one transaction per txn.
import * as Y from 'yjs';

// The agent that loads a snapshot: distinct from every writer's.
const LOADER = 0xfffe;

export const name = 'yjs';

export function create(agent, { updates = false } = {}) {
  const doc = new Y.Doc();
  doc.clientID = agent + 1; // deterministic ties, like the other libraries' actor ids
  const replica = { doc, text: doc.getText('text'), last: null };
  if (updates)
    doc.on('update', (update) => { replica.last = update; });
  return replica;
}

export function edit(replica, patches) {
  replica.doc.transact(() => {
    for (const [pos, del, ins] of patches) {
      if (del)
        replica.text.delete(pos, del);
      if (ins)
        replica.text.insert(pos, ins);
    }
  });
  return [replica, replica.last];
}

export function apply(replica, updates) {
  replica.doc.transact(() => {
    for (const update of updates)
      Y.applyUpdate(replica.doc, update);
  });
  return replica;
}

export const everything = (replica) => Y.encodeStateAsUpdate(replica.doc);
export const save = (replica) => Y.encodeStateAsUpdate(replica.doc);
export const load = (bytes) => apply(create(LOADER), [bytes]);
export const text = (replica) => replica.text.toString();

// Automerge 3: immutable documents; the text is a string field spliced in place, one
// change per txn. Every replica starts from one shared document that creates the field, so
// that concurrent replicas edit the same text object.
import * as A from '@automerge/automerge';

export const name = 'automerge';

const actor = (agent) => (agent + 1).toString(16).padStart(32, '0');
let base = null;

export function create(agent) {
  if (base === null)
    base = A.save(A.change(A.init({ actor: actor(0xffff) }), (d) => { d.text = ''; }));
  return A.load(base, { actor: actor(agent) });
}

export function edit(doc, patches) {
  const next = A.change(doc, (d) => {
    for (const [pos, del, ins] of patches)
      A.splice(d, ['text'], pos, del, ins);
  });
  return [next, A.getLastLocalChange(next)];
}

export function apply(doc, updates) {
  const [next] = A.applyChanges(doc, updates.flat());
  return next;
}

export const everything = (doc) => A.getAllChanges(doc);
export const save = (doc) => A.save(doc);
export const load = (bytes) => A.load(bytes);
export const text = (doc) => doc.text;

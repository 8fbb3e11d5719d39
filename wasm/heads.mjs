// Heads, and bytes, as the persistence and the transports compare them: a store's heads name
// everything it holds, so two stores (or one store at two moments) with the same heads hold
// the same changes.
/** Bytes as lowercase hex digits. */
export const hex = (bytes) => Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');

/** A string naming a set of heads, the same whatever their order. */
export const headsKey = (heads) => heads.map(hex).sort().join(',');

export const sameHeads = (a, b) => a.length === b.length && headsKey(a) === headsKey(b);

/** Whether two byte arrays hold the same bytes. */
export const sameBytes = (a, b) => a.length === b.length && a.every((byte, i) => byte === b[i]);

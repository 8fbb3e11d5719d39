// The provisional change broadcast (docs/js.md, "The change broadcast"): one store's side of a
// medium on which every message reaches every other peer (a BroadcastChannel; a WebSocket to a
// relay).
// Until issue 5's sync protocol replaces it, a peer
// - says HELLO when the medium comes up, naming changes it holds; every peer answers with the
//   changes the newcomer lacks and with HEADS, to which the newcomer answers the same way, so
//   a new or reconnecting peer catches up both ways;
// - after local commits (and merges from elsewhere: another transport, another tab's
//   increments) sends CHANGES: what it holds beyond what the medium is known to hold;
// - merges CHANGES; when some wait for missing dependencies it sends HEADS to be sent what it
//   lacks, once per state, so a dependency nobody holds cannot start a loop.
// A merge that changes nothing sends nothing, so no batch echoes back.
import { Kind, decode, encodeChanges, encodeHashes } from './change-messages.mjs';
import { headsKey, sameHeads } from './heads.mjs';
import { Store } from './index.mjs';

// A change batch without changes: magic, version and two zero counts (docs/format.md).
const EMPTY_BATCH_LENGTH = 7;

export class ChangeBroadcast {
  #store;
  #send;
  #report;
  #known; // the heads of what the medium holds, as far as this peer sent or received it
  #askedWith = null; // headsKey of the heads last sent to ask for missing dependencies
  #linked = false;
  #sendQueued = false;
  #unsubscribe;

  /** send(bytes) puts a message on the medium while it is up; report(error) is told of
   * messages that cannot be used. */
  constructor(store, send, report) {
    if (!(store instanceof Store)) throw new TypeError('a transport needs a Store');
    this.#store = store;
    this.#send = send;
    this.#report = report;
    this.#known = store.heads();
    this.#unsubscribe = store.subscribe(() => this.#queueSend());
  }

  /** The medium is up: HELLO with our heads and those we last shared (the ones a peer is
   * likely to know, which bound what it sends back when it knows none of our heads). */
  linked() {
    if (this.#store.closed) return;
    this.#linked = true;
    const heads = this.#store.heads();
    const current = new Set(heads.map((head) => headsKey([head])));
    const shared = this.#known.filter((hash) => !current.has(headsKey([hash])));
    this.#send(encodeHashes(Kind.HELLO, [...heads, ...shared]));
    this.#known = heads;
  }

  /** The medium is down: commits wait for the next HELLO exchange. */
  unlinked() { this.#linked = false; }

  /** Stops following the store. */
  close() {
    this.#linked = false;
    this.#unsubscribe();
  }

  receive(bytes) {
    if (!this.#linked || this.#store.closed) return;
    try {
      const message = decode(bytes);
      if (!message) return;
      // What this peer holds and the medium lacks goes out first: afterwards the medium holds
      // all this peer holds, so a merge below can move #known to the store's heads.
      this.#sendNew();
      if (message.kind === Kind.CHANGES) {
        this.#merge(message.batch);
      } else {
        this.#answer(message.hashes);
        if (message.kind === Kind.HELLO)
          this.#send(encodeHashes(Kind.HEADS, this.#store.heads()));
      }
    } catch (error) {
      this.#report(error);
    }
  }

  // Commits come in bursts (a loop of edits): one message per burst.
  #queueSend() {
    if (this.#sendQueued) return;
    this.#sendQueued = true;
    queueMicrotask(() => {
      this.#sendQueued = false;
      try {
        this.#sendNew();
      } catch (error) {
        this.#report(error);
      }
    });
  }

  #sendNew() {
    if (!this.#linked || this.#store.closed) return;
    const heads = this.#store.heads();
    if (sameHeads(heads, this.#known)) return;
    this.#send(encodeChanges(this.#store.changes(this.#known)));
    this.#known = heads;
  }

  /** Sends what a peer holding these changes lacks, if anything. */
  #answer(hashes) {
    const batch = this.#store.changes(hashes);
    if (batch.length > EMPTY_BATCH_LENGTH) this.#send(encodeChanges(batch));
  }

  #merge(batch) {
    const complete = this.#store.merge(batch);
    const heads = this.#store.heads();
    this.#known = heads;
    if (complete) return;
    const key = headsKey(heads);
    if (key === this.#askedWith) return;
    this.#askedWith = key;
    this.#send(encodeHashes(Kind.HEADS, heads));
  }
}

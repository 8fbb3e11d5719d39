// The web demo's page (web-demo/README.md): a note, a task list and a credit ledger, each kept
// in IndexedDB, in step with this browser's other tabs (BroadcastChannel) and with the hypha
// node that serves the page (WebSocket), through the browser module's public API alone.
// config.json (written by web-demo/prepare) names the stores and the ledger's committee.
import { genesis, Ledger } from './pkg/index.mjs';
import { BroadcastChannelTransport, openPersistentStore, WebSocketTransport } from './pkg/sync.mjs';
import { bindLedger, shortKey } from './ledger.mjs';
import { bindNote } from './note.mjs';
import { bindTasks } from './tasks.mjs';

const $ = (id) => document.getElementById(id);
const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
const bytes = (text) => Uint8Array.from(text.match(/../g), (b) => parseInt(b, 16));

/** Shows text as the page's message, or hides the message for null. */
function say(text) {
  $('message').hidden = !text;
  $('message').textContent = text ?? '';
}

/**
 * This browser's identity: the seed of its ledger account, kept in localStorage, or null when
 * another tab holds it. One tab at a time writes as the identity (a Web Lock held while the tab
 * lives), because two tabs writing as one actor would fork its history: an equivocation.
 */
async function identity() {
  const held = await new Promise((resolve) => {
    navigator.locks.request('hypha-demo:identity', { ifAvailable: true }, (lock) => {
      resolve(lock !== null);
      return lock && new Promise(() => {}); // held until the tab goes away
    });
  });
  if (!held) return null;
  const saved = localStorage.getItem('hypha-demo:identity');
  if (saved) return bytes(saved);
  const seed = crypto.getRandomValues(new Uint8Array(32));
  localStorage.setItem('hypha-demo:identity', hex(seed));
  return seed;
}

/**
 * The store named name, loaded from IndexedDB and synced with the other tabs and the node.
 * edit(fn) runs a local edit and counts it as pending until the node holds all of the store.
 */
async function open(name, options) {
  const persistence = await openPersistentStore(name, options);
  const { store } = persistence;
  const synced = {
    store,
    tabs: new BroadcastChannelTransport(store, name),
    node: new WebSocketTransport(store, `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/`),
    pending: 0,
    edit(fn) {
      const result = fn();
      synced.pending++;
      return result;
    },
  };
  for (const source of [persistence, synced.tabs, synced.node])
    source.addEventListener('error', (event) => say(`${name}: ${event.error.message}`));
  return synced;
}

const config = await (await fetch('config.json')).json();
const seed = await identity();
const [workspace, credit] = await Promise.all([
  open(config.notes, { genesis: genesis({ name: config.notes }) }),
  open(config.ledger, {
    genesis: genesis({ name: config.ledger, committee: config.committee.map(bytes),
                       creditLimit: config.creditLimit }),
    ...(seed && { actorSeed: seed }),
  }),
]);
const me = seed && credit.store.actor;

bindNote($('note'), workspace.store, workspace.store.text('notes', 'main', 'body'), workspace.edit);
bindTasks({ form: $('task-form'), input: $('task-input'), list: $('task-list') }, workspace.store,
          workspace.edit);
const renderLedger = bindLedger({ form: $('spend-form'), to: $('spend-to'), amount: $('spend-amount'),
                                  balance: $('ledger-balance'), escrow: $('escrow'),
                                  accounts: $('accounts'), audit: $('audit'),
                                  checkpoint: $('checkpoint') },
                                Ledger.open(credit.store), me, config, credit.edit, say);

let online = true;
$('online-toggle').addEventListener('click', () => {
  online = !online;
  for (const { node } of [workspace, credit]) online ? node.connect() : node.disconnect();
  renderStatus();
});

let ledgerHeads = '';
const nodeWords = { connecting: 'connecting to the node', connected: 'node connected',
                    disconnected: 'node unreachable: working offline, edits are kept here and sent when it is back',
                    offline: 'offline (switched off): edits are kept here and sent when back online' };

/** The status bar, and the ledger when its heads moved. */
function renderStatus() {
  const tabs = workspace.tabs.peers.filter((peer) => peer.state === 'ready').length;
  const { status } = workspace.node;
  $('peer-count').textContent = String(tabs + (status === 'connected' ? 1 : 0));
  $('peer-detail').textContent = `(${tabs} other tab${tabs === 1 ? '' : 's'}; ${nodeWords[status]})`;
  $('online-toggle').textContent = online ? 'Go offline' : 'Go online';
  $('online-toggle').setAttribute('aria-pressed', String(!online));
  for (const synced of [workspace, credit]) if (synced.node.inSync) synced.pending = 0;
  $('pending').textContent = String(workspace.pending + credit.pending);
  $('heads').textContent = workspace.store.heads().map((head) => hex(head).slice(0, 8)).join(' ');
  $('identity').textContent = me ? shortKey(me) : 'view-only tab';
  $('identity').title = me ? hex(me) : 'another tab of this browser holds its identity';
  const heads = hex(credit.store.heads().flatMap((head) => [...head]));
  if (heads !== ledgerHeads) {
    ledgerHeads = heads;
    renderLedger();
  }
}

for (const { node } of [workspace, credit]) node.addEventListener('status', renderStatus);
setInterval(renderStatus, 250);
renderStatus();
performance.mark('hypha:interactive');

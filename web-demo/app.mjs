// The web demo's page (web-demo/README.md): a note, a task list and a credit ledger, each kept
// in IndexedDB, in step with this browser's other tabs (BroadcastChannel) and with the hypha
// node that serves the page (WebSocket), through the browser module's public API alone.
// The page's config (written into it by web-demo/prepare) names the stores and the ledger's
// committee.
// First: the identity is asked for while the browser module below loads (identity.mjs).
import { seed as identitySeed } from './identity.mjs';
import { genesis, Ledger } from 'hypha';
import { BroadcastChannelTransport, openPersistentStore, WebSocketTransport } from 'hypha/sync';
import { fromHex, hex } from './hex.mjs';
import { bindLedger, shortKey } from './ledger.mjs';
import { bindNote } from './note.mjs';
import { bindTasks } from './tasks.mjs';

const $ = (id) => document.getElementById(id);

/** Shows text as the page's message, or hides the message for null. */
function say(text) {
  $('message').hidden = !text;
  $('message').textContent = text ?? '';
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

const config = JSON.parse($('config').textContent);
const seed = await identitySeed;
const [workspace, credit] = await Promise.all([
  open(config.notes, { genesis: genesis({ name: config.notes }) }),
  open(config.ledger, {
    genesis: genesis({ name: config.ledger, committee: config.committee.map(fromHex),
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
                    offline: 'offline (switched off): edits are kept here and sent when back online',
                    refused: 'the node refused this workspace (the message says why): edits are kept here; switch offline and online to try again' };

/** Sets an element's text or attribute only when it changes: the status bar is redrawn four
 * times a second, and every write would make the browser lay the page out again, a cost that
 * lands on the keystrokes typed in between. */
function show(id, text, attribute) {
  const element = $(id);
  if (attribute ? element.getAttribute(attribute) !== text : element.textContent !== text)
    attribute ? element.setAttribute(attribute, text) : (element.textContent = text);
}

/** The status bar, and the ledger when its heads moved. */
function renderStatus() {
  const tabs = workspace.tabs.peers.filter((peer) => peer.state === 'ready').length;
  const { status } = workspace.node;
  show('peer-count', String(tabs + (status === 'connected' ? 1 : 0)));
  show('peer-detail', `(${tabs} other tab${tabs === 1 ? '' : 's'}; ${nodeWords[status]})`);
  show('online-toggle', online ? 'Go offline' : 'Go online');
  show('online-toggle', String(!online), 'aria-pressed');
  for (const synced of [workspace, credit]) if (synced.node.inSync) synced.pending = 0;
  show('pending', String(workspace.pending + credit.pending));
  show('heads', workspace.store.heads().map((head) => hex(head).slice(0, 8)).join(' '));
  show('identity', me ? shortKey(me) : 'view-only tab');
  show('identity', me ? hex(me) : 'another tab of this browser holds its identity', 'title');
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

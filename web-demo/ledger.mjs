// The credit panel: the ledger's accounts and balances, this device's escrow, a spend form,
// the audit's findings and the checkpoint status. The ledger's ops are changes of its store
// but no record fields, so no subscription hears of them: render() runs whenever the store's
// heads move (app.mjs).
import { fromHex, hex } from './hex.mjs';
import { HyphaError } from 'hypha';

/** A key as people read it: its first 8 hex digits. */
export const shortKey = (key) => `${hex(key).slice(0, 8)}…`;

const findingText = {
  overdraft: (f) => `overdraft: device ${shortKey(f.actor)} of account ${shortKey(f.account)} spent ${f.deficit} past its escrow`,
  equivocation: (f) => `equivocation: ${shortKey(f.actor)} wrote two different changes in one place of its history`,
  pastLimit: (f) => `past limit: account ${shortKey(f.account)} is ${f.deficit} below its credit limit`,
  checkpointConflict: (f) => `checkpoint conflict: member ${shortKey(f.actor)} signed two digests for epoch ${f.epoch}`,
  invalidOp: (f) => `invalid op by ${shortKey(f.actor)} (ignored)`,
};

/**
 * Binds the panel's elements to ledger. me is this tab's identity (the store's actor, whose
 * account it opens), or null in a tab that only shows the ledger (another tab of this browser
 * holds the identity); edit(fn) runs a local edit; say(text) shows a message.
 */
export function bindLedger(ui, ledger, me, { committee }, edit, say) {
  const quorum = 2 * ((committee.length - 1) / 3) + 1; // 2f + 1 of 3f + 1
  const myId = me && hex(me);
  if (me && !ledger.account(me)?.opened) edit(() => ledger.openAccount());

  ui.form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = ui.amount.value.trim();
    const amount = Number(text);
    if (!me) return say('This tab only shows the ledger: spend from the tab of this browser that holds its identity.');
    if (!ui.to.value) return say('Nobody to pay yet: another identity (a browser with the demo open) must open its account first.');
    if (!/^[0-9]+$/.test(text) || !Number.isSafeInteger(amount) || amount < 1)
      return say(`"${text}" is not an amount: type a whole number of credits, 1 or more.`);
    try {
      edit(() => ledger.spend(me, fromHex(ui.to.value), amount));
    } catch (error) {
      if (!(error instanceof HyphaError)) throw error;
      return say(error.codeName === 'INSUFFICIENT_ESCROW'
        ? `Not paid: ${amount} is more than this device's escrow (${ledger.rights(me, me)}).`
        : `Not paid: ${error.message}`);
    }
    ui.amount.value = '';
    say(null);
    render();
  });

  function render() {
    const accounts = ledger.accounts().map((key) => ({ key, id: hex(key), ...ledger.account(key) }))
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    const mine = me && ledger.account(me);
    ui.balance.textContent = String(mine?.balance ?? 0);
    ui.escrow.textContent = me ? String(ledger.rights(me, me)) : '(view-only tab)';
    ui.accounts.replaceChildren(...accounts.map((account) => {
      const row = document.createElement('tr');
      row.dataset.account = account.id;
      const who = `${shortKey(account.key)}${account.id === myId ? ' (you)' : ''}`;
      for (const text of [who, account.balance, account.limit]) row.insertCell().textContent = String(text);
      return row;
    }));
    const chosen = ui.to.value;
    ui.to.replaceChildren(...accounts.filter((a) => a.opened && a.id !== myId)
      .map((a) => Object.assign(document.createElement('option'), { value: a.id, textContent: shortKey(a.key) })));
    if (chosen) ui.to.value = chosen;
    const findings = ledger.audit();
    ui.audit.className = findings.length ? 'finding' : 'clean';
    ui.audit.replaceChildren(...(findings.length
      ? findings.map((f) => Object.assign(document.createElement('p'), { textContent: findingText[f.kind](f) }))
      : [Object.assign(document.createElement('p'), {
        textContent: 'Clean: no overdrafts, no equivocations, no conflicting checkpoints.' })]));
    const status = ledger.checkpointStatus();
    ui.checkpoint.textContent = Number(status.epoch) > 0
      ? `Epoch ${status.epoch} certified by ${status.signatures} members: ${status.confirmedOps} ops confirmed, ${status.disputedOps} disputed.`
      : `No certified checkpoint yet (${status.heldOps} ops held): members sign one once the ` +
        `ledger has been quiet for two seconds, and ${quorum} of the ${committee.length} must.`;
  }
  render();
  return render;
}

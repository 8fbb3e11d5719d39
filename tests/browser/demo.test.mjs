// The web demo (web-demo/, issue 7) in Chromium against a real `hypha node` serving it, as
// `./dev demo` does: two browser contexts (two devices, each its own profile and identity) edit
// the note and the tasks at once and converge; one goes offline, both edit, it comes back and
// both converge; a reload keeps everything; a spend in one shows in the other's ledger; a
// device cloned into a third context overspends offline and the audit says so; two tabs of one
// browser keep sharing edits with the node stopped. Each
// step leaves a screenshot in build/web-demo-screenshots/, with figures.json: navigation to
// interactive and the cost of a keystroke in a 100,000-character note. HYPHA_BIN names the
// native build's hypha (ctest sets it); the test skips without it.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { pkgDir } from '../js/support.mjs';
import { sleep } from '../js/sync-support.mjs';
import { executablePath, flags } from './chromium.mjs';
import { fillNote, interactive, paperNote, startDemo, typeTimed } from './demo-support.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = process.env.HYPHA_BIN ?? join(root, 'build/native/hypha');
const shots = join(root, 'build/web-demo-screenshots');
const skip = existsSync(bin) ? false : `no hypha binary at ${bin}: build the native preset first`;

/** Whether the characters of part appear in text in part's order (a subsequence). */
function inOrder(text, part) {
  let at = 0;
  for (const char of text) if (char === part[at]) at++;
  return at === part.length;
}

const byId = (id) => `[data-testid="${id}"]`;
const note = (page) => page.$eval(byId('note'), (view) => view.value);
const titles = (page) => page.$$eval(`${byId('task-item')} .title`, (inputs) => inputs.map((i) => i.value));
/** What a page shows of the workspace: the note and each task's title, done, votes and tags. */
const state = (page) => page.evaluate(() => ({
  note: document.querySelector('[data-testid="note"]').value,
  tasks: [...document.querySelectorAll('[data-testid="task-item"]')].map((li) => ({
    title: li.querySelector('.title').value, done: li.querySelector('[type=checkbox]').checked,
    votes: li.querySelector('button').textContent, tags: li.querySelector('span').textContent,
  })),
}));
/** Waits until both pages show the same workspace; returns it. */
async function converged(a, b, label) {
  let last;
  await until(async () => {
    last = [await state(a), await state(b)];
    return JSON.stringify(last[0]) === JSON.stringify(last[1]);
  }, 10_000, () => `${label}: ${JSON.stringify(last)}`);
  return last[0];
}
async function typeAt(page, where, text) {
  await page.click(byId('note'));
  await page.keyboard.press(where === 'start' ? 'Control+Home' : 'Control+End');
  await page.keyboard.type(text);
}
async function addTask(page, title) {
  await page.fill(byId('task-input'), title);
  await page.click(byId('task-add'));
}
/** The task item whose title is title. */
const item = async (page, title) => page.locator(byId('task-item')).nth((await titles(page)).indexOf(title));
/**
 * Fills page's note with text and waits until other shows it too (everything synced and
 * stored); then other goes offline while page types (typeTimed), since the two devices of
 * this test share two cores and other's relayout of the whole note at each edit it receives
 * would be timed as page's; then other comes back.
 */
async function keystrokes(page, other, text, label) {
  await fillNote(page, text);
  await converged(page, other, label);
  await other.click(byId('online-toggle'));
  const cost = await typeTimed(page);
  await other.click(byId('online-toggle'));
  return cost;
}

/** Waits until predicate() resolves true, polling for up to ms; what() says what failed. */
async function until(predicate, ms, what) {
  for (const started = Date.now(); Date.now() - started < ms; await sleep(20))
    if (await predicate()) return;
  assert.fail(`not after ${ms} ms: ${typeof what === 'function' ? await what() : what}`);
}

test('the web demo: two devices converge, offline and back, reload, a spend', { skip, timeout: 170_000 },
     async (t) => {
  // Each step's time goes to stderr, which ctest shows when the test fails: where it stopped.
  const began = Date.now();
  const progress = (what) => process.stderr.write(`${((Date.now() - began) / 1000).toFixed(1)} s: ${what}\n`);
  const dir = mkdtempSync(join(tmpdir(), 'hypha-web-demo-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(shots, { recursive: true });
  const demo = await startDemo(dir, bin, pkgDir);
  progress('the demo\'s three nodes run');
  t.after(demo.kill);
  const browser = await chromium.launch({ executablePath, headless: true, args: flags });
  t.after(() => browser.close());
  const errors = [];
  /** A page of the demo in context (a tab of that browser), or in a new context (a new device). */
  const open = async (context) => {
    context ??= await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    page.on('pageerror', (error) => errors.push(error));
    await page.goto(demo.origin);
    return page;
  };
  // What Chromium alone takes to show a page in a new profile, the floor under the demo's
  // first load (demo-support.mjs).
  const floorMs = [];
  for (let i = 0; i < 2; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${demo.origin}/floor.html`);
    floorMs.push(await interactive(page));
    await context.close();
  }
  progress('the floor page measured');
  const [a, b] = [await open(), await open()];
  const figures = { chromiumFloorMs: floorMs, firstLoadInteractiveMs: [await interactive(a), await interactive(b)] };
  let step = 0;
  const shoot = async (name, pages = { a, b }) => {
    step++;
    progress(name);
    for (const [who, page] of Object.entries(pages))
      await page.screenshot({ path: join(shots, `${String(step).padStart(2, '0')}-${name}-${who}.png`) });
  };
  await until(async () => await a.textContent(byId('peer-count')) === '1' &&
                      await b.textContent(byId('peer-count')) === '1', 10_000, 'both reach the node');
  await shoot('loaded');

  // Both edit the note and the tasks at once.
  await Promise.all([typeAt(a, 'start', 'Alpha writes first. '), typeAt(b, 'end', 'Bravo adds a line.')]);
  await Promise.all([addTask(a, 'buy milk'), addTask(b, 'fix the bike')]);
  let shown = await converged(a, b, 'concurrent edits');
  // Where the two sentences meet depends on how much of one a device had seen when its caret
  // went to the start or the end: only that both are there, each in its order, is certain.
  assert.equal(shown.note.length, 'Alpha writes first. Bravo adds a line.'.length, shown.note);
  assert.ok(inOrder(shown.note, 'Alpha writes first. '), shown.note);
  assert.ok(inOrder(shown.note, 'Bravo adds a line.'), shown.note);
  const together = shown.note;
  assert.deepEqual(shown.tasks.map((task) => task.title).sort(), ['buy milk', 'fix the bike']);
  await (await item(a, 'buy milk')).locator('[type=checkbox]').check();
  await (await item(b, 'buy milk')).locator('button >> nth=0').click();
  await (await item(b, 'buy milk')).locator('button >> nth=0').click();
  await (await item(b, 'fix the bike')).locator('.tag-input').fill('garage');
  await (await item(b, 'fix the bike')).locator('.tag-input').press('Enter');
  shown = await converged(a, b, 'task edits');
  assert.deepEqual(shown.tasks.find((task) => task.title === 'buy milk'),
                   { title: 'buy milk', done: true, votes: '▲ 2', tags: '' });
  assert.match(shown.tasks.find((task) => task.title === 'fix the bike').tags, /garage/);
  await shoot('converged');

  // a goes offline; both edit; a comes back.
  await a.click(byId('online-toggle'));
  await until(async () => await a.textContent(byId('peer-count')) === '0', 5_000, 'a offline');
  await Promise.all([typeAt(a, 'end', ' [a offline]'), typeAt(b, 'start', '[b online] ')]);
  await Promise.all([addTask(a, 'written offline'), addTask(b, 'written online')]);
  await (await item(a, 'fix the bike')).locator('.remove').click();
  await sleep(500);
  assert.ok(!(await titles(a)).includes('written online'), 'a is offline: b\'s task must not reach it');
  assert.notEqual(await a.textContent('#pending'), '0');
  await shoot('offline');
  await a.click(byId('online-toggle'));
  shown = await converged(a, b, 'after reconnecting');
  assert.ok(shown.note.startsWith('[b online] ') && shown.note.endsWith(' [a offline]') &&
            shown.note.includes(together),
            shown.note);
  assert.deepEqual(shown.tasks.map((task) => task.title).sort(), ['buy milk', 'written offline', 'written online']);
  await until(async () => await a.textContent('#pending') === '0', 5_000, 'a has nothing pending');
  await shoot('reconnected');

  // A reload keeps everything (IndexedDB), before the node has sent anything.
  await b.reload();
  figures.reloadInteractiveMs = await interactive(b);
  assert.deepEqual(await state(b), shown);
  await shoot('reloaded');

  // The ledger: a pays b; bad input first.
  const bKey = await b.getAttribute('#identity', 'title');
  await until(async () => (await a.$$eval(`${byId('spend-to')} option`, (o) => o.map((x) => x.value))).includes(bKey),
              10_000, 'b\'s account reaches a');
  await a.selectOption(byId('spend-to'), bKey);
  for (const [amount, message] of [['ten', /"ten" is not an amount/], ['500', /more than this device's escrow \(100\)/]]) {
    await a.fill(byId('spend-amount'), amount);
    await a.click(byId('spend-submit'));
    assert.match(await a.textContent('#message'), message);
    assert.equal(await a.inputValue(byId('spend-amount')), amount, 'the input is kept');
  }
  await a.fill(byId('spend-amount'), '30');
  await a.click(byId('spend-submit'));
  assert.equal(await a.textContent(byId('ledger-balance')), '-30');
  await until(async () => await b.textContent(byId('ledger-balance')) === '30', 10_000, 'the spend reaches b');
  assert.equal(await a.textContent('#escrow'), '70');
  assert.match(await b.textContent(byId('audit')), /^Clean/);
  await shoot('ledger');

  // A keystroke in a 100,000-character note, from the input event to the rendered frame
  // (note.mjs): in a real one (the LaTeX paper of tests/data/traces, 1,132 lines), then in
  // one line of 100,000 letters, the hardest for the browser to lay out.
  progress('timing keystrokes');
  const paper = paperNote();
  figures.keystrokeMs = {
    paper: await keystrokes(a, b, paper, 'the paper'),
    oneLine: await keystrokes(a, b, 'x'.repeat(100_000), 'one long line'),
  };
  // The floor: the same textarea, style sheet and text without hypha, in a tab of a's browser.
  const floor = await a.context().newPage();
  await floor.goto(`${demo.origin}/keystroke-floor.html`);
  figures.keystrokeFloorMs = {};
  for (const [name, text] of [['paper', paper], ['oneLine', 'x'.repeat(100_000)]]) {
    await fillNote(floor, text);
    figures.keystrokeFloorMs[name] = await typeTimed(floor);
  }
  await floor.close();
  // Deletions and a replaced selection, which the page places from the caret: b shows the
  // store's text, so a wrong edit would not converge.
  for (const key of ['Backspace', 'Backspace', 'Backspace', 'Shift+ArrowLeft', 'Shift+ArrowLeft', 'Z',
                     'Control+Backspace', 'Delete'])
    await a.keyboard.press(key);
  assert.equal((await converged(a, b, 'typing in a long note')).note,
               `${'x'.repeat(50_000)}typing in the ${'x'.repeat(49_999)}`);
  await shoot('long-note');

  // A cloned device: a third browser, c, learns the ledger, then takes a's identity (its seed
  // copied into c's localStorage) and reloads. a and c each spend 50 of a's escrow of 70
  // offline, where neither can tell; back online, every page's audit says what happened.
  const c = await open();
  const aKey = await a.getAttribute('#identity', 'title');
  const aBalance = `#accounts tr[data-account="${aKey}"] td:nth-child(2)`;
  await until(async () => await c.textContent(aBalance).catch(() => null) === '-30', 10_000,
              'a\'s spend reaches c');
  const seed = await a.evaluate(() => localStorage.getItem('hypha-demo:identity'));
  await c.evaluate((copied) => localStorage.setItem('hypha-demo:identity', copied), seed);
  await c.reload();
  await interactive(c);
  assert.equal(await c.getAttribute('#identity', 'title'), aKey, 'c writes as a now');
  assert.equal(await c.textContent('#escrow'), '70');
  for (const page of [a, c]) await page.click(byId('online-toggle'));
  await until(async () => await a.textContent(byId('peer-count')) === '0' &&
                      await c.textContent(byId('peer-count')) === '0', 5_000, 'a and c offline');
  for (const page of [a, c]) {
    await page.selectOption(byId('spend-to'), bKey);
    await page.fill(byId('spend-amount'), '50');
    await page.click(byId('spend-submit'));
    assert.equal(await page.textContent('#escrow'), '20');
    assert.match(await page.textContent(byId('audit')), /^Clean/, 'alone, each device looks honest');
  }
  await shoot('cloned-offline', { a, c });
  for (const page of [a, c]) await page.click(byId('online-toggle'));
  const who = `${aKey.slice(0, 8)}…`;
  for (const page of [a, b, c]) {
    let audit;
    await until(async () => {
      audit = await page.textContent(byId('audit'));
      return audit.includes(`overdraft: device ${who} of account ${who} spent 30 past its escrow`) &&
             audit.includes(`equivocation: ${who} wrote two different changes in one place of its history`);
    }, 10_000, () => `audit: ${audit}`);
    assert.equal(await page.getAttribute(byId('audit'), 'class'), 'finding');
  }
  await shoot('audit', { a, b, c });
  // The three members online (the node and members 1 and 2) certify a checkpoint, the audit's
  // findings and all, once the ledger has been quiet for two seconds.
  progress('waiting for a certified checkpoint');
  await until(async () => /^Epoch \d+ certified by 3 members/.test(await a.textContent('#checkpoint')),
              30_000, async () => `a's checkpoint: ${await a.textContent('#checkpoint')}`);
  await shoot('certified', { a, b, c });
  await c.context().close();

  // Two tabs of one browser share edits through BroadcastChannel when the node is gone.
  const a2 = await open(a.context());
  figures.secondTabInteractiveMs = await interactive(a2);
  await until(async () => await a2.textContent(byId('peer-count')) === '2', 10_000, 'a2 sees a and the node');
  assert.equal((await demo.stop()).code, 0, demo.log());
  for (const page of [a, a2])
    await until(async () => await page.textContent(byId('peer-count')) === '1' &&
                            /node unreachable/.test(await page.textContent('#peer-detail')),
                10_000, 'the node is gone, the other tab is not');
  await typeAt(a2, 'start', 'Written with the node stopped. ');
  await addTask(a, 'no node needed');
  shown = await converged(a, a2, 'tabs without the node');
  assert.ok(shown.note.startsWith('Written with the node stopped. '), shown.note.slice(0, 40));
  assert.ok(shown.tasks.some((task) => task.title === 'no node needed'));
  assert.ok(!(await note(b)).startsWith('Written with'), 'b is another device: without the node nothing reaches it');
  await shoot('tabs-node-stopped', { a, a2, b });

  writeFileSync(join(shots, 'figures.json'), `${JSON.stringify(figures, null, 2)}\n`);
  t.diagnostic(`figures: ${JSON.stringify(figures)}`);
  assert.deepEqual(errors, []);
});

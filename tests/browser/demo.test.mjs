// The web demo (web-demo/, issue 7) in Chromium against a real `hypha node` serving it, as
// `./dev demo` does: two browser contexts (two devices, each its own profile and identity) edit
// the note and the tasks at once and converge; one goes offline, both edit, it comes back and
// both converge; a reload keeps everything; a spend in one shows in the other's ledger. Each
// step leaves a screenshot in build/web-demo-screenshots/, with figures.json: navigation to
// interactive and the cost of a keystroke in a 100,000-character note. HYPHA_BIN names the
// native build's hypha (ctest sets it); the test skips without it.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { pkgDir } from '../js/support.mjs';
import { sleep } from '../js/sync-support.mjs';
import { executablePath, flags } from './chromium.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = process.env.HYPHA_BIN ?? join(root, 'build/native/hypha');
const shots = join(root, 'build/web-demo-screenshots');
const skip = existsSync(bin) ? false : `no hypha binary at ${bin}: build the native preset first`;

/** web-demo/prepare into dir, then `hypha node` serving it on a free port of 127.0.0.1. */
async function startDemoNode(t, dir) {
  execFileSync(join(root, 'web-demo/prepare'), [join(dir, 'data'), join(dir, 'web'), bin, pkgDir]);
  const node = spawn(bin, ['node', '--db', join(dir, 'data/hypha.db'), '--listen', '127.0.0.1:0',
                           '--web', join(dir, 'web'), '--committee-key', join(dir, 'data/member0.key')],
                     { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  node.stderr.setEncoding('utf8');
  node.stderr.on('data', (text) => { log += text; });
  t.after(() => node.exitCode === null && node.kill('SIGKILL'));
  for (const started = Date.now(); !/listening on 127\.0\.0\.1:\d+/.test(log); await sleep(10))
    if (Date.now() - started > 10_000 || node.exitCode !== null) assert.fail(`no node:\n${log}`);
  return {
    origin: `http://127.0.0.1:${log.match(/listening on 127\.0\.0\.1:(\d+)/)[1]}`,
    async stop() {
      node.kill('SIGTERM');
      assert.equal((await once(node, 'exit'))[0], 0, log);
    },
  };
}

const byId = (id) => `[data-testid="${id}"]`;
/** Milliseconds from navigation to the page's 'hypha:interactive' mark, once it is there. */
async function interactive(page) {
  await page.waitForFunction(() => performance.getEntriesByName('hypha:interactive').length > 0);
  return page.evaluate(() => performance.getEntriesByName('hypha:interactive')[0].startTime);
}
const note = (page) => page.inputValue(byId('note'));
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
/** Waits until predicate() resolves true, polling for up to ms; what() says what failed. */
async function until(predicate, ms, what) {
  for (const started = Date.now(); Date.now() - started < ms; await sleep(20))
    if (await predicate()) return;
  assert.fail(`not after ${ms} ms: ${typeof what === 'function' ? what() : what}`);
}

test('the web demo: two devices converge, offline and back, reload, a spend', { skip, timeout: 120_000 },
     async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hypha-web-demo-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(shots, { recursive: true });
  const node = await startDemoNode(t, dir);
  const browser = await chromium.launch({ executablePath, headless: true, args: flags });
  t.after(() => browser.close());
  const errors = [];
  const open = async () => {
    const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    page.on('pageerror', (error) => errors.push(error));
    await page.goto(node.origin);
    return page;
  };
  const [a, b] = [await open(), await open()];
  const figures = { firstLoadInteractiveMs: [await interactive(a), await interactive(b)] };
  let step = 0;
  const shoot = async (name) => {
    step++;
    for (const [who, page] of [['a', a], ['b', b]])
      await page.screenshot({ path: join(shots, `${String(step).padStart(2, '0')}-${name}-${who}.png`) });
  };
  await until(async () => await a.textContent(byId('peer-count')) === '1' &&
                      await b.textContent(byId('peer-count')) === '1', 10_000, 'both reach the node');
  await shoot('loaded');

  // Both edit the note and the tasks at once.
  await Promise.all([typeAt(a, 'start', 'Alpha writes first. '), typeAt(b, 'end', 'Bravo adds a line.')]);
  await Promise.all([addTask(a, 'buy milk'), addTask(b, 'fix the bike')]);
  let shown = await converged(a, b, 'concurrent edits');
  assert.match(shown.note, /Alpha writes first\. /);
  assert.match(shown.note, /Bravo adds a line\./);
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
            shown.note.includes('Alpha writes first. ') && shown.note.includes('Bravo adds a line.'),
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

  // A keystroke in a 100,000-character note: from the input event to the next frame.
  await a.fill(byId('note'), 'x'.repeat(100_000));
  await converged(a, b, 'a long note');
  await a.evaluate(() => {
    const textarea = document.querySelector('[data-testid="note"]');
    textarea.focus();
    textarea.setSelectionRange(50_000, 50_000);
    performance.clearMeasures('hypha:keystroke');
  });
  await a.keyboard.type('typing in the middle', { delay: 30 });
  const costs = await a.evaluate(() => performance.getEntriesByName('hypha:keystroke').map((m) => m.duration));
  costs.sort((x, y) => x - y);
  figures.keystrokeMs = { count: costs.length, median: costs[costs.length >> 1], max: costs.at(-1) };
  assert.equal((await converged(a, b, 'typing in a long note')).note.length, 100_000 + 'typing in the middle'.length);
  await shoot('long-note');

  writeFileSync(join(shots, 'figures.json'), `${JSON.stringify(figures, null, 2)}\n`);
  t.diagnostic(`figures: ${JSON.stringify(figures)}`);
  assert.deepEqual(errors, []);
  await node.stop();
});

// The web demo served as `./dev demo` serves it, and its two figures, for the demo's test
// (demo.test.mjs) and its benchmark (budgets/demo-bench.mjs): navigation to interactive, and
// a keystroke in a 100,000-character note; each beside its floor, what Chromium takes without
// hypha.
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { startNode, stopNode } from '../node/nodes.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** The note the keystrokes are timed in: the first 100,000 characters of the LaTeX paper of
 * the automerge-paper trace (1,132 lines). */
export const paperNote = () =>
  JSON.parse(gunzipSync(readFileSync(join(root, 'tests/data/traces/automerge-paper.json.gz'))))
    .endContent.slice(0, 100_000);

// Two pages written beside the demo's files. floor.html is interactive once parsed: what a
// page in a new profile costs before any of its own work. keystroke-floor.html is the demo's
// note view (<text-view>, its modules copied beside it), style sheet and layout alone, its
// keystrokes timed as the demo's are (keystroke-timing.mjs), with no store behind it.
const floorPages = {
  'floor.html': '<!doctype html><meta charset="utf-8"><title>floor</title><p>Chromium alone</p>' +
    '<script>performance.mark("hypha:interactive")</script>\n',
  'keystroke-floor.html': `<!doctype html><meta charset="utf-8"><link rel="stylesheet" href="style.css">
<main><section><text-view data-testid="note" id="note"></text-view></section>
<section></section><section></section></main>
<script type="module">
import { timeEdits } from './keystroke-timing.mjs';
import './text-view.mjs';
timeEdits(note, () => {});
</script>
`,
};
/** The demo's modules the floor page loads itself (the demo has them in its bundle). */
const viewModules = ['text-view.mjs', 'text-layout.mjs', 'edit-history.mjs', 'keystroke-timing.mjs'];

/**
 * web-demo/prepare into dir (with the floor pages), then what `./dev demo` runs: `hypha node`
 * (the binary bin) serving it on a free port of 127.0.0.1 as committee member 0, and members 1
 * and 2 in nodes of their own, syncing the ledger with it. { origin, stop() (the demo's node,
 * resolving with its exit), kill() (every node, at once) }.
 */
export async function startDemo(dir, bin, pkg) {
  execFileSync(join(root, 'web-demo/prepare'), [join(dir, 'data'), join(dir, 'web'), bin, pkg]);
  for (const [name, text] of Object.entries(floorPages)) writeFileSync(join(dir, 'web', name), text);
  for (const name of viewModules) copyFileSync(join(root, 'web-demo', name), join(dir, 'web', name));
  const nodes = [];
  const kill = () => {
    for (const { child } of nodes) if (child.exitCode === null) child.kill('SIGKILL');
  };
  try {
    nodes.push(await startNode(bin, dir, 'demo', [
      '--db', join(dir, 'data/hypha.db'), '--web', join(dir, 'web'),
      '--committee-key', join(dir, 'data/member0.key')]));
    for (const member of [1, 2]) {
      nodes.push(await startNode(bin, dir, `member${member}`, [
        '--db', join(dir, `data/member${member}.db`), '--peer', nodes[0].url,
        '--committee-key', join(dir, `data/member${member}.key`)]));
    }
  } catch (error) {
    kill();
    throw error;
  }
  return { origin: `http://127.0.0.1:${nodes[0].port}`, stop: () => stopNode(nodes[0]), kill,
           log: () => nodes[0].log() };
}

/**
 * Milliseconds from navigation to the page's 'hypha:interactive' mark, once it is there; fails
 * after ms. The page polls for it itself: playwright's waitForFunction would first inject its
 * own script, whose compiling competes with the page's start for the main thread (measured:
 * ~25 ms).
 */
export const interactive = (page, ms = 20_000) => page.evaluate((limit) => new Promise((resolve, reject) => {
  const deadline = performance.now() + limit;
  const poll = () => {
    const [mark] = performance.getEntriesByName('hypha:interactive');
    if (mark) resolve(mark.startTime);
    else if (performance.now() > deadline) reject(new Error(`not interactive after ${limit} ms`));
    else setTimeout(poll, 10);
  };
  poll();
}), ms);

/** { count, median, max } of milliseconds. */
export function summary(values) {
  const sorted = [...values].sort((x, y) => x - y);
  return { count: sorted.length, median: sorted[sorted.length >> 1], max: sorted.at(-1) };
}

/** Replaces the text of page's note with text as a user pasting it would: select all, insert. */
export async function fillNote(page, text) {
  await page.click('[data-testid="note"]');
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(text);
}

/**
 * Types count characters in the middle of page's note, 30 ms apart (a fast typist): what each
 * keystroke cost, as summary() gives it: latency, from the keydown to its frame rendered
 * ('hypha:keystroke'), and work, the page's handling and the frame's rendering alone
 * ('hypha:keystroke-work', note.mjs).
 */
export async function typeTimed(page, count = 20) {
  await page.evaluate(() => {
    const view = document.querySelector('[data-testid="note"]'); // a <text-view>, like a textarea
    view.focus();
    view.setSelectionRange(view.value.length >> 1, view.value.length >> 1);
    performance.clearMeasures();
  });
  await page.keyboard.type('typing in the middle of a long note, a fast typist at it '.slice(0, count),
                           { delay: 30 });
  await page.waitForFunction((n) => performance.getEntriesByName('hypha:keystroke-work').length >= n,
                             count);
  const [latency, work] = await page.evaluate(() => ['hypha:keystroke', 'hypha:keystroke-work']
    .map((name) => performance.getEntriesByName(name).map((m) => m.duration)));
  return { latency: summary(latency), work: summary(work) };
}

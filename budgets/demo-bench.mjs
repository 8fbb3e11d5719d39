// The web demo's figures (issue 7), measured over more runs than its test takes: navigation to
// interactive and a keystroke in a 100,000-character note, each beside its floor (the same
// measure of a page without hypha: tests/browser/demo-support.mjs). The demo is served as
// `./dev demo` serves it (three nodes, the page bundled by web-demo/prepare) to Debian's
// Chromium, headless. Prints one JSON object; budgets/measure.mjs runs it for ./dev bench
// (budgets.json's `demobench.*` members). budgets/README.md, "The web demo", defines each figure.
//
//   node budgets/demo-bench.mjs [--hypha PATH] [--pkg DIR] [--runs N]
//
// PATH (default build/native/hypha), DIR (default build/wasm/pkg): the node and the browser
// package to serve. N (default 10): new profiles loaded; each is also reloaded once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from '../tests/browser/node_modules/playwright-core/index.mjs';
import { executablePath, flags } from '../tests/browser/chromium.mjs';
import { fillNote, interactive, paperNote, startDemo, summary, typeTimed }
  from '../tests/browser/demo-support.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const options = { hypha: join(root, 'build/native/hypha'), pkg: join(root, 'build/wasm/pkg'), runs: 10 };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--hypha' && argv[i + 1]) options.hypha = resolve(argv[++i]);
  else if (argv[i] === '--pkg' && argv[i + 1]) options.pkg = resolve(argv[++i]);
  else if (argv[i] === '--runs' && Number(argv[i + 1]) >= 1) options.runs = Number(argv[++i]);
  else {
    console.error('Usage: node budgets/demo-bench.mjs [--hypha PATH] [--pkg DIR] [--runs N]');
    process.exit(2);
  }
}

const viewport = { width: 1400, height: 900 };
const dir = mkdtempSync(join(tmpdir(), 'hypha-demo-bench-'));
const demo = await startDemo(dir, options.hypha, options.pkg);
const browser = await chromium.launch({ executablePath, headless: true, args: flags });
try {
  // A browser's first context costs more than the next ones: not a figure of the page.
  await (await browser.newContext()).close();
  const times = { floor: [], first: [], reload: [] };
  for (let i = 0; i < options.runs; i++) {
    for (const [figure, path] of [['floor', '/floor.html'], ['first', '/']]) {
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      await page.goto(`${demo.origin}${path}`);
      times[figure].push(await interactive(page));
      if (figure === 'first') {
        await page.reload();
        times.reload.push(await interactive(page));
      }
      await context.close();
    }
  }

  // Keystrokes: one device alone, the note filled and stored (nothing pending) before typing.
  const note = paperNote();
  const keystrokes = {};
  const context = await browser.newContext({ viewport });
  for (const [figure, path] of [['demo', '/'], ['floor', '/keystroke-floor.html']]) {
    const page = await context.newPage();
    await page.goto(`${demo.origin}${path}`);
    if (figure === 'demo') await interactive(page);
    for (const [name, text] of [['paper', note], ['one_line', 'x'.repeat(100_000)]]) {
      await fillNote(page, text);
      if (figure === 'demo')
        await page.waitForFunction(() => document.getElementById('pending').textContent === '0');
      keystrokes[`${figure}_${name}`] = await typeTimed(page, 50);
    }
    await page.close();
  }
  await context.close();

  const round = (x) => Number(x.toFixed(1));
  const ms = (values) => {
    const { count, median, max } = summary(values);
    return { median_ms: round(median), min_ms: round(Math.min(...values)), max_ms: round(max), runs: count };
  };
  const typed = ({ latency, work }) => ({
    median_ms: round(latency.median), max_ms: round(latency.max), keystrokes: latency.count,
    work_median_ms: round(work.median), work_max_ms: round(work.max),
  });
  console.log(JSON.stringify({
    first_visit: ms(times.first),
    reload: ms(times.reload),
    floor: ms(times.floor),
    keystroke: Object.fromEntries(Object.entries(keystrokes).map(([k, v]) => [k, typed(v)])),
  }, null, 2));
} finally {
  await browser.close();
  demo.kill();
  rmSync(dir, { recursive: true, force: true });
}

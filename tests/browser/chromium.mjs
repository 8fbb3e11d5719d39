// Debian's Chromium (/usr/bin/chromium, or CHROMIUM), driven by playwright-core with the
// flags that work as root without a network (shared/TOOLCHAIN.md), each launch with a fresh
// profile, plus the test origin serving the package under test (tests/js/support.mjs's pkgDir)
// and the web demo's modules and style sheets (web-demo/, at /web-demo/).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { pkgDir } from '../js/support.mjs';
import { serve } from './server.mjs';

/** Chromium's command-line flags for these machines, and where it is. */
export const flags = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
export const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const demoDir = fileURLToPath(new URL('../../web-demo/', import.meta.url));

/**
 * A browser (one profile: its pages share IndexedDB and BroadcastChannels, as tabs do) and the
 * origin to load pages from, until close(). newPage() opens a tab at the origin; the pages'
 * uncaught errors land in pageErrors, for the tests to check.
 */
export async function launch() {
  const profile = await mkdtemp(join(tmpdir(), 'hypha-chromium-'));
  const server = await serve(pkgDir, demoDir);
  const context = await chromium.launchPersistentContext(profile, {
    executablePath, headless: true, args: flags,
  });
  const pageErrors = [];
  return {
    origin: server.origin,
    pageErrors,
    async newPage() {
      const page = await context.newPage();
      page.on('pageerror', (error) => pageErrors.push(error));
      await page.goto(`${server.origin}/`);
      return page;
    },
    async close() {
      await context.close();
      await server.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

// index.d.ts compiles, and fixtures/use-types.mts, everyday use of the API, type-checks
// against it under tsc --strict, importing the package by name as an application would.
// Skipped where TypeScript is not installed (Debian: node-typescript).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { pkgDir } from './support.mjs';

const tsc = spawnSync('tsc', ['--version'], { encoding: 'utf8' });

test('the declarations type-check an application', { skip: tsc.error && 'tsc is not installed' }, () => {
  const app = mkdtempSync(join(tmpdir(), 'hypha-types-'));
  try {
    mkdirSync(join(app, 'node_modules'));
    symlinkSync(pkgDir, join(app, 'node_modules', 'hypha'));
    copyFileSync(fileURLToPath(new URL('fixtures/use-types.mts', import.meta.url)), join(app, 'use.mts'));
    const run = spawnSync('tsc', ['--strict', '--noEmit', '--module', 'nodenext', '--moduleResolution',
                                  'nodenext', '--target', 'es2022', 'use.mts'],
                          { cwd: app, encoding: 'utf8' });
    assert.equal(run.stdout + run.stderr, '');
    assert.equal(run.status, 0);
  } finally {
    rmSync(app, { recursive: true });
  }
});

// The package as users get it: it imports in a fresh node process with no flags, from any
// working directory; package.json points at files that exist; each entry point's .d.ts
// (index for the store, sync for persistence and transports) declares exactly what its .mjs
// exports, and every public method of each class.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { pkgDir } from './support.mjs';

test('the package imports in a fresh node process without flags, from another directory', () => {
  const script = fileURLToPath(new URL('fixtures/import-package.mjs', import.meta.url));
  const run = spawnSync(process.execPath, [script, pkgDir], {
    cwd: tmpdir(),
    encoding: 'utf8',
    env: { PATH: process.env.PATH }, // no NODE_OPTIONS, no NODE_PATH
  });
  assert.equal(run.stderr, '');
  assert.equal(run.status, 0);
  assert.equal(run.stdout, 'imported 😀\n');
});

test('package.json: an ES module whose entry points and files exist', () => {
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  assert.equal(pkg.name, 'hypha');
  assert.equal(pkg.type, 'module');
  assert.match(pkg.version, /^\d+\.\d+\.\d+$/);
  const entries = Object.values(pkg.exports).flatMap((e) => (typeof e === 'string' ? [e] : [e.default, e.types]));
  for (const file of [...entries, pkg.types, ...pkg.files])
    assert.ok(existsSync(join(pkgDir, file)), `${file} is missing from the package`);
});

/** The names a .d.ts declares at its top level, and the members of each declared class. */
function declarations(file) {
  const source = readFileSync(join(pkgDir, file), 'utf8');
  const exported = new Set();
  const members = {};
  let current;
  for (const line of source.split('\n')) {
    const declared = line.match(/^export (?:declare )?(?:class|function|const) (\w+)/);
    if (declared) exported.add(declared[1]);
    const opened = line.match(/^export class (\w+)/);
    if (opened) members[current = opened[1]] = new Set();
    else if (/^}/.test(line)) current = undefined;
    const member = current && line.match(/^ {2}(?:static |readonly )?(\w+)[?<(:]/);
    if (member && member[1] !== 'constructor') members[current].add(member[1]);
  }
  return { exported, members };
}

/** What a class offers at runtime: its own prototype's and static members. */
function runtimeMembers(cls) {
  const names = new Set();
  for (let proto = cls.prototype; proto && proto !== Object.prototype && proto !== Error.prototype;
       proto = Object.getPrototypeOf(proto))
    for (const name of Object.getOwnPropertyNames(proto)) if (name !== 'constructor') names.add(name);
  for (const name of Object.getOwnPropertyNames(cls))
    if (!['length', 'name', 'prototype'].includes(name)) names.add(name);
  return names;
}

for (const entry of ['index', 'sync']) test(`${entry}.d.ts declares what ${entry}.mjs exports, and each class's members`, async () => {
  const hypha = await import(pathToFileURL(join(pkgDir, `${entry}.mjs`)).href);
  const { exported, members } = declarations(`${entry}.d.ts`);
  const runtime = new Set(Object.keys(hypha).filter((name) => typeof hypha[name] === 'function' ||
                                                               typeof hypha[name] === 'object'));
  assert.deepEqual([...exported].sort(), [...runtime].sort());
  for (const [name, declared] of Object.entries(members)) {
    const offered = runtimeMembers(hypha[name]);
    // Instance properties set in constructors (HyphaError's, Float64's) are declared too.
    const instance = name === 'HyphaError' ? ['code', 'codeName', 'offset', 'name']
      : name === 'Float64' ? ['value'] : [];
    for (const field of instance) offered.add(field);
    assert.deepEqual([...declared].sort(), [...offered].sort(), `class ${name}`);
  }
});

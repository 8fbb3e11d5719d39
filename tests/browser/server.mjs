// The browser tests' origin: a static server on 127.0.0.1 serving the package under test at
// /pkg/ (hypha.wasm as application/wasm, which WebAssembly.instantiateStreaming requires) and
// a blank page at /, from which the tests import /pkg/index.mjs; given the web demo's
// directory, also its modules and style sheets (.mjs and .css only) at /web-demo/, for the
// tests of its elements (text-view.test.mjs).
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { once } from 'node:events';
import { extname, join, normalize } from 'node:path';

const types = {
  '.mjs': 'text/javascript', '.js': 'text/javascript', '.wasm': 'application/wasm',
  '.map': 'application/json', '.json': 'application/json', '.ts': 'text/plain', '.css': 'text/css',
};
const page = '<!doctype html><meta charset="utf-8"><title>hypha browser test</title>';

/** Serves request from the first of mounts ({ prefix, dir, types: the extensions served, or
 * all }) whose prefix its path starts with. */
async function respond(mounts, request, response) {
  const { pathname } = new URL(request.url, 'http://localhost');
  if (pathname === '/') {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
    return;
  }
  const mount = mounts.find(({ prefix }) => pathname.startsWith(prefix));
  const file = mount && normalize(pathname.slice(mount.prefix.length));
  if (!mount || file.startsWith('..') || (mount.types && !mount.types.includes(extname(file)))) {
    response.writeHead(404).end();
    return;
  }
  try {
    const body = await readFile(join(mount.dir, file));
    response.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' })
      .end(body);
  } catch {
    response.writeHead(404).end();
  }
}

/** Serves pkgDir (and demoDir, if given) until close(); origin: the http://127.0.0.1:PORT the
 * pages are loaded from. */
export async function serve(pkgDir, demoDir) {
  const mounts = [{ prefix: '/pkg/', dir: pkgDir }];
  if (demoDir !== undefined) mounts.push({ prefix: '/web-demo/', dir: demoDir, types: ['.mjs', '.css'] });
  const server = createServer((request, response) => respond(mounts, request, response));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

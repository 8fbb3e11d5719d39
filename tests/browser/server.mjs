// The browser tests' origin: a static server on 127.0.0.1 serving the package under test at
// /pkg/ (hypha.wasm as application/wasm, which WebAssembly.instantiateStreaming requires) and
// a blank page at /, from which the tests import /pkg/index.mjs.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { once } from 'node:events';
import { extname, join, normalize } from 'node:path';

const types = {
  '.mjs': 'text/javascript', '.js': 'text/javascript', '.wasm': 'application/wasm',
  '.map': 'application/json', '.json': 'application/json', '.ts': 'text/plain',
};
const page = '<!doctype html><meta charset="utf-8"><title>hypha browser test</title>';

async function respond(pkgDir, request, response) {
  const { pathname } = new URL(request.url, 'http://localhost');
  if (pathname === '/') {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
    return;
  }
  const file = normalize(pathname.replace(/^\/pkg\//, ''));
  if (!pathname.startsWith('/pkg/') || file.startsWith('..')) {
    response.writeHead(404).end();
    return;
  }
  try {
    const body = await readFile(join(pkgDir, file));
    response.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' })
      .end(body);
  } catch {
    response.writeHead(404).end();
  }
}

/** Serves pkgDir until close(); origin: the http://127.0.0.1:PORT the pages are loaded from. */
export async function serve(pkgDir) {
  const server = createServer((request, response) => respond(pkgDir, request, response));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

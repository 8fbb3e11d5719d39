// Starts the WebAssembly module in browsers and in node alike. Emscripten's glue (hypha.mjs)
// is built for the web only, because its node branch needs CommonJS names an ES module lacks;
// it gets the module from here instead: read with node:fs under node (whose fetch cannot read
// file: URLs), streamed with fetch elsewhere.
import createModule from './hypha.mjs';

const wasmUrl = new URL('hypha.wasm', import.meta.url);

async function compile(imports) {
  if (typeof process === 'object' && process.versions?.node) {
    const { readFile } = await import('node:fs/promises');
    return WebAssembly.instantiate(await readFile(wasmUrl), imports);
  }
  const response = await fetch(wasmUrl);
  if (!response.ok) throw new Error(`hypha: cannot fetch ${wasmUrl}: HTTP ${response.status}`);
  // instantiateStreaming refuses a response served without the application/wasm type.
  if (response.headers.get('content-type') === 'application/wasm')
    return WebAssembly.instantiateStreaming(response, imports);
  return WebAssembly.instantiate(await response.arrayBuffer(), imports);
}

/** The Emscripten module: the C exports as `_hy_*`, the heap views as `HEAPU8` and so on. */
export const wasm = await new Promise((resolve, reject) => {
  createModule({
    instantiateWasm(imports, receive) {
      compile(imports).then(({ instance, module }) => receive(instance, module), reject);
      return {}; // the exports arrive through receive
    },
  }).then(resolve, reject);
});

// Emscripten 3.1.6's glue loads its .wasm with the global fetch() whenever one exists, and
// node 18+ has one that cannot read files ("Failed to parse URL"). Under node, hand the glue
// the module's bytes instead, from the .wasm next to this .js; browsers are not affected.
if (typeof process === 'object' && typeof require === 'function' && !Module['wasmBinary']) {
  Module['wasmBinary'] = require('fs').readFileSync(__filename.replace(/\.js$/, '.wasm'));
}

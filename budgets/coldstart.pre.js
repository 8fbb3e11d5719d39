// The cold start's zero under Emscripten: this runs before the glue reads and compiles the
// .wasm, so coldstart.c's since_instantiate_ms covers instantiation, the load and the write
// (node's own start-up, which a browser page does not pay for the module, is not in it).
Module['hyColdStartMs'] = performance.now();

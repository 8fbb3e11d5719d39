/* The wasm32 layouts docs/building.md gives hosts, which place these structs in the module's
 * memory by offset: a change to the header that moves a field fails the build here rather
 * than silently breaking hosts (the asserts are shared with the browser module). */
#include "../layouts.h"

// coldstart_since_start_ms() for coldstart.c: milliseconds since coldstart.pre.js ran.
mergeInto(LibraryManager.library, {
  coldstart_since_start_ms: function () {
    return performance.now() - Module['hyColdStartMs'];
  },
});

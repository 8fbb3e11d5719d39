/* The benchmark program: shared timing and JSON output, and its sections. The program
 * prints one JSON object with one member per section; a section is a function listed in the
 * table in bench.c, which measures and writes its own members. */
#ifndef HY_BENCH_H
#define HY_BENCH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct bench_config {
    bool quick;             /* a few iterations only: proves the program runs, times nothing */
    double target_seconds;  /* how long one measurement runs */
} bench_config;

/* A monotonic clock, in seconds. */
double bench_seconds(void);

/* Does the measured work `iterations` times over. */
typedef void (*bench_work_fn)(void *context, uint64_t iterations);

/* Operations per second of work: runs it with growing iteration counts (which also warms up
 * caches, branch predictors and the WebAssembly tiers) until one run lasts the target time,
 * then twice more at that count, and reports the fastest of the three. */
double bench_rate(const bench_config *config, bench_work_fn work, void *context);

/* Pretty-printed JSON, written as the values come. */
#define BENCH_JSON_MAX_DEPTH 8
typedef struct bench_json {
    FILE *out;
    int depth;
    bool has_members[BENCH_JSON_MAX_DEPTH];
} bench_json;

/* Opens an object: the root when key is NULL, else a member of the enclosing object. */
void bench_json_begin(bench_json *json, const char *key);
void bench_json_end(bench_json *json);
/* Numbers are written with 4 significant digits: more than the measurements' precision. */
void bench_json_number(bench_json *json, const char *key, double value);
/* value is written as is: callers pass plain text that needs no escaping. */
void bench_json_string(bench_json *json, const char *key, const char *value);
void bench_json_bool(bench_json *json, const char *key, bool value);

/* The sections. Each returns 0, or 1 after printing what went wrong on stderr. */
int bench_crypto(const bench_config *config, bench_json *json);
int bench_log(const bench_config *config, bench_json *json);
int bench_store(const bench_config *config, bench_json *json);
int bench_deflate(const bench_config *config, bench_json *json);
int bench_sync(const bench_config *config, bench_json *json);
int bench_ledger(const bench_config *config, bench_json *json);

#endif

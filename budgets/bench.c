/* The benchmark program: `bench [--quick] [SECTION]...` prints one JSON object with a
 * member per section (all of them when none is named). The same source runs natively, under
 * node (Emscripten) and under node:wasi, so that the figures compare across flavours. */
#include "bench.h"

#include <math.h>
#include <string.h>
#include <time.h>

#include "hypha.h"

#if defined(__EMSCRIPTEN__)
#define BENCH_PLATFORM "wasm"
#elif defined(__wasi__)
#define BENCH_PLATFORM "wasi"
#else
#define BENCH_PLATFORM "native"
#endif

typedef struct bench_section {
    const char *name;
    int (*run)(const bench_config *config, bench_json *json);
} bench_section;

/* Adding a section is one line here (and its declaration in bench.h). */
static const bench_section sections[] = {
    { "crypto", bench_crypto },
    { "log", bench_log },
    { "store", bench_store },
    { "deflate", bench_deflate },
    { "sync", bench_sync },
    { "ledger", bench_ledger },
};
#define SECTION_COUNT (sizeof sections / sizeof sections[0])

double bench_seconds(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec * 1e-9;
}

/* Runs of the calibrated length: the best is reported, since interference from the rest of
 * the machine only ever makes a run slower. */
#define BENCH_RUNS 3

static double time_work(bench_work_fn work, void *context, uint64_t iterations)
{
    double start = bench_seconds();
    work(context, iterations);
    return bench_seconds() - start;
}

double bench_rate(const bench_config *config, bench_work_fn work, void *context)
{
    uint64_t iterations = 1;
    double elapsed = time_work(work, context, iterations);
    while (elapsed < config->target_seconds && !config->quick) {
        /* Aim 20% past the target from the rate seen so far; at most 10x more at a time,
         * since the first runs are short enough for the timer's resolution to mislead. */
        double scale = elapsed > 0 ? 1.2 * config->target_seconds / elapsed : 10.0;
        iterations = (uint64_t)((double)iterations * (scale < 10.0 ? scale : 10.0)) + 1;
        elapsed = time_work(work, context, iterations);
    }
    for (int run = 1; run < BENCH_RUNS && !config->quick; run++) {
        double again = time_work(work, context, iterations);
        if (again < elapsed)
            elapsed = again;
    }
    /* A zero reading is possible only for --quick's single short run. */
    return (double)iterations / (elapsed > 0 ? elapsed : 1e-9);
}

/* ---- JSON ------------------------------------------------------------------------------ */

static void begin_member(bench_json *json, const char *key)
{
    if (json->depth > 0) {
        fputs(json->has_members[json->depth - 1] ? ",\n" : "\n", json->out);
        json->has_members[json->depth - 1] = true;
        fprintf(json->out, "%*s\"%s\": ", 2 * json->depth, "", key);
    }
}

void bench_json_begin(bench_json *json, const char *key)
{
    begin_member(json, key);
    fputc('{', json->out);
    json->has_members[json->depth++] = false;
}

void bench_json_end(bench_json *json)
{
    json->depth--;
    if (json->has_members[json->depth])
        fprintf(json->out, "\n%*s", 2 * json->depth, "");
    fputs(json->depth == 0 ? "}\n" : "}", json->out);
}

void bench_json_number(bench_json *json, const char *key, double value)
{
    begin_member(json, key);
    if (!isfinite(value))
        fputs("null", json->out); /* JSON has no NaN or infinity; the checker rejects null */
    else if (fabs(value) >= 100)
        fprintf(json->out, "%.0f", value);
    else
        fprintf(json->out, "%.3g", value);
}

void bench_json_string(bench_json *json, const char *key, const char *value)
{
    begin_member(json, key);
    fprintf(json->out, "\"%s\"", value);
}

void bench_json_bool(bench_json *json, const char *key, bool value)
{
    begin_member(json, key);
    fputs(value ? "true" : "false", json->out);
}

/* ---- main ------------------------------------------------------------------------------ */

static const bench_section *find_section(const char *name)
{
    for (size_t i = 0; i < SECTION_COUNT; i++) {
        if (strcmp(sections[i].name, name) == 0)
            return &sections[i];
    }
    return NULL;
}

static void print_usage(FILE *out)
{
    fputs("Usage: bench [--quick] [SECTION]...\n"
          "Prints one JSON object of measurements. --quick runs a few iterations only (a\n"
          "smoke test: its figures mean nothing). Sections (default: all):",
          out);
    for (size_t i = 0; i < SECTION_COUNT; i++)
        fprintf(out, " %s", sections[i].name);
    fputc('\n', out);
}

int main(int argc, char **argv)
{
    bench_config config = { .quick = false, .target_seconds = 0.2 };
    bool selected[SECTION_COUNT] = { false };
    bool any_selected = false;
    for (int i = 1; i < argc; i++) {
        const bench_section *section = find_section(argv[i]);
        if (strcmp(argv[i], "--quick") == 0) {
            config.quick = true;
        } else if (strcmp(argv[i], "--help") == 0) {
            print_usage(stdout);
            return 0;
        } else if (section != NULL) {
            selected[section - sections] = true;
            any_selected = true;
        } else {
            fprintf(stderr, "bench: unknown argument '%s'\n", argv[i]);
            print_usage(stderr);
            return 2;
        }
    }

    bench_json json = { .out = stdout };
    bench_json_begin(&json, NULL);
    bench_json_string(&json, "platform", BENCH_PLATFORM);
    char version[32];
    snprintf(version, sizeof version, "%d.%d.%d", HYPHA_VERSION_MAJOR, HYPHA_VERSION_MINOR,
             HYPHA_VERSION_PATCH);
    bench_json_string(&json, "hypha_version", version);
    bench_json_bool(&json, "quick", config.quick);
    int status = 0;
    for (size_t i = 0; i < SECTION_COUNT && status == 0; i++) {
        if (any_selected && !selected[i])
            continue;
        bench_json_begin(&json, sections[i].name);
        status = sections[i].run(&config, &json);
        bench_json_end(&json);
    }
    bench_json_end(&json);
    return status;
}

/* The cold-start budget's program. `coldstart --make FILE` writes the snapshot of 100,000
 * records of 3 fields (the memory budget's records); `coldstart FILE` is the cold start
 * itself: read the snapshot, load it (hy_store_load verifies every change), make one write,
 * then print one JSON line. What it cannot see, the time before main (exec, or instantiating
 * the WebAssembly module), is measured around it: by coldstart.mjs, which times the process
 * from spawn to that line, and under Emscripten by coldstart.pre.js, which notes the time
 * before the glue reads and compiles the module. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fixtures.h"

#define RECORDS 100000

#if defined(__EMSCRIPTEN__)
#define PLATFORM "wasm"
/* coldstart.lib.js: milliseconds since coldstart.pre.js ran. */
double coldstart_since_start_ms(void);
#else
#define PLATFORM "native"
#endif

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec * 1e-6;
}

static int fail(const char *what, hy_err err)
{
    fprintf(stderr, "coldstart: %s: %s\n", what, hy_err_str(err));
    return 1;
}

static int make(const char *path)
{
    fixture_env env;
    memset(&env, 0, sizeof env);
    hy_store *s = fixture_store(&env, 7);
    uint8_t *data = NULL;
    size_t len = 0;
    hy_err err = s ? fixture_write_records(s, RECORDS) : HY_E_NOMEM;
    if (err == HY_OK)
        err = hy_store_save(s, &data, &len);
    if (err)
        return fail("making the snapshot", err);
    FILE *f = fopen(path, "wb");
    int bad = f == NULL || fwrite(data, 1, len, f) != len;
    if (f != NULL && fclose(f) != 0)
        bad = 1;
    hy_store_buffer_free(s, data, len);
    hy_store_free(s);
    if (bad)
        return fprintf(stderr, "coldstart: cannot write %s\n", path), 1;
    printf("{\"records\": %d, \"snapshot_bytes\": %zu}\n", RECORDS, len);
    return 0;
}

/* The whole file in a malloc'd buffer; NULL on failure. */
static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *data = NULL;
    long size = -1;
    if (f != NULL && fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) > 0 &&
        fseek(f, 0, SEEK_SET) == 0 && (data = malloc((size_t)size)) != NULL &&
        fread(data, 1, (size_t)size, f) != (size_t)size) {
        free(data);
        data = NULL;
    }
    if (f != NULL)
        fclose(f);
    *len = size > 0 ? (size_t)size : 0;
    return data;
}

static int start(const char *path)
{
    double t0 = now_ms();
    size_t len;
    uint8_t *data = read_file(path, &len);
    if (data == NULL)
        return fprintf(stderr, "coldstart: cannot read %s\n", path), 1;
    double t1 = now_ms();
    fixture_env env;
    memset(&env, 0, sizeof env);
    hy_store_config cfg = fixture_config(&env, 11);
    hy_store *s = NULL;
    size_t err_offset = 0;
    hy_err err = hy_store_load(&cfg, data, len, &s, &err_offset);
    free(data);
    if (err)
        return fail("loading the snapshot", err);
    double t2 = now_ms();
    hy_value done = { .type = HY_TYPE_BOOL, .as.boolean = 1 };
    err = hy_put(s, "tasks", "r0", "done", &done);
    if (err)
        return fail("the first write", err);
    double t3 = now_ms();
    /* The line is the signal coldstart.mjs times: flushed before anything else happens. */
    printf("{\"platform\": \"%s\", \"snapshot_bytes\": %zu, \"read_ms\": %.2f, "
           "\"load_ms\": %.2f, \"write_ms\": %.3f",
           PLATFORM, len, t1 - t0, t2 - t1, t3 - t2);
#if defined(__EMSCRIPTEN__)
    printf(", \"since_instantiate_ms\": %.2f", coldstart_since_start_ms());
#endif
    printf("}\n");
    fflush(stdout);
    hy_store_free(s);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--make") == 0)
        return make(argv[2]);
    if (argc == 2 && argv[1][0] != '-')
        return start(argv[1]);
    fputs("Usage: coldstart --make SNAPSHOT   (write the 100,000-record snapshot)\n"
          "       coldstart SNAPSHOT          (the cold start: load it, write once, print JSON)\n",
          stderr);
    return 2;
}

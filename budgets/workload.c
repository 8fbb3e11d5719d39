/* Fixed workloads for the instruction-count gate (callgrind-gate.mjs). `workload NAME` sets
 * up, then runs the work that is counted inside workload_measured, which the gate names to
 * `valgrind --tool=callgrind --toggle-collect`: set-up and tear-down are not counted. Every
 * store runs on the fixtures' fixed platform, so a run repeats instruction for instruction.
 * `workload --list` prints the names; `workload --build` the compiler and build type that
 * the counts depend on. */
#include <stdio.h>
#include <string.h>

#include "fixtures.h"

#define KEYSTROKES 10000
#define MERGE_OPS 10000
#define RECORDS 10000

typedef struct workload_state {
    fixture_env env[2];
    hy_store *store[2];
    uint8_t *bytes; /* a batch or snapshot made by the set-up, freed through store[0] */
    size_t len;
} workload_state;

typedef hy_err (*phase_fn)(workload_state *w);

/* The only counted function. External and called through a volatile pointer, so that the
 * compiler can neither inline it nor fold its name away. */
hy_err workload_measured(phase_fn phase, workload_state *w);
hy_err workload_measured(phase_fn phase, workload_state *w)
{
    return phase(w);
}

static hy_err type_text(workload_state *w)
{
    return fixture_type_text(w->store[0], KEYSTROKES);
}

/* Into a fresh replica: what store[0] sent as w->bytes. */
static hy_err merge_into_fresh(workload_state *w)
{
    w->store[1] = fixture_store(&w->env[1], 2);
    return w->store[1] ? hy_store_merge(w->store[1], w->bytes, w->len) : HY_E_NOMEM;
}

static hy_err load_snapshot(workload_state *w)
{
    hy_store_config cfg = fixture_config(&w->env[1], 2);
    return hy_store_load(&cfg, w->bytes, w->len, &w->store[1], NULL);
}

static hy_err save_and_load(workload_state *w)
{
    hy_err err = hy_store_save(w->store[0], &w->bytes, &w->len);
    return err ? err : load_snapshot(w);
}

static hy_err setup_typed_changes(workload_state *w)
{
    hy_err err = type_text(w);
    return err ? err : hy_store_changes(w->store[0], NULL, 0, &w->bytes, &w->len);
}

static hy_err setup_one_op_changes(workload_state *w)
{
    hy_err err = fixture_write_ops(w->store[0], MERGE_OPS, 1);
    return err ? err : hy_store_changes(w->store[0], NULL, 0, &w->bytes, &w->len);
}

static hy_err write_records(workload_state *w)
{
    return fixture_write_records(w->store[0], RECORDS);
}

static hy_err setup_records_snapshot(workload_state *w)
{
    hy_err err = write_records(w);
    return err ? err : hy_store_save(w->store[0], &w->bytes, &w->len);
}

static hy_err setup_nothing(workload_state *w)
{
    (void)w;
    return HY_OK;
}

typedef struct workload {
    const char *name;
    const char *what;
    phase_fn setup, measured;
} workload;

static const workload workloads[] = {
    { "typing", "10,000 keystrokes typed into one text field, one change each",
      setup_nothing, type_text },
    { "merge_text", "those 10,000 keystroke changes merged into a fresh replica",
      setup_typed_changes, merge_into_fresh },
    { "merge_ops", "10,000 one-op register changes merged into a fresh replica",
      setup_one_op_changes, merge_into_fresh },
    { "save_load_text", "the typed store saved, and the snapshot loaded",
      type_text, save_and_load },
    { "write_records", "10,000 records of 3 fields written, 1,000 a change",
      setup_nothing, write_records },
    { "load_records", "a snapshot of 10,000 records of 3 fields loaded",
      setup_records_snapshot, load_snapshot },
};
#define WORKLOAD_COUNT (sizeof workloads / sizeof workloads[0])

static int run(const workload *wl)
{
    workload_state w;
    memset(&w, 0, sizeof w);
    w.store[0] = fixture_store(&w.env[0], 1);
    hy_err (*volatile measured)(phase_fn, workload_state *) = workload_measured;
    hy_err err = w.store[0] ? wl->setup(&w) : HY_E_NOMEM;
    if (err == HY_OK)
        err = measured(wl->measured, &w);
    hy_store_buffer_free(w.store[0], w.bytes, w.len);
    hy_store_free(w.store[0]);
    hy_store_free(w.store[1]);
    if (err)
        fprintf(stderr, "workload %s: %s\n", wl->name, hy_err_str(err));
    return err ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--build") == 0)
        return puts(WORKLOAD_BUILD) < 0;
    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (size_t i = 0; i < WORKLOAD_COUNT; i++)
            puts(workloads[i].name);
        return 0;
    }
    for (size_t i = 0; argc == 2 && i < WORKLOAD_COUNT; i++)
        if (strcmp(argv[1], workloads[i].name) == 0)
            return run(&workloads[i]);
    fputs("Usage: workload NAME | --list | --build\n", stderr);
    for (size_t i = 0; i < WORKLOAD_COUNT; i++)
        fprintf(stderr, "  %-15s %s\n", workloads[i].name, workloads[i].what);
    return 2;
}

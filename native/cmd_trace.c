/* trace: replays an editing trace through the record store and prints one JSON object of
 * figures, so that anyone can compare hypha with other engines on the same workload. */
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "cli.h"
#include "hypha.h"
#include "trace_file.h"
#include "trace_replay.h"

enum { TRACE_MODE };
static const cli_option trace_options[] = {
    [TRACE_MODE] = { "mode", "MODE", false,
                     "local, remote or concurrent (default: concurrent for a "
                     "concurrent trace, else local)" },
};
CLI_OPTIONS_FIT(trace_options);

typedef enum trace_mode { MODE_LOCAL, MODE_REMOTE, MODE_CONCURRENT } trace_mode;
static const char *const mode_names[] = { "local", "remote", "concurrent" };

static bool parse_mode(const char *name, trace_mode *mode)
{
    for (size_t i = 0; i < CLI_LEN(mode_names); i++) {
        if (strcmp(name, mode_names[i]) == 0) {
            *mode = (trace_mode)i;
            return true;
        }
    }
    return false;
}

/* Whether the mode fits the trace's kind; if not, says so. */
static bool mode_fits(trace_mode mode, const hy_trace *t, const char *path)
{
    bool concurrent = t->kind == HY_TRACE_CONCURRENT;
    if (concurrent == (mode == MODE_CONCURRENT))
        return true;
    if (concurrent) {
        cli_error("trace: %s is a concurrent trace (%lu agents): --mode %s replays one user's "
                  "edits in order; use --mode concurrent", path, (unsigned long)t->agent_count,
                  mode_names[mode]);
    } else {
        cli_error("trace: %s is a sequential trace (one user, no parents): --mode concurrent "
                  "takes a concurrent one; use --mode local or remote", path);
    }
    return false;
}

static int run_trace(const cli_args *args)
{
    const char *mode_name = args->values[TRACE_MODE];
    trace_mode mode = MODE_LOCAL;
    if (mode_name && !parse_mode(mode_name, &mode)) {
        cli_error("trace: --mode %s: expected local, remote or concurrent", mode_name);
        return CLI_EXIT_USAGE;
    }
    const char *path = cli_operand(args, 0);
    if (path == NULL) {
        cli_error("trace: no FILE (an editing trace, .json or .json.gz)");
        return CLI_EXIT_USAGE;
    }
    char err_text[256];
    hy_trace *t;
    hy_err err = hy_trace_load(path, hy_allocator_default(), &t, err_text, sizeof err_text);
    if (err) {
        cli_error("%s", err_text);
        return CLI_EXIT_FAILURE;
    }
    if (mode_name == NULL && t->kind == HY_TRACE_CONCURRENT)
        mode = MODE_CONCURRENT;
    if (!mode_fits(mode, t, path)) {
        hy_trace_free(t);
        return CLI_EXIT_FAILURE;
    }
    /* Every store of the replay allocates through one counter: peak_bytes is the engine's
     * peak over all of them together (the trace and the replay's own bookkeeping are not
     * counted). */
    hy_alloc_stats count = { 0, 0 };
    hy_platform platform = hy_platform_posix();
    hy_store_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.alloc = hy_allocator_counting(&count);
    cfg.platform = &platform;
    trace_figures f;
    memset(&f, 0, sizeof f);
    err = mode == MODE_CONCURRENT ? trace_replay_concurrent(t, &cfg, &f)
                                  : trace_replay_sequential(t, &cfg, mode == MODE_REMOTE, &f);
    if (err == HY_OK && !f.ok)
        cli_error("trace: a replica's final text differs from endContent");
    const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    printf("{\"trace\": \"%s\", \"mode\": \"%s\", \"txns\": %zu, \"ops\": %zu, "
           "\"apply_ms\": %.1f, \"save_ms\": %.1f, \"save_bytes\": %zu, \"load_ms\": %.1f, "
           "\"merge_ms\": %.1f, \"peak_bytes\": %zu, \"final_len\": %zu, \"ok\": %s}\n",
           name, mode_names[mode], t->txn_count, t->patch_count, f.apply_ms, f.save_ms,
           f.save_bytes, f.load_ms, f.merge_ms, count.peak, f.final_len,
           f.ok ? "true" : "false");
    hy_trace_free(t);
    return f.ok ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
}

const cli_command cli_cmd_trace = {
    .name = "trace",
    .operands_usage = "FILE",
    .summary = "Replay an editing trace through the store and print figures as JSON",
    .description =
        "Replay the editing trace FILE (.json or .json.gz, the format of the editing-traces\n"
        "collection) into one text field, one change per transaction, and print one JSON\n"
        "object: apply, save, load and merge times, saved size, the engine's peak memory,\n"
        "and whether the final text equals the trace's. --mode remote also merges all\n"
        "changes into a fresh replica and loads the snapshot. --mode concurrent replays a\n"
        "concurrent trace with one replica per agent, each txn made at the version its\n"
        "parents name, then merges every replica into a fresh one, saves and loads it.\n"
        "Exit status 1 if not ok.\n",
    .options = trace_options,
    .option_count = CLI_LEN(trace_options),
    .max_operands = 1,
    .run = run_trace,
};

/* trace: replays an editing trace through the record store and prints one JSON object of
 * figures, so that anyone can compare hypha with other engines on the same workload. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alloc.h"
#include "cli.h"
#include "hypha.h"
#include "trace_file.h"
#include "utf8.h"

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static const char *const C = "doc", *const K = "trace", *const F = "text";

/* UTF-8 of code points, in a buffer grown as needed. */
typedef struct utf8_buf {
    char *data;
    size_t cap;
} utf8_buf;

static size_t to_utf8(utf8_buf *b, const uint32_t *cps, size_t n)
{
    if (b->cap < 4 * n) {
        b->cap = 4 * n + 64;
        b->data = realloc(b->data, b->cap);
        if (b->data == NULL)
            return SIZE_MAX;
    }
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        len += hy_utf8_encode(cps[i], (uint8_t *)b->data + len);
    return len;
}

/* One change per txn, as local edits. */
static hy_err replay_local(hy_store *s, const hy_trace *t, utf8_buf *buf)
{
    for (size_t i = 0; i < t->txn_count; i++) {
        const hy_trace_txn *txn = &t->txns[i];
        bool several = txn->patch_count > 1;
        hy_err err = several ? hy_txn_begin(s) : HY_OK;
        for (uint32_t p = 0; err == HY_OK && p < txn->patch_count; p++) {
            const hy_trace_patch *patch = &t->patches[txn->first_patch + p];
            if (patch->del_count)
                err = hy_text_delete(s, C, K, F, patch->pos, patch->del_count);
            if (err == HY_OK && patch->ins_len) {
                size_t len = to_utf8(buf, t->text + patch->ins_start, patch->ins_len);
                err = len == SIZE_MAX ? HY_E_NOMEM
                                      : hy_text_insert(s, C, K, F, patch->pos, buf->data, len);
            }
        }
        if (several)
            err = err ? (hy_txn_rollback(s), err) : hy_txn_commit(s);
        if (err) {
            fprintf(stderr, "hypha: trace: txn %zu: %s\n", i, hy_err_str(err));
            return err;
        }
    }
    return HY_OK;
}

/* Whether the store's text is the trace's end content. */
static bool text_is(hy_store *s, const hy_trace *t, utf8_buf *want, size_t *final_len)
{
    size_t want_len = to_utf8(want, t->end_content, t->end_len), len = 0;
    if (want_len == SIZE_MAX || hy_text_len(s, C, K, F, final_len) != HY_OK)
        return false;
    char *got = malloc(want_len + 1);
    hy_err err = got ? hy_text_read(s, C, K, F, got, want_len + 1, &len) : HY_E_NOMEM;
    bool same = err == HY_OK && len == want_len && memcmp(got, want->data, len) == 0;
    free(got);
    return same;
}

enum { TRACE_MODE };
static const cli_option trace_options[] = {
    [TRACE_MODE] = { "mode", "MODE", false, "local (default) or remote" },
};
CLI_OPTIONS_FIT(trace_options);

static int run_trace(const cli_args *args)
{
    const char *mode = args->values[TRACE_MODE] ? args->values[TRACE_MODE] : "local";
    bool remote = strcmp(mode, "remote") == 0;
    if (!remote && strcmp(mode, "local") != 0) {
        fprintf(stderr, "hypha: trace: --mode %s: %s\n", mode,
                strcmp(mode, "concurrent") == 0 ? "not implemented yet"
                                                : "expected local or remote");
        return CLI_EXIT_USAGE;
    }
    const char *path = args->operands[0];
    char err_text[256];
    hy_trace *t;
    hy_err err = hy_trace_load(path, hy_allocator_default(), &t, err_text, sizeof err_text);
    if (err) {
        fprintf(stderr, "hypha: %s\n", err_text);
        return CLI_EXIT_FAILURE;
    }
    if (t->kind != HY_TRACE_SEQUENTIAL) {
        fprintf(stderr, "hypha: trace: %s is a concurrent trace: --mode concurrent is not "
                        "implemented yet\n", path);
        hy_trace_free(t);
        return CLI_EXIT_FAILURE;
    }
    hy_alloc_stats count = { 0, 0 };
    hy_platform platform = hy_platform_posix();
    hy_store_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.alloc = hy_allocator_counting(&count);
    cfg.platform = &platform;
    utf8_buf buf = { NULL, 0 }, want = { NULL, 0 };
    hy_store *s = NULL, *fresh = NULL, *loaded = NULL;
    uint8_t *saved = NULL, *batch = NULL;
    size_t saved_len = 0, batch_len = 0, final_len = 0;
    double apply_ms = 0, save_ms = 0, load_ms = 0, merge_ms = 0;

    err = hy_store_new(&cfg, &s);
    if (err == HY_OK && t->start_len) {
        size_t len = to_utf8(&buf, t->start_content, t->start_len);
        err = hy_text_insert(s, C, K, F, 0, buf.data, len);
    }
    double start = now_ms();
    if (err == HY_OK)
        err = replay_local(s, t, &buf);
    apply_ms = now_ms() - start;
    bool ok = err == HY_OK && text_is(s, t, &want, &final_len);
    start = now_ms();
    if (err == HY_OK)
        err = hy_store_save(s, &saved, &saved_len);
    save_ms = now_ms() - start;
    if (err == HY_OK && remote) {
        err = hy_store_changes(s, NULL, 0, &batch, &batch_len);
        if (err == HY_OK)
            err = hy_store_new(&cfg, &fresh);
        start = now_ms();
        if (err == HY_OK)
            err = hy_store_merge(fresh, batch, batch_len);
        merge_ms = now_ms() - start;
        start = now_ms();
        if (err == HY_OK)
            err = hy_store_load(&cfg, saved, saved_len, &loaded, NULL);
        load_ms = now_ms() - start;
        size_t len;
        ok = ok && err == HY_OK && text_is(fresh, t, &want, &len) && text_is(loaded, t, &want, &len);
    }
    if (err)
        fprintf(stderr, "hypha: trace: %s\n", hy_err_str(err));
    const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    printf("{\"trace\": \"%s\", \"mode\": \"%s\", \"txns\": %zu, \"ops\": %zu, "
           "\"apply_ms\": %.1f, \"save_ms\": %.1f, \"save_bytes\": %zu, \"load_ms\": %.1f, "
           "\"merge_ms\": %.1f, \"peak_bytes\": %zu, \"final_len\": %zu, \"ok\": %s}\n",
           name, mode, t->txn_count, t->patch_count, apply_ms, save_ms, saved_len, load_ms,
           merge_ms, count.peak, final_len, ok ? "true" : "false");
    if (batch)
        hy_store_buffer_free(s, batch, batch_len);
    if (saved)
        hy_store_buffer_free(s, saved, saved_len);
    hy_store_free(s);
    hy_store_free(fresh);
    hy_store_free(loaded);
    free(buf.data);
    free(want.data);
    hy_trace_free(t);
    return ok ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
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
        "changes into a fresh replica and loads the snapshot. Exit status 1 if not ok.\n",
    .options = trace_options,
    .option_count = CLI_LEN(trace_options),
    .max_operands = 1,
    .run = run_trace,
};

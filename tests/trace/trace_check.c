/* trace_check FILE: loads an editing trace (.json or .json.gz) and prints one line of JSON:
 *
 *   {"trace", "kind", "txns", "patches", "inserted", "deleted", "final_len", "load_ms",
 *    "replay_ms", "trace_bytes", "load_peak_bytes", "max_rss_kb", "check", "ok"}
 *
 * inserted and deleted count code points. trace_bytes is what the loaded trace holds and
 * load_peak_bytes the most the load held at once, both counted through the allocator (zlib's
 * own buffers and state, a few hundred KB, are not included); max_rss_kb is the process's peak resident
 * size, everything included. A sequential trace is replayed on the reference gap buffer
 * ("check": "replay"; final_len is the result's length, replay_ms its time); a concurrent
 * trace takes a CRDT, so only its structure is checked ("check": "structure"; final_len is
 * endContent's length). Exit status 0 when ok; errors go to stderr. */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "test_alloc.h"
#include "trace_file.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void print_json_string(const char *s)
{
    putchar('"');
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: trace_check FILE\n");
        return 2;
    }
    const char *path = argv[1];
    hy_test_alloc counts;
    hy_trace *trace;
    char err[256];
    double start = now_ms();
    hy_err result = hy_trace_load(path, hy_test_allocator(&counts), &trace, err, sizeof err);
    double load_ms = now_ms() - start;
    if (result != HY_OK) {
        fprintf(stderr, "trace_check: %s\n", err);
        return 1;
    }
    size_t trace_bytes = counts.live_bytes;
    size_t load_peak_bytes = counts.peak_bytes;

    bool sequential = trace->kind == HY_TRACE_SEQUENTIAL;
    bool ok = true;
    size_t final_len = trace->end_len;
    double replay_ms = 0;
    if (sequential) {
        final_len = 0;
        start = now_ms();
        ok = hy_trace_replay(trace, &final_len, err, sizeof err) == HY_OK;
        replay_ms = now_ms() - start;
        if (!ok)
            fprintf(stderr, "trace_check: %s: %s\n", path, err);
    }
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);

    const char *name = strrchr(path, '/');
    printf("{\"trace\":");
    print_json_string(name != NULL ? name + 1 : path);
    printf(",\"kind\":\"%s\",\"txns\":%zu,\"patches\":%zu,\"inserted\":%llu,\"deleted\":%llu,"
           "\"final_len\":%zu,\"load_ms\":%.1f,\"replay_ms\":%.1f,\"trace_bytes\":%zu,"
           "\"load_peak_bytes\":%zu,\"max_rss_kb\":%ld,\"check\":\"%s\",\"ok\":%s}\n",
           sequential ? "sequential" : "concurrent", trace->txn_count, trace->patch_count,
           (unsigned long long)trace->inserted_chars, (unsigned long long)trace->deleted_chars,
           final_len, load_ms, replay_ms, trace_bytes, load_peak_bytes, usage.ru_maxrss,
           sequential ? "replay" : "structure", ok ? "true" : "false");
    hy_trace_free(trace);
    return ok ? 0 : 1;
}

/* The node's log: one line per event on stderr, with a UTC timestamp, so that a supervisor
 * (systemd, docker) keeps it and a test can count the lines about one peer. */
#include "node.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static void log_line(const char *message, size_t len)
{
    char stamp[32] = "";
    struct timespec now;
    struct tm utc;
    if (clock_gettime(CLOCK_REALTIME, &now) == 0 && gmtime_r(&now.tv_sec, &utc) != NULL)
        strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ ", &utc);
    /* One fprintf per line: stderr is unbuffered, and lines from lws and ours must not mix. */
    fprintf(stderr, "%shypha node: %.*s\n", stamp, (int)len, message);
}

void node_log(const char *format, ...)
{
    char message[512];
    va_list ap;
    va_start(ap, format);
    int len = vsnprintf(message, sizeof message, format, ap);
    va_end(ap);
    if (len < 0)
        return;
    log_line(message, (size_t)len < sizeof message ? (size_t)len : sizeof message - 1);
}

static void lws_emit(int level, const char *line)
{
    (void)level;
    /* lws ends its lines with a newline and starts them with its own timestamp. */
    size_t len = strlen(line);
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        len--;
    char message[512];
    int n = snprintf(message, sizeof message, "lws: %.*s", (int)len, line);
    if (n > 0)
        log_line(message, (size_t)n < sizeof message ? (size_t)n : sizeof message - 1);
}

void node_log_route_lws(void)
{
    /* Errors only: lws reports every dropped peer at warning and notice level, and the node
     * logs one line per dropped peer itself, with the reason. */
    lws_set_log_level(LLL_ERR, lws_emit);
}

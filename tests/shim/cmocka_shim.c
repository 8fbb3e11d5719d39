#include "cmocka_shim.h"

#include <stdarg.h>

static const char *current_test = "?";

void hy_shim_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "[  FAILED  ] %s\n%s:%d: ", current_test, file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

int hy_shim_run(const char *group, const struct CMUnitTest *tests, size_t count)
{
    printf("[==========] %s: running %zu test(s).\n", group, count);
    for (size_t i = 0; i < count; i++) {
        current_test = tests[i].name;
        printf("[ RUN      ] %s\n", tests[i].name);
        tests[i].test_func(NULL);
        printf("[       OK ] %s\n", tests[i].name);
    }
    printf("[  PASSED  ] %zu test(s).\n", count);
    return 0;
}

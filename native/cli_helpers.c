/* Helpers every command shares: error lines, hex arguments and reading inputs. */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hex.h"

/* Big enough that reading costs few system calls, small enough for the stack. */
#define CLI_CHUNK_SIZE (64 * 1024)

const char *cli_operand(const cli_args *args, size_t index)
{
    return index < args->operand_count ? args->operands[index] : NULL;
}

void cli_error(const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    fputs("hypha: ", stderr);
    vfprintf(stderr, format, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int cli_decode_hex(uint8_t *out, size_t len, const char *option, const char *hex)
{
    size_t given = strlen(hex);
    if (given != 2 * len) {
        cli_error("--%s takes %zu hex digits (%zu bytes); got %zu characters", option,
                  2 * len, len, given);
        return CLI_EXIT_USAGE;
    }
    if (hy_hex_decode(out, len, hex) != HY_OK) {
        cli_error("--%s takes %zu hex digits (%zu bytes); it holds a character that is not "
                  "a hex digit", option, 2 * len, len);
        return CLI_EXIT_USAGE;
    }
    return CLI_EXIT_OK;
}

bool cli_parse_number(const char *text, uint64_t min, uint64_t max, uint64_t *out)
{
    uint64_t value = 0;
    if (text[0] == '\0')
        return false;
    for (const char *c = text; *c != '\0'; c++) {
        if (*c < '0' || *c > '9')
            return false;
        unsigned digit = (unsigned)(*c - '0');
        if (value > (UINT64_MAX - digit) / 10)
            return false;
        value = value * 10 + digit;
    }
    if (value < min || value > max)
        return false;
    *out = value;
    return true;
}

int cli_parse_count(const char *command, const char *option, const char *text, size_t min,
                    size_t max, size_t *out)
{
    uint64_t value;
    if (!cli_parse_number(text, min, max, &value)) {
        cli_error("%s: --%s takes a number from %zu to %zu", command, option, min, max);
        return CLI_EXIT_USAGE;
    }
    *out = (size_t)value;
    return CLI_EXIT_OK;
}

static bool is_stdin(const char *path)
{
    return path == NULL || strcmp(path, "-") == 0;
}

const char *cli_input_label(const char *path)
{
    return is_stdin(path) ? "standard input" : path;
}

int cli_read_chunks(const char *path, cli_chunk_fn consume, void *context)
{
    FILE *in = is_stdin(path) ? stdin : fopen(path, "rb");
    if (in == NULL) {
        cli_error("%s: %s", path, strerror(errno));
        return CLI_EXIT_FAILURE;
    }
    uint8_t chunk[CLI_CHUNK_SIZE];
    int status = CLI_EXIT_OK;
    size_t got;
    while (status == CLI_EXIT_OK && (got = fread(chunk, 1, sizeof chunk, in)) > 0)
        status = consume(context, chunk, got);
    /* fread sets errno on a failed read (EISDIR for a directory, EIO, ...). */
    if (status == CLI_EXIT_OK && ferror(in)) {
        cli_error("%s: %s", cli_input_label(path), strerror(errno));
        status = CLI_EXIT_FAILURE;
    }
    if (in != stdin)
        fclose(in);
    return status;
}

typedef struct growing_buffer {
    uint8_t *data;
    size_t len;
    size_t capacity;
    const char *label;
} growing_buffer;

static int append_chunk(void *context, const uint8_t *chunk, size_t len)
{
    growing_buffer *buffer = context;
    if (len > buffer->capacity - buffer->len) {
        size_t capacity = buffer->capacity;
        while (len > capacity - buffer->len) {
            if (capacity > SIZE_MAX / 2) {
                cli_error("%s: too large to hold in memory", buffer->label);
                return CLI_EXIT_FAILURE;
            }
            capacity *= 2;
        }
        uint8_t *grown = realloc(buffer->data, capacity);
        if (grown == NULL) {
            cli_error("%s: out of memory reading it (%zu bytes so far)", buffer->label,
                      buffer->len);
            return CLI_EXIT_FAILURE;
        }
        buffer->data = grown;
        buffer->capacity = capacity;
    }
    memcpy(buffer->data + buffer->len, chunk, len);
    buffer->len += len;
    return CLI_EXIT_OK;
}

int cli_read_all(const char *path, uint8_t **data, size_t *len)
{
    /* Allocated up front so that even an empty input yields a real buffer for the APIs. */
    growing_buffer buffer = { malloc(CLI_CHUNK_SIZE), 0, CLI_CHUNK_SIZE, cli_input_label(path) };
    if (buffer.data == NULL) {
        cli_error("out of memory");
        return CLI_EXIT_FAILURE;
    }
    int status = cli_read_chunks(path, append_chunk, &buffer);
    if (status != CLI_EXIT_OK) {
        free(buffer.data);
        return status;
    }
    *data = buffer.data;
    *len = buffer.len;
    return CLI_EXIT_OK;
}

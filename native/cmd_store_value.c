/* Register values on the command line: VALUE of `hypha put` in, `hypha get` out. */
#include "cmd_store.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "utf8.h"
#include "vec.h"

/* A JSON string's code points, as UTF-8 in a new buffer. */
static int utf8_of_code_points(const hy_vec *code_points, hy_value *out, char **owned)
{
    char *text = malloc(4 * code_points->len + 1);
    if (text == NULL) {
        cli_error("out of memory");
        return CLI_EXIT_FAILURE;
    }
    size_t len = 0;
    for (size_t i = 0; i < code_points->len; i++)
        len += hy_utf8_encode(HY_VEC_AT(code_points, uint32_t, i), (uint8_t *)text + len);
    *owned = text;
    out->type = HY_TYPE_STRING;
    out->as.bytes.data = (const uint8_t *)text;
    out->as.bytes.len = len;
    return CLI_EXIT_OK;
}

/* A JSON number (its grammar already checked): an integer when it has neither fraction nor
 * exponent and fits int64_t, otherwise a double. */
static int number_value(const char *text, hy_value *out)
{
    errno = 0;
    if (strpbrk(text, ".eE") == NULL) {
        long long integer = strtoll(text, NULL, 10);
        if (errno == 0) {
            out->type = HY_TYPE_INT;
            out->as.integer = integer;
            return CLI_EXIT_OK;
        }
        errno = 0; /* beyond int64_t: a double, as JSON readers take it */
    }
    double number = strtod(text, NULL);
    if (errno == ERANGE && isinf(number)) {
        cli_error("VALUE %s is beyond the range of a number (quote it as a JSON string to "
                  "store the text)", text);
        return CLI_EXIT_USAGE;
    }
    out->type = HY_TYPE_DOUBLE;
    out->as.number = number;
    return CLI_EXIT_OK;
}

/* The value of text when it is exactly one JSON scalar: CLI_EXIT_OK and *matched true; false
 * when it is not (then it is a plain string). */
static int json_scalar(const char *text, hy_value *out, char **owned, bool *matched)
{
    *matched = false;
    size_t len = strlen(text);
    /* JSON allows white space around a value; a VALUE with it is taken as typed. */
    if (len == 0 || strchr(" \t\r\n", text[0]) != NULL || strchr(" \t\r\n", text[len - 1]) != NULL)
        return CLI_EXIT_OK;
    json_reader r;
    json_reader_init_memory(&r, (const uint8_t *)text, len, hy_allocator_default());
    json_type type = json_peek(&r);
    if (type == JSON_STRING) {
        hy_vec code_points;
        hy_vec_init(&code_points, sizeof(uint32_t));
        int status = CLI_EXIT_OK;
        if (json_read_string(&r, &code_points) && json_expect_end(&r)) {
            *matched = true;
            status = utf8_of_code_points(&code_points, out, owned);
        }
        hy_vec_free(&code_points, &r.alloc);
        return status;
    }
    if (type != JSON_NUMBER && type != JSON_TRUE && type != JSON_FALSE && type != JSON_NULL)
        return CLI_EXIT_OK;
    if (!json_skip_value(&r) || !json_expect_end(&r))
        return CLI_EXIT_OK;
    *matched = true;
    if (type == JSON_NUMBER)
        return number_value(text, out);
    out->type = type == JSON_NULL ? HY_TYPE_NULL : HY_TYPE_BOOL;
    out->as.boolean = type == JSON_TRUE;
    return CLI_EXIT_OK;
}

int store_cli_parse_value(const char *text, hy_value *out, char **owned)
{
    *owned = NULL;
    bool matched;
    int status = json_scalar(text, out, owned, &matched);
    if (status != CLI_EXIT_OK || matched)
        return status;
    size_t len = strlen(text);
    if (!hy_utf8_valid((const uint8_t *)text, len)) {
        cli_error("VALUE is not valid UTF-8");
        return CLI_EXIT_USAGE;
    }
    out->type = HY_TYPE_STRING;
    out->as.bytes.data = (const uint8_t *)text;
    out->as.bytes.len = len;
    return CLI_EXIT_OK;
}

/* The shortest decimal that reads back as the same double, positional where JavaScript would
 * print it so (exponents -6 to 20) and with a ".0" when it would otherwise look like an
 * integer, so that `put` of the printed text stores a double again. JSON has no NaN or
 * infinity: those print as JavaScript spells them (plain), or as strings of that spelling
 * (JSON). */
static void print_double(double number, bool json)
{
    if (!isfinite(number)) {
        const char *name = isnan(number) ? "NaN" : number > 0 ? "Infinity" : "-Infinity";
        printf(json ? "\"%s\"" : "%s", name);
        return;
    }
    char text[48];
    int digits = 1;
    for (; digits < 17; digits++) {
        snprintf(text, sizeof text, "%.*e", digits - 1, number);
        if (strtod(text, NULL) == number)
            break;
    }
    snprintf(text, sizeof text, "%.*e", digits - 1, number);
    int exponent = atoi(strchr(text, 'e') + 1);
    if (exponent >= -6 && exponent < 21) {
        int decimals = digits - 1 - exponent;
        snprintf(text, sizeof text, "%.*f", decimals > 0 ? decimals : 0, number);
    }
    fputs(text, stdout);
    if (strpbrk(text, ".e") == NULL)
        fputs(".0", stdout);
}

static const char *type_name(hy_type type)
{
    switch (type) {
    case HY_TYPE_NULL: return "null";
    case HY_TYPE_BOOL: return "bool";
    case HY_TYPE_INT: return "int";
    case HY_TYPE_DOUBLE: return "double";
    case HY_TYPE_STRING: return "string";
    case HY_TYPE_BYTES: return "bytes";
    }
    return "unknown";
}

void store_cli_print_value(const hy_value *value, bool json)
{
    if (json)
        printf("{\"type\": \"%s\", \"value\": ", type_name(value->type));
    switch (value->type) {
    case HY_TYPE_NULL: fputs("null", stdout); break;
    case HY_TYPE_BOOL: fputs(value->as.boolean ? "true" : "false", stdout); break;
    case HY_TYPE_INT: printf("%" PRId64, value->as.integer); break;
    case HY_TYPE_DOUBLE: print_double(value->as.number, json); break;
    case HY_TYPE_STRING:
        if (json)
            store_cli_json_string((const char *)value->as.bytes.data, value->as.bytes.len);
        else
            fwrite(value->as.bytes.data, 1, value->as.bytes.len, stdout);
        break;
    case HY_TYPE_BYTES: store_cli_hex(value->as.bytes.data, value->as.bytes.len, json); break;
    }
    fputs(json ? "}\n" : "\n", stdout);
}

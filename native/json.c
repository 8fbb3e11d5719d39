/* The strict streaming JSON reader: see json.h. */
#include "json.h"

#include <stdio.h>

/* Where the window points before any input has been read, so that offsets are always the
 * difference of two pointers into one object. */
static const uint8_t no_input[1];

void json_reader_init(json_reader *r, json_refill_fn refill, void *source, uint64_t max_bytes,
                      hy_allocator alloc)
{
    r->next = r->end = r->window = no_input;
    r->window_offset = 0;
    r->max_bytes = max_bytes;
    r->refill = refill;
    r->source = source;
    r->alloc = alloc;
    r->error = HY_OK;
    r->error_offset = 0;
    r->message[0] = '\0';
}

void json_reader_init_memory(json_reader *r, const uint8_t *data, size_t len,
                             hy_allocator alloc)
{
    json_reader_init(r, NULL, NULL, len, alloc);
    if (len > 0) {
        r->window = r->next = data;
        r->end = data + len;
    }
}

static uint64_t current_offset(const json_reader *r)
{
    return r->window_offset + (uint64_t)(r->next - r->window);
}

bool json_vfail(json_reader *r, hy_err code, const char *format, va_list ap)
{
    if (r->error != HY_OK)
        return false;
    r->error = code;
    r->error_offset = current_offset(r);
    vsnprintf(r->message, sizeof r->message, format, ap);
    return false;
}

bool json_fail(json_reader *r, hy_err code, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    json_vfail(r, code, format, ap);
    va_end(ap);
    return false;
}

/* Moves to the next window of input. false at the end of the input or after an error. */
static bool refill(json_reader *r)
{
    if (r->error != HY_OK || r->refill == NULL)
        return false;
    r->window_offset = current_offset(r);
    r->window = r->next = r->end;
    const uint8_t *data;
    size_t len;
    hy_err err = r->refill(r->source, &data, &len, r->message, sizeof r->message);
    if (err != HY_OK) {
        r->refill = NULL;
        r->error = err;
        r->error_offset = r->window_offset;
        return false;
    }
    if (len == 0) {
        r->refill = NULL;
        return false;
    }
    if (len > r->max_bytes - r->window_offset) {
        r->refill = NULL;
        return json_fail(r, HY_E_TOO_LARGE, "the input exceeds the limit of %llu bytes",
                         (unsigned long long)r->max_bytes);
    }
    r->window = r->next = data;
    r->end = data + len;
    return true;
}

/* The next byte without consuming it, or -1 at the end of the input or after an error. */
static inline int peek_byte(json_reader *r)
{
    if (r->next == r->end && !refill(r))
        return -1;
    return *r->next;
}

static inline int next_byte(json_reader *r)
{
    if (r->next == r->end && !refill(r))
        return -1;
    return *r->next++;
}

static void skip_whitespace(json_reader *r)
{
    for (;;) {
        while (r->next < r->end) {
            uint8_t c = *r->next;
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
                return;
            r->next++;
        }
        if (!refill(r))
            return;
    }
}

/* Fails because byte c (-1: the end of the input) stands where `wanted` should. */
static bool fail_unexpected(json_reader *r, int c, const char *wanted)
{
    if (c < 0)
        return json_fail(r, HY_E_TRUNCATED, "the input ends where %s was expected", wanted);
    if (c >= 0x20 && c < 0x7f)
        return json_fail(r, HY_E_FORMAT, "expected %s, found '%c'", wanted, c);
    return json_fail(r, HY_E_FORMAT, "expected %s, found byte 0x%02x", wanted, (unsigned)c);
}

json_type json_peek(json_reader *r)
{
    skip_whitespace(r);
    switch (peek_byte(r)) {
    case '{': return JSON_OBJECT;
    case '[': return JSON_ARRAY;
    case '"': return JSON_STRING;
    case 't': return JSON_TRUE;
    case 'f': return JSON_FALSE;
    case 'n': return JSON_NULL;
    case '-': case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9': return JSON_NUMBER;
    default: return JSON_NONE;
    }
}

const char *json_type_name(json_type type)
{
    switch (type) {
    case JSON_NONE: break;
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_NUMBER: return "a number";
    case JSON_TRUE: return "true";
    case JSON_FALSE: return "false";
    case JSON_NULL: return "null";
    }
    return "no value";
}

bool json_expect(json_reader *r, json_type type)
{
    json_type found = json_peek(r);
    if (found == type)
        return true;
    if (found == JSON_NONE)
        return fail_unexpected(r, peek_byte(r), json_type_name(type));
    return json_fail(r, HY_E_FORMAT, "expected %s, found %s", json_type_name(type),
                     json_type_name(found));
}

/* ---- strings ----------------------------------------------------------------------------- */

static bool append_code_point(json_reader *r, hy_vec *out, uint32_t cp)
{
    if (out->len == out->cap && hy_vec_reserve(out, &r->alloc, out->len + 1) != HY_OK)
        return json_fail(r, HY_E_NOMEM, "out of memory");
    ((uint32_t *)out->data)[out->len++] = cp;
    return true;
}

static bool read_hex4(json_reader *r, uint32_t *value)
{
    *value = 0;
    for (int i = 0; i < 4; i++) {
        int c = next_byte(r);
        uint32_t digit;
        if (c >= '0' && c <= '9')
            digit = (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            digit = (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            digit = (uint32_t)(c - 'A' + 10);
        else
            return fail_unexpected(r, c, "4 hex digits after \\u");
        *value = *value << 4 | digit;
    }
    return true;
}

/* After the backslash. JSON spells a code point above U+FFFF as the UTF-16 pair
 * \uD8xx\uDCxx; a surrogate on its own is no code point, so it is refused. */
static bool read_escape(json_reader *r, uint32_t *cp)
{
    int c = next_byte(r);
    switch (c) {
    case '"': *cp = '"'; return true;
    case '\\': *cp = '\\'; return true;
    case '/': *cp = '/'; return true;
    case 'b': *cp = '\b'; return true;
    case 'f': *cp = '\f'; return true;
    case 'n': *cp = '\n'; return true;
    case 'r': *cp = '\r'; return true;
    case 't': *cp = '\t'; return true;
    case 'u': break;
    default: return fail_unexpected(r, c, "an escape (one of \"\\/bfnrtu) after a backslash");
    }
    uint32_t unit;
    if (!read_hex4(r, &unit))
        return false;
    if (unit >= 0xdc00 && unit <= 0xdfff)
        return json_fail(r, HY_E_FORMAT, "lone low surrogate \\u%04x in a string", unit);
    if (unit < 0xd800 || unit > 0xdbff) {
        *cp = unit;
        return true;
    }
    int backslash = next_byte(r);
    int u = backslash == '\\' ? next_byte(r) : backslash;
    if (backslash < 0 || u < 0)
        return fail_unexpected(r, -1, "a low surrogate");
    uint32_t low = 0;
    if (backslash != '\\' || u != 'u' || !read_hex4(r, &low) || low < 0xdc00 || low > 0xdfff) {
        return json_fail(r, HY_E_FORMAT,
                         "lone high surrogate \\u%04x in a string (not followed by a low "
                         "surrogate \\udc00-\\udfff)", unit);
    }
    *cp = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
    return true;
}

/* After the lead byte: strict UTF-8 (no overlong forms, no surrogates, nothing above
 * U+10FFFF), since every code point becomes a position in a document. */
static bool read_utf8(json_reader *r, int lead, uint32_t *cp)
{
    int n;
    uint32_t min;
    if ((lead & 0xe0) == 0xc0) {
        n = 2, *cp = (uint32_t)lead & 0x1f, min = 0x80;
    } else if ((lead & 0xf0) == 0xe0) {
        n = 3, *cp = (uint32_t)lead & 0x0f, min = 0x800;
    } else if ((lead & 0xf8) == 0xf0) {
        n = 4, *cp = (uint32_t)lead & 0x07, min = 0x10000;
    } else {
        return json_fail(r, HY_E_FORMAT, "invalid UTF-8: byte 0x%02x starts no character",
                         (unsigned)lead);
    }
    for (int k = 1; k < n; k++) {
        int c = next_byte(r);
        if (c < 0)
            return fail_unexpected(r, c, "the rest of a UTF-8 character");
        if ((c & 0xc0) != 0x80) {
            return json_fail(r, HY_E_FORMAT, "invalid UTF-8: byte 0x%02x cannot continue a "
                             "character", (unsigned)c);
        }
        *cp = *cp << 6 | ((uint32_t)c & 0x3f);
    }
    if (*cp < min)
        return json_fail(r, HY_E_FORMAT, "invalid UTF-8: overlong encoding of U+%04X", *cp);
    if (*cp >= 0xd800 && *cp <= 0xdfff)
        return json_fail(r, HY_E_FORMAT, "invalid UTF-8: encodes the surrogate U+%04X", *cp);
    if (*cp > 0x10ffff)
        return json_fail(r, HY_E_FORMAT, "invalid UTF-8: U+%X is above U+10FFFF", *cp);
    return true;
}

bool json_read_string(json_reader *r, hy_vec *out)
{
    if (!json_expect(r, JSON_STRING))
        return false;
    r->next++;
    for (;;) {
        int c = next_byte(r);
        uint32_t cp = 0;
        if (c == '"')
            return true;
        if (c < 0)
            return fail_unexpected(r, c, "the rest of a string");
        if (c == '\\') {
            if (!read_escape(r, &cp))
                return false;
        } else if (c < 0x20) {
            return json_fail(r, HY_E_FORMAT, "unescaped control character 0x%02x in a string",
                             (unsigned)c);
        } else if (c < 0x80) {
            cp = (uint32_t)c;
        } else if (!read_utf8(r, c, &cp)) {
            return false;
        }
        if (out != NULL && !append_code_point(r, out, cp))
            return false;
    }
}

/* ---- numbers and literals ---------------------------------------------------------------- */

static bool is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static void skip_digits(json_reader *r)
{
    while (is_digit(peek_byte(r)))
        r->next++;
}

/* Reads a number by the JSON grammar. *integral tells whether it had neither fraction nor
 * exponent; then *magnitude is its absolute value, saturated at UINT64_MAX. */
static bool read_number(json_reader *r, bool *negative, bool *integral, uint64_t *magnitude)
{
    *negative = peek_byte(r) == '-';
    if (*negative)
        r->next++;
    *magnitude = 0;
    int c = peek_byte(r);
    if (c == '0') {
        r->next++;
        if (is_digit(peek_byte(r)))
            return json_fail(r, HY_E_FORMAT, "a number has a leading zero");
    } else if (is_digit(c)) {
        while (is_digit(c = peek_byte(r))) {
            uint64_t digit = (uint64_t)(c - '0');
            *magnitude = *magnitude > (UINT64_MAX - digit) / 10 ? UINT64_MAX
                                                                 : *magnitude * 10 + digit;
            r->next++;
        }
    } else {
        return fail_unexpected(r, c, "a digit");
    }
    *integral = true;
    if (peek_byte(r) == '.') {
        *integral = false;
        r->next++;
        if (!is_digit(peek_byte(r)))
            return fail_unexpected(r, peek_byte(r), "a digit after the decimal point");
        skip_digits(r);
    }
    c = peek_byte(r);
    if (c == 'e' || c == 'E') {
        *integral = false;
        r->next++;
        c = peek_byte(r);
        if (c == '+' || c == '-')
            r->next++;
        if (!is_digit(peek_byte(r)))
            return fail_unexpected(r, peek_byte(r), "a digit in the exponent");
        skip_digits(r);
    }
    return r->error == HY_OK;
}

bool json_read_integer(json_reader *r, int64_t *value)
{
    bool negative, integral;
    uint64_t magnitude;
    if (!json_expect(r, JSON_NUMBER) || !read_number(r, &negative, &integral, &magnitude))
        return false;
    if (!integral) {
        return json_fail(r, HY_E_FORMAT,
                         "expected an integer, found a number with a fraction or exponent");
    }
    if (magnitude > INT64_MAX)
        return json_fail(r, HY_E_FORMAT, "integer out of range");
    *value = negative ? -(int64_t)magnitude : (int64_t)magnitude;
    return true;
}

static bool read_literal(json_reader *r, const char *literal)
{
    for (const char *c = literal; *c != '\0'; c++) {
        if (next_byte(r) != *c)
            return json_fail(r, HY_E_FORMAT, "invalid literal (expected %s)", literal);
    }
    return true;
}

/* ---- containers -------------------------------------------------------------------------- */

/* A key (into key, or only checked when key is NULL) and the colon after it. */
static bool read_key(json_reader *r, hy_vec *key)
{
    if (!json_read_string(r, key))
        return false;
    skip_whitespace(r);
    int c = next_byte(r);
    return c == ':' || fail_unexpected(r, c, "':' after an object key");
}

static bool begin_container(json_reader *r, json_iter *it, json_type type)
{
    it->open = false;
    it->first = true;
    if (!json_expect(r, type))
        return false;
    r->next++; /* json_expect saw the bracket in the window */
    it->open = true;
    return true;
}

/* Consumes the closing bracket or the comma before the next item; true when an item follows. */
static bool next_item(json_reader *r, json_iter *it, char close, const char *wanted)
{
    if (!it->open || r->error != HY_OK)
        return false;
    skip_whitespace(r);
    int c = peek_byte(r);
    if (c == close) {
        r->next++;
        it->open = false;
        return false;
    }
    if (!it->first) {
        if (c != ',')
            return fail_unexpected(r, c, wanted);
        r->next++;
    }
    it->first = false;
    return true;
}

bool json_object_begin(json_reader *r, json_iter *it)
{
    return begin_container(r, it, JSON_OBJECT);
}

bool json_object_next(json_reader *r, json_iter *it, hy_vec *key)
{
    if (!next_item(r, it, '}', "',' or '}' after an object member"))
        return false;
    key->len = 0;
    return read_key(r, key);
}

bool json_array_begin(json_reader *r, json_iter *it)
{
    return begin_container(r, it, JSON_ARRAY);
}

bool json_array_next(json_reader *r, json_iter *it)
{
    return next_item(r, it, ']', "',' or ']' after an array element");
}

bool json_key_is(const hy_vec *key, const char *name)
{
    const uint32_t *cps = key->data;
    size_t i = 0;
    for (; i < key->len; i++) {
        if (name[i] == '\0' || cps[i] != (uint8_t)name[i])
            return false;
    }
    return name[i] == '\0';
}

/* Without recursion: the containers still open are a depth and one bit per level (object or
 * array), which is why the depth is capped at 64. */
bool json_skip_value(json_reader *r)
{
    uint64_t objects = 0; /* bit d is set when the container at depth d is an object */
    unsigned depth = 0;
    for (;;) {
        /* A value starts here. */
        json_type type = json_peek(r);
        bool negative, integral;
        uint64_t magnitude;
        switch (type) {
        case JSON_OBJECT:
        case JSON_ARRAY:
            if (depth == JSON_MAX_DEPTH)
                return json_fail(r, HY_E_FORMAT, "nesting deeper than %d levels", JSON_MAX_DEPTH);
            r->next++;
            if (type == JSON_OBJECT)
                objects |= UINT64_C(1) << depth;
            else
                objects &= ~(UINT64_C(1) << depth);
            depth++;
            skip_whitespace(r);
            if (peek_byte(r) == (type == JSON_OBJECT ? '}' : ']')) {
                r->next++;
                depth--;
                break;
            }
            if (type == JSON_OBJECT && !read_key(r, NULL))
                return false;
            continue;
        case JSON_STRING:
            if (!json_read_string(r, NULL))
                return false;
            break;
        case JSON_NUMBER:
            if (!read_number(r, &negative, &integral, &magnitude))
                return false;
            break;
        case JSON_TRUE:
            if (!read_literal(r, "true"))
                return false;
            break;
        case JSON_FALSE:
            if (!read_literal(r, "false"))
                return false;
            break;
        case JSON_NULL:
            if (!read_literal(r, "null"))
                return false;
            break;
        case JSON_NONE:
            return fail_unexpected(r, peek_byte(r), "a value");
        }
        /* A value has ended: close the containers it ends, or go on to the next item. */
        for (;;) {
            if (depth == 0)
                return true;
            bool in_object = (objects >> (depth - 1) & 1) != 0;
            skip_whitespace(r);
            int c = next_byte(r);
            if (c == (in_object ? '}' : ']')) {
                depth--;
                continue;
            }
            if (c != ',')
                return fail_unexpected(r, c, in_object ? "',' or '}'" : "',' or ']'");
            if (in_object && !read_key(r, NULL))
                return false;
            break;
        }
    }
}

bool json_expect_end(json_reader *r)
{
    skip_whitespace(r);
    int c = peek_byte(r);
    if (r->error != HY_OK)
        return false;
    if (c < 0)
        return true;
    return fail_unexpected(r, c, "the end of the input");
}

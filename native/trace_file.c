/* Loading editing traces: a schema over the streaming JSON reader, with gzip through zlib,
 * and the reference replay of sequential traces on a gap buffer. */
#include "trace_file.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "alloc.h"
#include "json.h"
#include "vec.h"

#define NO_INDEX SIZE_MAX

/* Arrays are never empty, so that every pointer of a trace points into an object (even
 * `parents + 0` of a sequential trace): hence the size of an array holding n items. */
static size_t stored(size_t n)
{
    return n > 0 ? n : 1;
}

static void appendf(char *buf, size_t len, size_t *used, const char *format, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* Appends to the string in buf, truncating at len. */
static void appendf(char *buf, size_t len, size_t *used, const char *format, ...)
{
    if (*used >= len)
        return;
    va_list ap;
    va_start(ap, format);
    int n = vsnprintf(buf + *used, len - *used, format, ap);
    va_end(ap);
    if (n > 0)
        *used += (size_t)n;
}

/* ---- the builder ------------------------------------------------------------------------- */

/* The place being read, for messages: txns[12].patches[0][1]. */
typedef struct trace_place {
    const char *member;     /* the top-level member, or NULL */
    size_t txn;             /* the txn, or NO_INDEX */
    const char *txn_member; /* the txn's member, or NULL */
    size_t item;            /* the patch or parent, or NO_INDEX */
    size_t field;           /* the patch's element, or NO_INDEX */
} trace_place;

static void format_place(char *buf, size_t len, const trace_place *place)
{
    size_t used = 0;
    buf[0] = '\0';
    if (place->member == NULL)
        return;
    appendf(buf, len, &used, "%s", place->member);
    if (place->txn == NO_INDEX)
        return;
    appendf(buf, len, &used, "[%zu]", place->txn);
    if (place->txn_member == NULL)
        return;
    appendf(buf, len, &used, ".%s", place->txn_member);
    if (place->item != NO_INDEX)
        appendf(buf, len, &used, "[%zu]", place->item);
    if (place->field != NO_INDEX)
        appendf(buf, len, &used, "[%zu]", place->field);
}

enum { TOP_KIND, TOP_START, TOP_END, TOP_AGENTS, TOP_TXNS, TOP_COUNT };
static const char *const top_members[TOP_COUNT] = {
    "kind", "startContent", "endContent", "numAgents", "txns",
};

/* The links are the members that only txns of concurrent traces have. */
enum { TXN_PATCHES, TXN_PARENTS, TXN_CHILDREN, TXN_AGENT, TXN_COUNT };
static const char *const txn_members[TXN_COUNT] = {
    "patches", "parents", "numChildren", "agent",
};
#define TXN_LINKS (1u << TXN_PARENTS | 1u << TXN_CHILDREN | 1u << TXN_AGENT)

typedef struct trace_builder {
    json_reader json;
    hy_allocator alloc;
    hy_vec txns, patches, parents, text; /* become the trace's arrays */
    hy_vec key;                          /* the member name being matched */
    trace_place place;
    unsigned members;                    /* top-level members read: bits of TOP_* */
    bool concurrent;
    uint32_t agent_count;
    uint32_t start_offset, start_len, end_offset, end_len; /* spans of text */
    size_t first_linked_txn;   /* the first txn with a link, or NO_INDEX */
    size_t first_unlinked_txn; /* the first txn lacking a link, or NO_INDEX */
    const char *missing_link;  /* which link that txn lacks */
} trace_builder;

static void builder_init(trace_builder *b, hy_allocator alloc)
{
    memset(b, 0, sizeof *b);
    b->alloc = alloc;
    hy_vec_init(&b->txns, sizeof(hy_trace_txn));
    hy_vec_init(&b->patches, sizeof(hy_trace_patch));
    hy_vec_init(&b->parents, sizeof(uint32_t));
    hy_vec_init(&b->text, sizeof(uint32_t));
    hy_vec_init(&b->key, sizeof(uint32_t));
    b->place = (trace_place){ NULL, NO_INDEX, NULL, NO_INDEX, NO_INDEX };
    b->first_linked_txn = NO_INDEX;
    b->first_unlinked_txn = NO_INDEX;
}

static void builder_free(trace_builder *b)
{
    hy_vec_free(&b->txns, &b->alloc);
    hy_vec_free(&b->patches, &b->alloc);
    hy_vec_free(&b->parents, &b->alloc);
    hy_vec_free(&b->text, &b->alloc);
    hy_vec_free(&b->key, &b->alloc);
}

static bool push(trace_builder *b, hy_vec *v, const void *item)
{
    return hy_vec_push(v, &b->alloc, item) == HY_OK ||
           json_fail(&b->json, HY_E_NOMEM, "out of memory");
}

/* For what only shows once the whole input has been read: no byte offset fits it. */
static bool fail_structure(trace_builder *b, const char *format, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static bool fail_structure(trace_builder *b, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    json_vfail(&b->json, HY_E_FORMAT, format, ap);
    va_end(ap);
    b->json.error_offset = JSON_NO_OFFSET;
    return false;
}

/* The index of key among names, or -1. */
static int match_key(const hy_vec *key, const char *const *names, int count)
{
    for (int i = 0; i < count; i++) {
        if (json_key_is(key, names[i]))
            return i;
    }
    return -1;
}

/* ---- reading ------------------------------------------------------------------------------ */

static bool read_u32(trace_builder *b, const char *what, uint32_t *out)
{
    int64_t value;
    if (!json_read_integer(&b->json, &value))
        return false;
    if (value < 0)
        return json_fail(&b->json, HY_E_FORMAT, "negative %s (%lld)", what, (long long)value);
    if (value > UINT32_MAX) {
        return json_fail(&b->json, HY_E_FORMAT, "%s %lld is out of range (at most %lu)", what,
                         (long long)value, (unsigned long)UINT32_MAX);
    }
    *out = (uint32_t)value;
    return true;
}

/* Appends a string to the text; its span fits uint32_t because the input is at most
 * HY_TRACE_MAX_JSON_BYTES. */
static bool read_text(trace_builder *b, uint32_t *start, uint32_t *len)
{
    size_t before = b->text.len;
    if (!json_read_string(&b->json, &b->text))
        return false;
    *start = (uint32_t)before;
    *len = (uint32_t)(b->text.len - before);
    return true;
}

static bool read_kind(trace_builder *b)
{
    b->key.len = 0; /* the key's scratch vector holds the value: both are matched by name */
    if (!json_read_string(&b->json, &b->key))
        return false;
    b->concurrent = json_key_is(&b->key, "concurrent");
    return b->concurrent ||
           json_fail(&b->json, HY_E_FORMAT,
                     "unknown kind (\"concurrent\" is the only one; sequential traces have "
                     "none)");
}

/* [pos, delCount, insText] */
static bool read_patch(trace_builder *b)
{
    json_reader *r = &b->json;
    hy_trace_patch patch = { 0, 0, 0, 0 };
    json_iter it;
    size_t field = 0;
    json_array_begin(r, &it);
    while (json_array_next(r, &it)) {
        b->place.field = field;
        bool ok;
        switch (field) {
        case 0: ok = read_u32(b, "position", &patch.pos); break;
        case 1: ok = read_u32(b, "delete count", &patch.del_count); break;
        case 2: ok = read_text(b, &patch.ins_start, &patch.ins_len); break;
        default:
            ok = json_fail(r, HY_E_FORMAT, "a patch has more than 3 elements "
                                           "[pos, delCount, insText]");
        }
        if (!ok)
            return false;
        field++;
    }
    b->place.field = NO_INDEX;
    if (r->error != HY_OK)
        return false;
    if (field != 3) {
        return json_fail(r, HY_E_FORMAT, "a patch has %zu elements, not 3 "
                                         "[pos, delCount, insText]", field);
    }
    return push(b, &b->patches, &patch);
}

static bool read_patches(trace_builder *b)
{
    json_iter it;
    json_array_begin(&b->json, &it);
    for (size_t index = 0; json_array_next(&b->json, &it); index++) {
        b->place.item = index;
        if (!read_patch(b))
            return false;
    }
    b->place.item = NO_INDEX;
    return b->json.error == HY_OK;
}

/* The txn being read is number b->txns.len: its parents must come before it. */
static bool read_parents(trace_builder *b)
{
    json_iter it;
    json_array_begin(&b->json, &it);
    for (size_t index = 0; json_array_next(&b->json, &it); index++) {
        b->place.item = index;
        uint32_t parent;
        if (!read_u32(b, "parent", &parent))
            return false;
        if (parent >= b->txns.len) {
            return json_fail(&b->json, HY_E_FORMAT, "parent %lu is not an earlier txn",
                             (unsigned long)parent);
        }
        if (!push(b, &b->parents, &parent))
            return false;
    }
    b->place.item = NO_INDEX;
    return b->json.error == HY_OK;
}

/* Whether this txn has the links of a concurrent trace is only judged at the end, since
 * "kind" may come after "txns"; here the first txns with and without them are noted. */
static void note_links(trace_builder *b, unsigned members)
{
    unsigned links = members & TXN_LINKS;
    if (links != 0 && b->first_linked_txn == NO_INDEX)
        b->first_linked_txn = b->txns.len;
    if (links != TXN_LINKS && b->first_unlinked_txn == NO_INDEX) {
        b->first_unlinked_txn = b->txns.len;
        for (int i = 0; i < TXN_COUNT; i++) {
            if ((TXN_LINKS & ~links) & 1u << i) {
                b->missing_link = txn_members[i];
                break;
            }
        }
    }
}

static bool read_txn(trace_builder *b)
{
    json_reader *r = &b->json;
    hy_trace_txn txn = { .first_patch = (uint32_t)b->patches.len,
                         .first_parent = (uint32_t)b->parents.len };
    unsigned members = 0;
    json_iter it;
    json_object_begin(r, &it);
    while (json_object_next(r, &it, &b->key)) {
        int member = match_key(&b->key, txn_members, TXN_COUNT);
        if (member < 0) {
            if (!json_skip_value(r)) /* time, and whatever later traces add */
                return false;
            continue;
        }
        b->place.txn_member = txn_members[member];
        if (members & 1u << member)
            return json_fail(r, HY_E_FORMAT, "a second %s in one txn", txn_members[member]);
        members |= 1u << member;
        bool ok = false;
        switch (member) {
        case TXN_PATCHES: ok = read_patches(b); break;
        case TXN_PARENTS: ok = read_parents(b); break;
        case TXN_CHILDREN: ok = read_u32(b, "numChildren", &txn.child_count); break;
        case TXN_AGENT: ok = read_u32(b, "agent", &txn.agent); break;
        }
        if (!ok)
            return false;
        b->place.txn_member = NULL;
    }
    if (r->error != HY_OK)
        return false;
    if (!(members & 1u << TXN_PATCHES))
        return json_fail(r, HY_E_FORMAT, "a txn without patches");
    note_links(b, members);
    txn.patch_count = (uint32_t)(b->patches.len - txn.first_patch);
    txn.parent_count = (uint32_t)(b->parents.len - txn.first_parent);
    return push(b, &b->txns, &txn);
}

static bool read_txns(trace_builder *b)
{
    json_iter it;
    json_array_begin(&b->json, &it);
    while (json_array_next(&b->json, &it)) {
        b->place.txn = b->txns.len;
        if (!read_txn(b))
            return false;
    }
    b->place.txn = NO_INDEX;
    return b->json.error == HY_OK;
}

static bool read_trace(trace_builder *b)
{
    json_reader *r = &b->json;
    json_iter it;
    json_object_begin(r, &it);
    while (json_object_next(r, &it, &b->key)) {
        int member = match_key(&b->key, top_members, TOP_COUNT);
        if (member < 0) {
            if (!json_skip_value(r))
                return false;
            continue;
        }
        b->place.member = top_members[member];
        if (b->members & 1u << member)
            return json_fail(r, HY_E_FORMAT, "a second %s", top_members[member]);
        b->members |= 1u << member;
        bool ok = false;
        switch (member) {
        case TOP_KIND: ok = read_kind(b); break;
        case TOP_START: ok = read_text(b, &b->start_offset, &b->start_len); break;
        case TOP_END: ok = read_text(b, &b->end_offset, &b->end_len); break;
        case TOP_AGENTS: ok = read_u32(b, "numAgents", &b->agent_count); break;
        case TOP_TXNS: ok = read_txns(b); break;
        }
        if (!ok)
            return false;
        b->place.member = NULL;
    }
    return r->error == HY_OK && json_expect_end(r);
}

/* ---- checking the whole ------------------------------------------------------------------- */

static bool require_member(trace_builder *b, int member)
{
    return (b->members & 1u << member) ||
           fail_structure(b, "no %s member", top_members[member]);
}

/* Parents are known to name earlier txns; here: no parent twice in one txn, and every
 * numChildren true. */
static bool check_children(trace_builder *b)
{
    const hy_trace_txn *txns = b->txns.data;
    const uint32_t *parents = b->parents.data;
    size_t count = b->txns.len;
    if (count == 0)
        return true;
    uint32_t *children = hy_alloc_zero(&b->alloc, count, sizeof *children);
    /* last_child[p] == i + 1 when txn i already named p */
    uint32_t *last_child = hy_alloc_zero(&b->alloc, count, sizeof *last_child);
    bool ok = children != NULL && last_child != NULL;
    if (!ok)
        json_fail(&b->json, HY_E_NOMEM, "out of memory");
    for (size_t i = 0; ok && i < count; i++) {
        for (uint32_t k = 0; ok && k < txns[i].parent_count; k++) {
            uint32_t parent = parents[txns[i].first_parent + k];
            if (last_child[parent] == i + 1) {
                b->place = (trace_place){ "txns", i, "parents", k, NO_INDEX };
                ok = fail_structure(b, "txn %lu is named twice", (unsigned long)parent);
            }
            last_child[parent] = (uint32_t)(i + 1);
            children[parent]++;
        }
    }
    for (size_t i = 0; ok && i < count; i++) {
        if (txns[i].child_count != children[i]) {
            b->place = (trace_place){ "txns", i, "numChildren", NO_INDEX, NO_INDEX };
            ok = fail_structure(b, "numChildren is %lu, but %lu txns name this one as a parent",
                                (unsigned long)txns[i].child_count, (unsigned long)children[i]);
        }
    }
    hy_free(&b->alloc, children, count * sizeof *children);
    hy_free(&b->alloc, last_child, count * sizeof *last_child);
    return ok;
}

static bool check_concurrent(trace_builder *b)
{
    if (!require_member(b, TOP_AGENTS))
        return false;
    if (b->agent_count == 0 || b->agent_count > HY_TRACE_MAX_AGENTS) {
        b->place.member = "numAgents";
        return fail_structure(b, "%lu agents (from 1 to %d are supported)",
                              (unsigned long)b->agent_count, HY_TRACE_MAX_AGENTS);
    }
    if (b->start_len != 0) {
        b->place.member = "startContent";
        return fail_structure(b, "a concurrent trace starts from the empty document");
    }
    if (b->first_unlinked_txn != NO_INDEX) {
        b->place = (trace_place){ "txns", b->first_unlinked_txn, NULL, NO_INDEX, NO_INDEX };
        return fail_structure(b, "no %s, which every txn of a concurrent trace has",
                              b->missing_link);
    }
    const hy_trace_txn *txns = b->txns.data;
    for (size_t i = 0; i < b->txns.len; i++) {
        if (txns[i].agent >= b->agent_count) {
            b->place = (trace_place){ "txns", i, "agent", NO_INDEX, NO_INDEX };
            return fail_structure(b, "agent %lu, but numAgents is %lu",
                                  (unsigned long)txns[i].agent, (unsigned long)b->agent_count);
        }
    }
    return check_children(b);
}

static bool check_sequential(trace_builder *b)
{
    if (!require_member(b, TOP_START))
        return false;
    if (b->members & 1u << TOP_AGENTS) {
        b->place.member = "numAgents";
        return fail_structure(b, "numAgents belongs to concurrent traces, and kind is not "
                                 "\"concurrent\"");
    }
    if (b->first_linked_txn != NO_INDEX) {
        b->place = (trace_place){ "txns", b->first_linked_txn, NULL, NO_INDEX, NO_INDEX };
        return fail_structure(b, "parents, numChildren and agent belong to concurrent traces, "
                                 "and kind is not \"concurrent\"");
    }
    b->agent_count = 1;
    return true;
}

static bool check_structure(trace_builder *b)
{
    if (!require_member(b, TOP_END) || !require_member(b, TOP_TXNS))
        return false;
    return b->concurrent ? check_concurrent(b) : check_sequential(b);
}

/* ---- the result --------------------------------------------------------------------------- */

static bool shrink_to_fit(trace_builder *b, hy_vec *v)
{
    size_t want = stored(v->len);
    if (v->cap == want)
        return true;
    void *data = hy_realloc(&b->alloc, v->data, v->cap * v->elem, want * v->elem);
    if (data == NULL)
        return json_fail(&b->json, HY_E_NOMEM, "out of memory");
    v->data = data;
    v->cap = want;
    return true;
}

/* Moves the arrays into a new trace, or returns NULL (the builder still owns them). */
static hy_trace *finish(trace_builder *b)
{
    if (!shrink_to_fit(b, &b->txns) || !shrink_to_fit(b, &b->patches) ||
        !shrink_to_fit(b, &b->parents) || !shrink_to_fit(b, &b->text))
        return NULL;
    hy_trace *t = hy_alloc(&b->alloc, sizeof *t);
    if (t == NULL) {
        json_fail(&b->json, HY_E_NOMEM, "out of memory");
        return NULL;
    }
    *t = (hy_trace){
        .kind = b->concurrent ? HY_TRACE_CONCURRENT : HY_TRACE_SEQUENTIAL,
        .agent_count = b->agent_count,
        .txns = b->txns.data,
        .txn_count = b->txns.len,
        .patches = b->patches.data,
        .patch_count = b->patches.len,
        .parents = b->parents.data,
        .parent_count = b->parents.len,
        .text = b->text.data,
        .text_len = b->text.len,
        .alloc = b->alloc,
    };
    t->start_content = t->text + b->start_offset;
    t->start_len = b->start_len;
    t->end_content = t->text + b->end_offset;
    t->end_len = b->end_len;
    for (size_t i = 0; i < t->patch_count; i++) {
        t->insert_patches += t->patches[i].ins_len > 0;
        t->delete_patches += t->patches[i].del_count > 0;
        t->inserted_chars += t->patches[i].ins_len;
        t->deleted_chars += t->patches[i].del_count;
    }
    hy_vec_init(&b->txns, b->txns.elem);
    hy_vec_init(&b->patches, b->patches.elem);
    hy_vec_init(&b->parents, b->parents.elem);
    hy_vec_init(&b->text, b->text.elem);
    return t;
}

/* "LABEL: byte N, at PLACE: MESSAGE", leaving out what is unknown. */
static void describe_error(const trace_builder *b, const char *label, char *err, size_t err_len)
{
    char place[128];
    format_place(place, sizeof place, &b->place);
    size_t used = 0;
    appendf(err, err_len, &used, "%s: ", label);
    bool has_offset = b->json.error_offset != JSON_NO_OFFSET;
    if (has_offset)
        appendf(err, err_len, &used, "byte %llu", (unsigned long long)b->json.error_offset);
    if (place[0] != '\0')
        appendf(err, err_len, &used, "%sat %s", has_offset ? ", " : "", place);
    if (has_offset || place[0] != '\0')
        appendf(err, err_len, &used, ": ");
    appendf(err, err_len, &used, "%s", b->json.message);
}

/* Reads the input json was set up with, and frees everything but the trace it returns. */
static hy_err build(trace_builder *b, const char *label, hy_trace **out, char *err,
                    size_t err_len)
{
    hy_trace *trace = NULL;
    if (read_trace(b) && check_structure(b))
        trace = finish(b);
    hy_err result = HY_OK;
    if (trace == NULL) {
        describe_error(b, label, err, err_len);
        result = b->json.error;
    }
    builder_free(b);
    *out = trace;
    return result;
}

hy_err hy_trace_parse(const uint8_t *json, size_t len, hy_allocator alloc, hy_trace **out,
                      char *err, size_t err_len)
{
    *out = NULL;
    if (len > HY_TRACE_MAX_JSON_BYTES) {
        snprintf(err, err_len, "trace: %zu bytes, over the limit of %llu", len,
                 (unsigned long long)HY_TRACE_MAX_JSON_BYTES);
        return HY_E_TOO_LARGE;
    }
    trace_builder b;
    builder_init(&b, alloc);
    json_reader_init_memory(&b.json, json, len, alloc);
    return build(&b, "trace", out, err, err_len);
}

/* ---- files, plain or gzip ------------------------------------------------------------------ */

/* Large enough that zlib inflates in long runs, small enough for the stack. */
#define GZ_CHUNK (64 * 1024)

typedef struct gz_source {
    gzFile file;
    const char *path;
    uint8_t buffer[GZ_CHUNK];
} gz_source;

/* zlib's messages start with the path, which ours already carry. */
static const char *gz_message(const gz_source *gz, int *code)
{
    const char *message = gzerror(gz->file, code);
    size_t path_len = strlen(gz->path);
    if (strncmp(message, gz->path, path_len) == 0 && strncmp(message + path_len, ": ", 2) == 0)
        message += path_len + 2;
    return message;
}

static hy_err gz_refill(void *source, const uint8_t **data, size_t *len, char *message,
                        size_t message_len)
{
    gz_source *gz = source;
    int got = gzread(gz->file, gz->buffer, sizeof gz->buffer);
    int code;
    if (got < 0) {
        snprintf(message, message_len, "%s", gz_message(gz, &code));
        return code == Z_MEM_ERROR ? HY_E_NOMEM : HY_E_IO;
    }
    /* At the end of the input, a gzip stream cut short shows only in the error state. */
    if (got == 0 && (gz_message(gz, &code), code == Z_BUF_ERROR)) {
        snprintf(message, message_len, "the gzip stream ends early (the file is truncated)");
        return HY_E_TRUNCATED;
    }
    *data = gz->buffer;
    *len = (size_t)got;
    return HY_OK;
}

/* gzread reads a file without the gzip magic bytes (1f 8b) as it is, which is how plain JSON
 * and gzip load alike whatever the file is named. */
hy_err hy_trace_load(const char *path, hy_allocator alloc, hy_trace **out, char *err,
                     size_t err_len)
{
    *out = NULL;
    gz_source gz = { .path = path };
    errno = 0;
    gz.file = gzopen(path, "rb");
    if (gz.file == NULL) {
        snprintf(err, err_len, "%s: %s", path, errno != 0 ? strerror(errno) : "out of memory");
        return errno != 0 ? HY_E_IO : HY_E_NOMEM;
    }
    gzbuffer(gz.file, GZ_CHUNK);
    trace_builder b;
    builder_init(&b, alloc);
    json_reader_init(&b.json, gz_refill, &gz, HY_TRACE_MAX_JSON_BYTES, alloc);
    hy_err result = build(&b, path, out, err, err_len);
    gzclose(gz.file);
    return result;
}

void hy_trace_free(hy_trace *trace)
{
    if (trace == NULL)
        return;
    const hy_allocator *a = &trace->alloc;
    hy_free(a, trace->txns, stored(trace->txn_count) * sizeof *trace->txns);
    hy_free(a, trace->patches, stored(trace->patch_count) * sizeof *trace->patches);
    hy_free(a, trace->parents, stored(trace->parent_count) * sizeof *trace->parents);
    hy_free(a, trace->text, stored(trace->text_len) * sizeof *trace->text);
    hy_allocator alloc = *a; /* a copy, since it lives in what it frees */
    hy_free(&alloc, trace, sizeof *trace);
}

/* ---- the reference replay ---------------------------------------------------------------- */

/* The document is data[0 .. gap_start) followed by data[gap_end .. cap): typing moves the
 * gap little, so each edit costs about the distance from the previous one. */
typedef struct gap_buffer {
    uint32_t *data;
    size_t cap;
    size_t gap_start;
    size_t gap_end;
} gap_buffer;

/* Room added at each growth beyond what is needed, so that typing does not grow every time. */
#define GAP_SLACK 4096

static size_t gap_len(const gap_buffer *g)
{
    return g->cap - (g->gap_end - g->gap_start);
}

static void move_gap(gap_buffer *g, size_t pos)
{
    if (pos < g->gap_start) {
        size_t n = g->gap_start - pos;
        memmove(g->data + g->gap_end - n, g->data + pos, n * sizeof *g->data);
        g->gap_start -= n;
        g->gap_end -= n;
    } else if (pos > g->gap_start) {
        size_t n = pos - g->gap_start;
        memmove(g->data + g->gap_start, g->data + g->gap_end, n * sizeof *g->data);
        g->gap_start += n;
        g->gap_end += n;
    }
}

/* Makes the gap at least need code points wide. */
static bool widen_gap(gap_buffer *g, const hy_allocator *a, size_t need)
{
    size_t len = gap_len(g);
    size_t cap = 2 * g->cap;
    if (cap < len + need + GAP_SLACK)
        cap = len + need + GAP_SLACK;
    uint32_t *data = hy_alloc(a, hy_size_mul(cap, sizeof *data));
    if (data == NULL)
        return false;
    size_t tail = g->cap - g->gap_end;
    memcpy(data, g->data, g->gap_start * sizeof *data);
    memcpy(data + cap - tail, g->data + g->gap_end, tail * sizeof *data);
    hy_free(a, g->data, g->cap * sizeof *g->data);
    g->data = data;
    g->gap_end = cap - tail;
    g->cap = cap;
    return true;
}

/* Applies every patch in order; or stops at one that does not fit, saying why in err. */
static hy_err apply_patches(const hy_trace *trace, gap_buffer *g, char *err, size_t err_len)
{
    for (size_t i = 0; i < trace->txn_count; i++) {
        const hy_trace_txn *txn = &trace->txns[i];
        for (uint32_t k = 0; k < txn->patch_count; k++) {
            const hy_trace_patch *p = &trace->patches[txn->first_patch + k];
            size_t len = gap_len(g);
            if (p->pos > len || p->del_count > len - p->pos) {
                snprintf(err, err_len,
                         "txns[%zu].patches[%lu]: deleting %lu code points at %lu goes past "
                         "the end of the document (%zu code points)", i, (unsigned long)k,
                         (unsigned long)p->del_count, (unsigned long)p->pos, len);
                return HY_E_FORMAT;
            }
            move_gap(g, p->pos);
            g->gap_end += p->del_count;
            if (p->ins_len > g->gap_end - g->gap_start &&
                !widen_gap(g, &trace->alloc, p->ins_len)) {
                snprintf(err, err_len, "out of memory");
                return HY_E_NOMEM;
            }
            memcpy(g->data + g->gap_start, trace->text + p->ins_start,
                   p->ins_len * sizeof *g->data);
            g->gap_start += p->ins_len;
        }
    }
    return HY_OK;
}

hy_err hy_trace_replay(const hy_trace *trace, size_t *final_len, char *err, size_t err_len)
{
    if (trace->kind != HY_TRACE_SEQUENTIAL) {
        snprintf(err, err_len, "a concurrent trace takes a CRDT to replay");
        return HY_E_INVALID_ARG;
    }
    gap_buffer g = { .cap = trace->start_len + GAP_SLACK };
    g.data = hy_alloc(&trace->alloc, hy_size_mul(g.cap, sizeof *g.data));
    if (g.data == NULL) {
        snprintf(err, err_len, "out of memory");
        return HY_E_NOMEM;
    }
    g.gap_end = g.cap - trace->start_len;
    memcpy(g.data + g.gap_end, trace->start_content, trace->start_len * sizeof *g.data);

    hy_err result = apply_patches(trace, &g, err, err_len);
    if (result == HY_OK) {
        size_t len = gap_len(&g);
        move_gap(&g, len); /* the document is now data[0 .. len) */
        *final_len = len;
        size_t same = 0;
        while (same < len && same < trace->end_len && g.data[same] == trace->end_content[same])
            same++;
        if (same < len || same < trace->end_len) {
            snprintf(err, err_len,
                     "the replayed document differs from endContent from code point %zu on "
                     "(it has %zu code points, endContent %zu)", same, len, trace->end_len);
            result = HY_E_FORMAT;
        }
    }
    hy_free(&trace->alloc, g.data, g.cap * sizeof *g.data);
    return result;
}

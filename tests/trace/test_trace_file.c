/* Loading editing traces: the two real traces, with the counts their README states and the
 * reference replay; then hostile inputs, each of which must give its error and a message
 * saying where, with nothing leaked (every load runs on the counting test allocator).
 *
 * Usage: test_trace_file DATA_DIR SCRATCH_DIR, where DATA_DIR holds the traces and
 * SCRATCH_DIR takes the files this test writes. */
#include "hy_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "test_alloc.h"
#include "trace_file.h"

static const char *data_dir;
static const char *scratch_dir;

static const char *path_in(const char *dir, const char *name)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

/* Loads a trace that must load, printing the error if it does not. */
static hy_trace *load_ok(const char *path, hy_test_alloc *counts)
{
    char err[256];
    hy_trace *trace = NULL;
    hy_err result = hy_trace_load(path, hy_test_allocator(counts), &trace, err, sizeof err);
    if (result != HY_OK)
        print_error("%s\n", err);
    assert_int_equal(result, HY_OK);
    assert_non_null(trace);
    return trace;
}

static hy_trace *parse_ok(const char *json, hy_test_alloc *counts)
{
    char err[256];
    hy_trace *trace = NULL;
    hy_err result = hy_trace_parse((const uint8_t *)json, strlen(json), hy_test_allocator(counts),
                                   &trace, err, sizeof err);
    if (result != HY_OK)
        print_error("%s\n", err);
    assert_int_equal(result, HY_OK);
    return trace;
}

/* The code points of a trace's text span, as UTF-32 for comparison. */
static void assert_code_points(const uint32_t *text, size_t len, const uint32_t *expected,
                               size_t expected_len)
{
    assert_int_equal(len, expected_len);
    assert_memory_equal(text, expected, len * sizeof *text);
}

/* ---- the real traces ----------------------------------------------------------------------- */

static void automerge_paper_has_the_readme_counts_and_replays(void **state)
{
    (void)state;
    hy_test_alloc counts;
    hy_trace *trace = load_ok(path_in(data_dir, "automerge-paper.json.gz"), &counts);
    assert_int_equal(trace->kind, HY_TRACE_SEQUENTIAL);
    assert_int_equal(trace->agent_count, 1);
    assert_int_equal(trace->txn_count, 259778);
    assert_int_equal(trace->patch_count, 259778);
    assert_int_equal(trace->insert_patches, 182315);
    assert_int_equal(trace->delete_patches, 77463);
    /* One character per patch, so characters and patches agree. */
    assert_int_equal(trace->inserted_chars, 182315);
    assert_int_equal(trace->deleted_chars, 77463);
    assert_int_equal(trace->start_len, 0);
    assert_int_equal(trace->end_len, 104852);
    assert_int_equal(trace->parent_count, 0);
    /* The file's first keystroke, [0, 0, "\\"], as a check on the layout. */
    assert_int_equal(trace->txns[0].patch_count, 1);
    assert_int_equal(trace->patches[0].pos, 0);
    assert_int_equal(trace->patches[0].del_count, 0);
    assert_int_equal(trace->patches[0].ins_len, 1);
    assert_int_equal(trace->text[trace->patches[0].ins_start], '\\');
    /* Compact storage: 24 bytes a txn, 16 a patch, 4 a code point, and the one slot of the
     * empty parents array (arrays are never null). */
    size_t expected_bytes = sizeof *trace + 259778 * (24 + 16) +
                            4 * (size_t)(104852 + 182315) + 4;
    assert_int_equal(counts.live_bytes, expected_bytes);

    char err[256];
    size_t final_len = 0;
    hy_err result = hy_trace_replay(trace, &final_len, err, sizeof err);
    if (result != HY_OK)
        print_error("%s\n", err);
    assert_int_equal(result, HY_OK);
    assert_int_equal(final_len, 104852);
    hy_trace_free(trace);
    assert_int_equal(counts.live_bytes, 0);
}

/* The structure checks again, written independently of the loader's. */
static void friendsforever_is_a_sound_concurrent_trace(void **state)
{
    (void)state;
    hy_test_alloc counts;
    hy_trace *trace = load_ok(path_in(data_dir, "friendsforever.json.gz"), &counts);
    assert_int_equal(trace->kind, HY_TRACE_CONCURRENT);
    assert_int_equal(trace->agent_count, 2);
    assert_int_equal(trace->txn_count, 26078);
    assert_int_equal(trace->end_len, 21362);
    assert_int_equal(trace->start_len, 0);
    assert_int_equal(trace->txns[0].parent_count, 0);

    size_t *children = calloc(trace->txn_count, sizeof *children);
    assert_non_null(children);
    size_t merges = 0;
    for (size_t i = 0; i < trace->txn_count; i++) {
        const hy_trace_txn *txn = &trace->txns[i];
        assert_true(txn->agent < trace->agent_count);
        assert_true(txn->first_patch + txn->patch_count <= trace->patch_count);
        assert_true(txn->first_parent + txn->parent_count <= trace->parent_count);
        merges += txn->parent_count > 1;
        for (uint32_t k = 0; k < txn->parent_count; k++) {
            uint32_t parent = trace->parents[txn->first_parent + k];
            assert_true(parent < i);
            children[parent]++;
        }
    }
    for (size_t i = 0; i < trace->txn_count; i++)
        assert_int_equal(children[i], trace->txns[i].child_count);
    assert_int_equal(merges, 2258);
    free(children);

    char err[256];
    size_t final_len;
    assert_int_equal(hy_trace_replay(trace, &final_len, err, sizeof err), HY_E_INVALID_ARG);
    hy_trace_free(trace);
    assert_int_equal(counts.live_bytes, 0);
}

/* ---- files: gzip or not, cut short, corrupt, missing --------------------------------------- */

static const char small_trace[] =
    "{\"startContent\":\"ab\",\"endContent\":\"xb!\","
    "\"txns\":[{\"time\":\"t\",\"patches\":[[0,1,\"x\"]]},{\"patches\":[[2,0,\"!\"]]}]}";

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static void write_gzip(const char *path, const void *data, size_t len)
{
    gzFile f = gzopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(gzwrite(f, data, (unsigned)len), (int)len);
    assert_int_equal(gzclose(f), Z_OK);
}

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long size = ftell(f);
    assert_true(size > 0);
    rewind(f);
    uint8_t *data = malloc((size_t)size);
    assert_non_null(data);
    assert_int_equal(fread(data, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    *len = (size_t)size;
    return data;
}

static void assert_small_trace(const hy_trace *trace)
{
    static const uint32_t end[] = { 'x', 'b', '!' };
    assert_code_points(trace->end_content, trace->end_len, end, 3);
    assert_int_equal(trace->txn_count, 2);
    assert_int_equal(trace->patches[1].pos, 2);
}

static void the_content_decides_gzip_not_the_name(void **state)
{
    (void)state;
    char plain[4096], packed[4096];
    snprintf(plain, sizeof plain, "%s", path_in(scratch_dir, "plain-named.json.gz"));
    snprintf(packed, sizeof packed, "%s", path_in(scratch_dir, "gzip-named.json"));
    write_file(plain, small_trace, strlen(small_trace));
    write_gzip(packed, small_trace, strlen(small_trace));
    hy_test_alloc counts;
    hy_trace *trace = load_ok(plain, &counts);
    assert_small_trace(trace);
    hy_trace_free(trace);
    trace = load_ok(packed, &counts);
    assert_small_trace(trace);
    hy_trace_free(trace);
    assert_int_equal(counts.live_bytes, 0);
}

/* Loads the file, which must fail with the code; the message must name the file and hold
 * the text. */
static void assert_load_fails(const char *path, hy_err code, const char *text)
{
    char err[256] = "";
    hy_test_alloc counts;
    hy_trace *trace = NULL;
    hy_err result = hy_trace_load(path, hy_test_allocator(&counts), &trace, err, sizeof err);
    if (result != code || strstr(err, text) == NULL || strstr(err, path) != err)
        print_error("%s: got %d, \"%s\"; wanted %d and \"%s\"\n", path, result, err, code, text);
    assert_int_equal(result, code);
    assert_null(trace);
    assert_non_null(strstr(err, text));
    assert_ptr_equal(strstr(err, path), err);
    assert_int_equal(counts.live_bytes, 0);
}

static void damaged_gzip_fails_with_its_cause(void **state)
{
    (void)state;
    size_t len;
    uint8_t *gz = read_file(path_in(data_dir, "friendsforever.json.gz"), &len);
    const char *path = path_in(scratch_dir, "damaged.json.gz");

    /* Cut anywhere, even inside the 8-byte trailer after complete JSON. */
    const size_t cuts[] = { 0, 2, 3, 10, len / 2, len - 8, len - 4, len - 1 };
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        write_file(path, gz, cuts[i]);
        assert_load_fails(path, HY_E_TRUNCATED, cuts[i] == 0 ? "the input ends" : "truncated");
    }
    /* One byte is too little to tell gzip by its magic: it is read as (bad) JSON. */
    write_file(path, gz, 1);
    assert_load_fails(path, HY_E_FORMAT, "byte 0: expected an object, found byte 0x1f");

    /* The CRC of the trailer is wrong: the JSON is whole and fine, only zlib can tell. */
    gz[len - 8] ^= 1;
    write_file(path, gz, len);
    assert_load_fails(path, HY_E_IO, "incorrect data check");
    gz[len - 8] ^= 1;

    /* Garbage in the compressed data: either zlib or the JSON reader sees it first. */
    memset(gz + len / 2, 0xff, 64);
    write_file(path, gz, len);
    char err[256];
    hy_test_alloc counts;
    hy_trace *trace = NULL;
    assert_int_not_equal(hy_trace_load(path, hy_test_allocator(&counts), &trace, err, sizeof err),
                         HY_OK);
    assert_null(trace);
    assert_int_equal(counts.live_bytes, 0);
    free(gz);
}

static void unreadable_files_fail_with_the_reason(void **state)
{
    (void)state;
    assert_load_fails(path_in(scratch_dir, "no-such-file.json"), HY_E_IO, "No such file");
    assert_load_fails(scratch_dir, HY_E_IO, "directory");
}

/* ---- hostile JSON -------------------------------------------------------------------------- */

typedef struct bad_input {
    const char *json;
    hy_err code;
    const char *message; /* a part of the error message */
} bad_input;

#define SEQ "{\"startContent\":\"\",\"endContent\":\"\",\"txns\":"
#define CONC "{\"kind\":\"concurrent\",\"endContent\":\"\",\"numAgents\":2,\"txns\":"
#define LINKS "\"parents\":[],\"numChildren\":0,\"agent\":0"
#define TXN(patches) "{\"patches\":" patches "}"
#define IN_STRING(s) SEQ "[" TXN("[[0,0,\"" s "\"]]") "]}"

static const bad_input bad_inputs[] = {
    /* Not JSON, or cut short. */
    { "", HY_E_TRUNCATED, "byte 0: the input ends where an object was expected" },
    { "  \n", HY_E_TRUNCATED, "the input ends where an object was expected" },
    { SEQ, HY_E_TRUNCATED, "at txns: the input ends where an array was expected" },
    { SEQ "[", HY_E_TRUNCATED, "ends where an object was expected" },
    { SEQ "[]", HY_E_TRUNCATED, "ends where ',' or '}' after an object member" },
    { SEQ "[" TXN("[[0,0,\"ab"), HY_E_TRUNCATED, "the rest of a string" },
    { SEQ "[]} x", HY_E_FORMAT, "expected the end of the input, found 'x'" },
    { SEQ "[]}{}", HY_E_FORMAT, "expected the end of the input, found '{'" },
    { "\xef\xbb\xbf{}", HY_E_FORMAT, "expected an object, found byte 0xef" },
    { "[]", HY_E_FORMAT, "expected an object, found an array" },
    { "{\"endContent\" \"\"}", HY_E_FORMAT, "expected ':' after an object key, found '\"'" },
    { "{\"endContent\":\"\",}", HY_E_FORMAT, "expected a string, found '}'" },
    { "{1:2}", HY_E_FORMAT, "expected a string, found a number" },
    { "{'a':1}", HY_E_FORMAT, "expected a string, found '''" },
    { SEQ "[] \"x\":1}", HY_E_FORMAT, "expected ',' or '}' after an object member, found '\"'" },
    { SEQ "[" TXN("[]") TXN("[]") "]}", HY_E_FORMAT, "expected ',' or ']' after an array" },
    /* Strings: escapes, surrogates, UTF-8, control characters. */
    { IN_STRING("\\q"), HY_E_FORMAT, "expected an escape" },
    { IN_STRING("\\x41"), HY_E_FORMAT, "expected an escape" },
    { IN_STRING("\\u12\""), HY_E_FORMAT, "expected 4 hex digits after \\u, found '\"'" },
    { IN_STRING("\\u12g4"), HY_E_FORMAT, "expected 4 hex digits after \\u, found 'g'" },
    { IN_STRING("\\ud800"), HY_E_FORMAT, "lone high surrogate \\ud800" },
    { IN_STRING("\\ud800x"), HY_E_FORMAT, "lone high surrogate \\ud800" },
    { IN_STRING("\\ud800\\n"), HY_E_FORMAT, "lone high surrogate \\ud800" },
    { IN_STRING("\\ud800\\u0041"), HY_E_FORMAT, "lone high surrogate \\ud800" },
    { IN_STRING("\\ud800\\ud800"), HY_E_FORMAT, "lone high surrogate \\ud800" },
    { IN_STRING("\\udc00"), HY_E_FORMAT, "lone low surrogate \\udc00" },
    { IN_STRING("\\uDFFF\\uD800"), HY_E_FORMAT, "lone low surrogate \\udfff" },
    { IN_STRING("\xff"), HY_E_FORMAT, "invalid UTF-8: byte 0xff starts no character" },
    { IN_STRING("\x80"), HY_E_FORMAT, "invalid UTF-8: byte 0x80 starts no character" },
    { IN_STRING("\xc0\x80"), HY_E_FORMAT, "invalid UTF-8: overlong encoding of U+0000" },
    { IN_STRING("\xe0\x80\xaf"), HY_E_FORMAT, "overlong encoding of U+002F" },
    { IN_STRING("\xed\xa0\x80"), HY_E_FORMAT, "invalid UTF-8: encodes the surrogate U+D800" },
    { IN_STRING("\xf4\x90\x80\x80"), HY_E_FORMAT, "U+110000 is above U+10FFFF" },
    { IN_STRING("\xe2\x82"), HY_E_FORMAT, "byte 0x22 cannot continue a character" },
    { SEQ "[{\"patches\":[[0,0,\"\xe2\x82", HY_E_TRUNCATED, "the rest of a UTF-8 character" },
    { IN_STRING("a\nb"), HY_E_FORMAT, "unescaped control character 0x0a in a string" },
    { IN_STRING("\t"), HY_E_FORMAT, "unescaped control character 0x09" },
    /* Wrong types. */
    { SEQ "{}}", HY_E_FORMAT, "at txns: expected an array, found an object" },
    { SEQ "[[]]}", HY_E_FORMAT, "at txns[0]: expected an object, found an array" },
    { SEQ "[" TXN("{}") "]}", HY_E_FORMAT, "at txns[0].patches: expected an array, found an object" },
    { SEQ "[" TXN("[{}]") "]}", HY_E_FORMAT, "at txns[0].patches[0]: expected an array" },
    { SEQ "[" TXN("[[\"0\",0,\"\"]]") "]}", HY_E_FORMAT,
      "at txns[0].patches[0][0]: expected a number, found a string" },
    { SEQ "[" TXN("[[0,null,\"\"]]") "]}", HY_E_FORMAT, "[0][1]: expected a number, found null" },
    { SEQ "[" TXN("[[0,0,0]]") "]}", HY_E_FORMAT, "[0][2]: expected a string, found a number" },
    { SEQ "[" TXN("[[0,0]]") "]}", HY_E_FORMAT, "a patch has 2 elements, not 3" },
    { SEQ "[" TXN("[[]]") "]}", HY_E_FORMAT, "a patch has 0 elements, not 3" },
    { SEQ "[" TXN("[[0,0,\"\",1]]") "]}", HY_E_FORMAT,
      "at txns[0].patches[0][3]: a patch has more than 3 elements" },
    { "{\"startContent\":1,\"endContent\":\"\",\"txns\":[]}", HY_E_FORMAT,
      "at startContent: expected a string, found a number" },
    { "{\"kind\":true}", HY_E_FORMAT, "at kind: expected a string, found true" },
    /* Numbers. */
    { SEQ "[" TXN("[[-1,0,\"\"]]") "]}", HY_E_FORMAT, "negative position (-1)" },
    { SEQ "[" TXN("[[0,-5,\"\"]]") "]}", HY_E_FORMAT, "negative delete count (-5)" },
    { SEQ "[" TXN("[[4294967296,0,\"\"]]") "]}", HY_E_FORMAT,
      "position 4294967296 is out of range (at most 4294967295)" },
    { SEQ "[" TXN("[[99999999999999999999,0,\"\"]]") "]}", HY_E_FORMAT, "integer out of range" },
    { SEQ "[" TXN("[[-9223372036854775808,0,\"\"]]") "]}", HY_E_FORMAT, "integer out of range" },
    { SEQ "[" TXN("[[1.5,0,\"\"]]") "]}", HY_E_FORMAT, "a number with a fraction or exponent" },
    { SEQ "[" TXN("[[1e3,0,\"\"]]") "]}", HY_E_FORMAT, "a number with a fraction or exponent" },
    { SEQ "[" TXN("[[01,0,\"\"]]") "]}", HY_E_FORMAT, "a number has a leading zero" },
    { SEQ "[" TXN("[[-,0,\"\"]]") "]}", HY_E_FORMAT, "expected a digit, found ','" },
    { SEQ "[" TXN("[[1.,0,\"\"]]") "]}", HY_E_FORMAT, "expected a digit after the decimal point" },
    { SEQ "[" TXN("[[1e,0,\"\"]]") "]}", HY_E_FORMAT, "expected a digit in the exponent" },
    { SEQ "[" TXN("[[+1,0,\"\"]]") "]}", HY_E_FORMAT, "expected a number, found '+'" },
    { SEQ "[" TXN("[[0x1,0,\"\"]]") "]}", HY_E_FORMAT, "expected ',' or ']' after an array element, found 'x'" },
    /* Members missing, repeated, or of the other kind of trace. */
    { "{\"startContent\":\"\",\"txns\":[]}", HY_E_FORMAT, "trace: no endContent member" },
    { "{\"startContent\":\"\",\"endContent\":\"\"}", HY_E_FORMAT, "trace: no txns member" },
    { "{\"endContent\":\"\",\"txns\":[]}", HY_E_FORMAT, "trace: no startContent member" },
    { SEQ "[],\"endContent\":\"\"}", HY_E_FORMAT, "at endContent: a second endContent" },
    { SEQ "[{\"patches\":[],\"patches\":[]}]}", HY_E_FORMAT,
      "at txns[0].patches: a second patches in one txn" },
    { SEQ "[{\"time\":1}]}", HY_E_FORMAT, "at txns[0]: a txn without patches" },
    { SEQ "[" TXN("[]") ",{" LINKS ",\"patches\":[]}]}", HY_E_FORMAT,
      "trace: at txns[1]: parents, numChildren and agent belong to concurrent traces" },
    { "{\"numAgents\":1,\"startContent\":\"\",\"endContent\":\"\",\"txns\":[]}", HY_E_FORMAT,
      "at numAgents: numAgents belongs to concurrent traces" },
    { "{\"kind\":\"sequential\"}", HY_E_FORMAT, "at kind: unknown kind" },
    /* Concurrent traces: the links between txns. */
    { CONC "[{\"parents\":[0],\"numChildren\":0,\"agent\":0,\"patches\":[]}]}", HY_E_FORMAT,
      "at txns[0].parents[0]: parent 0 is not an earlier txn" },
    { CONC "[{" LINKS ",\"patches\":[]},{\"parents\":[5],\"patches\":[]}]}", HY_E_FORMAT,
      "at txns[1].parents[0]: parent 5 is not an earlier txn" },
    { CONC "[{\"parents\":[-1]}]}", HY_E_FORMAT, "at txns[0].parents[0]: negative parent (-1)" },
    { CONC "[{\"parents\":[],\"numChildren\":0,\"agent\":2,\"patches\":[]}]}", HY_E_FORMAT,
      "trace: at txns[0].agent: agent 2, but numAgents is 2" },
    { CONC "[{\"parents\":[],\"numChildren\":1,\"agent\":0,\"patches\":[]}]}", HY_E_FORMAT,
      "trace: at txns[0].numChildren: numChildren is 1, but 0 txns name this one as a parent" },
    { CONC "[{\"parents\":[],\"numChildren\":1,\"agent\":0,\"patches\":[]},"
      "{\"parents\":[0,0],\"numChildren\":0,\"agent\":1,\"patches\":[]}]}", HY_E_FORMAT,
      "trace: at txns[1].parents[1]: txn 0 is named twice" },
    { CONC "[{\"parents\":[],\"numChildren\":0,\"patches\":[]}]}", HY_E_FORMAT,
      "trace: at txns[0]: no agent, which every txn of a concurrent trace has" },
    { CONC "[{\"agent\":0,\"patches\":[]}]}", HY_E_FORMAT, "at txns[0]: no parents" },
    { "{\"kind\":\"concurrent\",\"endContent\":\"\",\"txns\":[]}", HY_E_FORMAT,
      "trace: no numAgents member" },
    { "{\"kind\":\"concurrent\",\"endContent\":\"\",\"numAgents\":0,\"txns\":[]}", HY_E_FORMAT,
      "trace: at numAgents: 0 agents (from 1 to 65536 are supported)" },
    { "{\"kind\":\"concurrent\",\"endContent\":\"\",\"numAgents\":65537,\"txns\":[]}",
      HY_E_FORMAT, "65537 agents" },
    { "{\"kind\":\"concurrent\",\"startContent\":\"a\",\"endContent\":\"\",\"numAgents\":1,"
      "\"txns\":[]}", HY_E_FORMAT, "at startContent: a concurrent trace starts from the empty" },
    /* Values nobody reads are still checked. */
    { SEQ "[],\"x\":[1,2,{\"a\":tru}]}", HY_E_FORMAT, "invalid literal (expected true)" },
    { SEQ "[],\"x\":nul}", HY_E_FORMAT, "invalid literal (expected null)" },
    { SEQ "[],\"x\":[1,]}", HY_E_FORMAT, "expected a value, found ']'" },
    { SEQ "[],\"x\":[1}}", HY_E_FORMAT, "expected ',' or ']', found '}'" },
    { SEQ "[],\"x\":{\"a\":1]}", HY_E_FORMAT, "expected ',' or '}', found ']'" },
    { SEQ "[],\"x\":{\"a\" 1}}", HY_E_FORMAT, "expected ':' after an object key" },
    { SEQ "[],\"x\":{1:1}}", HY_E_FORMAT, "expected a string, found a number" },
    { SEQ "[],\"x\":\"\\ud800\"}", HY_E_FORMAT, "lone high surrogate" },
    { SEQ "[],\"x\":1.}", HY_E_FORMAT, "a digit after the decimal point" },
    { SEQ "[],\"x\":[[[", HY_E_TRUNCATED, "the input ends where a value was expected" },
    { SEQ "[],\"x\":[[[1", HY_E_TRUNCATED, "the input ends where ',' or ']' was expected" },
    { SEQ "[{\"time\":{\"a\":[]},\"patches\":[],\"time\":\"\\x\"}]}", HY_E_FORMAT,
      ", at txns[0]: expected an escape" },
};

static void hostile_json_fails_with_a_message_and_no_leak(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_inputs / sizeof bad_inputs[0]; i++) {
        const bad_input *bad = &bad_inputs[i];
        char err[256] = "";
        hy_test_alloc counts;
        hy_trace *trace = NULL;
        hy_err result = hy_trace_parse((const uint8_t *)bad->json, strlen(bad->json),
                                       hy_test_allocator(&counts), &trace, err, sizeof err);
        if (result != bad->code || strstr(err, bad->message) == NULL) {
            print_error("input %zu: %s\n  got %d, \"%s\"\n  wanted %d, \"%s\"\n", i, bad->json,
                        result, err, bad->code, bad->message);
        }
        assert_int_equal(result, bad->code);
        assert_non_null(strstr(err, bad->message));
        assert_ptr_equal(strstr(err, "trace: "), err);
        assert_null(trace);
        assert_int_equal(counts.live_bytes, 0);
    }
}

static void messages_give_the_byte_and_the_place(void **state)
{
    (void)state;
    const char *json = SEQ "[" TXN("[[0,0,\"a\"]]") "," TXN("[[-1,0,\"\"]]") "]}";
    char err[256];
    hy_trace *trace;
    assert_int_equal(hy_trace_parse((const uint8_t *)json, strlen(json), hy_allocator_default(),
                                    &trace, err, sizeof err),
                     HY_E_FORMAT);
    assert_string_equal(err, "trace: byte 82, at txns[1].patches[0][0]: negative position (-1)");
    /* Over the size limit, the length alone is refused: no byte is read. */
    assert_int_equal(hy_trace_parse((const uint8_t *)json, (size_t)HY_TRACE_MAX_JSON_BYTES + 1,
                                    hy_allocator_default(), &trace, err, sizeof err),
                     HY_E_TOO_LARGE);
    assert_non_null(strstr(err, "over the limit of 268435456"));
    assert_null(trace);
    /* A message longer than the buffer is cut, still terminated. */
    char small[12];
    assert_int_equal(hy_trace_parse((const uint8_t *)json, strlen(json), hy_allocator_default(),
                                    &trace, small, sizeof small),
                     HY_E_FORMAT);
    assert_string_equal(small, "trace: byte");
}

/* Builds {"x": [[[...]]]} nested depth deep, as an unknown member of a valid trace. */
static char *nested_trace(size_t depth)
{
    size_t len = strlen(SEQ "[],\"x\":}") + 2 * depth + 1;
    char *json = malloc(len);
    assert_non_null(json);
    char *p = json;
    p += sprintf(p, "%s", SEQ "[],\"x\":");
    memset(p, '[', depth);
    memset(p + depth, ']', depth);
    strcpy(p + 2 * depth, "}");
    return json;
}

static void nesting_is_limited_without_recursion(void **state)
{
    (void)state;
    hy_test_alloc counts;
    char *json = nested_trace(64);
    hy_trace_free(parse_ok(json, &counts));
    free(json);

    const size_t too_deep[] = { 65, 1000000 };
    for (size_t i = 0; i < 2; i++) {
        json = nested_trace(too_deep[i]);
        char err[256];
        hy_trace *trace;
        assert_int_equal(hy_trace_parse((const uint8_t *)json, strlen(json),
                                        hy_test_allocator(&counts), &trace, err, sizeof err),
                         HY_E_FORMAT);
        assert_non_null(strstr(err, "nesting deeper than 64 levels"));
        free(json);
    }
    assert_int_equal(counts.live_bytes, 0);
}

/* ---- what valid input means ---------------------------------------------------------------- */

static void strings_become_code_points(void **state)
{
    (void)state;
    /* The same text raw in UTF-8 and escaped, surrogate pair included. */
    const char *json =
        "{\"startContent\":\"a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\x7f\",\"endContent\":"
        "\"a\\u00e9\\u20AC\\ud83d\\ude00\\u007f\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0000\\udbff\\udfff\","
        "\"txns\":[]}";
    static const uint32_t start[] = { 'a', 0xe9, 0x20ac, 0x1f600, 0x7f };
    static const uint32_t end[] = { 'a', 0xe9, 0x20ac, 0x1f600, 0x7f, '"', '\\', '/',
                                    '\b', '\f', '\n', '\r', '\t', 0, 0x10ffff };
    hy_test_alloc counts;
    hy_trace *trace = parse_ok(json, &counts);
    assert_code_points(trace->start_content, trace->start_len, start, 5);
    assert_code_points(trace->end_content, trace->end_len, end, sizeof end / sizeof end[0]);
    hy_trace_free(trace);
}

static void unknown_members_order_and_whitespace_do_not_matter(void **state)
{
    (void)state;
    /* txns before kind, an escaped key, members nobody knows, whitespace everywhere. */
    const char *json =
        " \t\r\n{ \"txns\" : [ { \"agent\" : 1 , \"patches\" : [ [ 0 , 0 , \"hi\" ] ] ,"
        " \"parents\" : [ ] , \"numChildren\" : 1 , \"time\" : { \"a\" : [ null , true , false ,"
        " -1.5e-3 , 0 , 1E+2 , 2e-0 , -0 , \"s\\u00e9\" , { } , [ ] ] } } , { \"parents\" : [ 0 ] ,"
        " \"numChildren\" : 0 , \"agent\" : 0 , \"patches\" : [ ] } ] , \"future\" : { } ,"
        " \"numAgents\" : 2 , \"endContent\" : \"hi\" , \"\\u006bind\" : \"concurrent\" } \n";
    hy_test_alloc counts;
    hy_trace *trace = parse_ok(json, &counts);
    assert_int_equal(trace->kind, HY_TRACE_CONCURRENT);
    assert_int_equal(trace->agent_count, 2);
    assert_int_equal(trace->txn_count, 2);
    assert_int_equal(trace->txns[0].agent, 1);
    assert_int_equal(trace->txns[0].child_count, 1);
    assert_int_equal(trace->txns[0].patch_count, 1);
    assert_int_equal(trace->txns[1].parent_count, 1);
    assert_int_equal(trace->parents[trace->txns[1].first_parent], 0);
    assert_int_equal(trace->txns[1].patch_count, 0);
    assert_int_equal(trace->patches[0].ins_len, 2);
    assert_int_equal(trace->insert_patches, 1);
    assert_int_equal(trace->delete_patches, 0);
    hy_trace_free(trace);
    assert_int_equal(counts.live_bytes, 0);
}

/* Every allocation of a load, then of a replay, fails in turn: each gives HY_E_NOMEM and
 * leaves nothing allocated. */
static void every_allocation_failure_is_reported(void **state)
{
    (void)state;
    const char *inputs[] = {
        small_trace,
        CONC "[{\"parents\":[],\"numChildren\":1,\"agent\":0,\"patches\":[[0,0,\"ab\"]]},"
             "{\"parents\":[0],\"numChildren\":0,\"agent\":1,\"patches\":[[1,1,\"\"]]}]}",
    };
    for (size_t i = 0; i < 2; i++) {
        size_t failures = 0;
        for (size_t fail_at = 1;; fail_at++) {
            hy_test_alloc counts;
            hy_allocator alloc = hy_test_allocator(&counts);
            counts.fail_at = fail_at;
            char err[256];
            hy_trace *trace = NULL;
            hy_err result = hy_trace_parse((const uint8_t *)inputs[i], strlen(inputs[i]), alloc,
                                           &trace, err, sizeof err);
            if (result == HY_OK) {
                hy_trace_free(trace);
                break;
            }
            assert_int_equal(result, HY_E_NOMEM);
            assert_non_null(strstr(err, "out of memory"));
            assert_int_equal(counts.live_bytes, 0);
            failures++;
        }
        assert_true(failures >= 5);
    }
    /* The replay allocates once, and again when an insert outgrows the gap. */
    hy_test_alloc counts;
    hy_trace *trace = parse_ok(small_trace, &counts);
    counts.fail_at = counts.requests + 1;
    char err[256];
    size_t final_len;
    assert_int_equal(hy_trace_replay(trace, &final_len, err, sizeof err), HY_E_NOMEM);
    hy_trace_free(trace);
    assert_int_equal(counts.live_bytes, 0);
}

/* ---- the reference replay ------------------------------------------------------------------ */

static void replay_moves_and_widens_the_gap(void **state)
{
    (void)state;
    /* A 5000-character paste outgrows the gap; then edits before, after and inside it. */
    enum { PASTE = 5000 };
    char *json = malloc(2 * PASTE + 512);
    char *end = malloc(PASTE + 8);
    assert_non_null(json);
    assert_non_null(end);
    memset(end, 'a', PASTE + 8);
    end[0] = 'b', end[1] = 'd', end[PASTE] = 'c', end[PASTE + 1] = '\0';
    char *p = json;
    p += sprintf(p, "{\"startContent\":\"\",\"endContent\":\"%s\",\"txns\":[{\"patches\":[[0,0,\"",
                 end);
    memset(p, 'a', PASTE);
    p += PASTE;
    sprintf(p, "\"]]},{\"patches\":[[0,0,\"b\"],[%d,0,\"c\"]]},{\"patches\":[[1,2,\"d\"]]}]}",
            PASTE + 1);
    hy_test_alloc counts;
    hy_trace *trace = parse_ok(json, &counts);
    char err[256];
    size_t final_len = 0;
    hy_err result = hy_trace_replay(trace, &final_len, err, sizeof err);
    if (result != HY_OK)
        print_error("%s\n", err);
    assert_int_equal(result, HY_OK);
    assert_int_equal(final_len, PASTE + 1);
    hy_trace_free(trace);
    assert_int_equal(counts.live_bytes, 0);
    free(json);
    free(end);
}

typedef struct bad_replay {
    const char *json;
    const char *message;
} bad_replay;

static void replay_reports_what_does_not_fit(void **state)
{
    (void)state;
    static const bad_replay cases[] = {
        { "{\"startContent\":\"ab\",\"endContent\":\"\",\"txns\":[" TXN("[]") ","
          TXN("[[0,0,\"\"],[3,0,\"x\"]]") "]}",
          "txns[1].patches[1]: deleting 0 code points at 3 goes past the end of the document "
          "(2 code points)" },
        { "{\"startContent\":\"ab\",\"endContent\":\"\",\"txns\":[" TXN("[[1,2,\"\"]]") "]}",
          "txns[0].patches[0]: deleting 2 code points at 1 goes past the end" },
        { "{\"startContent\":\"ab\",\"endContent\":\"ax\",\"txns\":[" TXN("[[1,0,\"c\"]]") "]}",
          "the replayed document differs from endContent from code point 1 on (it has 3 code "
          "points, endContent 2)" },
        { "{\"startContent\":\"ab\",\"endContent\":\"abc\",\"txns\":[]}",
          "from code point 2 on (it has 2 code points, endContent 3)" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hy_test_alloc counts;
        hy_trace *trace = parse_ok(cases[i].json, &counts);
        char err[256] = "";
        size_t final_len;
        hy_err result = hy_trace_replay(trace, &final_len, err, sizeof err);
        if (strstr(err, cases[i].message) == NULL)
            print_error("case %zu: \"%s\"\n", i, err);
        assert_int_equal(result, HY_E_FORMAT);
        assert_non_null(strstr(err, cases[i].message));
        hy_trace_free(trace);
        assert_int_equal(counts.live_bytes, 0);
    }
    /* And the small trace replays. */
    hy_test_alloc counts;
    hy_trace *trace = parse_ok(small_trace, &counts);
    char err[256];
    size_t final_len;
    assert_int_equal(hy_trace_replay(trace, &final_len, err, sizeof err), HY_OK);
    assert_int_equal(final_len, 3);
    hy_trace_free(trace);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s DATA_DIR SCRATCH_DIR\n", argv[0]);
        return 2;
    }
    data_dir = argv[1];
    scratch_dir = argv[2];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(automerge_paper_has_the_readme_counts_and_replays),
        cmocka_unit_test(friendsforever_is_a_sound_concurrent_trace),
        cmocka_unit_test(the_content_decides_gzip_not_the_name),
        cmocka_unit_test(damaged_gzip_fails_with_its_cause),
        cmocka_unit_test(unreadable_files_fail_with_the_reason),
        cmocka_unit_test(hostile_json_fails_with_a_message_and_no_leak),
        cmocka_unit_test(messages_give_the_byte_and_the_place),
        cmocka_unit_test(nesting_is_limited_without_recursion),
        cmocka_unit_test(strings_become_code_points),
        cmocka_unit_test(unknown_members_order_and_whitespace_do_not_matter),
        cmocka_unit_test(every_allocation_failure_is_reported),
        cmocka_unit_test(replay_moves_and_widens_the_gap),
        cmocka_unit_test(replay_reports_what_does_not_fit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The node's pure parts: addresses, the reconnect backoff, content types, entity tags and the
 * metrics text. The rest is tested with real processes (the scripts beside this file). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node.h"

static void test_listen(void **state)
{
    (void)state;
    node_addr a;
    char why[128];
    assert_true(node_parse_listen("127.0.0.1:8080", &a, why, sizeof why));
    assert_string_equal(a.host, "127.0.0.1");
    assert_int_equal(a.port, 8080);
    assert_true(node_parse_listen("[::1]:0", &a, why, sizeof why));
    assert_string_equal(a.host, "::1");
    assert_int_equal(a.port, 0);
    assert_false(node_parse_listen("localhost", &a, why, sizeof why));
    assert_false(node_parse_listen("h:65536", &a, why, sizeof why));
    assert_false(node_parse_listen("h:8x", &a, why, sizeof why));
    assert_false(node_parse_listen(":80", &a, why, sizeof why));
    assert_false(node_parse_listen("::1:80", &a, why, sizeof why));
    assert_false(node_parse_listen("[::1", &a, why, sizeof why));
}

static void test_url(void **state)
{
    (void)state;
    node_addr a;
    char why[128];
    assert_true(node_parse_url("ws://node.example:9000", &a, why, sizeof why));
    assert_string_equal(a.host, "node.example");
    assert_int_equal(a.port, 9000);
    assert_false(a.tls);
    assert_string_equal(a.path, "/sync");
    assert_true(node_parse_url("wss://node.example/hypha/", &a, why, sizeof why));
    assert_true(a.tls);
    assert_int_equal(a.port, 443);
    assert_string_equal(a.path, "/hypha/sync");
    assert_true(node_parse_url("ws://[::1]:80/", &a, why, sizeof why));
    assert_string_equal(a.host, "::1");
    assert_string_equal(a.path, "/sync");
    assert_false(node_parse_url("http://h:1", &a, why, sizeof why));
    assert_false(node_parse_url("ws://h:0", &a, why, sizeof why));
    assert_false(node_parse_url("ws://user@h:1", &a, why, sizeof why));
    assert_false(node_parse_url("ws://h:1/?q", &a, why, sizeof why));
    assert_false(node_parse_url("ws://", &a, why, sizeof why));
}

static void test_backoff(void **state)
{
    (void)state;
    /* Doubling from 500 ms, each delay 75-100% of its step, never above 30 s. */
    unsigned step = 500;
    for (unsigned failures = 1; failures < 40; failures++) {
        unsigned low = node_backoff_ms(failures, 0), high = node_backoff_ms(failures, UINT32_MAX);
        unsigned top = node_backoff_ms(failures, step / 4);
        assert_int_equal(low, step - step / 4);
        assert_true(high >= low && high <= step);
        assert_int_equal(top, step);
        step = step * 2 > 30000 ? 30000 : step * 2;
    }
    assert_int_equal(node_backoff_ms(UINT32_MAX, 0), 30000 - 7500);
}

static void test_content_types(void **state)
{
    (void)state;
    assert_string_equal(node_static_content_type("/a/index.html"), "text/html; charset=utf-8");
    assert_string_equal(node_static_content_type("app.MJS"), "text/javascript; charset=utf-8");
    assert_string_equal(node_static_content_type("x.wasm"), "application/wasm");
    assert_string_equal(node_static_content_type("d.json"), "application/json");
    assert_string_equal(node_static_content_type("i.svg"), "image/svg+xml");
    assert_string_equal(node_static_content_type("p.png"), "image/png");
    assert_string_equal(node_static_content_type("s.css"), "text/css; charset=utf-8");
    assert_string_equal(node_static_content_type("dir.d/README"), "application/octet-stream");
}

static void test_etag(void **state)
{
    (void)state;
    const node_static_version version = { .device = 2049, .inode = 1234567, .size = 123904,
                                          .mtime_ns = 1700000000123456789u };
    char etag[NODE_STATIC_ETAG_SIZE], again[NODE_STATIC_ETAG_SIZE];
    node_static_etag(&version, etag);
    assert_int_equal(strlen(etag), NODE_STATIC_ETAG_SIZE - 1);
    assert_int_equal(etag[0], '"');
    assert_int_equal(etag[NODE_STATIC_ETAG_SIZE - 2], '"');
    for (size_t i = 1; i < NODE_STATIC_ETAG_SIZE - 2; i++)
        assert_non_null(strchr("0123456789abcdef", etag[i]));
    node_static_etag(&version, again);
    assert_string_equal(etag, again);
    /* No inode or device number shows in the tag. */
    assert_null(strstr(etag, "12d687"));
    assert_null(strstr(etag, "1234567"));
    /* Any field of the version changes the tag. */
    for (int field = 0; field < 4; field++) {
        node_static_version changed = version;
        uint64_t *values[] = { &changed.device, &changed.inode, &changed.size,
                               &changed.mtime_ns };
        *values[field] += 1;
        node_static_etag(&changed, again);
        assert_string_not_equal(etag, again);
    }
}

static bool matches(const char *if_none_match, const char *etag)
{
    return node_static_etag_matches(if_none_match, strlen(if_none_match), etag);
}

static void test_etag_matches(void **state)
{
    (void)state;
    const char *etag = "\"0a1b\"";
    /* The tag itself, weak or strong, alone or in a list with whitespace and empty elements. */
    assert_true(matches("\"0a1b\"", etag));
    assert_true(matches("W/\"0a1b\"", etag));
    assert_true(matches("\"ffff\", \"0a1b\"", etag));
    assert_true(matches("\"0a1b\",\"ffff\"", etag));
    assert_true(matches(" \t, ,W/\"x\" ,\t\"0a1b\" , ", etag));
    assert_true(matches("\"\", W/\"0a1b\"", etag));
    assert_true(matches("*", etag));
    assert_true(matches("  *\t", etag));
    /* Other tags, parts of the tag, and nothing at all name nothing. */
    assert_false(matches("\"ffff\"", etag));
    assert_false(matches("\"0A1B\"", etag));
    assert_false(matches("\"0a1\"", etag));
    assert_false(matches("\"0a1b0\"", etag));
    assert_false(matches("", etag));
    assert_false(matches(" , ,\t", etag));
    /* Malformed values name nothing, wherever the flaw is. */
    assert_false(matches("0a1b", etag));
    assert_false(matches("\"0a1b", etag));
    assert_false(matches("w/\"0a1b\"", etag));
    assert_false(matches("W/ \"0a1b\"", etag));
    assert_false(matches("W/", etag));
    assert_false(matches("\"0a1b\" \"ffff\"", etag));
    assert_false(matches("\"0a1b\"x", etag));
    assert_false(matches("\"0a1b\", ffff", etag));
    assert_false(matches("\"ff\"ff\", \"0a1b\"", etag));
    assert_false(matches("\"0a\x7f\", \"0a1b\"", etag));
    assert_false(matches("*, \"0a1b\"", etag));
    assert_false(matches("\"0a1b\", *", etag));
    assert_false(matches("**", etag));
    /* Only len bytes count: a cut value is malformed, and a NUL is no separator. */
    assert_false(node_static_etag_matches("\"0a1b\"", 5, etag));
    assert_false(node_static_etag_matches("\"0a1b\"\0", 7, etag));
    assert_true(node_static_etag_matches("\"0a1b\", \"ffff", 6, etag));
    /* obs-text inside another tag is fine. */
    assert_true(matches("\"caf\xc3\xa9\", \"0a1b\"", etag));
}

static void test_metrics_text(void **state)
{
    (void)state;
    node_metrics m;
    memset(&m, 0, sizeof m);
    m.peers_inbound = 3;
    m.changes_in = 42;
    node_metrics_observe_latency(&m, 0.0005);
    node_metrics_observe_latency(&m, 0.2);
    node_metrics_observe_latency(&m, 60);
    size_t need = node_metrics_render(&m, NULL, 0, NULL, 0);
    char small[16];
    assert_int_equal(node_metrics_render(&m, NULL, 0, small, sizeof small), need);
    assert_int_equal(strlen(small), sizeof small - 1);
    char *text = malloc(need + 1);
    assert_non_null(text);
    assert_int_equal(node_metrics_render(&m, NULL, 0, text, need + 1), need);
    assert_int_equal(strlen(text), need);
    assert_non_null(strstr(text, "\nhypha_peers{direction=\"inbound\"} 3\n"));
    assert_non_null(strstr(text, "\nhypha_changes_applied_total 42\n"));
    /* Cumulative buckets; the 60 s observation is only in +Inf. */
    assert_non_null(strstr(text, "\nhypha_sync_latency_seconds_bucket{le=\"0.001\"} 1\n"));
    assert_non_null(strstr(text, "\nhypha_sync_latency_seconds_bucket{le=\"0.5\"} 2\n"));
    assert_non_null(strstr(text, "\nhypha_sync_latency_seconds_bucket{le=\"5\"} 2\n"));
    assert_non_null(strstr(text, "\nhypha_sync_latency_seconds_bucket{le=\"+Inf\"} 3\n"));
    assert_non_null(strstr(text, "\nhypha_sync_latency_seconds_count 3\n"));
    /* Ledger gauges appear on nodes that hold a ledger only. */
    assert_null(strstr(text, "hypha_ledger_"));
    free(text);
}

/* One gauge family per figure, a line per ledger labelled with its store id. */
static void test_metrics_ledgers(void **state)
{
    (void)state;
    node_metrics m;
    memset(&m, 0, sizeof m);
    node_ledger_gauges ledgers[2];
    memset(ledgers, 0, sizeof ledgers);
    memset(ledgers[0].store, 0xaa, HY_HASH_LEN);
    ledgers[0].checkpoint.epoch = 7;
    ledgers[0].checkpoint.signatures = 3;
    ledgers[0].checkpoint.confirmed_ops = 12;
    ledgers[0].checkpoint.disputed_ops = 1;
    /* ledgers[1]: store id 00...0, every figure 0 */
    size_t need = node_metrics_render(&m, ledgers, 2, NULL, 0);
    char *text = malloc(need + 1);
    assert_non_null(text);
    assert_int_equal(node_metrics_render(&m, ledgers, 2, text, need + 1), need);
    char first[2 * HY_HASH_LEN + 1], second[2 * HY_HASH_LEN + 1];
    memset(first, 'a', 2 * HY_HASH_LEN);
    memset(second, '0', 2 * HY_HASH_LEN);
    first[2 * HY_HASH_LEN] = second[2 * HY_HASH_LEN] = '\0';
    const char *lines[][2] = {
        { "hypha_ledger_certified_epoch", "7" },
        { "hypha_ledger_checkpoint_signatures", "3" },
        { "hypha_ledger_confirmed_ops", "12" },
        { "hypha_ledger_disputed_ops", "1" },
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        char want[512];
        snprintf(want, sizeof want,
                 "\n# TYPE %s gauge\n%s{store=\"%s\"} %s\n%s{store=\"%s\"} 0\n",
                 lines[i][0], lines[i][0], first, lines[i][1], lines[i][0], second);
        assert_non_null(strstr(text, want));
    }
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_listen),        cmocka_unit_test(test_url),
        cmocka_unit_test(test_backoff),       cmocka_unit_test(test_content_types),
        cmocka_unit_test(test_etag),          cmocka_unit_test(test_etag_matches),
        cmocka_unit_test(test_metrics_text),  cmocka_unit_test(test_metrics_ledgers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

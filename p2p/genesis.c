/* A store's genesis: its name and policy in one canonical encoding whose hash is the store id
 * (docs/protocol.md, "Genesis"). */
#include "bytes.h"
#include "try.h"
#include "hypha.h"
#include "utf8.h"

#include <stdlib.h>
#include <string.h>

static const uint8_t GENESIS_MAGIC[4] = { 'H', 'Y', 'G', 'N' };
/* Version 1: a store. Version 2: a credit ledger, the same fields and then the committee and
 * the default credit limit. */
#define GENESIS_VERSION 1
#define GENESIS_VERSION_LEDGER 2

static int key_cmp(const void *a, const void *b) { return memcmp(a, b, HY_KEY_LEN); }

static bool name_valid(const char *name, size_t len)
{
    return name != NULL && len >= 1 && len <= HY_NAME_MAX && memchr(name, 0, len) == NULL &&
           hy_utf8_valid((const uint8_t *)name, len);
}

static size_t keys_len(size_t count) { return hy_varint_len(count) + count * HY_KEY_LEN; }

/* Copies count keys to out sorted; HY_E_INVALID_ARG on a duplicate (a list with one key
 * twice is a caller's mistake, and canonical bytes need one spelling of each policy). */
static hy_err put_keys(uint8_t *out, const uint8_t *keys, size_t count)
{
    uint8_t *at = out + hy_varint_put(out, count);
    if (count)
        memcpy(at, keys, count * HY_KEY_LEN);
    qsort(at, count, HY_KEY_LEN, key_cmp);
    for (size_t i = 1; i < count; i++)
        if (key_cmp(at + (i - 1) * HY_KEY_LEN, at + i * HY_KEY_LEN) == 0)
            return HY_E_INVALID_ARG;
    return HY_OK;
}

/* n = 3f + 1 members with f >= 1. */
static bool committee_size_valid(size_t n)
{
    return n >= 4 && n <= HY_GENESIS_MAX_KEYS && (n - 1) % 3 == 0;
}

static bool ledger_valid(const hy_genesis *g)
{
    if (g->committee_count == 0)
        return g->credit_limit == 0;
    return committee_size_valid(g->committee_count) && g->committee != NULL &&
           g->credit_limit >= 0 && g->credit_limit <= HY_AMOUNT_MAX;
}

hy_err hy_genesis_encode(const hy_genesis *g, uint8_t *out, size_t cap, size_t *len)
{
    if (g == NULL || len == NULL || !name_valid(g->name, g->name_len) ||
        g->writer_count > HY_GENESIS_MAX_KEYS || g->reader_count > HY_GENESIS_MAX_KEYS ||
        (g->writer_count && g->writers == NULL) || (g->reader_count && g->readers == NULL) ||
        !ledger_valid(g))
        return HY_E_INVALID_ARG;
    bool ledger = g->committee_count > 0;
    size_t need = sizeof GENESIS_MAGIC + 1 + hy_varint_len(g->name_len) + g->name_len +
                  keys_len(g->writer_count) + keys_len(g->reader_count) +
                  (ledger ? keys_len(g->committee_count) +
                                hy_varint_len((uint64_t)g->credit_limit)
                          : 0);
    *len = need;
    if (need > cap || out == NULL)
        return HY_E_TOO_LARGE;
    uint8_t *p = out;
    memcpy(p, GENESIS_MAGIC, sizeof GENESIS_MAGIC);
    p += sizeof GENESIS_MAGIC;
    *p++ = ledger ? GENESIS_VERSION_LEDGER : GENESIS_VERSION;
    p += hy_varint_put(p, g->name_len);
    memcpy(p, g->name, g->name_len);
    p += g->name_len;
    HY_TRY(put_keys(p, g->writers, g->writer_count));
    p += keys_len(g->writer_count);
    HY_TRY(put_keys(p, g->readers, g->reader_count));
    p += keys_len(g->reader_count);
    if (ledger) {
        HY_TRY(put_keys(p, g->committee, g->committee_count));
        p += keys_len(g->committee_count);
        hy_varint_put(p, (uint64_t)g->credit_limit);
    }
    return HY_OK;
}

/* A key list: ascending bytewise with no repeats, so that one policy has one encoding. */
static hy_err read_keys(hy_reader *r, const uint8_t **keys, size_t *count)
{
    HY_TRY(hy_read_count(r, HY_KEY_LEN, count));
    if (*count > HY_GENESIS_MAX_KEYS)
        return HY_E_TOO_LARGE;
    size_t at = r->pos;
    HY_TRY(hy_read_view(r, *count * HY_KEY_LEN, keys));
    for (size_t i = 1; i < *count; i++)
        if (key_cmp(*keys + (i - 1) * HY_KEY_LEN, *keys + i * HY_KEY_LEN) >= 0) {
            r->pos = at + i * HY_KEY_LEN;
            return HY_E_FORMAT;
        }
    return HY_OK;
}

static hy_err decode(hy_reader *r, hy_genesis *g)
{
    const uint8_t *magic;
    HY_TRY(hy_read_view(r, sizeof GENESIS_MAGIC, &magic));
    if (memcmp(magic, GENESIS_MAGIC, sizeof GENESIS_MAGIC) != 0) {
        r->pos = 0;
        return HY_E_FORMAT;
    }
    uint64_t version;
    HY_TRY(hy_read_varint(r, &version));
    if (version != GENESIS_VERSION && version != GENESIS_VERSION_LEDGER) {
        r->pos = sizeof GENESIS_MAGIC;
        return HY_E_VERSION;
    }
    size_t name_at = r->pos;
    HY_TRY(hy_read_count(r, 1, &g->name_len));
    const uint8_t *name;
    HY_TRY(hy_read_view(r, g->name_len, &name));
    g->name = (const char *)name;
    if (!name_valid(g->name, g->name_len)) {
        r->pos = name_at;
        return HY_E_FORMAT;
    }
    HY_TRY(read_keys(r, &g->writers, &g->writer_count));
    HY_TRY(read_keys(r, &g->readers, &g->reader_count));
    if (version == GENESIS_VERSION_LEDGER) {
        size_t committee_at = r->pos;
        HY_TRY(read_keys(r, &g->committee, &g->committee_count));
        if (!committee_size_valid(g->committee_count)) {
            r->pos = committee_at;
            return HY_E_FORMAT;
        }
        size_t limit_at = r->pos;
        uint64_t limit;
        HY_TRY(hy_read_varint(r, &limit));
        if (limit > (uint64_t)HY_AMOUNT_MAX) {
            r->pos = limit_at;
            return HY_E_TOO_LARGE;
        }
        g->credit_limit = (int64_t)limit;
    }
    return hy_reader_left(r) ? HY_E_FORMAT : HY_OK;
}

hy_err hy_genesis_decode(const uint8_t *data, size_t len, hy_genesis *out, size_t *err_offset)
{
    if ((len && data == NULL) || out == NULL)
        return HY_E_INVALID_ARG;
    hy_reader r = hy_reader_make(data, len);
    hy_genesis g = { 0 };
    hy_err err = decode(&r, &g);
    if (err_offset)
        *err_offset = err ? r.pos : 0;
    if (err == HY_OK)
        *out = g;
    return err;
}

/* Writes the seed corpora of the fuzz targets into DIR/<target>/: valid inputs made by the
 * engine itself, so the fuzzers start from deep inside each format. */
#include "alloc.h"
#include "deflate.h"
#include "ledger_fixture.h"
#include "ledger_ops.h"
#include "log_fixture.h"
#include "store_owner.h"
#include "store_fixture.h"
#include "sync_fixture.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static int write_seed(const char *dir, const char *target, const char *name, const uint8_t *data,
                      size_t len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, target);
    mkdir(dir, 0755);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/%s/%s", dir, target, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, len, f) != len) {
        fprintf(stderr, "make_corpus: cannot write %s\n", path);
        if (f)
            fclose(f);
        return 1;
    }
    return fclose(f) != 0;
}

static int write_saved(const char *dir, const char *name, hy_log *log)
{
    uint8_t *data;
    size_t len;
    if (fixture_save(log, &data, &len))
        return 1;
    int failed = write_seed(dir, "log_load", name, data, len);
    fixture_free(data, len);
    return failed;
}

/* Streams of each block kind: dynamic (text), stored (noise), fixed (a short word), and
 * long matches (a run). */
static int write_inflate_seeds(const char *dir)
{
    static uint8_t input[6000];
    uint64_t s = 1;
    for (size_t i = 0; i < 4000; i++)
        input[i] = (uint8_t)"the merge of a change "[(i * 7 + i / 50) % 22];
    for (size_t i = 4000; i < 5000; i++) {
        s = s * 6364136223846793005u + 1442695040888963407u;
        input[i] = (uint8_t)(s >> 56);
    }
    memset(input + 5000, 'z', 1000);
    static const struct {
        const char *name;
        size_t from, len;
    } seeds[] = { { "dynamic", 0, 4000 }, { "stored", 4000, 1000 }, { "fixed", 0, 9 },
                  { "run", 5000, 1000 }, { "mixed", 0, 6000 }, { "empty", 0, 0 } };
    hy_allocator al = hy_allocator_default();
    hy_writer w;
    hy_writer_init(&w, al);
    int failed = 0;
    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
        w.len = 0;
        failed |= hy_deflate(&al, input + seeds[i].from, seeds[i].len, &w) != HY_OK;
        failed |= write_seed(dir, "inflate", seeds[i].name, w.data, w.len);
    }
    hy_writer_free(&w);
    return failed;
}

/* The ledger target's seeds: one op of each kind, alone (selector 0) and as a member's
 * changes (selector 1), and a peer's batch of all of them (selector 2). */
static int write_ledger_seeds(const char *dir)
{
    ledger_world world;
    ledger_world_init(&world, 4, 100, 1);
    ledger_replica peer;
    if (ledger_replica_open(&peer, &world, world.member_seed[1], 9) != HY_OK)
        return 1;
    uint8_t key[HY_KEY_LEN] = { 3 }, sig[HY_SIG_LEN] = { 4 }, state[HY_HASH_LEN] = { 5 };
    const ledger_op ops[] = {
        { .kind = OP_OPEN, .amount = 50 },
        { .kind = OP_GRANT, .account = peer.key, .other = key, .amount = 7 },
        { .kind = OP_SPEND, .account = peer.key, .other = key, .amount = 9 },
        { .kind = OP_LIMIT, .account = key, .amount = 500 },
        { .kind = OP_CHECKPOINT, .epoch = 1, .frontier = state, .frontier_count = 1,
          .state = state, .sig = sig },
    };
    static const char *const names[] = { "open", "grant", "spend", "limit", "checkpoint" };
    hy_writer op, seed;
    hy_writer_init(&op, hy_allocator_default());
    hy_writer_init(&seed, hy_allocator_default());
    int failed = 0;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        char name[32];
        op.len = 0;
        ledger_op_encode(&ops[i], &op);
        seed.len = 0;
        hy_write_u8(&seed, 0);
        hy_write_bytes(&seed, op.data, op.len);
        snprintf(name, sizeof name, "decode-%s", names[i]);
        failed |= write_seed(dir, "ledger", name, seed.data, seed.len);
        seed.data[0] = 1;
        uint8_t len[2] = { (uint8_t)op.len, (uint8_t)(op.len >> 8) };
        seed.len = 1;
        hy_write_bytes(&seed, len, 2);
        hy_write_bytes(&seed, op.data, op.len);
        snprintf(name, sizeof name, "commit-%s", names[i]);
        failed |= write_seed(dir, "ledger", name, seed.data, seed.len);
        if (i < 3)
            failed |= hy_store_commit_owned(peer.store, op.data, op.len, NULL) != HY_OK;
    }
    uint8_t *batch;
    size_t len;
    failed |= hy_store_changes(peer.store, NULL, 0, &batch, &len) != HY_OK;
    if (!failed) {
        seed.len = 0;
        hy_write_u8(&seed, 2);
        hy_write_bytes(&seed, batch, len);
        failed |= write_seed(dir, "ledger", "batch", seed.data, seed.len);
        hy_store_buffer_free(peer.store, batch, len);
    }
    hy_writer_free(&op);
    hy_writer_free(&seed);
    ledger_replica_close(&peer);
    return failed;
}

/* A sync seed: the selector byte, then each message behind its 3-byte length. */
static int write_sync_seed(const char *dir, const char *name, uint8_t mode, hy_writer *msgs[],
                           size_t count)
{
    hy_writer w;
    hy_writer_init(&w, hy_allocator_default());
    hy_write_u8(&w, mode);
    for (size_t i = 0; i < count; i++) {
        for (int b = 0; b < 3; b++)
            hy_write_u8(&w, (uint8_t)(msgs[i]->len >> (8 * b)));
        hy_write_bytes(&w, msgs[i]->data, msgs[i]->len);
    }
    int failed = w.err != HY_OK || write_seed(dir, "sync", name, w.data, w.len);
    hy_writer_free(&w);
    return failed;
}

/* Valid frames of every type for the sync target, and geneses for its decoder. */
static int write_sync_seeds(const char *dir)
{
    sync_fixture f;
    if (sync_fixture_open(&f) != HY_OK)
        return 1;
    hy_allocator al = hy_allocator_default();
    hy_writer m[3], p;
    for (int i = 0; i < 3; i++)
        hy_writer_init(&m[i], al);
    hy_writer_init(&p, al);
    hy_writer *one[1] = { &m[0] }, *three[3] = { &m[0], &m[1], &m[2] };
    hy_writer *reversed[3] = { &m[2], &m[1], &m[0] };
    int failed = 0;

    wire_frame(&m[0], WIRE_HELLO, f.peer.hello, f.peer.hello_len);
    failed |= write_sync_seed(dir, "hello", 0, one, 1);
    m[0].len = 0;
    sync_fixture_greeting(&f, &m[0]);
    failed |= write_sync_seed(dir, "hello-auth", 0, one, 1);
    wire_sync(&p, 1, NULL, 0, NULL, NULL, 0);
    wire_frame(&m[0], WIRE_SYNC, p.data, p.len);
    failed |= write_sync_seed(dir, "hello-auth-sync", 0, one, 1);

    m[0].len = 0;
    wire_frame(&m[0], WIRE_SYNC, p.data, p.len);
    failed |= write_sync_seed(dir, "sync-empty", 1, one, 1);
    uint8_t heads[4 * HY_HASH_LEN], key[HY_KEY_LEN];
    size_t head_count = 0;
    failed |= hy_store_heads(f.store, heads, 4, &head_count) != HY_OK;
    memcpy(key, hy_store_actor(f.store), HY_KEY_LEN);
    uint64_t seq = 2;
    p.len = m[0].len = 0;
    wire_sync(&p, 0, heads, head_count, key, &seq, 1);
    wire_frame(&m[0], WIRE_SYNC, p.data, p.len);
    failed |= write_sync_seed(dir, "sync-heads", 1, one, 1);

    /* A batch from another replica in one part; then, after a big insert, a batch in three
     * parts, in order and last part first. */
    test_platform tp;
    hy_store *other = fixture_store(&tp, al, 12);
    hy_value v = { .type = HY_TYPE_INT, .as.integer = 3 };
    uint8_t *batch = NULL;
    size_t batch_len = 0;
    failed |= other == NULL || hy_put(other, "c", "k", "y", &v) != HY_OK ||
              hy_counter_add(other, "c", "k", "n", 2) != HY_OK ||
              hy_store_changes(other, NULL, 0, &batch, &batch_len) != HY_OK;
    p.len = m[0].len = 0;
    wire_changes(&p, WIRE_LAST, 1, 0, batch, batch_len);
    wire_frame(&m[0], WIRE_CHANGES, p.data, p.len);
    failed |= write_sync_seed(dir, "changes", 1, one, 1);
    if (other)
        hy_store_buffer_free(other, batch, batch_len);
    batch = NULL;
    batch_len = 0;
    static char text[2 * WIRE_PART + 100];
    memset(text, 'f', sizeof text);
    int big_failed =
        other == NULL || hy_text_insert(other, "c", "k", "body", 0, text, sizeof text) != HY_OK ||
        hy_store_changes(other, NULL, 0, &batch, &batch_len) != HY_OK ||
        batch_len <= 2 * WIRE_PART || batch_len > 3 * WIRE_PART;
    for (size_t i = 0; !big_failed && i < 3; i++) {
        size_t at = i * WIRE_PART, len = i < 2 ? WIRE_PART : batch_len - at;
        p.len = m[i].len = 0;
        wire_changes(&p, i == 2 ? WIRE_LAST : 0, 2, i, batch + at, len);
        wire_frame(&m[i], WIRE_CHANGES, p.data, p.len);
    }
    if (!big_failed) {
        big_failed |= write_sync_seed(dir, "changes-parts", 1, three, 3);
        big_failed |= write_sync_seed(dir, "changes-parts-reversed", 1, reversed, 3);
    }
    failed |= big_failed;
    if (other && batch)
        hy_store_buffer_free(other, batch, batch_len);
    hy_store_free(other);
    m[1].len = m[2].len = 0;

    p.len = m[0].len = 0;
    hy_write_varint(&p, head_count);
    hy_write_bytes(&p, heads, head_count * HY_HASH_LEN);
    hy_write_u8(&p, 7);
    hy_write_varint(&p, 16);
    for (int i = 0; i < 16; i++)
        hy_write_u8(&p, (uint8_t)(i * 37));
    wire_frame(&m[0], WIRE_NEED, p.data, p.len);
    failed |= write_sync_seed(dir, "need", 1, one, 1);
    p.len = m[0].len = 0;
    wire_error(&p, HY_E_FORBIDDEN, "bye");
    wire_frame(&m[0], WIRE_ERROR, p.data, p.len);
    failed |= write_sync_seed(dir, "error", 1, one, 1);
    m[0].len = 0;
    wire_frame(&m[0], WIRE_HELLO, f.peer.hello, f.peer.hello_len);
    failed |= write_sync_seed(dir, "hello-again", 1, one, 1);

    /* Geneses: the fixture's, and one with writers and readers. */
    uint8_t g[256];
    g[0] = 2;
    memcpy(g + 1, f.genesis, f.genesis_len);
    failed |= write_seed(dir, "sync", "genesis", g, f.genesis_len + 1);
    uint8_t keys[3 * HY_KEY_LEN];
    for (size_t i = 0; i < sizeof keys; i++)
        keys[i] = (uint8_t)(i * 13 + 1);
    hy_genesis gen = { .name = "team", .name_len = 4, .writers = keys, .writer_count = 2,
                       .readers = keys + 2 * HY_KEY_LEN, .reader_count = 1 };
    size_t len = 0;
    failed |= hy_genesis_encode(&gen, g + 1, sizeof g - 1, &len) != HY_OK;
    failed |= write_seed(dir, "sync", "genesis-keys", g, len + 1);

    for (int i = 0; i < 3; i++)
        failed |= m[i].err != HY_OK;
    failed |= p.err != HY_OK;
    for (int i = 0; i < 3; i++)
        hy_writer_free(&m[i]);
    hy_writer_free(&p);
    sync_fixture_close(&f);
    return failed;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: make_corpus DIR\n");
        return 2;
    }
    const char *dir = argv[1];
    hy_allocator al = hy_allocator_default();
    hy_log *a = fixture_log(al, 1, true), *b = fixture_log(al, 2, true);
    hy_log *twin = fixture_log(al, 2, true);
    int failed = write_saved(dir, "empty", a);
    failed |= write_inflate_seeds(dir);
    failed |= write_sync_seeds(dir);
    failed |= write_ledger_seeds(dir);
    for (int i = 0; i < 30; i++)
        failed |= fixture_commit(a, i % 3 ? "insert" : "delete 3") != HY_OK;
    failed |= write_saved(dir, "one-actor", a);
    for (int i = 0; i < 5; i++)
        failed |= fixture_commit(b, "b") != HY_OK;
    failed |= fixture_commit(twin, "twin") != HY_OK;
    failed |= fixture_sync(b, a) != HY_OK;
    failed |= fixture_sync(twin, a) != HY_OK;
    failed |= fixture_commit(a, "merge") != HY_OK;
    failed |= write_saved(dir, "equivocation", a);

    hy_writer w;
    hy_writer_init(&w, al);
    for (uint32_t i = 0; i < hy_log_count(a); i += 7) {
        char name[32];
        w.len = 0;
        failed |= hy_log_encode(a, i, &w) != HY_OK;
        snprintf(name, sizeof name, "change-%u", (unsigned)i);
        failed |= write_seed(dir, "change", name, w.data, w.len);
    }
    w.len = 0;
    failed |= hy_log_encode(a, hy_log_count(a) - 1, &w) != HY_OK; /* two deps */
    failed |= write_seed(dir, "change", "merge", w.data, w.len);
    w.len = 0;
    failed |= hy_log_equivocation_proof(a, 0, &w) != HY_OK;
    failed |= write_seed(dir, "proof", "equivocation", w.data, w.len);
    hy_writer_free(&w);

    /* Stores: a saved snapshot, and a change batch from another replica. */
    test_platform p;
    hy_store *store = fixture_store(&p, hy_allocator_default(), 3);
    if (store == NULL) {
        fprintf(stderr, "make_corpus: cannot make a store\n");
        return 1;
    }
    hy_value title = { .type = HY_TYPE_STRING, .as.bytes = { (const uint8_t *)"write", 5 } };
    failed |= hy_put(store, "tasks", "a", "title", &title) != HY_OK;
    failed |= hy_counter_add(store, "tasks", "a", "votes", 2) != HY_OK;
    failed |= hy_remove(store, "tasks", "a", "title") != HY_OK;
    /* A list and a nested map, edited and partly removed, so every op kind is in the seeds. */
    for (int64_t i = 0; i < 4; i++) {
        hy_value item = { .type = HY_TYPE_INT, .as.integer = i };
        failed |= hy_list_insert(store, "tasks", "a", "steps", (size_t)i / 2, &item) != HY_OK;
    }
    failed |= hy_list_delete(store, "tasks", "a", "steps", 1, 2) != HY_OK;
    failed |= hy_map_put(store, "tasks", "a", "meta", "owner", &title) != HY_OK;
    failed |= hy_map_put(store, "tasks", "a", "meta", "due", &title) != HY_OK;
    failed |= hy_map_remove(store, "tasks", "a", "meta", "due") != HY_OK;
    uint8_t *bytes;
    size_t len;
    failed |= hy_store_save(store, &bytes, &len) != HY_OK;
    failed |= write_seed(dir, "store_load", "tasks", bytes, len);
    hy_store_buffer_free(store, bytes, len);
    failed |= hy_store_changes(store, NULL, 0, &bytes, &len) != HY_OK;
    failed |= write_seed(dir, "store_merge", "tasks", bytes, len);
    hy_store_buffer_free(store, bytes, len);
    hy_store_free(store);
    hy_log_free(a);
    hy_log_free(b);
    hy_log_free(twin);
    if (failed)
        fprintf(stderr, "make_corpus: failed\n");
    return failed;
}

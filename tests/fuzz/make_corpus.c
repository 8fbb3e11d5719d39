/* Writes the seed corpora of the fuzz targets into DIR/<target>/: valid inputs made by the
 * engine itself, so the fuzzers start from deep inside each format. */
#include "alloc.h"
#include "deflate.h"
#include "log_fixture.h"
#include "store_fixture.h"

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

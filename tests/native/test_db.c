/* The node's database (native/db.h): what it keeps across reopening, compaction and kill -9,
 * and that damaged rows, damaged export files and forbidden writers give errors, not crashes.
 * Usage: test_db SCRATCH_DIR (database files are made and removed there). */
#include "hy_test.h"

#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "db.h"

static const char *scratch;
static hy_platform platform;

/* A fresh database path in the scratch directory, into path (PATH_SIZE bytes): any files of
 * an earlier run are removed. */
enum { PATH_SIZE = 512 };
static const char *db_path(char *path, const char *name)
{
    snprintf(path, PATH_SIZE, "%s/%s.db", scratch, name);
    char side[PATH_SIZE + 8];
    remove(path);
    snprintf(side, sizeof side, "%s-wal", path);
    remove(side);
    snprintf(side, sizeof side, "%s-shm", path);
    remove(side);
    return path;
}

/* Opens (creating) the database with these compaction thresholds (0: the defaults). */
static hy_db *open_db_compacting(const char *path, size_t max_increments, size_t min_bytes)
{
    hy_db_options options = { .path = path, .create = true,
                              .compact_max_increments = max_increments,
                              .compact_min_bytes = min_bytes };
    hy_db *db;
    char message[HY_DB_MESSAGE_MAX];
    hy_err err = hy_db_open(&options, &db, message);
    if (err != HY_OK)
        fprintf(stderr, "hy_db_open: %s\n", message);
    assert_int_equal(err, HY_OK);
    return db;
}

static hy_db *open_db(const char *path, size_t max_increments)
{
    return open_db_compacting(path, max_increments, 0);
}

/* Creates a store named name whose writers are the given keys (count may be 0). */
static void create_store(hy_db *db, const char *name, const uint8_t *writers, size_t count,
                         uint8_t id[HY_HASH_LEN])
{
    hy_genesis g = { .name = name, .name_len = strlen(name), .writers = writers,
                     .writer_count = count };
    uint8_t genesis[1024];
    size_t len;
    assert_int_equal(hy_genesis_encode(&g, genesis, sizeof genesis, &len), HY_OK);
    hy_err err = hy_db_store_create(db, genesis, len, id);
    if (err != HY_OK)
        fprintf(stderr, "hy_db_store_create: %s\n", hy_db_message(db));
    assert_int_equal(err, HY_OK);
}

static hy_store *open_store(hy_db *db, const uint8_t id[HY_HASH_LEN])
{
    hy_store_config base = { .platform = &platform };
    hy_store *store;
    hy_err err = hy_db_store_open(db, id, &base, &store);
    if (err != HY_OK)
        fprintf(stderr, "hy_db_store_open: %s\n", hy_db_message(db));
    assert_int_equal(err, HY_OK);
    return store;
}

static hy_err put_int(hy_store *store, const char *key, int64_t n)
{
    hy_value v = { .type = HY_TYPE_INT, .as.integer = n };
    return hy_put(store, "c", key, "n", &v);
}

/* Writes key = n and persists it, compacting when due (as the command line does). */
static void put_persist(hy_db *db, hy_store *store, const char *key, int64_t n)
{
    assert_int_equal(put_int(store, key, n), HY_OK);
    hy_err err = hy_db_store_compact(db, store);
    if (err != HY_OK)
        fprintf(stderr, "hy_db_store_compact: %s\n", hy_db_message(db));
    assert_int_equal(err, HY_OK);
}

static void assert_int_at(hy_store *store, const char *key, int64_t want)
{
    hy_value v;
    assert_int_equal(hy_get(store, "c", key, "n", &v), HY_OK);
    assert_int_equal(v.type, HY_TYPE_INT);
    assert_true(v.as.integer == want);
}

static void key_name(char *buf, size_t size, int i)
{
    snprintf(buf, size, "k%d", i);
}

/* Runs SQL on the file behind hy_db's back, as damage or another program would. */
static void raw_sql(const char *path, const char *sql)
{
    sqlite3 *raw;
    assert_int_equal(sqlite3_open(path, &raw), SQLITE_OK);
    char *error = NULL;
    int rc = sqlite3_exec(raw, sql, NULL, NULL, &error);
    if (rc != SQLITE_OK)
        fprintf(stderr, "%s: %s\n", sql, error);
    assert_int_equal(rc, SQLITE_OK);
    sqlite3_close(raw);
}

/* One database at a fresh path holding one store, "s" (anyone may write), opened. */
typedef struct fixture {
    char path[PATH_SIZE];
    hy_db *db;
    uint8_t id[HY_HASH_LEN];
    hy_store *store;
    size_t max_increments, min_bytes;
} fixture;

static void fixture_open(fixture *f, const char *name, size_t max_increments, size_t min_bytes)
{
    db_path(f->path, name);
    f->max_increments = max_increments;
    f->min_bytes = min_bytes;
    f->db = open_db_compacting(f->path, max_increments, min_bytes);
    create_store(f->db, "s", NULL, 0, f->id);
    f->store = open_store(f->db, f->id);
}

/* Closes the database (and with it the store) and opens both again, as a restart would. */
static void fixture_reopen(fixture *f)
{
    hy_db_close(f->db);
    f->db = open_db_compacting(f->path, f->max_increments, f->min_bytes);
    f->store = open_store(f->db, f->id);
}

/* A copy of the fixture's file at a fresh path (damaged), with sql run on the copy. */
static void damaged_copy(const fixture *f, char *damaged, const char *sql)
{
    db_path(damaged, "damaged");
    char vacuum[PATH_SIZE + 32];
    snprintf(vacuum, sizeof vacuum, "VACUUM INTO '%s'", damaged);
    raw_sql(f->path, vacuum);
    raw_sql(damaged, sql);
}

static void assert_message(hy_db *db, const char *part)
{
    const char *message = hy_db_message(db);
    if (strstr(message, part) == NULL)
        fprintf(stderr, "message '%s' lacks '%s'\n", message, part);
    assert_non_null(strstr(message, part));
    assert_null(strchr(message, '\n'));
}

/* ---- tests ----------------------------------------------------------------------------- */

typedef struct listing {
    char names[4][16];
    size_t count;
} listing;

static hy_err list_one(void *user, const hy_db_store *store)
{
    listing *l = user;
    if (l->count < 4)
        snprintf(l->names[l->count], sizeof l->names[0], "%.*s", (int)store->policy.name_len,
                 store->policy.name);
    l->count++;
    return HY_OK;
}

static void reopen_keeps_everything(void **state)
{
    (void)state;
    char path[PATH_SIZE];
    db_path(path, "reopen");
    hy_db *db = open_db(path, 0);
    uint8_t key[HY_KEY_LEN], seed[HY_KEY_LEN];
    memcpy(key, hy_db_node_key(db), HY_KEY_LEN);
    memcpy(seed, hy_db_node_seed(db), HY_KEY_LEN);
    uint8_t derived[HY_KEY_LEN];
    hy_key_public(derived, seed);
    assert_memory_equal(derived, key, HY_KEY_LEN);

    uint8_t notes[HY_HASH_LEN], tasks[HY_HASH_LEN];
    create_store(db, "tasks", key, 1, tasks);
    create_store(db, "notes", NULL, 0, notes);
    hy_store *store = open_store(db, notes);
    assert_memory_equal(hy_store_actor(store), key, HY_KEY_LEN);
    put_persist(db, store, "a", 1);
    put_persist(db, store, "b", 2);
    assert_int_equal(hy_db_store_persist(db, store), HY_OK); /* nothing new: no row */
    hy_db_store_close(db, store);
    store = open_store(db, tasks);
    put_persist(db, store, "t", 3);
    hy_db_store_close(db, store);
    hy_db_store_stats stats;
    assert_int_equal(hy_db_store_stats_get(db, notes, &stats), HY_OK);
    assert_int_equal(stats.increment_count, 2);
    hy_db_close(db);

    db = open_db(path, 0);
    assert_memory_equal(hy_db_node_key(db), key, HY_KEY_LEN);
    listing l = { .count = 0 };
    assert_int_equal(hy_db_store_list(db, list_one, &l), HY_OK);
    assert_int_equal(l.count, 2);
    assert_string_equal(l.names[0], "notes");
    assert_string_equal(l.names[1], "tasks");

    hy_db_store info;
    assert_int_equal(hy_db_store_find_by_name(db, "tasks", &info), HY_OK);
    assert_memory_equal(info.id, tasks, HY_HASH_LEN);
    assert_int_equal(info.policy.writer_count, 1);
    assert_memory_equal(info.policy.writers, key, HY_KEY_LEN);
    hy_db_store_clear(&info);
    char hex[2 * HY_HASH_LEN + 1];
    for (size_t i = 0; i < HY_HASH_LEN; i++)
        snprintf(hex + 2 * i, 3, "%02x", notes[i]);
    assert_int_equal(hy_db_store_find(db, hex, &info), HY_OK);
    assert_memory_equal(info.id, notes, HY_HASH_LEN);
    hy_db_store_clear(&info);
    assert_int_equal(hy_db_store_find(db, "notes", &info), HY_OK);
    hy_db_store_clear(&info);
    assert_int_equal(hy_db_store_find(db, "nothing", &info), HY_E_NOT_FOUND);
    assert_message(db, "nothing");

    store = open_store(db, notes);
    assert_int_at(store, "a", 1);
    assert_int_at(store, "b", 2);
    /* The next change continues the actor's chain after the reload. */
    put_persist(db, store, "a", 10);
    hy_db_store_close(db, store);
    store = open_store(db, tasks);
    assert_int_at(store, "t", 3);
    hy_db_store_close(db, store);
    hy_db_close(db);

    db = open_db(path, 0);
    store = open_store(db, notes);
    assert_int_at(store, "a", 10);
    /* Left open: hy_db_close frees it. */
    hy_db_close(db);
}

static void opening_refuses_what_is_not_ours(void **state)
{
    (void)state;
    char path[PATH_SIZE];
    db_path(path, "missing");
    hy_db_options options = { .path = path };
    hy_db *db;
    char message[HY_DB_MESSAGE_MAX];
    assert_int_equal(hy_db_open(&options, &db, message), HY_E_NOT_FOUND);
    assert_null(db);
    assert_non_null(strstr(message, "no such database"));

    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs("this is not a database, but it is long enough to look like a header at least", f);
    fclose(f);
    assert_int_equal(hy_db_open(&options, &db, message), HY_E_FORMAT);
    assert_non_null(strstr(message, path));

    db_path(path, "foreign");
    raw_sql(path, "CREATE TABLE t (x)");
    options.path = path;
    assert_int_equal(hy_db_open(&options, &db, message), HY_E_FORMAT);
    assert_non_null(strstr(message, "not a hypha database"));

    db_path(path, "newer");
    hy_db_close(open_db(path, 0));
    raw_sql(path, "PRAGMA user_version = 99");
    options.path = path;
    assert_int_equal(hy_db_open(&options, &db, message), HY_E_VERSION);

    db_path(path, "badseed");
    hy_db_close(open_db(path, 0));
    raw_sql(path, "UPDATE node SET seed = x'0102'");
    options.path = path;
    assert_int_equal(hy_db_open(&options, &db, message), HY_E_FORMAT);
    assert_non_null(strstr(message, "node key"));
}

static void a_given_seed_is_used_and_not_kept(void **state)
{
    (void)state;
    char path[PATH_SIZE];
    db_path(path, "seed");
    hy_db_close(open_db(path, 0));
    uint8_t seed[HY_KEY_LEN], key[HY_KEY_LEN];
    memset(seed, 7, sizeof seed);
    hy_key_public(key, seed);
    hy_db_options options = { .path = path, .node_seed = seed };
    hy_db *db;
    assert_int_equal(hy_db_open(&options, &db, NULL), HY_OK);
    assert_memory_equal(hy_db_node_key(db), key, HY_KEY_LEN);
    uint8_t id[HY_HASH_LEN];
    create_store(db, "s", NULL, 0, id);
    hy_store *store = open_store(db, id);
    assert_memory_equal(hy_store_actor(store), key, HY_KEY_LEN);
    hy_db_close(db);
    db = open_db(path, 0);
    assert_memory_not_equal(hy_db_node_key(db), key, HY_KEY_LEN);
    hy_db_close(db);
}

static void stores_are_created_once_and_checked(void **state)
{
    (void)state;
    char path_buf[PATH_SIZE];
    hy_db *db = open_db(db_path(path_buf, "create"), 0);
    uint8_t id[HY_HASH_LEN];
    create_store(db, "s", NULL, 0, id);
    hy_genesis g = { .name = "s", .name_len = 1 };
    uint8_t genesis[64];
    size_t len;
    assert_int_equal(hy_genesis_encode(&g, genesis, sizeof genesis, &len), HY_OK);
    assert_int_equal(hy_db_store_create(db, genesis, len, NULL), HY_E_INVALID_ARG);
    assert_message(db, "already exists");
    /* Another genesis with the same name: names are unique too. */
    uint8_t writer[HY_KEY_LEN] = { 1 };
    g.writers = writer;
    g.writer_count = 1;
    assert_int_equal(hy_genesis_encode(&g, genesis, sizeof genesis, &len), HY_OK);
    assert_int_equal(hy_db_store_create(db, genesis, len, NULL), HY_E_INVALID_ARG);
    genesis[0] ^= 1;
    assert_int_equal(hy_db_store_create(db, genesis, len, NULL), HY_E_INVALID_ARG);
    assert_message(db, "genesis is not valid");
    hy_db_close(db);
}

static void writers_come_from_the_genesis(void **state)
{
    (void)state;
    char path_buf[PATH_SIZE];
    hy_db *db = open_db(db_path(path_buf, "writers"), 0);
    uint8_t other[HY_KEY_LEN];
    memset(other, 0x55, sizeof other);
    uint8_t locked[HY_HASH_LEN], mine[HY_HASH_LEN];
    create_store(db, "locked", other, 1, locked);
    create_store(db, "mine", hy_db_node_key(db), 1, mine);
    hy_store *store = open_store(db, locked);
    assert_int_equal(put_int(store, "k", 1), HY_E_FORBIDDEN);
    assert_int_equal(hy_db_store_persist(db, store), HY_OK);
    hy_db_store_close(db, store);
    store = open_store(db, mine);
    put_persist(db, store, "k", 1);
    hy_db_store_close(db, store);
    hy_db_store_stats stats;
    assert_int_equal(hy_db_store_stats_get(db, locked, &stats), HY_OK);
    assert_int_equal(stats.increment_count, 0);
    hy_db_close(db);
}

/* Damage to each kind of row is an error naming it, never a crash or a silent loss. */
static void damaged_rows_give_errors(void **state)
{
    (void)state;
    fixture f;
    fixture_open(&f, "damage", 3, 0);
    for (int i = 0; i < 4; i++)
        put_persist(f.db, f.store, "k", i); /* the third compacts: a snapshot, one increment */
    hy_db_store_stats stats;
    assert_int_equal(hy_db_store_stats_get(f.db, f.id, &stats), HY_OK);
    assert_true(stats.snapshot_bytes > 0);
    assert_int_equal(stats.increment_count, 1);
    hy_db_close(f.db);

    static const struct {
        const char *sql;
        const char *message;
    } damage[] = {
        /* A byte flipped in the middle of the snapshot, then a cut one, then not bytes (|| of
         * blobs gives text: CAST it back). */
        { "UPDATE snapshots SET data = CAST(substr(data, 1, length(data) / 2) || "
          "x'ff' || substr(data, length(data) / 2 + 2) AS BLOB)", "snapshot is damaged" },
        { "UPDATE snapshots SET data = substr(data, 1, 10)", "snapshot is damaged" },
        { "UPDATE snapshots SET data = 'text'", "snapshot is damaged" },
        { "UPDATE increments SET data = x'48594342'", "increment 1 is damaged" },
        { "UPDATE increments SET data = substr(data, 1, length(data) - 1)", "increment 1" },
        /* A genesis that does not hash to the id, one that is not bytes, and a name that
         * differs from the genesis': finding the store fails too. */
        { "UPDATE stores SET genesis = CAST(genesis || x'00' AS BLOB)",
          "does not hash to its id" },
        { "UPDATE stores SET genesis = 'text'", "genesis is damaged" },
        { "UPDATE stores SET name = 'other'", "name differs" },
    };
    for (size_t i = 0; i < sizeof damage / sizeof damage[0]; i++) {
        char damaged[PATH_SIZE];
        damaged_copy(&f, damaged, damage[i].sql);
        hy_db *db = open_db(damaged, 0);
        hy_store_config base = { .platform = &platform };
        static char sentinel;
        hy_store *store = (hy_store *)(void *)&sentinel; /* must come back NULL */
        assert_int_not_equal(hy_db_store_open(db, f.id, &base, &store), HY_OK);
        assert_null(store);
        assert_message(db, damage[i].message);
        bool row_damage = strstr(damage[i].sql, "snapshots") == NULL &&
                          strstr(damage[i].sql, "increments") == NULL;
        hy_db_store info;
        listing l = { .count = 0 };
        assert_int_equal(hy_db_store_find_by_id(db, f.id, &info) != HY_OK, row_damage);
        hy_db_store_clear(&info);
        assert_int_equal(hy_db_store_list(db, list_one, &l) != HY_OK, row_damage);
        hy_db_close(db);
    }
}

static void compaction_keeps_state(void **state)
{
    (void)state;
    fixture f;
    fixture_open(&f, "compact", 5, 0);
    char key[16];
    size_t most = 0;
    for (int i = 0; i < 23; i++) {
        key_name(key, sizeof key, i % 7);
        put_persist(f.db, f.store, key, i);
        hy_db_store_stats stats;
        assert_int_equal(hy_db_store_stats_get(f.db, f.id, &stats), HY_OK);
        if (stats.increment_count > most)
            most = stats.increment_count;
    }
    assert_int_equal(most, 4); /* the fifth write compacts instead */
    fixture_reopen(&f);
    for (int i = 16; i < 23; i++) {
        key_name(key, sizeof key, i % 7);
        assert_int_at(f.store, key, i);
    }
    hy_db_close(f.db);

    /* The size rule: once the increments outgrow the snapshot and the floor. */
    fixture_open(&f, "compact_bytes", 0, 1);
    put_persist(f.db, f.store, "a", 1); /* no snapshot yet: any increment outgrows it */
    hy_db_store_stats stats;
    assert_int_equal(hy_db_store_stats_get(f.db, f.id, &stats), HY_OK);
    assert_true(stats.snapshot_bytes > 0);
    assert_int_equal(stats.increment_count, 0);
    put_persist(f.db, f.store, "b", 2);
    fixture_reopen(&f);
    assert_int_at(f.store, "a", 1);
    assert_int_at(f.store, "b", 2);
    hy_db_close(f.db);
}

/* Persisting alone leaves the rewrite for later (a writer that streams is not held up by it),
 * up to eight times the thresholds; the compaction that was due then comes with the next
 * hy_db_store_compact. */
static void persist_compacts_only_when_overdue(void **state)
{
    (void)state;
    fixture f;
    fixture_open(&f, "overdue", 2, 0);
    hy_db_store_stats stats;
    for (int i = 1; i <= 16; i++) {
        assert_int_equal(put_int(f.store, "k", i), HY_OK);
        assert_int_equal(hy_db_store_persist(f.db, f.store), HY_OK);
        assert_int_equal(hy_db_store_stats_get(f.db, f.id, &stats), HY_OK);
        assert_int_equal(stats.increment_count, i < 16 ? (size_t)i : 0);
    }
    for (int i = 17; i <= 18; i++) {
        assert_int_equal(put_int(f.store, "k", i), HY_OK);
        assert_int_equal(hy_db_store_persist(f.db, f.store), HY_OK);
    }
    assert_int_equal(hy_db_store_compact(f.db, f.store), HY_OK);
    assert_int_equal(hy_db_store_stats_get(f.db, f.id, &stats), HY_OK);
    assert_int_equal(stats.increment_count, 0);
    fixture_reopen(&f);
    assert_int_at(f.store, "k", 18);
    hy_db_close(f.db);
}

/* A file of schema version 1 (the snapshot a column of stores) opens as version 2 with every
 * change and figure kept. The old layout is made from a new file by the reverse steps. */
static void a_version_1_file_is_upgraded(void **state)
{
    (void)state;
    fixture f;
    fixture_open(&f, "version1", 3, 0);
    for (int i = 0; i < 4; i++)
        put_persist(f.db, f.store, "k", i); /* a snapshot and one increment */
    hy_db_store_stats before;
    assert_int_equal(hy_db_store_stats_get(f.db, f.id, &before), HY_OK);
    hy_db_close(f.db);
    raw_sql(f.path, "ALTER TABLE stores ADD COLUMN snapshot BLOB;"
                    "UPDATE stores SET snapshot = (SELECT data FROM snapshots WHERE store = id);"
                    "DROP TABLE snapshots;"
                    "ALTER TABLE stores DROP COLUMN snapshot_bytes;"
                    "PRAGMA user_version = 1;");
    f.db = open_db_compacting(f.path, f.max_increments, f.min_bytes);
    f.store = open_store(f.db, f.id);
    assert_int_at(f.store, "k", 3);
    hy_db_store_stats after;
    assert_int_equal(hy_db_store_stats_get(f.db, f.id, &after), HY_OK);
    assert_memory_equal(&before, &after, sizeof before);
    put_persist(f.db, f.store, "k", 4); /* the kept snapshot_bytes lets it compact again */
    put_persist(f.db, f.store, "k", 5);
    fixture_reopen(&f);
    assert_int_at(f.store, "k", 5);
    assert_int_equal(hy_db_store_stats_get(f.db, f.id, &after), HY_OK);
    assert_int_equal(after.increment_count, 0);
    hy_db_close(f.db);
}

/* Two connections write one store (the node and the command line): neither's compaction may
 * drop the other's increments. */
static void compaction_keeps_other_writers_changes(void **state)
{
    (void)state;
    fixture f;
    fixture_open(&f, "two_writers", 2, 0);
    hy_db *b = open_db(f.path, 2);
    hy_store *sb = open_store(b, f.id);
    put_persist(f.db, f.store, "a1", 1);
    put_persist(b, sb, "b1", 2); /* b's store lacks a1: a snapshot of it would lose a1 */
    put_persist(b, sb, "b2", 3);
    put_persist(f.db, f.store, "a2", 4);
    put_persist(f.db, f.store, "a3", 5);
    hy_db_close(b);

    fixture_reopen(&f);
    static const char *const keys[] = { "a1", "b1", "b2", "a2", "a3" };
    for (int i = 0; i < 5; i++)
        assert_int_at(f.store, keys[i], i + 1);
    /* Freshly loaded, it holds every row: it may compact again. */
    put_persist(f.db, f.store, "c", 6);
    put_persist(f.db, f.store, "d", 7);
    hy_db_store_stats stats;
    assert_int_equal(hy_db_store_stats_get(f.db, f.id, &stats), HY_OK);
    assert_true(stats.increment_count < 2);
    hy_db_close(f.db);
}

/* A write that fails after the store counted its changes as saved must not lose them. */
static void a_failed_persist_is_made_good(void **state)
{
    (void)state;
    fixture f;
    fixture_open(&f, "failed", 0, 0);
    put_persist(f.db, f.store, "a", 1);
    raw_sql(f.path, "CREATE TRIGGER refuse BEFORE INSERT ON increments "
                    "BEGIN SELECT RAISE(ABORT, 'the disk says no'); END");
    assert_int_equal(put_int(f.store, "b", 2), HY_OK);
    assert_int_not_equal(hy_db_store_persist(f.db, f.store), HY_OK);
    assert_message(f.db, "the disk says no");
    raw_sql(f.path, "DROP TRIGGER refuse");
    assert_int_equal(hy_db_store_persist(f.db, f.store), HY_OK);
    fixture_reopen(&f);
    assert_int_at(f.store, "a", 1);
    assert_int_at(f.store, "b", 2);
    hy_db_close(f.db);
}

static void export_and_import_round_trip(void **state)
{
    (void)state;
    char path_buf[PATH_SIZE];
    hy_db *from = open_db(db_path(path_buf, "export_from"), 0);
    hy_db *to = open_db(db_path(path_buf, "export_to"), 0);
    uint8_t id[HY_HASH_LEN], got[HY_HASH_LEN];
    create_store(from, "s", hy_db_node_key(from), 1, id);
    hy_store *store = open_store(from, id);
    put_persist(from, store, "a", 1);
    uint8_t *file;
    size_t len;
    assert_int_equal(hy_db_store_export(from, id, &file, &len), HY_OK);
    bool created = false;
    assert_int_equal(hy_db_store_import(to, file, len, got, &created), HY_OK);
    assert_memory_equal(got, id, HY_HASH_LEN);
    assert_true(created);
    free(file);

    /* Importing again merges: the new change arrives, nothing is duplicated. */
    put_persist(from, store, "b", 2);
    assert_int_equal(hy_db_store_export(from, id, &file, &len), HY_OK);
    assert_int_equal(hy_db_store_import(to, file, len, got, &created), HY_OK);
    assert_false(created);
    hy_db_store info;
    assert_int_equal(hy_db_store_find_by_name(to, "s", &info), HY_OK);
    assert_int_equal(info.policy.writer_count, 1);
    hy_db_store_clear(&info);
    hy_store *copy = open_store(to, id);
    assert_int_at(copy, "a", 1);
    assert_int_at(copy, "b", 2);
    /* The genesis came along: the importing node is no writer of this store. */
    assert_int_equal(put_int(copy, "c", 3), HY_E_FORBIDDEN);

    /* Every prefix of the file, and every single flipped byte, is refused or imported
     * whole: never a crash, never a half store. */
    hy_db *other = open_db(db_path(path_buf, "export_damaged"), 0);
    for (size_t cut = 0; cut < len; cut++)
        assert_int_not_equal(hy_db_store_import(other, file, cut, NULL, NULL), HY_OK);
    for (size_t i = 0; i < len; i++) {
        file[i] ^= 0x20;
        if (hy_db_store_import(other, file, len, NULL, NULL) != HY_OK)
            assert_null(strchr(hy_db_message(other), '\n'));
        file[i] ^= 0x20;
    }
    hy_db_close(other);

    /* Another store of the same name is refused. */
    other = open_db(db_path(path_buf, "export_clash"), 0);
    uint8_t clash[HY_HASH_LEN];
    create_store(other, "s", NULL, 0, clash);
    assert_int_equal(hy_db_store_import(other, file, len, NULL, NULL), HY_E_INVALID_ARG);
    assert_message(other, "already exists");
    hy_db_close(other);
    free(file);

    /* A file whose genesis forbids the writer of its changes is refused whole. */
    uint8_t open_id[HY_HASH_LEN];
    create_store(from, "open", NULL, 0, open_id);
    hy_store *unlocked = open_store(from, open_id);
    put_persist(from, unlocked, "a", 1);
    assert_int_equal(hy_db_store_export(from, open_id, &file, &len), HY_OK);
    uint8_t other_key[HY_KEY_LEN];
    memset(other_key, 0x33, sizeof other_key);
    hy_genesis g = { .name = "open", .name_len = 4, .writers = other_key, .writer_count = 1 };
    uint8_t genesis[128];
    size_t genesis_len;
    assert_int_equal(hy_genesis_encode(&g, genesis, sizeof genesis, &genesis_len), HY_OK);
    size_t old_genesis_len = file[5]; /* "HYEX", version 1, then a one-byte length */
    size_t forged_len = len - old_genesis_len + genesis_len;
    uint8_t *forged = malloc(forged_len);
    assert_non_null(forged);
    memcpy(forged, file, 5);
    forged[5] = (uint8_t)genesis_len;
    memcpy(forged + 6, genesis, genesis_len);
    memcpy(forged + 6 + genesis_len, file + 6 + old_genesis_len, len - 6 - old_genesis_len);
    assert_int_equal(hy_db_store_import(to, forged, forged_len, NULL, NULL), HY_E_FORBIDDEN);
    assert_int_equal(hy_db_store_find_by_name(to, "open", &info), HY_E_NOT_FOUND);
    free(forged);
    free(file);
    hy_db_close(from);
    hy_db_close(to);
}

/* ---- kill -9 --------------------------------------------------------------------------- */

enum { KILL_ROUNDS = 3, KILL_WRITES = 100000 };

/* The child: writes key k<i> = i for i from first on, persisting each and reporting i on fd
 * once persist returned (the acknowledgement), until it is killed. */
static void write_until_killed(const char *path, const uint8_t id[HY_HASH_LEN], int first,
                               int fd)
{
    hy_db_options options = { .path = path, .compact_max_increments = 16 };
    hy_db *db;
    hy_store *store;
    hy_store_config base = { .platform = &platform };
    if (hy_db_open(&options, &db, NULL) != HY_OK || hy_db_store_open(db, id, &base, &store))
        _exit(2);
    char key[16];
    for (int i = first; i < first + KILL_WRITES; i++) {
        key_name(key, sizeof key, i);
        if (put_int(store, key, i) != HY_OK || hy_db_store_persist(db, store) != HY_OK)
            _exit(3);
        if (write(fd, &i, sizeof i) != (ssize_t)sizeof i)
            _exit(4);
    }
    _exit(0);
}

static void acknowledged_changes_survive_kill_9(void **state)
{
    (void)state;
    char path[PATH_SIZE];
    db_path(path, "kill");
    hy_db *db = open_db(path, 0);
    uint8_t id[HY_HASH_LEN];
    create_store(db, "s", NULL, 0, id);
    hy_db_close(db);
    int next = 0;
    for (int round = 0; round < KILL_ROUNDS; round++) {
        int fds[2];
        assert_int_equal(pipe(fds), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(fds[0]);
            write_until_killed(path, id, next, fds[1]);
        }
        close(fds[1]);
        /* Kill it at a different point each round, some way into its writes. */
        int acknowledged = -1, wait_for = 20 + 17 * round, got = 0, i;
        while (got < wait_for && read(fds[0], &i, sizeof i) == (ssize_t)sizeof i) {
            acknowledged = i;
            got++;
        }
        assert_int_equal(got, wait_for);
        kill(pid, SIGKILL);
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        /* What it acknowledged before it died counts too. */
        while (read(fds[0], &i, sizeof i) == (ssize_t)sizeof i)
            acknowledged = i;
        close(fds[0]);

        db = open_db(path, 0);
        hy_store *store = open_store(db, id);
        char key[16];
        for (int k = 0; k <= acknowledged; k++) {
            key_name(key, sizeof key, k);
            assert_int_at(store, key, k);
        }
        /* The next round starts after what the store holds, acknowledged or not. */
        next = acknowledged + 1;
        for (;; next++) {
            hy_value v;
            key_name(key, sizeof key, next);
            if (hy_get(store, "c", key, "n", &v) != HY_OK)
                break;
        }
        hy_db_close(db);
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_db SCRATCH_DIR\n");
        return 2;
    }
    scratch = argv[1];
    platform = hy_platform_posix();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reopen_keeps_everything),
        cmocka_unit_test(opening_refuses_what_is_not_ours),
        cmocka_unit_test(a_given_seed_is_used_and_not_kept),
        cmocka_unit_test(stores_are_created_once_and_checked),
        cmocka_unit_test(writers_come_from_the_genesis),
        cmocka_unit_test(damaged_rows_give_errors),
        cmocka_unit_test(compaction_keeps_state),
        cmocka_unit_test(persist_compacts_only_when_overdue),
        cmocka_unit_test(a_version_1_file_is_upgraded),
        cmocka_unit_test(compaction_keeps_other_writers_changes),
        cmocka_unit_test(a_failed_persist_is_made_good),
        cmocka_unit_test(export_and_import_round_trip),
        cmocka_unit_test(acknowledged_changes_survive_kill_9),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

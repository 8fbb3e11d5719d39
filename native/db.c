/* The database file: opening it, its schema, the node's identity, and the SQLite helpers the
 * other db*.c files share. */
#include "db_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hex.h"
#include "wipe.h"

/* PRAGMA user_version of the schema below; a newer file is refused rather than misread, an
 * older one is brought up to date (upgrade_sql) when opened. */
#define DB_SCHEMA_VERSION 2

/* snapshots.data is hy_store_save bytes (no row: the store is empty), and a store's
 * increments are hy_store_save_incremental batches in seq order: loading is the snapshot plus
 * a merge of each. increment_count, increment_bytes and snapshot_bytes are kept with every
 * write so that deciding on a compaction reads one small row; generation counts writes to the
 * store (see db_open_store). name duplicates the genesis' name so that it can be unique and
 * looked up. The snapshot has a table of its own: SQLite rewrites a whole row on UPDATE, and
 * with the snapshot in the stores row every write of a counter copied the store. */
static const char schema_sql[] =
    "CREATE TABLE node ("
    "  id INTEGER PRIMARY KEY CHECK (id = 1),"
    "  seed BLOB NOT NULL);"
    "CREATE TABLE stores ("
    "  id BLOB PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  genesis BLOB NOT NULL,"
    "  increment_count INTEGER NOT NULL DEFAULT 0,"
    "  increment_bytes INTEGER NOT NULL DEFAULT 0,"
    "  generation INTEGER NOT NULL DEFAULT 0,"
    "  snapshot_bytes INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;"
    "CREATE TABLE snapshots ("
    "  store BLOB NOT NULL UNIQUE REFERENCES stores (id) ON DELETE CASCADE,"
    "  data BLOB NOT NULL);"
    "CREATE TABLE increments ("
    "  store BLOB NOT NULL REFERENCES stores (id) ON DELETE CASCADE,"
    "  seq INTEGER NOT NULL,"
    "  data BLOB NOT NULL,"
    "  PRIMARY KEY (store, seq)) WITHOUT ROWID;";

/* From schema version 1, where the snapshot was a column of stores, to the schema above. */
static const char upgrade_sql[] =
    "CREATE TABLE snapshots ("
    "  store BLOB NOT NULL UNIQUE REFERENCES stores (id) ON DELETE CASCADE,"
    "  data BLOB NOT NULL);"
    "INSERT INTO snapshots (store, data) SELECT id, snapshot FROM stores "
    "  WHERE snapshot IS NOT NULL;"
    "ALTER TABLE stores ADD COLUMN snapshot_bytes INTEGER NOT NULL DEFAULT 0;"
    "UPDATE stores SET snapshot_bytes = coalesce(length(snapshot), 0);"
    "ALTER TABLE stores DROP COLUMN snapshot;";

/* ---- errors ---------------------------------------------------------------------------- */

hy_err db_fail(hy_db *db, hy_err code, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    vsnprintf(db->message, sizeof db->message, format, ap);
    va_end(ap);
    for (char *c = db->message; *c != '\0'; c++) {
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = '?';
    }
    return code;
}

static hy_err error_of_sqlite(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_NOMEM:
        return HY_E_NOMEM;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_FORMAT:
        return HY_E_FORMAT;
    case SQLITE_CONSTRAINT:
        return HY_E_INVALID_ARG;
    case SQLITE_TOOBIG:
        return HY_E_TOO_LARGE;
    default:
        return HY_E_IO; /* busy, locked, full, read-only, I/O errors */
    }
}

hy_err db_sql_fail(hy_db *db)
{
    return db_fail(db, error_of_sqlite(sqlite3_extended_errcode(db->sql)), "%s: %s",
                   db->sql_label, sqlite3_errmsg(db->sql));
}

const char *hy_db_message(const hy_db *db)
{
    return db->message;
}

db_label db_id_label(const uint8_t id[HY_HASH_LEN])
{
    db_label label;
    hy_hex_encode(label.text, id, 8);
    return label;
}

/* ---- statements ------------------------------------------------------------------------ */

hy_err db_prepare(hy_db *db, const char *sql, sqlite3_stmt **out)
{
    if (sqlite3_prepare_v2(db->sql, sql, -1, out, NULL) != SQLITE_OK)
        return db_sql_fail(db);
    return HY_OK;
}

hy_err db_bind_blob(hy_db *db, sqlite3_stmt *st, int index, const void *data, size_t len)
{
    /* SQLITE_STATIC: every caller steps the statement before its bytes go. A zero-length
     * blob needs a non-NULL pointer, or SQLite binds NULL. */
    static const uint8_t empty[1];
    if (len > INT32_MAX)
        return db_fail(db, HY_E_TOO_LARGE, "database: %zu bytes exceed a row's limit", len);
    if (sqlite3_bind_blob(st, index, len ? data : empty, (int)len, SQLITE_STATIC) != SQLITE_OK)
        return db_sql_fail(db);
    return HY_OK;
}

hy_err db_bind_text(hy_db *db, sqlite3_stmt *st, int index, const char *text, size_t len)
{
    if (len > INT32_MAX)
        return db_fail(db, HY_E_TOO_LARGE, "database: %zu bytes exceed a row's limit", len);
    if (sqlite3_bind_text(st, index, text, (int)len, SQLITE_STATIC) != SQLITE_OK)
        return db_sql_fail(db);
    return HY_OK;
}

hy_err db_bind_int(hy_db *db, sqlite3_stmt *st, int index, int64_t value)
{
    if (sqlite3_bind_int64(st, index, value) != SQLITE_OK)
        return db_sql_fail(db);
    return HY_OK;
}

hy_err db_step(hy_db *db, sqlite3_stmt *st, bool *row)
{
    int rc = sqlite3_step(st);
    *row = rc == SQLITE_ROW;
    if (rc == SQLITE_ROW || rc == SQLITE_DONE)
        return HY_OK;
    return db_sql_fail(db);
}

hy_err db_run(hy_db *db, sqlite3_stmt *st)
{
    bool row;
    hy_err err = db_step(db, st, &row);
    sqlite3_finalize(st);
    return err;
}

hy_err db_exec(hy_db *db, const char *sql)
{
    if (sqlite3_exec(db->sql, sql, NULL, NULL, NULL) != SQLITE_OK)
        return db_sql_fail(db);
    return HY_OK;
}

hy_err db_begin(hy_db *db, bool write)
{
    return db_exec(db, write ? "BEGIN IMMEDIATE" : "BEGIN");
}

hy_err db_end(hy_db *db, hy_err err)
{
    if (err == HY_OK)
        return db_exec(db, "COMMIT");
    /* Keeps err's line: the rollback's own failure (none is expected) would hide the cause. */
    if (sqlite3_get_autocommit(db->sql) == 0)
        sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
    return err;
}

hy_err db_column_blob(hy_db *db, sqlite3_stmt *st, int column, bool null_ok, const char *what,
                      const uint8_t **data, size_t *len)
{
    int type = sqlite3_column_type(st, column);
    if (type == SQLITE_NULL && null_ok) {
        *data = NULL;
        *len = 0;
        return HY_OK;
    }
    if (type != SQLITE_BLOB)
        return db_fail(db, HY_E_FORMAT, "%s is damaged (not bytes)", what);
    *data = sqlite3_column_blob(st, column);
    int n = sqlite3_column_bytes(st, column);
    if (*data == NULL && n > 0)
        return db_fail(db, HY_E_NOMEM, "%s: out of memory reading it", what);
    *len = (size_t)n;
    return HY_OK;
}

/* ---- opening --------------------------------------------------------------------------- */

/* Durability: in WAL mode a commit appends to the -wal file. With synchronous=NORMAL that
 * append reaches the OS before COMMIT returns, which already survives kill -9, but the WAL is
 * synced only at checkpoints, so a power loss or kernel crash can undo commits that were
 * acknowledged. A node acknowledges changes to peers that may then drop their copies, so it
 * uses FULL: the WAL is fsynced at every commit. That costs one fsync per transaction, which
 * the node pays per received batch (hy_db_store_persist), not per op. */
static hy_err configure(hy_db *db)
{
    sqlite3_extended_result_codes(db->sql, 1);
    sqlite3_busy_timeout(db->sql, HY_DB_BUSY_MS);
    sqlite3_stmt *st;
    hy_err err = db_prepare(db, "PRAGMA journal_mode = WAL", &st);
    if (err)
        return err;
    bool row;
    err = db_step(db, st, &row);
    const unsigned char *mode = row ? sqlite3_column_text(st, 0) : NULL;
    if (err == HY_OK && (mode == NULL || strcmp((const char *)mode, "wal") != 0))
        err = db_fail(db, HY_E_IO, "the database cannot use a write-ahead log (journal mode "
                                   "'%s'): is it on a network file system?",
                      mode != NULL ? (const char *)mode : "unknown");
    sqlite3_finalize(st);
    if (err == HY_OK)
        err = db_exec(db, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON");
    return err;
}

static hy_err read_user_version(hy_db *db, int64_t *version)
{
    sqlite3_stmt *st;
    hy_err err = db_prepare(db, "PRAGMA user_version", &st);
    bool row = false;
    if (err == HY_OK)
        err = db_step(db, st, &row);
    *version = row ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return err;
}

/* true when the file holds any table: a version-0 file with tables is someone else's. */
static hy_err has_tables(hy_db *db, bool *any)
{
    sqlite3_stmt *st;
    hy_err err = db_prepare(db, "SELECT 1 FROM sqlite_master LIMIT 1", &st);
    if (err == HY_OK)
        err = db_step(db, st, any);
    sqlite3_finalize(st);
    return err;
}

static hy_err set_user_version(hy_db *db)
{
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d", DB_SCHEMA_VERSION);
    return db_exec(db, sql);
}

static hy_err create_schema(hy_db *db)
{
    uint8_t seed[HY_KEY_LEN];
    hy_err err = db->platform.random_bytes(db->platform.user, seed, sizeof seed);
    if (err)
        return db_fail(db, err, "cannot get random bytes for the node key: %s",
                       hy_err_str(err));
    err = db_exec(db, schema_sql);
    sqlite3_stmt *st = NULL;
    if (err == HY_OK)
        err = db_prepare(db, "INSERT INTO node (id, seed) VALUES (1, ?)", &st);
    if (err == HY_OK)
        err = db_bind_blob(db, st, 1, seed, sizeof seed);
    if (err == HY_OK) {
        err = db_run(db, st);
        st = NULL;
    }
    sqlite3_finalize(st);
    hy_wipe(seed, sizeof seed);
    return err ? err : set_user_version(db);
}

/* Checks the schema, or creates it in an empty file; in one write transaction, so that two
 * processes creating one database at once make one schema and one node key. */
static hy_err init_schema(hy_db *db)
{
    hy_err err = db_begin(db, true);
    if (err)
        return err;
    int64_t version;
    err = read_user_version(db, &version);
    if (err == HY_OK && version == 0) {
        bool any;
        err = has_tables(db, &any);
        if (err == HY_OK && any)
            err = db_fail(db, HY_E_FORMAT, "%s: not a hypha database (it holds other tables)",
                          db->sql_label);
        if (err == HY_OK)
            err = create_schema(db);
    } else if (err == HY_OK && version == 1) {
        err = db_exec(db, upgrade_sql);
        if (err == HY_OK)
            err = set_user_version(db);
    } else if (err == HY_OK && version > DB_SCHEMA_VERSION) {
        err = db_fail(db, HY_E_VERSION,
                      "%s: schema version %lld; this hypha reads version %d", db->sql_label,
                      (long long)version, DB_SCHEMA_VERSION);
    } else if (err == HY_OK && version < 0) {
        err = db_fail(db, HY_E_FORMAT, "%s: not a hypha database (schema version %lld)",
                      db->sql_label, (long long)version);
    }
    return db_end(db, err);
}

static hy_err load_seed(hy_db *db)
{
    sqlite3_stmt *st;
    hy_err err = db_prepare(db, "SELECT seed FROM node WHERE id = 1", &st);
    bool row = false;
    if (err == HY_OK)
        err = db_step(db, st, &row);
    const uint8_t *seed = NULL;
    size_t len = 0;
    if (err == HY_OK && !row)
        err = db_fail(db, HY_E_FORMAT, "%s: the node key is missing (damaged database)",
                      db->sql_label);
    if (err == HY_OK)
        err = db_column_blob(db, st, 0, false, "the node key", &seed, &len);
    if (err == HY_OK && len != HY_KEY_LEN)
        err = db_fail(db, HY_E_FORMAT, "%s: the node key is damaged (%zu bytes, not %d)",
                      db->sql_label, len, HY_KEY_LEN);
    if (err == HY_OK)
        memcpy(db->seed, seed, HY_KEY_LEN);
    sqlite3_finalize(st); /* SQLite frees its copy of the seed without wiping it */
    return err;
}

/* Refuses a missing file with its own error, before SQLite would create it. */
static hy_err check_exists(hy_db *db, const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0)
        return HY_OK;
    if (errno == ENOENT)
        return db_fail(db, HY_E_NOT_FOUND, "%s: no such database", path);
    return db_fail(db, HY_E_IO, "%s: %s", path, strerror(errno));
}

static hy_err open_file(hy_db *db, const hy_db_options *options)
{
    if (!options->create) {
        hy_err err = check_exists(db, options->path);
        if (err)
            return err;
    }
    int flags = SQLITE_OPEN_READWRITE | (options->create ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(options->path, &db->sql, flags, NULL) != SQLITE_OK) {
        if (db->sql == NULL)
            return db_fail(db, HY_E_NOMEM, "%s: out of memory opening it", options->path);
        return db_sql_fail(db);
    }
    hy_err err = configure(db);
    if (err == HY_OK)
        err = init_schema(db);
    if (err == HY_OK && options->node_seed == NULL)
        err = load_seed(db);
    return err;
}

hy_err hy_db_open(const hy_db_options *options, hy_db **out, char *message)
{
    if (out != NULL)
        *out = NULL;
    if (options == NULL || options->path == NULL || out == NULL) {
        if (message != NULL)
            snprintf(message, HY_DB_MESSAGE_MAX, "hy_db_open: no path given");
        return HY_E_INVALID_ARG;
    }
    hy_db *db = calloc(1, sizeof *db);
    if (db == NULL) {
        if (message != NULL)
            snprintf(message, HY_DB_MESSAGE_MAX, "out of memory");
        return HY_E_NOMEM;
    }
    db->platform = hy_platform_posix();
    db->compact_min_bytes =
        options->compact_min_bytes ? options->compact_min_bytes : HY_DB_COMPACT_MIN_BYTES;
    db->compact_max_increments = options->compact_max_increments
                                     ? options->compact_max_increments
                                     : HY_DB_COMPACT_MAX_INCREMENTS;
    if (options->node_seed != NULL)
        memcpy(db->seed, options->node_seed, HY_KEY_LEN);
    db->sql_label = options->path;
    hy_err err = open_file(db, options);
    db->sql_label = "database";
    if (err) {
        if (message != NULL)
            snprintf(message, HY_DB_MESSAGE_MAX, "%s", db->message);
        hy_db_close(db);
        return err;
    }
    hy_key_public(db->key, db->seed);
    *out = db;
    return HY_OK;
}

void hy_db_close(hy_db *db)
{
    if (db == NULL)
        return;
    /* sqlite3_close_v2: statements are all finalized by now; it closes regardless. */
    sqlite3_close_v2(db->sql);
    for (size_t i = 0; i < db->open_count; i++)
        hy_store_free(db->open[i].store);
    free(db->open);
    hy_wipe(db->seed, sizeof db->seed);
    free(db);
}

const uint8_t *hy_db_node_seed(const hy_db *db)
{
    return db->seed;
}

const uint8_t *hy_db_node_key(const hy_db *db)
{
    return db->key;
}

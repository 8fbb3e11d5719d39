/* What the db*.c files share: the handle, error lines and SQLite helpers.
 *
 *   db.c         open, schema, node identity, errors, statement helpers
 *   db_store.c   store rows: create, find, list, open, persist (and compaction), stats
 *   db_export.c  the export file: export and import */
#ifndef HY_DB_INTERNAL_H
#define HY_DB_INTERNAL_H

#include <sqlite3.h>

#include "db.h"

/* A store object handed out by hy_db_store_open, and what this connection knows of its rows.
 * generation is the store row's write counter as of the last time this object was known to
 * hold every change of the rows (after its load, or after its own write with nobody writing
 * in between): while the row still has that generation, a snapshot of the object loses
 * nothing, so the object may compact the rows. */
typedef struct db_open_store {
    hy_store *store;
    uint8_t id[HY_HASH_LEN];
    int64_t generation;
    /* A write failed after the store had counted its changes as saved: the next persist
     * writes all its changes instead of those since the last save. */
    bool lost;
} db_open_store;

struct hy_db {
    sqlite3 *sql;
    hy_platform platform; /* the platform of the stores this handle opens */
    uint8_t seed[HY_KEY_LEN];
    uint8_t key[HY_KEY_LEN];
    size_t compact_min_bytes;
    size_t compact_max_increments;
    db_open_store *open;
    size_t open_count, open_cap;
    /* How SQLite's errors are introduced: the file's path while opening it, then
     * "database". */
    const char *sql_label;
    char message[HY_DB_MESSAGE_MAX];
};

/* Sets the error line (control characters, such as a newline in a store name, become '?',
 * so it stays one line) and returns code, for `return db_fail(...)`. */
hy_err db_fail(hy_db *db, hy_err code, const char *format, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* The error of SQLite's last failure on db, as "<sql_label>: <SQLite's message>". */
hy_err db_sql_fail(hy_db *db);

/* Statements: prepare, bind and step, each setting the error line on failure. */
hy_err db_prepare(hy_db *db, const char *sql, sqlite3_stmt **out);
hy_err db_bind_blob(hy_db *db, sqlite3_stmt *st, int index, const void *data, size_t len);
/* UTF-8 text of len bytes; compared with = as bytes (SQLite's BINARY collation). */
hy_err db_bind_text(hy_db *db, sqlite3_stmt *st, int index, const char *text, size_t len);
hy_err db_bind_int(hy_db *db, sqlite3_stmt *st, int index, int64_t value);
/* Steps st: HY_OK with *row true for a row, false when done. */
hy_err db_step(hy_db *db, sqlite3_stmt *st, bool *row);
/* Steps a statement that returns no row, and finalizes it. */
hy_err db_run(hy_db *db, sqlite3_stmt *st);
/* Runs SQL text without parameters. */
hy_err db_exec(hy_db *db, const char *sql);

/* A transaction: write ones take the write lock at once (BEGIN IMMEDIATE), so that what they
 * read cannot change before they write. db_end commits when err is HY_OK (returning the
 * commit's error) and rolls back otherwise (returning err). */
hy_err db_begin(hy_db *db, bool write);
hy_err db_end(hy_db *db, hy_err err);

/* A column as bytes: HY_OK with *data (NULL when len is 0) and *len, or HY_E_FORMAT with
 * the error line "<what> is damaged" when the column is not a blob (null_ok: or NULL). */
hy_err db_column_blob(hy_db *db, sqlite3_stmt *st, int column, bool null_ok, const char *what,
                      const uint8_t **data, size_t *len);

/* "1a2b3c4d5e6f7a8b": the first 16 hex digits of an id, for error lines. */
typedef struct db_label {
    char text[17];
} db_label;
db_label db_id_label(const uint8_t id[HY_HASH_LEN]);

/* The configuration of a store of this database: base with the genesis' writers, and with
 * the node key as actor unless base names one. */
hy_store_config db_store_config(const hy_db *db, const hy_store_config *base,
                                const hy_genesis *policy);

/* Inserts a store row (snapshot NULL: an empty store). HY_E_INVALID_ARG when the name or
 * the id is taken. */
hy_err db_insert_store(hy_db *db, const uint8_t id[HY_HASH_LEN], const uint8_t *genesis,
                       size_t genesis_len, const hy_genesis *policy, const uint8_t *snapshot,
                       size_t snapshot_len);

#endif

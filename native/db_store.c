/* Store rows: create, look up, list, open (snapshot + increments), persist and compact. */
#include "db_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hex.h"

/* ---- statements on one store's rows --------------------------------------------------- */

/* Prepares sql, binds the store id to ?1 and steps to the first row: HY_OK with *out on it
 * (finalize it), or HY_E_NOT_FOUND ("no store with id ...") when there is none. */
static hy_err select_by_id(hy_db *db, const char *sql, const uint8_t id[HY_HASH_LEN],
                           sqlite3_stmt **out)
{
    sqlite3_stmt *st;
    hy_err err = db_prepare(db, sql, &st);
    if (err)
        return err;
    bool row = false;
    err = db_bind_blob(db, st, 1, id, HY_HASH_LEN);
    if (err == HY_OK)
        err = db_step(db, st, &row);
    if (err == HY_OK && !row)
        err = db_fail(db, HY_E_NOT_FOUND, "no store with id %s...", db_id_label(id).text);
    if (err) {
        sqlite3_finalize(st);
        return err;
    }
    *out = st;
    return HY_OK;
}

/* Runs a statement that writes a store's rows: ?1 is the id, ?2 data (len bytes, when data
 * is not NULL), ?3 number (when the statement has a third parameter). */
static hy_err write_by_id(hy_db *db, const char *sql, const uint8_t id[HY_HASH_LEN],
                          const uint8_t *data, size_t len, int64_t number)
{
    sqlite3_stmt *st;
    hy_err err = db_prepare(db, sql, &st);
    if (err)
        return err;
    err = db_bind_blob(db, st, 1, id, HY_HASH_LEN);
    if (err == HY_OK && data != NULL)
        err = db_bind_blob(db, st, 2, data, len);
    if (err == HY_OK && sqlite3_bind_parameter_count(st) >= 3)
        err = db_bind_int(db, st, 3, number);
    if (err) {
        sqlite3_finalize(st);
        return err;
    }
    return db_run(db, st);
}

/* ---- rows ------------------------------------------------------------------------------ */

void hy_db_store_clear(hy_db_store *info)
{
    if (info == NULL)
        return;
    free(info->genesis);
    memset(info, 0, sizeof *info);
}

/* Fills out from a row's id, name and genesis columns, trusting none of them: the genesis
 * must hash to the id, decode, and carry the name the row is found by. */
static hy_err read_store_row(hy_db *db, sqlite3_stmt *st, int id_column, hy_db_store *out)
{
    memset(out, 0, sizeof *out);
    const uint8_t *id, *genesis;
    size_t id_len, genesis_len;
    hy_err err = db_column_blob(db, st, id_column, false, "a store's id", &id, &id_len);
    if (err)
        return err;
    if (id_len != HY_HASH_LEN)
        return db_fail(db, HY_E_FORMAT, "a store's id is damaged (%zu bytes)", id_len);
    memcpy(out->id, id, HY_HASH_LEN);
    db_label label = db_id_label(out->id);
    const unsigned char *name = sqlite3_column_text(st, id_column + 1);
    size_t name_len = (size_t)sqlite3_column_bytes(st, id_column + 1);
    char what[48];
    snprintf(what, sizeof what, "store %s: its genesis", label.text);
    err = db_column_blob(db, st, id_column + 2, false, what, &genesis, &genesis_len);
    if (err)
        return err;
    uint8_t hash[HY_HASH_LEN];
    hy_hash(genesis, genesis_len, hash);
    if (memcmp(hash, out->id, HY_HASH_LEN) != 0)
        return db_fail(db, HY_E_HASH_MISMATCH,
                       "store %s: its genesis does not hash to its id (damaged database)",
                       label.text);
    out->genesis = malloc(genesis_len ? genesis_len : 1);
    if (out->genesis == NULL)
        return db_fail(db, HY_E_NOMEM, "out of memory");
    memcpy(out->genesis, genesis, genesis_len);
    out->genesis_len = genesis_len;
    size_t offset = 0;
    err = hy_genesis_decode(out->genesis, genesis_len, &out->policy, &offset);
    if (err == HY_OK && (name == NULL || name_len != out->policy.name_len ||
                         memcmp(name, out->policy.name, name_len) != 0))
        err = db_fail(db, HY_E_FORMAT,
                      "store %s: its name differs from its genesis' (damaged database)",
                      label.text);
    else if (err)
        err = db_fail(db, err, "store %s: its genesis is damaged (%s at byte %zu)",
                      label.text, hy_err_str(err), offset);
    if (err)
        hy_db_store_clear(out);
    return err;
}

hy_err hy_db_store_find_by_id(hy_db *db, const uint8_t id[HY_HASH_LEN], hy_db_store *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st;
    hy_err err = select_by_id(db, "SELECT id, name, genesis FROM stores WHERE id = ?1", id, &st);
    if (err)
        return err;
    err = read_store_row(db, st, 0, out);
    sqlite3_finalize(st);
    return err;
}

hy_err hy_db_store_find_by_name(hy_db *db, const char *name, hy_db_store *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st;
    hy_err err = db_prepare(db, "SELECT id, name, genesis FROM stores WHERE name = ?", &st);
    if (err)
        return err;
    bool row = false;
    err = db_bind_text(db, st, 1, name, strlen(name));
    if (err == HY_OK)
        err = db_step(db, st, &row);
    if (err == HY_OK && !row)
        err = db_fail(db, HY_E_NOT_FOUND, "no store named '%s'", name);
    if (err == HY_OK)
        err = read_store_row(db, st, 0, out);
    sqlite3_finalize(st);
    return err;
}

hy_err hy_db_store_find(hy_db *db, const char *name_or_id, hy_db_store *out)
{
    uint8_t id[HY_HASH_LEN];
    if (strlen(name_or_id) == 2 * HY_HASH_LEN &&
        hy_hex_decode(id, sizeof id, name_or_id) == HY_OK) {
        hy_err err = hy_db_store_find_by_id(db, id, out);
        if (err != HY_E_NOT_FOUND)
            return err;
    }
    hy_err err = hy_db_store_find_by_name(db, name_or_id, out);
    if (err == HY_E_NOT_FOUND)
        return db_fail(db, err, "no store '%s' (neither a name nor an id held here)", name_or_id);
    return err;
}

hy_err hy_db_store_list(hy_db *db, hy_db_store_fn fn, void *user)
{
    sqlite3_stmt *st;
    hy_err err = db_prepare(db, "SELECT id, name, genesis FROM stores ORDER BY name", &st);
    bool row = true;
    while (err == HY_OK && row) {
        err = db_step(db, st, &row);
        if (err || !row)
            break;
        hy_db_store info;
        err = read_store_row(db, st, 0, &info);
        if (err == HY_OK)
            err = fn(user, &info);
        hy_db_store_clear(&info);
    }
    sqlite3_finalize(st);
    return err;
}

hy_err db_insert_store(hy_db *db, const uint8_t id[HY_HASH_LEN], const uint8_t *genesis,
                       size_t genesis_len, const hy_genesis *policy, const uint8_t *snapshot,
                       size_t snapshot_len)
{
    sqlite3_stmt *st;
    hy_err err = db_prepare(db, "INSERT INTO stores (id, name, genesis, snapshot_bytes) "
                                "VALUES (?, ?, ?, ?)", &st);
    if (err)
        return err;
    err = db_bind_blob(db, st, 1, id, HY_HASH_LEN);
    if (err == HY_OK)
        err = db_bind_text(db, st, 2, policy->name, policy->name_len);
    if (err == HY_OK)
        err = db_bind_blob(db, st, 3, genesis, genesis_len);
    if (err == HY_OK)
        err = db_bind_int(db, st, 4, snapshot ? (int64_t)snapshot_len : 0);
    if (err) {
        sqlite3_finalize(st);
        return err;
    }
    err = db_run(db, st);
    if (err == HY_E_INVALID_ARG) /* the UNIQUE name or the id's PRIMARY KEY */
        return db_fail(db, err, "a store named '%.*s' already exists", (int)policy->name_len,
                       policy->name);
    if (err == HY_OK && snapshot != NULL)
        err = write_by_id(db, "INSERT INTO snapshots (store, data) VALUES (?1, ?2)", id,
                          snapshot, snapshot_len, 0);
    return err;
}

hy_err hy_db_store_create(hy_db *db, const uint8_t *genesis, size_t len,
                          uint8_t id[HY_HASH_LEN])
{
    hy_genesis policy;
    size_t offset = 0;
    hy_err err = hy_genesis_decode(genesis, len, &policy, &offset);
    if (err)
        return db_fail(db, HY_E_INVALID_ARG, "the genesis is not valid (%s at byte %zu)",
                       hy_err_str(err), offset);
    uint8_t hash[HY_HASH_LEN];
    hy_hash(genesis, len, hash);
    err = db_insert_store(db, hash, genesis, len, &policy, NULL, 0);
    if (err == HY_OK && id != NULL)
        memcpy(id, hash, HY_HASH_LEN);
    return err;
}

/* ---- open ------------------------------------------------------------------------------ */

hy_store_config db_store_config(const hy_db *db, const hy_store_config *base,
                                const hy_genesis *policy)
{
    hy_store_config config = *base;
    if (config.actor_seed == NULL)
        config.actor_seed = db->seed;
    config.writers = policy->writers;
    config.writer_count = policy->writer_count;
    /* A ledger's changes are all signed (docs/ledger.md). */
    if (policy->committee_count > 0)
        config.require_signatures = 1;
    return config;
}

static db_open_store *find_open(hy_db *db, const hy_store *store)
{
    for (size_t i = 0; i < db->open_count; i++) {
        if (db->open[i].store == store)
            return &db->open[i];
    }
    return NULL;
}

/* The snapshot (NULL: an empty store) loaded with the store's policy. */
static hy_err load_snapshot(hy_db *db, const hy_store_config *config, const uint8_t *snapshot,
                            size_t len, const char *label, hy_store **out)
{
    size_t offset = 0;
    hy_err err = snapshot == NULL ? hy_store_new(config, out)
                                  : hy_store_load(config, snapshot, len, out, &offset);
    if (err == HY_E_NOMEM)
        return db_fail(db, err, "store %s: out of memory loading it", label);
    if (err)
        return db_fail(db, err, "store %s: its snapshot is damaged (%s at byte %zu)", label,
                       hy_err_str(err), offset);
    return HY_OK;
}

/* Merges every increment, in order, into store. A missing dep counts as damage too: each
 * increment holds what its writer had, after the rows before it. */
static hy_err merge_increments(hy_db *db, hy_store *store, const uint8_t id[HY_HASH_LEN],
                               const char *label, size_t *merged)
{
    sqlite3_stmt *st;
    hy_err err = db_prepare(db, "SELECT seq, data FROM increments WHERE store = ? ORDER BY seq",
                            &st);
    if (err)
        return err;
    err = db_bind_blob(db, st, 1, id, HY_HASH_LEN);
    bool row = true;
    *merged = 0;
    while (err == HY_OK && row) {
        err = db_step(db, st, &row);
        if (err || !row)
            break;
        long long seq = sqlite3_column_int64(st, 0);
        const uint8_t *data;
        size_t len;
        err = db_column_blob(db, st, 1, false, "an increment", &data, &len);
        if (err == HY_OK)
            err = hy_store_merge(store, data, len);
        if (err == HY_E_NOMEM)
            err = db_fail(db, err, "store %s: out of memory loading it", label);
        else if (err)
            err = db_fail(db, err, "store %s: increment %lld is damaged (%s)", label, seq,
                          hy_err_str(err));
        (*merged)++;
    }
    sqlite3_finalize(st);
    return err;
}

/* Reads the store's rows into a new store, in one read transaction so that a compaction by
 * another connection cannot fall between the snapshot and the increments. */
static hy_err load_store(hy_db *db, const uint8_t id[HY_HASH_LEN], const hy_store_config *base,
                         hy_store **out, int64_t *generation)
{
    sqlite3_stmt *st;
    hy_err err = select_by_id(db, "SELECT id, name, genesis, (SELECT data FROM snapshots "
                                  "WHERE store = ?1), generation FROM stores WHERE id = ?1", id, &st);
    if (err)
        return err;
    hy_db_store info = { 0 };
    hy_store *store = NULL;
    err = read_store_row(db, st, 0, &info);
    char label[HY_NAME_MAX + 3];
    if (err == HY_OK)
        snprintf(label, sizeof label, "'%.*s'", (int)info.policy.name_len, info.policy.name);
    const uint8_t *snapshot = NULL;
    size_t snapshot_len = 0;
    char what[sizeof label + 32];
    if (err == HY_OK) {
        snprintf(what, sizeof what, "store %s: its snapshot", label);
        err = db_column_blob(db, st, 3, true, what, &snapshot, &snapshot_len);
    }
    hy_store_config config;
    if (err == HY_OK) {
        *generation = sqlite3_column_int64(st, 4);
        config = db_store_config(db, base, &info.policy);
        err = load_snapshot(db, &config, snapshot, snapshot_len, label, &store);
    }
    sqlite3_finalize(st);
    size_t merged = 0;
    if (err == HY_OK)
        err = merge_increments(db, store, id, label, &merged);
    if (err == HY_OK && merged > 0) {
        /* The merges count as news for the next incremental save; they are in the rows
         * already, so take that save now and drop it. */
        uint8_t *batch;
        size_t len;
        err = hy_store_save_incremental(store, &batch, &len);
        if (err == HY_OK)
            hy_store_buffer_free(store, batch, len);
        else
            err = db_fail(db, err, "store %s: %s", label, hy_err_str(err));
    }
    hy_db_store_clear(&info);
    if (err) {
        hy_store_free(store);
        return err;
    }
    *out = store;
    return HY_OK;
}

hy_err hy_db_store_open(hy_db *db, const uint8_t id[HY_HASH_LEN], const hy_store_config *base,
                        hy_store **out)
{
    if (out == NULL || base == NULL || id == NULL)
        return db_fail(db, HY_E_INVALID_ARG, "hy_db_store_open: missing argument");
    *out = NULL;
    /* Room for the new entry first, so nothing can fail once the store is loaded. */
    if (db->open_count == db->open_cap) {
        size_t cap = db->open_cap ? 2 * db->open_cap : 8;
        db_open_store *grown = realloc(db->open, cap * sizeof *grown);
        if (grown == NULL)
            return db_fail(db, HY_E_NOMEM, "out of memory");
        db->open = grown;
        db->open_cap = cap;
    }
    hy_err err = db_begin(db, false);
    if (err)
        return err;
    hy_store *store = NULL;
    int64_t generation = 0;
    err = db_end(db, load_store(db, id, base, &store, &generation));
    if (err) {
        hy_store_free(store);
        return err;
    }
    db_open_store *entry = &db->open[db->open_count++];
    *entry = (db_open_store){ .store = store, .generation = generation };
    memcpy(entry->id, id, HY_HASH_LEN);
    *out = store;
    return HY_OK;
}

void hy_db_store_close(hy_db *db, hy_store *store)
{
    db_open_store *entry = find_open(db, store);
    if (entry != NULL)
        *entry = db->open[--db->open_count];
    hy_store_free(store);
}

/* ---- persist --------------------------------------------------------------------------- */

/* A change batch (docs/format.md) starts "HYCB", version 1 and the change count: a count of
 * 0 is a batch with nothing to keep. */
static bool batch_is_empty(const uint8_t *batch, size_t len)
{
    return len >= 6 && memcmp(batch, "HYCB", 4) == 0 && batch[4] == 1 && batch[5] == 0;
}

/* The row's figures that decide between appending and compacting. */
typedef struct store_counts {
    int64_t snapshot_bytes;
    int64_t increment_count;
    int64_t increment_bytes;
    int64_t generation;
} store_counts;

static hy_err read_counts(hy_db *db, const uint8_t id[HY_HASH_LEN], store_counts *out)
{
    sqlite3_stmt *st;
    hy_err err = select_by_id(db, "SELECT snapshot_bytes, increment_count, increment_bytes, "
                                  "generation FROM stores WHERE id = ?1",
                              id, &st);
    if (err)
        return err;
    *out = (store_counts){ sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
                           sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3) };
    sqlite3_finalize(st);
    return HY_OK;
}

static hy_err append_increment(hy_db *db, const uint8_t id[HY_HASH_LEN], const uint8_t *batch,
                               size_t len)
{
    hy_err err = write_by_id(db, "INSERT INTO increments (store, seq, data) VALUES (?1, "
                                 "(SELECT coalesce(max(seq), 0) + 1 FROM increments "
                                 "WHERE store = ?1), ?2)", id, batch, len, 0);
    if (err == HY_OK)
        err = write_by_id(db, "UPDATE stores SET increment_count = increment_count + 1, "
                              "increment_bytes = increment_bytes + ?3, "
                              "generation = generation + 1 WHERE id = ?1", id, NULL, 0,
                          (int64_t)len);
    return err;
}

/* Replaces the snapshot by store's whole state and drops the increments it covers. */
static hy_err compact(hy_db *db, const uint8_t id[HY_HASH_LEN], hy_store *store)
{
    uint8_t *snapshot;
    size_t len;
    hy_err err = hy_store_save(store, &snapshot, &len);
    if (err)
        return db_fail(db, err, "store %s...: cannot save it: %s", db_id_label(id).text,
                       hy_err_str(err));
    err = write_by_id(db, "INSERT INTO snapshots (store, data) VALUES (?1, ?2) "
                          "ON CONFLICT (store) DO UPDATE SET data = excluded.data",
                      id, snapshot, len, 0);
    if (err == HY_OK)
        err = write_by_id(db, "UPDATE stores SET snapshot_bytes = ?3, increment_count = 0, "
                              "increment_bytes = 0, generation = generation + 1 WHERE id = ?1",
                          id, NULL, 0, (int64_t)len);
    hy_store_buffer_free(store, snapshot, len);
    if (err == HY_OK)
        err = write_by_id(db, "DELETE FROM increments WHERE store = ?1", id, NULL, 0, 0);
    return err;
}

/* A compaction rewrites the whole store, so it must wait until the increments it replaces
 * are worth a multiple of it: the snapshot is compressed (~9 bytes a change) and increments
 * are not, and comparing them one to one rewrote the store every few percent of growth under
 * a stream of one-op changes (85% of a node's time). The count rule, which bounds the merges
 * an open replays, also waits until the increments outweigh the snapshot. */
#define COMPACT_GROWTH 4
/* hy_db_store_persist compacts only once the increments reach this many times the thresholds:
 * a writer that streams is acknowledged without waiting for rewrites, which wait for
 * hy_db_store_compact (the node calls it when the store is idle). Still bounded: with one-op
 * changes a compaction then comes after the store grew about fivefold. */
#define COMPACT_OVERDUE 8

static bool compaction_due(const hy_db *db, const store_counts *c, size_t len, int64_t factor)
{
    int64_t bytes = c->increment_bytes + (int64_t)len;
    int64_t count = c->increment_count + (len > 0);
    return (count >= factor * (int64_t)db->compact_max_increments &&
            bytes > c->snapshot_bytes) ||
           (bytes > factor * COMPACT_GROWTH * c->snapshot_bytes &&
            bytes > (int64_t)db->compact_min_bytes);
}

/* Writes batch (what entry's store gained; len 0: nothing) as an increment, or compacts
 * instead once compaction_due at factor. */
static hy_err write_batch(hy_db *db, db_open_store *entry, const uint8_t *batch, size_t len,
                          int64_t factor)
{
    hy_err err = db_begin(db, true);
    if (err)
        return err;
    store_counts counts;
    err = read_counts(db, entry->id, &counts);
    /* The row's generation is ours only when nobody wrote since this store last read or
     * wrote it: then the store holds every change of the rows, and a snapshot of it may
     * replace them. */
    bool exclusive = err == HY_OK && counts.generation == entry->generation;
    bool wrote = false;
    if (err == HY_OK) {
        if (exclusive && compaction_due(db, &counts, len, factor)) {
            err = compact(db, entry->id, entry->store);
            wrote = true;
        } else if (len > 0) {
            err = append_increment(db, entry->id, batch, len);
            wrote = true;
        }
    }
    err = db_end(db, err);
    if (err == HY_OK && exclusive && wrote)
        entry->generation = counts.generation + 1;
    return err;
}

hy_err hy_db_store_persist(hy_db *db, hy_store *store)
{
    db_open_store *entry = find_open(db, store);
    if (entry == NULL)
        return db_fail(db, HY_E_INVALID_ARG,
                       "hy_db_store_persist: the store was not opened from this database");
    uint8_t *batch;
    size_t len;
    hy_err err = entry->lost ? hy_store_changes(store, NULL, 0, &batch, &len)
                             : hy_store_save_incremental(store, &batch, &len);
    if (err)
        return db_fail(db, err, "store %s...: cannot gather its changes: %s",
                       db_id_label(entry->id).text, hy_err_str(err));
    if (!batch_is_empty(batch, len)) {
        err = write_batch(db, entry, batch, len, COMPACT_OVERDUE);
        /* The store counts the batch's changes as saved either way: after a failure only a
         * batch of all its changes is sure to hold them. */
        entry->lost = err != HY_OK;
    }
    hy_store_buffer_free(store, batch, len);
    return err;
}

hy_err hy_db_store_compact(hy_db *db, hy_store *store)
{
    hy_err err = hy_db_store_persist(db, store);
    return err ? err : write_batch(db, find_open(db, store), NULL, 0, 1);
}

/* ---- stats ----------------------------------------------------------------------------- */

hy_err hy_db_store_stats_get(hy_db *db, const uint8_t id[HY_HASH_LEN], hy_db_store_stats *out)
{
    /* Counted from the rows themselves rather than the kept figures, so tests see what is
     * really there. */
    sqlite3_stmt *st;
    hy_err err = select_by_id(db, "SELECT coalesce((SELECT length(data) FROM snapshots WHERE "
                                  "store = ?1), 0), "
                                  "(SELECT count(*) FROM increments WHERE store = ?1), "
                                  "(SELECT coalesce(sum(length(data)), 0) FROM increments "
                                  "WHERE store = ?1) FROM stores WHERE id = ?1", id, &st);
    if (err)
        return err;
    *out = (hy_db_store_stats){ (size_t)sqlite3_column_int64(st, 0),
                                (size_t)sqlite3_column_int64(st, 1),
                                (size_t)sqlite3_column_int64(st, 2) };
    sqlite3_finalize(st);
    return HY_OK;
}

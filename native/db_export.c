/* The export file (docs/node.md, "Export file"): a store's genesis and its saved state, to
 * move a store between databases or keep a copy.
 *
 *     magic        4 bytes  "HYEX"
 *     version      varint   1
 *     genesis_len  count    (items of 1 byte)
 *     genesis      the store's canonical genesis
 *     store        the rest: hy_store_save bytes */
#include "db_internal.h"

#include <stdlib.h>
#include <string.h>

#include "bytes.h"

static const uint8_t EXPORT_MAGIC[4] = { 'H', 'Y', 'E', 'X' };
#define EXPORT_VERSION 1

hy_err hy_db_store_export(hy_db *db, const uint8_t id[HY_HASH_LEN], uint8_t **out,
                          size_t *out_len)
{
    hy_db_store info;
    hy_err err = hy_db_store_find_by_id(db, id, &info);
    if (err)
        return err;
    hy_store_config base = { .platform = &db->platform };
    hy_store *store;
    err = hy_db_store_open(db, id, &base, &store);
    if (err) {
        hy_db_store_clear(&info);
        return err;
    }
    uint8_t *saved;
    size_t saved_len;
    err = hy_store_save(store, &saved, &saved_len);
    if (err) {
        err = db_fail(db, err, "store '%.*s': cannot save it: %s", (int)info.policy.name_len,
                      info.policy.name, hy_err_str(err));
    } else {
        uint8_t header[sizeof EXPORT_MAGIC + 2 * HY_VARINT_MAX_LEN];
        size_t header_len = sizeof EXPORT_MAGIC;
        memcpy(header, EXPORT_MAGIC, sizeof EXPORT_MAGIC);
        header_len += hy_varint_put(header + header_len, EXPORT_VERSION);
        header_len += hy_varint_put(header + header_len, info.genesis_len);
        size_t total = header_len + info.genesis_len + saved_len;
        uint8_t *file = malloc(total);
        if (file == NULL) {
            err = db_fail(db, HY_E_NOMEM, "out of memory (%zu bytes)", total);
        } else {
            memcpy(file, header, header_len);
            memcpy(file + header_len, info.genesis, info.genesis_len);
            memcpy(file + header_len + info.genesis_len, saved, saved_len);
            *out = file;
            *out_len = total;
        }
        hy_store_buffer_free(store, saved, saved_len);
    }
    hy_db_store_close(db, store);
    hy_db_store_clear(&info);
    return err;
}

/* The parts of an export file; offsets for error lines. */
typedef struct export_file {
    const uint8_t *genesis;
    size_t genesis_len;
    const uint8_t *store;
    size_t store_len;
    size_t store_offset;
} export_file;

static hy_err parse_export(hy_db *db, const uint8_t *data, size_t len, export_file *out)
{
    hy_reader r = hy_reader_make(data, len);
    const uint8_t *magic;
    uint64_t version;
    hy_err err = hy_read_view(&r, sizeof EXPORT_MAGIC, &magic);
    if (err || memcmp(magic, EXPORT_MAGIC, sizeof EXPORT_MAGIC) != 0)
        return db_fail(db, HY_E_FORMAT, "not a hypha export file (no HYEX at its start)");
    err = hy_read_varint(&r, &version);
    if (err == HY_OK && version != EXPORT_VERSION)
        return db_fail(db, HY_E_VERSION, "export file version %llu; this hypha reads %d",
                       (unsigned long long)version, EXPORT_VERSION);
    if (err == HY_OK)
        err = hy_read_count(&r, 1, &out->genesis_len);
    if (err == HY_OK)
        err = hy_read_view(&r, out->genesis_len, &out->genesis);
    if (err)
        return db_fail(db, err, "the export file is damaged (%s at byte %zu)", hy_err_str(err),
                       r.pos);
    out->store_offset = r.pos;
    out->store = data + r.pos;
    out->store_len = hy_reader_left(&r);
    return HY_OK;
}

/* Merges every change of imported into the store id already held. */
static hy_err merge_into(hy_db *db, const uint8_t id[HY_HASH_LEN], hy_store *imported)
{
    hy_store_config base = { .platform = &db->platform };
    hy_store *store;
    hy_err err = hy_db_store_open(db, id, &base, &store);
    if (err)
        return err;
    uint8_t *batch;
    size_t len;
    err = hy_store_changes(imported, NULL, 0, &batch, &len);
    if (err == HY_OK) {
        err = hy_store_merge(store, batch, len);
        hy_store_buffer_free(imported, batch, len);
        if (err)
            err = db_fail(db, err, "cannot merge the export file's changes: %s",
                          hy_err_str(err));
    } else {
        err = db_fail(db, err, "cannot read the export file's changes: %s", hy_err_str(err));
    }
    if (err == HY_OK)
        err = hy_db_store_compact(db, store);
    hy_db_store_close(db, store);
    return err;
}

static hy_err insert_imported(hy_db *db, const uint8_t id[HY_HASH_LEN], const export_file *file,
                              const hy_genesis *policy, hy_store *imported)
{
    /* Saved again rather than copied: what goes into the database is what this version
     * writes, of exactly what was checked. */
    uint8_t *snapshot;
    size_t len;
    hy_err err = hy_store_save(imported, &snapshot, &len);
    if (err)
        return db_fail(db, err, "cannot save the imported store: %s", hy_err_str(err));
    err = db_insert_store(db, id, file->genesis, file->genesis_len, policy, snapshot, len);
    hy_store_buffer_free(imported, snapshot, len);
    return err;
}

hy_err hy_db_store_import(hy_db *db, const uint8_t *data, size_t len, uint8_t id[HY_HASH_LEN],
                          bool *created)
{
    export_file file;
    hy_err err = parse_export(db, data, len, &file);
    if (err)
        return err;
    hy_genesis policy;
    size_t offset = 0;
    err = hy_genesis_decode(file.genesis, file.genesis_len, &policy, &offset);
    if (err)
        return db_fail(db, err, "the export file's genesis is damaged (%s at byte %zu)",
                       hy_err_str(err), (size_t)(file.genesis - data) + offset);
    uint8_t store_id[HY_HASH_LEN];
    hy_hash(file.genesis, file.genesis_len, store_id);

    hy_store_config base = { .platform = &db->platform };
    hy_store_config config = db_store_config(db, &base, &policy);
    hy_store *imported;
    offset = 0;
    err = hy_store_load(&config, file.store, file.store_len, &imported, &offset);
    if (err)
        return db_fail(db, err, "the export file's store is damaged (%s at byte %zu)",
                       hy_err_str(err), file.store_offset + offset);

    hy_db_store held;
    err = hy_db_store_find_by_id(db, store_id, &held);
    bool is_new = err == HY_E_NOT_FOUND;
    hy_db_store_clear(&held);
    if (err == HY_OK)
        err = merge_into(db, store_id, imported);
    else if (is_new)
        err = insert_imported(db, store_id, &file, &policy, imported);
    hy_store_free(imported);
    if (err)
        return err;
    if (id != NULL)
        memcpy(id, store_id, HY_HASH_LEN);
    if (created != NULL)
        *created = is_new;
    return HY_OK;
}

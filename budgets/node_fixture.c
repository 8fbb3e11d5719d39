/* node_fixture DB STORE RECORDS: writes the benchmarks' records (fixtures.c: 3 fields each,
 * 1,000 records a change) into STORE of the node database DB and persists them, so that
 * budgets/node-bench.mjs can serve a 100,000-record store from a real node. `hypha put` would
 * take a process and an fsync per field (300,000 of them); this takes about a second. STORE
 * must exist (`hypha store create`); its changes are signed with the database's node key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "fixtures.h"

static int fail(hy_db *db, const char *what, hy_err err)
{
    fprintf(stderr, "node_fixture: %s: %s\n", what,
            db != NULL && hy_db_message(db)[0] != '\0' ? hy_db_message(db) : hy_err_str(err));
    return 1;
}

int main(int argc, char **argv)
{
    char *end = NULL;
    unsigned long records = argc == 4 ? strtoul(argv[3], &end, 10) : 0;
    if (argc != 4 || *end != '\0' || records == 0 || records % 1000 != 0) {
        fprintf(stderr, "usage: node_fixture DB STORE RECORDS (a multiple of 1000)\n");
        return 2;
    }
    hy_db_options options = { .path = argv[1] };
    char message[HY_DB_MESSAGE_MAX];
    hy_db *db;
    hy_err err = hy_db_open(&options, &db, message);
    if (err) {
        fprintf(stderr, "node_fixture: %s\n", message);
        return 1;
    }
    hy_db_store info;
    err = hy_db_store_find(db, argv[2], &info);
    if (err) {
        int status = fail(db, argv[2], err);
        hy_db_close(db);
        return status;
    }
    /* The fixtures' fixed platform: the same clock and randomness as every budget's store. */
    fixture_env env;
    hy_store_config base = fixture_config(&env, 1);
    base.require_signatures = 1;
    hy_store *store = NULL;
    err = hy_db_store_open(db, info.id, &base, &store);
    hy_db_store_clear(&info);
    const char *what = "open";
    if (err == HY_OK) {
        what = "write";
        err = fixture_write_records(store, records);
    }
    if (err == HY_OK) {
        what = "persist";
        err = hy_db_store_persist(db, store);
    }
    int status = err ? fail(db, what, err) : 0;
    hy_db_store_close(db, store);
    hy_db_close(db);
    return status;
}

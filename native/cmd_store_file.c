/* export and import: a store as one file (docs/node.md, "Export file"), to carry it to
 * another database or keep a copy. */
#include "cmd_store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- export ---------------------------------------------------------------------------- */

enum { EXPORT_DB };
static const cli_option export_options[] = {
    [EXPORT_DB] = STORE_OPTION_DB,
};
CLI_OPTIONS_FIT(export_options);

/* Writes data to path ("-": standard output). */
static int write_file(const char *path, const uint8_t *data, size_t len)
{
    bool to_stdout = strcmp(path, "-") == 0;
    FILE *out = to_stdout ? stdout : fopen(path, "wb");
    if (out == NULL) {
        cli_error("%s: %s", path, strerror(errno));
        return CLI_EXIT_FAILURE;
    }
    bool ok = fwrite(data, 1, len, out) == len;
    int saved_errno = errno;
    if (!to_stdout) {
        ok = fclose(out) == 0 && ok;
        saved_errno = ok ? 0 : errno;
    }
    if (!ok) {
        cli_error("%s: cannot write: %s", to_stdout ? "standard output" : path,
                  saved_errno ? strerror(saved_errno) : "write error");
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}

static int run_export(const cli_args *args)
{
    if (args->operand_count != 2) {
        cli_error("export: takes STORE and FILE (see 'hypha help export')");
        return CLI_EXIT_USAGE;
    }
    hy_db *db;
    int status = store_cli_open(args->values[EXPORT_DB], NULL, false, &db);
    if (status != CLI_EXIT_OK)
        return status;
    hy_db_store info;
    status = store_cli_find(db, args->operands[0], &info);
    uint8_t *data = NULL;
    size_t len = 0;
    if (status == CLI_EXIT_OK && hy_db_store_export(db, info.id, &data, &len) != HY_OK)
        status = store_cli_fail(db);
    if (status == CLI_EXIT_OK)
        status = write_file(args->operands[1], data, len);
    free(data);
    hy_db_store_clear(&info);
    hy_db_close(db);
    return status;
}

const cli_command cli_cmd_export = {
    .name = "export",
    .operands_usage = "STORE FILE",
    .summary = "Write a store to a file (its genesis and every change)",
    .description =
        "Write STORE (its name or id) to FILE (- for standard output): the store's\n"
        "genesis and its whole saved state, signatures included. 'hypha import' reads it\n"
        "into any database.\n",
    .options = export_options,
    .option_count = CLI_LEN(export_options),
    .max_operands = 2,
    .run = run_export,
};

/* ---- import ---------------------------------------------------------------------------- */

enum { IMPORT_DB, IMPORT_JSON };
static const cli_option import_options[] = {
    [IMPORT_DB] = STORE_OPTION_DB,
    [IMPORT_JSON] = { "json", NULL, false, "Print {\"id\": \"...\", \"created\": true|false}" },
};
CLI_OPTIONS_FIT(import_options);

static int run_import(const cli_args *args)
{
    if (args->operand_count != 1) {
        cli_error("import: takes FILE (see 'hypha help import')");
        return CLI_EXIT_USAGE;
    }
    const char *path = args->operands[0];
    uint8_t *data;
    size_t len;
    int status = cli_read_all(path, &data, &len);
    if (status != CLI_EXIT_OK)
        return status;
    hy_db *db = NULL;
    status = store_cli_open(args->values[IMPORT_DB], NULL, true, &db);
    uint8_t id[HY_HASH_LEN];
    bool created = false;
    if (status == CLI_EXIT_OK && hy_db_store_import(db, data, len, id, &created) != HY_OK) {
        cli_error("%s: %s", cli_input_label(path), hy_db_message(db));
        status = CLI_EXIT_FAILURE;
    }
    if (status == CLI_EXIT_OK) {
        bool json = args->values[IMPORT_JSON] != NULL;
        fputs(json ? "{\"id\": " : "", stdout);
        store_cli_hex(id, sizeof id, json);
        if (json)
            printf(", \"created\": %s}", created ? "true" : "false");
        putchar('\n');
    }
    hy_db_close(db);
    free(data);
    return status;
}

const cli_command cli_cmd_import = {
    .name = "import",
    .operands_usage = "FILE",
    .summary = "Read a store from an export file into the database",
    .description =
        "Read FILE (- for standard input), written by 'hypha export', and print the\n"
        "store's id. A store the database does not hold is added under its name; one it\n"
        "holds gains the file's changes (a merge, as sync would do). Everything is checked\n"
        "first: the file, the genesis, the signatures, and that every change's author may\n"
        "write. The database is created if it does not exist.\n",
    .options = import_options,
    .option_count = CLI_LEN(import_options),
    .max_operands = 1,
    .run = run_import,
};

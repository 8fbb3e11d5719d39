/* put and get: one register field of one record, from a shell. */
#include "cmd_store.h"

#include <stdlib.h>
#include <string.h>

#include "hex.h"
#include "utf8.h"

/* The record path of both commands: operands STORE COLLECTION KEY FIELD. */
enum { PATH_STORE, PATH_COLLECTION, PATH_KEY, PATH_FIELD, PATH_COUNT };

/* Checked here for a message that names the operand; the store checks them again. */
static int check_names(const char *command, const cli_args *args)
{
    static const char *const what[] = { "", "COLLECTION", "KEY", "FIELD" };
    if (args->operand_count < PATH_COUNT) {
        cli_error("%s: missing %s (see 'hypha help %s')", command,
                  args->operand_count == 0 ? "STORE" : what[args->operand_count], command);
        return CLI_EXIT_USAGE;
    }
    for (size_t i = PATH_COLLECTION; i < PATH_COUNT; i++) {
        size_t len = strlen(args->operands[i]);
        if (len > HY_NAME_MAX || !hy_utf8_valid((const uint8_t *)args->operands[i], len)) {
            cli_error("%s: %s must be at most %d bytes of UTF-8", command, what[i], HY_NAME_MAX);
            return CLI_EXIT_USAGE;
        }
    }
    return CLI_EXIT_OK;
}

/* ---- put ------------------------------------------------------------------------------- */

enum { PUT_DB, PUT_KEY };
static const cli_option put_options[] = {
    [PUT_DB] = STORE_OPTION_DB,
    [PUT_KEY] = STORE_OPTION_KEY,
};
CLI_OPTIONS_FIT(put_options);

static int put_value(hy_db *db, const cli_args *args, const hy_value *value)
{
    hy_store *store;
    int status = store_cli_open_store(db, args->operands[PATH_STORE], &store);
    if (status != CLI_EXIT_OK)
        return status;
    char *const *op = args->operands;
    hy_err err = hy_put(store, op[PATH_COLLECTION], op[PATH_KEY], op[PATH_FIELD], value);
    if (err == HY_E_FORBIDDEN) {
        char key[2 * HY_KEY_LEN + 1];
        hy_hex_encode(key, hy_db_node_key(db), HY_KEY_LEN);
        cli_error("put: store '%s' does not let key %s write (it is not among the store's "
                  "writers)", op[PATH_STORE], key);
        status = CLI_EXIT_FAILURE;
    } else if (err == HY_E_INVALID_ARG) {
        cli_error("put: %s/%s/%s holds another type than a register (put and get handle "
                  "registers)", op[PATH_COLLECTION], op[PATH_KEY], op[PATH_FIELD]);
        status = CLI_EXIT_FAILURE;
    } else if (err) {
        cli_error("put: %s", hy_err_str(err));
        status = CLI_EXIT_FAILURE;
    } else if (hy_db_store_compact(db, store) != HY_OK) {
        status = store_cli_fail(db);
    }
    hy_db_store_close(db, store);
    return status;
}

static int run_put(const cli_args *args)
{
    int status = check_names("put", args);
    if (status != CLI_EXIT_OK)
        return status;
    if (args->operand_count != PATH_COUNT + 1) {
        cli_error("put: missing VALUE (see 'hypha help put')");
        return CLI_EXIT_USAGE;
    }
    hy_value value;
    char *owned;
    status = store_cli_parse_value(args->operands[PATH_COUNT], &value, &owned);
    hy_db *db = NULL;
    if (status == CLI_EXIT_OK)
        status = store_cli_open(args->values[PUT_DB], args->values[PUT_KEY], false, &db);
    if (status == CLI_EXIT_OK)
        status = put_value(db, args, &value);
    hy_db_close(db);
    free(owned);
    return status;
}

const cli_command cli_cmd_put = {
    .name = "put",
    .operands_usage = "STORE COLLECTION KEY FIELD VALUE",
    .summary = "Write one field of a record (a register: the last writer wins)",
    .description =
        "Set FIELD of the record COLLECTION/KEY in STORE (its name or id) to VALUE, as one\n"
        "change signed by the node key, written to the database before the command exits.\n"
        "VALUE is read as JSON when it is exactly one JSON scalar: a number (an integer,\n"
        "or a double when it has a fraction or an exponent), a \"string\" (with JSON\n"
        "escapes), true, false or null. Anything else is stored as the text typed:\n"
        "put s notes n1 title hello stores \"hello\"; put s notes n1 title '\"42\"' stores\n"
        "the string 42 where 42 alone would store a number. A VALUE that starts with -\n"
        "follows --, which ends the options: put s notes n1 due -- -7.\n",
    .options = put_options,
    .option_count = CLI_LEN(put_options),
    .max_operands = PATH_COUNT + 1,
    .run = run_put,
};

/* ---- get ------------------------------------------------------------------------------- */

enum { GET_DB, GET_JSON };
static const cli_option get_options[] = {
    [GET_DB] = STORE_OPTION_DB,
    [GET_JSON] = { "json", NULL, false, "Print {\"type\": \"...\", \"value\": ...}" },
};
CLI_OPTIONS_FIT(get_options);

static int run_get(const cli_args *args)
{
    int status = check_names("get", args);
    if (status != CLI_EXIT_OK)
        return status;
    hy_db *db;
    status = store_cli_open(args->values[GET_DB], NULL, false, &db);
    if (status != CLI_EXIT_OK)
        return status;
    hy_store *store;
    status = store_cli_open_store(db, args->operands[PATH_STORE], &store);
    if (status == CLI_EXIT_OK) {
        char *const *op = args->operands;
        hy_value value;
        hy_err err = hy_get(store, op[PATH_COLLECTION], op[PATH_KEY], op[PATH_FIELD], &value);
        if (err == HY_OK) {
            store_cli_print_value(&value, args->values[GET_JSON] != NULL);
        } else {
            if (err == HY_E_NOT_FOUND)
                cli_error("get: %s/%s/%s has no value", op[PATH_COLLECTION], op[PATH_KEY],
                          op[PATH_FIELD]);
            else if (err == HY_E_INVALID_ARG)
                cli_error("get: %s/%s/%s holds another type than a register (put and get "
                          "handle registers)", op[PATH_COLLECTION], op[PATH_KEY],
                          op[PATH_FIELD]);
            else
                cli_error("get: %s", hy_err_str(err));
            status = CLI_EXIT_FAILURE;
        }
        hy_db_store_close(db, store);
    }
    hy_db_close(db);
    return status;
}

const cli_command cli_cmd_get = {
    .name = "get",
    .operands_usage = "STORE COLLECTION KEY FIELD",
    .summary = "Print one field of a record",
    .description =
        "Print the value of FIELD of the record COLLECTION/KEY in STORE (its name or id):\n"
        "a string as its text, a number, true, false or null as JSON spells them (a\n"
        "double always with a fraction or an exponent), bytes as hex. After concurrent\n"
        "writes, the winning value. A field without a value is an error (exit status 1).\n"
        "--json tells a string \"null\" from null: {\"type\": \"string\", \"value\": \"null\"}.\n",
    .options = get_options,
    .option_count = CLI_LEN(get_options),
    .max_operands = PATH_COUNT,
    .run = run_get,
};

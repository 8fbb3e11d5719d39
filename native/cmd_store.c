/* store create, store list and key: the stores a database holds, and the node key it acts
 * as (docs/node.md, "Command line"). */
#include "cmd_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- store ----------------------------------------------------------------------------- */

enum { STORE_DB, STORE_JSON, STORE_WRITERS, STORE_READERS };
static const cli_option store_options[] = {
    [STORE_DB] = STORE_OPTION_DB,
    [STORE_JSON] = { "json", NULL, false, "Print JSON (create: {\"id\", \"name\"}; list: an "
                                          "array of {\"id\", \"name\", \"writers\", "
                                          "\"readers\"})" },
    [STORE_WRITERS] = { "writers", "KEY,...", false,
                        "create: only these public keys (64 hex digits each) may write" },
    [STORE_READERS] = { "readers", "KEY,...", false,
                        "create: only these node keys may sync the store" },
};
CLI_OPTIONS_FIT(store_options);

static int create_store(const cli_args *args, const char *name)
{
    hy_genesis genesis = { .name = name, .name_len = strlen(name) };
    uint8_t *writers = NULL, *readers = NULL;
    int status = CLI_EXIT_OK;
    if (args->values[STORE_WRITERS] != NULL)
        status = store_cli_parse_keys("writers", args->values[STORE_WRITERS], &writers,
                                      &genesis.writer_count);
    if (status == CLI_EXIT_OK && args->values[STORE_READERS] != NULL)
        status = store_cli_parse_keys("readers", args->values[STORE_READERS], &readers,
                                      &genesis.reader_count);
    genesis.writers = writers;
    genesis.readers = readers;
    if (status == CLI_EXIT_OK)
        status = store_cli_create("store create", "--writers or --readers", &genesis,
                                  args->values[STORE_DB], args->values[STORE_JSON] != NULL);
    free(writers);
    free(readers);
    return status;
}

static void print_key_list(const char *name, const uint8_t *keys, size_t count)
{
    printf(", \"%s\": [", name);
    for (size_t i = 0; i < count; i++) {
        fputs(i ? ", " : "", stdout);
        store_cli_hex(keys + i * HY_KEY_LEN, HY_KEY_LEN, true);
    }
    putchar(']');
}

typedef struct list_walk {
    bool json;
    size_t count;
} list_walk;

static hy_err print_store(void *user, const hy_db_store *store)
{
    list_walk *walk = user;
    const hy_genesis *g = &store->policy;
    if (walk->json) {
        fputs(walk->count ? ",\n  {\"id\": " : "\n  {\"id\": ", stdout);
        store_cli_hex(store->id, HY_HASH_LEN, true);
        fputs(", \"name\": ", stdout);
        store_cli_json_string(g->name, g->name_len);
        print_key_list("writers", g->writers, g->writer_count);
        print_key_list("readers", g->readers, g->reader_count);
        putchar('}');
    } else {
        store_cli_hex(store->id, HY_HASH_LEN, false);
        printf("  %.*s\n", (int)g->name_len, g->name);
    }
    walk->count++;
    return HY_OK;
}

static int list_stores(const cli_args *args)
{
    if (args->values[STORE_WRITERS] != NULL || args->values[STORE_READERS] != NULL) {
        cli_error("store list: --writers and --readers belong to 'store create'");
        return CLI_EXIT_USAGE;
    }
    hy_db *db;
    int status = store_cli_open(args->values[STORE_DB], NULL, false, &db);
    if (status != CLI_EXIT_OK)
        return status;
    list_walk walk = { .json = args->values[STORE_JSON] != NULL };
    if (walk.json)
        putchar('[');
    if (hy_db_store_list(db, print_store, &walk) != HY_OK) {
        /* A damaged row stops the listing: the error line and status say it is short. */
        status = store_cli_fail(db);
    } else if (walk.json) {
        fputs(walk.count ? "\n]\n" : "]\n", stdout);
    }
    hy_db_close(db);
    return status;
}

static int run_store(const cli_args *args)
{
    const char *action = cli_operand(args, 0);
    if (action != NULL && strcmp(action, "create") == 0) {
        if (args->operand_count != 2) {
            cli_error("store create: takes the store's NAME (see 'hypha help store')");
            return CLI_EXIT_USAGE;
        }
        return create_store(args, args->operands[1]);
    }
    if (action != NULL && strcmp(action, "list") == 0 && args->operand_count == 1)
        return list_stores(args);
    cli_error("store: expected 'create NAME' or 'list' (see 'hypha help store')");
    return CLI_EXIT_USAGE;
}

const cli_command cli_cmd_store = {
    .name = "store",
    .operands_usage = "create NAME | list",
    .summary = "Create a store in the database, or list the stores it holds",
    .description =
        "'store create NAME' adds an empty store and prints its id (64 hex digits: the\n"
        "BLAKE3 hash of its genesis, which holds NAME and the key lists). With --writers,\n"
        "only those keys may write to it, on this node and on every peer; with --readers,\n"
        "only those node keys may sync it. The database is created if it does not exist.\n"
        "'store list' prints one line per store, ID and NAME, in name order.\n",
    .options = store_options,
    .option_count = CLI_LEN(store_options),
    .max_operands = 2,
    .run = run_store,
};

/* ---- key ------------------------------------------------------------------------------- */

enum { KEY_DB, KEY_KEY, KEY_JSON };
static const cli_option key_options[] = {
    [KEY_DB] = STORE_OPTION_DB,
    [KEY_KEY] = STORE_OPTION_KEY,
    [KEY_JSON] = { "json", NULL, false, "Print {\"public\": \"...\"}" },
};
CLI_OPTIONS_FIT(key_options);

static int run_key(const cli_args *args)
{
    hy_db *db;
    int status = store_cli_open(args->values[KEY_DB], args->values[KEY_KEY], true, &db);
    if (status != CLI_EXIT_OK)
        return status;
    bool json = args->values[KEY_JSON] != NULL;
    fputs(json ? "{\"public\": " : "", stdout);
    store_cli_hex(hy_db_node_key(db), HY_KEY_LEN, json);
    fputs(json ? "}\n" : "\n", stdout);
    hy_db_close(db);
    return CLI_EXIT_OK;
}

const cli_command cli_cmd_key = {
    .name = "key",
    .summary = "Print the node's public key (the author of what 'put' writes)",
    .description =
        "Print the public key of the node key (64 hex digits): the key that 'hypha put'\n"
        "writes as and 'hypha node' syncs as, to list in another store's --writers or\n"
        "--readers. The database makes its key, from the system's random source, when it\n"
        "is created (this command creates it if needed); --key acts as another key.\n",
    .options = key_options,
    .option_count = CLI_LEN(key_options),
    .max_operands = 0,
    .run = run_key,
};

/* What the database commands share: opening the database, finding stores, JSON output. */
#include "cmd_store.h"

#include <stdio.h>
#include <stdlib.h>

#include "hex.h"
#include "node_key.h"
#include "wipe.h"

int store_cli_open(const char *path, const char *seed_file, bool create, hy_db **out)
{
    uint8_t seed[HY_KEY_LEN];
    if (seed_file != NULL && !node_read_seed_file(seed_file, seed))
        return CLI_EXIT_FAILURE;
    hy_db_options options = {
        .path = path != NULL ? path : STORE_CLI_DEFAULT_DB,
        .create = create,
        .node_seed = seed_file != NULL ? seed : NULL,
    };
    char message[HY_DB_MESSAGE_MAX];
    hy_err err = hy_db_open(&options, out, message);
    hy_wipe(seed, sizeof seed);
    if (err == HY_E_NOT_FOUND && !create) {
        cli_error("%s (create it with 'hypha store create NAME --db %s')", message,
                  options.path);
        return CLI_EXIT_FAILURE;
    }
    if (err) {
        cli_error("%s", message);
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}

int store_cli_fail(hy_db *db)
{
    cli_error("%s", hy_db_message(db));
    return CLI_EXIT_FAILURE;
}

int store_cli_find(hy_db *db, const char *store, hy_db_store *out)
{
    return hy_db_store_find(db, store, out) == HY_OK ? CLI_EXIT_OK : store_cli_fail(db);
}

int store_cli_open_store(hy_db *db, const char *store, hy_store **out)
{
    hy_db_store info;
    int status = store_cli_find(db, store, &info);
    if (status != CLI_EXIT_OK)
        return status;
    hy_platform platform = hy_platform_posix(); /* the store keeps a copy */
    hy_store_config base = { .platform = &platform };
    hy_err err = hy_db_store_open(db, info.id, &base, out);
    hy_db_store_clear(&info);
    return err == HY_OK ? CLI_EXIT_OK : store_cli_fail(db);
}

void store_cli_json_string(const char *text, size_t len)
{
    putchar('"');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        switch (c) {
        case '"': fputs("\\\"", stdout); break;
        case '\\': fputs("\\\\", stdout); break;
        case '\n': fputs("\\n", stdout); break;
        case '\r': fputs("\\r", stdout); break;
        case '\t': fputs("\\t", stdout); break;
        default:
            if (c < 0x20 || c == 0x7f)
                printf("\\u%04x", c);
            else
                putchar(c);
        }
    }
    putchar('"');
}

void store_cli_hex(const uint8_t *bytes, size_t len, bool json)
{
    if (json)
        putchar('"');
    for (size_t i = 0; i < len; i++)
        printf("%02x", bytes[i]);
    if (json)
        putchar('"');
}

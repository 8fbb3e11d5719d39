/* What the database commands share: opening the database, creating and finding stores,
 * keys given on the command line, JSON output. */
#include "cmd_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hex.h"
#include "node_key.h"
#include "utf8.h"
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

int store_cli_open_row(hy_db *db, const hy_db_store *row, hy_store **out)
{
    hy_platform platform = hy_platform_posix(); /* the store keeps a copy */
    hy_store_config base = { .platform = &platform };
    return hy_db_store_open(db, row->id, &base, out) == HY_OK ? CLI_EXIT_OK : store_cli_fail(db);
}

int store_cli_open_store(hy_db *db, const char *store, hy_store **out)
{
    hy_db_store info;
    int status = store_cli_find(db, store, &info);
    if (status != CLI_EXIT_OK)
        return status;
    status = store_cli_open_row(db, &info, out);
    hy_db_store_clear(&info);
    return status;
}

/* One key of len characters at text: 64 hex digits (not NUL-terminated). */
static bool decode_key(const char *text, size_t len, uint8_t out[HY_KEY_LEN])
{
    char hex[2 * HY_KEY_LEN + 1];
    if (len != 2 * HY_KEY_LEN)
        return false;
    memcpy(hex, text, len);
    hex[len] = '\0';
    return hy_hex_decode(out, HY_KEY_LEN, hex) == HY_OK;
}

int store_cli_parse_key(const char *command, const char *what, const char *text,
                        uint8_t out[HY_KEY_LEN])
{
    if (decode_key(text, strlen(text), out))
        return CLI_EXIT_OK;
    cli_error("%s: %s is not 64 hex digits (a public key, as 'hypha key' prints)", command,
              what);
    return CLI_EXIT_USAGE;
}

int store_cli_parse_keys(const char *option, const char *list, uint8_t **keys, size_t *count)
{
    *keys = NULL;
    *count = 0;
    size_t n = 1;
    for (const char *c = list; *c != '\0'; c++)
        n += *c == ',';
    if (n > HY_GENESIS_MAX_KEYS) {
        cli_error("--%s: %zu keys; a store lists at most %d", option, n, HY_GENESIS_MAX_KEYS);
        return CLI_EXIT_USAGE;
    }
    uint8_t *out = malloc(n * HY_KEY_LEN);
    if (out == NULL) {
        cli_error("out of memory");
        return CLI_EXIT_FAILURE;
    }
    const char *start = list;
    for (size_t i = 0; i < n; i++) {
        size_t len = strcspn(start, ",");
        if (!decode_key(start, len, out + i * HY_KEY_LEN)) {
            cli_error("--%s: key %zu of %zu is not 64 hex digits (a public key, as 'hypha key' "
                      "prints)", option, i + 1, n);
            free(out);
            return CLI_EXIT_USAGE;
        }
        start += len + 1;
    }
    *keys = out;
    *count = n;
    return CLI_EXIT_OK;
}

/* The canonical bytes of a new store's genesis, into *out (free()). */
static int make_genesis(const char *command, const char *lists, const hy_genesis *genesis,
                        uint8_t **out, size_t *len)
{
    hy_err err = hy_genesis_encode(genesis, NULL, 0, len);
    uint8_t *bytes = err == HY_E_TOO_LARGE ? malloc(*len) : NULL;
    if (bytes != NULL)
        err = hy_genesis_encode(genesis, bytes, *len, len);
    if (err == HY_OK) {
        *out = bytes;
        return CLI_EXIT_OK;
    }
    free(bytes);
    /* The name, the committee's size and the limit were checked: a key given twice. */
    if (err == HY_E_INVALID_ARG)
        cli_error("%s: %s lists a key twice", command, lists);
    else
        cli_error("%s: %s", command, hy_err_str(err == HY_E_TOO_LARGE ? HY_E_NOMEM : err));
    return err == HY_E_INVALID_ARG ? CLI_EXIT_USAGE : CLI_EXIT_FAILURE;
}

int store_cli_create(const char *command, const char *lists, const hy_genesis *genesis,
                     const char *db_path, bool json)
{
    if (genesis->name_len == 0 || genesis->name_len > HY_NAME_MAX ||
        !hy_utf8_valid((const uint8_t *)genesis->name, genesis->name_len)) {
        cli_error("%s: a store's name is 1 to %d bytes of UTF-8", command, HY_NAME_MAX);
        return CLI_EXIT_USAGE;
    }
    uint8_t *bytes = NULL;
    size_t len = 0;
    int status = make_genesis(command, lists, genesis, &bytes, &len);
    hy_db *db = NULL;
    if (status == CLI_EXIT_OK)
        status = store_cli_open(db_path, NULL, true, &db);
    uint8_t id[HY_HASH_LEN];
    if (status == CLI_EXIT_OK && hy_db_store_create(db, bytes, len, id) != HY_OK)
        status = store_cli_fail(db);
    if (status == CLI_EXIT_OK && json) {
        fputs("{\"id\": ", stdout);
        store_cli_hex(id, sizeof id, true);
        fputs(", \"name\": ", stdout);
        store_cli_json_string(genesis->name, genesis->name_len);
        fputs("}\n", stdout);
    } else if (status == CLI_EXIT_OK) {
        store_cli_hex(id, sizeof id, false);
        putchar('\n');
    }
    hy_db_close(db);
    free(bytes);
    return status;
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

/* What the database commands share (store, put, get, export, import, key, ledger): the --db
 * and --key options, opening the database, creating a store, finding one by name or id, keys
 * given as arguments, and JSON output. */
#ifndef HY_CMD_STORE_H
#define HY_CMD_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "cli.h"
#include "db.h"
#include "hypha.h"

/* The database when --db is not given: one per directory, as git keeps one per tree. */
#define STORE_CLI_DEFAULT_DB "hypha.db"

#define STORE_OPTION_DB \
    { "db", "PATH", false, "The database (default: ./" STORE_CLI_DEFAULT_DB ")" }
#define STORE_OPTION_KEY                                                                   \
    { "key", "SEEDFILE", false,                                                            \
      "Act as the node key in SEEDFILE (64 hex digits, or 'hypha keygen' output) instead "  \
      "of the database's own" }

/* Opens the database at path (NULL: the default) as the key of seed_file (NULL: the
 * database's own key). create: make the database when it does not exist; otherwise a
 * missing one is an error. CLI_EXIT_OK, or a failure status after the error line. */
int store_cli_open(const char *path, const char *seed_file, bool create, hy_db **out);

/* Prints db's last error as the error line and returns CLI_EXIT_FAILURE. */
int store_cli_fail(hy_db *db);

/* Finds STORE, a name or a 64-hex-digit id, into *out (hy_db_store_clear it). */
int store_cli_find(hy_db *db, const char *store, hy_db_store *out);

/* Opens the store named by STORE into *out (close with hy_db_store_close). */
int store_cli_open_store(hy_db *db, const char *store, hy_store **out);
/* Opens the store of a row that store_cli_find gave into *out. */
int store_cli_open_row(hy_db *db, const hy_db_store *row, hy_store **out);

/* Adds a store with this genesis to the database at db_path (NULL: the default; created when
 * missing) and prints its id, or {"id": "...", "name": "..."} when json. command begins the
 * error lines; lists names the options whose keys went into the genesis, for the error when
 * one lists a key twice. The name is checked here. */
int store_cli_create(const char *command, const char *lists, const hy_genesis *genesis,
                     const char *db_path, bool json);

/* Keys given as "HEX,HEX,..." in the value of --option: *keys (free()) holds *count of them. */
int store_cli_parse_keys(const char *option, const char *list, uint8_t **keys, size_t *count);
/* One public key (64 hex digits) into out; what names it in the error line ("DEVICE",
 * "--account"), which command begins. */
int store_cli_parse_key(const char *command, const char *what, const char *text,
                        uint8_t out[HY_KEY_LEN]);

/* Writes len bytes of UTF-8 as a JSON string, quoted and escaped (RFC 8259). */
void store_cli_json_string(const char *text, size_t len);
/* Writes len bytes as lowercase hex (quoted when json). */
void store_cli_hex(const uint8_t *bytes, size_t len, bool json);

/* VALUE as `hypha put` takes it (docs/node.md): a JSON scalar (a number, a string, true,
 * false or null) is that value; anything else is its text as a string. A string's bytes
 * may live in *owned (free() it; NULL when nothing was allocated). */
int store_cli_parse_value(const char *text, hy_value *out, char **owned);
/* Prints a value as `hypha get` does: plain, or as a JSON object with "type" and "value". */
void store_cli_print_value(const hy_value *value, bool json);

#endif

/* `hypha ledger` (docs/node.md, "Ledger commands"): a credit ledger kept in a store of the
 * database. Its files:
 *   cmd_ledger.c         the command: its actions, their operands and options, init, and
 *                        the ledger each other action works on
 *   cmd_ledger_write.c   open, grant, spend, allow and checkpoint: ops this key signs
 *   cmd_ledger_read.c    balance, status and audit, and how accounts and checkpoints print */
#ifndef HY_CMD_LEDGER_H
#define HY_CMD_LEDGER_H

#include "cmd_store.h"

/* The options of the command, indexes into cli_args.values. */
enum {
    LEDGER_DB,
    LEDGER_KEY,
    LEDGER_JSON,
    LEDGER_COMMITTEE,
    LEDGER_LIMIT,
    LEDGER_ACCOUNT,
    LEDGER_EPOCH,
};

/* An action's operands follow the action's name: operands[0] is the action, operands[1] the
 * LEDGER (a name or an id; init: the NAME), then the action's KEY and its AMOUNT or LIMIT. */
enum { LEDGER_OPERAND_LEDGER = 1, LEDGER_OPERAND_KEY = 2, LEDGER_OPERAND_AMOUNT = 3 };

/* One run of an action: its arguments, checked before the database is opened, then (for
 * every action but init) the database, the ledger's store row and store, and the ledger on
 * it, as this database's node key (or --key) acts. */
typedef struct ledger_cli {
    const cli_args *args;
    const char *command;      /* "ledger spend": how its error lines begin */
    bool json;
    bool has_key;             /* the KEY operand: DEVICE, TO_ACCOUNT or ACCOUNT */
    uint8_t key[HY_KEY_LEN];
    int64_t amount;           /* the AMOUNT or LIMIT operand */
    bool has_account;         /* --account */
    uint8_t account[HY_KEY_LEN];
    bool has_limit;           /* --limit */
    int64_t limit;
    uint64_t epoch;           /* --epoch; 0 when absent */
    hy_db *db;
    hy_db_store row;
    hy_store *store;
    hy_ledger *ledger;
} ledger_cli;

/* The actions; each returns the exit status after printing its result or its error line. */
int ledger_open_account(ledger_cli *cli);
int ledger_grant(ledger_cli *cli);
int ledger_spend(ledger_cli *cli);
int ledger_allow(ledger_cli *cli);
int ledger_checkpoint(ledger_cli *cli);
int ledger_balance(ledger_cli *cli);
int ledger_status(ledger_cli *cli);
int ledger_audit(ledger_cli *cli);

/* The public key of this database's node key (or of --key): the ledger's actor. */
const uint8_t *ledger_cli_actor(const ledger_cli *cli);

/* Writes the ops just committed to the database. CLI_EXIT_OK, or a failure status after the
 * error line. */
int ledger_cli_persist(ledger_cli *cli);

/* Prints account as `ledger balance LEDGER ACCOUNT` does: one line, or a JSON object and a
 * newline. CLI_EXIT_FAILURE after an error line when no op names the account. */
int ledger_print_account(const ledger_cli *cli, const uint8_t account[HY_KEY_LEN]);

/* Prints the newest certified checkpoint as `ledger status` does: lines, or the JSON object's
 * "checkpoint" member (with no newline). */
void ledger_print_checkpoint(const ledger_cli *cli);

#endif

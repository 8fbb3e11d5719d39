/* `hypha ledger ACTION`: the actions, the operands and options each takes, init (a new
 * ledger's store), and the ledger every other action opens from the database, works on and
 * closes again (docs/node.md, "Ledger commands"). */
#include "cmd_ledger.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const cli_option ledger_options[] = {
    [LEDGER_DB] = STORE_OPTION_DB,
    [LEDGER_KEY] = STORE_OPTION_KEY,
    [LEDGER_JSON] = { "json", NULL, false, "Print JSON (docs/node.md, \"Ledger commands\")" },
    [LEDGER_COMMITTEE] = { "committee", "KEY,...", false,
                           "init: the checkpoint committee, 3f + 1 public keys (4, 7, 10...)" },
    [LEDGER_LIMIT] = { "limit", "N", false,
                       "init: the credit limit of every account (default 0); open: the limit "
                       "asked for (default: the ledger's)" },
    [LEDGER_ACCOUNT] = { "account", "KEY", false,
                         "grant, spend: the account whose rights this key moves (default: its "
                         "own)" },
    [LEDGER_EPOCH] = { "epoch", "N", false,
                       "checkpoint: the epoch to sign (default 0: the ledger chooses)" },
};
CLI_OPTIONS_FIT(ledger_options);

#define OPTION(index) (1u << (index))

typedef struct ledger_action {
    const char *name;
    const char *operands;       /* what follows the action's name, for its error line */
    size_t min_operands;        /* counting the action's name */
    size_t max_operands;
    const char *key_operand;    /* what the KEY operand is ("DEVICE"), or NULL for none */
    const char *amount_operand; /* what the number after it is ("AMOUNT"), or NULL */
    int64_t amount_min;
    unsigned options;           /* OPTION bits of what it takes besides --db and --json */
    bool on_ledger;             /* works on an existing ledger, opened before run */
    int (*run)(ledger_cli *cli);
} ledger_action;

static int ledger_init(ledger_cli *cli);

/* In the order 'hypha help ledger' lists them. */
static const ledger_action actions[] = {
    { "init", "NAME --committee KEY,...", 2, 2, NULL, NULL, 0,
      OPTION(LEDGER_COMMITTEE) | OPTION(LEDGER_LIMIT), false, ledger_init },
    { "open", "LEDGER", 2, 2, NULL, NULL, 0, OPTION(LEDGER_KEY) | OPTION(LEDGER_LIMIT), true,
      ledger_open_account },
    { "grant", "LEDGER DEVICE AMOUNT", 4, 4, "DEVICE", "AMOUNT", 1,
      OPTION(LEDGER_KEY) | OPTION(LEDGER_ACCOUNT), true, ledger_grant },
    { "spend", "LEDGER TO_ACCOUNT AMOUNT", 4, 4, "TO_ACCOUNT", "AMOUNT", 1,
      OPTION(LEDGER_KEY) | OPTION(LEDGER_ACCOUNT), true, ledger_spend },
    { "allow", "LEDGER ACCOUNT LIMIT", 4, 4, "ACCOUNT", "LIMIT", 0, OPTION(LEDGER_KEY), true,
      ledger_allow },
    { "balance", "LEDGER [ACCOUNT]", 2, 3, "ACCOUNT", NULL, 0, OPTION(LEDGER_KEY), true,
      ledger_balance },
    { "status", "LEDGER", 2, 2, NULL, NULL, 0, 0, true, ledger_status },
    { "audit", "LEDGER", 2, 2, NULL, NULL, 0, 0, true, ledger_audit },
    { "checkpoint", "LEDGER", 2, 2, NULL, NULL, 0, OPTION(LEDGER_KEY) | OPTION(LEDGER_EPOCH),
      true, ledger_checkpoint },
};

/* Reads text, what the error line calls "AMOUNT", "LIMIT" or "--limit", as a whole number
 * from min to HY_AMOUNT_MAX. */
static int parse_amount(const char *command, const char *what, const char *text, int64_t min,
                        int64_t *out)
{
    uint64_t value;
    if (!cli_parse_number(text, (uint64_t)min, (uint64_t)HY_AMOUNT_MAX, &value)) {
        cli_error("%s: %s '%s' is not a whole number from %" PRId64 " to %" PRId64
                  " (2^53 - 1)", command, what, text, min, HY_AMOUNT_MAX);
        return CLI_EXIT_USAGE;
    }
    *out = (int64_t)value;
    return CLI_EXIT_OK;
}

/* Checks the action's operands and options into cli, so that a wrong command line is exit
 * status 2 before any database is touched. */
static int parse_arguments(const ledger_action *action, ledger_cli *cli)
{
    const cli_args *args = cli->args;
    char *const *values = args->values;
    const char *key = cli_operand(args, LEDGER_OPERAND_KEY);
    const char *amount = cli_operand(args, LEDGER_OPERAND_AMOUNT);
    int status = CLI_EXIT_OK;
    cli->has_key = action->key_operand != NULL && key != NULL;
    if (cli->has_key)
        status = store_cli_parse_key(cli->command, action->key_operand, key, cli->key);
    if (status == CLI_EXIT_OK && action->amount_operand != NULL)
        status = parse_amount(cli->command, action->amount_operand, amount,
                              action->amount_min, &cli->amount);
    cli->has_account = values[LEDGER_ACCOUNT] != NULL;
    if (status == CLI_EXIT_OK && cli->has_account)
        status = store_cli_parse_key(cli->command, "--account", values[LEDGER_ACCOUNT],
                                     cli->account);
    cli->has_limit = values[LEDGER_LIMIT] != NULL;
    if (status == CLI_EXIT_OK && cli->has_limit)
        status = parse_amount(cli->command, "--limit", values[LEDGER_LIMIT], 0, &cli->limit);
    if (status == CLI_EXIT_OK && values[LEDGER_EPOCH] != NULL &&
        !cli_parse_number(values[LEDGER_EPOCH], 0, UINT64_MAX, &cli->epoch)) {
        cli_error("%s: --epoch takes a number from 0 to %" PRIu64, cli->command, UINT64_MAX);
        status = CLI_EXIT_USAGE;
    }
    return status;
}

const uint8_t *ledger_cli_actor(const ledger_cli *cli)
{
    return hy_store_actor(cli->store);
}

int ledger_cli_persist(ledger_cli *cli)
{
    return hy_db_store_compact(cli->db, cli->store) == HY_OK ? CLI_EXIT_OK
                                                              : store_cli_fail(cli->db);
}

/* ---- init ------------------------------------------------------------------------------ */

/* n = 3f + 1 members with f >= 1 tolerate f faulty ones (docs/ledger.md). */
static bool committee_size_valid(size_t n)
{
    return n >= 4 && (n - 1) % 3 == 0;
}

static int ledger_init(ledger_cli *cli)
{
    char *const *values = cli->args->values;
    if (values[LEDGER_COMMITTEE] == NULL) {
        cli_error("%s: --committee KEY,... is required: the 3f + 1 public keys that certify "
                  "checkpoints", cli->command);
        return CLI_EXIT_USAGE;
    }
    const char *name = cli->args->operands[LEDGER_OPERAND_LEDGER];
    hy_genesis genesis = { .name = name, .name_len = strlen(name), .credit_limit = cli->limit };
    uint8_t *committee = NULL;
    int status = store_cli_parse_keys("committee", values[LEDGER_COMMITTEE], &committee,
                                      &genesis.committee_count);
    if (status == CLI_EXIT_OK && !committee_size_valid(genesis.committee_count)) {
        cli_error("%s: --committee lists %zu keys; a committee has 3f + 1 of them (4, 7, "
                  "10, ...)", cli->command, genesis.committee_count);
        status = CLI_EXIT_USAGE;
    }
    genesis.committee = committee;
    if (status == CLI_EXIT_OK)
        status = store_cli_create(cli->command, "--committee", &genesis, values[LEDGER_DB],
                                  cli->json);
    free(committee);
    return status;
}

/* ---- the ledger the other actions work on --------------------------------------------- */

static int open_ledger(ledger_cli *cli)
{
    char *const *values = cli->args->values;
    const char *name = cli->args->operands[LEDGER_OPERAND_LEDGER];
    int status = store_cli_open(values[LEDGER_DB], values[LEDGER_KEY], false, &cli->db);
    if (status == CLI_EXIT_OK)
        status = store_cli_find(cli->db, name, &cli->row);
    if (status == CLI_EXIT_OK && cli->row.policy.committee_count == 0) {
        cli_error("%s: store '%s' is not a ledger (its genesis names no committee; see "
                  "'hypha ledger init')", cli->command, name);
        return CLI_EXIT_FAILURE;
    }
    if (status == CLI_EXIT_OK)
        status = store_cli_open_row(cli->db, &cli->row, &cli->store);
    if (status != CLI_EXIT_OK)
        return status;
    hy_err err = hy_ledger_open(cli->store, cli->row.genesis, cli->row.genesis_len,
                                &cli->ledger);
    if (err) {
        cli_error("%s: cannot read ledger '%s': %s", cli->command, name, hy_err_str(err));
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}

/* The ledger goes before its store, the store before the database. */
static void close_ledger(ledger_cli *cli)
{
    hy_ledger_free(cli->ledger);
    if (cli->store != NULL)
        hy_db_store_close(cli->db, cli->store);
    hy_db_store_clear(&cli->row);
    hy_db_close(cli->db);
}

/* ---- the command ----------------------------------------------------------------------- */

static const ledger_action *find_action(const char *name)
{
    for (size_t i = 0; name != NULL && i < CLI_LEN(actions); i++) {
        if (strcmp(actions[i].name, name) == 0)
            return &actions[i];
    }
    return NULL;
}

/* Each option the action does not take is an error, rather than silently ignored. */
static int check_options(const ledger_action *action, const cli_args *args)
{
    unsigned takes = action->options | OPTION(LEDGER_DB) | OPTION(LEDGER_JSON);
    for (size_t i = 0; i < CLI_LEN(ledger_options); i++) {
        if (args->values[i] != NULL && !(takes & OPTION(i))) {
            cli_error("ledger %s: takes no --%s (see 'hypha help ledger')", action->name,
                      ledger_options[i].name);
            return CLI_EXIT_USAGE;
        }
    }
    return CLI_EXIT_OK;
}

static int run_ledger(const cli_args *args)
{
    const ledger_action *action = find_action(cli_operand(args, 0));
    if (action == NULL) {
        cli_error("ledger: expected an action: init, open, grant, spend, allow, balance, "
                  "status, audit or checkpoint (see 'hypha help ledger')");
        return CLI_EXIT_USAGE;
    }
    if (args->operand_count < action->min_operands ||
        args->operand_count > action->max_operands) {
        cli_error("ledger %s: takes %s (see 'hypha help ledger')", action->name,
                  action->operands);
        return CLI_EXIT_USAGE;
    }
    int status = check_options(action, args);
    if (status != CLI_EXIT_OK)
        return status;
    char command[32];
    snprintf(command, sizeof command, "ledger %s", action->name);
    ledger_cli cli = { .args = args, .command = command,
                       .json = args->values[LEDGER_JSON] != NULL };
    status = parse_arguments(action, &cli);
    if (status == CLI_EXIT_OK && action->on_ledger)
        status = open_ledger(&cli);
    if (status == CLI_EXIT_OK)
        status = action->run(&cli);
    close_ledger(&cli);
    return status;
}

const cli_command cli_cmd_ledger = {
    .name = "ledger",
    .operands_usage = "ACTION ...",
    .summary = "Keep a mutual-credit ledger: accounts, spends, checkpoints, audit",
    .description =
        "A ledger is a store whose genesis names a checkpoint committee. Every op is a\n"
        "change signed by the node key (or --key), written to the database before the\n"
        "command prints; ops need no network and travel with the store (export, import,\n"
        "sync). LEDGER is a ledger's name or id; keys are 64 hex digits; amounts and\n"
        "limits are whole numbers up to 2^53 - 1.\n"
        "  init NAME --committee KEY,... [--limit N]\n"
        "      create a ledger (committee: 3f + 1 keys); print its id\n"
        "  open LEDGER [--limit N]\n"
        "      open this key's account\n"
        "  grant LEDGER DEVICE AMOUNT [--account KEY]\n"
        "      move rights of this key in the account to another device\n"
        "  spend LEDGER TO_ACCOUNT AMOUNT [--account KEY]\n"
        "      pay out of this key's rights in the account\n"
        "  allow LEDGER ACCOUNT LIMIT\n"
        "      as a committee member, allow an account a credit limit\n"
        "  balance LEDGER [ACCOUNT]\n"
        "      every account (or one): limit, balances, this key's rights\n"
        "  status LEDGER\n"
        "      the committee and the newest certified checkpoint\n"
        "  audit LEDGER\n"
        "      every finding: overdrafts, equivocations, ...\n"
        "  checkpoint LEDGER [--epoch N]\n"
        "      as a committee member, sign a checkpoint; print the certified one\n"
        "Open, grant, spend and allow print the account's line as balance does. Exit\n"
        "status 1 when the ledger refuses (insufficient escrow, not a device, not a\n"
        "member), 2 for a wrong command line, 3 when audit found something.\n",
    .options = ledger_options,
    .option_count = CLI_LEN(ledger_options),
    .max_operands = 4,
    .run = run_ledger,
};

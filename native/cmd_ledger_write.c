/* The ledger actions that sign ops as this key: open, grant, spend, allow and checkpoint.
 * Each commits at most one change, writes it to the database before it prints, and says
 * in one line why the ledger refused (docs/node.md, "Ledger commands"). */
#include "cmd_ledger.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "hex.h"

typedef char key_hex[2 * HY_KEY_LEN + 1];

static const char *hex_of(key_hex out, const uint8_t key[HY_KEY_LEN])
{
    hy_hex_encode(out, key, HY_KEY_LEN);
    return out;
}

/* The error line for an error of the ledger that this file gives no better words to. */
static int ledger_failed(const ledger_cli *cli, hy_err err)
{
    cli_error("%s: %s", cli->command, hy_err_str(err));
    return CLI_EXIT_FAILURE;
}

static int not_a_member(const ledger_cli *cli)
{
    key_hex key;
    cli_error("%s: key %s is not a member of the ledger's committee", cli->command,
              hex_of(key, ledger_cli_actor(cli)));
    return CLI_EXIT_FAILURE;
}

/* Persists what the action committed, then prints account's line. */
static int persist_and_print(ledger_cli *cli, const uint8_t account[HY_KEY_LEN])
{
    int status = ledger_cli_persist(cli);
    return status == CLI_EXIT_OK ? ledger_print_account(cli, account) : status;
}

int ledger_open_account(ledger_cli *cli)
{
    const uint8_t *key = ledger_cli_actor(cli);
    hy_account_info info;
    /* A second OPEN could only lower the limit (the lower one holds): refuse the no-op. */
    if (hy_ledger_account(cli->ledger, key, &info) == HY_OK && info.opened) {
        key_hex hex;
        cli_error("%s: the account of key %s is open already (limit %" PRId64 ")",
                  cli->command, hex_of(hex, key), info.limit);
        return CLI_EXIT_FAILURE;
    }
    int64_t limit = cli->has_limit ? cli->limit : cli->row.policy.credit_limit;
    hy_err err = hy_ledger_open_account(cli->ledger, limit);
    return err ? ledger_failed(cli, err) : persist_and_print(cli, key);
}

/* GRANT to the KEY operand (a device of the account) or SPEND to it (another account), of
 * AMOUNT out of this key's rights in --account (default: its own account). */
static int transfer(ledger_cli *cli, bool grant)
{
    const uint8_t *actor = ledger_cli_actor(cli);
    const uint8_t *account = cli->has_account ? cli->account : actor;
    /* The ledger would take these, and change nothing but lose the op's rights. */
    if (memcmp(cli->key, grant ? actor : account, HY_KEY_LEN) == 0) {
        cli_error("%s: %s", cli->command,
                  grant ? "DEVICE is this key itself" : "TO_ACCOUNT is the paying account itself");
        return CLI_EXIT_USAGE;
    }
    hy_err err = grant ? hy_ledger_grant(cli->ledger, account, cli->key, cli->amount)
                       : hy_ledger_spend(cli->ledger, account, cli->key, cli->amount);
    key_hex device_hex, account_hex;
    const char *account_text = memcmp(account, actor, HY_KEY_LEN) == 0
                                   ? "its own account"
                                   : hex_of(account_hex, account);
    if (err == HY_E_INSUFFICIENT_ESCROW) {
        cli_error("%s: insufficient escrow: key %s holds rights of %" PRId64 " in %s, less "
                  "than %" PRId64, cli->command, hex_of(device_hex, actor),
                  hy_ledger_rights(cli->ledger, account, actor), account_text, cli->amount);
        return CLI_EXIT_FAILURE;
    }
    if (err == HY_E_FORBIDDEN) {
        cli_error("%s: key %s is no device of %s (open an account with 'hypha ledger open', "
                  "or have a device of the account grant to this key)", cli->command,
                  hex_of(device_hex, actor), account_text);
        return CLI_EXIT_FAILURE;
    }
    return err ? ledger_failed(cli, err) : persist_and_print(cli, account);
}

int ledger_grant(ledger_cli *cli)
{
    return transfer(cli, true);
}

int ledger_spend(ledger_cli *cli)
{
    return transfer(cli, false);
}

int ledger_allow(ledger_cli *cli)
{
    hy_err err = hy_ledger_allow_limit(cli->ledger, cli->key, cli->amount);
    if (err == HY_E_FORBIDDEN)
        return not_a_member(cli);
    return err ? ledger_failed(cli, err) : persist_and_print(cli, cli->key);
}

int ledger_checkpoint(ledger_cli *cli)
{
    uint64_t signed_epoch = 0;
    hy_err err = hy_ledger_checkpoint(cli->ledger, cli->epoch, &signed_epoch);
    const char *why_none = "this member's newest signature covers the ops it holds";
    if (err == HY_E_NOT_FOUND) {
        why_none = "no ops to checkpoint";
        err = HY_OK;
    }
    if (err == HY_E_FORBIDDEN)
        return not_a_member(cli);
    if (err == HY_E_INVALID_ARG) {
        cli_error("%s: epoch %" PRIu64 " is not past both this member's newest signed epoch "
                  "and the newest certified one (a member signs one digest per epoch)",
                  cli->command, cli->epoch);
        return CLI_EXIT_FAILURE;
    }
    if (err)
        return ledger_failed(cli, err);
    if (signed_epoch != 0) {
        int status = ledger_cli_persist(cli);
        if (status != CLI_EXIT_OK)
            return status;
    }
    if (cli->json) {
        fputs("{\"signed_epoch\": ", stdout);
        if (signed_epoch != 0)
            printf("%" PRIu64, signed_epoch);
        else
            fputs("null", stdout);
        fputs(", ", stdout);
    } else if (signed_epoch != 0) {
        printf("signed epoch: %" PRIu64 "\n", signed_epoch);
    } else {
        printf("signed epoch: none (%s)\n", why_none);
    }
    ledger_print_checkpoint(cli);
    if (cli->json)
        fputs("}\n", stdout);
    return CLI_EXIT_OK;
}

/* The ledger actions that only read: balance, status and audit, and the account line and
 * checkpoint status the writing actions print too (docs/node.md, "Ledger commands"). */
#include "cmd_ledger.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hex.h"

/* ---- accounts -------------------------------------------------------------------------- */

/* This key's rights in account, when it is one of the account's devices. */
static bool rights_of_this_key(const ledger_cli *cli, const uint8_t account[HY_KEY_LEN],
                               int64_t *rights)
{
    const uint8_t *actor = ledger_cli_actor(cli);
    *rights = hy_ledger_rights(cli->ledger, account, actor);
    return hy_ledger_is_device(cli->ledger, account, actor);
}

static void print_account_json(const ledger_cli *cli, const uint8_t account[HY_KEY_LEN],
                               const hy_account_info *info)
{
    int64_t rights;
    bool device = rights_of_this_key(cli, account, &rights);
    fputs("{\"account\": ", stdout);
    store_cli_hex(account, HY_KEY_LEN, true);
    printf(", \"opened\": %s, \"limit\": %" PRId64 ", \"balance\": %" PRId64
           ", \"confirmed_balance\": %" PRId64 ", \"rights\": ",
           info->opened ? "true" : "false", info->limit, info->balance,
           info->confirmed_balance);
    if (device)
        printf("%" PRId64 "}", rights);
    else
        fputs("null}", stdout);
}

static void print_account_line(const ledger_cli *cli, const uint8_t account[HY_KEY_LEN],
                               const hy_account_info *info)
{
    int64_t rights;
    bool device = rights_of_this_key(cli, account, &rights);
    store_cli_hex(account, HY_KEY_LEN, false);
    printf("  %s  limit %" PRId64 "  balance %" PRId64 "  confirmed %" PRId64,
           info->opened ? "opened" : "unopened", info->limit, info->balance,
           info->confirmed_balance);
    if (device)
        printf("  rights %" PRId64, rights);
    putchar('\n');
}

int ledger_print_account(const ledger_cli *cli, const uint8_t account[HY_KEY_LEN])
{
    hy_account_info info;
    if (hy_ledger_account(cli->ledger, account, &info) != HY_OK) {
        char hex[2 * HY_KEY_LEN + 1];
        hy_hex_encode(hex, account, HY_KEY_LEN);
        cli_error("%s: no op of the ledger names account %s", cli->command, hex);
        return CLI_EXIT_FAILURE;
    }
    if (cli->json) {
        print_account_json(cli, account, &info);
        putchar('\n');
    } else {
        print_account_line(cli, account, &info);
    }
    return CLI_EXIT_OK;
}

static int key_cmp(const void *a, const void *b)
{
    return memcmp(*(const uint8_t *const *)a, *(const uint8_t *const *)b, HY_KEY_LEN);
}

static int print_accounts(const ledger_cli *cli)
{
    size_t count = hy_ledger_account_count(cli->ledger);
    const uint8_t **keys = malloc((count ? count : 1) * sizeof *keys);
    if (keys == NULL) {
        cli_error("out of memory");
        return CLI_EXIT_FAILURE;
    }
    for (size_t i = 0; i < count; i++)
        keys[i] = hy_ledger_account_key(cli->ledger, i);
    qsort(keys, count, sizeof *keys, key_cmp);
    if (cli->json) {
        fputs("{\"ledger\": ", stdout);
        store_cli_hex(cli->row.id, HY_HASH_LEN, true);
        fputs(", \"key\": ", stdout);
        store_cli_hex(ledger_cli_actor(cli), HY_KEY_LEN, true);
        fputs(", \"accounts\": [", stdout);
    }
    for (size_t i = 0; i < count; i++) {
        hy_account_info info;
        hy_ledger_account(cli->ledger, keys[i], &info); /* a key it listed: always found */
        if (cli->json) {
            fputs(i ? ",\n  " : "\n  ", stdout);
            print_account_json(cli, keys[i], &info);
        } else {
            print_account_line(cli, keys[i], &info);
        }
    }
    if (cli->json)
        fputs(count ? "\n]}\n" : "]}\n", stdout);
    free(keys);
    return CLI_EXIT_OK;
}

int ledger_balance(ledger_cli *cli)
{
    return cli->has_key ? ledger_print_account(cli, cli->key) : print_accounts(cli);
}

/* ---- status ---------------------------------------------------------------------------- */

void ledger_print_checkpoint(const ledger_cli *cli)
{
    hy_checkpoint_info info;
    hy_ledger_checkpoint_status(cli->ledger, &info);
    if (cli->json) {
        printf("\"checkpoint\": {\"epoch\": %" PRIu64 ", \"signatures\": %zu, \"digest\": ",
               info.epoch, info.signatures);
        if (info.epoch != 0)
            store_cli_hex(info.digest, HY_HASH_LEN, true);
        else
            fputs("null", stdout);
        printf(", \"confirmed_ops\": %" PRIu64 ", \"disputed_ops\": %" PRIu64 "}",
               info.confirmed_ops, info.disputed_ops);
        return;
    }
    if (info.epoch != 0) {
        printf("certified epoch: %" PRIu64 "\nsignatures: %zu\ndigest: ", info.epoch,
               info.signatures);
        store_cli_hex(info.digest, HY_HASH_LEN, false);
        putchar('\n');
    } else {
        fputs("certified epoch: none\n", stdout);
    }
    printf("confirmed ops: %" PRIu64 "\ndisputed ops: %" PRIu64 "\n", info.confirmed_ops,
           info.disputed_ops);
}

int ledger_status(ledger_cli *cli)
{
    const hy_genesis *g = &cli->row.policy;
    size_t quorum = 2 * ((g->committee_count - 1) / 3) + 1; /* 2f + 1 of 3f + 1 */
    size_t accounts = hy_ledger_account_count(cli->ledger);
    if (cli->json) {
        fputs("{\"id\": ", stdout);
        store_cli_hex(cli->row.id, HY_HASH_LEN, true);
        fputs(", \"name\": ", stdout);
        store_cli_json_string(g->name, g->name_len);
        fputs(", \"committee\": [", stdout);
        for (size_t i = 0; i < g->committee_count; i++) {
            fputs(i ? ", " : "", stdout);
            store_cli_hex(g->committee + i * HY_KEY_LEN, HY_KEY_LEN, true);
        }
        printf("], \"quorum\": %zu, \"credit_limit\": %" PRId64 ", \"accounts\": %zu, ",
               quorum, g->credit_limit, accounts);
        ledger_print_checkpoint(cli);
        fputs("}\n", stdout);
        return CLI_EXIT_OK;
    }
    fputs("ledger: ", stdout);
    store_cli_hex(cli->row.id, HY_HASH_LEN, false);
    printf("\nname: %.*s\n", (int)g->name_len, g->name);
    for (size_t i = 0; i < g->committee_count; i++) {
        fputs("member: ", stdout);
        store_cli_hex(g->committee + i * HY_KEY_LEN, HY_KEY_LEN, false);
        putchar('\n');
    }
    printf("quorum: %zu of %zu\ncredit limit: %" PRId64 "\naccounts: %zu\n", quorum,
           g->committee_count, g->credit_limit, accounts);
    ledger_print_checkpoint(cli);
    return CLI_EXIT_OK;
}

/* ---- audit ----------------------------------------------------------------------------- */

/* How a finding kind prints: its name, and which of a finding's fields mean something for
 * it (the others are zero), the actor under the name of what it is for this kind. */
typedef struct finding_format {
    const char *name;
    const char *actor;
    bool account, deficit, epoch;
} finding_format;

static finding_format format_of(hy_finding_kind kind)
{
    switch (kind) {
    case HY_FINDING_OVERDRAFT:
        return (finding_format){ "overdraft", "device", true, true, false };
    case HY_FINDING_EQUIVOCATION:
        return (finding_format){ "equivocation", "actor", false, false, false };
    case HY_FINDING_PAST_LIMIT:
        return (finding_format){ "past_limit", NULL, true, true, false };
    case HY_FINDING_CHECKPOINT_CONFLICT:
        return (finding_format){ "checkpoint_conflict", "member", false, false, true };
    case HY_FINDING_INVALID_OP:
        return (finding_format){ "invalid_op", "author", false, false, false };
    }
    /* A kind appended after this program was built: print everything. */
    return (finding_format){ "unknown", "actor", true, true, true };
}

static void print_finding_line(const hy_finding *f)
{
    finding_format fmt = format_of(f->kind);
    fputs(fmt.name, stdout);
    if (fmt.account) {
        fputs("  account ", stdout);
        store_cli_hex(f->account, HY_KEY_LEN, false);
    }
    if (fmt.actor != NULL) {
        printf("  %s ", fmt.actor);
        store_cli_hex(f->actor, HY_KEY_LEN, false);
    }
    if (fmt.deficit)
        printf("  deficit %" PRId64, f->deficit);
    if (fmt.epoch)
        printf("  epoch %" PRIu64, f->epoch);
    if (f->op_count > 0)
        fputs("  ops ", stdout);
    for (size_t i = 0; i < f->op_count; i++) {
        fputs(i ? "," : "", stdout);
        store_cli_hex(f->ops + i * HY_HASH_LEN, HY_HASH_LEN, false);
    }
    putchar('\n');
}

static void print_finding_json(const hy_finding *f)
{
    finding_format fmt = format_of(f->kind);
    printf("{\"kind\": \"%s\", \"account\": ", fmt.name);
    if (fmt.account)
        store_cli_hex(f->account, HY_KEY_LEN, true);
    else
        fputs("null", stdout);
    fputs(", \"actor\": ", stdout);
    if (fmt.actor != NULL)
        store_cli_hex(f->actor, HY_KEY_LEN, true);
    else
        fputs("null", stdout);
    if (fmt.deficit)
        printf(", \"deficit\": %" PRId64, f->deficit);
    else
        fputs(", \"deficit\": null", stdout);
    if (fmt.epoch)
        printf(", \"epoch\": %" PRIu64, f->epoch);
    else
        fputs(", \"epoch\": null", stdout);
    fputs(", \"ops\": [", stdout);
    for (size_t i = 0; i < f->op_count; i++) {
        fputs(i ? ", " : "", stdout);
        store_cli_hex(f->ops + i * HY_HASH_LEN, HY_HASH_LEN, true);
    }
    fputs("], \"proof\": ", stdout);
    if (f->proof_len > 0)
        store_cli_hex(f->proof, f->proof_len, true);
    else
        fputs("null", stdout);
    putchar('}');
}

int ledger_audit(ledger_cli *cli)
{
    hy_audit *audit;
    hy_err err = hy_ledger_audit(cli->ledger, &audit);
    if (err) {
        cli_error("%s: %s", cli->command, hy_err_str(err));
        return CLI_EXIT_FAILURE;
    }
    size_t count = hy_audit_count(audit);
    if (cli->json) {
        fputs("{\"ledger\": ", stdout);
        store_cli_hex(cli->row.id, HY_HASH_LEN, true);
        fputs(", \"findings\": [", stdout);
    }
    for (size_t i = 0; i < count; i++) {
        if (cli->json) {
            fputs(i ? ",\n  " : "\n  ", stdout);
            print_finding_json(hy_audit_get(audit, i));
        } else {
            print_finding_line(hy_audit_get(audit, i));
        }
    }
    if (cli->json)
        fputs(count ? "\n]}\n" : "]}\n", stdout);
    hy_audit_free(audit);
    return count > 0 ? CLI_EXIT_FINDINGS : CLI_EXIT_OK;
}

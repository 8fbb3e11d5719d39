/* ledger_fixture: a credit ledger in a node database, driven through native/db.h and the
 * hy_ledger API, for test_ledger.sh (which runs real nodes over it). Keys are 64 hex digits:
 * SEED a secret seed (the key that writes: the database connection's node key), the others
 * public keys. LEDGER is the store's name or id. Each write is persisted before it exits.
 *
 *   create DB NAME LIMIT MEMBER...        adds a ledger whose committee is the MEMBERs and
 *                                         whose default credit limit is LIMIT; prints its id
 *   open DB LEDGER SEED LIMIT             OPEN: SEED becomes the root of an account
 *   grant DB LEDGER SEED DEVICE AMOUNT    GRANT of the root SEED's escrow to DEVICE
 *   spend DB LEDGER SEED ACCOUNT TO AMOUNT  SPEND by device SEED of ACCOUNT, paying TO
 *   equivocate DB LEDGER SEED EPOCH       member SEED lies: two CHECKPOINT votes for EPOCH
 *                                         over the ledger's heads, with different balances
 *   report DB LEDGER                      the newest certified checkpoint, the members whose
 *                                         signatures of it verify, and the audit's findings
 *
 * report prints, in an order that is the same on every replica holding the same changes:
 *   certified EPOCH signatures N confirmed N disputed N
 *   signer KEY                          (one per member, ascending)
 *   finding KIND account KEY actor KEY deficit N epoch N
 * Exit status 1 after one line on stderr when anything fails, 2 on a wrong command line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "hex.h"
#include "ledger_fixture.h"
#include "ledger_ops.h"
#include "log.h"
#include "store_log.h"
#include "store_owner.h"

/* The store of one ledger in an open database, and its ledger. */
typedef struct fixture {
    hy_db *db;
    hy_db_store info;
    hy_store *store;
    hy_ledger *ledger;
    hy_platform platform;
    const char *what; /* the step under way, for the error line */
} fixture;

static int fail(const fixture *f, hy_err err)
{
    const char *why = f->db != NULL && hy_db_message(f->db)[0] != '\0' ? hy_db_message(f->db)
                                                                       : hy_err_str(err);
    fprintf(stderr, "ledger_fixture: %s: %s\n", f->what, why);
    return 1;
}

static bool parse_key(const char *hex, uint8_t key[HY_KEY_LEN])
{
    if (hy_hex_decode(key, HY_KEY_LEN, hex) == HY_OK)
        return true;
    fprintf(stderr, "ledger_fixture: '%s' is not 64 hex digits\n", hex);
    return false;
}

static bool parse_amount(const char *text, int64_t *out)
{
    char *end;
    long long value = strtoll(text, &end, 10);
    if (*text != '\0' && *end == '\0' && value >= 0 && value <= HY_AMOUNT_MAX) {
        *out = value;
        return true;
    }
    fprintf(stderr, "ledger_fixture: '%s' is no amount\n", text);
    return false;
}

/* Opens the database into f->db, or prints why it cannot (f->db stays NULL). */
static hy_err open_db(fixture *f, const hy_db_options *options)
{
    char message[HY_DB_MESSAGE_MAX];
    hy_err err = hy_db_open(options, &f->db, message);
    if (err)
        fprintf(stderr, "ledger_fixture: %s\n", message);
    return err;
}

/* Opens DB as the key of seed (NULL: the database's own) and the ledger LEDGER in it. */
static hy_err fixture_open(fixture *f, const char *path, const char *ledger, const uint8_t *seed)
{
    memset(f, 0, sizeof *f);
    f->platform = hy_platform_posix();
    hy_db_options options = { .path = path, .node_seed = seed };
    hy_err err = open_db(f, &options);
    if (err)
        return err;
    f->what = ledger;
    err = hy_db_store_find(f->db, ledger, &f->info);
    hy_store_config base = { .platform = &f->platform, .require_signatures = 1 };
    if (err == HY_OK)
        err = hy_db_store_open(f->db, f->info.id, &base, &f->store);
    if (err == HY_OK)
        err = hy_ledger_open(f->store, f->info.genesis, f->info.genesis_len, &f->ledger);
    return err;
}

/* Persists what the step wrote (when it succeeded) and closes everything: the exit status. */
static int fixture_close(fixture *f, hy_err err)
{
    if (err == HY_OK && f->store != NULL) {
        f->what = "persist";
        err = hy_db_store_persist(f->db, f->store);
    }
    /* Without a database, open_db said why. */
    int status = err == HY_OK ? 0 : f->db == NULL ? 1 : fail(f, err);
    hy_ledger_free(f->ledger);
    if (f->store != NULL)
        hy_db_store_close(f->db, f->store);
    hy_db_store_clear(&f->info);
    hy_db_close(f->db);
    return status;
}

static int create_ledger(char **argv, int argc)
{
    int64_t limit;
    size_t members = (size_t)argc;
    uint8_t *committee = calloc(members, HY_KEY_LEN);
    bool ok = committee != NULL && parse_amount(argv[2], &limit);
    for (size_t i = 0; ok && i < members; i++)
        ok = parse_key(argv[3 + i], committee + i * HY_KEY_LEN);
    if (!ok) {
        free(committee);
        return 2;
    }
    hy_genesis genesis = { .name = argv[1], .name_len = strlen(argv[1]),
                           .committee = committee, .committee_count = members,
                           .credit_limit = limit };
    uint8_t bytes[512 + 16 * HY_KEY_LEN]; /* a name and a committee of up to 16 */
    size_t len;
    fixture f = { .what = "genesis" };
    hy_err err = hy_genesis_encode(&genesis, bytes, sizeof bytes, &len);
    free(committee);
    if (err)
        return fail(&f, err);
    hy_db_options options = { .path = argv[0], .create = true };
    err = open_db(&f, &options);
    uint8_t id[HY_HASH_LEN];
    f.what = argv[1];
    if (err == HY_OK)
        err = hy_db_store_create(f.db, bytes, len, id);
    if (err == HY_OK) {
        char hex[2 * HY_HASH_LEN + 1];
        hy_hex_encode(hex, id, HY_HASH_LEN);
        printf("%s\n", hex);
    }
    return fixture_close(&f, err);
}

/* open, grant and spend: one op by the key of SEED. */
static int local_op(const char *command, char **argv, int argc)
{
    uint8_t seed[HY_KEY_LEN], account[HY_KEY_LEN], other[HY_KEY_LEN];
    int64_t amount;
    bool ok = parse_key(argv[2], seed);
    if (strcmp(command, "open") == 0)
        ok = ok && argc == 4 && parse_amount(argv[3], &amount);
    else if (strcmp(command, "grant") == 0)
        ok = ok && argc == 5 && parse_key(argv[3], other) && parse_amount(argv[4], &amount);
    else
        ok = ok && argc == 6 && parse_key(argv[3], account) && parse_key(argv[4], other) &&
             parse_amount(argv[5], &amount);
    if (!ok)
        return 2;
    fixture f;
    hy_err err = fixture_open(&f, argv[0], argv[1], seed);
    if (err == HY_OK) {
        f.what = command;
        if (strcmp(command, "open") == 0)
            err = hy_ledger_open_account(f.ledger, amount);
        else if (strcmp(command, "grant") == 0)
            err = hy_ledger_grant(f.ledger, hy_store_actor(f.store), other, amount);
        else
            err = hy_ledger_spend(f.ledger, account, other, amount);
    }
    return fixture_close(&f, err);
}

/* A CHECKPOINT vote of the store's actor, its state all state_byte: two for one epoch are
 * the lie. */
static hy_err vote(fixture *f, const uint8_t seed[HY_KEY_LEN], uint64_t epoch,
                   const uint8_t *frontier, size_t count, uint8_t state_byte)
{
    uint8_t state[HY_HASH_LEN];
    memset(state, state_byte, sizeof state);
    return ledger_forge_vote(f->store, f->info.id, epoch, frontier, count, state, seed);
}

static int equivocate(char **argv, int argc)
{
    uint8_t seed[HY_KEY_LEN];
    int64_t epoch;
    if (argc != 4 || !parse_key(argv[2], seed) || !parse_amount(argv[3], &epoch) || epoch == 0)
        return 2;
    fixture f;
    hy_err err = fixture_open(&f, argv[0], argv[1], seed);
    enum { MAX_HEADS = 64 };
    uint8_t heads[MAX_HEADS * HY_HASH_LEN]; /* ascending by hash, as a frontier is */
    size_t count = 0;
    if (err == HY_OK) {
        f.what = "heads";
        err = hy_store_heads(f.store, heads, MAX_HEADS, &count);
    }
    /* Both votes name the same frontier: only the balances under it differ. */
    if (err == HY_OK) {
        f.what = "equivocate";
        err = vote(&f, seed, (uint64_t)epoch, heads, count, 0xaa);
    }
    if (err == HY_OK)
        err = vote(&f, seed, (uint64_t)epoch, heads, count, 0xbb);
    return fixture_close(&f, err);
}

static int key_cmp(const void *a, const void *b)
{
    return memcmp(a, b, HY_KEY_LEN);
}

static bool holds(const uint8_t *keys, size_t count, const uint8_t key[HY_KEY_LEN])
{
    for (size_t i = 0; i < count; i++) {
        if (memcmp(keys + i * HY_KEY_LEN, key, HY_KEY_LEN) == 0)
            return true;
    }
    return false;
}

/* The members whose signatures of the newest certified checkpoint verify, checked here from
 * the CHECKPOINT changes themselves rather than taken from the ledger's count: into members
 * (committee_count keys of room), ascending; returns how many. */
static size_t certificate_signers(fixture *f, const hy_checkpoint_info *certified,
                                  uint8_t *members)
{
    const hy_genesis *g = &f->info.policy;
    size_t found = 0;
    hy_log *log = hy_store_log(f->store);
    for (uint32_t i = 0; i < hy_log_count(log); i++) {
        hy_log_entry e;
        hy_log_get(log, i, &e);
        ledger_op op;
        if (ledger_op_decode(e.ops, e.ops_len, &op) != HY_OK || op.kind != OP_CHECKPOINT ||
            op.epoch != certified->epoch)
            continue;
        uint8_t digest[HY_HASH_LEN], msg[LEDGER_CHECKPOINT_MSG_LEN];
        ledger_checkpoint_digest(f->info.id, op.epoch, op.frontier, op.frontier_count, op.state,
                                 digest);
        ledger_checkpoint_msg(msg, digest);
        const uint8_t *author = hy_log_actor_key(log, e.actor);
        if (memcmp(digest, certified->digest, HY_HASH_LEN) == 0 &&
            hy_verify(op.sig, author, msg, sizeof msg) == HY_OK &&
            holds(g->committee, g->committee_count, author) && !holds(members, found, author))
            memcpy(members + found++ * HY_KEY_LEN, author, HY_KEY_LEN);
    }
    qsort(members, found, HY_KEY_LEN, key_cmp);
    return found;
}

static const char *finding_name(hy_finding_kind kind)
{
    switch (kind) {
    case HY_FINDING_OVERDRAFT: return "OVERDRAFT";
    case HY_FINDING_EQUIVOCATION: return "EQUIVOCATION";
    case HY_FINDING_PAST_LIMIT: return "PAST_LIMIT";
    case HY_FINDING_CHECKPOINT_CONFLICT: return "CHECKPOINT_CONFLICT";
    case HY_FINDING_INVALID_OP: return "INVALID_OP";
    }
    return "UNKNOWN";
}

static int report(char **argv, int argc)
{
    if (argc != 2)
        return 2;
    fixture f;
    hy_err err = fixture_open(&f, argv[0], argv[1], NULL);
    if (err)
        return fixture_close(&f, err);
    hy_checkpoint_info info;
    hy_ledger_checkpoint_status(f.ledger, &info);
    printf("certified %llu signatures %zu confirmed %llu disputed %llu\n",
           (unsigned long long)info.epoch, info.signatures,
           (unsigned long long)info.confirmed_ops, (unsigned long long)info.disputed_ops);
    uint8_t *members = calloc(f.info.policy.committee_count, HY_KEY_LEN);
    err = members == NULL ? HY_E_NOMEM : HY_OK;
    size_t signers = err || info.epoch == 0 ? 0 : certificate_signers(&f, &info, members);
    char a[2 * HY_KEY_LEN + 1], b[2 * HY_KEY_LEN + 1];
    for (size_t i = 0; i < signers; i++) {
        hy_hex_encode(a, members + i * HY_KEY_LEN, HY_KEY_LEN);
        printf("signer %s\n", a);
    }
    free(members);
    hy_audit *audit = NULL;
    f.what = "audit";
    if (err == HY_OK)
        err = hy_ledger_audit(f.ledger, &audit);
    for (size_t i = 0; err == HY_OK && i < hy_audit_count(audit); i++) {
        const hy_finding *finding = hy_audit_get(audit, i);
        hy_hex_encode(a, finding->account, HY_KEY_LEN);
        hy_hex_encode(b, finding->actor, HY_KEY_LEN);
        printf("finding %s account %s actor %s deficit %lld epoch %llu\n",
               finding_name(finding->kind), a, b, (long long)finding->deficit,
               (unsigned long long)finding->epoch);
    }
    hy_audit_free(audit);
    return fixture_close(&f, err); /* a reader's persist writes nothing */
}

int main(int argc, char **argv)
{
    const char *command = argc > 1 ? argv[1] : "";
    int operands = argc - 2;
    int status = 2;
    if (strcmp(command, "create") == 0 && operands >= 4)
        status = create_ledger(argv + 2, operands - 3);
    else if (strcmp(command, "open") == 0 || strcmp(command, "grant") == 0 ||
             strcmp(command, "spend") == 0)
        status = operands >= 4 ? local_op(command, argv + 2, operands) : 2;
    else if (strcmp(command, "equivocate") == 0)
        status = equivocate(argv + 2, operands);
    else if (strcmp(command, "report") == 0)
        status = report(argv + 2, operands);
    if (status == 2)
        fprintf(stderr, "usage: ledger_fixture create|open|grant|spend|equivocate|report ... "
                        "(see tests/node/ledger_fixture.c)\n");
    return status;
}

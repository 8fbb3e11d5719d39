/* hash, keygen, sign, verify: the crypto of the core, reachable from a shell. These go
 * through the public API (hypha.h) wherever it has the operation, so that the command line
 * also checks the library from outside; only streaming hashes need core/blake3.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blake3.h"
#include "cli.h"
#include "hex.h"
#include "hypha.h"
#include "wipe.h"

/* ---- hash ------------------------------------------------------------------------------ */

static int absorb_chunk(void *context, const uint8_t *chunk, size_t len)
{
    hy_blake3_update(context, chunk, len);
    return CLI_EXIT_OK;
}

/* The line b3sum prints, so that 'b3sum --check' reads ours: a name holding a newline or a
 * backslash is escaped, and the line then starts with a backslash, keeping one line per file. */
static void print_hash_line(const uint8_t digest[HY_HASH_LEN], const char *name)
{
    char hex[2 * HY_HASH_LEN + 1];
    hy_hex_encode(hex, digest, HY_HASH_LEN);
    bool escaped = strpbrk(name, "\\\n") != NULL;
    printf("%s%s  ", escaped ? "\\" : "", hex);
    for (const char *c = name; *c != '\0'; c++) {
        if (escaped && *c == '\\')
            fputs("\\\\", stdout);
        else if (escaped && *c == '\n')
            fputs("\\n", stdout);
        else
            putchar(*c);
    }
    putchar('\n');
}

static int hash_input(const char *path)
{
    hy_blake3_hasher hasher;
    hy_blake3_init(&hasher);
    int status = cli_read_chunks(path, absorb_chunk, &hasher);
    if (status != CLI_EXIT_OK)
        return status;
    uint8_t digest[HY_HASH_LEN];
    hy_blake3_final(&hasher, digest, sizeof digest);
    print_hash_line(digest, path != NULL ? path : "-");
    return CLI_EXIT_OK;
}

static int run_hash(const cli_args *args)
{
    if (args->operand_count == 0)
        return hash_input(NULL);
    /* Like b3sum: an unreadable file is reported and the others are still hashed. */
    int status = CLI_EXIT_OK;
    for (size_t i = 0; i < args->operand_count; i++) {
        if (hash_input(args->operands[i]) != CLI_EXIT_OK)
            status = CLI_EXIT_FAILURE;
    }
    return status;
}

const cli_command cli_cmd_hash = {
    .name = "hash",
    .operands_usage = "[FILE]...",
    .summary = "Print the BLAKE3 hash of files or standard input, like b3sum",
    .description =
        "Print one line per FILE: its BLAKE3 hash (64 hex digits), two spaces and its\n"
        "name, as b3sum does. Without FILE, or for -, read standard input. An unreadable\n"
        "FILE is reported and the others are still hashed; the exit status is then 1.\n",
    .max_operands = SIZE_MAX,
    .run = run_hash,
};

/* ---- seeds ----------------------------------------------------------------------------- */

/* Decodes the seed from --seed and wipes the hex digits where they arrived (argv): fewer
 * copies of the secret in memory, and it leaves the process list sooner. On failure seed is
 * wiped too, since a string with one bad digit still decodes to most of the secret. */
static int take_seed(uint8_t seed[HY_KEY_LEN], char *seed_hex)
{
    int status = cli_decode_hex(seed, HY_KEY_LEN, "seed", seed_hex);
    hy_wipe(seed_hex, strlen(seed_hex));
    if (status != CLI_EXIT_OK)
        hy_wipe(seed, HY_KEY_LEN);
    return status;
}

/* ---- keygen ---------------------------------------------------------------------------- */

enum { KEYGEN_SEED, KEYGEN_JSON };
static const cli_option keygen_options[] = {
    [KEYGEN_SEED] = { "seed", "HEX64", false,
                      "Use this 32-byte secret seed instead of a new random one" },
    [KEYGEN_JSON] = { "json", NULL, false,
                      "Print {\"seed\": \"...\", \"public\": \"...\"} on one line" },
};
CLI_OPTIONS_FIT(keygen_options);

static int run_keygen(const cli_args *args)
{
    uint8_t seed[HY_KEY_LEN];
    if (args->values[KEYGEN_SEED] != NULL) {
        int status = take_seed(seed, args->values[KEYGEN_SEED]);
        if (status != CLI_EXIT_OK)
            return status;
    } else {
        hy_platform platform = hy_platform_posix();
        hy_err err = platform.random_bytes(platform.user, seed, sizeof seed);
        if (err != HY_OK) {
            cli_error("cannot get random bytes from the system: %s", hy_err_str(err));
            return CLI_EXIT_FAILURE;
        }
    }
    uint8_t public_key[HY_KEY_LEN];
    hy_key_public(public_key, seed);

    char seed_hex[2 * HY_KEY_LEN + 1], public_hex[2 * HY_KEY_LEN + 1];
    hy_hex_encode(seed_hex, seed, sizeof seed);
    hy_hex_encode(public_hex, public_key, sizeof public_key);
    if (args->values[KEYGEN_JSON] != NULL)
        printf("{\"seed\": \"%s\", \"public\": \"%s\"}\n", seed_hex, public_hex);
    else
        printf("seed: %s\npublic: %s\n", seed_hex, public_hex);
    hy_wipe(seed, sizeof seed);
    hy_wipe(seed_hex, sizeof seed_hex);
    return CLI_EXIT_OK;
}

const cli_command cli_cmd_keygen = {
    .name = "keygen",
    .summary = "Create an Ed25519 key pair (or derive the public key of a seed)",
    .description =
        "Print a new secret seed, from the system's random source, and its public key,\n"
        "each as 64 hex digits:\n"
        "    seed: <64 hex digits>\n"
        "    public: <64 hex digits>\n"
        "With --seed, use that seed instead of a new one: this recovers the public key\n"
        "of a seed you hold. Keep the seed secret: it signs as you.\n",
    .options = keygen_options,
    .option_count = CLI_LEN(keygen_options),
    .max_operands = 0,
    .run = run_keygen,
};

/* ---- sign ------------------------------------------------------------------------------ */

enum { SIGN_SEED };
static const cli_option sign_options[] = {
    [SIGN_SEED] = { "seed", "HEX64", true, "The 32-byte secret seed to sign with" },
};
CLI_OPTIONS_FIT(sign_options);

static int run_sign(const cli_args *args)
{
    uint8_t seed[HY_KEY_LEN];
    int status = take_seed(seed, args->values[SIGN_SEED]);
    if (status != CLI_EXIT_OK)
        return status;
    /* Ed25519 hashes the message twice, so the whole of it is needed in memory. */
    const char *path = cli_operand(args, 0);
    uint8_t *message;
    size_t message_len;
    status = cli_read_all(path, &message, &message_len);
    if (status == CLI_EXIT_OK) {
        uint8_t signature[HY_SIG_LEN];
        char signature_hex[2 * HY_SIG_LEN + 1];
        hy_sign(signature, seed, message, message_len);
        hy_hex_encode(signature_hex, signature, sizeof signature);
        printf("%s\n", signature_hex);
        free(message);
    }
    hy_wipe(seed, sizeof seed);
    return status;
}

const cli_command cli_cmd_sign = {
    .name = "sign",
    .operands_usage = "[FILE]",
    .summary = "Sign a file or standard input with Ed25519",
    .description =
        "Print the Ed25519 signature of FILE (without FILE, or for -, standard input)\n"
        "as 128 hex digits.\n",
    .options = sign_options,
    .option_count = CLI_LEN(sign_options),
    .max_operands = 1,
    .run = run_sign,
};

/* ---- verify ---------------------------------------------------------------------------- */

enum { VERIFY_PUB, VERIFY_SIG };
static const cli_option verify_options[] = {
    [VERIFY_PUB] = { "pub", "HEX64", true, "The signer's 32-byte public key" },
    [VERIFY_SIG] = { "sig", "HEX128", true, "The 64-byte signature" },
};
CLI_OPTIONS_FIT(verify_options);

static int run_verify(const cli_args *args)
{
    uint8_t public_key[HY_KEY_LEN], signature[HY_SIG_LEN];
    int status = cli_decode_hex(public_key, sizeof public_key, "pub", args->values[VERIFY_PUB]);
    if (status == CLI_EXIT_OK)
        status = cli_decode_hex(signature, sizeof signature, "sig", args->values[VERIFY_SIG]);
    if (status != CLI_EXIT_OK)
        return status;
    const char *path = cli_operand(args, 0);
    uint8_t *message;
    size_t message_len;
    status = cli_read_all(path, &message, &message_len);
    if (status != CLI_EXIT_OK)
        return status;
    hy_err err = hy_verify(signature, public_key, message, message_len);
    free(message);
    if (err != HY_OK) {
        cli_error("%s: bad signature", cli_input_label(path));
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}

const cli_command cli_cmd_verify = {
    .name = "verify",
    .operands_usage = "[FILE]",
    .summary = "Check an Ed25519 signature (exit 0 when valid, 1 when not)",
    .description =
        "Check that --sig is the Ed25519 signature of FILE (without FILE, or for -,\n"
        "standard input) by --pub. Silent when it is; otherwise one line on standard\n"
        "error and exit status 1.\n",
    .options = verify_options,
    .option_count = CLI_LEN(verify_options),
    .max_operands = 1,
    .run = run_verify,
};

/* The hypha command line: what every command shares. A command is one cli_command value,
 * defined in a cmd_*.c file next to its run function and listed once in the table in cli.c;
 * cli.c parses its options from the command's option table, so a command's code starts
 * with checked arguments and never parses argv itself.
 *
 * Conventions, as for most Unix tools: results on stdout, nothing else there; every error
 * is one line "hypha: ..." on stderr; silent success where there is no result to print. */
#ifndef HY_CLI_H
#define HY_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_FAILURE = 1, /* the operation failed: bad signature, unreadable input, I/O */
    CLI_EXIT_USAGE = 2,   /* the command line was wrong */
    CLI_EXIT_FINDINGS = 3, /* ledger audit: the ledger holds findings (it printed them) */
};

#define CLI_LEN(array) (sizeof(array) / sizeof((array)[0]))

/* One --name option of a command. Only long options: they read well in scripts, and the
 * only short ones, -h and --help, are handled for every command. */
typedef struct cli_option {
    const char *name;       /* given as --name VALUE or --name=VALUE */
    const char *value_name; /* how help shows the value ("HEX64"); NULL for a flag */
    bool required;
    const char *help;
} cli_option;

#define CLI_MAX_OPTIONS 12
/* How many times a command's repeatable option may be given. */
#define CLI_MAX_REPEATS 32
/* Put next to each option table, so that a table that outgrows cli_args fails to compile. */
#define CLI_OPTIONS_FIT(table) \
    _Static_assert(CLI_LEN(table) <= CLI_MAX_OPTIONS, #table " exceeds CLI_MAX_OPTIONS")

/* A command's parsed arguments. values[i] belongs to options[i] of its command: the value
 * for an option that takes one, "" for a flag that was given, NULL when it was absent. The
 * strings are argv's own, and writable, so a command can wipe a secret where it arrived. */
typedef struct cli_args {
    char *values[CLI_MAX_OPTIONS];
    char **operands;
    size_t operand_count;
    /* Every value of the command's repeatable option, in order (values[] holds the first). */
    char *repeats[CLI_MAX_REPEATS];
    size_t repeat_count;
} cli_args;

typedef struct cli_command {
    const char *name;
    const char *operands_usage; /* shown after the options in the usage line, e.g. "[FILE]" */
    const char *summary;        /* one line in 'hypha --help' */
    const char *description;    /* the paragraph of 'hypha help NAME'; lines end in \n */
    const cli_option *options;  /* option_count entries, indexed by the command's enum */
    size_t option_count;
    size_t max_operands;        /* SIZE_MAX for any number */
    /* The name of the one option that may be given more than once (into cli_args.repeats),
     * or NULL. */
    const char *repeatable;
    /* Returns the exit status; has printed its own error line when it is not CLI_EXIT_OK. */
    int (*run)(const cli_args *args);
} cli_command;

/* Every command of the table in cli.c, each defined in its cmd_*.c file. */
extern const cli_command cli_cmd_hash;
extern const cli_command cli_cmd_keygen;
extern const cli_command cli_cmd_sign;
extern const cli_command cli_cmd_verify;
/* trace: editing-trace replay through the record store (cmd_trace.c). */
extern const cli_command cli_cmd_trace;
/* The database of stores (cmd_store*.c, docs/node.md). */
extern const cli_command cli_cmd_store;
extern const cli_command cli_cmd_put;
extern const cli_command cli_cmd_get;
extern const cli_command cli_cmd_export;
extern const cli_command cli_cmd_import;
extern const cli_command cli_cmd_key;
/* The credit ledger kept in a store of the database (cmd_ledger*.c). */
extern const cli_command cli_cmd_ledger;
/* sync, node and loadgen: the node, its one-shot client and its load generator (cmd_sync.c,
 * node_cmd.c, cmd_loadgen.c). */
extern const cli_command cli_cmd_sync;
extern const cli_command cli_cmd_node;
extern const cli_command cli_cmd_loadgen;

/* The index-th operand, or NULL when there are fewer (an absent FILE means stdin). */
const char *cli_operand(const cli_args *args, size_t index);

/* Prints "hypha: <message>\n" on stderr. */
void cli_error(const char *format, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* Decodes exactly 2 * len hex digits from the value of --option into out. CLI_EXIT_OK, or
 * CLI_EXIT_USAGE after an error line that never quotes the value (it may be a secret). */
int cli_decode_hex(uint8_t *out, size_t len, const char *option, const char *hex);

/* Reads text as a decimal number in [min, max]: digits only (no sign, no space), within
 * uint64_t. false, printing nothing, when it is not one. */
bool cli_parse_number(const char *text, uint64_t min, uint64_t max, uint64_t *out);

/* Reads the value of --option as a decimal count in [min, max]. CLI_EXIT_OK, or
 * CLI_EXIT_USAGE after the line "COMMAND: --OPTION takes a number from MIN to MAX". */
int cli_parse_count(const char *command, const char *option, const char *text, size_t min,
                    size_t max, size_t *out);

/* Inputs are named by a path; NULL or "-" is standard input. */

/* How messages name an input: its path, or "standard input". */
const char *cli_input_label(const char *path);

/* Called with each successive chunk of an input; returns CLI_EXIT_OK to go on, or another
 * status (after printing its error) to stop reading. */
typedef int (*cli_chunk_fn)(void *context, const uint8_t *chunk, size_t len);

/* Reads the input to its end in bounded chunks, passing each to consume. Returns
 * CLI_EXIT_OK, consume's status when it stopped, or CLI_EXIT_FAILURE after printing why
 * the input could not be opened or read. */
int cli_read_chunks(const char *path, cli_chunk_fn consume, void *context);

/* Reads the whole input into memory. On CLI_EXIT_OK, *data (release with free(); never NULL,
 * even for an empty input) holds *len bytes; otherwise the error line has been printed. */
int cli_read_all(const char *path, uint8_t **data, size_t *len);

#endif

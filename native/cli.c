/* The hypha command line: the command table, option parsing and help. */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hypha.h"

static int run_help(const cli_args *args);

static const cli_command cli_cmd_help = {
    .name = "help",
    .operands_usage = "[COMMAND]",
    .summary = "Show the help of a command, or the list of commands",
    .description = "Print what COMMAND does and its options; without COMMAND, list the\n"
                   "commands.\n",
    .max_operands = 1,
    .run = run_help,
};

/* Every command, in the order 'hypha --help' lists them. Adding a command is one line here
 * (and its declaration in cli.h). */
static const cli_command *const commands[] = {
    &cli_cmd_hash,
    &cli_cmd_keygen,
    &cli_cmd_sign,
    &cli_cmd_verify,
    &cli_cmd_trace,
    &cli_cmd_store,
    &cli_cmd_put,
    &cli_cmd_get,
    &cli_cmd_export,
    &cli_cmd_import,
    &cli_cmd_key,
    &cli_cmd_ledger,
    &cli_cmd_sync,
    &cli_cmd_node,
    &cli_cmd_loadgen,
    &cli_cmd_help,
};

static const cli_command *find_command(const char *name)
{
    for (size_t i = 0; i < CLI_LEN(commands); i++) {
        if (strcmp(commands[i]->name, name) == 0)
            return commands[i];
    }
    return NULL;
}

static bool is_help_flag(const char *arg)
{
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

static void print_general_help(void)
{
    printf("Usage: hypha COMMAND [OPTIONS] [ARGS]\n"
           "\n"
           "hypha is a local-first sync engine: stores of CRDT records in a SQLite\n"
           "database, synced peer to peer by `hypha node` and `hypha sync`.\n"
           "\n"
           "Commands:\n");
    for (size_t i = 0; i < CLI_LEN(commands); i++)
        printf("  %-8s  %s\n", commands[i]->name, commands[i]->summary);
    printf("\n"
           "Options:\n"
           "  -h, --help  Show this help\n"
           "  --version   Show the version\n"
           "\n"
           "Run 'hypha help COMMAND' for the options of a command.\n");
}

/* "--seed HEX64", or "--json" for a flag, into buf; returns its length. */
static int format_option(char *buf, size_t size, const cli_option *option)
{
    if (option->value_name == NULL)
        return snprintf(buf, size, "--%s", option->name);
    return snprintf(buf, size, "--%s %s", option->name, option->value_name);
}

static void print_command_help(const cli_command *command)
{
    char spelled[64];
    printf("Usage: hypha %s", command->name);
    for (size_t i = 0; i < command->option_count; i++) {
        const cli_option *option = &command->options[i];
        format_option(spelled, sizeof spelled, option);
        printf(option->required ? " %s" : " [%s]", spelled);
        if (command->repeatable != NULL && strcmp(command->repeatable, option->name) == 0)
            printf("...");
    }
    if (command->operands_usage != NULL)
        printf(" %s", command->operands_usage);
    printf("\n\n%s\nOptions:\n", command->description);

    const char *help_spelled = "-h, --help";
    int width = (int)strlen(help_spelled);
    for (size_t i = 0; i < command->option_count; i++) {
        int len = format_option(spelled, sizeof spelled, &command->options[i]);
        if (len > width)
            width = len;
    }
    for (size_t i = 0; i < command->option_count; i++) {
        const cli_option *option = &command->options[i];
        format_option(spelled, sizeof spelled, option);
        printf("  %-*s  %s%s\n", width, spelled, option->help,
               option->required ? " (required)" : "");
    }
    printf("  %-*s  Show this help\n", width, help_spelled);
}

static int run_help(const cli_args *args)
{
    if (args->operand_count == 0) {
        print_general_help();
        return CLI_EXIT_OK;
    }
    const cli_command *command = find_command(args->operands[0]);
    if (command == NULL) {
        cli_error("help: no command '%s' (see 'hypha --help')", args->operands[0]);
        return CLI_EXIT_USAGE;
    }
    print_command_help(command);
    return CLI_EXIT_OK;
}

/* parse_args' result when the arguments asked for the command's help. */
#define PARSED_HELP (-1)

/* Quotes only the first quoted_len bytes of arg: "--seed=..." must not echo the seed. */
static int usage_error(const cli_command *command, const char *problem, const char *arg,
                       size_t quoted_len)
{
    cli_error("%s: %s '%.*s' (see 'hypha help %s')", command->name, problem, (int)quoted_len,
              arg, command->name);
    return CLI_EXIT_USAGE;
}

/* Matches "--name" (arg_len bytes of arg, without any "=value") against the command's
 * options: the option's index, or -1. */
static int find_option(const cli_command *command, const char *arg, size_t arg_len)
{
    if (arg_len < 3 || arg[1] != '-')
        return -1;
    for (size_t i = 0; i < command->option_count; i++) {
        const char *name = command->options[i].name;
        if (strlen(name) == arg_len - 2 && memcmp(name, arg + 2, arg_len - 2) == 0)
            return (int)i;
    }
    return -1;
}

/* Fills parsed from argv (the arguments after the command's name) in the order they come:
 * options and operands may be mixed; "--" ends the options; "-" is an operand (stdin).
 * Operands are gathered at the front of argv, in order. Returns CLI_EXIT_OK, PARSED_HELP, or
 * CLI_EXIT_USAGE after one error line. */
static int parse_args(const cli_command *command, int argc, char **argv, cli_args *parsed)
{
    *parsed = (cli_args){ .operands = argv };
    bool options_ended = false;
    for (int i = 0; i < argc; i++) {
        char *arg = argv[i];
        bool is_option = !options_ended && arg[0] == '-' && arg[1] != '\0';
        if (!is_option) {
            if (parsed->operand_count == command->max_operands)
                return usage_error(command, "unexpected argument", arg, strlen(arg));
            argv[parsed->operand_count++] = arg;
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            options_ended = true;
            continue;
        }
        if (is_help_flag(arg))
            return PARSED_HELP;
        char *equals = strchr(arg, '=');
        size_t name_len = equals != NULL ? (size_t)(equals - arg) : strlen(arg);
        int index = find_option(command, arg, name_len);
        if (index < 0)
            return usage_error(command, "unknown option", arg, name_len);
        const cli_option *option = &command->options[index];
        bool repeatable = command->repeatable != NULL &&
                          strcmp(command->repeatable, option->name) == 0;
        if (parsed->values[index] != NULL && !repeatable)
            return usage_error(command, "option given twice:", arg, name_len);
        char *value = equals != NULL ? equals + 1 : NULL;
        if (option->value_name == NULL) {
            if (value != NULL)
                return usage_error(command, "option takes no value:", arg, name_len);
            value = "";
        } else if (value == NULL) {
            if (i + 1 == argc)
                return usage_error(command, "option needs a value:", arg, name_len);
            value = argv[++i];
        }
        if (repeatable) {
            if (parsed->repeat_count == CLI_MAX_REPEATS)
                return usage_error(command, "option given too many times:", arg, name_len);
            parsed->repeats[parsed->repeat_count++] = value;
            if (parsed->values[index] != NULL)
                continue;
        }
        parsed->values[index] = value;
    }
    for (size_t i = 0; i < command->option_count; i++) {
        if (command->options[i].required && parsed->values[i] == NULL) {
            char spelled[64];
            int len = format_option(spelled, sizeof spelled, &command->options[i]);
            return usage_error(command, "missing option", spelled, (size_t)len);
        }
    }
    return CLI_EXIT_OK;
}

/* Output goes through stdio's buffer, so a full disk or a closed pipe may only show when it
 * is flushed: check, so that a result that never arrived is not reported as success. */
static int finish(int status)
{
    bool flush_failed = fflush(stdout) != 0;
    if (flush_failed || ferror(stdout)) {
        if (flush_failed)
            cli_error("cannot write to standard output: %s", strerror(errno));
        else
            cli_error("cannot write to standard output");
        return status != CLI_EXIT_OK ? status : CLI_EXIT_FAILURE;
    }
    return status;
}

static int run_global_option(const char *option)
{
    if (is_help_flag(option)) {
        print_general_help();
    } else if (strcmp(option, "--version") == 0) {
        printf("hypha %d.%d.%d\n", HYPHA_VERSION_MAJOR, HYPHA_VERSION_MINOR,
               HYPHA_VERSION_PATCH);
    } else {
        cli_error("unknown option '%s' (see 'hypha --help')", option);
        return CLI_EXIT_USAGE;
    }
    return finish(CLI_EXIT_OK);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        cli_error("missing command (see 'hypha --help')");
        return CLI_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (name[0] == '-' && name[1] != '\0') {
        if (argc > 2) {
            cli_error("unexpected argument '%s' after '%s' (see 'hypha --help')", argv[2],
                      name);
            return CLI_EXIT_USAGE;
        }
        return run_global_option(name);
    }
    const cli_command *command = find_command(name);
    if (command == NULL) {
        cli_error("unknown command '%s' (see 'hypha --help')", name);
        return CLI_EXIT_USAGE;
    }
    cli_args args;
    int status = parse_args(command, argc - 2, argv + 2, &args);
    if (status == PARSED_HELP) {
        print_command_help(command);
        return finish(CLI_EXIT_OK);
    }
    if (status != CLI_EXIT_OK)
        return status;
    return finish(command->run(&args));
}

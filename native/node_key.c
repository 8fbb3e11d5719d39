/* --key SEEDFILE: the node key's secret seed, kept in a file so it never shows in the
 * process list. The file holds 64 hex digits, alone or on the "seed:" line of `hypha keygen`
 * output, so `hypha keygen > node.key` makes one. */
#include "node_key.h"

#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hex.h"
#include "wipe.h"

/* The 64 hex digits of text (NUL-terminated): the "seed:" line's value when there is one,
 * else text itself, without surrounding white space. NULL when that is not 64 characters. */
static char *find_seed_hex(char *text)
{
    char *seed_line = strstr(text, "seed:");
    char *start = seed_line != NULL ? seed_line + 5 : text;
    while (*start == ' ' || *start == '\t' || *start == '\n' || *start == '\r')
        start++;
    size_t len = strcspn(start, " \t\r\n");
    if (len != 2 * HY_KEY_LEN)
        return NULL;
    /* Anything but white space after the digits (outside keygen's "public:" line) is a
     * sign of the wrong file. */
    if (seed_line == NULL && start[len + strspn(start + len, " \t\r\n")] != '\0')
        return NULL;
    start[len] = '\0';
    return start;
}

/* A key file is a line or two; anything longer is the wrong file. */
enum { SEED_FILE_MAX = 4096 };

bool node_read_seed_file(const char *path, uint8_t seed[HY_KEY_LEN])
{
    uint8_t *data;
    size_t len;
    if (cli_read_all(path, &data, &len) != CLI_EXIT_OK)
        return false;
    char text[SEED_FILE_MAX + 1];
    bool fits = len <= SEED_FILE_MAX && memchr(data, '\0', len) == NULL;
    if (fits) {
        memcpy(text, data, len);
        text[len] = '\0';
    }
    hy_wipe(data, len);
    free(data);
    const char *hex = fits ? find_seed_hex(text) : NULL;
    bool ok = false;
    if (hex == NULL)
        cli_error("%s: expected a node key's seed: 64 hex digits (as 'hypha keygen' prints)",
                  path);
    else if (hy_hex_decode(seed, HY_KEY_LEN, hex) != HY_OK)
        cli_error("%s: the seed holds a character that is not a hex digit", path);
    else
        ok = true;
    hy_wipe(text, sizeof text);
    return ok;
}

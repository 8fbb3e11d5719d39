/* Addresses on the command line: --listen HOST:PORT and --peer ws[s]://HOST:PORT[/PATH]. */
#include "node.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Splits "host:port" or "[v6]:port" (len bytes of text) into out. default_port (or -1: the
 * port is required) applies when there is no ":PORT". */
static bool parse_host_port(const char *text, size_t len, int default_port, node_addr *out,
                            char *why, size_t why_len)
{
    const char *host = text, *port_text = NULL;
    size_t host_len;
    if (len > 0 && text[0] == '[') {
        const char *close = memchr(text, ']', len);
        if (close == NULL) {
            snprintf(why, why_len, "'[' without ']'");
            return false;
        }
        host = text + 1;
        host_len = (size_t)(close - host);
        size_t rest = len - (size_t)(close + 1 - text);
        if (rest > 0) {
            if (close[1] != ':') {
                snprintf(why, why_len, "expected ':' after ']'");
                return false;
            }
            port_text = close + 2;
        }
    } else {
        const char *colon = NULL;
        for (size_t i = 0; i < len; i++) {
            if (text[i] == ':') {
                if (colon != NULL) {
                    snprintf(why, why_len, "an IPv6 address needs brackets: [ADDR]:PORT");
                    return false;
                }
                colon = text + i;
            }
        }
        host_len = colon != NULL ? (size_t)(colon - text) : len;
        if (colon != NULL)
            port_text = colon + 1;
    }
    if (host_len == 0 || host_len >= sizeof out->host) {
        snprintf(why, why_len, host_len == 0 ? "no host" : "host name too long");
        return false;
    }
    memcpy(out->host, host, host_len);
    out->host[host_len] = '\0';

    if (port_text == NULL) {
        if (default_port < 0) {
            snprintf(why, why_len, "no port (HOST:PORT)");
            return false;
        }
        out->port = default_port;
        return true;
    }
    size_t port_len = len - (size_t)(port_text - text);
    long port = 0;
    for (size_t i = 0; i < port_len; i++) {
        if (port_text[i] < '0' || port_text[i] > '9' || port > 65535) {
            port = -1;
            break;
        }
        port = port * 10 + (port_text[i] - '0');
    }
    /* Port 0 asks the system for a free port: useful to --listen, never to dial. */
    if (port_len == 0 || port < 0 || port > 65535 || (port == 0 && default_port >= 0)) {
        snprintf(why, why_len, "the port must be a number from %d to 65535",
                 default_port >= 0 ? 1 : 0);
        return false;
    }
    out->port = (int)port;
    return true;
}

bool node_parse_listen(const char *text, node_addr *out, char *why, size_t why_len)
{
    memset(out, 0, sizeof *out);
    return parse_host_port(text, strlen(text), -1, out, why, why_len);
}

bool node_parse_url(const char *url, node_addr *out, char *why, size_t why_len)
{
    memset(out, 0, sizeof *out);
    const char *rest;
    if (strncmp(url, "ws://", 5) == 0) {
        rest = url + 5;
    } else if (strncmp(url, "wss://", 6) == 0) {
        rest = url + 6;
        out->tls = true;
    } else {
        snprintf(why, why_len, "expected ws://HOST:PORT or wss://HOST:PORT");
        return false;
    }
    const char *slash = strchr(rest, '/');
    size_t authority_len = slash != NULL ? (size_t)(slash - rest) : strlen(rest);
    if (memchr(rest, '@', authority_len) != NULL || strpbrk(rest, "?#") != NULL) {
        snprintf(why, why_len, "user names, queries and fragments are not supported");
        return false;
    }
    if (!parse_host_port(rest, authority_len, out->tls ? 443 : 80, out, why, why_len))
        return false;
    /* The node serves sync under its base path: ws://h:p/base means ws://h:p/base/sync. */
    const char *base = slash != NULL ? slash : "";
    size_t base_len = strlen(base);
    while (base_len > 0 && base[base_len - 1] == '/')
        base_len--;
    if (base_len + sizeof NODE_SYNC_PATH > sizeof out->path) {
        snprintf(why, why_len, "path too long");
        return false;
    }
    memcpy(out->path, base, base_len);
    memcpy(out->path + base_len, NODE_SYNC_PATH, sizeof NODE_SYNC_PATH);
    return true;
}

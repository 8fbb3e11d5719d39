/* --web DIR: which file a request path names, its content type and its entity tag. Every
 * path is checked twice: by its segments (no "..") and by where realpath says it leads (inside
 * the root), so neither a crafted path nor a symbolic link reaches a file outside DIR. */
#include "node.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static const struct {
    const char *extension;
    const char *type;
} content_types[] = {
    { "html", "text/html; charset=utf-8" },
    { "htm", "text/html; charset=utf-8" },
    { "js", "text/javascript; charset=utf-8" },
    { "mjs", "text/javascript; charset=utf-8" },
    { "css", "text/css; charset=utf-8" },
    /* Browsers compile a module while it downloads only when it comes as application/wasm. */
    { "wasm", "application/wasm" },
    { "json", "application/json" },
    { "map", "application/json" },
    { "svg", "image/svg+xml" },
    { "png", "image/png" },
    { "ico", "image/x-icon" },
    { "txt", "text/plain; charset=utf-8" },
    { "ts", "text/plain; charset=utf-8" },
};

const char *node_static_content_type(const char *name)
{
    const char *slash = strrchr(name, '/');
    const char *dot = strrchr(slash != NULL ? slash : name, '.');
    if (dot != NULL) {
        for (size_t i = 0; i < sizeof content_types / sizeof content_types[0]; i++) {
            if (strcasecmp(dot + 1, content_types[i].extension) == 0)
                return content_types[i].type;
        }
    }
    return "application/octet-stream";
}

/* Whether request is a path the node may look up: absolute, no backslash (a Windows
 * separator to some tools), no ".." segment. */
static bool request_is_safe(const char *request)
{
    if (request[0] != '/' || strchr(request, '\\') != NULL)
        return false;
    for (const char *segment = request; segment != NULL;) {
        segment++; /* past the '/' */
        size_t len = strcspn(segment, "/");
        if (len == 2 && segment[0] == '.' && segment[1] == '.')
            return false;
        segment = strchr(segment, '/');
    }
    return true;
}

/* realpath of candidate when it is inside root: NODE_STATIC_OK and the resolved path in out
 * (PATH_MAX bytes). */
static node_static_result resolve_inside(const char *root, const char *candidate, char *out)
{
    if (realpath(candidate, out) == NULL)
        return errno == EACCES ? NODE_STATIC_FORBIDDEN : NODE_STATIC_NOT_FOUND;
    size_t root_len = strlen(root);
    /* A root of "/" is every path; otherwise the path must be root itself or below it. */
    if (strcmp(root, "/") != 0 &&
        (strncmp(out, root, root_len) != 0 || (out[root_len] != '/' && out[root_len] != '\0')))
        return NODE_STATIC_FORBIDDEN;
    return NODE_STATIC_OK;
}

node_static_result node_static_resolve(const char *root, const char *request, char *path,
                                       size_t cap, node_static_file *file)
{
    if (!request_is_safe(request))
        return NODE_STATIC_FORBIDDEN;
    char candidate[PATH_MAX], resolved[PATH_MAX];
    int n = snprintf(candidate, sizeof candidate, "%s%s", root, request);
    if (n < 0 || (size_t)n >= sizeof candidate)
        return NODE_STATIC_NOT_FOUND;
    node_static_result result = resolve_inside(root, candidate, resolved);
    if (result != NODE_STATIC_OK)
        return result;
    struct stat st;
    if (stat(resolved, &st) != 0)
        return NODE_STATIC_NOT_FOUND;
    if (S_ISDIR(st.st_mode)) {
        /* A directory is its index.html, resolved again: it may itself be a link out. */
        n = snprintf(candidate, sizeof candidate, "%s/index.html", resolved);
        if (n < 0 || (size_t)n >= sizeof candidate)
            return NODE_STATIC_NOT_FOUND;
        result = resolve_inside(root, candidate, resolved);
        if (result != NODE_STATIC_OK)
            return result;
        if (stat(resolved, &st) != 0)
            return NODE_STATIC_NOT_FOUND;
    }
    if (!S_ISREG(st.st_mode) || strlen(resolved) >= cap)
        return NODE_STATIC_NOT_FOUND;
    strcpy(path, resolved);
    file->content_type = node_static_content_type(resolved);
    /* Unsigned arithmetic: a file dated before 1970 or far ahead wraps rather than overflows. */
    const node_static_version version = {
        .device = (uint64_t)st.st_dev,
        .inode = (uint64_t)st.st_ino,
        .size = (uint64_t)st.st_size,
        .mtime_ns = (uint64_t)st.st_mtim.tv_sec * 1000000000u + (uint64_t)st.st_mtim.tv_nsec,
    };
    node_static_etag(&version, file->etag);
    return NODE_STATIC_OK;
}

/* A hash of the version rather than its numbers: inode and device numbers tell a client about
 * the server's file systems, which it has no need to know. */
void node_static_etag(const node_static_version *version, char etag[NODE_STATIC_ETAG_SIZE])
{
    const uint64_t fields[] = { version->device, version->inode, version->size,
                                version->mtime_ns };
    uint8_t bytes[sizeof fields], hash[HY_HASH_LEN];
    for (size_t i = 0; i < sizeof bytes; i++)
        bytes[i] = (uint8_t)(fields[i / 8] >> (8 * (i % 8)));
    hy_hash(bytes, sizeof bytes, hash);
    static const char hex[] = "0123456789abcdef";
    size_t at = 0;
    etag[at++] = '"';
    for (size_t i = 0; at < NODE_STATIC_ETAG_SIZE - 2; i++) {
        etag[at++] = hex[hash[i] >> 4];
        etag[at++] = hex[hash[i] & 15];
    }
    etag[at++] = '"';
    etag[at] = '\0';
}

static bool is_ows(char c)
{
    return c == ' ' || c == '\t';
}

/* etagc (RFC 9110 8.8.3): visible ASCII but DQUOTE, and obs-text. */
static bool is_etagc(unsigned char c)
{
    return c == 0x21 || (c >= 0x23 && c != 0x7f);
}

bool node_static_etag_matches(const char *if_none_match, size_t len, const char *etag)
{
    const char *at = if_none_match, *end = if_none_match + len;
    while (at < end && is_ows(*at))
        at++;
    while (end > at && is_ows(end[-1]))
        end--;
    if (end - at == 1 && *at == '*')
        return true;
    /* #entity-tag (RFC 9110 5.6.1): tags separated by commas and optional whitespace, with
     * empty elements allowed. The whole list is read before answering, so that a malformed
     * value names nothing wherever its flaw is. */
    size_t etag_len = strlen(etag);
    bool matched = false;
    while (at < end) {
        if (*at == ',' || is_ows(*at)) {
            at++;
            continue;
        }
        if (end - at >= 2 && at[0] == 'W' && at[1] == '/')
            at += 2; /* weak comparison: W/"x" names what "x" names */
        if (at == end || *at != '"')
            return false;
        const char *tag = at++;
        while (at < end && is_etagc((unsigned char)*at))
            at++;
        if (at == end || *at != '"')
            return false;
        at++;
        if ((size_t)(at - tag) == etag_len && memcmp(tag, etag, etag_len) == 0)
            matched = true;
        while (at < end && is_ows(*at))
            at++;
        if (at < end && *at != ',')
            return false;
    }
    return matched;
}

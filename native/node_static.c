/* --web DIR: which file a request path names, and its content type. Every path is checked
 * twice: by its segments (no "..") and by where realpath says it leads (inside the root), so
 * neither a crafted path nor a symbolic link reaches a file outside DIR. */
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
                                       size_t cap, const char **content_type)
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
    *content_type = node_static_content_type(resolved);
    return NODE_STATIC_OK;
}

/*
 * static.c - the web console's files under --web, for any GET outside
 * /v1/ that no route names (the router's fallback, route.h): plain
 * relative names only, a content type by extension, no-cache for HTML.
 */
#include "handlers.h"

#include "req.h"
#include "util.h"

#include <event2/buffer.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct {
    const char *ext;
    const char *type;
} TYPES[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".woff2", "font/woff2"},
    {".map", "application/json"},
};

void h_static(struct req *r)
{
    const char *root = r->w->cfg->web;
    const char *path = r->path;
    if (!root || !*root) {
        reply_error(r, ERR_NOT_FOUND, NULL, "no such path: %s", path);
        return;
    }
    /* Only plain relative names: no "..", no hidden files, no backslashes. */
    if (strstr(path, "/.") || strchr(path, '\\') || strlen(path) > 512) {
        reply_error(r, ERR_NOT_FOUND, NULL, "no such path");
        return;
    }
    char *file = xasprintf("%s%s%s", root, path, path[strlen(path) - 1] == '/' ? "index.html" : "");
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
        if (fd >= 0)
            close(fd);
        free(file);
        reply_error(r, ERR_NOT_FOUND, NULL, "no such path: %s", path);
        return;
    }
    const char *type = "application/octet-stream";
    const char *dot = strrchr(file, '.');
    for (size_t i = 0; dot && i < sizeof TYPES / sizeof TYPES[0]; i++)
        if (strcmp(dot, TYPES[i].ext) == 0)
            type = TYPES[i].type;
    int is_html = strncmp(type, "text/html", 9) == 0;
    int is_vendor = strstr(path, "/vendor/") != NULL;
    free(file);
    struct evbuffer *buf = evbuffer_new();
    if (evbuffer_add_file(buf, fd, 0, sb.st_size) < 0) {
        evbuffer_free(buf);
        reply_error(r, ERR_NOT_FOUND, NULL, "no such path: %s", path);
        return;
    }
    size_t len = evbuffer_get_length(buf);
    const char *data = (const char *)evbuffer_pullup(buf, -1);
    reply_header(r, "Cache-Control", is_html ? "no-cache" : is_vendor ? "public, max-age=86400"
                                                                       : "public, max-age=300");
    reply_header(r, "X-Content-Type-Options", "nosniff");
    reply_raw(r, 200, type, data, len);
    evbuffer_free(buf);
}

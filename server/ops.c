/*
 * ops.c - health, metrics, taxonomy, identity, and the static files of
 * the web console (see ops.h).
 */
#include "ops.h"

#include "cache.h"
#include "db.h"
#include "metrics.h"
#include "taxonomy.h"
#include "util.h"

#include <event2/buffer.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SHUCU_VERSION "0.1.0"

void h_healthz(struct req *r)
{
    static const char SQL[] = "SELECT count(*) FROM orgs";
    struct worker *w = r->w;
    sqlite3_stmt *st = db_stmt(w->db, SQL);
    int db_ok = st && sqlite3_step(st) == SQLITE_ROW;
    if (st)
        sqlite3_reset(st);
    int redis_configured = strcmp(w->cfg->redis, "none") != 0 && *w->cfg->redis;
    int connected = cache_connected(w->cache) && !cache_degraded(w->cache);
    const char *status = db_ok && (!redis_configured || connected) ? "ok" : "degraded";
    json_t *out = json_pack(
        "{s:s, s:s, s:f, s:{s:b, s:i, s:I}, s:{s:s, s:b}, s:i}", "status", status, "version",
        SHUCU_VERSION, "uptime_s", util_monotonic() - app.started, "db", "ok", db_ok,
        "schema_version", db_schema_version(), "size_bytes", (json_int_t)db_size(w->db),
        "cache", "backend", redis_configured ? "redis" : "none", "connected", connected,
        "worker", w->id);
    reply_json(r, 200, out);
}

void h_metrics(struct req *r)
{
    struct evbuffer *buf = evbuffer_new();
    metrics_render(buf, db_size(r->w->db));
    size_t len = evbuffer_get_length(buf);
    const char *data = (const char *)evbuffer_pullup(buf, -1);
    reply_raw(r, 200, "text/plain; version=0.0.4; charset=utf-8", data, len);
    evbuffer_free(buf);
}

void h_taxonomy(struct req *r)
{
    reply_header(r, "Cache-Control", "public, max-age=3600");
    reply_json(r, 200, json_incref(tax_document()));
}

void h_me(struct req *r)
{
    reply_json(r, 200,
               json_pack("{s:s, s:s, s:{s:s, s:s}}", "role", role_name(r->who.role), "key_prefix",
                         r->who.prefix, "org", "id", r->who.org_id, "name", r->who.org_name));
}

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

/*
 * health.c - GET /healthz (is this process able to serve: database,
 * Redis) and GET /metrics (Prometheus text, metrics.h).
 */
#include "handlers.h"

#include "cache.h"
#include "db.h"
#include "metrics.h"
#include "req.h"
#include "util.h"

#include <event2/buffer.h>
#include <string.h>

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
    /* Reads alone say nothing of a full disk: the last writes and a probe
     * (db.h) say whether a write can succeed now. */
    char why[256] = "";
    int writable = db_write_health(w->db, why, sizeof why);
    const char *status =
        db_ok && writable && (!redis_configured || connected) ? "ok" : "degraded";
    json_t *out = json_pack(
        "{s:s, s:s, s:f, s:{s:b, s:b, s:i, s:I}, s:{s:s, s:b}, s:i}", "status", status,
        "version", SHUCU_VERSION, "uptime_s", util_monotonic() - app.started, "db", "ok", db_ok,
        "writable", writable, "schema_version", db_schema_version(), "size_bytes",
        (json_int_t)db_size(w->db), "cache", "backend", redis_configured ? "redis" : "none",
        "connected", connected, "worker", w->id);
    if (!db_ok)
        json_object_set_new(out, "reason", json_string("the database cannot be read"));
    else if (!writable)
        json_object_set_new(out, "reason", json_string(why));
    else if (redis_configured && !connected)
        json_object_set_new(out, "reason", json_string("Redis is not reachable: answers are computed uncached"));
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

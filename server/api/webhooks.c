/*
 * webhooks.c - an organisation's webhooks: add one (the signing secret is
 * shown once), list them, remove one, send a test, and read the delivery
 * log.  Sending is deliver.c's; what is sent is notify.h's.
 *
 *   POST   /v1/orgs/{id}/webhooks                  {url, format?, kinds?}
 *   GET    /v1/orgs/{id}/webhooks
 *   DELETE /v1/orgs/{id}/webhooks/{wid}
 *   POST   /v1/orgs/{id}/webhooks/{wid}/test
 *   GET    /v1/orgs/{id}/webhooks/{wid}/deliveries
 *
 * Members of the organisation see them; its keys, its org_admin users and
 * admins change them.  The secret is stored (the sender must sign with
 * it) but never shown again nor logged.
 */
#include "handlers.h"

#include "auth.h"
#include "db.h"
#include "deliver.h"
#include "log.h"
#include "notify.h"
#include "org.h"
#include "req.h"
#include "util.h"
#include "write.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define WEBHOOKS_MAX 5

static int may_see(const struct req *r, const char *org_id)
{
    return r->who.role == ROLE_ADMIN || req_is_caller(r, org_id);
}

static int may_change(const struct req *r, const char *org_id)
{
    return r->who.role == ROLE_ADMIN ||
           (req_is_caller(r, org_id) && (!r->who.user_id[0] || r->who.org_admin));
}

/* Answers and returns -1 unless the caller may see (or change) the
 * organisation's webhooks and it exists. */
static int org_guard(struct req *r, int change)
{
    const char *org_id = r->params[0];
    if (!(change ? may_change(r, org_id) : may_see(r, org_id))) {
        reply_error(r, ERR_FORBIDDEN, NULL,
                    "the webhooks of an organisation are managed by its members and admins");
        return -1;
    }
    json_t *org = org_get(r->w->db, org_id);
    if (!org) {
        reply_error(r, ERR_NOT_FOUND, NULL, "no organisation %s", org_id);
        return -1;
    }
    json_decref(org);
    return 0;
}

static json_t *hook_json(sqlite3_stmt *st)
{
    json_t *kinds = json_loads((const char *)sqlite3_column_text(st, 3), 0, NULL);
    json_t *o = json_pack("{s:s, s:s, s:s, s:o, s:s, s:b}", "id", sqlite3_column_text(st, 0),
                          "url", sqlite3_column_text(st, 1), "format", sqlite3_column_text(st, 2),
                          "kinds", kinds ? kinds : json_array(), "created_at",
                          sqlite3_column_text(st, 4), "active",
                          sqlite3_column_type(st, 5) == SQLITE_NULL);
    json_object_set_new(o, "delivered", json_integer(sqlite3_column_int(st, 6)));
    json_object_set_new(o, "pending", json_integer(sqlite3_column_int(st, 7)));
    json_object_set_new(o, "failed", json_integer(sqlite3_column_int(st, 8)));
    return o;
}

#define HOOK_COLS                                                                          \
    "w.id, w.url, w.format, w.kinds, w.created_at, w.disabled_at,"                          \
    " (SELECT count(*) FROM webhook_deliveries d WHERE d.webhook_id = w.id"                 \
    "   AND d.status = 'delivered'),"                                                       \
    " (SELECT count(*) FROM webhook_deliveries d WHERE d.webhook_id = w.id"                 \
    "   AND d.status = 'pending'),"                                                         \
    " (SELECT count(*) FROM webhook_deliveries d WHERE d.webhook_id = w.id"                 \
    "   AND d.status = 'failed')"

static const struct vfield WEBHOOK_FIELDS[] = {
    {"url", V_STRING, 1, 8, 500, 0, NULL, 0},
    {"format", V_STRING, 0, 1, 16, 0, NULL, 0},
    {"kinds", V_STRING_ARRAY, 0, 0, 20, 0, NULL, 32},
    VFIELD_END,
};

static int create_txn(struct req *r, const char *id, const char *secret, struct outcome *o)
{
    static const char SQL_COUNT[] =
        "SELECT count(*) FROM webhooks WHERE org_id = ?1 AND disabled_at IS NULL";
    static const char SQL[] =
        "INSERT INTO webhooks(id, org_id, url, secret, format, kinds, created_at, created_by)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
    struct db *db = r->w->db;
    sqlite3_stmt *st = db_stmt(db, SQL_COUNT);
    if (!st)
        return refuse_db(o, db, "webhook count");
    sqlite3_bind_text(st, 1, r->params[0], -1, SQLITE_STATIC);
    int n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_reset(st);
    if (n >= WEBHOOKS_MAX)
        return refuse(o, ERR_CONFLICT, NULL, "an organisation has at most %d webhooks",
                      WEBHOOKS_MAX);
    const char *fmt = json_string_value(json_object_get(r->body, "format"));
    json_t *kinds = json_object_get(r->body, "kinds");
    char *kt = kinds ? json_dumps(kinds, JSON_COMPACT) : xstrdup("[]");
    json_t *a = auth_actor_json(&r->who);
    char *by = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    char now[32];
    util_now_rfc3339(now);
    st = db_stmt(db, SQL);
    int rc = -1;
    if (st) {
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, r->params[0], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, json_string_value(json_object_get(r->body, "url")), -1,
                          SQLITE_STATIC);
        sqlite3_bind_text(st, 4, secret, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, fmt ? fmt : "json", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, kt, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 7, now, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 8, by, -1, SQLITE_STATIC);
        rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
        sqlite3_reset(st);
    }
    free(kt);
    free(by);
    return rc < 0 ? refuse_db(o, db, "webhook insert") : 0;
}

void h_webhook_create(struct req *r)
{
    if (org_guard(r, 1) < 0 || body_valid(r, WEBHOOK_FIELDS) < 0)
        return;
    const char *url = json_string_value(json_object_get(r->body, "url"));
    if (strncasecmp(url, "http://", 7) != 0 && strncasecmp(url, "https://", 8) != 0) {
        reply_error(r, ERR_INVALID_FIELD, "url", "url must be an http:// or https:// address");
        return;
    }
    const char *fmt = json_string_value(json_object_get(r->body, "format"));
    if (fmt && strcmp(fmt, "json") && strcmp(fmt, "wecom") && strcmp(fmt, "dingtalk")) {
        reply_error(r, ERR_INVALID_FIELD, "format", "format must be json, wecom or dingtalk");
        return;
    }
    json_t *kinds = json_object_get(r->body, "kinds"), *k;
    size_t i;
    json_array_foreach(kinds, i, k) {
        if (!notify_kind_known(json_string_value(k)) || !strcmp(json_string_value(k), "ping")) {
            char f[32];
            snprintf(f, sizeof f, "kinds[%zu]", i);
            reply_error(r, ERR_INVALID_FIELD, f, "kinds: \"%s\" is not a notification kind",
                        json_string_value(k));
            return;
        }
    }
    char id[48], secret[48];
    util_new_id(id, sizeof id, "whk");
    memcpy(secret, "whsec_", 6);
    util_random_base32(secret + 6, 32);
    if (write_begin(r) < 0)
        return;
    struct outcome o;
    if (write_finish(r, create_txn(r, id, secret, &o), &o) < 0)
        return;
    char now[32];
    util_now_rfc3339(now);
    json_t *out = json_pack("{s:s, s:s, s:s, s:o, s:s, s:b, s:s}", "id", id, "url", url, "format",
                            fmt ? fmt : "json", "kinds", kinds ? json_incref(kinds) : json_array(),
                            "created_at", now, "active", 1, "secret", secret);
    memset(secret, 0, sizeof secret);
    reply_json(r, 201, out);
}

void h_webhooks_list(struct req *r)
{
    static const char SQL[] =
        "SELECT " HOOK_COLS " FROM webhooks w WHERE w.org_id = ?1 AND w.disabled_at IS NULL"
        " ORDER BY w.wid";
    if (org_guard(r, 0) < 0)
        return;
    sqlite3_stmt *st = db_stmt(r->w->db, SQL);
    if (!st) {
        reply_db_error(r, DB_READ);
        return;
    }
    sqlite3_bind_text(st, 1, r->params[0], -1, SQLITE_STATIC);
    json_t *items = json_array();
    while (sqlite3_step(st) == SQLITE_ROW)
        json_array_append_new(items, hook_json(st));
    sqlite3_reset(st);
    reply_json(r, 200, json_pack("{s:o, s:o}", "items", items, "kinds", notify_kinds_json()));
}

/* 0 when webhook wid of the path's organisation exists (active); answers
 * 404 and returns -1 otherwise. */
static int hook_exists(struct req *r)
{
    static const char SQL[] =
        "SELECT 1 FROM webhooks WHERE id = ?1 AND org_id = ?2 AND disabled_at IS NULL";
    sqlite3_stmt *st = db_stmt(r->w->db, SQL);
    if (!st) {
        reply_db_error(r, DB_READ);
        return -1;
    }
    sqlite3_bind_text(st, 1, r->params[1], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, r->params[0], -1, SQLITE_STATIC);
    int found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    if (!found) {
        reply_error(r, ERR_NOT_FOUND, NULL, "no webhook %s", r->params[1]);
        return -1;
    }
    return 0;
}

void h_webhook_delete(struct req *r)
{
    static const char SQL[] =
        "UPDATE webhooks SET disabled_at = ?3 WHERE id = ?1 AND org_id = ?2"
        " AND disabled_at IS NULL";
    static const char SQL_DROP[] =
        "UPDATE webhook_deliveries SET status = 'failed' WHERE webhook_id = ?1"
        " AND status = 'pending'";
    if (org_guard(r, 1) < 0 || hook_exists(r) < 0)
        return;
    if (write_begin(r) < 0)
        return;
    struct db *db = r->w->db;
    char now[32];
    util_now_rfc3339(now);
    sqlite3_stmt *st = db_stmt(db, SQL), *dr = db_stmt(db, SQL_DROP);
    int ok = st && dr;
    if (ok) {
        sqlite3_bind_text(st, 1, r->params[1], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, r->params[0], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
        ok = sqlite3_step(st) == SQLITE_DONE;
        sqlite3_reset(st);
        sqlite3_bind_text(dr, 1, r->params[1], -1, SQLITE_STATIC);
        ok = ok && sqlite3_step(dr) == SQLITE_DONE;
        sqlite3_reset(dr);
    }
    struct outcome o;
    if (write_finish(r, ok ? 0 : refuse_db(&o, db, "webhook delete"), &o) < 0)
        return;
    reply_json(r, 204, NULL);
}

void h_webhook_test(struct req *r)
{
    static const char SQL_LAST[] =
        "SELECT id FROM notifications WHERE org_id = ?1 AND kind = 'ping' ORDER BY nid DESC"
        " LIMIT 1";
    static const char SQL_DELIVERY[] =
        "INSERT INTO webhook_deliveries(webhook_id, notification_id, next_ms, created_at)"
        " VALUES (?1, ?2, ?3, ?4)";
    if (org_guard(r, 1) < 0 || hook_exists(r) < 0)
        return;
    if (write_begin(r) < 0)
        return;
    struct db *db = r->w->db;
    struct outcome o;
    int rc = notify_add(db, r->params[0], "ping", NULL);
    long long did = 0;
    sqlite3_stmt *st = rc == 0 ? db_stmt(db, SQL_LAST) : NULL;
    char nid[48] = "";
    if (st) {
        sqlite3_bind_text(st, 1, r->params[0], -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            snprintf(nid, sizeof nid, "%s", sqlite3_column_text(st, 0));
        sqlite3_reset(st);
    }
    st = nid[0] ? db_stmt(db, SQL_DELIVERY) : NULL;
    if (st) {
        char now[32];
        util_now_rfc3339(now);
        sqlite3_bind_text(st, 1, r->params[1], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, nid, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, notify_now_ms());
        sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_DONE)
            did = sqlite3_last_insert_rowid(db_handle(db));
        sqlite3_reset(st);
    }
    if (write_finish(r, did ? 0 : refuse_db(&o, db, "webhook test"), &o) < 0)
        return;
    reply_json(r, 202, json_pack("{s:I, s:s}", "delivery_id", (json_int_t)did, "status", "pending"));
}

void h_webhook_deliveries(struct req *r)
{
    static const char SQL[] =
        "SELECT d.did, d.status, d.attempts, d.next_ms, d.created_at, d.delivered_at, n.id,"
        " n.kind, n.title FROM webhook_deliveries d JOIN notifications n"
        " ON n.id = d.notification_id JOIN webhooks w ON w.id = d.webhook_id"
        " WHERE d.webhook_id = ?1 AND w.org_id = ?3 ORDER BY d.did DESC LIMIT ?2";
    static const char SQL_LOG[] =
        "SELECT at, http_status, error, ms FROM webhook_attempts WHERE delivery_id = ?1"
        " ORDER BY id";
    long limit;
    if (org_guard(r, 0) < 0 || req_long_param(r, "limit", 20, 1, 100, &limit) < 0)
        return;
    struct db *db = r->w->db;
    sqlite3_stmt *st = db_stmt(db, SQL), *lg = db_stmt(db, SQL_LOG);
    if (!st || !lg) {
        reply_db_error(r, DB_READ);
        return;
    }
    sqlite3_bind_text(st, 1, r->params[1], -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, limit);
    sqlite3_bind_text(st, 3, r->params[0], -1, SQLITE_STATIC);
    json_t *items = json_array();
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *status = (const char *)sqlite3_column_text(st, 1);
        json_t *d = json_pack("{s:I, s:s, s:i, s:s, s:{s:s, s:s, s:s, s:s}}", "id",
                              (json_int_t)sqlite3_column_int64(st, 0), "status", status,
                              "attempts", sqlite3_column_int(st, 2), "created_at",
                              sqlite3_column_text(st, 4), "notification", "id",
                              sqlite3_column_text(st, 6), "kind", sqlite3_column_text(st, 7),
                              "kind_name",
                              notify_kind_zh((const char *)sqlite3_column_text(st, 7)), "title",
                              sqlite3_column_text(st, 8));
        if (strcmp(status, "pending") == 0) {
            char at[32];
            util_time_rfc3339((time_t)(sqlite3_column_int64(st, 3) / 1000), at);
            json_object_set_new(d, "next_at", json_string(at));
        }
        if (sqlite3_column_type(st, 5) != SQLITE_NULL)
            json_object_set_new(d, "delivered_at",
                                json_string((const char *)sqlite3_column_text(st, 5)));
        json_t *log = json_array();
        sqlite3_bind_int64(lg, 1, sqlite3_column_int64(st, 0));
        while (sqlite3_step(lg) == SQLITE_ROW) {
            json_t *a = json_pack("{s:s, s:s, s:i}", "at", sqlite3_column_text(lg, 0), "error",
                                  sqlite3_column_text(lg, 2), "ms", sqlite3_column_int(lg, 3));
            json_object_set_new(a, "http_status", sqlite3_column_type(lg, 1) == SQLITE_NULL
                                                      ? json_null()
                                                      : json_integer(sqlite3_column_int(lg, 1)));
            json_array_append_new(log, a);
        }
        sqlite3_reset(lg);
        json_object_set_new(d, "attempts_log", log);
        json_array_append_new(items, d);
    }
    sqlite3_reset(st);
    reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/*
 * inbox.c - the organisation's inbox (站内信, notify.h) and the message an
 * enterprise sends a provider from a resource's page (联系服务商).
 *
 *   GET  /v1/inbox?unread=1&limit=&cursor=   newest first, with the unread count
 *   GET  /v1/inbox/kinds                     the kinds and their Chinese names
 *   POST /v1/inbox/{id}/read                 mark one read
 *   POST /v1/inbox:read                      mark all (or {"ids": [...]}) read
 *   POST /v1/resources/{id}/contact          enterprise: {message, contact?}
 *
 * Every user and key of an organisation sees the same inbox; a read mark
 * records who read it (auth_actor_json) and counts for the organisation.
 */
#include "handlers.h"

#include "auth.h"
#include "db.h"
#include "log.h"
#include "notify.h"
#include "req.h"
#include "resource.h"
#include "user.h"
#include "util.h"
#include "write.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define INBOX_COLS "nid, id, kind, title, payload, created_at, read_at"

static json_t *item_json(sqlite3_stmt *st)
{
    const char *kind = (const char *)sqlite3_column_text(st, 2);
    json_t *payload = json_loads((const char *)sqlite3_column_text(st, 4), 0, NULL);
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:b}", "id",
                          sqlite3_column_text(st, 1), "kind", kind, "kind_name",
                          notify_kind_zh(kind), "title", sqlite3_column_text(st, 3), "payload",
                          payload ? payload : json_object(), "created_at",
                          sqlite3_column_text(st, 5), "read",
                          sqlite3_column_type(st, 6) != SQLITE_NULL);
    if (sqlite3_column_type(st, 6) != SQLITE_NULL)
        json_object_set_new(o, "read_at", json_string((const char *)sqlite3_column_text(st, 6)));
    return o;
}

void h_inbox_list(struct req *r)
{
    static const char SQL[] =
        "SELECT " INBOX_COLS " FROM notifications WHERE org_id = ?1 AND nid < ?2"
        " AND kind <> 'ping' AND (?3 = 0 OR read_at IS NULL) ORDER BY nid DESC LIMIT ?4";
    long limit;
    int64_t after;
    if (req_long_param(r, "limit", 20, 1, 100, &limit) < 0 || req_cursor_param(r, &after) < 0)
        return;
    struct db *db = r->w->db;
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st) {
        reply_db_error(r, DB_READ);
        return;
    }
    sqlite3_bind_text(st, 1, r->who.org_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, after);
    sqlite3_bind_int(st, 3, req_flag(r, "unread"));
    sqlite3_bind_int64(st, 4, limit + 1);
    json_t *items = json_array();
    long n = 0;
    int64_t last = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n++ == limit)
            break;
        last = sqlite3_column_int64(st, 0);
        json_array_append_new(items, item_json(st));
    }
    sqlite3_reset(st);
    long unread = notify_unread(db, r->who.org_id);
    if ((rc != SQLITE_ROW && rc != SQLITE_DONE) || unread < 0) {
        json_decref(items);
        reply_db_error(r, DB_READ);
        return;
    }
    reply_json(r, 200, json_pack("{s:o, s:I, s:o}", "items", items, "unread", (json_int_t)unread,
                                 "next_cursor", req_next_cursor(n > limit, last)));
}

void h_inbox_kinds(struct req *r)
{
    reply_json(r, 200, json_pack("{s:o}", "items", notify_kinds_json()));
}

static char *actor_text(const struct caller *who)
{
    json_t *a = auth_actor_json(who);
    char *s = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    return s;
}

void h_inbox_read(struct req *r)
{
    static const char SQL[] =
        "UPDATE notifications SET read_at = coalesce(read_at, ?3), read_by = coalesce(read_by, ?4)"
        " WHERE id = ?1 AND org_id = ?2";
    static const char SQL_GET[] = "SELECT " INBOX_COLS " FROM notifications WHERE id = ?1";
    struct db *db = r->w->db;
    if (write_begin(r) < 0)
        return;
    char now[32];
    util_now_rfc3339(now);
    char *by = actor_text(&r->who);
    struct outcome o;
    int rc = 0;
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st) {
        rc = refuse_db(&o, db, "inbox read");
    } else {
        sqlite3_bind_text(st, 1, r->params[0], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, r->who.org_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, by, -1, SQLITE_STATIC);
        int s = sqlite3_step(st);
        sqlite3_reset(st);
        if (s != SQLITE_DONE)
            rc = refuse_db(&o, db, "inbox read");
        else if (sqlite3_changes(db_handle(db)) == 0)
            rc = refuse(&o, ERR_NOT_FOUND, NULL, "no message %s", r->params[0]);
    }
    free(by);
    if (write_finish(r, rc, &o) < 0)
        return;
    st = db_stmt(db, SQL_GET);
    json_t *out = NULL;
    if (st) {
        sqlite3_bind_text(st, 1, r->params[0], -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            out = item_json(st);
        sqlite3_reset(st);
    }
    if (!out) {
        reply_db_error(r, DB_READ);
        return;
    }
    reply_json(r, 200, out);
}

static const struct vfield READ_ALL_FIELDS[] = {
    {"ids", V_STRING_ARRAY, 0, 1, 500, 0, NULL, 64},
    VFIELD_END,
};

void h_inbox_read_all(struct req *r)
{
    static const char SQL[] =
        "UPDATE notifications SET read_at = ?2, read_by = ?3 WHERE org_id = ?1"
        " AND read_at IS NULL AND (?4 IS NULL OR id IN (SELECT value FROM json_each(?4)))";
    if (body_valid(r, READ_ALL_FIELDS) < 0)
        return;
    struct db *db = r->w->db;
    json_t *ids = json_object_get(r->body, "ids");
    char *idtext = ids ? json_dumps(ids, JSON_COMPACT) : NULL;
    char now[32];
    util_now_rfc3339(now);
    char *by = actor_text(&r->who);
    long marked = 0;
    struct outcome o;
    int rc = 0;
    if (write_begin(r) < 0) {
        free(idtext);
        free(by);
        return;
    }
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st) {
        rc = refuse_db(&o, db, "inbox read all");
    } else {
        sqlite3_bind_text(st, 1, r->who.org_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, by, -1, SQLITE_STATIC);
        db_bind_text(st, 4, idtext);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = refuse_db(&o, db, "inbox read all");
        else
            marked = sqlite3_changes(db_handle(db));
        sqlite3_reset(st);
    }
    free(idtext);
    free(by);
    if (write_finish(r, rc, &o) < 0)
        return;
    long unread = notify_unread(db, r->who.org_id);
    reply_json(r, 200, json_pack("{s:I, s:I}", "marked", (json_int_t)marked, "unread",
                                 (json_int_t)(unread > 0 ? unread : 0)));
}

/* ------------------------------------------------------------ contact */

static const struct vfield CONTACT_FIELDS[] = {
    {"name", V_STRING, 0, 1, 60, 0, NULL, 0},
    {"phone", V_STRING, 0, 1, 32, 0, NULL, 0},
    {"email", V_STRING, 0, 3, USER_EMAIL_MAX, 0, NULL, 0},
    VFIELD_END,
};

static const struct vfield MESSAGE_FIELDS[] = {
    {"message", V_STRING, 1, 1, 1000, 0, NULL, 0},
    {"contact", V_OBJECT, 0, 0, 0, 0, CONTACT_FIELDS, 0},
    VFIELD_END,
};

/* Seconds between two messages of one enterprise about one resource. */
#define CONTACT_GAP 60

static int contact_txn(struct req *r, const char *provider_id, const char *title,
                       struct outcome *o)
{
    static const char SQL_RECENT[] =
        "SELECT max(created_at) FROM notifications WHERE org_id = ?1 AND kind = 'message'"
        " AND json_extract(payload, '$.from.org.id') = ?2"
        " AND json_extract(payload, '$.resource.id') = ?3";
    struct db *db = r->w->db;
    sqlite3_stmt *st = db_stmt(db, SQL_RECENT);
    if (!st)
        return refuse_db(o, db, "contact");
    sqlite3_bind_text(st, 1, provider_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, r->who.org_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, r->params[0], -1, SQLITE_STATIC);
    long wait = 0;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        time_t last;
        if (util_parse_time((const char *)sqlite3_column_text(st, 0), &last) == 0 &&
            time(NULL) - last < CONTACT_GAP)
            wait = CONTACT_GAP - (long)(time(NULL) - last);
    }
    sqlite3_reset(st);
    if (wait > 0)
        return refuse(o, ERR_RATE_LIMITED, NULL, "you contacted this provider about this"
                      " resource a moment ago; wait %ld seconds", wait);
    /* The sender's contact: as given, else the user's own. */
    json_t *contact = json_deep_copy(json_object_get(r->body, "contact"));
    if (!contact)
        contact = json_object();
    if (r->who.user_id[0]) {
        struct user u;
        if (user_load(db, r->who.user_id, &u) == 0) {
            if (!json_object_get(contact, "name"))
                json_object_set_new(contact, "name", json_string(u.name));
            if (!json_object_get(contact, "phone") && u.phone[0])
                json_object_set_new(contact, "phone", json_string(u.phone));
            if (!json_object_get(contact, "email") && u.email[0])
                json_object_set_new(contact, "email", json_string(u.email));
        }
    }
    json_t *from = json_pack("{s:{s:s, s:s}}", "org", "id", r->who.org_id, "name", r->who.org_name);
    if (r->who.user_id[0])
        json_object_set_new(from, "user", json_pack("{s:s, s:s}", "id", r->who.user_id, "name",
                                                    r->who.user_name));
    char link[96];
    snprintf(link, sizeof link, "#/resources/%s", r->params[0]);
    json_t *payload = json_pack("{s:o, s:{s:s, s:s}, s:O, s:o, s:s}", "from", from, "resource",
                                "id", r->params[0], "title", title, "message",
                                json_object_get(r->body, "message"), "contact", contact, "link",
                                link);
    if (notify_add(db, provider_id, "message", payload) < 0)
        return refuse_db(o, db, "contact");
    return 0;
}

void h_resource_contact(struct req *r)
{
    if (r->who.role != ROLE_ENTERPRISE) {
        reply_error(r, ERR_FORBIDDEN, NULL, "only enterprises may contact a provider from here");
        return;
    }
    if (body_valid(r, MESSAGE_FIELDS) < 0)
        return;
    json_t *res = resource_get(r->w->db, r->params[0]);
    if (!res || strcmp(json_string_value(json_object_get(res, "status")), "published") != 0) {
        json_decref(res);
        reply_error(r, ERR_NOT_FOUND, NULL, "no resource %s", r->params[0]);
        return;
    }
    json_t *prov = json_object_get(res, "provider");
    char pid[48], pname[256], title[512];
    snprintf(pid, sizeof pid, "%s", json_string_value(json_object_get(prov, "id")));
    snprintf(pname, sizeof pname, "%s", json_string_value(json_object_get(prov, "name")));
    snprintf(title, sizeof title, "%s", json_string_value(json_object_get(res, "title")));
    json_decref(res);
    if (write_begin(r) < 0)
        return;
    struct outcome o;
    int rc = contact_txn(r, pid, title, &o);
    if (rc < 0 && o.err == ERR_RATE_LIMITED)
        reply_header(r, "Retry-After", "60");
    if (write_finish(r, rc, &o) < 0)
        return;
    reply_json(r, 201, json_pack("{s:b, s:{s:s, s:s}}", "sent", 1, "to", "id", pid, "name", pname));
}

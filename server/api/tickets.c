/*
 * tickets.c - O&M tickets (后期运维) of a project after go-live:
 *   POST /v1/projects/{id}/tickets                 the enterprise: {title, description?, severity?}
 *   GET  /v1/projects/{id}/tickets                 whoever may read the project
 *   POST /v1/projects/{id}/tickets/{tid}/reply     the provider or the enterprise: {text}
 *   POST /v1/projects/{id}/tickets/{tid}/close     the provider or the enterprise: {note?}
 *
 * States: open -> answered (the provider replied) -> closed; an
 * enterprise's reply to an answered ticket opens it again.  The
 * provider's first reply (or a close before any reply) fixes the
 * ticket's first-response time, a close its resolution time, both in
 * seconds since it was opened; they are never rewritten.  Each of those
 * two moments recomputes the outcome figures of the resource and the
 * provider (outcome.h) in the same transaction, and tells the other side
 * (notify.h).
 */
#include "handlers.h"

#include "auth.h"
#include "db.h"
#include "notify.h"
#include "outcome.h"
#include "project.h"
#include "req.h"
#include "util.h"
#include "write.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const SEVERITIES[] = {"low", "normal", "high", "urgent", NULL};

static const struct vfield TICKET_FIELDS[] = {
    {"title", V_STRING, 1, 1, 120, 0, NULL, 0},
    {"description", V_STRING, 0, 0, 5000, 0, NULL, 0},
    {"severity", V_STRING, 0, 1, 10, 0, NULL, 0},
    VFIELD_END,
};

static const struct vfield REPLY_FIELDS[] = {
    {"text", V_STRING, 1, 1, 5000, 0, NULL, 0},
    VFIELD_END,
};

static const struct vfield CLOSE_FIELDS[] = {
    {"note", V_STRING, 0, 0, 2000, 0, NULL, 0},
    VFIELD_END,
};

#define TICKET_COLS                                                                      \
    "id, project_id, status, severity, title, description, opened_at, opened_by,"        \
    " first_response_at, response_s, closed_at, resolution_s, closed_by, replies, version," \
    " updated_at, opened_unix"

static json_t *json_text(sqlite3_stmt *st, int col)
{
    if (sqlite3_column_type(st, col) == SQLITE_NULL)
        return json_null();
    json_t *v = json_loads((const char *)sqlite3_column_text(st, col), 0, NULL);
    return v ? v : json_null();
}

static json_t *str_or_null(sqlite3_stmt *st, int col)
{
    return sqlite3_column_type(st, col) == SQLITE_NULL
               ? json_null()
               : json_string((const char *)sqlite3_column_text(st, col));
}

static json_t *hours(sqlite3_stmt *st, int col)
{
    return sqlite3_column_type(st, col) == SQLITE_NULL
               ? json_null()
               : json_real(round(sqlite3_column_double(st, col) / 36.0) / 100.0);
}

static json_t *ticket_json(sqlite3_stmt *st)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o,"
                     " s:I, s:s}",
                     "id", sqlite3_column_text(st, 0), "project_id", sqlite3_column_text(st, 1),
                     "status", sqlite3_column_text(st, 2), "severity", sqlite3_column_text(st, 3),
                     "title", sqlite3_column_text(st, 4), "description",
                     sqlite3_column_text(st, 5), "opened_at", sqlite3_column_text(st, 6),
                     "opened_by", json_text(st, 7), "first_response_at", str_or_null(st, 8),
                     "response_seconds",
                     sqlite3_column_type(st, 9) == SQLITE_NULL
                         ? json_null()
                         : json_integer(sqlite3_column_int64(st, 9)),
                     "response_hours", hours(st, 9), "closed_at", str_or_null(st, 10),
                     "resolution_hours", hours(st, 11), "closed_by", json_text(st, 12),
                     "replies", json_text(st, 13), "version",
                     (json_int_t)sqlite3_column_int64(st, 14), "updated_at",
                     sqlite3_column_text(st, 15));
}

/* The ticket tid of project pid (new reference), or NULL. */
static json_t *ticket_load(struct db *db, const char *pid, const char *tid)
{
    static const char SQL[] = "SELECT " TICKET_COLS " FROM tickets WHERE id = ?1 AND project_id = ?2";
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return NULL;
    sqlite3_bind_text(st, 1, tid, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, pid, -1, SQLITE_STATIC);
    json_t *t = sqlite3_step(st) == SQLITE_ROW ? ticket_json(st) : NULL;
    sqlite3_reset(st);
    return t;
}

json_t *ticket_get(struct db *db, const char *tid, int *err)
{
    static const char SQL[] = "SELECT " TICKET_COLS " FROM tickets WHERE id = ?1";
    *err = 0;
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st) {
        *err = 1;
        return NULL;
    }
    sqlite3_bind_text(st, 1, tid, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    json_t *t = rc == SQLITE_ROW ? ticket_json(st) : NULL;
    *err = rc != SQLITE_ROW && rc != SQLITE_DONE;
    sqlite3_reset(st);
    return t;
}

static int tell(struct db *db, const char *org, const struct proj *p, const char *tid,
                const char *title, const char *kind)
{
    char link[96];
    snprintf(link, sizeof link, "#/projects/%s", p->id);
    return notify_add(db, org, kind,
                      json_pack("{s:{s:s, s:s}, s:{s:s, s:s}, s:s}", "project", "id", p->id,
                                "title", p->title, "ticket", "id", tid, "title", title, "link",
                                link));
}

/* ------------------------------------------------------------ open */

static int open_txn(struct req *r, const char *id, struct outcome *o)
{
    static const char SQL_LIVE[] =
        "SELECT EXISTS (SELECT 1 FROM json_each(milestones) m"
        "  WHERE json_extract(m.value, '$.code') = 'go_live'"
        "  AND json_extract(m.value, '$.actual') IS NOT NULL) FROM projects WHERE id = ?1";
    static const char SQL[] =
        "INSERT INTO tickets(id, project_id, severity, opened_at, opened_unix, updated_at, title,"
        " description, opened_by) VALUES (?1, ?2, ?3, ?4, ?5, ?4, ?6, ?7, ?8)";
    struct db *db = r->w->db;
    struct proj p;
    if (proj_load(db, r->params[0], &r->who, &p, o) < 0)
        return -1;
    if (!(proj_parties(&p, &r->who) & PARTY_ENTERPRISE))
        return refuse(o, ERR_FORBIDDEN, NULL, "only the project's enterprise opens O&M tickets");
    sqlite3_stmt *st = db_stmt(db, SQL_LIVE);
    if (!st)
        return refuse_db(o, db, "ticket");
    sqlite3_bind_text(st, 1, p.id, -1, SQLITE_STATIC);
    int live = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
    sqlite3_reset(st);
    if (!live || strcmp(p.status, "cancelled") == 0)
        return refuse(o, ERR_CONFLICT, NULL, "O&M tickets are opened after go-live; the project"
                      " is %s and has not gone live", p.status);
    json_t *b = r->body;
    const char *sev = json_string_value(json_object_get(b, "severity"));
    const char *desc = json_string_value(json_object_get(b, "description"));
    char now[32];
    util_now_rfc3339(now);
    json_t *a = auth_actor_json(&r->who);
    char *by = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    int rc = -1;
    if ((st = db_stmt(db, SQL))) {
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, p.id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, sev ? sev : "normal", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 5, (int64_t)time(NULL));
        sqlite3_bind_text(st, 6, json_string_value(json_object_get(b, "title")), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 7, desc ? desc : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 8, by, -1, SQLITE_STATIC);
        rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
        sqlite3_reset(st);
    }
    free(by);
    if (rc < 0 || tell(db, p.provider_id, &p, id, json_string_value(json_object_get(b, "title")),
                       "ticket_opened") < 0)
        return refuse_db(o, db, "ticket");
    return 0;
}

void h_ticket_create(struct req *r)
{
    if (body_valid(r, TICKET_FIELDS) < 0)
        return;
    const char *sev = json_string_value(json_object_get(r->body, "severity"));
    int known = !sev;
    for (int i = 0; sev && SEVERITIES[i]; i++)
        known |= strcmp(sev, SEVERITIES[i]) == 0;
    if (!known) {
        reply_error(r, ERR_INVALID_FIELD, "severity", "severity must be low, normal, high or urgent");
        return;
    }
    char id[48];
    util_new_id(id, sizeof id, "tkt");
    if (write_begin(r) < 0)
        return;
    struct outcome o;
    if (write_finish(r, open_txn(r, id, &o), &o) < 0)
        return;
    json_t *t = ticket_load(r->w->db, r->params[0], id);
    if (!t) {
        reply_db_error(r, DB_READ);
        return;
    }
    char loc[160];
    snprintf(loc, sizeof loc, "/v1/projects/%s/tickets/%s", r->params[0], id);
    reply_header(r, "Location", loc);
    reply_json(r, 201, t);
}

/* ------------------------------------------------------------ list */

void h_tickets_list(struct req *r)
{
    static const char SQL[] =
        "SELECT " TICKET_COLS " FROM tickets WHERE project_id = ?1 ORDER BY tid DESC";
    struct db *db = r->w->db;
    struct proj p;
    struct outcome o;
    if (proj_load(db, r->params[0], &r->who, &p, &o) < 0) {
        reply_error_text(r, o.err, o.field[0] ? o.field : NULL, o.msg, o.msg_zh);
        return;
    }
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st) {
        reply_db_error(r, DB_READ);
        return;
    }
    sqlite3_bind_text(st, 1, p.id, -1, SQLITE_STATIC);
    json_t *items = json_array();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(items, ticket_json(st));
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        json_decref(items);
        reply_db_error(r, DB_READ);
        return;
    }
    reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/* ------------------------------------------------------------ reply, close */

/* A reply (text) or a close (close = 1, text the note) by who. */
static int act_txn(struct req *r, int close, struct outcome *o)
{
    static const char SQL_T[] =
        "SELECT status, opened_unix, first_response_at IS NOT NULL, replies, title"
        " FROM tickets WHERE id = ?1 AND project_id = ?2";
    static const char SQL[] =
        "UPDATE tickets SET status = ?3, replies = ?4, updated_at = ?5, version = version + 1,"
        " first_response_at = CASE WHEN ?6 THEN ?5 ELSE first_response_at END,"
        " response_s = CASE WHEN ?6 THEN ?7 ELSE response_s END,"
        " closed_at = CASE WHEN ?3 = 'closed' THEN ?5 ELSE closed_at END,"
        " resolution_s = CASE WHEN ?3 = 'closed' THEN ?7 ELSE resolution_s END,"
        " closed_by = CASE WHEN ?3 = 'closed' THEN ?8 ELSE closed_by END"
        " WHERE id = ?1 AND project_id = ?2";
    struct db *db = r->w->db;
    struct proj p;
    if (proj_load(db, r->params[0], &r->who, &p, o) < 0)
        return -1;
    int parties = proj_parties(&p, &r->who) & (PARTY_ENTERPRISE | PARTY_PROVIDER);
    if (!parties)
        return refuse(o, ERR_FORBIDDEN, NULL, "only the project's enterprise and provider work"
                      " on its tickets");
    sqlite3_stmt *st = db_stmt(db, SQL_T);
    if (!st)
        return refuse_db(o, db, "ticket");
    sqlite3_bind_text(st, 1, r->params[1], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, p.id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    char status[16] = "", title[512] = "";
    int64_t opened = 0;
    int responded = 0;
    json_t *replies = NULL;
    if (rc == SQLITE_ROW) {
        snprintf(status, sizeof status, "%s", sqlite3_column_text(st, 0));
        opened = sqlite3_column_int64(st, 1);
        responded = sqlite3_column_int(st, 2);
        replies = json_loads((const char *)sqlite3_column_text(st, 3), 0, NULL);
        snprintf(title, sizeof title, "%s", sqlite3_column_text(st, 4));
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return refuse_db(o, db, "ticket");
    if (rc == SQLITE_DONE)
        return refuse(o, ERR_NOT_FOUND, NULL, "no ticket %s on this project", r->params[1]);
    if (strcmp(status, "closed") == 0) {
        json_decref(replies);
        return refuse(o, ERR_CONFLICT, NULL, "the ticket is closed");
    }
    if (!json_is_array(replies)) {
        json_decref(replies);
        replies = json_array();
    }
    int provider = (parties & PARTY_PROVIDER) != 0;
    const char *text = json_string_value(json_object_get(r->body, close ? "note" : "text"));
    char now[32];
    util_now_rfc3339(now);
    if (text && *text)
        json_array_append_new(replies, json_pack("{s:s, s:o, s:s, s:b}", "at", now, "by",
                                                 auth_actor_json(&r->who), "text", text, "close",
                                                 close));
    /* the provider's first word, or a close before any, is the first response */
    int first = !responded && (provider || close);
    const char *to = close ? "closed" : provider ? "answered" : "open";
    json_t *a = auth_actor_json(&r->who);
    char *by = json_dumps(a, JSON_COMPACT), *rtext = json_dumps(replies, JSON_COMPACT);
    json_decref(a);
    json_decref(replies);
    int out = -1;
    if ((st = db_stmt(db, SQL))) {
        sqlite3_bind_text(st, 1, r->params[1], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, p.id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, to, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, rtext, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 6, first);
        int64_t secs = (int64_t)time(NULL) - opened;
        sqlite3_bind_int64(st, 7, secs > 0 ? secs : 0);
        sqlite3_bind_text(st, 8, by, -1, SQLITE_STATIC);
        out = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
        sqlite3_reset(st);
    }
    free(by);
    free(rtext);
    const char *other = provider ? p.enterprise_id : p.provider_id;
    if (out < 0 || ((first || close) && outcomes_refresh(db, p.resource_id, p.provider_id, now) < 0) ||
        tell(db, other, &p, r->params[1], title, provider ? "ticket_answered" : "ticket_opened") < 0)
        return refuse_db(o, db, "ticket");
    return 0;
}

static void act(struct req *r, int close)
{
    if (body_valid(r, close ? CLOSE_FIELDS : REPLY_FIELDS) < 0 || write_begin(r) < 0)
        return;
    struct outcome o;
    if (write_finish(r, act_txn(r, close, &o), &o) < 0)
        return;
    json_t *t = ticket_load(r->w->db, r->params[0], r->params[1]);
    if (!t) {
        reply_db_error(r, DB_READ);
        return;
    }
    reply_json(r, 200, t);
}

void h_ticket_reply(struct req *r)
{
    act(r, 0);
}

void h_ticket_close(struct req *r)
{
    act(r, 1);
}

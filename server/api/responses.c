/*
 * responses.c - providers' responses to needs: respond, list, and the
 * enterprise's acceptance (which shows the provider the need's contact).
 */
#include "handlers.h"

#include "db.h"
#include "log.h"
#include "need.h"
#include "req.h"
#include "taxonomy.h"
#include "util.h"
#include "write.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *response_json(sqlite3_stmt *st)
{
    json_t *o = json_pack("{s:s, s:s, s:{s:s, s:s}, s:s, s:s, s:s, s:s, s:s}", "id",
                          sqlite3_column_text(st, 0), "need_id", sqlite3_column_text(st, 1),
                          "provider", "id", sqlite3_column_text(st, 2), "name",
                          sqlite3_column_text(st, 3), "resource_id", sqlite3_column_text(st, 4),
                          "message", sqlite3_column_text(st, 5), "status",
                          sqlite3_column_text(st, 7), "created_at", sqlite3_column_text(st, 8),
                          "updated_at", sqlite3_column_text(st, 9));
    if (sqlite3_column_type(st, 6) != SQLITE_NULL)
        json_object_set_new(o, "quote", json_real(sqlite3_column_double(st, 6)));
    return o;
}

#define RESPONSE_COLS                                                                  \
    "id, need_id, provider_id, provider_name, resource_id, message, quote, status,"    \
    " created_at, updated_at"

static const struct vfield RESPONSE_FIELDS[] = {
    {"resource_id", V_ID, 1, 0, 0, 0, NULL, 0},
    {"message", V_STRING, 0, 0, 2000, 0, NULL, 0},
    {"quote", V_NUMBER, 0, 0, 1e12, 0, NULL, 0},
    VFIELD_END,
};

void h_response_create(struct req *r)
{
    static const char SQL_NEED[] = "SELECT status FROM needs WHERE id = ?1";
    static const char SQL_RES[] = "SELECT provider_id, status FROM resources WHERE id = ?1";
    static const char SQL_INS[] =
        "INSERT INTO responses(id, need_id, provider_id, provider_name, resource_id, message,"
        " quote, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)";
    static const char SQL_GET[] = "SELECT " RESPONSE_COLS " FROM responses WHERE id = ?1";
    struct verr e;
    if (validate(r->body, RESPONSE_FIELDS, &e) < 0) {
        reply_verr(r, &e);
        return;
    }
    struct db *db = r->w->db;
    const char *res_id = json_string_value(json_object_get(r->body, "resource_id"));
    if (db_begin(db) < 0) {
        reply_error(r, ERR_UNAVAILABLE, NULL, "the database cannot be written right now");
        return;
    }
    sqlite3_stmt *st = db_stmt(db, SQL_NEED);
    sqlite3_bind_text(st, 1, r->params[0], -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        db_rollback(db);
        reply_error(r, ERR_NOT_FOUND, NULL, "no need %s", r->params[0]);
        return;
    }
    int open = strcmp((const char *)sqlite3_column_text(st, 0), "open") == 0;
    sqlite3_reset(st);
    if (!open) {
        db_rollback(db);
        reply_error(r, ERR_CONFLICT, NULL, "the need is no longer open for responses");
        return;
    }
    st = db_stmt(db, SQL_RES);
    sqlite3_bind_text(st, 1, res_id, -1, SQLITE_STATIC);
    int found = sqlite3_step(st) == SQLITE_ROW;
    int own = found && req_is_caller(r, (const char *)sqlite3_column_text(st, 0));
    int live = found && strcmp((const char *)sqlite3_column_text(st, 1), "published") == 0;
    sqlite3_reset(st);
    if (!own || !live) {
        db_rollback(db);
        reply_error(r, ERR_INVALID_FIELD, "resource_id",
                    found ? (own ? "that resource is withdrawn" : "that resource is not yours")
                          : "no such resource");
        return;
    }
    char id[48], now[32];
    util_new_id(id, sizeof id, "resp");
    util_now_rfc3339(now);
    st = db_stmt(db, SQL_INS);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, r->params[0], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, r->who.org_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, r->who.org_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, res_id, -1, SQLITE_STATIC);
    const char *msg = json_string_value(json_object_get(r->body, "message"));
    sqlite3_bind_text(st, 6, msg ? msg : "", -1, SQLITE_STATIC);
    json_t *quote = json_object_get(r->body, "quote");
    if (quote)
        sqlite3_bind_double(st, 7, json_number_value(quote));
    sqlite3_bind_text(st, 8, now, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_CONSTRAINT_UNIQUE) {
        db_rollback(db);
        reply_error(r, ERR_CONFLICT, NULL, "you have already responded to this need with this resource");
        return;
    }
    if (rc != SQLITE_DONE || db_commit(db) < 0) {
        db_rollback(db);
        reply_error(r, ERR_UNAVAILABLE, NULL, "the database cannot be written right now");
        return;
    }
    st = db_stmt(db, SQL_GET);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    json_t *out = sqlite3_step(st) == SQLITE_ROW ? response_json(st) : NULL;
    sqlite3_reset(st);
    reply_json(r, 201, out);
}

/* Answers 404 unless the caller may see need id; returns the owner. */
static char *need_owner_for(struct req *r)
{
    char *owner = NULL;
    json_t *n = need_load(r->w->db, r->params[0], &r->who, &owner);
    if (!n) {
        free(owner);
        reply_error(r, ERR_NOT_FOUND, NULL, "no need %s", r->params[0]);
        return NULL;
    }
    json_decref(n);
    return owner;
}

void h_responses_list(struct req *r)
{
    static const char SQL[] =
        "SELECT " RESPONSE_COLS " FROM responses WHERE need_id = ?1"
        " AND (?2 IS NULL OR provider_id = ?2) ORDER BY created_at, id";
    char *owner = need_owner_for(r);
    if (!owner)
        return;
    int mine = req_is_caller(r, owner);
    free(owner);
    const char *only = NULL;
    if (!mine && !(r->who.role & (ROLE_CENTER | ROLE_ADMIN))) {
        if (!(r->who.role & ROLE_PROVIDER)) {
            reply_error(r, ERR_FORBIDDEN, NULL, "only the need's enterprise, centers and responding providers see responses");
            return;
        }
        only = r->who.org_id; /* a provider sees its own responses */
    }
    sqlite3_stmt *st = db_stmt(r->w->db, SQL);
    sqlite3_bind_text(st, 1, r->params[0], -1, SQLITE_STATIC);
    db_bind_text(st, 2, only);
    json_t *items = json_array();
    while (sqlite3_step(st) == SQLITE_ROW)
        json_array_append_new(items, response_json(st));
    sqlite3_reset(st);
    reply_json(r, 200, json_pack("{s:o}", "items", items));
}

void h_response_accept(struct req *r)
{
    static const char SQL_RESP[] = "SELECT status FROM responses WHERE id = ?1 AND need_id = ?2";
    static const char SQL_ACC[] =
        "UPDATE responses SET status = 'accepted', updated_at = ?2 WHERE id = ?1";
    static const char SQL_NEED[] =
        "UPDATE needs SET status = 'matched', version = version + 1, updated_at = ?2"
        " WHERE id = ?1 AND status IN ('open', 'matched')";
    static const char SQL_GET[] = "SELECT " RESPONSE_COLS " FROM responses WHERE id = ?1";
    struct db *db = r->w->db;
    char *owner = need_owner_for(r);
    if (!owner)
        return;
    int mine = req_is_caller(r, owner);
    free(owner);
    if (!mine) {
        reply_error(r, ERR_FORBIDDEN, NULL, "only the enterprise that posted the need may accept a response");
        return;
    }
    if (db_begin(db) < 0) {
        reply_error(r, ERR_UNAVAILABLE, NULL, "the database cannot be written right now");
        return;
    }
    sqlite3_stmt *st = db_stmt(db, SQL_RESP);
    sqlite3_bind_text(st, 1, r->params[1], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, r->params[0], -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        db_rollback(db);
        reply_error(r, ERR_NOT_FOUND, NULL, "no response %s on this need", r->params[1]);
        return;
    }
    sqlite3_reset(st);
    char now[32];
    util_now_rfc3339(now);
    st = db_stmt(db, SQL_ACC);
    sqlite3_bind_text(st, 1, r->params[1], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
    int ok = sqlite3_step(st) == SQLITE_DONE;
    sqlite3_reset(st);
    st = db_stmt(db, SQL_NEED);
    sqlite3_bind_text(st, 1, r->params[0], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
    ok = ok && sqlite3_step(st) == SQLITE_DONE;
    int changed = sqlite3_changes(db_handle(db));
    sqlite3_reset(st);
    if (ok && !changed) {
        db_rollback(db);
        reply_error(r, ERR_CONFLICT, NULL, "the need is closed or in a campaign");
        return;
    }
    if (!ok || db_commit(db) < 0) {
        db_rollback(db);
        reply_error(r, ERR_UNAVAILABLE, NULL, "the database cannot be written right now");
        return;
    }
    st = db_stmt(db, SQL_GET);
    sqlite3_bind_text(st, 1, r->params[1], -1, SQLITE_STATIC);
    json_t *out = sqlite3_step(st) == SQLITE_ROW ? response_json(st) : NULL;
    sqlite3_reset(st);
    reply_json(r, 200, out);
}


/*
 * responses.c - providers' responses to needs: respond, list, and the
 * enterprise's acceptance, which shows each side the other's contact:
 * the provider sees the need's contact (need.h), the enterprise the
 * provider's (org.h), on the accepted response.
 *
 * Every write goes through write.h and tells the other side in the same
 * transaction (notify.h): a response tells the need's enterprise, an
 * acceptance the provider.  Both record who did it (auth_actor_json):
 * `by` on the response, `accepted_by` once accepted.
 */
#include "handlers.h"

#include "auth.h"
#include "db.h"
#include "log.h"
#include "need.h"
#include "notify.h"
#include "org.h"
#include "req.h"
#include "taxonomy.h"
#include "util.h"
#include "write.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RESPONSE_COLS                                                                  \
    "s.id, s.need_id, s.provider_id, s.provider_name, s.resource_id, s.message, s.quote," \
    " s.status, s.created_at, s.updated_at, s.actor, s.accepted_by, r.title"

static json_t *json_or_null(sqlite3_stmt *st, int col)
{
    json_t *v = sqlite3_column_type(st, col) == SQLITE_NULL
                    ? NULL
                    : json_loads((const char *)sqlite3_column_text(st, col), 0, NULL);
    return v ? v : json_null();
}

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
    if (sqlite3_column_type(st, 12) != SQLITE_NULL)
        json_object_set_new(o, "resource_title",
                            json_string((const char *)sqlite3_column_text(st, 12)));
    json_object_set_new(o, "by", json_or_null(st, 10));
    if (sqlite3_column_type(st, 11) != SQLITE_NULL)
        json_object_set_new(o, "accepted_by", json_or_null(st, 11));
    return o;
}

/* On an accepted response shown to the need's enterprise (or a center):
 * the provider's contact and website, as the provider sees its own. */
static void add_provider_contact(struct db *db, json_t *resp)
{
    json_t *prov = json_object_get(resp, "provider");
    const char *pid = json_string_value(json_object_get(prov, "id"));
    json_t *c = org_contact(db, pid);
    if (c)
        json_object_set_new(prov, "contact", c);
    json_t *org = org_get(db, pid);
    json_t *site = json_object_get(org, "website");
    if (site)
        json_object_set(prov, "website", site);
    json_decref(org);
}

static json_t *response_load(struct db *db, const char *id)
{
    static const char SQL[] = "SELECT " RESPONSE_COLS " FROM responses s"
                              " LEFT JOIN resources r ON r.id = s.resource_id WHERE s.id = ?1";
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return NULL;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    json_t *out = sqlite3_step(st) == SQLITE_ROW ? response_json(st) : NULL;
    sqlite3_reset(st);
    return out;
}

static char *actor_text(const struct caller *who)
{
    json_t *a = auth_actor_json(who);
    char *s = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    return s;
}

static const struct vfield RESPONSE_FIELDS[] = {
    {"resource_id", V_ID, 1, 0, 0, 0, NULL, 0},
    {"message", V_STRING, 0, 0, 2000, 0, NULL, 0},
    {"quote", V_NUMBER, 0, 0, 1e12, 0, NULL, 0},
    VFIELD_END,
};

/* ------------------------------------------------------------ respond */

static int respond_txn(struct req *r, const char *id, struct outcome *o)
{
    static const char SQL_NEED[] = "SELECT status, enterprise_id, title FROM needs WHERE id = ?1";
    static const char SQL_RES[] = "SELECT provider_id, status FROM resources WHERE id = ?1";
    static const char SQL_INS[] =
        "INSERT INTO responses(id, need_id, provider_id, provider_name, resource_id, message,"
        " quote, created_at, updated_at, actor) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9)";
    struct db *db = r->w->db;
    const char *res_id = json_string_value(json_object_get(r->body, "resource_id"));
    sqlite3_stmt *st = db_stmt(db, SQL_NEED);
    if (!st)
        return refuse_db(o, db, "response");
    sqlite3_bind_text(st, 1, r->params[0], -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return refuse(o, ERR_NOT_FOUND, NULL, "no need %s", r->params[0]);
    }
    int open = strcmp((const char *)sqlite3_column_text(st, 0), "open") == 0;
    int draft = strcmp((const char *)sqlite3_column_text(st, 0), "draft") == 0;
    char owner[48], title[512];
    snprintf(owner, sizeof owner, "%s", sqlite3_column_text(st, 1));
    snprintf(title, sizeof title, "%s", sqlite3_column_text(st, 2));
    sqlite3_reset(st);
    if (draft) /* not published: hidden from providers */
        return refuse(o, ERR_NOT_FOUND, NULL, "no need %s", r->params[0]);
    if (!open)
        return refuse(o, ERR_CONFLICT, NULL, "the need is no longer open for responses");
    st = db_stmt(db, SQL_RES);
    if (!st)
        return refuse_db(o, db, "response");
    sqlite3_bind_text(st, 1, res_id, -1, SQLITE_STATIC);
    int found = sqlite3_step(st) == SQLITE_ROW;
    int own = found && req_is_caller(r, (const char *)sqlite3_column_text(st, 0));
    int live = found && strcmp((const char *)sqlite3_column_text(st, 1), "published") == 0;
    sqlite3_reset(st);
    if (!found)
        return refuse(o, ERR_INVALID_FIELD, "resource_id", "no such resource");
    if (!own)
        return refuse(o, ERR_INVALID_FIELD, "resource_id", "that resource is not yours");
    if (!live)
        return refuse(o, ERR_INVALID_FIELD, "resource_id", "that resource is withdrawn");
    char now[32];
    util_now_rfc3339(now);
    st = db_stmt(db, SQL_INS);
    if (!st)
        return refuse_db(o, db, "response");
    char *by = actor_text(&r->who);
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
    sqlite3_bind_text(st, 9, by, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    free(by);
    if (rc == SQLITE_CONSTRAINT_UNIQUE)
        return refuse(o, ERR_CONFLICT, NULL,
                      "you have already responded to this need with this resource");
    if (rc != SQLITE_DONE)
        return refuse_db(o, db, "response insert");
    char link[96];
    snprintf(link, sizeof link, "#/needs/%s", r->params[0]);
    if (notify_add(db, owner, "response_received",
                   json_pack("{s:{s:s, s:s}, s:{s:s, s:s}, s:s, s:s}", "need", "id", r->params[0],
                             "title", title, "provider", "id", r->who.org_id, "name",
                             r->who.org_name, "response_id", id, "link", link)) < 0)
        return refuse_db(o, db, "response notify");
    return 0;
}

void h_response_create(struct req *r)
{
    if (body_valid(r, RESPONSE_FIELDS) < 0)
        return;
    char id[48];
    util_new_id(id, sizeof id, "resp");
    if (write_begin(r) < 0)
        return;
    struct outcome o;
    if (write_finish(r, respond_txn(r, id, &o), &o) < 0)
        return;
    reply_json(r, 201, response_load(r->w->db, id));
}

/* ------------------------------------------------------------ list */

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
        "SELECT " RESPONSE_COLS " FROM responses s LEFT JOIN resources r ON r.id = s.resource_id"
        " WHERE s.need_id = ?1 AND (?2 IS NULL OR s.provider_id = ?2)"
        " ORDER BY s.created_at, s.id";
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
    struct db *db = r->w->db;
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st) {
        reply_db_error(r, DB_READ);
        return;
    }
    sqlite3_bind_text(st, 1, r->params[0], -1, SQLITE_STATIC);
    db_bind_text(st, 2, only);
    json_t *items = json_array();
    while (sqlite3_step(st) == SQLITE_ROW)
        json_array_append_new(items, response_json(st));
    sqlite3_reset(st);
    if (!only) { /* the enterprise and centers: the accepted provider's contact */
        size_t i;
        json_t *v;
        json_array_foreach(items, i, v)
            if (strcmp(json_string_value(json_object_get(v, "status")), "accepted") == 0)
                add_provider_contact(db, v);
    }
    reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/* ------------------------------------------------------------ accept */

static int accept_txn(struct req *r, struct outcome *o)
{
    static const char SQL_RESP[] =
        "SELECT s.provider_id, n.title FROM responses s JOIN needs n ON n.id = s.need_id"
        " WHERE s.id = ?1 AND s.need_id = ?2";
    static const char SQL_ACC[] =
        "UPDATE responses SET status = 'accepted', updated_at = ?2, accepted_by = ?3"
        " WHERE id = ?1";
    static const char SQL_NEED[] =
        "UPDATE needs SET status = 'matched', version = version + 1, updated_at = ?2"
        " WHERE id = ?1 AND status IN ('open', 'matched')";
    struct db *db = r->w->db;
    sqlite3_stmt *st = db_stmt(db, SQL_RESP);
    if (!st)
        return refuse_db(o, db, "accept");
    sqlite3_bind_text(st, 1, r->params[1], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, r->params[0], -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return refuse(o, ERR_NOT_FOUND, NULL, "no response %s on this need", r->params[1]);
    }
    char provider[48], title[512];
    snprintf(provider, sizeof provider, "%s", sqlite3_column_text(st, 0));
    snprintf(title, sizeof title, "%s", sqlite3_column_text(st, 1));
    sqlite3_reset(st);
    char now[32];
    util_now_rfc3339(now);
    st = db_stmt(db, SQL_NEED);
    if (!st)
        return refuse_db(o, db, "accept");
    sqlite3_bind_text(st, 1, r->params[0], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
    int ok = sqlite3_step(st) == SQLITE_DONE;
    int changed = sqlite3_changes(db_handle(db));
    sqlite3_reset(st);
    if (!ok)
        return refuse_db(o, db, "accept");
    if (!changed)
        return refuse(o, ERR_CONFLICT, NULL, "the need is closed or in a campaign");
    st = db_stmt(db, SQL_ACC);
    if (!st)
        return refuse_db(o, db, "accept");
    char *by = actor_text(&r->who);
    sqlite3_bind_text(st, 1, r->params[1], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, by, -1, SQLITE_STATIC);
    ok = sqlite3_step(st) == SQLITE_DONE;
    sqlite3_reset(st);
    free(by);
    if (!ok)
        return refuse_db(o, db, "accept");
    char link[96];
    snprintf(link, sizeof link, "#/needs/%s", r->params[0]);
    if (notify_add(db, provider, "response_accepted",
                   json_pack("{s:{s:s, s:s}, s:{s:s, s:s}, s:s, s:s}", "need", "id", r->params[0],
                             "title", title, "enterprise", "id", r->who.org_id, "name",
                             r->who.org_name, "response_id", r->params[1], "link", link)) < 0)
        return refuse_db(o, db, "accept notify");
    return 0;
}

void h_response_accept(struct req *r)
{
    char *owner = need_owner_for(r);
    if (!owner)
        return;
    int mine = req_is_caller(r, owner);
    free(owner);
    if (!mine) {
        reply_error(r, ERR_FORBIDDEN, NULL, "only the enterprise that posted the need may accept a response");
        return;
    }
    if (write_begin(r) < 0)
        return;
    struct outcome o;
    if (write_finish(r, accept_txn(r, &o), &o) < 0)
        return;
    json_t *out = response_load(r->w->db, r->params[1]);
    if (out)
        add_provider_contact(r->w->db, out);
    reply_json(r, 200, out);
}

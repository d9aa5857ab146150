/*
 * need.c - needs, their visibility rules and provider responses (see
 * need.h).  Writes follow resource.c: validate, BEGIN IMMEDIATE, write
 * (the FTS5 triggers keep needs_fts in step), COMMIT, bump the cache
 * generation, answer.
 */
#include "need.h"

#include "cache.h"
#include "db.h"
#include "log.h"
#include "taxonomy.h"
#include "util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOV {NULL, 0, 0, 0, 0, 0, NULL, 0}

static const struct vfield BUDGET_FIELDS[] = {
    {"max", V_NUMBER, 1, 0, 1e12, 0, NULL, 0},
    NOV,
};

static const struct vfield CONTACT_FIELDS[] = {
    {"name", V_STRING, 0, 1, 60, 0, NULL, 0},
    {"phone", V_STRING, 0, 3, 32, 0, NULL, 0},
    {"email", V_STRING, 0, 3, 120, 0, NULL, 0},
    NOV,
};

static const struct vfield NEED_FIELDS[] = {
    {"title", V_STRING, 1, 1, 120, 0, NULL, 0},
    {"description", V_STRING, 0, 0, 20000, 0, NULL, 0},
    {"industry", V_CODE, 1, 0, 0, TAX_INDUSTRY, NULL, 0},
    {"scenarios", V_CODE_ARRAY, 1, 1, 20, TAX_SCENARIO, NULL, 0},
    {"region", V_CODE, 0, 0, 0, TAX_REGION, NULL, 0},
    {"budget", V_OBJECT, 0, 0, 0, 0, BUDGET_FIELDS, 0},
    {"enterprise_size", V_CODE, 0, 0, 0, TAX_SIZE, NULL, 0},
    {"current_level", V_INT, 0, 1, 4, 0, NULL, 0},
    {"target_level", V_INT, 0, 1, 4, 0, NULL, 0},
    {"deadline", V_DAY, 0, 0, 0, 0, NULL, 0},
    {"contact", V_OBJECT, 0, 0, 0, 0, CONTACT_FIELDS, 0},
    NOV,
};

int need_validate(json_t *doc, struct verr *e)
{
    if (validate(doc, NEED_FIELDS, e) < 0)
        return -1;
    json_t *cur = json_object_get(doc, "current_level"), *tgt = json_object_get(doc, "target_level");
    if (cur && tgt && json_integer_value(tgt) < json_integer_value(cur))
        return verr_set(e, "target_level", "target_level must not be below current_level");
    json_t *c = json_object_get(doc, "contact");
    const char *email = json_string_value(json_object_get(c, "email"));
    if (email && !strchr(email, '@'))
        return verr_set(e, "contact.email", "contact.email must be an e-mail address");
    return 0;
}

json_t *need_row_json(sqlite3_stmt *st, int c, int show_contact)
{
    json_t *doc = json_loads((const char *)sqlite3_column_text(st, c + 4), 0, NULL);
    json_t *out = json_object();
    json_object_set_new(out, "id", json_string((const char *)sqlite3_column_text(st, c + 1)));
    if (doc)
        json_object_update(out, doc);
    json_decref(doc);
    if (!show_contact)
        json_object_del(out, "contact");
    json_object_set_new(out, "enterprise",
                        json_pack("{s:s, s:s}", "id", sqlite3_column_text(st, c + 2), "name",
                                  sqlite3_column_text(st, c + 3)));
    json_object_set_new(out, "status", json_string((const char *)sqlite3_column_text(st, c + 5)));
    json_object_set_new(out, "version", json_integer(sqlite3_column_int64(st, c + 6)));
    json_object_set_new(out, "created_at", json_string((const char *)sqlite3_column_text(st, c + 7)));
    json_object_set_new(out, "updated_at", json_string((const char *)sqlite3_column_text(st, c + 8)));
    return out;
}

int need_contact_visible(struct db *db, const char *need_id, const char *owner,
                         const struct caller *who)
{
    static const char SQL[] =
        "SELECT 1 FROM responses WHERE need_id = ?1 AND provider_id = ?2 AND status = 'accepted'";
    if (who->role & (ROLE_CENTER | ROLE_ADMIN))
        return 1;
    if (strcmp(who->org_id, owner) == 0)
        return 1;
    if (!(who->role & ROLE_PROVIDER))
        return 0;
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return 0;
    sqlite3_bind_text(st, 1, need_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, who->org_id, -1, SQLITE_STATIC);
    int yes = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    return yes;
}

/* Binds the columns derived from doc: ?1 industry_bit, ?2 scenario_mask,
 * ?3 region_bit, ?4 title, ?5 description, ?6 doc (text in *text). */
static void bind_need(sqlite3_stmt *st, json_t *doc, char **text)
{
    int ind = tax_index(TAX_INDUSTRY, json_string_value(json_object_get(doc, "industry")));
    sqlite3_bind_int64(st, 1, (int64_t)1 << ind);
    sqlite3_bind_int64(st, 2, tax_mask(TAX_SCENARIO, json_object_get(doc, "scenarios")));
    const char *reg = json_string_value(json_object_get(doc, "region"));
    sqlite3_bind_int64(st, 3, reg ? (int64_t)1 << tax_index(TAX_REGION, reg) : 0);
    sqlite3_bind_text(st, 4, json_string_value(json_object_get(doc, "title")), -1, SQLITE_STATIC);
    const char *d = json_string_value(json_object_get(doc, "description"));
    sqlite3_bind_text(st, 5, d ? d : "", -1, SQLITE_STATIC);
    *text = json_dumps(doc, JSON_COMPACT);
    sqlite3_bind_text(st, 6, *text, -1, SQLITE_STATIC);
}

/* Loads need id; NULL when it does not exist or the caller may not see
 * it.  *owner receives the enterprise id (caller frees). */
static json_t *need_load(struct db *db, const char *id, const struct caller *who, char **owner)
{
    static const char SQL[] = "SELECT " NEED_COLS " FROM needs n WHERE n.id = ?1";
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return NULL;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    json_t *out = NULL;
    char *o = NULL;
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *ent = (const char *)sqlite3_column_text(st, 2);
        if (strcmp(ent, who->org_id) == 0 || (who->role & (ROLE_CENTER | ROLE_ADMIN | ROLE_PROVIDER))) {
            out = need_row_json(st, 0, 1);
            o = xstrdup(ent);
        }
    }
    sqlite3_reset(st);
    if (out && !need_contact_visible(db, id, o, who))
        json_object_del(out, "contact");
    if (owner)
        *owner = o;
    else
        free(o);
    return out;
}

static void reply_need(struct req *r, int status, const char *id)
{
    json_t *n = need_load(r->w->db, id, &r->who, NULL);
    if (!n) {
        reply_error(r, ERR_UNAVAILABLE, NULL, "the database cannot be read right now");
        return;
    }
    char etag[32];
    snprintf(etag, sizeof etag, "\"%" JSON_INTEGER_FORMAT "\"",
             json_integer_value(json_object_get(n, "version")));
    reply_header(r, "ETag", etag);
    if (status == 201) {
        char loc[96];
        snprintf(loc, sizeof loc, "/v1/needs/%s", id);
        reply_header(r, "Location", loc);
    }
    reply_json(r, status, n);
}

int need_store(struct db *db, const char *ent_id, const char *ent_name, json_t *doc,
               char id[48])
{
    static const char SQL[] =
        "INSERT INTO needs(industry_bit, scenario_mask, region_bit, title, description, doc,"
        " id, enterprise_id, enterprise_name, created_at, updated_at)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)";
    char now[32], *text = NULL;
    util_new_id(id, 48, "need");
    util_now_rfc3339(now);
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    bind_need(st, doc, &text);
    sqlite3_bind_text(st, 7, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, ent_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, ent_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 10, now, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    free(text);
    if (rc != SQLITE_DONE) {
        log_error("need insert: %s", sqlite3_errmsg(db_handle(db)));
        return -1;
    }
    return 0;
}

void h_need_create(struct req *r)
{
    struct verr e;
    if (need_validate(r->body, &e) < 0) {
        reply_error(r, ERR_INVALID_FIELD, e.field, "%s", e.msg);
        return;
    }
    struct db *db = r->w->db;
    char id[48];
    if (db_begin(db) < 0 || need_store(db, r->who.org_id, r->who.org_name, r->body, id) < 0 ||
        db_commit(db) < 0) {
        db_rollback(db);
        reply_error(r, ERR_UNAVAILABLE, NULL, "the database cannot be written right now");
        return;
    }
    reply_need(r, 201, id);
}

void h_need_get(struct req *r)
{
    json_t *n = need_load(r->w->db, r->params[0], &r->who, NULL);
    if (!n) {
        reply_error(r, ERR_NOT_FOUND, NULL, "no need %s", r->params[0]);
        return;
    }
    reply_json(r, 200, n);
}

void h_need_patch(struct req *r)
{
    static const char SQL_GET[] =
        "SELECT enterprise_id, version, doc, status FROM needs WHERE id = ?1";
    static const char SQL_UPD[] =
        "UPDATE needs SET industry_bit = ?1, scenario_mask = ?2, region_bit = ?3, title = ?4,"
        " description = ?5, doc = ?6, status = ?7, version = version + 1, updated_at = ?8"
        " WHERE id = ?9";
    struct db *db = r->w->db;
    int64_t want;
    if (req_if_match(r, &want) < 0)
        return;
    /* status is the one field a need's owner sets that is not in the doc. */
    json_t *status_v = json_object_get(r->body, "status");
    const char *new_status = NULL;
    if (status_v) {
        new_status = json_string_value(status_v);
        if (!new_status || (strcmp(new_status, "open") != 0 && strcmp(new_status, "closed") != 0)) {
            reply_error(r, ERR_INVALID_FIELD, "status", "status may be set to open or closed");
            return;
        }
    }
    if (db_begin(db) < 0) {
        reply_error(r, ERR_UNAVAILABLE, NULL, "the database cannot be written right now");
        return;
    }
    sqlite3_stmt *st = db_stmt(db, SQL_GET);
    if (!st || (sqlite3_bind_text(st, 1, r->params[0], -1, SQLITE_STATIC),
                sqlite3_step(st) != SQLITE_ROW)) {
        if (st)
            sqlite3_reset(st);
        db_rollback(db);
        reply_error(r, ERR_NOT_FOUND, NULL, "no need %s", r->params[0]);
        return;
    }
    int mine = req_is_caller(r, (const char *)sqlite3_column_text(st, 0));
    int64_t version = sqlite3_column_int64(st, 1);
    json_t *old = json_loads((const char *)sqlite3_column_text(st, 2), 0, NULL);
    char cur_status[16];
    snprintf(cur_status, sizeof cur_status, "%s", sqlite3_column_text(st, 3));
    sqlite3_reset(st);
    if (!mine) {
        json_decref(old);
        db_rollback(db);
        if (r->who.role & (ROLE_CENTER | ROLE_ADMIN | ROLE_PROVIDER))
            reply_error(r, ERR_FORBIDDEN, NULL, "only the enterprise that posted a need may change it");
        else
            reply_error(r, ERR_NOT_FOUND, NULL, "no need %s", r->params[0]);
        return;
    }
    if (want && want != version) {
        json_decref(old);
        db_rollback(db);
        reply_error(r, ERR_CONFLICT, NULL, "If-Match names version %" PRId64
                    " but the need is at version %" PRId64, want, version);
        return;
    }
    if (new_status && strcmp(cur_status, "in_campaign") == 0) {
        json_decref(old);
        db_rollback(db);
        reply_error(r, ERR_CONFLICT, "status", "the need is in a campaign; leave the campaign first");
        return;
    }
    json_t *patch = json_deep_copy(r->body);
    json_object_del(patch, "status");
    json_t *doc = json_merge_patch(old, patch);
    json_decref(old);
    json_decref(patch);
    struct verr e;
    if (need_validate(doc, &e) < 0) {
        json_decref(doc);
        db_rollback(db);
        reply_error(r, ERR_INVALID_FIELD, e.field, "%s", e.msg);
        return;
    }
    char now[32], *text = NULL;
    util_now_rfc3339(now);
    st = db_stmt(db, SQL_UPD);
    int rc = SQLITE_ERROR;
    if (st) {
        bind_need(st, doc, &text);
        sqlite3_bind_text(st, 7, new_status ? new_status : cur_status, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 8, now, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 9, r->params[0], -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
        free(text);
    }
    json_decref(doc);
    if (rc != SQLITE_DONE || db_commit(db) < 0) {
        db_rollback(db);
        reply_error(r, ERR_UNAVAILABLE, NULL, "the database cannot be written right now");
        return;
    }
    reply_need(r, 200, r->params[0]);
}

void h_needs_list(struct req *r)
{
    static const char SQL[] =
        "SELECT " NEED_COLS " FROM needs n"
        " WHERE (?1 IS NULL OR n.status = ?1) AND n.nid < ?2"
        " AND (?3 = 0 OR n.industry_bit & ?3) AND (?4 = 0 OR n.scenario_mask & ?4)"
        " AND (?5 = 0 OR n.region_bit & ?5) AND (?6 IS NULL OR n.enterprise_id = ?6)"
        " ORDER BY n.nid DESC LIMIT ?7";
    long limit;
    int64_t inds, scns, regs;
    if (req_long_param(r, "limit", 20, 1, 100, &limit) < 0 ||
        req_mask_param(r, "industry", TAX_INDUSTRY, &inds) < 0 ||
        req_mask_param(r, "scenario", TAX_SCENARIO, &scns) < 0 ||
        req_mask_param(r, "region", TAX_REGION, &regs) < 0)
        return;
    const char *status = req_query(r, "status");
    static const char *const STATUSES[] = {"open", "matched", "in_campaign", "closed", "all"};
    int ok = !status || !*status;
    for (int i = 0; i < 5 && !ok; i++)
        ok = strcmp(status, STATUSES[i]) == 0;
    if (!ok) {
        reply_error(r, ERR_BAD_PARAM, "status", "status must be open, matched, in_campaign, closed or all");
        return;
    }
    if (!status || !*status)
        status = r->who.role == ROLE_ENTERPRISE ? "all" : "open";
    if (strcmp(status, "all") == 0)
        status = NULL;
    int64_t after = INT64_MAX;
    const char *cursor = req_query(r, "cursor");
    if (cursor && *cursor) {
        char *end;
        long long v = strncmp(cursor, "c1", 2) == 0 ? strtoll(cursor + 2, &end, 16) : 0;
        if (v <= 0 || *end) {
            reply_error(r, ERR_BAD_PARAM, "cursor", "cursor is not one this server returned");
            return;
        }
        after = v;
    }
    /* Enterprises see only their own needs. */
    const char *owner = r->who.role == ROLE_ENTERPRISE ? r->who.org_id : NULL;
    sqlite3_stmt *st = db_stmt(r->w->db, SQL);
    if (!st) {
        reply_error(r, ERR_UNAVAILABLE, NULL, "the database cannot be read right now");
        return;
    }
    db_bind_text(st, 1, status);
    sqlite3_bind_int64(st, 2, after);
    sqlite3_bind_int64(st, 3, inds);
    sqlite3_bind_int64(st, 4, scns);
    sqlite3_bind_int64(st, 5, regs);
    db_bind_text(st, 6, owner);
    sqlite3_bind_int64(st, 7, limit + 1);
    json_t *items = json_array();
    int64_t last = 0;
    int more = 0;
    int see_all = (r->who.role & (ROLE_CENTER | ROLE_ADMIN)) || owner;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if ((long)json_array_size(items) == limit) {
            more = 1;
            break;
        }
        last = sqlite3_column_int64(st, 0);
        json_array_append_new(items, need_row_json(st, 0, see_all));
    }
    sqlite3_reset(st);
    if (!see_all) { /* a provider sees contacts of needs whose response was accepted */
        size_t i;
        json_t *n;
        json_array_foreach(items, i, n) {
            const char *nid = json_string_value(json_object_get(n, "id"));
            const char *ent = json_string_value(json_object_get(json_object_get(n, "enterprise"), "id"));
            if (need_contact_visible(r->w->db, nid, ent, &r->who)) {
                json_t *full = need_load(r->w->db, nid, &r->who, NULL);
                if (full)
                    json_array_set_new(items, i, full);
            }
        }
    }
    json_t *next = json_null();
    if (more) {
        char buf[32];
        snprintf(buf, sizeof buf, "c1%llx", (unsigned long long)last);
        next = json_string(buf);
    }
    reply_json(r, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
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
    return o;
}

#define RESPONSE_COLS                                                                  \
    "id, need_id, provider_id, provider_name, resource_id, message, quote, status,"    \
    " created_at, updated_at"

static const struct vfield RESPONSE_FIELDS[] = {
    {"resource_id", V_ID, 1, 0, 0, 0, NULL, 0},
    {"message", V_STRING, 0, 0, 2000, 0, NULL, 0},
    {"quote", V_NUMBER, 0, 0, 1e12, 0, NULL, 0},
    NOV,
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
        reply_error(r, ERR_INVALID_FIELD, e.field, "%s", e.msg);
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

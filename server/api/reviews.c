/*
 * reviews.c - ratings and reviews of resources by enterprises that really
 * bought (POST and GET /v1/resources/{id}/reviews): an accepted project
 * with this resource (project_id, issue 19), an accepted participation in
 * a campaign run with it, or an accepted response with it to one of the
 * enterprise's needs.  A review is one organisation's word on another's
 * work: an organisation never reviews its own resource.  A review updates
 * the resource's rating_sum and rating_count in the same transaction;
 * stars are one signal of matching's quality part among the verified
 * outcomes (outcome.h).
 */
#include "handlers.h"

#include "auth.h"
#include "campaign.h"
#include "db.h"
#include "log.h"
#include "need.h"
#include "req.h"
#include "resource.h"
#include "taxonomy.h"
#include "util.h"
#include "write.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------ reviews */

/* Reviewers' names and the need a review came from are shown to centers,
 * admins, the resource's provider and the reviewer; others see ratings. */
static json_t *review_json(const char *id, const char *res_id, const char *ent_id,
                           const char *ent_name, const char *camp_id, const char *need_id,
                           int rating, const char *text, const char *at, int show_who)
{
    json_t *o = json_pack("{s:s, s:s, s:i, s:s, s:s}", "id", id, "resource_id", res_id,
                          "rating", rating, "text", text ? text : "", "created_at", at);
    if (camp_id)
        json_object_set_new(o, "campaign_id", json_string(camp_id));
    if (show_who) {
        json_object_set_new(o, "enterprise", json_pack("{s:s, s:s}", "id", ent_id, "name", ent_name));
        if (need_id)
            json_object_set_new(o, "need_id", json_string(need_id));
    }
    return o;
}

/* Writes the review; the campaign or need it is about (from the body, or
 * from its project) is copied to about_camp / about_need ("" if not). */
static int review_txn(struct req *r, const char *id, const char *now, char about_camp[48],
                      char about_need[48], struct outcome *o)
{
    static const char SQL_MAY[] =
        "SELECT (SELECT count(*) FROM participants p JOIN campaigns c ON c.id = p.campaign_id"
        "   WHERE p.campaign_id = ?1 AND p.org_id = ?2 AND p.status = 'accepted'"
        "   AND c.resource_id = ?3)"
        " + (SELECT count(*) FROM needs n JOIN responses s ON s.need_id = n.id"
        "   WHERE n.id = ?4 AND n.enterprise_id = ?2 AND s.resource_id = ?3"
        "   AND s.status = 'accepted')";
    static const char SQL_INS[] =
        "INSERT INTO reviews(id, resource_id, enterprise_id, enterprise_name, campaign_id,"
        " need_id, rating, text, created_at, actor)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
    static const char SQL_RATE[] =
        "UPDATE resources SET rating_sum = rating_sum + ?2, rating_count = rating_count + 1"
        " WHERE id = ?1";
    struct db *db = r->w->db;
    json_t *b = r->body;
    const char *res_id = r->params[0];
    const char *camp = json_string_value(json_object_get(b, "campaign_id"));
    const char *need = json_string_value(json_object_get(b, "need_id"));
    char proj_camp[48] = "", proj_need[48] = "";
    const char *proj = json_string_value(json_object_get(b, "project_id"));
    if (proj) {
        /* an accepted project of this enterprise with this resource; the
         * review is then about its campaign or its need, as one would be */
        static const char SQL_PROJ[] =
            "SELECT coalesce(campaign_id, ''), coalesce(need_id, '') FROM projects"
            " WHERE id = ?1 AND enterprise_id = ?2 AND resource_id = ?3 AND status = 'accepted'";
        sqlite3_stmt *ps = db_stmt(db, SQL_PROJ);
        if (!ps)
            return refuse_db(o, db, __func__);
        sqlite3_bind_text(ps, 1, proj, -1, SQLITE_STATIC);
        sqlite3_bind_text(ps, 2, r->who.org_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(ps, 3, res_id, -1, SQLITE_STATIC);
        int k = sqlite3_step(ps);
        if (k == SQLITE_ROW) {
            snprintf(proj_camp, sizeof proj_camp, "%s", sqlite3_column_text(ps, 0));
            snprintf(proj_need, sizeof proj_need, "%s", sqlite3_column_text(ps, 1));
        }
        sqlite3_reset(ps);
        if (k != SQLITE_ROW && k != SQLITE_DONE)
            return refuse_db(o, db, __func__);
        if (k == SQLITE_DONE) {
            json_t *res0 = resource_get(db, res_id);
            const char *p0 = res0 ? json_string_value(json_object_get(json_object_get(res0, "provider"), "id")) : NULL;
            int own0 = p0 && req_is_caller(r, p0);
            json_decref(res0);
            if (!res0)
                return refuse(o, ERR_NOT_FOUND, NULL, "no resource %s", res_id);
            if (own0)
                return refuse(o, ERR_FORBIDDEN, NULL, "an organisation may not review its own resource");
            return refuse(o, ERR_FORBIDDEN, NULL, "only the enterprise of an accepted project"
                          " with this resource may review it");
        }
        camp = proj_camp[0] ? proj_camp : NULL;
        need = camp ? NULL : proj_need;
    }
    snprintf(about_camp, 48, "%s", camp ? camp : "");
    snprintf(about_need, 48, "%s", need ? need : "");
    json_t *res = resource_get(db, res_id);
    if (!res)
        return refuse(o, ERR_NOT_FOUND, NULL, "no resource %s", res_id);
    /* A review is one organisation's word on another's work: an
     * organisation holding an enterprise key too may not rate its own. */
    const char *provider =
        json_string_value(json_object_get(json_object_get(res, "provider"), "id"));
    int own = req_is_caller(r, provider);
    json_decref(res);
    if (own)
        return refuse(o, ERR_FORBIDDEN, NULL, "an organisation may not review its own resource");
    sqlite3_stmt *st = db_stmt(db, SQL_MAY);
    if (!st)
        return refuse_db(o, db, __func__);
    db_bind_text(st, 1, camp);
    sqlite3_bind_text(st, 2, r->who.org_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, res_id, -1, SQLITE_STATIC);
    db_bind_text(st, 4, need);
    int rc = sqlite3_step(st);
    int may = rc == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return refuse_db(o, db, __func__);
    if (!may)
        return refuse(o, ERR_FORBIDDEN, NULL, camp ? "only an accepted participant of that"
                      " campaign, run with this resource, may review it"
                      : "only the enterprise that accepted a response with this resource"
                      " to that need may review it");
    int rating = (int)json_integer_value(json_object_get(b, "rating"));
    const char *text = json_string_value(json_object_get(b, "text"));
    st = db_stmt(db, SQL_INS);
    if (!st)
        return refuse_db(o, db, __func__);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, res_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, r->who.org_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, r->who.org_name, -1, SQLITE_STATIC);
    db_bind_text(st, 5, camp);
    db_bind_text(st, 6, need);
    sqlite3_bind_int(st, 7, rating);
    sqlite3_bind_text(st, 8, text ? text : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, now, -1, SQLITE_STATIC);
    json_t *actor = auth_actor_json(&r->who); /* the user or key behind it (issue 21) */
    char *by = json_dumps(actor, JSON_COMPACT);
    json_decref(actor);
    sqlite3_bind_text(st, 10, by, -1, SQLITE_TRANSIENT);
    free(by);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_CONSTRAINT_UNIQUE)
        return refuse(o, ERR_CONFLICT, NULL, "you have already reviewed this resource for this %s",
                      camp ? "campaign" : "need");
    if (rc != SQLITE_DONE)
        return refuse_db(o, db, __func__);
    st = db_stmt(db, SQL_RATE);
    if (!st)
        return refuse_db(o, db, __func__);
    sqlite3_bind_text(st, 1, res_id, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, rating);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : refuse_db(o, db, __func__);
}

void h_review_create(struct req *r)
{
    if (body_valid(r, REVIEW_FIELDS) < 0)
        return;
    json_t *b = r->body;
    const char *camp = json_string_value(json_object_get(b, "campaign_id"));
    const char *need = json_string_value(json_object_get(b, "need_id"));
    const char *proj = json_string_value(json_object_get(b, "project_id"));
    if ((camp != NULL) + (need != NULL) + (proj != NULL) != 1) {
        reply_error(r, ERR_INVALID_FIELD, "campaign_id", "give exactly one of project_id,"
                    " campaign_id and need_id: what the review is about");
        return;
    }
    if (write_begin(r) < 0)
        return;
    char id[48], now[32];
    util_new_id(id, sizeof id, "rev");
    util_now_rfc3339(now);
    struct outcome o;
    char about_camp[48] = "", about_need[48] = "";
    int rc = review_txn(r, id, now, about_camp, about_need, &o);
    if (write_finish(r, rc, &o) < 0) /* the one write path (write.h) */
        return;
    char loc[128];
    snprintf(loc, sizeof loc, "/v1/resources/%s/reviews", r->params[0]);
    reply_header(r, "Location", loc);
    reply_json(r, 201, review_json(id, r->params[0], r->who.org_id, r->who.org_name,
                                   about_camp[0] ? about_camp : NULL,
                                   about_need[0] ? about_need : NULL,
                                   (int)json_integer_value(json_object_get(b, "rating")),
                                   json_string_value(json_object_get(b, "text")), now, 1));
}

void h_reviews_list(struct req *r)
{
    static const char SQL[] =
        "SELECT rvid, id, enterprise_id, enterprise_name, campaign_id, need_id, rating, text,"
        " created_at FROM reviews WHERE resource_id = ?1 AND rvid < ?2"
        " ORDER BY rvid DESC LIMIT ?3";
    long limit;
    if (req_long_param(r, "limit", 20, 1, 100, &limit) < 0)
        return;
    int64_t after = INT64_MAX;
    const char *cursor = req_query(r, "cursor");
    if (cursor && *cursor) {
        char *end = NULL;
        long long v = strncmp(cursor, "c1", 2) == 0 ? strtoll(cursor + 2, &end, 16) : 0;
        if (v <= 0 || *end) {
            reply_error(r, ERR_BAD_PARAM, "cursor", "cursor is not one this server returned");
            return;
        }
        after = v;
    }
    struct db *db = r->w->db;
    json_t *res = resource_get(db, r->params[0]);
    if (!res) {
        reply_error(r, ERR_NOT_FOUND, NULL, "no resource %s", r->params[0]);
        return;
    }
    const char *prov = json_string_value(json_object_get(json_object_get(res, "provider"), "id"));
    int privileged = (r->who.role & (ROLE_CENTER | ROLE_ADMIN)) ||
                     (r->who.role == ROLE_PROVIDER && prov && req_is_caller(r, prov));
    json_t *rating = json_incref(json_object_get(res, "rating"));
    json_decref(res);
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st) {
        json_decref(rating);
        reply_db_error(r, DB_READ);
        return;
    }
    sqlite3_bind_text(st, 1, r->params[0], -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, after);
    sqlite3_bind_int64(st, 3, limit + 1);
    json_t *items = json_array();
    int64_t last = 0;
    int more = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if ((long)json_array_size(items) == limit) {
            more = 1;
            break;
        }
        last = sqlite3_column_int64(st, 0);
        const char *ent = (const char *)sqlite3_column_text(st, 2);
        int show = privileged || (r->who.role && req_is_caller(r, ent));
        json_array_append_new(
            items, review_json((const char *)sqlite3_column_text(st, 1), r->params[0], ent,
                               (const char *)sqlite3_column_text(st, 3),
                               (const char *)sqlite3_column_text(st, 4),
                               (const char *)sqlite3_column_text(st, 5), sqlite3_column_int(st, 6),
                               (const char *)sqlite3_column_text(st, 7),
                               (const char *)sqlite3_column_text(st, 8), show));
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        json_decref(items);
        json_decref(rating);
        reply_db_error(r, DB_READ);
        return;
    }
    json_t *next = json_null();
    if (more) {
        char buf[32];
        snprintf(buf, sizeof buf, "c1%llx", (unsigned long long)last);
        next = json_string(buf);
    }
    reply_json(r, 200, json_pack("{s:o, s:o, s:o}", "rating", rating, "items", items,
                                 "next_cursor", next));
}

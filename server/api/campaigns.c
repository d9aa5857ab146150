/*
 * campaigns.c - a center's campaigns: create, read, list and move them
 * through their states (campaign.h has the states and the invariants).
 * Contracting a campaign makes one project per participant (project.h),
 * whose progress the participant follows from then on.
 */
#include "handlers.h"

#include "auth.h"
#include "campaign.h"
#include "db.h"
#include "log.h"
#include "need.h"
#include "notify.h"
#include "project.h"
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

/* ------------------------------------------------------------ create */

static int create_txn(struct req *r, time_t deadline_at, const char *id, struct outcome *o)
{
    static const char SQL[] =
        "INSERT INTO campaigns(id, status, deadline_at, min_participants, max_participants,"
        " industry, region, scenario_mask, center_id, center_name, resource_id, deadline,"
        " created_at, updated_at, title, scenarios, tiers, doc)"
        " VALUES (?1, 'draft', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, ?13, ?14,"
        " ?15, ?16)";
    struct db *db = r->w->db;
    json_t *b = r->body;
    const char *res_id = json_string_value(json_object_get(b, "resource_id"));
    json_t *res = resource_get(db, res_id);
    if (!res)
        return refuse(o, ERR_INVALID_FIELD, "resource_id", "no resource %s", res_id);
    int live = strcmp(json_string_value(json_object_get(res, "status")), "published") == 0;
    char provider[48];
    snprintf(provider, sizeof provider, "%s",
             json_string_value(json_object_get(json_object_get(res, "provider"), "id")));
    json_decref(res);
    if (!live)
        return refuse(o, ERR_INVALID_FIELD, "resource_id", "resource %s is withdrawn", res_id);
    char now[32];
    util_now_rfc3339(now);
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return refuse_db(o, db, __func__);
    char *scen = json_dumps(json_object_get(b, "scenarios"), JSON_COMPACT);
    char *tiers = json_dumps(json_object_get(b, "tiers"), JSON_COMPACT);
    char *doc = json_dumps(b, JSON_COMPACT);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (int64_t)deadline_at);
    sqlite3_bind_int64(st, 3, json_integer_value(json_object_get(b, "min_participants")));
    json_t *mx = json_object_get(b, "max_participants");
    if (mx)
        sqlite3_bind_int64(st, 4, json_integer_value(mx));
    sqlite3_bind_text(st, 5, json_string_value(json_object_get(b, "industry")), -1, SQLITE_STATIC);
    db_bind_text(st, 6, json_string_value(json_object_get(b, "region")));
    sqlite3_bind_int64(st, 7, tax_mask(TAX_SCENARIO, json_object_get(b, "scenarios")));
    sqlite3_bind_text(st, 8, r->who.org_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, r->who.org_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 10, res_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 11, json_string_value(json_object_get(b, "deadline")), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 12, now, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 13, json_string_value(json_object_get(b, "title")), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 14, scen, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 15, tiers, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 16, doc, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    free(scen);
    free(tiers);
    free(doc);
    if (rc != SQLITE_DONE) {
        log_error("campaign insert: %s", sqlite3_errmsg(db_handle(db)));
        return refuse_db(o, db, __func__);
    }
    if (revision_add(db, id, NULL, &r->who, NULL, "draft", "created", now) < 0)
        return refuse_db(o, db, __func__);
    /* the provider confirms the tier prices before the campaign opens */
    char link[96];
    snprintf(link, sizeof link, "#/campaigns/%s", id);
    if (notify_add(db, provider, "campaign_confirm",
                   json_pack("{s:{s:s, s:O}, s:{s:s, s:s}, s:s}", "campaign", "id", id, "title",
                             json_object_get(b, "title"), "center", "id", r->who.org_id, "name",
                             r->who.org_name, "link", link)) < 0)
        return refuse_db(o, db, __func__);
    return 0;
}

void h_campaign_create(struct req *r)
{
    struct verr e;
    time_t deadline_at;
    if (campaign_validate(r->body, time(NULL), &deadline_at, &e) < 0) {
        reply_verr(r, &e);
        return;
    }
    char id[48];
    util_new_id(id, sizeof id, "camp");
    struct outcome o;
    if (write_begin(r) < 0)
        return;
    int rc = create_txn(r, deadline_at, id, &o);
    campaign_finish(r, rc, &o, 201, id);
}

/* ------------------------------------------------------------ read */

void h_campaign_get(struct req *r)
{
    campaign_reply(r, 200, r->params[0]);
}

void h_campaigns_list(struct req *r)
{
    static const char SQL[] =
        "SELECT c.cid, c.id FROM campaigns c LEFT JOIN resources r ON r.id = c.resource_id"
        " WHERE c.cid < ?1 AND (?2 IS NULL OR c.status = ?2) AND (?3 IS NULL OR c.industry = ?3)"
        " AND (?4 IS NULL OR c.region = ?4) AND (?5 = 0 OR c.scenario_mask & ?5)"
        " AND (c.status != 'draft' OR ?6 = 1 OR r.provider_id = ?7)"
        " ORDER BY c.cid DESC LIMIT ?8";
    long limit;
    int64_t scns;
    if (req_long_param(r, "limit", 20, 1, 100, &limit) < 0 ||
        req_mask_param(r, "scenario", TAX_SCENARIO, &scns) < 0)
        return;
    const char *status = req_query(r, "status"), *ind = req_query(r, "industry"),
               *reg = req_query(r, "region");
    if (status && !*status)
        status = NULL;
    if (ind && !*ind)
        ind = NULL;
    if (reg && !*reg)
        reg = NULL;
    if (status && !in_list(CAMPAIGN_STATUSES, status)) {
        reply_error(r, ERR_BAD_PARAM, "status", "status must be one of draft, open, succeeded,"
                    " failed, contracted, implementing, completed, cancelled");
        return;
    }
    if (ind && tax_index(TAX_INDUSTRY, ind) < 0) {
        reply_error(r, ERR_BAD_PARAM, "industry", "industry is not a known industry code");
        return;
    }
    if (reg && tax_index(TAX_REGION, reg) < 0) {
        reply_error(r, ERR_BAD_PARAM, "region", "region is not a known region");
        return;
    }
    int64_t after;
    if (req_cursor_param(r, &after) < 0)
        return;
    struct db *db = r->w->db;
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st) {
        reply_db_error(r, DB_READ);
        return;
    }
    sqlite3_bind_int64(st, 1, after);
    db_bind_text(st, 2, status);
    db_bind_text(st, 3, ind);
    db_bind_text(st, 4, reg);
    sqlite3_bind_int64(st, 5, scns);
    sqlite3_bind_int(st, 6, (r->who.role & (ROLE_CENTER | ROLE_ADMIN)) != 0);
    sqlite3_bind_text(st, 7, r->who.org_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 8, limit + 1);
    /* Ids first, then each campaign: rendering reuses other statements. */
    char (*ids)[48] = xcalloc((size_t)limit + 1, sizeof *ids);
    int64_t last = 0;
    long n = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && n <= limit) {
        if (n < limit)
            last = sqlite3_column_int64(st, 0);
        snprintf(ids[n++], sizeof ids[0], "%s", sqlite3_column_text(st, 1));
    }
    sqlite3_reset(st);
    int more = n > limit;
    json_t *items = json_array();
    int dberr = rc != SQLITE_DONE && rc != SQLITE_ROW;
    for (long i = 0; i < n && i < limit && !dberr; i++) {
        json_t *c;
        int k = campaign_json(db, ids[i], &r->who, &c);
        if (k < 0)
            dberr = 1;
        else if (k == 0)
            json_array_append_new(items, c);
    }
    free(ids);
    if (dberr) {
        json_decref(items);
        reply_db_error(r, DB_READ);
        return;
    }
    reply_json(r, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor",
                                 req_next_cursor(more, last)));
}

/* ------------------------------------------------------------ confirmation */

/* 1 when the provider has confirmed campaign id's tier prices, 0 when
 * not, -1 on error. */
static int campaign_confirmed(struct db *db, const char *id)
{
    static const char SQL[] = "SELECT confirmed_at IS NOT NULL FROM campaigns WHERE id = ?1";
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_reset(st);
    return rc;
}

/* Tells each enterprise with an open need the campaign fits (its
 * industry, or any for a `general` campaign; a shared scenario; its
 * region or none) that it may join.  Inside the opening's transaction. */
static int notify_campaign_opened(struct db *db, const char *id)
{
    static const char SQL_CAMP[] =
        "SELECT title, industry, scenario_mask, region FROM campaigns WHERE id = ?1";
    static const char SQL_WHO[] =
        "SELECT DISTINCT enterprise_id FROM needs WHERE status = 'open'"
        " AND (industry_bit & ?2) <> 0 AND (scenario_mask & ?3) <> 0"
        " AND (?4 = 0 OR region_bit = 0 OR (region_bit & ?4) <> 0)"
        " AND enterprise_id NOT IN (SELECT org_id FROM participants WHERE campaign_id = ?1)"
        " LIMIT 1000";
    sqlite3_stmt *st = db_stmt(db, SQL_CAMP);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return -1;
    }
    char title[512];
    snprintf(title, sizeof title, "%s", sqlite3_column_text(st, 0));
    const char *ind = (const char *)sqlite3_column_text(st, 1);
    int ii = tax_index(TAX_INDUSTRY, ind);
    int64_t ind_bits = ii < 0 || strcmp(ind, TAX_GENERAL) == 0 ? -1 : (int64_t)1 << ii;
    int64_t scen = sqlite3_column_int64(st, 2);
    int ri = sqlite3_column_type(st, 3) == SQLITE_NULL
                 ? -1
                 : tax_index(TAX_REGION, (const char *)sqlite3_column_text(st, 3));
    int64_t reg = ri < 0 ? 0 : (int64_t)1 << ri;
    sqlite3_reset(st);
    st = db_stmt(db, SQL_WHO);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, ind_bits);
    sqlite3_bind_int64(st, 3, scen);
    sqlite3_bind_int64(st, 4, reg);
    json_t *who = json_array();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(who, json_string((const char *)sqlite3_column_text(st, 0)));
    sqlite3_reset(st);
    char link[96];
    snprintf(link, sizeof link, "#/campaigns/%s", id);
    size_t i;
    json_t *v;
    json_array_foreach(who, i, v) {
        if (rc != SQLITE_DONE)
            break;
        if (notify_add(db, json_string_value(v), "campaign_opened",
                       json_pack("{s:{s:s, s:s}, s:s}", "campaign", "id", id, "title", title,
                                 "link", link)) < 0)
            rc = SQLITE_ERROR;
    }
    json_decref(who);
    return rc == SQLITE_DONE ? 0 : -1;
}

static const struct vfield CONFIRM_FIELDS[] = {
    VFIELD_END,
};

static int confirm_txn(struct req *r, int64_t want, struct outcome *o)
{
    static const char SQL[] =
        "UPDATE campaigns SET confirmed_at = ?2, confirmed_by = ?3, confirmed_tiers = tiers,"
        " version = version + 1, updated_at = ?2 WHERE id = ?1 AND status = 'draft'";
    struct db *db = r->w->db;
    struct camp c;
    if (camp_load(db, r->params[0], &r->who, &c, o) < 0)
        return -1;
    if (!req_is_caller(r, c.provider_id))
        return refuse(o, ERR_FORBIDDEN, NULL,
                      "only the resource's provider may confirm a campaign's prices");
    if (want && want != c.version)
        return refuse(o, ERR_CONFLICT, NULL, "If-Match names version %" PRId64
                      " but the campaign is at version %" PRId64, want, c.version);
    if (strcmp(c.status, "draft") != 0)
        return refuse(o, ERR_CONFLICT, NULL, "the campaign is %s: its prices can be confirmed"
                      " only while it is a draft", c.status);
    char now[32];
    util_now_rfc3339(now);
    json_t *a = auth_actor_json(&r->who);
    char *by = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    sqlite3_stmt *st = db_stmt(db, SQL);
    int ok = st != NULL;
    if (ok) {
        sqlite3_bind_text(st, 1, c.id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, by, -1, SQLITE_STATIC);
        ok = sqlite3_step(st) == SQLITE_DONE;
        sqlite3_reset(st);
    }
    free(by);
    /* No revision: the status does not change; price_confirmation keeps
     * when, by whom and which tiers. */
    if (!ok)
        return refuse_db(o, db, __func__);
    return 0;
}

void h_campaign_confirm(struct req *r)
{
    int64_t want;
    if (req_if_match(r, &want) < 0 || body_valid(r, CONFIRM_FIELDS) < 0)
        return;
    if (write_begin(r) < 0)
        return;
    struct outcome o;
    int rc = confirm_txn(r, want, &o);
    campaign_finish(r, rc, &o, 200, r->params[0]);
}

/* ------------------------------------------------------------ transition */

static int transition_txn(struct req *r, int64_t want, struct outcome *o)
{
    struct db *db = r->w->db;
    const char *to = json_string_value(json_object_get(r->body, "to"));
    const char *reason = json_string_value(json_object_get(r->body, "reason"));
    struct camp c;
    if (camp_load(db, r->params[0], &r->who, &c, o) < 0)
        return -1;
    if (!req_is_caller(r, c.center_id))
        return refuse(o, ERR_FORBIDDEN, NULL, "only the center that runs a campaign may move it");
    if (want && want != c.version)
        return refuse(o, ERR_CONFLICT, NULL, "If-Match names version %" PRId64
                      " but the campaign is at version %" PRId64, want, c.version);
    if (!campaign_transition_ok(c.status, to))
        return refuse(o, ERR_CONFLICT, "to", "a campaign cannot go from %s to %s", c.status, to);
    time_t now_t = time(NULL);
    if (strcmp(to, "open") == 0 && (int64_t)now_t >= c.deadline_at)
        return refuse(o, ERR_CONFLICT, "to", "the campaign's deadline has passed");
    if (strcmp(to, "open") == 0) {
        int confirmed = campaign_confirmed(db, c.id);
        if (confirmed < 0)
            return refuse_db(o, db, __func__);
        if (!confirmed)
            return refuse(o, ERR_CONFLICT, "to", "the provider of the resource has not confirmed"
                          " the tier prices yet (POST /v1/campaigns/%s/confirm)", c.id);
    }
    if (strcmp(to, "succeeded") == 0) {
        long count = camp_count(db, c.id);
        if (count < 0)
            return refuse_db(o, db, __func__);
        if (count < c.min)
            return refuse(o, ERR_CONFLICT, "to", "only %ld of the %ld participants needed"
                          " have joined", count, c.min);
    }
    char now[32];
    util_now_rfc3339(now);
    int release = strcmp(to, "cancelled") == 0 || strcmp(to, "failed") == 0 ||
                  strcmp(to, "completed") == 0;
    if (camp_set(db, c.id, c.status, to, now) != 1 ||
        revision_add(db, c.id, NULL, &r->who, c.status, to, reason, now) < 0 ||
        (release && needs_release_campaign(db, c.id, strcmp(to, "completed") == 0, now) < 0) ||
        (strcmp(to, "open") == 0 && notify_campaign_opened(db, c.id) < 0) ||
        /* each participant's upgrade is a project from now on (issue 19) */
        (strcmp(to, "contracted") == 0 && projects_for_campaign(db, c.id, &r->who, now) < 0))
        return refuse_db(o, db, __func__);
    return 0;
}

void h_campaign_transition(struct req *r)
{
    int64_t want;
    if (req_if_match(r, &want) < 0 || body_valid(r, TRANSITION_FIELDS) < 0)
        return;
    const char *to = json_string_value(json_object_get(r->body, "to"));
    if (!in_list(CAMPAIGN_STATUSES, to)) {
        reply_error(r, ERR_INVALID_FIELD, "to", "to must be a campaign status: draft, open,"
                    " succeeded, failed, contracted, implementing, completed or cancelled");
        return;
    }
    if (write_begin(r) < 0)
        return;
    struct outcome o;
    int rc = transition_txn(r, want, &o);
    campaign_finish(r, rc, &o, 200, r->params[0]);
}

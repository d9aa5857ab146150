/*
 * participants.c - enterprises in a campaign: join, leave, and
 * withdrawing one before the campaign is contracted (campaign.h).  From
 * contracting on, a participant's progress and levels follow its project
 * (project.h); PATCH …/participants/{org_id} refuses levels (422, the
 * contract's amendment) and any other progress by hand (409).  The
 * participant list and its export (issue 20).
 */
#include "handlers.h"

#include "authority.h"
#include "campaign.h"
#include "db.h"
#include "log.h"
#include "need.h"
#include "regions.h"
#include "req.h"
#include "resource.h"
#include "tabular.h"
#include "taxonomy.h"
#include "util.h"
#include "write.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------ join, leave */

static int join_txn(struct req *r, struct outcome *o)
{
    static const char SQL_NEED[] =
        "SELECT enterprise_id, status FROM needs WHERE id = ?1";
    /* No level is recorded at joining: a participant's levels come from
     * its project once it is accepted (issue 19). */
    static const char SQL_JOIN[] =
        "INSERT INTO participants(campaign_id, org_id, org_name, need_id, joined_at, updated_at)"
        " VALUES (?1, ?2, ?3, ?4, ?6, ?6)"
        " ON CONFLICT (campaign_id, org_id) DO UPDATE SET status = 'joined',"
        " org_name = excluded.org_name, need_id = excluded.need_id,"
        " level_before = NULL, level_after = NULL,"
        " joined_at = excluded.joined_at, updated_at = excluded.updated_at"
        " WHERE participants.status = 'withdrawn'";
    struct db *db = r->w->db;
    struct camp c;
    if (camp_load(db, r->params[0], &r->who, &c, o) < 0)
        return -1;
    if (strcmp(c.status, "open") != 0)
        return refuse(o, ERR_CONFLICT, NULL, "the campaign is %s, not open for joining", c.status);
    if ((int64_t)time(NULL) >= c.deadline_at)
        return refuse(o, ERR_CONFLICT, NULL, "the campaign's deadline has passed");
    struct part p;
    int k = part_load(db, c.id, r->who.org_id, &p);
    if (k < 0)
        return refuse_db(o, db, __func__);
    if (k == 0 && strcmp(p.status, "withdrawn") != 0)
        return refuse(o, ERR_CONFLICT, NULL, "you have already joined this campaign");
    long count = camp_count(db, c.id);
    if (count < 0)
        return refuse_db(o, db, __func__);
    if (c.max && count >= c.max)
        return refuse(o, ERR_CONFLICT, NULL, "the campaign is full (%ld of %ld places taken)",
                      count, c.max);
    const char *need_id = json_string_value(json_object_get(r->body, "need_id"));
    if (need_id) {
        sqlite3_stmt *st = db_stmt(db, SQL_NEED);
        if (!st)
            return refuse_db(o, db, __func__);
        sqlite3_bind_text(st, 1, need_id, -1, SQLITE_STATIC);
        int rc = sqlite3_step(st);
        int mine = rc == SQLITE_ROW &&
                   req_is_caller(r, (const char *)sqlite3_column_text(st, 0));
        int open = mine && strcmp((const char *)sqlite3_column_text(st, 1), "open") == 0;
        sqlite3_reset(st);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            return refuse_db(o, db, __func__);
        if (!mine)
            return refuse(o, ERR_INVALID_FIELD, "need_id", "you have no need %s", need_id);
        if (!open)
            return refuse(o, ERR_CONFLICT, "need_id", "need %s is not open", need_id);
    }
    char now[32];
    util_now_rfc3339(now);
    sqlite3_stmt *st = db_stmt(db, SQL_JOIN);
    if (!st)
        return refuse_db(o, db, __func__);
    sqlite3_bind_text(st, 1, c.id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, r->who.org_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, r->who.org_name, -1, SQLITE_STATIC);
    db_bind_text(st, 4, need_id);
    sqlite3_bind_text(st, 6, now, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return refuse_db(o, db, __func__);
    if (need_set_status(db, need_id, "open", "in_campaign", now) < 0 ||
        revision_add(db, c.id, r->who.org_id, &r->who, k == 0 ? "withdrawn" : NULL, "joined",
                     need_id ? "joined with a need" : "joined", now) < 0 ||
        camp_set(db, c.id, "open", "open", now) != 1)
        return refuse_db(o, db, __func__);
    return 0;
}

void h_campaign_join(struct req *r)
{
    if (body_valid(r, JOIN_FIELDS) < 0 || write_begin(r) < 0)
        return;
    struct outcome o;
    int rc = join_txn(r, &o);
    campaign_finish(r, rc, &o, 201, r->params[0]);
}

static int leave_txn(struct req *r, struct outcome *o)
{
    struct db *db = r->w->db;
    struct camp c;
    if (camp_load(db, r->params[0], &r->who, &c, o) < 0)
        return -1;
    if (strcmp(c.status, "open") != 0)
        return refuse(o, ERR_CONFLICT, NULL, "the campaign is %s; leaving is possible only"
                      " while it is open", c.status);
    if ((int64_t)time(NULL) >= c.deadline_at)
        return refuse(o, ERR_CONFLICT, NULL, "the campaign's deadline has passed");
    struct part p;
    int k = part_load(db, c.id, r->who.org_id, &p);
    if (k < 0)
        return refuse_db(o, db, __func__);
    if (k > 0 || strcmp(p.status, "withdrawn") == 0)
        return refuse(o, ERR_CONFLICT, NULL, "you are not a participant of this campaign");
    char now[32], from[16];
    util_now_rfc3339(now);
    snprintf(from, sizeof from, "%s", p.status);
    snprintf(p.status, sizeof p.status, "withdrawn");
    const char *reason = json_string_value(json_object_get(r->body, "reason"));
    if (part_save(db, c.id, r->who.org_id, &p, now) < 0 ||
        need_set_status(db, p.has_need ? p.need_id : NULL, "in_campaign", "open", now) < 0 ||
        revision_add(db, c.id, r->who.org_id, &r->who, from, "withdrawn",
                     reason ? reason : "left", now) < 0 ||
        camp_set(db, c.id, "open", "open", now) != 1)
        return refuse_db(o, db, __func__);
    return 0;
}

static const struct vfield LEAVE_FIELDS[] = {
    {"reason", V_STRING, 0, 0, 500, 0, NULL, 0},
    VFIELD_END,
};

void h_campaign_leave(struct req *r)
{
    if (body_valid(r, LEAVE_FIELDS) < 0 || write_begin(r) < 0)
        return;
    struct outcome o;
    int rc = leave_txn(r, &o);
    campaign_finish(r, rc, &o, 200, r->params[0]);
}

/* ------------------------------------------------------------ participants */

/* The project of a participant (issue 19): 0 and its id in id, 1 when it
 * has none, -1 on error. */
static int participant_project(struct db *db, const char *camp_id, const char *org,
                               char id[48])
{
    static const char SQL[] =
        "SELECT id FROM projects WHERE campaign_id = ?1 AND enterprise_id = ?2";
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, camp_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, org, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        snprintf(id, 48, "%s", sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

/* A participant's progress follows its project (project.h): by hand, the
 * center or the provider only withdraws one that has none yet (joined). */
static int participant_txn(struct req *r, int64_t want, struct outcome *o)
{
    struct db *db = r->w->db;
    json_t *b = r->body;
    const char *org = r->params[1];
    struct camp c;
    if (camp_load(db, r->params[0], &r->who, &c, o) < 0)
        return -1;
    int center = r->who.role == ROLE_CENTER && req_is_caller(r, c.center_id);
    int provider = r->who.role == ROLE_PROVIDER && req_is_caller(r, c.provider_id);
    if (!center && !provider)
        return refuse(o, ERR_FORBIDDEN, NULL, "only the campaign's center and the resource's"
                      " provider may record a participant's progress");
    if (want && want != c.version)
        return refuse(o, ERR_CONFLICT, NULL, "If-Match names version %" PRId64
                      " but the campaign is at version %" PRId64, want, c.version);
    struct part p;
    int k = part_load(db, c.id, org, &p);
    if (k < 0)
        return refuse_db(o, db, __func__);
    if (k > 0)
        return refuse(o, ERR_NOT_FOUND, NULL, "%s is not a participant of this campaign", org);
    const char *to = json_string_value(json_object_get(b, "status"));
    if (strcmp(to, p.status) == 0)
        return 0; /* nothing changes; the answer shows the campaign as it is */
    char proj[48];
    k = participant_project(db, c.id, org, proj);
    if (k < 0)
        return refuse_db(o, db, __func__);
    if (strcmp(to, "withdrawn") != 0)
        return refuse(o, ERR_CONFLICT, "status", "a participant's progress follows its project%s%s"
                      " (contracting the campaign makes it): it is not set by hand",
                      k == 0 ? " " : "", k == 0 ? proj : "");
    if (k == 0)
        return refuse(o, ERR_CONFLICT, "status", "the participant has project %s: cancel the"
                      " project (POST /v1/projects/%s/transition) to withdraw it", proj, proj);
    static const char *const LIVE[] = {"open", "succeeded", "contracted", "implementing", NULL};
    if (!participant_transition_ok(p.status, to))
        return refuse(o, ERR_CONFLICT, "status", "a participant cannot go from %s to %s",
                      p.status, to);
    if (!in_list(LIVE, c.status))
        return refuse(o, ERR_CONFLICT, "status", "the campaign is %s: a participant"
                      " cannot become %s now", c.status, to);
    char now[32], from[16];
    util_now_rfc3339(now);
    snprintf(from, sizeof from, "%s", p.status);
    snprintf(p.status, sizeof p.status, "%s", to);
    const char *why = json_string_value(json_object_get(b, "reason"));
    if (part_save(db, c.id, org, &p, now) < 0 ||
        revision_add(db, c.id, org, &r->who, from, p.status, why, now) < 0 ||
        camp_set(db, c.id, c.status, c.status, now) != 1 ||
        need_set_status(db, p.has_need ? p.need_id : NULL, "in_campaign", "open", now) < 0)
        return refuse_db(o, db, __func__);
    return 0;
}

void h_participant_patch(struct req *r)
{
    int64_t want;
    json_t *b = r->body;
    /* The contract's amendment (API.md, Additions): levels come from the
     * participant's project, never typed in by hand. */
    static const char *const LEVELS[] = {"level_before", "level_after"};
    for (int i = 0; i < 2; i++)
        if (json_object_get(b, LEVELS[i]) && !json_is_null(json_object_get(b, LEVELS[i]))) {
            reply_error(r, ERR_INVALID_FIELD, LEVELS[i], "%s comes from the participant's"
                        " project (its verified assessments): it is not set by hand", LEVELS[i]);
            return;
        }
    if (req_if_match(r, &want) < 0 || body_valid(r, PARTICIPANT_FIELDS) < 0)
        return;
    const char *to = json_string_value(json_object_get(b, "status"));
    if (to && !in_list(PARTICIPANT_STATUSES, to)) {
        reply_error(r, ERR_INVALID_FIELD, "status", "status must be joined, contracted,"
                    " implementing, accepted or withdrawn");
        return;
    }
    if (!to) {
        reply_error(r, ERR_INVALID_FIELD, "status", "give status (withdrawn): a participant's"
                    " other progress follows its project");
        return;
    }
    if (write_begin(r) < 0)
        return;
    struct outcome o;
    int rc = participant_txn(r, want, &o);
    campaign_finish(r, rc, &o, 200, r->params[0]);
}

/* ------------------------------------------------------------ the list */

/* The columns of the participant list and its export (tabular.h). */
static const struct tab_col PART_COLS[] = {
    {"org.name", "企业", TAB_TEXT, 0},
    {"district", "区县", TAB_TEXT, 0},
    {"status", "状态", TAB_TEXT, 0},
    {"need_id", "关联需求", TAB_TEXT, 0},
    {"level_before", "改造前水平", TAB_INT, 0},
    {"level_after", "改造后水平", TAB_INT, 0},
    {"joined_at", "加入时间", TAB_TEXT, 0},
    {"updated_at", "更新时间", TAB_TEXT, 0},
};
#define NPART_COLS (int)(sizeof PART_COLS / sizeof PART_COLS[0])

/*
 * GET /v1/campaigns/{id}/participants[?format=csv|xlsx] (issue 20): every
 * participant with its status and levels, for the campaign's provider,
 * centers and admins; an authority gets the participants of its region.
 * The campaign object (GET /v1/campaigns/{id}) shows the same list to
 * the same callers; this is the page the console exports.
 */
void h_participants_list(struct req *r)
{
    static const char SQL[] =
        "SELECT p.org_id, p.org_name, p.status, p.need_id, p.level_before, p.level_after,"
        " p.joined_at, p.updated_at, f.district_code, f.city_code"
        " FROM participants p LEFT JOIN enterprise_files f ON f.org_id = p.org_id"
        " WHERE p.campaign_id = ?1 AND (?2 IS NULL OR" AUTHORITY_WHERE("f", 2, 3, 4) ")"
        " ORDER BY p.pid";
    enum tab_format fmt;
    if (tab_format_param(r, &fmt) < 0 || (fmt != TAB_JSON && !tab_may_export(r)))
        return;
    struct db *db = r->w->db;
    struct camp c;
    struct outcome o;
    if (camp_load(db, r->params[0], &r->who, &c, &o) < 0) {
        reply_error_text(r, o.err, o.field[0] ? o.field : NULL, o.msg, o.msg_zh);
        return;
    }
    if (!camp_full_view(&c, &r->who) && !(r->who.role & (ROLE_CENTER | ROLE_AUTHORITY))) {
        reply_error(r, ERR_FORBIDDEN, NULL, "the participants of a campaign are listed for its"
                    " provider, centers, admins and authorities");
        return;
    }
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st) {
        reply_db_error(r, DB_READ);
        return;
    }
    sqlite3_bind_text(st, 1, c.id, -1, SQLITE_STATIC);
    authority_bind(st, 2, &r->who);
    struct tab *t = tab_new(fmt, "participants", "参与企业", PART_COLS, NPART_COLS);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *row = json_pack("{s:{s:s, s:s}, s:s, s:s, s:s}", "org", "id",
                                sqlite3_column_text(st, 0), "name", sqlite3_column_text(st, 1),
                                "status", sqlite3_column_text(st, 2), "joined_at",
                                sqlite3_column_text(st, 6), "updated_at", sqlite3_column_text(st, 7));
        if (sqlite3_column_type(st, 3) != SQLITE_NULL)
            json_object_set_new(row, "need_id", json_string((const char *)sqlite3_column_text(st, 3)));
        for (int k = 4; k <= 5; k++)
            json_object_set_new(row, k == 4 ? "level_before" : "level_after",
                                sqlite3_column_type(st, k) == SQLITE_NULL
                                    ? json_null()
                                    : json_integer(sqlite3_column_int(st, k)));
        const char *code = (const char *)sqlite3_column_text(st, 8);
        if (!code)
            code = (const char *)sqlite3_column_text(st, 9);
        if (code) {
            const struct region *city = NULL, *prov = NULL;
            const struct region *d = regions_district_by_code(code, &city, &prov);
            json_object_set_new(row, "district", json_string(d ? d->name : code));
        }
        json_t *flat = fmt == TAB_JSON ? row : tab_project(row, PART_COLS, NPART_COLS);
        if (flat != row)
            json_decref(row);
        tab_add(t, flat);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        tab_free(t);
        reply_db_error(r, DB_READ);
        return;
    }
    tab_reply(r, t, json_pack("{s:s, s:s}", "campaign_id", c.id, "status", c.status));
}

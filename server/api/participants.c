/*
 * participants.c - enterprises in a campaign: join, leave, and the
 * progress the center or the provider records (campaign.h), and the
 * participant list with its export (issue 20).
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
        "SELECT enterprise_id, status, json_extract(doc, '$.current_level') FROM needs"
        " WHERE id = ?1";
    static const char SQL_JOIN[] =
        "INSERT INTO participants(campaign_id, org_id, org_name, need_id, level_before,"
        " joined_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)"
        " ON CONFLICT (campaign_id, org_id) DO UPDATE SET status = 'joined',"
        " org_name = excluded.org_name, need_id = excluded.need_id,"
        " level_before = coalesce(excluded.level_before, participants.level_before),"
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
    int level = 0;
    if (need_id) {
        sqlite3_stmt *st = db_stmt(db, SQL_NEED);
        if (!st)
            return refuse_db(o, db, __func__);
        sqlite3_bind_text(st, 1, need_id, -1, SQLITE_STATIC);
        int rc = sqlite3_step(st);
        int mine = rc == SQLITE_ROW &&
                   req_is_caller(r, (const char *)sqlite3_column_text(st, 0));
        int open = mine && strcmp((const char *)sqlite3_column_text(st, 1), "open") == 0;
        if (mine)
            level = sqlite3_column_int(st, 2);
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
    if (level >= 1 && level <= 4)
        sqlite3_bind_int(st, 5, level);
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
    json_t *lb = json_object_get(b, "level_before"), *la = json_object_get(b, "level_after");
    int moves = to && strcmp(to, p.status) != 0;
    static const char *const LIVE[] = {"open", "succeeded", "contracted", "implementing", NULL};
    static const char *const WORKING[] = {"succeeded", "contracted", "implementing", NULL};
    if (moves) {
        if (!participant_transition_ok(p.status, to))
            return refuse(o, ERR_CONFLICT, "status", "a participant cannot go from %s to %s",
                          p.status, to);
        if (!in_list(strcmp(to, "withdrawn") == 0 ? LIVE : WORKING, c.status))
            return refuse(o, ERR_CONFLICT, "status", "the campaign is %s: a participant"
                          " cannot become %s now", c.status, to);
    }
    if (lb || la) {
        if (strcmp(p.status, "withdrawn") == 0 || (moves && strcmp(to, "withdrawn") == 0))
            return refuse(o, ERR_CONFLICT, lb ? "level_before" : "level_after",
                          "a withdrawn participant's levels are not recorded");
        if (!in_list(LIVE, c.status) && strcmp(c.status, "completed") != 0)
            return refuse(o, ERR_CONFLICT, lb ? "level_before" : "level_after",
                          "the campaign is %s: levels are no longer recorded", c.status);
    }
    if (!moves && !lb && !la)
        return 0; /* nothing changes; the answer shows the campaign as it is */
    char now[32], from[16], reason[160];
    util_now_rfc3339(now);
    snprintf(from, sizeof from, "%s", p.status);
    int changed_levels = 0;
    if (lb && json_integer_value(lb) != p.level_before) {
        p.level_before = (int)json_integer_value(lb);
        changed_levels = 1;
    }
    if (la && json_integer_value(la) != p.level_after) {
        p.level_after = (int)json_integer_value(la);
        changed_levels = 1;
    }
    if (moves)
        snprintf(p.status, sizeof p.status, "%s", to);
    const char *why = json_string_value(json_object_get(b, "reason"));
    if (!why && changed_levels) {
        char bb[8] = "-", aa[8] = "-";
        if (p.level_before)
            snprintf(bb, sizeof bb, "%d", p.level_before);
        if (p.level_after)
            snprintf(aa, sizeof aa, "%d", p.level_after);
        snprintf(reason, sizeof reason, "level_before %s, level_after %s", bb, aa);
        why = reason;
    }
    if (!moves && !changed_levels)
        return 0;
    if (part_save(db, c.id, org, &p, now) < 0 ||
        revision_add(db, c.id, org, &r->who, from, p.status, why, now) < 0 ||
        camp_set(db, c.id, c.status, c.status, now) != 1)
        return refuse_db(o, db, __func__);
    if (moves && strcmp(to, "withdrawn") == 0 &&
        need_set_status(db, p.has_need ? p.need_id : NULL, "in_campaign", "open", now) < 0)
        return refuse_db(o, db, __func__);
    return 0;
}

void h_participant_patch(struct req *r)
{
    int64_t want;
    if (req_if_match(r, &want) < 0 || body_valid(r, PARTICIPANT_FIELDS) < 0)
        return;
    json_t *b = r->body;
    const char *to = json_string_value(json_object_get(b, "status"));
    if (to && !in_list(PARTICIPANT_STATUSES, to)) {
        reply_error(r, ERR_INVALID_FIELD, "status", "status must be joined, contracted,"
                    " implementing, accepted or withdrawn");
        return;
    }
    if (!to && !json_object_get(b, "level_before") && !json_object_get(b, "level_after")) {
        reply_error(r, ERR_INVALID_FIELD, "status", "give status, level_before or level_after");
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

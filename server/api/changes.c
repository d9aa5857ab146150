/*
 * changes.c - GET /v1/changes?since=<cursor>&limit= (平台通、数据通, issue
 * 20): the ordered feed of every record change the caller may see, for
 * centers, admins and authorities (a provincial or national platform
 * mirrors a center with it: docs/integration.md).
 *
 *   {"changes": [{"seq", "type", "id", "op", "at", "record"}], "next": cursor,
 *    "more": bool}
 *
 * Entries are written by triggers in the change's own transaction
 * (migrate.h, CHANGE_FEED); seq is commit order.  Each entry carries the
 * record as the caller may see it *now* (a follower needs the latest
 * state, not the history): op is create, update or delete as it happened,
 * with record null when the record is gone since; "hidden" when the
 * caller could see the record at that change (its `was` or `vis`) and
 * cannot now (an authority's enterprise moved out of its region, a need
 * went back to draft); an entry the caller never could see is left out.
 * Centers and admins see every record.
 *
 * The cursor is "c2" and the seq in hex, opaque to clients; since=0
 * starts from the beginning.  A cursor below the trim horizon (feed.h)
 * is 410 gone: start again from since=0, which still meets every record.
 *
 * CHANGE_TYPES is the registry: one row per record type, with the
 * function that renders a record for a caller.  Adding a type is one
 * CHANGE_FEED block in a migration and one row here.
 */
#include "handlers.h"

#include "assessment.h"
#include "authority.h"
#include "campaign.h"
#include "case.h"
#include "db.h"
#include "enterprise.h"
#include "feed.h"
#include "need.h"
#include "org.h"
#include "project.h"
#include "req.h"
#include "resource.h"
#include "util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A renderer: 0 with *out (the record as who sees it), 1 when the record
 * is gone, 2 when who may not see it, -1 on a database error. */
typedef int (*render_fn)(struct db *db, const char *id, const struct caller *who, json_t **out);

static int centers(const struct caller *who)
{
    return (who->role & (ROLE_CENTER | ROLE_ADMIN)) != 0;
}

static int render_org(struct db *db, const char *id, const struct caller *who, json_t **out)
{
    return (*out = org_get(db, id)) ? 0 : 1;
}

static int render_resource(struct db *db, const char *id, const struct caller *who, json_t **out)
{
    return (*out = resource_get(db, id)) ? 0 : 1;
}

/* What a renderer answers when the loader found nothing it may show: 2
 * when the row named by SQL (one bound id) still exists (hidden from the
 * caller), 1 when it is gone, -1 on a database error. */
static int hidden_or_gone(struct db *db, const char *sql, const char *id)
{
    sqlite3_stmt *st = db_stmt(db, sql);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 2 : rc == SQLITE_DONE ? 1 : -1;
}

static int render_need(struct db *db, const char *id, const struct caller *who, json_t **out)
{
    static const char SQL[] = "SELECT 1 FROM needs WHERE id = ?1";
    return (*out = need_load(db, id, who, NULL)) ? 0 : hidden_or_gone(db, SQL, id);
}

static int render_response(struct db *db, const char *id, const struct caller *who, json_t **out)
{
    static const char SQL[] =
        "SELECT id, need_id, provider_id, provider_name, resource_id, message, quote, status,"
        " created_at, updated_at FROM responses WHERE id = ?1";
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && centers(who)) {
        *out = json_pack("{s:s, s:s, s:{s:s, s:s}, s:s, s:s, s:s, s:s, s:s}", "id",
                         sqlite3_column_text(st, 0), "need_id", sqlite3_column_text(st, 1),
                         "provider", "id", sqlite3_column_text(st, 2), "name",
                         sqlite3_column_text(st, 3), "resource_id", sqlite3_column_text(st, 4),
                         "message", sqlite3_column_text(st, 5), "status",
                         sqlite3_column_text(st, 7), "created_at", sqlite3_column_text(st, 8),
                         "updated_at", sqlite3_column_text(st, 9));
        json_object_set_new(*out, "quote", sqlite3_column_type(st, 6) == SQLITE_NULL
                                               ? json_null()
                                               : json_real(sqlite3_column_double(st, 6)));
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? (*out ? 0 : 2) : rc == SQLITE_DONE ? 1 : -1;
}

static int render_campaign(struct db *db, const char *id, const struct caller *who, json_t **out)
{
    static const char SQL[] = "SELECT 1 FROM campaigns WHERE id = ?1";
    int rc = campaign_json(db, id, who, out);
    return rc <= 0 ? rc : hidden_or_gone(db, SQL, id);
}

static int render_participant(struct db *db, const char *id, const struct caller *who,
                              json_t **out)
{
    static const char SQL[] =
        "SELECT campaign_id, org_id, org_name, need_id, status, level_before, level_after,"
        " joined_at, updated_at FROM participants WHERE campaign_id = ?1 AND org_id = ?2";
    char camp[64];
    const char *slash = strchr(id, '/');
    if (!slash || (size_t)(slash - id) >= sizeof camp)
        return 1;
    memcpy(camp, id, (size_t)(slash - id));
    camp[slash - id] = '\0';
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, camp, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, slash + 1, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = json_pack("{s:s, s:s, s:{s:s, s:s}, s:s, s:s, s:s}", "id", id, "campaign_id",
                         camp, "org", "id", sqlite3_column_text(st, 1), "name",
                         sqlite3_column_text(st, 2), "status", sqlite3_column_text(st, 4),
                         "joined_at", sqlite3_column_text(st, 7), "updated_at",
                         sqlite3_column_text(st, 8));
        static const char *const OPT[] = {"need_id", NULL, NULL, "level_before", "level_after"};
        for (int c = 3; c <= 6; c++) {
            if (!OPT[c - 3])
                continue;
            json_t *v = sqlite3_column_type(st, c) == SQLITE_NULL ? json_null()
                        : c == 3 ? json_string((const char *)sqlite3_column_text(st, c))
                                 : json_integer(sqlite3_column_int(st, c));
            json_object_set_new(*out, OPT[c - 3], v);
        }
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return rc == SQLITE_DONE ? 1 : -1;
    int seen = centers(who) ? 1 : authority_sees_org(db, who, slash + 1);
    if (seen == 1)
        return 0;
    json_decref(*out);
    *out = NULL;
    return seen < 0 ? -1 : 2;
}

static int render_review(struct db *db, const char *id, const struct caller *who, json_t **out)
{
    static const char SQL[] =
        "SELECT id, resource_id, enterprise_id, enterprise_name, campaign_id, need_id, rating,"
        " text, created_at FROM reviews WHERE id = ?1";
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = json_pack("{s:s, s:s, s:{s:s, s:s}, s:i, s:s, s:s}", "id",
                         sqlite3_column_text(st, 0), "resource_id", sqlite3_column_text(st, 1),
                         "enterprise", "id", sqlite3_column_text(st, 2), "name",
                         sqlite3_column_text(st, 3), "rating", sqlite3_column_int(st, 6), "text",
                         sqlite3_column_text(st, 7), "created_at", sqlite3_column_text(st, 8));
        for (int c = 4; c <= 5; c++)
            json_object_set_new(*out, c == 4 ? "campaign_id" : "need_id",
                                sqlite3_column_type(st, c) == SQLITE_NULL
                                    ? json_null()
                                    : json_string((const char *)sqlite3_column_text(st, c)));
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

static int render_file(struct db *db, const char *id, const struct caller *who, json_t **out)
{
    int seen = centers(who) ? 1 : authority_sees_org(db, who, id);
    if (seen < 0)
        return -1;
    int rc = enterprise_file_json(db, id, centers(who), out);
    if (rc != 0)
        return rc;
    if (seen)
        return 0;
    json_decref(*out);
    *out = NULL;
    return 2;
}

static int render_assessment(struct db *db, const char *id, const struct caller *who,
                             json_t **out)
{
    static const char SQL[] = "SELECT 1 FROM assessments WHERE id = ?1";
    int rc = assessment_json(db, id, who, out);
    return rc <= 0 ? rc : hidden_or_gone(db, SQL, id);
}

static int render_project(struct db *db, const char *id, const struct caller *who, json_t **out)
{
    static const char SQL[] = "SELECT 1 FROM projects WHERE id = ?1";
    int rc = project_json(db, id, who, out);
    return rc <= 0 ? rc : hidden_or_gone(db, SQL, id);
}

static int render_ticket(struct db *db, const char *id, const struct caller *who, json_t **out)
{
    int err;
    if (!centers(who))
        return 2;
    *out = ticket_get(db, id, &err);
    return *out ? 0 : err ? -1 : 1;
}

static int render_case(struct db *db, const char *id, const struct caller *who, json_t **out)
{
    static const char SQL[] = "SELECT 1 FROM cases WHERE id = ?1";
    int rc = case_json(db, id, who, out);
    return rc <= 0 ? rc : hidden_or_gone(db, SQL, id);
}

/* The record types of the feed (the `type` the triggers write). */
static const struct {
    const char *type;
    render_fn render;
} CHANGE_TYPES[] = {
    {"org", render_org},
    {"resource", render_resource},
    {"need", render_need},
    {"response", render_response},
    {"campaign", render_campaign},
    {"participant", render_participant},
    {"review", render_review},
    {"file", render_file},
    {"assessment", render_assessment},
    {"project", render_project},
    {"ticket", render_ticket},
    {"case", render_case},
};
#define NCHANGE_TYPES (sizeof CHANGE_TYPES / sizeof CHANGE_TYPES[0])

/* 1 when who could see a record whose visibility was vis ('p', a region
 * code, or NULL). */
static int could_see(const struct caller *who, const char *vis)
{
    if (centers(who))
        return 1;
    if (!vis)
        return 0;
    return strcmp(vis, "p") == 0 || authority_covers_code(who, vis);
}

/* The since parameter: 0, "0" or a cursor.  0, or -1 after answering. */
static int since_param(struct req *r, int64_t *since)
{
    const char *v = req_query(r, "since");
    *since = 0;
    if (!v || !*v || strcmp(v, "0") == 0)
        return 0;
    char *end;
    unsigned long long n = strncmp(v, "c2", 2) == 0 ? strtoull(v + 2, &end, 16) : 0;
    if (strncmp(v, "c2", 2) != 0 || *end || end == v + 2 || n > INT64_MAX) {
        reply_error(r, ERR_BAD_PARAM, "since", "since must be 0 or the next cursor of an answer");
        return -1;
    }
    *since = (int64_t)n;
    return 0;
}

#define CHANGES_SCAN 5000 /* rows looked at for one answer, shown or not */

void h_changes(struct req *r)
{
    static const char SQL[] =
        "SELECT seq, type, id, op, at, was, vis FROM changes WHERE seq > ?1 ORDER BY seq LIMIT ?2";
    int64_t since;
    long limit;
    if (since_param(r, &since) < 0 || req_long_param(r, "limit", 100, 1, 1000, &limit) < 0)
        return;
    struct db *db = r->w->db;
    int in_tx = db_read_begin(db) == 0;
    int64_t horizon = feed_trimmed(db);
    if (horizon < 0) {
        if (in_tx)
            db_read_end(db);
        reply_db_error(r, DB_READ);
        return;
    }
    if (since > 0 && since < horizon) {
        if (in_tx)
            db_read_end(db);
        reply_error(r, ERR_GONE, "since", "the cursor is older than the feed keeps (%d days):"
                    " start again from since=0", FEED_KEEP_DAYS);
        return;
    }
    /* Read the entries first (rendering runs other statements). */
    long scan = centers(&r->who) ? limit : CHANGES_SCAN;
    sqlite3_stmt *st = db_stmt(db, SQL);
    json_t *rows = json_array();
    int rc = SQLITE_ERROR;
    if (st) {
        sqlite3_bind_int64(st, 1, since);
        sqlite3_bind_int64(st, 2, scan);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            char at[32]; /* Unix seconds since migration 14 */
            if (sqlite3_column_type(st, 4) == SQLITE_INTEGER)
                util_time_rfc3339((time_t)sqlite3_column_int64(st, 4), at);
            else
                snprintf(at, sizeof at, "%s", (const char *)sqlite3_column_text(st, 4));
            json_t *e = json_pack("{s:I, s:s, s:s, s:s, s:s}", "seq",
                                  (json_int_t)sqlite3_column_int64(st, 0), "type",
                                  sqlite3_column_text(st, 1), "id", sqlite3_column_text(st, 2),
                                  "op", sqlite3_column_text(st, 3), "at", at);
            int seen = could_see(&r->who, (const char *)sqlite3_column_text(st, 5)) ||
                       could_see(&r->who, (const char *)sqlite3_column_text(st, 6));
            json_object_set_new(e, "_seen", json_boolean(seen));
            json_array_append_new(rows, e);
        }
        sqlite3_reset(st);
    }
    json_t *out = json_array();
    /* a record changed several times in one page is rendered once: every
     * entry carries it as it is now, the same for all of them */
    json_t *seen_now = json_object();
    int64_t last = since;
    int dberr = rc != SQLITE_DONE;
    size_t i;
    json_t *e;
    json_array_foreach(rows, i, e) {
        if (dberr || (long)json_array_size(out) >= limit)
            break;
        last = json_integer_value(json_object_get(e, "seq"));
        const char *type = json_string_value(json_object_get(e, "type"));
        const char *id = json_string_value(json_object_get(e, "id"));
        int seen = json_is_true(json_object_get(e, "_seen"));
        json_object_del(e, "_seen");
        size_t k = 0;
        while (k < NCHANGE_TYPES && strcmp(CHANGE_TYPES[k].type, type) != 0)
            k++;
        json_t *rec = NULL;
        char memo[160];
        snprintf(memo, sizeof memo, "%s\t%s", type, id);
        json_t *had = json_object_get(seen_now, memo);
        int vis;
        if (had) {
            vis = (int)json_integer_value(json_object_get(had, "v"));
            rec = json_incref(json_object_get(had, "r"));
        } else {
            vis = k < NCHANGE_TYPES ? CHANGE_TYPES[k].render(db, id, &r->who, &rec) : 1;
            if (vis >= 0)
                json_object_set_new(seen_now, memo, json_pack("{s:i, s:O?}", "v", vis, "r", rec));
        }
        if (vis < 0) {
            dberr = 1;
            break;
        }
        if (vis == 2) {
            if (!seen)
                continue; /* never the caller's to see: not its business */
            json_object_set_new(e, "op", json_string("hidden"));
        } else if (vis == 1 && !seen) {
            continue; /* gone, and never the caller's */
        }
        json_object_set_new(e, "record", rec ? rec : json_null());
        json_array_append(out, e);
    }
    int more = (long)json_array_size(rows) >= scan || i < json_array_size(rows);
    json_decref(rows);
    json_decref(seen_now);
    if (in_tx)
        db_read_end(db);
    if (dberr) {
        json_decref(out);
        reply_db_error(r, DB_READ);
        return;
    }
    char cur[40];
    snprintf(cur, sizeof cur, "c2%" PRIx64, (uint64_t)last);
    reply_json(r, 200, json_pack("{s:o, s:s, s:b}", "changes", out, "next", cur, "more", more));
}

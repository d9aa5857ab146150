/*
 * needs.c - an enterprise's needs: post, read, change, list (need.h has
 * the record and who may see what).  A draft need (made from an
 * assessment's gaps) is published by patching its status to open.
 */
#include "handlers.h"

#include "authority.h"
#include "db.h"
#include "log.h"
#include "need.h"
#include "req.h"
#include "tabular.h"
#include "taxonomy.h"
#include "util.h"
#include "write.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void reply_need(struct req *r, int status, const char *id)
{
    json_t *n = need_load(r->w->db, id, &r->who, NULL);
    if (!n) {
        reply_db_error(r, DB_READ);
        return;
    }
    reply_record(r, status, n, "needs");
}

void h_need_create(struct req *r)
{
    struct verr e;
    if (need_validate(r->body, &e) < 0) {
        reply_verr(r, &e);
        return;
    }
    char id[48];
    if (write_begin(r) < 0)
        return;
    struct outcome o;
    int rc = need_store(r->w->db, r->who.org_id, r->who.org_name, r->body, id) < 0
                 ? refuse_db(&o, r->w->db, "need insert")
                 : 0;
    if (write_finish(r, rc, &o) == 0)
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

/* The body of a PATCH, inside its transaction: checks owner, version
 * and state, merges, validates and writes (see write.h). */
static int patch_txn(struct req *r, int64_t want, const char *new_status, struct outcome *o)
{
    static const char SQL_GET[] =
        "SELECT enterprise_id, version, doc, status FROM needs WHERE id = ?1";
    static const char SQL_UPD[] =
        "UPDATE needs SET industry_bit = ?1, scenario_mask = ?2, region_bit = ?3, title = ?4,"
        " description = ?5, doc = ?6, status = ?7, version = version + 1, updated_at = ?8"
        " WHERE id = ?9";
    struct db *db = r->w->db;
    sqlite3_stmt *st = db_stmt(db, SQL_GET);
    if (!st)
        return refuse_db(o, db, "need patch");
    sqlite3_bind_text(st, 1, r->params[0], -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? refuse(o, ERR_NOT_FOUND, NULL, "no need %s", r->params[0])
                                 : refuse_db(o, db, "need patch");
    }
    int mine = req_is_caller(r, (const char *)sqlite3_column_text(st, 0));
    int64_t version = sqlite3_column_int64(st, 1);
    json_t *old = json_loads((const char *)sqlite3_column_text(st, 2), 0, NULL);
    char cur_status[16];
    snprintf(cur_status, sizeof cur_status, "%s", sqlite3_column_text(st, 3));
    sqlite3_reset(st);
    if (!mine) {
        json_decref(old);
        if ((r->who.role & (ROLE_CENTER | ROLE_ADMIN)) ||
            ((r->who.role & ROLE_PROVIDER) && strcmp(cur_status, "draft") != 0))
            return refuse(o, ERR_FORBIDDEN, NULL,
                          "only the enterprise that posted a need may change it");
        return refuse(o, ERR_NOT_FOUND, NULL, "no need %s", r->params[0]);
    }
    if (want && want != version) {
        json_decref(old);
        return refuse(o, ERR_CONFLICT, NULL, "If-Match names version %" PRId64
                      " but the need is at version %" PRId64, want, version);
    }
    if (new_status && strcmp(cur_status, "in_campaign") == 0) {
        json_decref(old);
        return refuse(o, ERR_CONFLICT, "status",
                      "the need is in a campaign; leave the campaign first");
    }
    json_t *patch = json_deep_copy(r->body);
    json_object_del(patch, "status");
    json_t *doc = json_merge_patch(old, patch);
    json_decref(old);
    json_decref(patch);
    struct verr e;
    if (need_validate(doc, &e) < 0) {
        json_decref(doc);
        return refuse_verr(o, &e);
    }
    char now[32], *text = NULL;
    util_now_rfc3339(now);
    st = db_stmt(db, SQL_UPD);
    rc = SQLITE_ERROR;
    if (st) {
        need_bind(st, doc, &text);
        sqlite3_bind_text(st, 7, new_status ? new_status : cur_status, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 8, now, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 9, r->params[0], -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
        free(text);
    }
    json_decref(doc);
    return rc == SQLITE_DONE ? 0 : refuse_db(o, db, "need update");
}

void h_need_patch(struct req *r)
{
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
    if (write_begin(r) < 0)
        return;
    struct outcome o;
    int rc = patch_txn(r, want, new_status, &o);
    if (write_finish(r, rc, &o) == 0)
        reply_need(r, 200, r->params[0]);
}

/* The columns of an exported need list (tabular.h). */
static const struct tab_col NEED_EXPORT[] = {
    {"id", "编号", TAB_TEXT, 0},
    {"title", "需求", TAB_TEXT, 0},
    {"enterprise.name", "企业", TAB_TEXT, 0},
    {"industry", "行业", TAB_TEXT, 1 + TAX_INDUSTRY},
    {"scenarios", "场景", TAB_TEXT, 1 + TAX_SCENARIO},
    {"region", "地区", TAB_TEXT, 0},
    {"enterprise_size", "企业规模", TAB_TEXT, 1 + TAX_SIZE},
    {"budget.max", "预算上限(元)", TAB_NUM, 0},
    {"current_level", "当前水平", TAB_INT, 0},
    {"target_level", "目标水平", TAB_INT, 0},
    {"status", "状态", TAB_TEXT, 0},
    {"created_at", "发布时间", TAB_TEXT, 0},
};
#define NNEED_EXPORT (int)(sizeof NEED_EXPORT / sizeof NEED_EXPORT[0])

void h_needs_list(struct req *r)
{
    static const char SQL[] =
        "SELECT " NEED_COLS " FROM needs n"
        " WHERE (?1 IS NULL OR n.status = ?1) AND n.nid < ?2"
        " AND (?3 = 0 OR n.industry_bit & ?3) AND (?4 = 0 OR n.scenario_mask & ?4)"
        " AND (?5 = 0 OR n.region_bit & ?5) AND (?6 IS NULL OR n.enterprise_id = ?6)"
        " AND (n.status <> 'draft' OR ?8 = 1)"
        " AND (?9 IS NULL OR n.enterprise_id IN (SELECT f.org_id FROM enterprise_files f"
        "  WHERE" AUTHORITY_WHERE("f", 9, 10, 11) "))"
        " ORDER BY n.nid DESC LIMIT ?7";
    long limit;
    int64_t inds, scns, regs;
    if (req_long_param(r, "limit", 20, 1, 100, &limit) < 0 ||
        req_mask_param(r, "industry", TAX_INDUSTRY, &inds) < 0 ||
        req_mask_param(r, "scenario", TAX_SCENARIO, &scns) < 0 ||
        req_mask_param(r, "region", TAX_REGION, &regs) < 0)
        return;
    const char *status = req_query(r, "status");
    static const char *const STATUSES[] = {"draft", "open", "matched", "in_campaign", "closed", "all"};
    int ok = !status || !*status;
    for (int i = 0; i < 6 && !ok; i++)
        ok = strcmp(status, STATUSES[i]) == 0;
    if (!ok) {
        reply_error(r, ERR_BAD_PARAM, "status", "status must be draft, open, matched, in_campaign, closed or all");
        return;
    }
    if (!status || !*status)
        status = r->who.role == ROLE_ENTERPRISE ? "all" : "open";
    if (strcmp(status, "all") == 0)
        status = NULL;
    int64_t after;
    enum tab_format fmt;
    if (req_cursor_param(r, &after) < 0 || tab_format_param(r, &fmt) < 0)
        return;
    if (fmt != TAB_JSON && !tab_may_export(r))
        return;
    struct tab *t = fmt == TAB_JSON ? NULL : tab_new(fmt, "needs", "需求", NEED_EXPORT, NNEED_EXPORT);
    if (t) { /* every page */
        limit = TAB_MAX_ROWS;
        after = INT64_MAX;
    }
    /* Enterprises see only their own needs. */
    const char *owner = r->who.role == ROLE_ENTERPRISE ? r->who.org_id : NULL;
    sqlite3_stmt *st = db_stmt(r->w->db, SQL);
    if (!st) {
        tab_free(t);
        reply_db_error(r, DB_READ);
        return;
    }
    db_bind_text(st, 1, status);
    sqlite3_bind_int64(st, 2, after);
    sqlite3_bind_int64(st, 3, inds);
    sqlite3_bind_int64(st, 4, scns);
    sqlite3_bind_int64(st, 5, regs);
    db_bind_text(st, 6, owner);
    sqlite3_bind_int64(st, 7, limit + 1);
    /* Drafts: to their enterprise (owner is set) and centers, never providers. */
    sqlite3_bind_int(st, 8, owner || (r->who.role & (ROLE_CENTER | ROLE_ADMIN)));
    authority_bind(st, 9, &r->who); /* an authority: its region's enterprises only */
    json_t *items = json_array();
    int64_t last = 0;
    int more = 0;
    int see_all = (r->who.role & (ROLE_CENTER | ROLE_ADMIN)) || owner;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (t) {
            json_t *n = need_row_json(st, 0, 0);
            more = tab_add(t, tab_project(n, NEED_EXPORT, NNEED_EXPORT)) < 0;
            json_decref(n);
            if (more)
                break;
            continue;
        }
        if ((long)json_array_size(items) == limit) {
            more = 1;
            break;
        }
        last = sqlite3_column_int64(st, 0);
        json_array_append_new(items, need_row_json(st, 0, see_all));
    }
    sqlite3_reset(st);
    if (t) { /* an export carries no contacts: it leaves the system */
        json_decref(items);
        if (more)
            tab_reply_too_many(r, t);
        else
            tab_reply(r, t, NULL);
        return;
    }
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
    reply_json(r, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor",
                                 req_next_cursor(more, last)));
}


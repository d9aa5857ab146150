/*
 * projects_list.c - GET /v1/projects: the parties' own projects, every
 * project for centers and admins, an authority's region's (authority.h),
 * as a page of JSON or, for centers, admins and authorities, the whole
 * selection as CSV or XLSX (?format=, tabular.h).
 */
#include "handlers.h"

#include "authority.h"
#include "db.h"
#include "project.h"
#include "regions.h"
#include "req.h"
#include "tabular.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

/* The columns of an exported project list. */
static const struct tab_col PROJECT_EXPORT[] = {
    {"id", "编号", TAB_TEXT, 0},
    {"title", "项目", TAB_TEXT, 0},
    {"status_zh", "状态", TAB_TEXT, 0},
    {"enterprise.name", "企业", TAB_TEXT, 0},
    {"provider.name", "服务商", TAB_TEXT, 0},
    {"center.name", "监理中心", TAB_TEXT, 0},
    {"amount", "合同金额(元)", TAB_NUM, 0},
    {"due", "下一里程碑日期", TAB_TEXT, 0},
    {"level_before", "实施前水平", TAB_INT, 0},
    {"level_after", "验收后水平", TAB_INT, 0},
    {"created_at", "签约时间", TAB_TEXT, 0},
    {"updated_at", "更新时间", TAB_TEXT, 0},
};
#define NPROJECT_EXPORT (int)(sizeof PROJECT_EXPORT / sizeof PROJECT_EXPORT[0])

/*
 * GET /v1/projects?status=&provider=&enterprise=&resource_id=&campaign_id=
 * &district=&sort=newest|due&limit=&cursor=|offset=.  sort=due is the
 * centers' board: projects with a milestone past its planned date first
 * (the earliest first), then by the next planned date, then the rest; it
 * pages by offset.
 */
void h_projects_list(struct req *r)
{
    static const char SQL_NEW[] =
        "SELECT " PROJECT_LIST_COLS " FROM projects p"
        " WHERE p.pid < ?1 AND (?2 IS NULL OR p.status = ?2)"
        " AND (?3 IS NULL OR p.provider_id = ?3)"
        " AND (?4 IS NULL OR p.enterprise_id = ?4) AND (?5 IS NULL OR p.campaign_id = ?5)"
        " AND (?6 IS NULL OR p.district_code = ?6) AND (?7 IS NULL OR p.resource_id = ?7)"
        " AND (?8 IS NULL OR p.enterprise_id = ?8 OR p.provider_id = ?8)"
        " AND (?10 IS NULL OR p.enterprise_id IN (SELECT f.org_id FROM enterprise_files f"
        "  WHERE" AUTHORITY_WHERE("f", 10, 11, 12) "))"
        " ORDER BY p.pid DESC LIMIT ?9";
    static const char SQL_DUE[] =
        "SELECT " PROJECT_LIST_COLS " FROM projects p"
        " WHERE ?1 >= 0 AND (?2 IS NULL OR p.status = ?2) AND (?3 IS NULL OR p.provider_id = ?3)"
        " AND (?4 IS NULL OR p.enterprise_id = ?4) AND (?5 IS NULL OR p.campaign_id = ?5)"
        " AND (?6 IS NULL OR p.district_code = ?6) AND (?7 IS NULL OR p.resource_id = ?7)"
        " AND (?8 IS NULL OR p.enterprise_id = ?8 OR p.provider_id = ?8)"
        " AND (?10 IS NULL OR p.enterprise_id IN (SELECT f.org_id FROM enterprise_files f"
        "  WHERE" AUTHORITY_WHERE("f", 10, 11, 12) "))"
        " ORDER BY p.due IS NULL, p.due, p.pid DESC LIMIT ?9 OFFSET ?1";
    long limit, offset;
    int64_t after;
    enum tab_format fmt;
    if (req_long_param(r, "limit", 20, 1, 100, &limit) < 0 ||
        req_long_param(r, "offset", 0, 0, 100000, &offset) < 0 ||
        req_cursor_param(r, &after) < 0 || tab_format_param(r, &fmt) < 0)
        return;
    const char *q[6] = {req_query(r, "status"), req_query(r, "provider"),
                        req_query(r, "enterprise"), req_query(r, "campaign_id"),
                        req_query(r, "district"), req_query(r, "resource_id")};
    for (int i = 0; i < 6; i++)
        if (q[i] && !*q[i])
            q[i] = NULL;
    const char *sort = req_query(r, "sort");
    int due = sort && strcmp(sort, "due") == 0;
    if (sort && *sort && !due && strcmp(sort, "newest") != 0) {
        reply_error(r, ERR_BAD_PARAM, "sort", "sort must be newest or due");
        return;
    }
    if (q[0] && !project_status_known(q[0])) {
        reply_error(r, ERR_BAD_PARAM, "status", "status must be contracted, implementing,"
                    " delivered, accepted, disputed or cancelled");
        return;
    }
    const char *dcode = NULL;
    if (req_place_param(r, "district", 2, &dcode) < 0)
        return;
    if (fmt != TAB_JSON && !tab_may_export(r))
        return;
    struct tab *t = fmt == TAB_JSON ? NULL
                                    : tab_new(fmt, "projects", "项目", PROJECT_EXPORT, NPROJECT_EXPORT);
    if (t) { /* every page */
        limit = TAB_MAX_ROWS;
        after = INT64_MAX;
        offset = 0;
    }
    /* enterprises and providers see the projects they are a party to */
    const char *own = r->who.role & (ROLE_ENTERPRISE | ROLE_PROVIDER) ? r->who.org_id : NULL;
    sqlite3_stmt *st = db_stmt(r->w->db, due ? SQL_DUE : SQL_NEW);
    if (!st) {
        tab_free(t);
        reply_db_error(r, DB_READ);
        return;
    }
    if (due)
        sqlite3_bind_int64(st, 1, offset);
    else
        sqlite3_bind_int64(st, 1, after);
    db_bind_text(st, 2, q[0]);
    db_bind_text(st, 3, q[1]);
    db_bind_text(st, 4, q[2]);
    db_bind_text(st, 5, q[3]);
    db_bind_text(st, 6, dcode);
    db_bind_text(st, 7, q[5]);
    db_bind_text(st, 8, own);
    sqlite3_bind_int64(st, 9, limit + 1);
    authority_bind(st, 10, &r->who); /* an authority: its region's enterprises only */
    char now[32], today[16];
    util_now_rfc3339(now);
    snprintf(today, sizeof today, "%.10s", now);
    json_t *items = json_array();
    int64_t last = 0;
    int more = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (t) {
            json_t *p = project_item_json(st, today);
            json_object_set_new(p, "status_zh",
                                json_string(project_status_zh(json_string_value(json_object_get(p, "status")))));
            more = tab_add(t, tab_project(p, PROJECT_EXPORT, NPROJECT_EXPORT)) < 0;
            json_decref(p);
            if (more) {
                rc = SQLITE_DONE;
                break;
            }
            continue;
        }
        if ((long)json_array_size(items) == limit) {
            more = 1;
            break;
        }
        last = sqlite3_column_int64(st, 0);
        json_array_append_new(items, project_item_json(st, today));
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        json_decref(items);
        tab_free(t);
        reply_db_error(r, DB_READ);
        return;
    }
    if (t) {
        json_decref(items);
        if (more)
            tab_reply_too_many(r, t);
        else
            tab_reply(r, t, NULL);
        return;
    }
    json_t *out = json_pack("{s:o}", "items", items);
    if (due) {
        json_object_set_new(out, "next_cursor", json_null());
        json_object_set_new(out, "next_offset", more ? json_integer(offset + limit) : json_null());
    } else {
        json_object_set_new(out, "next_cursor", req_next_cursor(more, last));
    }
    reply_json(r, 200, out);
}

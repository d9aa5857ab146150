/*
 * report_projects.c - the projects report of 跟踪监测 (report.h): the
 * projects (项目实施, issue 19) contracted in the period, grouped by
 * status, provider, scenario or month, with their contract amounts, how
 * many were accepted, the accepted amount, the average uplift of level
 * between the two verified assessments, and the share delivered on time.
 *
 * A project belongs to the region and industry of its enterprise's file,
 * so an authority sees the projects of enterprises inside its region
 * only.  By scenario a project counts once under each scenario it names
 * (the rows then add up to more than the total; the summary counts each
 * project once).  The period is the project's creation (contracting):
 * [from, to).
 */
#include "db.h"
#include "project.h"
#include "report.h"
#include "req.h"
#include "taxonomy.h"

#include <math.h>
#include <string.h>

static const struct tab_col PROJ_COLS[] = {
    {"key", "代码", TAB_TEXT, 0},
    {"name", "名称", TAB_TEXT, 0},
    {"projects", "项目数", TAB_INT, 0},
    {"amount", "合同金额（元）", TAB_NUM, 0},
    {"in_progress", "在实施", TAB_INT, 0},
    {"accepted", "已验收", TAB_INT, 0},
    {"accepted_amount", "已验收金额（元）", TAB_NUM, 0},
    {"avg_uplift", "平均提升级数", TAB_NUM, 0},
    {"on_time_share", "按期验收占比", TAB_PCT, 0},
    {"disputed", "有争议", TAB_INT, 0},
    {"cancelled", "已取消", TAB_INT, 0},
};
#define NPROJ_COLS (int)(sizeof PROJ_COLS / sizeof PROJ_COLS[0])

/* ?1 the grouping; ?2..?7 the region and the authority's cut; ?8 the
 * industry; ?9, ?10 the period.  The group key, a display name, then the
 * figures. */
static const char SQL[] =
    "WITH p AS (SELECT p.* FROM projects p JOIN enterprise_files f ON f.org_id = p.enterprise_id"
    "  WHERE" REPORT_WHERE_("f", 2, 3, 4, 5, 6, 7) " AND (?8 IS NULL OR f.industry = ?8)"
    "  AND p.created_at >= ?9 AND p.created_at < ?10),"
    " g AS (SELECT CASE ?1 WHEN 'status' THEN p.status WHEN 'provider' THEN p.provider_id"
    "   WHEN 'month' THEN substr(p.created_at, 1, 7) ELSE s.value END AS k,"
    "  CASE ?1 WHEN 'provider' THEN p.provider_name ELSE NULL END AS nm, p.*"
    "  FROM p LEFT JOIN json_each(CASE ?1 WHEN 'scenario' THEN p.scenarios ELSE '[]' END) s"
    "  WHERE ?1 <> 'scenario' OR s.value IS NOT NULL)"
    " SELECT k, max(nm), count(*), total(amount),"
    "  count(CASE WHEN status IN ('contracted','implementing','delivered') THEN 1 END),"
    "  count(CASE WHEN status = 'accepted' THEN 1 END),"
    "  total(CASE WHEN status = 'accepted' THEN amount END),"
    "  avg(CASE WHEN status = 'accepted' THEN level_after - level_before END),"
    "  avg(CASE WHEN status = 'accepted' THEN on_time END),"
    "  count(CASE WHEN status = 'disputed' THEN 1 END),"
    "  count(CASE WHEN status = 'cancelled' THEN 1 END)"
    " FROM g GROUP BY k ORDER BY CASE ?1 WHEN 'month' THEN k END, count(*) DESC, k";

/* The summary: each project once, whatever the grouping. */
static const char SQL_SUM[] =
    "SELECT count(*), total(p.amount), count(CASE WHEN p.status = 'accepted' THEN 1 END),"
    " total(CASE WHEN p.status = 'accepted' THEN p.amount END),"
    " count(CASE WHEN p.status = 'accepted' AND p.level_after >= 2 THEN 1 END)"
    " FROM projects p JOIN enterprise_files f ON f.org_id = p.enterprise_id"
    " WHERE" REPORT_WHERE_("f", 1, 2, 3, 4, 5, 6) " AND (?7 IS NULL OR f.industry = ?7)"
    " AND p.created_at >= ?8 AND p.created_at < ?9";

static const char *group_name(const char *by, const char *key, const char *name)
{
    if (strcmp(by, "status") == 0) {
        return project_status_zh(key);
    } else if (strcmp(by, "scenario") == 0) {
        int s = tax_index(TAX_SCENARIO, key);
        if (s >= 0)
            return tax_name(TAX_SCENARIO, s);
    } else if (strcmp(by, "provider") == 0 && name) {
        return name;
    }
    return key;
}

static json_t *real_or_null(sqlite3_stmt *st, int col, double scale)
{
    if (sqlite3_column_type(st, col) == SQLITE_NULL)
        return json_null();
    return json_real(round(sqlite3_column_double(st, col) * scale) / scale);
}

static int summary(struct req *r, const struct report_query *q, json_t *extra)
{
    sqlite3_stmt *st = db_stmt(r->w->db, SQL_SUM);
    if (!st)
        return -1;
    report_bind_region(st, 1, q, r);
    db_bind_text(st, 7, q->industry);
    sqlite3_bind_text(st, 8, q->from, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, q->to, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        json_object_set_new(
            extra, "summary",
            json_pack("{s:I, s:f, s:I, s:f, s:I}", "projects", (json_int_t)sqlite3_column_int64(st, 0),
                      "amount", sqlite3_column_double(st, 1), "accepted",
                      (json_int_t)sqlite3_column_int64(st, 2), "accepted_amount",
                      sqlite3_column_double(st, 3), "reached_level_2",
                      (json_int_t)sqlite3_column_int64(st, 4)));
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : -1;
}

int report_projects(struct req *r, const struct report_query *q, struct tab **t, json_t *extra)
{
    sqlite3_stmt *st = db_stmt(r->w->db, SQL);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, q->by, -1, SQLITE_STATIC);
    report_bind_region(st, 2, q, r);
    db_bind_text(st, 8, q->industry);
    sqlite3_bind_text(st, 9, q->from, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 10, q->to, -1, SQLITE_STATIC);
    *t = report_table(q, "projects", "项目实施", PROJ_COLS, NPROJ_COLS);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *key = (const char *)sqlite3_column_text(st, 0);
        const char *nm = (const char *)sqlite3_column_text(st, 1);
        if (!key)
            key = "";
        json_t *row = json_pack(
            "{s:s, s:s, s:I, s:f, s:I, s:I, s:f, s:I, s:I}", "key", key, "name",
            group_name(q->by, key, nm), "projects", (json_int_t)sqlite3_column_int64(st, 2),
            "amount", sqlite3_column_double(st, 3), "in_progress",
            (json_int_t)sqlite3_column_int64(st, 4), "accepted",
            (json_int_t)sqlite3_column_int64(st, 5), "accepted_amount",
            sqlite3_column_double(st, 6), "disputed", (json_int_t)sqlite3_column_int64(st, 9),
            "cancelled", (json_int_t)sqlite3_column_int64(st, 10));
        json_object_set_new(row, "avg_uplift", real_or_null(st, 7, 100));
        json_object_set_new(row, "on_time_share", real_or_null(st, 8, 10000));
        if (tab_add(*t, row) < 0) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return -1;
    return summary(r, q, extra);
}

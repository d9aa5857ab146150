/*
 * report_more.c - the reports beside levels (report.h): movement between
 * levels over a period, campaign outcomes, and supply gaps.
 *
 *  - movement: for every enterprise of the selection, the level of its
 *    latest verified assessment before `from` and before `to` ("none"
 *    when there was none), counted as a matrix: a row per level before,
 *    a column per level after.  One pass over the verified assessments
 *    (the partial index assessments_verified, migration 11), the levels
 *    kept in two bytes per enterprise of the selection (report_scan.c).
 *  - campaigns: every campaign past draft, its participants inside the
 *    selection, how many were accepted, the average uplift of their
 *    levels and how many reached 二级.  An authority sees only campaigns
 *    with participants in its region, counted there.
 *  - gaps: the open needs of the selection, newest first, at most
 *    `limit` (default 200: the matcher runs once per need), each matched
 *    against the pool; a need is unserved when no resource scores above
 *    `threshold` (default 0.5).  Counted by scenario beside the
 *    published resources that name it.
 */
#include "authority.h"
#include "db.h"
#include "matcher.h"
#include "report.h"
#include "report_scan.h"
#include "req.h"
#include "taxonomy.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ movement */

static const char *const LEVEL_ZH[] = {"未达一级", "一级", "二级", "三级", "四级"};

static const struct tab_col MOVE_COLS[] = {
    {"from", "期初水平", TAB_TEXT, 0},
    {"to_0", "期末未达一级", TAB_INT, 0},
    {"to_1", "期末一级", TAB_INT, 0},
    {"to_2", "期末二级", TAB_INT, 0},
    {"to_3", "期末三级", TAB_INT, 0},
    {"to_4", "期末四级", TAB_INT, 0},
    {"up", "上升", TAB_INT, 0},
    {"same", "不变", TAB_INT, 0},
    {"down", "下降", TAB_INT, 0},
    {"total", "合计", TAB_INT, 0},
};
#define NMOVE_COLS (int)(sizeof MOVE_COLS / sizeof MOVE_COLS[0])

/* Per enterprise of the selection: its level before the period and its
 * latest, each 0..4 or 7 for none. */
struct movement {
    const char *from;
    unsigned char *before, *after;
};

static void movement_row(void *arg, size_t org, sqlite3_stmt *row)
{
    struct movement *mv = arg;
    int l = sqlite3_column_int(row, 2);
    if (l < 0 || l > 4)
        return;
    if (strcmp((const char *)sqlite3_column_text(row, 1), mv->from) < 0)
        mv->before[org] = (unsigned char)l;
    mv->after[org] = (unsigned char)l;
}

int report_movement(struct req *r, const struct report_query *q, struct tab **t, json_t *extra)
{
    /* verified assessments up to `to`, oldest first (the covering index
     * assessments_verified): the last one seen for an enterprise before
     * `from` is its level before, the last one of all its level after.
     * (report_scan binds ?1 to from as well; it is not needed here) */
    static const char SQL[] =
        "SELECT org_id, verified_at, level FROM assessments INDEXED BY assessments_verified"
        " WHERE status = 'verified' AND verified_at < ?2 ORDER BY verified_at";
    struct strset sel = {0};
    if (report_selection(r, q, &sel) < 0) {
        strset_free(&sel);
        return -1;
    }
    size_t n = sel.n ? sel.n : 1;
    struct movement mv = {q->from, xmalloc(n), xmalloc(n)};
    memset(mv.before, 7, n);
    memset(mv.after, 7, n);
    int rc = report_scan(r, SQL, q, &sel, movement_row, &mv);
    json_int_t m[8][8] = {{0}};
    for (size_t i = 0; rc == 0 && i < sel.n; i++)
        if (mv.after[i] != 7)
            m[mv.before[i]][mv.after[i]]++;
    free(mv.before);
    free(mv.after);
    strset_free(&sel);
    if (rc < 0)
        return -1;
    *t = report_table(q, "movement", "水平变动", MOVE_COLS, NMOVE_COLS);
    json_int_t up = 0, same = 0, down = 0, first = 0;
    static const int ROWS[] = {7, 0, 1, 2, 3, 4};
    for (int i = 0; i < 6; i++) {
        int b = ROWS[i];
        json_int_t ru = 0, rs = 0, rd = 0, tot = 0;
        json_t *row = json_pack("{s:s}", "from", b == 7 ? "期初未核验" : LEVEL_ZH[b]);
        for (int a = 0; a < 5; a++) {
            char key[8];
            snprintf(key, sizeof key, "to_%d", a);
            json_object_set_new(row, key, json_integer(m[b][a]));
            tot += m[b][a];
            if (b == 7)
                continue;
            if (a > b)
                ru += m[b][a];
            else if (a == b)
                rs += m[b][a];
            else
                rd += m[b][a];
        }
        if (b == 7)
            first += tot;
        json_object_set_new(row, "up", json_integer(ru));
        json_object_set_new(row, "same", json_integer(rs));
        json_object_set_new(row, "down", json_integer(rd));
        json_object_set_new(row, "total", json_integer(tot));
        up += ru;
        same += rs;
        down += rd;
        tab_add(*t, row);
    }
    json_object_set_new(extra, "summary",
                        json_pack("{s:I, s:I, s:I, s:I}", "up", (json_int_t)up, "same",
                                  (json_int_t)same, "down", (json_int_t)down, "first_verified",
                                  (json_int_t)first));
    return 0;
}

/* ------------------------------------------------------------ campaigns */

static const struct tab_col CAMP_COLS[] = {
    {"id", "编号", TAB_TEXT, 0},
    {"title", "集采活动", TAB_TEXT, 0},
    {"status", "状态", TAB_TEXT, 0},
    {"industry", "行业", TAB_TEXT, 0},
    {"center", "数促中心", TAB_TEXT, 0},
    {"participants", "参与企业", TAB_INT, 0},
    {"accepted", "已验收", TAB_INT, 0},
    {"avg_uplift", "平均提升级数", TAB_NUM, 0},
    {"reached_level_2", "达到二级", TAB_INT, 0},
    {"deadline", "截止日期", TAB_TEXT, 0},
};
#define NCAMP_COLS (int)(sizeof CAMP_COLS / sizeof CAMP_COLS[0])

int report_campaigns(struct req *r, const struct report_query *q, struct tab **t, json_t *extra)
{
    static const char SQL[] =
        "SELECT c.id, c.title, c.status, c.industry, c.center_name, count(p.pid),"
        " count(CASE WHEN p.status = 'accepted' THEN 1 END),"
        " avg(p.level_after - p.level_before), count(CASE WHEN p.level_after >= 2 THEN 1 END),"
        " c.deadline"
        " FROM campaigns c LEFT JOIN participants p ON p.campaign_id = c.id"
        "  AND p.status <> 'withdrawn' AND ((?2 IS NULL AND ?3 IS NULL AND ?4 IS NULL"
        "  AND ?5 IS NULL) OR p.org_id IN (SELECT f.org_id FROM enterprise_files f WHERE"
        REPORT_WHERE_("f", 2, 3, 4, 5, 6, 7) "))"
        " WHERE c.status <> 'draft' AND (?8 IS NULL OR c.industry = ?8)"
        " AND c.updated_at >= ?1"
        " GROUP BY c.cid HAVING count(p.pid) > 0 OR (?2 IS NULL AND ?3 IS NULL AND ?4 IS NULL"
        "  AND ?5 IS NULL)"
        " ORDER BY c.cid DESC";
    sqlite3_stmt *st = db_stmt(r->w->db, SQL);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, q->from, -1, SQLITE_STATIC);
    report_bind_region(st, 2, q, r);
    db_bind_text(st, 8, q->industry);
    *t = report_table(q, "campaigns", "集采成效", CAMP_COLS, NCAMP_COLS);
    json_int_t parts = 0, accepted = 0, reached = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int ind = tax_index(TAX_INDUSTRY, (const char *)sqlite3_column_text(st, 3));
        json_t *row = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:s}", "id",
                                sqlite3_column_text(st, 0), "title", sqlite3_column_text(st, 1),
                                "status", sqlite3_column_text(st, 2), "industry",
                                ind >= 0 ? tax_name(TAX_INDUSTRY, ind) : "", "center",
                                sqlite3_column_text(st, 4), "participants",
                                (json_int_t)sqlite3_column_int64(st, 5), "accepted",
                                (json_int_t)sqlite3_column_int64(st, 6), "reached_level_2",
                                (json_int_t)sqlite3_column_int64(st, 8), "deadline",
                                sqlite3_column_text(st, 9));
        json_object_set_new(row, "avg_uplift",
                            sqlite3_column_type(st, 7) == SQLITE_NULL
                                ? json_null()
                                : json_real(round(sqlite3_column_double(st, 7) * 100) / 100));
        parts += sqlite3_column_int64(st, 5);
        accepted += sqlite3_column_int64(st, 6);
        reached += sqlite3_column_int64(st, 8);
        tab_add(*t, row);
    }
    sqlite3_reset(st);
    json_object_set_new(extra, "summary",
                        json_pack("{s:I, s:I, s:I, s:I}", "campaigns", (json_int_t)tab_rows(*t),
                                  "participants", (json_int_t)parts, "accepted",
                                  (json_int_t)accepted, "reached_level_2", (json_int_t)reached));
    return rc == SQLITE_DONE ? 0 : -1;
}

/* ------------------------------------------------------------ supply gaps */

static const struct tab_col GAP_COLS[] = {
    {"scenario", "场景代码", TAB_TEXT, 0},
    {"name", "场景", TAB_TEXT, 0},
    {"open_needs", "开放需求", TAB_INT, 0},
    {"unserved", "无合格资源的需求", TAB_INT, 0},
    {"share_unserved", "缺口占比", TAB_PCT, 0},
    {"best_score_avg", "最佳匹配分均值", TAB_NUM, 0},
    {"resources", "资源池相关资源", TAB_INT, 0},
};
#define NGAP_COLS (int)(sizeof GAP_COLS / sizeof GAP_COLS[0])

#define GAP_MAX_SCN 64

int report_gaps(struct req *r, const struct report_query *q, struct tab **t, json_t *extra)
{
    static const char SQL_NEEDS[] =
        "SELECT n.id, n.doc FROM needs n WHERE n.status = 'open'"
        " AND ((?2 IS NULL AND ?3 IS NULL AND ?4 IS NULL AND ?5 IS NULL)"
        "  OR n.enterprise_id IN (SELECT f.org_id FROM enterprise_files f WHERE"
        REPORT_WHERE_("f", 2, 3, 4, 5, 6, 7) "))"
        " AND (?8 IS NULL OR n.industry_bit = ?9) ORDER BY n.nid DESC LIMIT ?1";
    static const char SQL_RES[] =
        "SELECT scenario_mask, count(*) FROM resources_hot GROUP BY 1";
    struct db *db = r->w->db;
    sqlite3_stmt *st = db_stmt(db, SQL_NEEDS);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, q->limit);
    report_bind_region(st, 2, q, r);
    db_bind_text(st, 8, q->industry);
    sqlite3_bind_int64(st, 9, q->industry ? (int64_t)1 << tax_index(TAX_INDUSTRY, q->industry) : 0);
    json_t *needs = json_array();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *doc = json_loads((const char *)sqlite3_column_text(st, 1), 0, NULL);
        if (doc) {
            json_object_set_new(doc, "id", json_string((const char *)sqlite3_column_text(st, 0)));
            json_array_append_new(needs, doc);
        }
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        json_decref(needs);
        return -1;
    }
    int ns = tax_count(TAX_SCENARIO);
    json_int_t open[GAP_MAX_SCN] = {0}, unserved[GAP_MAX_SCN] = {0}, res[GAP_MAX_SCN] = {0};
    double best_sum[GAP_MAX_SCN] = {0};
    json_t *worst = json_array();
    size_t i;
    json_t *need;
    json_array_foreach(needs, i, need) {
        json_t *doc = matcher_rank_resources(r->w, need, NULL, 0, 1, 0);
        if (!doc) {
            json_decref(needs);
            json_decref(worst);
            return -1;
        }
        json_t *m0 = json_array_get(json_object_get(doc, "matches"), 0);
        double best = m0 ? json_number_value(json_object_get(m0, "score")) : 0;
        json_decref(doc);
        int miss = best < q->threshold;
        size_t j;
        json_t *s;
        json_array_foreach(json_object_get(need, "scenarios"), j, s) {
            int k = tax_index(TAX_SCENARIO, json_string_value(s));
            if (k < 0 || k >= GAP_MAX_SCN)
                continue;
            open[k]++;
            unserved[k] += miss;
            best_sum[k] += best;
        }
        if (miss && json_array_size(worst) < 20)
            json_array_append_new(worst, json_pack("{s:O, s:O, s:f}", "id",
                                                   json_object_get(need, "id"), "title",
                                                   json_object_get(need, "title"), "best_score",
                                                   round(best * 1000) / 1000));
    }
    size_t sampled = json_array_size(needs);
    json_decref(needs);
    st = db_stmt(db, SQL_RES);
    if (!st) {
        json_decref(worst);
        return -1;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        uint64_t mask = (uint64_t)sqlite3_column_int64(st, 0);
        for (int k = 0; k < ns && k < GAP_MAX_SCN; k++)
            if (mask & ((uint64_t)1 << k))
                res[k] += sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    *t = report_table(q, "supply-gaps", "供给缺口", GAP_COLS, NGAP_COLS);
    /* the widest gaps first */
    int order[GAP_MAX_SCN], n = 0;
    for (int k = 0; k < ns && k < GAP_MAX_SCN; k++)
        if (open[k])
            order[n++] = k;
    for (int a = 1; a < n; a++)
        for (int b = a; b > 0 && unserved[order[b]] > unserved[order[b - 1]]; b--) {
            int x = order[b];
            order[b] = order[b - 1];
            order[b - 1] = x;
        }
    for (int a = 0; a < n; a++) {
        int k = order[a];
        tab_add(*t, json_pack("{s:s, s:s, s:I, s:I, s:f, s:f, s:I}", "scenario",
                              tax_code(TAX_SCENARIO, k), "name", tax_name(TAX_SCENARIO, k),
                              "open_needs", (json_int_t)open[k], "unserved",
                              (json_int_t)unserved[k], "share_unserved",
                              round((double)unserved[k] * 10000.0 / (double)open[k]) / 10000.0,
                              "best_score_avg", round(best_sum[k] * 1000.0 / (double)open[k]) / 1000.0,
                              "resources", (json_int_t)res[k]));
    }
    json_object_set_new(extra, "needs_checked", json_integer((json_int_t)sampled));
    json_object_set_new(extra, "threshold", json_real(q->threshold));
    json_object_set_new(extra, "unserved_needs", worst);
    return rc == SQLITE_DONE ? 0 : -1;
}

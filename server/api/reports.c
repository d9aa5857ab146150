/*
 * reports.c - GET /v1/reports/{name} (跟踪监测, issue 20): the registry
 * of reports, their common filters, and the levels report by district,
 * city, province, industry or month (report.h has the contract).
 *
 *   GET /v1/reports/levels?by=district|city|province|industry|month
 *       &province=&city=&district=&industry=&from=&to=&format=json|csv|xlsx
 *   GET /v1/reports/movement?from=&to=      levels before and after a period
 *   GET /v1/reports/campaigns               campaign outcomes
 *   GET /v1/reports/gaps?limit=&threshold=  open needs no resource serves
 *   GET /v1/reports/projects?by=status|provider|scenario|month
 *                                           projects and amounts (report_projects.c)
 *
 * Figures come from the enterprise files (the latest verified level is
 * the file's, enterprise.h) and the assessments; nothing is cached, so a
 * verification shows at once.  Each report runs in one read transaction.
 */
#include "handlers.h"

#include "authority.h"
#include "db.h"
#include "regions.h"
#include "report.h"
#include "report_scan.h"
#include "req.h"
#include "taxonomy.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef int (*report_fn)(struct req *r, const struct report_query *q, struct tab **t,
                         json_t *extra);

static int levels_dispatch(struct req *r, const struct report_query *q, struct tab **t,
                           json_t *extra)
{
    return strcmp(q->by, "month") == 0 ? report_levels_by_month(r, q, t, extra)
                                       : report_levels(r, q, t, extra);
}

/* The reports: name, the `by` values (the first is the default; NULL:
 * none), the function (NULL: not built yet, `missing` says why). */
static const struct {
    const char *name;
    const char *const by[6];
    report_fn fn;
    const char *missing;
} REPORTS[] = {
    {"levels", {"district", "city", "province", "industry", "month", NULL}, levels_dispatch, NULL},
    {"movement", {NULL}, report_movement, NULL},
    {"campaigns", {NULL}, report_campaigns, NULL},
    {"gaps", {NULL}, report_gaps, NULL},
    {"projects", {"status", "provider", "scenario", "month", NULL}, report_projects, NULL},
};
#define NREPORTS (sizeof REPORTS / sizeof REPORTS[0])

const char *report_place_name(const char *code)
{
    const struct region *city = NULL, *prov = NULL;
    const struct region *d = regions_district_by_code(code, &city, &prov);
    if (d)
        return d->name;
    int amb;
    const struct region *p = regions_find(1, code, &amb);
    if (!p)
        p = regions_find(0, code, &amb);
    return p ? p->name : code;
}

void report_bind_region(sqlite3_stmt *st, int first, const struct report_query *q,
                        const struct req *r)
{
    for (int i = 0; i < 3; i++)
        db_bind_text(st, first + i, q->region[i]);
    authority_bind(st, first + 3, &r->who);
}

struct tab *report_table(const struct report_query *q, const char *name, const char *sheet,
                         const struct tab_col *cols, int ncols)
{
    return tab_new(q->format, name, sheet, cols, ncols);
}

double report_target(struct db *db, const char *district, const char *city,
                     const char *province)
{
    static const char SQL[] = "SELECT level_2_plus_share FROM report_targets WHERE region = ?1";
    const char *order[4] = {district, city, province, ""};
    for (int i = 0; i < 4; i++) {
        if (!order[i] || (i < 3 && !*order[i]))
            continue;
        sqlite3_stmt *st = db_stmt(db, SQL);
        if (!st)
            return -1;
        sqlite3_bind_text(st, 1, order[i], -1, SQLITE_STATIC);
        double v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_double(st, 0) : -1;
        sqlite3_reset(st);
        if (v >= 0)
            return v;
    }
    return -1;
}

/* ------------------------------------------------------------ filters */

/* A date parameter: YYYY-MM (its first day, or with end the first day of
 * the next month) or YYYY-MM-DD (that day, or with end the next day) ->
 * RFC 3339.  0, 1 when absent, -1 after answering 400. */
static int date_param(struct req *r, const char *name, int end, char out[32])
{
    const char *v = req_query(r, name);
    if (!v || !*v)
        return 1;
    int y, m, d = 1, n = 0;
    size_t len = strlen(v);
    int ok = (len == 7 && sscanf(v, "%4d-%2d%n", &y, &m, &n) == 2 && n == 7) ||
             (len == 10 && sscanf(v, "%4d-%2d-%2d%n", &y, &m, &d, &n) == 3 && n == 10);
    if (!ok || y < 2000 || y > 2100 || m < 1 || m > 12 || d < 1 || d > 31) {
        reply_error(r, ERR_BAD_PARAM, name, "%s must be a month (2026-03) or a day (2026-03-15)",
                    name);
        return -1;
    }
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d};
    if (end) {
        if (len == 7)
            tm.tm_mon++;
        else
            tm.tm_mday++;
    }
    time_t t = timegm(&tm);
    util_time_rfc3339(t, out);
    return 0;
}

static void month_of(const char *rfc, int minus_one_second, char out[8])
{
    struct tm tm = {0};
    int y = 0, m = 0, d = 0;
    sscanf(rfc, "%4d-%2d-%2d", &y, &m, &d);
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d;
    time_t t = timegm(&tm) - (minus_one_second ? 1 : 0);
    gmtime_r(&t, &tm);
    snprintf(out, 8, "%04d-%02d", tm.tm_year + 1900, tm.tm_mon + 1);
}


static int query_params(struct req *r, size_t ri, struct report_query *q)
{
    memset(q, 0, sizeof *q);
    if (tab_format_param(r, &q->format) < 0 || req_place_param(r, "province", 0, &q->region[0]) < 0 ||
        req_place_param(r, "city", 1, &q->region[1]) < 0 ||
        req_place_param(r, "district", 2, &q->region[2]) < 0)
        return -1;
    const char *by = req_query(r, "by");
    q->by = REPORTS[ri].by[0];
    if (by && *by) {
        q->by = NULL;
        for (int i = 0; REPORTS[ri].by[i]; i++)
            if (strcmp(by, REPORTS[ri].by[i]) == 0)
                q->by = REPORTS[ri].by[i];
        if (!q->by) {
            reply_error(r, ERR_BAD_PARAM, "by", "report %s is not grouped by \"%s\"",
                        REPORTS[ri].name, by);
            return -1;
        }
    }
    const char *ind = req_query(r, "industry");
    if (ind && *ind) {
        if (tax_index(TAX_INDUSTRY, ind) < 0) {
            reply_error(r, ERR_BAD_PARAM, "industry", "unknown industry code \"%s\"", ind);
            return -1;
        }
        q->industry = ind;
    }
    /* The period: to defaults to now, from to the first day of the month
     * eleven months before to's (a year of months). */
    int rc = date_param(r, "to", 1, q->to);
    if (rc < 0)
        return -1;
    if (rc > 0)
        util_time_rfc3339(time(NULL) + 1, q->to);
    rc = date_param(r, "from", 0, q->from);
    if (rc < 0)
        return -1;
    if (rc > 0) {
        int y = 0, m = 0;
        char tm_[8];
        month_of(q->to, 1, tm_);
        sscanf(tm_, "%4d-%2d", &y, &m);
        m -= 11;
        while (m < 1) {
            m += 12;
            y--;
        }
        snprintf(q->from, sizeof q->from, "%04d-%02d-01T00:00:00Z", y, m);
    }
    if (strcmp(q->from, q->to) >= 0) {
        reply_error(r, ERR_BAD_PARAM, "from", "from must come before to");
        return -1;
    }
    month_of(q->from, 0, q->from_month);
    month_of(q->to, 1, q->to_month);
    long lim;
    if (req_long_param(r, "limit", 200, 1, 1000, &lim) < 0)
        return -1;
    q->limit = lim;
    const char *th = req_query(r, "threshold");
    q->threshold = 0.5;
    if (th && *th) {
        char *end;
        q->threshold = strtod(th, &end);
        if (*end || !(q->threshold >= 0 && q->threshold <= 1)) {
            reply_error(r, ERR_BAD_PARAM, "threshold", "threshold must be a score from 0 to 1");
            return -1;
        }
    }
    return 0;
}

void h_report(struct req *r)
{
    size_t ri = 0;
    while (ri < NREPORTS && strcmp(REPORTS[ri].name, r->params[0]) != 0)
        ri++;
    if (ri == NREPORTS) {
        reply_error(r, ERR_NOT_FOUND, NULL, "no report %s", r->params[0]);
        return;
    }
    if (!REPORTS[ri].fn) {
        reply_error(r, ERR_NOT_FOUND, NULL, "%s", REPORTS[ri].missing);
        return;
    }
    struct report_query q;
    if (query_params(r, ri, &q) < 0)
        return;
    struct db *db = r->w->db;
    int in_tx = db_read_begin(db) == 0;
    char now[32];
    util_now_rfc3339(now);
    json_t *extra = json_pack("{s:s, s:s, s:s, s:s}", "report", REPORTS[ri].name, "generated_at",
                              now, "from", q.from, "to", q.to);
    if (q.by)
        json_object_set_new(extra, "by", json_string(q.by));
    if (authority_is(&r->who))
        json_object_set_new(extra, "region", authority_region_json(r->who.region));
    struct tab *t = NULL;
    int rc = REPORTS[ri].fn(r, &q, &t, extra);
    if (in_tx)
        db_read_end(db);
    if (rc < 0) {
        tab_free(t);
        json_decref(extra);
        reply_db_error(r, DB_READ);
        return;
    }
    tab_reply(r, t, extra);
}

/* ------------------------------------------------------------ levels */

static const struct tab_col LEVEL_COLS[] = {
    {"key", "代码", TAB_TEXT, 0},
    {"name", "名称", TAB_TEXT, 0},
    {"filed", "建档企业", TAB_INT, 0},
    {"assessed", "已评估", TAB_INT, 0},
    {"verified", "已核验", TAB_INT, 0},
    {"level_0", "未达一级", TAB_INT, 0},
    {"level_1", "一级", TAB_INT, 0},
    {"level_2", "二级", TAB_INT, 0},
    {"level_3", "三级", TAB_INT, 0},
    {"level_4", "四级", TAB_INT, 0},
    {"level_2_plus", "二级及以上", TAB_INT, 0},
    {"share_level_2_plus", "二级及以上占比", TAB_PCT, 0},
    {"target", "目标占比", TAB_PCT, 0},
    {"to_target", "距目标", TAB_PCT, 0},
};
#define NLEVEL_COLS (int)(sizeof LEVEL_COLS / sizeof LEVEL_COLS[0])

/* Fills a levels row's derived members: level_2_plus, the share of the
 * verified, the target and the distance to it. */
static void level_row_finish(json_t *row, double target)
{
    json_int_t v = json_integer_value(json_object_get(row, "verified"));
    json_int_t up = json_integer_value(json_object_get(row, "level_2")) +
                    json_integer_value(json_object_get(row, "level_3")) +
                    json_integer_value(json_object_get(row, "level_4"));
    json_object_set_new(row, "level_2_plus", json_integer(up));
    double share = v ? round((double)up * 10000.0 / (double)v) / 10000.0 : -1;
    json_object_set_new(row, "share_level_2_plus", share >= 0 ? json_real(share) : json_null());
    json_object_set_new(row, "target", target >= 0 ? json_real(target) : json_null());
    json_object_set_new(row, "to_target", target >= 0 && share >= 0
                                              ? json_real(round((share - target) * 10000.0) / 10000.0)
                                              : json_null());
}

/* The counters of a levels row (and of a month's), in LEVEL_COLS' order
 * after key and name: filed, assessed, verified, level_0 .. level_4. */
static const char *const LEVEL_COUNTS[REPORT_COUNTERS] = {"filed",   "assessed", "verified", "level_0",
                                             "level_1", "level_2",  "level_3",  "level_4"};

static json_t *level_row(const char *key, const int64_t n[REPORT_COUNTERS])
{
    json_t *row = json_pack("{s:s}", "key", key);
    for (int i = 0; i < REPORT_COUNTERS; i++)
        json_object_set_new(row, LEVEL_COUNTS[i], json_integer(n[i]));
    return row;
}

/* One pass over the selection's files, counted by the key asked for in
 * C (report_scan.c says why not GROUP BY). */
int report_levels(struct req *r, const struct report_query *q, struct tab **t, json_t *extra)
{
    static const char SQL[] =
        "SELECT CASE ?1 WHEN 'district' THEN coalesce(f.district_code, f.city_code)"
        "  WHEN 'city' THEN f.city_code WHEN 'province' THEN f.province_code ELSE f.industry END,"
        " f.assessed, f.level, f.city_code, f.province_code"
        " FROM enterprise_files f WHERE" REPORT_WHERE_("f", 2, 3, 4, 5, 6, 7)
        " AND (?8 IS NULL OR f.industry = ?8)";
    struct db *db = r->w->db;
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, q->by, -1, SQLITE_STATIC);
    report_bind_region(st, 2, q, r);
    db_bind_text(st, 8, q->industry);
    struct report_groups g = {0};
    int64_t tot[REPORT_COUNTERS] = {0};
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *k = (const char *)sqlite3_column_text(st, 0);
        size_t i = report_group(&g, k ? k : "");
        int64_t *n = g.n[i];
        int lv = sqlite3_column_type(st, 2) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 2);
        int64_t add[REPORT_COUNTERS] = {1, sqlite3_column_int(st, 1) != 0, lv >= 0, lv == 0,
                                        lv == 1, lv == 2, lv == 3, lv == 4};
        for (int c = 0; c < REPORT_COUNTERS; c++) {
            n[c] += add[c];
            tot[c] += add[c];
        }
        /* the largest city and province code of the group, as max() gave */
        const char *c = (const char *)sqlite3_column_text(st, 3);
        const char *p = (const char *)sqlite3_column_text(st, 4);
        if (c && strcmp(c, g.city[i]) > 0)
            snprintf(g.city[i], sizeof g.city[i], "%s", c);
        if (p && strcmp(p, g.province[i]) > 0)
            snprintf(g.province[i], sizeof g.province[i], "%s", p);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        report_groups_free(&g);
        return -1;
    }
    *t = report_table(q, "levels", "数字化水平", LEVEL_COLS, NLEVEL_COLS);
    int geo = strcmp(q->by, "industry") != 0;
    size_t *order = report_groups_sorted(&g);
    for (size_t j = 0; j < g.keys.n; j++) {
        size_t i = order[j];
        const char *k = strset_key(&g.keys, i);
        json_t *row = level_row(k, g.n[i]);
        const char *name = !*k ? "未填" : geo ? report_place_name(k)
                                              : tax_name(TAX_INDUSTRY, tax_index(TAX_INDUSTRY, k));
        json_object_set_new(row, "name", json_string(name ? name : k));
        double target = geo && *k ? report_target(db, strcmp(q->by, "district") == 0 ? k : NULL,
                                                  strcmp(q->by, "province") ? g.city[i] : NULL,
                                                  g.province[i])
                                  : report_target(db, q->region[2], q->region[1], q->region[0]);
        level_row_finish(row, target);
        tab_add(*t, row);
    }
    free(order);
    report_groups_free(&g);
    /* the total, for the whole selection, against its own target */
    const char *scope[3] = {q->region[0], q->region[1], q->region[2]};
    for (int k = 0; k < 3; k++)
        if (authority_is(&r->who) && r->who.region[k][0] && !scope[k])
            scope[k] = r->who.region[k];
    json_t *total = level_row("total", tot);
    json_object_set_new(total, "name", json_string("合计"));
    level_row_finish(total, report_target(db, scope[2], scope[1], scope[0]));
    json_object_set(extra, "total", total);
    tab_add(*t, total);
    return 0;
}

/* ------------------------------------------------------------ by month */

static const struct tab_col MONTH_COLS[] = {
    {"key", "月份", TAB_TEXT, 0},
    {"filed", "新建档", TAB_INT, 0},
    {"assessed", "提交评估企业", TAB_INT, 0},
    {"verified", "核验", TAB_INT, 0},
    {"level_0", "未达一级", TAB_INT, 0},
    {"level_1", "一级", TAB_INT, 0},
    {"level_2", "二级", TAB_INT, 0},
    {"level_3", "三级", TAB_INT, 0},
    {"level_4", "四级", TAB_INT, 0},
    {"level_2_plus", "二级及以上", TAB_INT, 0},
    {"share_level_2_plus", "二级及以上占比", TAB_PCT, 0},
    {"target", "目标占比", TAB_PCT, 0},
    {"to_target", "距目标", TAB_PCT, 0},
};
#define NMONTH_COLS (int)(sizeof MONTH_COLS / sizeof MONTH_COLS[0])

/* The counters of each month of the period, in LEVEL_COUNTS' order, and
 * per enterprise the last month it was counted as submitting (an
 * enterprise counts once a month).  Months are numbered yyyy*12+mm. */
struct months {
    int first, n;                       /* the period's first month, and how many */
    int64_t (*c)[REPORT_COUNTERS];
    int *last;                          /* by enterprise (its index in the selection) */
};

/* A stored time's "YYYY-MM" as yyyy*12+mm, or 0 for a text too short. */
static int month_no(const unsigned char *at)
{
    return at && strnlen((const char *)at, 7) == 7
               ? atoi((const char *)at) * 12 + atoi((const char *)at + 5) : 0;
}

/* Counts one in counter k (and in k2 when k2 >= 0) of the month of at,
 * when that month is inside the period. */
static void month_count(struct months *m, const unsigned char *at, int k, int k2)
{
    int i = month_no(at) - m->first;
    if (i < 0 || i >= m->n)
        return;
    m->c[i][k]++;
    if (k2 >= 0)
        m->c[i][k2]++;
}

static void month_filed(void *arg, size_t org, sqlite3_stmt *row)
{
    month_count(arg, sqlite3_column_text(row, 1), 0, -1);
}

static void month_submitted(void *arg, size_t org, sqlite3_stmt *row)
{
    struct months *m = arg;
    const unsigned char *at = sqlite3_column_text(row, 1);
    int no = month_no(at);
    if (no && m->last[org] != no) {
        m->last[org] = no;
        month_count(m, at, 1, -1);
    }
}

static void month_verified(void *arg, size_t org, sqlite3_stmt *row)
{
    int l = sqlite3_column_int(row, 2);
    month_count(arg, sqlite3_column_text(row, 1), 2, l >= 0 && l <= 4 ? 3 + l : -1);
}

int report_levels_by_month(struct req *r, const struct report_query *q, struct tab **t,
                           json_t *extra)
{
    /* Flows in each month: files opened, enterprises that submitted an
     * assessment, verifications by the level verified; each read from a
     * covering index in date order and kept when its enterprise is in
     * the selection (report_scan.c). */
    static const char SQL_FILED[] =
        "SELECT org_id, created_at FROM enterprise_file_docs"
        " WHERE created_at >= ?1 AND created_at < ?2";
    static const char SQL_SUBMITTED[] =
        "SELECT org_id, submitted_at FROM assessments"
        " WHERE submitted_at >= ?1 AND submitted_at < ?2 ORDER BY submitted_at";
    static const char SQL_VERIFIED[] =
        "SELECT org_id, verified_at, level FROM assessments INDEXED BY assessments_verified"
        " WHERE status = 'verified' AND verified_at >= ?1 AND verified_at < ?2";
    /* every month of the period, in order, even when empty (at most 20 years) */
    struct months m = {month_no((const unsigned char *)q->from_month), 0, NULL, NULL};
    m.n = month_no((const unsigned char *)q->to_month) - m.first + 1;
    if (m.n > 240)
        m.n = 240;
    m.c = xcalloc((size_t)m.n, sizeof *m.c);
    struct strset sel = {0};
    int rc = report_selection(r, q, &sel);
    if (rc == 0) {
        m.last = xcalloc(sel.n ? sel.n : 1, sizeof *m.last);
        if (report_scan(r, SQL_FILED, q, &sel, month_filed, &m) < 0 ||
            report_scan(r, SQL_SUBMITTED, q, &sel, month_submitted, &m) < 0 ||
            report_scan(r, SQL_VERIFIED, q, &sel, month_verified, &m) < 0)
            rc = -1;
    }
    if (rc == 0) {
        double target = report_target(r->w->db, q->region[2], q->region[1], q->region[0]);
        *t = report_table(q, "levels-by-month", "按月趋势", MONTH_COLS, NMONTH_COLS);
        for (int i = 0; i < m.n; i++) {
            char key[16];
            int no = m.first + i - 1;
            snprintf(key, sizeof key, "%04d-%02d", no / 12, no % 12 + 1);
            json_t *row = level_row(key, m.c[i]);
            level_row_finish(row, target);
            tab_add(*t, row);
        }
    }
    free(m.c);
    free(m.last);
    strset_free(&sel);
    (void)extra;
    return rc;
}

/*
 * cases.c - the case library over HTTP (case.h has the record):
 *   POST  /v1/projects/{id}/case    a center: publish an accepted project as a case
 *   GET   /v1/cases?q=&industry=&scenario=&resource_id=&provider=&limit=&offset=   public
 *   GET   /v1/cases/{id}            public (a withdrawn one: centers and admins)
 *   PATCH /v1/cases/{id}            the center that published it: texts, hide_enterprise, status
 *   GET   /v1/cases:export?ids=&format=html|pdf&title=    centers, admins: a 案例集
 *
 * A case copies, when published, what the project proved (project_json:
 * the cost and its lines, the duration from start to acceptance, levels,
 * the before/after figures, the scenes that moved); later edits change
 * only the center's texts and whether the enterprise is named.  The PDF
 * is printed by Chromium as a child process (pdf.h): the request is
 * answered when the browser is done, without blocking the worker.
 */
#include "handlers.h"

#include "auth.h"
#include "case.h"
#include "config.h"
#include "db.h"
#include "enterprise.h"
#include "log.h"
#include "notify.h"
#include "pdf.h"
#include "project.h"
#include "query.h"
#include "req.h"
#include "server.h"
#include "taxonomy.h"
#include "util.h"
#include "write.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EXPORT_MAX 50 /* cases in one 案例集 */

static const struct vfield PUBLISH_FIELDS[] = {
    {"title", V_STRING, 1, 1, 120, 0, NULL, 0},
    {"problem", V_STRING, 1, 1, 5000, 0, NULL, 0},
    {"solution", V_STRING, 1, 1, 5000, 0, NULL, 0},
    {"quote", V_STRING, 0, 0, 1000, 0, NULL, 0},
    {"hide_enterprise", V_BOOL, 0, 0, 0, 0, NULL, 0},
    VFIELD_END,
};

static const struct vfield CASE_PATCH_FIELDS[] = {
    {"title", V_STRING, 0, 1, 120, 0, NULL, 0},
    {"problem", V_STRING, 0, 1, 5000, 0, NULL, 0},
    {"solution", V_STRING, 0, 1, 5000, 0, NULL, 0},
    {"quote", V_STRING, 0, 0, 1000, 0, NULL, 0},
    {"hide_enterprise", V_BOOL, 0, 0, 0, 0, NULL, 0},
    {"status", V_STRING, 0, 1, 20, 0, NULL, 0},
    VFIELD_END,
};

static void case_reply(struct req *r, int status, const char *id)
{
    json_t *c;
    int rc = case_json(r->w->db, id, &r->who, &c);
    if (rc != 0) {
        if (rc > 0)
            reply_error(r, ERR_NOT_FOUND, NULL, "no case %s", id);
        else
            reply_db_error(r, DB_READ);
        return;
    }
    reply_record(r, status, c, "cases");
}

/* ------------------------------------------------------------ publish */

/* Days from one "YYYY-MM-DD…" to another, or -1 when either is missing. */
static long days_between(const char *a, const char *b)
{
    time_t ta, tb;
    if (!a || !b || util_parse_time(a, &ta) < 0 || util_parse_time(b, &tb) < 0)
        return -1;
    return (long)((tb - ta) / 86400);
}

static const char *milestone_actual(const json_t *ms, const char *code)
{
    size_t i;
    json_t *v;
    json_array_foreach((json_t *)ms, i, v)
        if (strcmp(json_string_value(json_object_get(v, "code")), code) == 0)
            return json_string_value(json_object_get(v, "actual"));
    return NULL;
}

/* What a case copies of its project (new reference): scenarios, cost,
 * duration, levels, figures, the scenes that moved, the real name. */
static json_t *case_doc(const json_t *pj, const char *province)
{
    const json_t *ms = json_object_get(pj, "milestones");
    const char *start = milestone_actual(ms, "start"), *end = milestone_actual(ms, "acceptance");
    long days = days_between(start ? start : json_string_value(json_object_get(pj, "created_at")),
                             end ? end : json_string_value(json_object_get(pj, "accepted_at")));
    const json_t *sum = json_object_get(pj, "cost_summary");
    json_t *amount = json_object_get(pj, "amount");
    json_t *cost = json_pack("{s:O, s:O, s:O, s:O}", "amount",
                             json_is_number(amount) ? amount : json_object_get(sum, "total"),
                             "lines", json_object_get(pj, "costs"), "lines_total",
                             json_object_get(sum, "total"), "by_type",
                             json_object_get(sum, "by_type"));
    const json_t *cmp = json_object_get(pj, "comparison");
    json_t *moved = json_array();
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(cmp, "scenes"), i, s)
        if (json_integer_value(json_object_get(s, "after")) !=
            json_integer_value(json_object_get(s, "before")))
            json_array_append(moved, s);
    json_t *lb = json_object_get(pj, "level_before"), *la = json_object_get(pj, "level_after");
    json_t *figs = cmp ? json_object_get(cmp, "figures") : NULL;
    json_t *doc = json_pack("{s:O, s:o, s:O, s:O, s:O, s:o, s:o, s:O, s:s?, s:O}",
                            "scenarios", json_object_get(pj, "scenarios"), "cost", cost,
                            "level_before", lb, "level_after", la, "step_gain",
                            json_object_get(pj, "step_gain"), "figures",
                            figs ? json_incref(figs) : json_array(), "scenes", moved,
                            "accepted_at", json_object_get(pj, "accepted_at"), "province", province,
                            "enterprise_name", json_object_get(json_object_get(pj, "enterprise"), "name"));
    json_object_set_new(doc, "started_at", start ? json_string(start) : json_null());
    json_object_set_new(doc, "duration_days", days >= 0 ? json_integer(days) : json_null());
    json_object_set_new(doc, "uplift", json_is_integer(lb) && json_is_integer(la)
                                           ? json_integer(json_integer_value(la) - json_integer_value(lb))
                                           : json_null());
    return doc;
}

static int publish_txn(struct req *r, const char *id, struct outcome *o)
{
    static const char SQL[] =
        "INSERT INTO cases(id, project_id, resource_id, provider_id, center_id, enterprise_id,"
        " industry, industry_mask, scenario_mask, hide_enterprise, created_at, updated_at, title,"
        " problem, solution, quote, enterprise_shown, provider_name, resource_title, doc)"
        " SELECT ?1, p.id, p.resource_id, p.provider_id, ?2, p.enterprise_id, ?3, ?4, ?5, ?6, ?7,"
        " ?7, ?8, ?9, ?10, ?11, ?12, p.provider_name, coalesce(r.title, ''), ?13"
        " FROM projects p LEFT JOIN resources r ON r.id = p.resource_id WHERE p.id = ?14";
    static const char SQL_IND[] =
        "SELECT coalesce((SELECT json_extract(doc, '$.industry') FROM needs WHERE id = p.need_id),"
        " (SELECT industry FROM campaigns WHERE id = p.campaign_id)) FROM projects p WHERE p.id = ?1";
    struct db *db = r->w->db;
    json_t *b = r->body;
    struct proj p;
    if (proj_load(db, r->params[0], &r->who, &p, o) < 0)
        return -1;
    if (p.center_id[0] && !req_is_caller(r, p.center_id))
        return refuse(o, ERR_FORBIDDEN, NULL, "only the project's supervising center publishes"
                      " it as a case");
    if (strcmp(p.status, "accepted") != 0)
        return refuse(o, ERR_CONFLICT, NULL, "the project is %s: only an accepted project is"
                      " published as a case", p.status);
    json_t *pj;
    if (project_json(db, p.id, &r->who, &pj) != 0)
        return refuse_db(o, db, "case publish");
    /* the enterprise's province and industry: its file, else the need's or campaign's */
    json_t *file = NULL;
    char province[64] = "", industry[48] = "";
    int k = enterprise_file_doc(db, p.enterprise_id, &file);
    if (k == 0) {
        snprintf(province, sizeof province, "%s", json_string_value(json_object_get(file, "province")) ?: "");
        snprintf(industry, sizeof industry, "%s", json_string_value(json_object_get(file, "industry")) ?: "");
    }
    json_decref(file);
    sqlite3_stmt *st = db_stmt(db, SQL_IND);
    if (k < 0 || !st) {
        json_decref(pj);
        return refuse_db(o, db, "case publish");
    }
    if (!industry[0]) {
        sqlite3_bind_text(st, 1, p.id, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
            snprintf(industry, sizeof industry, "%s", sqlite3_column_text(st, 0));
        sqlite3_reset(st);
    }
    json_t *doc = case_doc(pj, province[0] ? province : NULL);
    int hide = json_is_true(json_object_get(b, "hide_enterprise"));
    char shown[300];
    if (hide)
        case_enterprise_mask(province, industry[0] ? industry : NULL, shown, sizeof shown);
    else
        snprintf(shown, sizeof shown, "%s", json_string_value(json_object_get(json_object_get(pj, "enterprise"), "name")));
    char *dtext = json_dumps(doc, JSON_COMPACT);
    int ii = industry[0] ? tax_index(TAX_INDUSTRY, industry) : -1;
    char now[32];
    util_now_rfc3339(now);
    int rc = -1;
    if ((st = db_stmt(db, SQL))) {
        const char *quote = json_string_value(json_object_get(b, "quote"));
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, r->who.org_id, -1, SQLITE_STATIC);
        db_bind_text(st, 3, industry[0] ? industry : NULL);
        sqlite3_bind_int64(st, 4, ii >= 0 ? (int64_t)1 << ii : 0);
        sqlite3_bind_int64(st, 5, tax_mask(TAX_SCENARIO, json_object_get(doc, "scenarios")));
        sqlite3_bind_int(st, 6, hide);
        sqlite3_bind_text(st, 7, now, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 8, json_string_value(json_object_get(b, "title")), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 9, json_string_value(json_object_get(b, "problem")), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 10, json_string_value(json_object_get(b, "solution")), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 11, quote ? quote : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 12, shown, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 13, dtext, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 14, p.id, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
    }
    free(dtext);
    json_decref(doc);
    json_decref(pj);
    if (rc == SQLITE_CONSTRAINT_UNIQUE)
        return refuse(o, ERR_CONFLICT, NULL, "the project is already published as a case");
    if (rc != SQLITE_DONE)
        return refuse_db(o, db, "case publish");
    char link[96];
    snprintf(link, sizeof link, "#/cases/%s", id);
    const char *orgs[2] = {p.enterprise_id, p.provider_id};
    for (int i = 0; i < 2; i++)
        if (notify_add(db, orgs[i], "case_published",
                       json_pack("{s:{s:s, s:s}, s:{s:s}, s:s}", "project", "id", p.id, "title",
                                 p.title, "case", "id", id, "link", link)) < 0)
            return refuse_db(o, db, "case publish");
    return proj_revision(db, p.id, &r->who, p.status, p.status, "published as a case",
                         NULL, now) < 0 ? refuse_db(o, db, "case publish") : 0;
}

void h_case_publish(struct req *r)
{
    if (body_valid(r, PUBLISH_FIELDS) < 0)
        return;
    char id[48];
    util_new_id(id, sizeof id, "case");
    if (write_begin(r) < 0)
        return;
    struct outcome o;
    if (write_finish(r, publish_txn(r, id, &o), &o) == 0)
        case_reply(r, 201, id);
}

/* ------------------------------------------------------------ read */

void h_case_get(struct req *r)
{
    case_reply(r, 200, r->params[0]);
}

void h_cases_list(struct req *r)
{
    long limit, offset;
    struct case_filter f = {0};
    if (req_long_param(r, "limit", 20, 1, 100, &limit) < 0 ||
        req_long_param(r, "offset", 0, 0, 10000, &offset) < 0 ||
        req_mask_param(r, "industry", TAX_INDUSTRY, &f.industries) < 0 ||
        req_mask_param(r, "scenario", TAX_SCENARIO, &f.scenarios) < 0)
        return;
    f.resource_id = req_query(r, "resource_id");
    f.provider_id = req_query(r, "provider");
    if (f.resource_id && !*f.resource_id)
        f.resource_id = NULL;
    if (f.provider_id && !*f.provider_id)
        f.provider_id = NULL;
    const char *q = req_query(r, "q");
    struct query qb = {0};
    json_t *items = json_array(), *terms = json_array();
    long total = 0;
    int dberr = 0, relaxed = 0;
    if (q && *q) {
        /* the search box's query: every word must match, else any of the
         * most informative (as /v1/search's last resort) */
        size_t len = util_utf8_cut(q, strlen(q) > 3000 ? 3000 : strlen(q));
        for (int mode = QUERY_ALL; mode <= QUERY_ANY && !dberr; mode++) {
            struct query_opts o = {.mode = (enum query_mode)mode, .syn = app.syn, .max_terms = 16};
            if (query_build(q, len, &o, &qb) < 0) {
                dberr = 1;
                break;
            }
            if (qb.match)
                dberr = cases_search(r->w->db, qb.match, &f, limit, offset, 0, &r->who, items,
                                     &total) < 0;
            json_decref(terms);
            terms = json_incref(qb.terms ? qb.terms : json_array());
            query_free(&qb);
            if (total > 0 || mode == QUERY_ANY)
                break;
            relaxed = 1;
        }
        if (total == 0)
            relaxed = 0;
    } else {
        dberr = cases_search(r->w->db, NULL, &f, limit, offset, 0, &r->who, items, &total) < 0;
    }
    if (dberr) {
        json_decref(items);
        json_decref(terms);
        reply_db_error(r, DB_READ);
        return;
    }
    json_t *out = json_pack("{s:I, s:o, s:o, s:o}", "total", (json_int_t)total, "items", items,
                            "next_offset",
                            offset + limit < total ? json_integer(offset + limit) : json_null(),
                            "terms", terms);
    if (relaxed)
        json_object_set_new(out, "relaxed", json_true());
    reply_json(r, 200, out);
}

/* ------------------------------------------------------------ patch */

static int patch_txn(struct req *r, int64_t want, struct outcome *o)
{
    static const char SQL_GET[] =
        "SELECT version, hide_enterprise, industry, json_extract(doc, '$.province'),"
        " json_extract(doc, '$.enterprise_name'), center_id FROM cases WHERE id = ?1";
    static const char SQL[] =
        "UPDATE cases SET title = coalesce(?2, title), problem = coalesce(?3, problem),"
        " solution = coalesce(?4, solution), quote = coalesce(?5, quote), hide_enterprise = ?6,"
        " enterprise_shown = ?7, status = coalesce(?8, status), version = version + 1,"
        " updated_at = ?9 WHERE id = ?1";
    struct db *db = r->w->db;
    json_t *b = r->body;
    sqlite3_stmt *st = db_stmt(db, SQL_GET);
    if (!st)
        return refuse_db(o, db, "case patch");
    sqlite3_bind_text(st, 1, r->params[0], -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    int64_t version = 0;
    int hide = 0;
    char industry[48] = "", province[64] = "", name[256] = "", center[40] = "";
    if (rc == SQLITE_ROW) {
        snprintf(center, sizeof center, "%s", sqlite3_column_text(st, 5));
        version = sqlite3_column_int64(st, 0);
        hide = sqlite3_column_int(st, 1);
        const unsigned char *t[3] = {sqlite3_column_text(st, 2), sqlite3_column_text(st, 3),
                                     sqlite3_column_text(st, 4)};
        snprintf(industry, sizeof industry, "%s", t[0] ? (const char *)t[0] : "");
        snprintf(province, sizeof province, "%s", t[1] ? (const char *)t[1] : "");
        snprintf(name, sizeof name, "%s", t[2] ? (const char *)t[2] : "");
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return refuse_db(o, db, "case patch");
    if (rc == SQLITE_DONE)
        return refuse(o, ERR_NOT_FOUND, NULL, "no case %s", r->params[0]);
    if (!req_is_caller(r, center))
        return refuse(o, ERR_FORBIDDEN, NULL, "only the center that published a case changes it");
    if (want && want != version)
        return refuse(o, ERR_CONFLICT, NULL, "If-Match names version %" PRId64 " but the case is"
                      " at version %" PRId64, want, version);
    json_t *h = json_object_get(b, "hide_enterprise");
    if (h)
        hide = json_is_true(h);
    char shown[300];
    if (hide)
        case_enterprise_mask(province, industry[0] ? industry : NULL, shown, sizeof shown);
    else
        snprintf(shown, sizeof shown, "%s", name);
    char now[32];
    util_now_rfc3339(now);
    if (!(st = db_stmt(db, SQL)))
        return refuse_db(o, db, "case patch");
    sqlite3_bind_text(st, 1, r->params[0], -1, SQLITE_STATIC);
    static const char *const TEXTS[] = {"title", "problem", "solution", "quote"};
    for (int i = 0; i < 4; i++)
        db_bind_text(st, 2 + i, json_string_value(json_object_get(b, TEXTS[i])));
    sqlite3_bind_int(st, 6, hide);
    sqlite3_bind_text(st, 7, shown, -1, SQLITE_STATIC);
    db_bind_text(st, 8, json_string_value(json_object_get(b, "status")));
    sqlite3_bind_text(st, 9, now, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : refuse_db(o, db, "case patch");
}

void h_case_patch(struct req *r)
{
    int64_t want;
    if (req_if_match(r, &want) < 0 || body_valid(r, CASE_PATCH_FIELDS) < 0)
        return;
    const char *s = json_string_value(json_object_get(r->body, "status"));
    if (s && strcmp(s, "published") != 0 && strcmp(s, "withdrawn") != 0) {
        reply_error(r, ERR_INVALID_FIELD, "status", "status must be published or withdrawn");
        return;
    }
    if (write_begin(r) < 0)
        return;
    struct outcome o;
    if (write_finish(r, patch_txn(r, want, &o), &o) == 0)
        case_reply(r, 200, r->params[0]);
}

/* ------------------------------------------------------------ export */

static void pdf_done(void *arg, enum pdf_result rc, const char *pdf, size_t len, const char *why)
{
    struct req *r = arg;
    if (rc != PDF_OK) {
        reply_error(r, ERR_UNAVAILABLE, NULL, "the PDF could not be printed: %s", why);
        return;
    }
    reply_header(r, "Content-Disposition", "attachment; filename=\"anliji.pdf\"");
    reply_raw(r, 200, "application/pdf", pdf, len);
}

void h_cases_export(struct req *r)
{
    const char *ids = req_query(r, "ids"), *format = req_query(r, "format");
    const char *title = req_query(r, "title");
    if (!format || !*format)
        format = "html";
    if (strcmp(format, "html") != 0 && strcmp(format, "pdf") != 0) {
        reply_error(r, ERR_BAD_PARAM, "format", "format must be html or pdf");
        return;
    }
    if (!ids || !*ids) {
        reply_error(r, ERR_BAD_PARAM, "ids", "ids names the cases of the collection, by comma");
        return;
    }
    if (title && strlen(title) > 300) {
        reply_error(r, ERR_BAD_PARAM, "title", "title is at most 100 characters");
        return;
    }
    json_t *cases = json_array();
    char *copy = xstrdup(ids), *save = NULL;
    int bad = 0;
    for (char *t = strtok_r(copy, ",", &save); t && !bad; t = strtok_r(NULL, ",", &save)) {
        if (json_array_size(cases) >= EXPORT_MAX) {
            reply_error(r, ERR_BAD_PARAM, "ids", "a collection holds at most %d cases", EXPORT_MAX);
            bad = 1;
            break;
        }
        json_t *c;
        int k = case_json(r->w->db, t, NULL, &c); /* as the public reads it */
        if (k < 0) {
            reply_db_error(r, DB_READ);
            bad = 1;
        } else if (k > 0) {
            reply_error(r, ERR_BAD_PARAM, "ids", "no published case %s", t);
            bad = 1;
        } else {
            json_array_append_new(cases, c);
        }
    }
    free(copy);
    if (bad) {
        json_decref(cases);
        return;
    }
    char now[32], date[16];
    util_now_rfc3339(now);
    snprintf(date, sizeof date, "%.10s", now);
    size_t len;
    char *html = case_collection_html(cases, title && *title ? title : "优秀案例集",
                                      r->who.org_name, date, &len);
    json_decref(cases);
    if (strcmp(format, "html") == 0) {
        reply_raw(r, 200, "text/html; charset=utf-8", html, len);
        free(html);
        return;
    }
    char why[256];
    const struct config *cfg = r->w->cfg;
    if (pdf_print(r->w->base, cfg->chromium, html, len, (int)cfg->pdf_timeout, pdf_done, r, why,
                  sizeof why) < 0) {
        log_warn("case export: %s", why);
        reply_error(r, ERR_UNAVAILABLE, NULL, "the PDF could not be printed: %s", why);
    }
    free(html);
}

/*
 * enterprises.c - enterprise files over HTTP (enterprise.h has the
 * record):
 *   GET /v1/orgs/{id}/file     the enterprise itself, centers, admins
 *   PUT /v1/orgs/{id}/file     the enterprise itself, centers
 *   GET /v1/enterprises        centers, admins: the register, filtered
 *
 * Another enterprise's file is 404, as its needs are.  A PUT replaces the
 * whole file (a client sends back what it read, edited); one that opens
 * a file for an organisation without one answers 201.
 */
#include "handlers.h"

#include "authority.h"
#include "db.h"
#include "enterprise.h"
#include "query.h"
#include "regions.h"
#include "req.h"
#include "tabular.h"
#include "taxonomy.h"
#include "util.h"
#include "write.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Answers org_id's file (status 200 or 201). */
static void reply_file(struct req *r, int status, const char *org_id)
{
    json_t *f;
    int rc = enterprise_file_json(r->w->db, org_id, !authority_is(&r->who), &f);
    if (rc != 0) {
        if (rc > 0)
            reply_error(r, ERR_NOT_FOUND, NULL, "no enterprise file for %s", org_id);
        else
            reply_db_error(r, DB_READ);
        return;
    }
    if (status == 201) {
        char loc[96];
        snprintf(loc, sizeof loc, "/v1/orgs/%s/file", org_id);
        reply_header(r, "Location", loc);
    }
    reply_record(r, status, f, "orgs");
}

void h_org_file_get(struct req *r)
{
    const char *id = r->params[0];
    int seen = authority_is(&r->who) ? authority_sees_org(r->w->db, &r->who, id) : 1;
    if (seen < 0) {
        reply_db_error(r, DB_READ);
        return;
    }
    if ((r->who.role == ROLE_ENTERPRISE && !req_is_caller(r, id)) || !seen) {
        reply_error(r, ERR_NOT_FOUND, NULL, "no enterprise file for %s", id);
        return;
    }
    reply_file(r, 200, id);
}

static int put_txn(struct req *r, json_t *doc, const struct file_cols *c, int64_t want,
                   int *created, struct outcome *o)
{
    struct db *db = r->w->db;
    const char *id = r->params[0];
    int kind = enterprise_kind(db, id, NULL);
    if (kind < 0)
        return refuse_db(o, db, "file put");
    if (kind == ENT_NONE)
        return refuse(o, ERR_NOT_FOUND, NULL, "no organisation %s", id);
    if (kind == ENT_OTHER)
        return refuse(o, ERR_CONFLICT, NULL, "%s is not an enterprise: its keys are of another"
                      " role", id);
    *created = kind == ENT_FREE;
    int64_t version;
    int rc = enterprise_file_store(db, id, doc, c, want, &version);
    if (rc == ENT_VERSION_MISMATCH)
        return refuse(o, ERR_CONFLICT, NULL, "If-Match names version %" PRId64 " but the file"
                      " is at version %" PRId64, want, version);
    if (rc == ENT_USCC_TAKEN)
        return refuse(o, ERR_CONFLICT, "uscc", "another enterprise's file has this uscc");
    return rc < 0 ? refuse_db(o, db, "file put") : 0;
}

void h_org_file_put(struct req *r)
{
    const char *id = r->params[0];
    if (r->who.role == ROLE_ENTERPRISE && !req_is_caller(r, id)) {
        reply_error(r, ERR_NOT_FOUND, NULL, "no enterprise file for %s", id);
        return;
    }
    int64_t want;
    if (req_if_match(r, &want) < 0)
        return;
    struct file_cols c;
    struct verr e;
    if (enterprise_file_validate(r->body, &c, &e) < 0) {
        reply_verr(r, &e);
        return;
    }
    if (write_begin(r) < 0)
        return;
    struct outcome o;
    int created = 0;
    int rc = put_txn(r, r->body, &c, want, &created, &o);
    if (write_finish(r, rc, &o) == 0)
        reply_file(r, created ? 201 : 200, id);
}

/* ------------------------------------------------------------ the register */


struct reg_filter {
    const char *province, *city, *district, *industry;
    int level;       /* -2: any, -1: none verified, 0..: that level */
    int above_scale; /* -1: any */
    char *match;     /* FTS5 expression over orgs_fts names, or NULL */
    const struct caller *who; /* an authority's list is cut to its region */
    int nothing;     /* q has nothing searchable: no enterprise matches */
};

static int filter_params(struct req *r, struct reg_filter *f)
{
    memset(f, 0, sizeof *f);
    f->who = &r->who;
    f->level = -2;
    f->above_scale = -1;
    if (req_place_param(r, "province", 0, &f->province) < 0 || req_place_param(r, "city", 1, &f->city) < 0 ||
        req_place_param(r, "district", 2, &f->district) < 0)
        return -1;
    const char *ind = req_query(r, "industry"), *lv = req_query(r, "level"),
               *ab = req_query(r, "above_scale"), *q = req_query(r, "q");
    if (ind && *ind) {
        if (tax_index(TAX_INDUSTRY, ind) < 0) {
            reply_error(r, ERR_BAD_PARAM, "industry", "unknown industry code \"%s\"", ind);
            return -1;
        }
        f->industry = ind;
    }
    if (lv && *lv) {
        if (strcmp(lv, "none") == 0)
            f->level = -1;
        else if (strlen(lv) == 1 && lv[0] >= '0' && lv[0] <= '4')
            f->level = lv[0] - '0';
        else {
            reply_error(r, ERR_BAD_PARAM, "level", "level must be 0 to 4, or none (never verified)");
            return -1;
        }
    }
    if (ab && *ab) {
        if (strcmp(ab, "true") == 0 || strcmp(ab, "1") == 0)
            f->above_scale = 1;
        else if (strcmp(ab, "false") == 0 || strcmp(ab, "0") == 0)
            f->above_scale = 0;
        else {
            reply_error(r, ERR_BAD_PARAM, "above_scale", "above_scale must be true or false");
            return -1;
        }
    }
    if (q && *q) {
        if (strlen(q) > 200) {
            reply_error(r, ERR_BAD_QUERY, "q", "q is searched up to 200 bytes");
            return -1;
        }
        /* Names only: the expression is the query builder's (every term
         * quoted), put under a column filter the server writes itself. */
        struct query_opts o = {.mode = QUERY_ALL};
        struct query qq = {0};
        if (query_build(q, strlen(q), &o, &qq) < 0) {
            reply_error(r, ERR_UNAVAILABLE, NULL, "the search cannot be built right now");
            return -1;
        }
        if (qq.match)
            f->match = xasprintf("name : (%s)", qq.match);
        else
            f->nothing = 1; /* only punctuation: no name can match */
        query_free(&qq);
    }
    return 0;
}

static void bind_filter(sqlite3_stmt *st, const struct reg_filter *f);

#define REG_WHERE                                                                           \
    " (?2 IS NULL OR f.province_code = ?2) AND (?3 IS NULL OR f.city_code = ?3)"           \
    " AND (?4 IS NULL OR f.district_code = ?4) AND (?5 IS NULL OR f.industry = ?5)"        \
    " AND (?6 = -2 OR (?6 = -1 AND f.level IS NULL) OR f.level = ?6)"                      \
    " AND (?7 = -1 OR f.above_scale = ?7)"                                                 \
    " AND (?8 IS NULL OR f.org_rid IN (SELECT rowid FROM orgs_fts WHERE orgs_fts MATCH ?8))"     \
    " AND" AUTHORITY_WHERE("f", 10, 11, 12)

static void bind_filter(sqlite3_stmt *st, const struct reg_filter *f)
{
    db_bind_text(st, 2, f->province);
    db_bind_text(st, 3, f->city);
    db_bind_text(st, 4, f->district);
    db_bind_text(st, 5, f->industry);
    sqlite3_bind_int(st, 6, f->level);
    sqlite3_bind_int(st, 7, f->above_scale);
    db_bind_text(st, 8, f->match);
    authority_bind(st, 10, f->who);
}

/* The columns of an exported register (tabular.h). */
static const struct tab_col FILE_EXPORT[] = {
    {"org.name", "企业名称", TAB_TEXT, 0},
    {"uscc", "统一社会信用代码", TAB_TEXT, 0},
    {"province", "省", TAB_TEXT, 0},
    {"city", "市", TAB_TEXT, 0},
    {"district", "区县", TAB_TEXT, 0},
    {"industry", "行业", TAB_TEXT, 1 + TAX_INDUSTRY},
    {"gbt4754", "国民经济行业分类", TAB_TEXT, 0},
    {"size", "规模", TAB_TEXT, 1 + TAX_SIZE},
    {"above_scale", "规上", TAB_TEXT, 0},
    {"employees", "从业人数", TAB_INT, 0},
    {"revenue", "营业收入(万元)", TAB_NUM, 0},
    {"specialized", "专精特新", TAB_TEXT, 0},
    {"level", "数字化水平(级)", TAB_INT, 0},
    {"assessed_at", "核验时间", TAB_TEXT, 0},
    {"assessments", "评估次数", TAB_INT, 0},
    {"created_at", "建档时间", TAB_TEXT, 0},
};
#define NFILE_EXPORT (int)(sizeof FILE_EXPORT / sizeof FILE_EXPORT[0])

/* GET /v1/enterprises?format=csv|xlsx: the whole register as filtered,
 * newest first, at most TAB_MAX_ROWS rows, no contacts. */
static void enterprises_export(struct req *r, struct reg_filter *f, enum tab_format fmt)
{
    static const char SQL[] =
        "SELECT f.fid, " FILE_COLS " FROM enterprise_files f"
        " JOIN enterprise_file_docs d ON d.org_id = f.org_id"
        " WHERE ?1 = ?1 AND" REG_WHERE " ORDER BY f.fid DESC LIMIT ?9";
    if (!tab_may_export(r))
        return;
    struct tab *t = tab_new(fmt, "enterprises", "企业档案", FILE_EXPORT, NFILE_EXPORT);
    if (f->nothing) {
        tab_reply(r, t, NULL);
        return;
    }
    struct db *db = r->w->db;
    int in_tx = db_read_begin(db) == 0, over = 0, rc = SQLITE_ERROR;
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (st) {
        sqlite3_bind_int64(st, 1, 0);
        bind_filter(st, f);
        sqlite3_bind_int64(st, 9, TAB_MAX_ROWS + 1);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            json_t *file = enterprise_row_json(st, 1, 0);
            over = tab_add(t, tab_project(file, FILE_EXPORT, NFILE_EXPORT)) < 0;
            json_decref(file);
            if (over)
                break;
        }
        sqlite3_reset(st);
    }
    if (in_tx)
        db_read_end(db);
    if (over)
        tab_reply_too_many(r, t);
    else if (rc != SQLITE_DONE) {
        tab_free(t);
        reply_db_error(r, DB_READ);
    } else
        tab_reply(r, t, NULL);
}

void h_enterprises_list(struct req *r)
{
    static const char SQL[] =
        "SELECT f.fid, " FILE_COLS " FROM enterprise_files f"
        " JOIN enterprise_file_docs d ON d.org_id = f.org_id"
        " WHERE f.fid < ?1 AND" REG_WHERE " ORDER BY f.fid DESC LIMIT ?9";
    static const char SQL_COUNT[] =
        "SELECT count(*) FROM enterprise_files f WHERE ?1 = ?1 AND" REG_WHERE;
    long limit;
    int64_t after;
    struct reg_filter f;
    enum tab_format fmt;
    if (req_long_param(r, "limit", 20, 1, 100, &limit) < 0 || req_cursor_param(r, &after) < 0 ||
        tab_format_param(r, &fmt) < 0 || filter_params(r, &f) < 0)
        return;
    if (fmt != TAB_JSON) { /* every page, without contacts */
        enterprises_export(r, &f, fmt);
        free(f.match);
        return;
    }
    if (f.nothing) {
        reply_json(r, 200, json_pack("{s:[], s:n, s:i}", "items", "next_cursor", "total", 0));
        return;
    }
    struct db *db = r->w->db;
    int in_tx = db_read_begin(db) == 0, dberr = 0;
    json_t *items = json_array();
    int64_t last = 0, total = 0;
    int more = 0;
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        dberr = 1;
    else {
        sqlite3_bind_int64(st, 1, after);
        bind_filter(st, &f);
        sqlite3_bind_int64(st, 9, limit + 1);
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            if ((long)json_array_size(items) == limit) {
                more = 1;
                break;
            }
            last = sqlite3_column_int64(st, 0);
            json_array_append_new(items, enterprise_row_json(st, 1, !authority_is(&r->who)));
        }
        dberr = rc != SQLITE_ROW && rc != SQLITE_DONE;
        sqlite3_reset(st);
    }
    st = dberr ? NULL : db_stmt(db, SQL_COUNT);
    if (st) {
        sqlite3_bind_int64(st, 1, 0);
        bind_filter(st, &f);
        if (sqlite3_step(st) == SQLITE_ROW)
            total = sqlite3_column_int64(st, 0);
        else
            dberr = 1;
        sqlite3_reset(st);
    } else
        dberr = 1;
    if (in_tx)
        db_read_end(db);
    free(f.match);
    if (dberr) {
        json_decref(items);
        reply_db_error(r, DB_READ);
        return;
    }
    reply_json(r, 200, json_pack("{s:o, s:o, s:I}", "items", items, "next_cursor",
                                 req_next_cursor(more, last), "total", (json_int_t)total));
}

/*
 * resources.c - a provider's resources: create, read, replace, patch,
 * withdraw, list (resource.h has the record; resources_bulk.c the NDJSON
 * import).  Every write goes through write.h: the row is read inside the
 * write transaction, so a read-modify-write never races another writer.
 */
#include "handlers.h"

#include "db.h"
#include "log.h"
#include "req.h"
#include "tabular.h"
#include "resource.h"
#include "taxonomy.h"
#include "util.h"
#include "write.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The outcome of resource_store/resource_replace's result rc (write.h):
 * 0 for a success, -1 with o filled for a refusal. */
static int store_outcome(struct outcome *o, struct db *db, int rc)
{
    switch (rc) {
    case RES_CONFLICT_EXTERNAL:
        return refuse(o, ERR_CONFLICT, "external_id",
                      "another of your resources already has this external_id");
    case RES_CONFLICT_VERSION:
        return refuse(o, ERR_CONFLICT, NULL,
                      "the resource was changed by someone else; fetch it and retry");
    default:
        return rc < 0 ? refuse_db(o, db, "resource write") : 0;
    }
}

static void reply_resource(struct req *r, int status, const char *id)
{
    json_t *res = resource_get(r->w->db, id);
    if (!res) {
        reply_db_error(r, DB_READ);
        return;
    }
    reply_record(r, status, res, "resources");
}

void h_resource_create(struct req *r)
{
    struct verr e;
    if (resource_validate(r->body, &e) < 0) {
        reply_verr(r, &e);
        return;
    }
    char id[48];
    if (write_begin(r) < 0)
        return;
    struct outcome o;
    int rc = store_outcome(&o, r->w->db,
                           resource_store(r->w->db, r->who.org_id, r->who.org_name, r->body,
                                          NULL, 0, id));
    if (write_finish(r, rc, &o) == 0)
        reply_resource(r, 201, id);
}

void h_resource_get(struct req *r)
{
    json_t *res = resource_get(r->w->db, r->params[0]);
    if (!res) {
        reply_error(r, ERR_NOT_FOUND, NULL, "no resource %s", r->params[0]);
        return;
    }
    reply_record(r, 200, res, "resources");
}

/* The row a write by its owner changes, read inside the write
 * transaction: 0, or -1 with o filled when it is missing, not the
 * caller's or at another version than If-Match's want (0: any). */
struct target {
    int64_t rid, version;
    json_t *doc;    /* the stored document (new reference) */
    int withdrawn;
};

static int load_target(struct req *r, int64_t want, struct target *t, struct outcome *o)
{
    static const char SQL[] =
        "SELECT rid, provider_id, version, doc, status FROM resources WHERE id = ?1";
    struct db *db = r->w->db;
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return refuse_db(o, db, "resource read");
    sqlite3_bind_text(st, 1, r->params[0], -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? refuse(o, ERR_NOT_FOUND, NULL, "no resource %s", r->params[0])
                                 : refuse_db(o, db, "resource read");
    }
    if (!req_is_caller(r, (const char *)sqlite3_column_text(st, 1))) {
        sqlite3_reset(st);
        return refuse(o, ERR_FORBIDDEN, NULL, "this resource belongs to another organisation");
    }
    t->version = sqlite3_column_int64(st, 2);
    if (want && want != t->version) {
        sqlite3_reset(st);
        return refuse(o, ERR_CONFLICT, NULL, "If-Match names version %" PRId64
                      " but the resource is at version %" PRId64, want, t->version);
    }
    t->rid = sqlite3_column_int64(st, 0);
    t->doc = json_loads((const char *)sqlite3_column_text(st, 3), 0, NULL);
    t->withdrawn = strcmp((const char *)sqlite3_column_text(st, 4), "withdrawn") == 0;
    sqlite3_reset(st);
    return 0;
}

/* PUT replaces the document with the body; PATCH merges the body into it.
 * The UPDATE re-checks the version read, so a writer racing in between
 * makes this one answer 409. */
static int write_txn(struct req *r, int64_t want, int merge, struct outcome *o)
{
    struct target t = {0};
    if (load_target(r, want, &t, o) < 0)
        return -1;
    json_t *doc = merge ? json_merge_patch(t.doc, r->body) : json_incref(r->body);
    json_decref(t.doc);
    struct verr e;
    int rc = resource_validate(doc, &e) < 0
                 ? refuse_verr(o, &e)
                 : store_outcome(o, r->w->db,
                                 resource_replace(r->w->db, t.rid, doc, NULL, t.version, NULL));
    json_decref(doc);
    return rc;
}

static void write_resource(struct req *r, int merge)
{
    int64_t want;
    if (req_if_match(r, &want) < 0 || write_begin(r) < 0)
        return;
    struct outcome o;
    int rc = write_txn(r, want, merge, &o);
    if (write_finish(r, rc, &o) == 0)
        reply_resource(r, 200, r->params[0]);
}

void h_resource_put(struct req *r)
{
    write_resource(r, 0);
}

void h_resource_patch(struct req *r)
{
    write_resource(r, 1);
}

static int withdraw_txn(struct req *r, int64_t want, struct outcome *o)
{
    static const char SQL[] =
        "UPDATE resources SET status = 'withdrawn', version = version + 1, updated_at = ?2"
        " WHERE rid = ?1 AND version = ?3";
    struct db *db = r->w->db;
    struct target t = {0};
    if (load_target(r, want, &t, o) < 0)
        return -1;
    json_decref(t.doc);
    if (t.withdrawn)
        return 0; /* already withdrawn: nothing changes */
    char now[32];
    util_now_rfc3339(now);
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return refuse_db(o, db, "resource withdraw");
    sqlite3_bind_int64(st, 1, t.rid);
    sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, t.version);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : refuse_db(o, db, "resource withdraw");
}

void h_resource_delete(struct req *r)
{
    int64_t want;
    if (req_if_match(r, &want) < 0 || write_begin(r) < 0)
        return;
    struct outcome o;
    int rc = withdraw_txn(r, want, &o);
    if (write_finish(r, rc, &o) == 0)
        reply_resource(r, 200, r->params[0]);
}

/* The columns of an exported resource list (tabular.h). */
static const struct tab_col RESOURCE_EXPORT[] = {
    {"id", "编号", TAB_TEXT, 0},
    {"title", "名称", TAB_TEXT, 0},
    {"kind", "类型", TAB_TEXT, 1 + TAX_KIND},
    {"provider.name", "服务商", TAB_TEXT, 0},
    {"industries", "行业", TAB_TEXT, 1 + TAX_INDUSTRY},
    {"scenarios", "场景", TAB_TEXT, 1 + TAX_SCENARIO},
    {"regions", "服务地区", TAB_TEXT, 0},
    {"price.min", "最低价(元)", TAB_NUM, 0},
    {"price.max", "最高价(元)", TAB_NUM, 0},
    {"price.unit", "计价单位", TAB_TEXT, 0},
    {"delivery", "交付方式", TAB_TEXT, 1 + TAX_DELIVERY},
    {"rating.average", "评分", TAB_NUM, 0},
    {"rating.count", "评价数", TAB_INT, 0},
    {"status", "状态", TAB_TEXT, 0},
    {"updated_at", "更新时间", TAB_TEXT, 0},
};

void h_resources_list(struct req *r)
{
    static const char SQL[] =
        "SELECT " RESOURCE_COLS " FROM resources r"
        " WHERE (?1 IS NULL OR r.status = ?1) AND r.rid < ?2"
        " AND (?3 = 0 OR r.kind_bit & ?3) AND (?4 = 0 OR r.industry_mask & ?4)"
        " AND (?5 = 0 OR r.scenario_mask & ?5) AND (?6 IS NULL OR r.provider_id = ?6)"
        " AND (?7 = 0 OR r.region_mask & ?7)"
        " ORDER BY r.rid DESC LIMIT ?8";
    long limit;
    int64_t kinds, inds, scns, regs, after;
    if (req_long_param(r, "limit", 20, 1, 100, &limit) < 0 ||
        req_mask_param(r, "kind", TAX_KIND, &kinds) < 0 ||
        req_mask_param(r, "industry", TAX_INDUSTRY, &inds) < 0 ||
        req_mask_param(r, "scenario", TAX_SCENARIO, &scns) < 0 ||
        req_mask_param(r, "region", TAX_REGION, &regs) < 0)
        return;
    enum tab_format fmt;
    if (req_cursor_param(r, &after) < 0 || tab_format_param(r, &fmt) < 0)
        return;
    if (fmt != TAB_JSON && !tab_may_export(r))
        return;
    const char *provider = req_query(r, "provider");
    if (provider && !*provider)
        provider = NULL;
    const char *status = req_query(r, "status");
    if (!status || !*status)
        status = "published";
    if (strcmp(status, "published") != 0) {
        if (strcmp(status, "withdrawn") != 0 && strcmp(status, "all") != 0) {
            reply_error(r, ERR_BAD_PARAM, "status", "status must be published, withdrawn or all");
            return;
        }
        int own = provider && req_is_caller(r, provider);
        if (!own && !(r->who.role & (ROLE_CENTER | ROLE_ADMIN))) {
            reply_error(r, r->who.role ? ERR_FORBIDDEN : ERR_UNAUTHORIZED, "status",
                        "withdrawn resources are listed only for their provider "
                        "(provider=<your org id>) and for centers");
            return;
        }
        if (strcmp(status, "all") == 0)
            status = NULL;
    }
    sqlite3_stmt *st = db_stmt(r->w->db, SQL);
    if (!st) {
        reply_error(r, ERR_UNAVAILABLE, NULL, "the database cannot be read right now");
        return;
    }
    db_bind_text(st, 1, status);
    sqlite3_bind_int64(st, 2, after);
    sqlite3_bind_int64(st, 3, kinds);
    sqlite3_bind_int64(st, 4, inds);
    sqlite3_bind_int64(st, 5, scns);
    db_bind_text(st, 6, provider);
    sqlite3_bind_int64(st, 7, regs);
    /* an export is every page: all rows from the newest, at most the bound */
    struct tab *t = fmt == TAB_JSON ? NULL
                    : tab_new(fmt, "resources", "资源池", RESOURCE_EXPORT,
                              (int)(sizeof RESOURCE_EXPORT / sizeof RESOURCE_EXPORT[0]));
    if (t) {
        limit = TAB_MAX_ROWS;
        sqlite3_bind_int64(st, 2, INT64_MAX);
    }
    sqlite3_bind_int64(st, 8, limit + 1);
    json_t *items = json_array();
    int64_t last = 0;
    int more = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (t) {
            json_t *res = resource_row_json(st, 0);
            more = tab_add(t, tab_project(res, RESOURCE_EXPORT, (int)(sizeof RESOURCE_EXPORT /
                                                                      sizeof RESOURCE_EXPORT[0]))) < 0;
            json_decref(res);
            if (more)
                break;
            continue;
        }
        if ((long)json_array_size(items) == limit) {
            more = 1;
            break;
        }
        last = sqlite3_column_int64(st, 0);
        json_array_append_new(items, resource_row_json(st, 0));
    }
    sqlite3_reset(st);
    if (t) {
        json_decref(items);
        if (more)
            tab_reply_too_many(r, t);
        else
            tab_reply(r, t, NULL);
        return;
    }
    reply_json(r, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor",
                                 req_next_cursor(more, last)));
}

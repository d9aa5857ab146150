/*
 * resource.c - resource validation, storage and handlers (see resource.h).
 *
 * Writes follow one pattern: validate the whole document, BEGIN
 * IMMEDIATE, write the row (the FTS5 triggers update the index in the
 * same transaction), COMMIT, then bump the cache generation and answer.
 * Optimistic concurrency: every write increments `version`; an If-Match
 * that names another version answers 409, and the UPDATE itself checks
 * the version so two writers racing cannot both win.
 */
#include "resource.h"

#include "cache.h"
#include "db.h"
#include "log.h"
#include "taxonomy.h"
#include "util.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOV {NULL, 0, 0, 0, 0, 0, NULL, 0}

static const struct vfield PRICE_FIELDS[] = {
    {"min", V_NUMBER, 0, 0, 1e12, 0, NULL, 0},
    {"max", V_NUMBER, 0, 0, 1e12, 0, NULL, 0},
    {"unit", V_STRING, 0, 1, 16, 0, NULL, 0},
    NOV,
};

static const struct vfield LEVEL_FIELDS[] = {
    {"from", V_INT, 1, 1, 4, 0, NULL, 0},
    {"to", V_INT, 1, 1, 4, 0, NULL, 0},
    NOV,
};

static const struct vfield CASE_FIELDS[] = {
    {"enterprise", V_STRING, 1, 1, 120, 0, NULL, 0},
    {"industry", V_CODE, 0, 0, 0, TAX_INDUSTRY, NULL, 0},
    {"result", V_STRING, 0, 0, 500, 0, NULL, 0},
    NOV,
};

static const struct vfield RESOURCE_FIELDS[] = {
    {"kind", V_CODE, 1, 0, 0, TAX_KIND, NULL, 0},
    {"title", V_STRING, 1, 1, 120, 0, NULL, 0},
    {"summary", V_STRING, 0, 0, 500, 0, NULL, 0},
    {"description", V_STRING, 0, 0, 20000, 0, NULL, 0},
    {"industries", V_CODE_ARRAY, 1, 1, 15, TAX_INDUSTRY, NULL, 0},
    {"scenarios", V_CODE_ARRAY, 1, 1, 20, TAX_SCENARIO, NULL, 0},
    {"regions", V_CODE_ARRAY, 0, 1, 35, TAX_REGION, NULL, 0},
    {"tags", V_STRING_ARRAY, 0, 0, 32, 0, NULL, 40},
    {"price", V_OBJECT, 0, 0, 0, 0, PRICE_FIELDS, 0},
    {"deploy_days", V_INT, 0, 0, 3650, 0, NULL, 0},
    {"delivery", V_CODE, 0, 0, 0, TAX_DELIVERY, NULL, 0},
    {"levels", V_OBJECT, 0, 0, 0, 0, LEVEL_FIELDS, 0},
    {"cases", V_OBJECT_ARRAY, 0, 0, 50, 0, CASE_FIELDS, 0},
    {"license", V_STRING, 0, 0, 200, 0, NULL, 0},
    {"external_id", V_STRING, 0, 1, 64, 0, NULL, 0},
    {"attrs", V_ANY_OBJECT, 0, 0, 0, 0, NULL, 0},
    NOV,
};

int resource_validate(json_t *doc, struct verr *e)
{
    if (validate(doc, RESOURCE_FIELDS, e) < 0)
        return -1;
    json_t *price = json_object_get(doc, "price");
    if (price) {
        json_t *mn = json_object_get(price, "min"), *mx = json_object_get(price, "max");
        if (mn && mx && json_number_value(mn) > json_number_value(mx))
            return verr_set(e, "price.min", "price.min (%g) must not exceed price.max (%g)",
                            json_number_value(mn), json_number_value(mx));
    }
    json_t *lv = json_object_get(doc, "levels");
    if (lv && json_integer_value(json_object_get(lv, "from")) >=
                  json_integer_value(json_object_get(lv, "to")))
        return verr_set(e, "levels", "levels.from must be below levels.to");
    if (!json_object_get(doc, "regions"))
        json_object_set_new(doc, "regions", json_pack("[s]", TAX_NATIONWIDE));
    return 0;
}

json_t *resource_row_json(sqlite3_stmt *st, int c)
{
    json_t *doc = json_loads((const char *)sqlite3_column_text(st, c + 4), 0, NULL);
    if (!doc)
        doc = json_object();
    json_t *out = json_object();
    /* Server fields first, then the provider's document. */
    json_object_set_new(out, "id", json_string((const char *)sqlite3_column_text(st, c + 1)));
    json_object_update(out, doc);
    json_decref(doc);
    json_object_set_new(out, "provider",
                        json_pack("{s:s, s:s}", "id", sqlite3_column_text(st, c + 2), "name",
                                  sqlite3_column_text(st, c + 3)));
    json_object_set_new(out, "status", json_string((const char *)sqlite3_column_text(st, c + 5)));
    int64_t sum = sqlite3_column_int64(st, c + 6), cnt = sqlite3_column_int64(st, c + 7);
    double avg = cnt ? round((double)sum * 100.0 / (double)cnt) / 100.0 : 0.0;
    json_object_set_new(out, "rating", json_pack("{s:f, s:I}", "average", avg, "count", (json_int_t)cnt));
    json_object_set_new(out, "version", json_integer(sqlite3_column_int64(st, c + 8)));
    json_object_set_new(out, "created_at", json_string((const char *)sqlite3_column_text(st, c + 9)));
    json_object_set_new(out, "updated_at", json_string((const char *)sqlite3_column_text(st, c + 10)));
    return out;
}

json_t *resource_get(struct db *db, const char *id)
{
    static const char SQL[] = "SELECT " RESOURCE_COLS " FROM resources r WHERE r.id = ?1";
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return NULL;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    json_t *out = sqlite3_step(st) == SQLITE_ROW ? resource_row_json(st, 0) : NULL;
    sqlite3_reset(st);
    return out;
}

/* Binds the 18 columns derived from doc at parameters ?1..?18; the tag
 * text is returned through *tags for the caller to free after the step. */
/* Binds the columns derived from doc.  dumped, when not NULL, is doc as
 * json_dumps(doc, JSON_COMPACT) already made (the importer's reader
 * thread makes it); otherwise it is made here into *text. */
static void bind_derived(sqlite3_stmt *st, json_t *doc, const char *dumped, char **tags,
                         char **text)
{
    const char *kind = json_string_value(json_object_get(doc, "kind"));
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (int64_t)1 << tax_index(TAX_KIND, kind));
    sqlite3_bind_text(st, 3, json_string_value(json_object_get(doc, "title")), -1, SQLITE_STATIC);
    const char *s = json_string_value(json_object_get(doc, "summary"));
    sqlite3_bind_text(st, 4, s ? s : "", -1, SQLITE_STATIC);
    s = json_string_value(json_object_get(doc, "description"));
    sqlite3_bind_text(st, 5, s ? s : "", -1, SQLITE_STATIC);
    /* Tags are indexed as one text, separated so no phrase spans two. */
    size_t cap = 1, i;
    json_t *t, *arr = json_object_get(doc, "tags");
    json_array_foreach(arr, i, t) cap += json_string_length(t) + 3;
    *tags = xmalloc(cap);
    size_t n = 0;
    json_array_foreach(arr, i, t) {
        if (n)
            n += (size_t)sprintf(*tags + n, " | ");
        memcpy(*tags + n, json_string_value(t), json_string_length(t));
        n += json_string_length(t);
    }
    (*tags)[n] = '\0';
    sqlite3_bind_text(st, 6, *tags, -1, SQLITE_STATIC);
    if (!dumped)
        dumped = *text = json_dumps(doc, JSON_COMPACT);
    sqlite3_bind_text(st, 7, dumped, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 8, tax_mask(TAX_INDUSTRY, json_object_get(doc, "industries")));
    sqlite3_bind_int64(st, 9, tax_mask(TAX_SCENARIO, json_object_get(doc, "scenarios")));
    sqlite3_bind_int64(st, 10, tax_mask(TAX_REGION, json_object_get(doc, "regions")));
    json_t *price = json_object_get(doc, "price");
    json_t *mn = json_object_get(price, "min"), *mx = json_object_get(price, "max");
    if (!mn)
        mn = mx;
    if (!mx)
        mx = mn;
    if (mn)
        sqlite3_bind_double(st, 11, json_number_value(mn));
    if (mx)
        sqlite3_bind_double(st, 12, json_number_value(mx));
    const char *dl = json_string_value(json_object_get(doc, "delivery"));
    sqlite3_bind_int64(st, 13, dl ? (int64_t)1 << tax_index(TAX_DELIVERY, dl) : 0);
    json_t *lv = json_object_get(doc, "levels");
    if (lv) {
        sqlite3_bind_int64(st, 14, json_integer_value(json_object_get(lv, "from")));
        sqlite3_bind_int64(st, 15, json_integer_value(json_object_get(lv, "to")));
    }
    json_t *dd = json_object_get(doc, "deploy_days");
    if (dd)
        sqlite3_bind_int64(st, 16, json_integer_value(dd));
    sqlite3_bind_int64(st, 17, (int64_t)json_array_size(json_object_get(doc, "cases")));
    db_bind_text(st, 18, json_string_value(json_object_get(doc, "external_id")));
}

#define INSERT_COLUMNS                                                              \
    "kind, kind_bit, title, summary, description, tags, doc,"                       \
    " industry_mask, scenario_mask, region_mask, price_min, price_max, delivery_bit," \
    " level_from, level_to, deploy_days, case_count, external_id,"                 \
    " id, provider_id, provider_name, created_at, updated_at"
#define INSERT_VALUES                                                               \
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16," \
    " ?17, ?18, ?19, ?20, ?21, ?22, ?22)"

static const char SQL_INSERT[] = "INSERT INTO resources(" INSERT_COLUMNS ")" INSERT_VALUES;

/*
 * Staged inserts, for bulk loads.  FTS5 flushes its in-memory index at
 * every statement boundary (its xSavepoint), so a load of one INSERT per
 * resource writes one tiny segment per resource and then merges them:
 * about 60 % of an import's time.  A bulk load instead inserts its new
 * rows into a per-connection TEMP table (no triggers) and moves each batch
 * into resources with one INSERT ... SELECT, so the FTS5 trigger and the
 * others run once per row but FTS5 flushes once per batch - the same rows,
 * indexes and triggers, about twice as fast (docs/benchmarks.md).
 */
static const char SQL_STAGE_CREATE[] =
    "CREATE TEMP TABLE IF NOT EXISTS resources_stage (seq INTEGER PRIMARY KEY, "
    INSERT_COLUMNS ", UNIQUE (provider_id, external_id))";
static const char SQL_STAGE_INSERT[] =
    "INSERT INTO temp.resources_stage(" INSERT_COLUMNS ")" INSERT_VALUES;
static const char SQL_STAGE_FIND[] =
    "SELECT 1 FROM temp.resources_stage WHERE provider_id = ?1 AND external_id = ?2";
static const char SQL_STAGE_MOVE[] =
    "INSERT INTO resources(" INSERT_COLUMNS ") SELECT " INSERT_COLUMNS
    " FROM temp.resources_stage ORDER BY seq";
static const char SQL_STAGE_CLEAR[] = "DELETE FROM temp.resources_stage";

int resource_stage_begin(struct db *db)
{
    return db_exec(db, SQL_STAGE_CREATE) < 0 ? RES_DB_ERROR : RES_OK;
}

int resource_stage_flush(struct db *db)
{
    sqlite3_stmt *st = db_stmt(db, SQL_STAGE_MOVE);
    if (!st)
        return RES_DB_ERROR;
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        log_error("resource bulk insert: %s", sqlite3_errmsg(db_handle(db)));
        return RES_DB_ERROR;
    }
    st = db_stmt(db, SQL_STAGE_CLEAR);
    if (!st)
        return RES_DB_ERROR;
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? RES_OK : RES_DB_ERROR;
}

/* 1 when a staged row of this provider has external_id ext, 0 when none,
 * -1 on a database error. */
static int stage_has(struct db *db, const char *provider_id, const char *ext)
{
    sqlite3_stmt *st = db_stmt(db, SQL_STAGE_FIND);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, provider_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, ext, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

static const char SQL_UPDATE[] =
    "UPDATE resources SET kind = ?1, kind_bit = ?2, title = ?3, summary = ?4,"
    " description = ?5, tags = ?6, doc = ?7, industry_mask = ?8, scenario_mask = ?9,"
    " region_mask = ?10, price_min = ?11, price_max = ?12, delivery_bit = ?13,"
    " level_from = ?14, level_to = ?15, deploy_days = ?16, case_count = ?17,"
    " external_id = ?18, status = coalesce(?19, status), version = version + 1,"
    " updated_at = ?20 WHERE rid = ?21 AND (?22 = 0 OR version = ?22)";

/* Replaces the document of row rid.  expect_version 0 = any. */
static int resource_replace(struct db *db, int64_t rid, json_t *doc, const char *dumped,
                            int64_t expect_version, const char *status)
{
    char now[32], *tags = NULL, *text = NULL;
    util_now_rfc3339(now);
    sqlite3_stmt *st = db_stmt(db, SQL_UPDATE);
    if (!st)
        return RES_DB_ERROR;
    bind_derived(st, doc, dumped, &tags, &text);
    db_bind_text(st, 19, status);
    sqlite3_bind_text(st, 20, now, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 21, rid);
    sqlite3_bind_int64(st, 22, expect_version);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    free(tags);
    free(text);
    if (rc == SQLITE_CONSTRAINT_UNIQUE)
        return RES_CONFLICT_EXTERNAL;
    if (rc != SQLITE_DONE) {
        log_error("resource update: %s", sqlite3_errmsg(db_handle(db)));
        return RES_DB_ERROR;
    }
    return sqlite3_changes(db_handle(db)) ? RES_UPDATED : RES_CONFLICT_VERSION;
}

int resource_store(struct db *db, const char *provider_id, const char *provider_name,
                   json_t *doc, const char *dumped, int flags, char id[48])
{
    static const char SQL_EXT[] =
        "SELECT rid, id FROM resources WHERE provider_id = ?1 AND external_id = ?2";
    const char *ext = json_string_value(json_object_get(doc, "external_id"));
    int upsert = flags & RES_UPSERT, staged = flags & RES_STAGED;
    if (staged && ext) {
        /* An external_id already waiting in the stage: move the stage
         * first, so this line finds it in resources and updates it, as
         * it would have without staging. */
        int has = stage_has(db, provider_id, ext);
        if (has < 0 || (has && resource_stage_flush(db) < 0))
            return RES_DB_ERROR;
    }
    if (upsert && ext) {
        sqlite3_stmt *st = db_stmt(db, SQL_EXT);
        if (!st)
            return RES_DB_ERROR;
        sqlite3_bind_text(st, 1, provider_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, ext, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) {
            int64_t rid = sqlite3_column_int64(st, 0);
            snprintf(id, 48, "%s", sqlite3_column_text(st, 1));
            sqlite3_reset(st);
            return resource_replace(db, rid, doc, dumped, 0, "published");
        }
        sqlite3_reset(st);
    }
    char now[32], *tags = NULL, *text = NULL;
    util_now_rfc3339(now);
    util_new_id(id, 48, "res");
    sqlite3_stmt *st = db_stmt(db, staged ? SQL_STAGE_INSERT : SQL_INSERT);
    if (!st)
        return RES_DB_ERROR;
    bind_derived(st, doc, dumped, &tags, &text);
    sqlite3_bind_text(st, 19, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 20, provider_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 21, provider_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 22, now, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    free(tags);
    free(text);
    if (rc == SQLITE_CONSTRAINT_UNIQUE)
        return RES_CONFLICT_EXTERNAL;
    if (rc != SQLITE_DONE) {
        log_error("resource insert: %s", sqlite3_errmsg(db_handle(db)));
        return RES_DB_ERROR;
    }
    return RES_CREATED;
}

/* Answers the error for a failed write; returns 1 if it answered. */
static int reply_write_error(struct req *r, int rc)
{
    switch (rc) {
    case RES_CONFLICT_EXTERNAL:
        reply_error(r, ERR_CONFLICT, "external_id",
                    "another of your resources already has this external_id");
        return 1;
    case RES_CONFLICT_VERSION:
        reply_error(r, ERR_CONFLICT, NULL,
                    "the resource was changed by someone else; fetch it and retry");
        return 1;
    case RES_DB_ERROR:
        reply_error(r, ERR_UNAVAILABLE, NULL, "the database cannot be written right now");
        return 1;
    default:
        return 0;
    }
}

static void reply_resource(struct req *r, int status, const char *id)
{
    json_t *res = resource_get(r->w->db, id);
    if (!res) {
        reply_error(r, ERR_UNAVAILABLE, NULL, "the database cannot be read right now");
        return;
    }
    char etag[32];
    snprintf(etag, sizeof etag, "\"%" JSON_INTEGER_FORMAT "\"",
             json_integer_value(json_object_get(res, "version")));
    reply_header(r, "ETag", etag);
    if (status == 201) {
        char loc[96];
        snprintf(loc, sizeof loc, "/v1/resources/%s", id);
        reply_header(r, "Location", loc);
    }
    reply_json(r, status, res);
}

void h_resource_create(struct req *r)
{
    struct verr e;
    if (resource_validate(r->body, &e) < 0) {
        reply_error(r, ERR_INVALID_FIELD, e.field, "%s", e.msg);
        return;
    }
    struct db *db = r->w->db;
    char id[48];
    if (db_begin(db) < 0) {
        reply_write_error(r, RES_DB_ERROR);
        return;
    }
    int rc = resource_store(db, r->who.org_id, r->who.org_name, r->body, NULL, 0, id);
    if (rc < 0 || db_commit(db) < 0) {
        db_rollback(db);
        reply_write_error(r, rc < 0 ? rc : RES_DB_ERROR);
        return;
    }
    reply_resource(r, 201, id);
}

void h_resource_get(struct req *r)
{
    json_t *res = resource_get(r->w->db, r->params[0]);
    if (!res) {
        reply_error(r, ERR_NOT_FOUND, NULL, "no resource %s", r->params[0]);
        return;
    }
    char etag[32];
    snprintf(etag, sizeof etag, "\"%" JSON_INTEGER_FORMAT "\"",
             json_integer_value(json_object_get(res, "version")));
    reply_header(r, "ETag", etag);
    reply_json(r, 200, res);
}

/* Loads the row for a write by its owner.  Answers and returns -1 when
 * the resource is missing, not the caller's or at another version. */
static int load_for_write(struct req *r, int64_t *rid, int64_t *expect, json_t **doc,
                          const char **status)
{
    static const char SQL[] =
        "SELECT rid, provider_id, version, doc, status FROM resources WHERE id = ?1";
    int64_t want;
    if (req_if_match(r, &want) < 0)
        return -1;
    sqlite3_stmt *st = db_stmt(r->w->db, SQL);
    if (!st) {
        reply_write_error(r, RES_DB_ERROR);
        return -1;
    }
    sqlite3_bind_text(st, 1, r->params[0], -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        reply_error(r, ERR_NOT_FOUND, NULL, "no resource %s", r->params[0]);
        return -1;
    }
    if (!req_is_caller(r, (const char *)sqlite3_column_text(st, 1))) {
        sqlite3_reset(st);
        reply_error(r, ERR_FORBIDDEN, NULL, "this resource belongs to another organisation");
        return -1;
    }
    int64_t version = sqlite3_column_int64(st, 2);
    if (want && want != version) {
        sqlite3_reset(st);
        reply_error(r, ERR_CONFLICT, NULL, "If-Match names version %" PRId64
                    " but the resource is at version %" PRId64, want, version);
        return -1;
    }
    *rid = sqlite3_column_int64(st, 0);
    if (doc)
        *doc = json_loads((const char *)sqlite3_column_text(st, 3), 0, NULL);
    if (status)
        *status = strcmp((const char *)sqlite3_column_text(st, 4), "withdrawn") == 0
                      ? "withdrawn" : "published";
    sqlite3_reset(st);
    /* The UPDATE re-checks this version, so a writer racing in between
     * the read and the write makes this one answer 409. */
    *expect = version;
    return 0;
}

/* Validates and writes doc over row rid; the caller has begun the
 * transaction and this function ends it. */
static void write_doc(struct req *r, int64_t rid, int64_t expect, json_t *doc)
{
    struct db *db = r->w->db;
    struct verr e;
    if (resource_validate(doc, &e) < 0) {
        db_rollback(db);
        reply_error(r, ERR_INVALID_FIELD, e.field, "%s", e.msg);
        return;
    }
    int rc = resource_replace(db, rid, doc, NULL, expect, NULL);
    if (rc < 0 || db_commit(db) < 0) {
        db_rollback(db);
        reply_write_error(r, rc < 0 ? rc : RES_DB_ERROR);
        return;
    }
    reply_resource(r, 200, r->params[0]);
}

/* Starts the write transaction and loads the row inside it, so a
 * read-modify-write never races another writer.  Answers and returns -1
 * on failure (with the transaction rolled back). */
static int begin_write(struct req *r, int64_t *rid, int64_t *expect, json_t **doc,
                       const char **status)
{
    struct db *db = r->w->db; /* r is freed once answered */
    if (db_begin(db) < 0) {
        reply_write_error(r, RES_DB_ERROR);
        return -1;
    }
    if (load_for_write(r, rid, expect, doc, status) < 0) {
        db_rollback(db);
        return -1;
    }
    return 0;
}

void h_resource_put(struct req *r)
{
    int64_t rid, expect;
    if (begin_write(r, &rid, &expect, NULL, NULL) < 0)
        return;
    write_doc(r, rid, expect, r->body);
}

void h_resource_patch(struct req *r)
{
    int64_t rid, expect;
    json_t *old = NULL;
    if (begin_write(r, &rid, &expect, &old, NULL) < 0)
        return;
    json_t *doc = json_merge_patch(old, r->body);
    json_decref(old);
    write_doc(r, rid, expect, doc);
    json_decref(doc);
}

void h_resource_delete(struct req *r)
{
    static const char SQL[] =
        "UPDATE resources SET status = 'withdrawn', version = version + 1, updated_at = ?2"
        " WHERE rid = ?1 AND version = ?3";
    int64_t rid, expect;
    const char *status;
    struct db *db = r->w->db;
    if (begin_write(r, &rid, &expect, NULL, &status) < 0)
        return;
    if (strcmp(status, "withdrawn") == 0) {
        db_rollback(db);
        reply_resource(r, 200, r->params[0]);
        return;
    }
    char now[32];
    util_now_rfc3339(now);
    sqlite3_stmt *st = db_stmt(db, SQL);
    int rc = SQLITE_ERROR;
    if (st) {
        sqlite3_bind_int64(st, 1, rid);
        sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, expect);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
    }
    if (rc != SQLITE_DONE || db_commit(db) < 0) {
        db_rollback(db);
        reply_write_error(r, RES_DB_ERROR);
        return;
    }
    reply_resource(r, 200, r->params[0]);
}

/* Cursors are opaque to clients: "c1" and the last row id in hex. */
static int cursor_parse(const char *s, int64_t *rid)
{
    if (!s || strncmp(s, "c1", 2) != 0 || !s[2] || strlen(s) > 18)
        return -1;
    char *end;
    unsigned long long v = strtoull(s + 2, &end, 16);
    if (*end || v == 0 || v > INT64_MAX)
        return -1;
    *rid = (int64_t)v;
    return 0;
}

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
    int64_t kinds, inds, scns, regs, after = INT64_MAX;
    if (req_long_param(r, "limit", 20, 1, 100, &limit) < 0 ||
        req_mask_param(r, "kind", TAX_KIND, &kinds) < 0 ||
        req_mask_param(r, "industry", TAX_INDUSTRY, &inds) < 0 ||
        req_mask_param(r, "scenario", TAX_SCENARIO, &scns) < 0 ||
        req_mask_param(r, "region", TAX_REGION, &regs) < 0)
        return;
    const char *cursor = req_query(r, "cursor");
    if (cursor && *cursor && cursor_parse(cursor, &after) < 0) {
        reply_error(r, ERR_BAD_PARAM, "cursor", "cursor is not one this server returned");
        return;
    }
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
    sqlite3_bind_int64(st, 8, limit + 1);
    json_t *items = json_array();
    int64_t last = 0;
    int more = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if ((long)json_array_size(items) == limit) {
            more = 1;
            break;
        }
        last = sqlite3_column_int64(st, 0);
        json_array_append_new(items, resource_row_json(st, 0));
    }
    sqlite3_reset(st);
    json_t *next = json_null();
    if (more) {
        char buf[32];
        snprintf(buf, sizeof buf, "c1%llx", (unsigned long long)last);
        next = json_string(buf);
    }
    reply_json(r, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
}

#define BULK_BATCH 500
#define BULK_MAX_ERRORS 1000

void h_resources_bulk(struct req *r)
{
    struct db *db = r->w->db;
    long created = 0, updated = 0, failed = 0;
    json_t *errors = json_array();
    const char *p = r->raw, *end = r->raw + r->rawlen;
    long line = 0;
    int in_tx = 0, batch = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        line++;
        const char *s = p;
        p = nl ? nl + 1 : end;
        while (s < le && (*s == ' ' || *s == '\t' || *s == '\r'))
            s++;
        if (s == le)
            continue;
        json_error_t jerr;
        json_t *doc = json_loadb(s, (size_t)(le - s), JSON_REJECT_DUPLICATES, &jerr);
        json_t *err = NULL;
        struct verr e;
        if (!doc) {
            err = json_pack("{s:s, s:s}", "code", "bad_json", "message", jerr.text);
        } else if (resource_validate(doc, &e) < 0) {
            err = json_pack("{s:s, s:s}", "code", "invalid_field", "message", e.msg);
            if (*e.field)
                json_object_set_new(err, "field", json_string(e.field));
        } else {
            if (!in_tx) {
                if (db_begin(db) < 0 || resource_stage_begin(db) < 0)
                    goto dberr;
                in_tx = 1;
            }
            char id[48];
            int rc = resource_store(db, r->who.org_id, r->who.org_name, doc, NULL,
                                    RES_UPSERT | RES_STAGED, id);
            if (rc == RES_CREATED)
                created++;
            else if (rc == RES_UPDATED)
                updated++;
            else if (rc == RES_CONFLICT_EXTERNAL)
                err = json_pack("{s:s, s:s, s:s}", "code", "conflict", "message",
                                "external_id is used by another resource", "field", "external_id");
            else {
                json_decref(doc);
                goto dberr;
            }
            if (++batch >= BULK_BATCH) {
                if (resource_stage_flush(db) < 0 || db_commit(db) < 0)
                    goto dberr;
                in_tx = 0;
                batch = 0;
            }
        }
        json_decref(doc);
        if (err) {
            failed++;
            if (json_array_size(errors) < BULK_MAX_ERRORS)
                json_array_append_new(errors, json_pack("{s:I, s:o}", "line", (json_int_t)line,
                                                        "error", err));
            else
                json_decref(err);
        }
    }
    if (in_tx && (resource_stage_flush(db) < 0 || db_commit(db) < 0))
        goto dberr;
    /* A large load leaves many small FTS5 segments that every search then
     * reads: merge some of them now, a bounded amount of work (about 500
     * pages; `shucud import` optimizes fully).  Nothing is lost if it
     * fails, so its result is only logged. */
    if (created + updated >= BULK_BATCH &&
        db_exec(db, "INSERT INTO resources_fts(resources_fts, rank) VALUES('merge', 500)") < 0)
        log_warn("bulk import: the full-text merge after it failed (searches stay correct)");
    reply_json(r, 200, json_pack("{s:I, s:I, s:I, s:o}", "created", (json_int_t)created,
                                 "updated", (json_int_t)updated, "failed", (json_int_t)failed,
                                 "errors", errors));
    return;
dberr:
    db_rollback(db);
    json_decref(errors);
    reply_error(r, ERR_UNAVAILABLE, NULL,
                "the database failed at line %ld; lines before the last %d-line batch were saved",
                line, BULK_BATCH);
}

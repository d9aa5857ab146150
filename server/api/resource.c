/*
 * resource.c - the resource record (see resource.h): validation, the row
 * as JSON, storage and the bulk mode of imports.  The handlers
 * are resources.c and resources_bulk.c.
 *
 * A write validates the whole document and writes the row inside the
 * caller's transaction; triggers update the FTS5 index, the hot columns
 * and the cache generation in that same transaction (write.h ends it).
 * Optimistic concurrency: every write increments `version`; an If-Match
 * that names another version answers 409, and the UPDATE itself checks
 * the version so two writers racing cannot both win.
 */
#include "resource.h"

#include "db.h"
#include "log.h"
#include "taxonomy.h"
#include "util.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct vfield PRICE_FIELDS[] = {
    {"min", V_NUMBER, 0, 0, 1e12, 0, NULL, 0},
    {"max", V_NUMBER, 0, 0, 1e12, 0, NULL, 0},
    {"unit", V_STRING, 0, 1, 16, 0, NULL, 0},
    VFIELD_END,
};

static const struct vfield LEVEL_FIELDS[] = {
    {"from", V_INT, 1, 1, 4, 0, NULL, 0},
    {"to", V_INT, 1, 1, 4, 0, NULL, 0},
    VFIELD_END,
};

static const struct vfield CASE_FIELDS[] = {
    {"enterprise", V_STRING, 1, 1, 120, 0, NULL, 0},
    {"industry", V_CODE, 0, 0, 0, TAX_INDUSTRY, NULL, 0},
    {"result", V_STRING, 0, 0, 500, 0, NULL, 0},
    VFIELD_END,
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
    VFIELD_END,
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
        if (n) { /* memcpy, not sprintf: this runs for every tag of every import line */
            memcpy(*tags + n, " | ", 3);
            n += 3;
        }
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
 * Bulk loads.  FTS5 flushes its in-memory index at every statement
 * boundary (its xSavepoint), so a load of one INSERT per resource wrote
 * one tiny segment per resource and then merged them: about 60 % of an
 * import's time.  A bulk load therefore keeps FTS5 out of its per-line
 * statements and indexes the batch's new rows with one INSERT ... SELECT
 * before its commit: the same rows, index and triggers, and FTS5 flushes
 * once per batch.
 *
 * Bulk mode: while a batch is open, the row ('bulk', R) in meta - written
 * and deleted inside the batch's transaction, so no other connection ever
 * sees it - turns off three per-row triggers (migrations 13 and 15): the
 * FTS5 insert (rows from R on are not yet indexed), resource_is (filled
 * per line here from the two small code arrays, where the trigger parsed
 * the whole document twice: 8 % of an import's instructions) and the
 * generation bump (once per batch instead).  The rows, resource_is and
 * the index end up as a row-by-row store leaves them.
 *
 * Until issue 24 the new rows waited in a TEMP table and moved into
 * resources at the end of the batch; writing each row there, reading it
 * back and deleting it cost more than reading the batch's rows back for
 * FTS5 (bench/analysis.md, section 5).
 */
static const char SQL_BULK_ON[] =
    "INSERT OR REPLACE INTO meta VALUES ('bulk',"
    " (SELECT coalesce(max(rid), 0) + 1 FROM resources))";
static const char SQL_BULK_FROM[] = "SELECT v FROM meta WHERE k = 'bulk'";
static const char SQL_BULK_IS[] = "INSERT OR IGNORE INTO resource_is VALUES (?1, ?2, ?3)";
static const char SQL_BULK_FTS[] =
    "INSERT INTO resources_fts(rowid, title, summary, description, tags, provider_name)"
    " SELECT rid, title, summary, description, tags, provider_name FROM resources"
    " WHERE rid >= (SELECT v FROM meta WHERE k = 'bulk') AND status = 'published' ORDER BY rid";
static const char SQL_BULK_ON_AGAIN[] = "UPDATE meta SET v = (SELECT coalesce(max(rid), 0) + 1"
                                        " FROM resources) WHERE k = 'bulk'";
static const char SQL_BULK_OFF[] =
    "UPDATE meta SET v = v + 1 WHERE k = 'gen'; DELETE FROM meta WHERE k = 'bulk'";

/* Steps a cached statement once; SQLITE_DONE or the error code. */
static int step_once(struct db *db, const char *sql)
{
    sqlite3_stmt *st = db_stmt(db, sql);
    if (!st)
        return SQLITE_ERROR;
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc;
}

int resource_bulk_begin(struct db *db)
{
    return step_once(db, SQL_BULK_ON) == SQLITE_DONE ? RES_OK : RES_DB_ERROR;
}

/* Indexes the rows added since the bulk row's mark and moves the mark
 * past them. */
static int bulk_index(struct db *db)
{
    int rc = step_once(db, SQL_BULK_FTS);
    if (rc == SQLITE_DONE)
        rc = step_once(db, SQL_BULK_ON_AGAIN);
    if (rc != SQLITE_DONE) {
        log_error("resource bulk index: %s", sqlite3_errmsg(db_handle(db)));
        return RES_DB_ERROR;
    }
    return RES_OK;
}

int resource_bulk_end(struct db *db)
{
    /* On a failure the caller rolls the batch back, the bulk row with it. */
    if (bulk_index(db) < 0)
        return RES_DB_ERROR;
    if (db_exec(db, SQL_BULK_OFF) < 0) {
        log_error("resource bulk end: %s", sqlite3_errmsg(db_handle(db)));
        return RES_DB_ERROR;
    }
    return RES_OK;
}

/* The first rid the open batch has not indexed yet; -1 on an error. */
static int64_t bulk_from(struct db *db)
{
    sqlite3_stmt *st = db_stmt(db, SQL_BULK_FROM);
    if (!st)
        return -1;
    int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_reset(st);
    return v;
}

/* resource_is for the new published row rid, in bulk mode: one row per
 * (industry, scenario) pair, each a step of one small statement (the
 * validated arrays hold no repeats; 25,000 instructions a line went to
 * json_each over the two arrays, 8,000 to these steps). */
static int bulk_is(struct db *db, json_t *doc, int64_t rid)
{
    sqlite3_stmt *st = db_stmt(db, SQL_BULK_IS);
    if (!st)
        return RES_DB_ERROR;
    json_t *inds = json_object_get(doc, "industries"), *scns = json_object_get(doc, "scenarios");
    json_t *ind, *scn;
    size_t i, j;
    sqlite3_bind_int64(st, 3, rid);
    json_array_foreach(inds, i, ind) {
        sqlite3_bind_text(st, 1, json_string_value(ind), (int)json_string_length(ind),
                          SQLITE_STATIC);
        json_array_foreach(scns, j, scn) {
            sqlite3_bind_text(st, 2, json_string_value(scn), (int)json_string_length(scn),
                              SQLITE_STATIC);
            int rc = sqlite3_step(st);
            sqlite3_reset(st);
            if (rc != SQLITE_DONE)
                return RES_DB_ERROR;
        }
    }
    return RES_OK;
}

static const char SQL_UPDATE[] =
    "UPDATE resources SET kind = ?1, kind_bit = ?2, title = ?3, summary = ?4,"
    " description = ?5, tags = ?6, doc = ?7, industry_mask = ?8, scenario_mask = ?9,"
    " region_mask = ?10, price_min = ?11, price_max = ?12, delivery_bit = ?13,"
    " level_from = ?14, level_to = ?15, deploy_days = ?16, case_count = ?17,"
    " external_id = ?18, status = coalesce(?19, status), version = version + 1,"
    " updated_at = ?20 WHERE rid = ?21 AND (?22 = 0 OR version = ?22)";

/* Replaces the document of row rid.  expect_version 0 = any. */
int resource_replace(struct db *db, int64_t rid, json_t *doc, const char *dumped,
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
    int upsert = flags & RES_UPSERT, bulk = flags & RES_BULK;
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
            /* A row this batch added and has not indexed yet: index the
             * batch so far first, for the update's trigger takes the
             * old text out of FTS5. */
            if (bulk) {
                int64_t from = bulk_from(db);
                if (from < 0 || (rid >= from && bulk_index(db) < 0))
                    return RES_DB_ERROR;
            }
            return resource_replace(db, rid, doc, dumped, 0, "published");
        }
        sqlite3_reset(st);
    }
    char now[32], *tags = NULL, *text = NULL;
    util_now_rfc3339(now);
    util_new_ordered_id(id, 48, "res");
    sqlite3_stmt *st = db_stmt(db, SQL_INSERT);
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
    if (bulk && bulk_is(db, doc, sqlite3_last_insert_rowid(db_handle(db))) < 0)
        return RES_DB_ERROR;
    return RES_CREATED;
}

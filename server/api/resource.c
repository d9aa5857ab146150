/*
 * resource.c - the resource record (see resource.h): validation, the row
 * as JSON, storage and the staging table of bulk imports.  The handlers
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
 * Staged inserts, for bulk loads.  FTS5 flushes its in-memory index at
 * every statement boundary (its xSavepoint), so a load of one INSERT per
 * resource writes one tiny segment per resource and then merges them:
 * about 60 % of an import's time.  A bulk load instead inserts its new
 * rows into a per-connection TEMP table (no triggers) and moves each batch
 * into resources with one INSERT ... SELECT, so the FTS5 trigger and the
 * others run once per row but FTS5 flushes once per batch - the same rows,
 * indexes and triggers, about twice as fast (docs/benchmarks.md).
 *
 * Bulk mode (issue 24): while a batch moves, the row ('bulk', 1) in meta
 * (written and deleted inside the batch's transaction, so no other
 * connection ever sees it) turns off two per-row triggers (migration 13):
 * resource_is is then filled for the whole batch from the industry and
 * scenario codes the stage keeps as small JSON arrays (the trigger parses
 * every row's whole document twice: 8 % of an import's instructions),
 * and the generation is bumped once per batch instead of once per row.
 * The rows, resource_is and the index end up as a row-by-row store
 * leaves them.
 */
static const char SQL_STAGE_CREATE[] =
    "CREATE TEMP TABLE IF NOT EXISTS resources_stage (seq INTEGER PRIMARY KEY, "
    INSERT_COLUMNS ", stage_industries TEXT NOT NULL, stage_scenarios TEXT NOT NULL,"
    " UNIQUE (provider_id, external_id))";
static const char SQL_STAGE_INSERT[] =
    "INSERT INTO temp.resources_stage(" INSERT_COLUMNS ", stage_industries, stage_scenarios)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
    " ?17, ?18, ?19, ?20, ?21, ?22, ?22, ?23, ?24)";
static const char SQL_BULK_ON[] = "INSERT OR REPLACE INTO meta VALUES ('bulk', 1)";
static const char SQL_BULK_IS[] =
    "INSERT OR IGNORE INTO resource_is SELECT i.value, s.value, r.rid"
    " FROM temp.resources_stage st JOIN resources r ON r.id = st.id,"
    " json_each(st.stage_industries) i, json_each(st.stage_scenarios) s";
static const char SQL_BULK_OFF[] =
    "UPDATE meta SET v = v + 1 WHERE k = 'gen'; DELETE FROM meta WHERE k = 'bulk'";
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

/* The codes of a validated code array as a JSON array in buf: they are
 * taxonomy codes (letters, digits, _), so nothing needs escaping.  Codes
 * that do not fit are left out of buf; a validated array always fits. */
static const char *codes_json(json_t *arr, char *buf, size_t cap)
{
    size_t n = 0, i;
    json_t *c;
    buf[n++] = '[';
    json_array_foreach(arr, i, c) {
        const char *code = json_string_value(c);
        size_t len = code ? strlen(code) : 0;
        if (!len || n + len + 5 >= cap)
            continue;
        if (n > 1)
            buf[n++] = ',';
        buf[n++] = '"';
        memcpy(buf + n, code, len);
        n += len;
        buf[n++] = '"';
    }
    buf[n++] = ']';
    buf[n] = '\0';
    return buf;
}

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

int resource_stage_flush(struct db *db)
{
    /* On a failure the caller rolls the batch back, the bulk row with it. */
    int rc = step_once(db, SQL_BULK_ON);
    if (rc == SQLITE_DONE)
        rc = step_once(db, SQL_STAGE_MOVE);
    if (rc == SQLITE_DONE)
        rc = step_once(db, SQL_BULK_IS);
    if (rc == SQLITE_DONE)
        rc = db_exec(db, SQL_BULK_OFF) == 0 ? SQLITE_DONE : SQLITE_ERROR;
    if (rc != SQLITE_DONE) {
        log_error("resource bulk insert: %s", sqlite3_errmsg(db_handle(db)));
        return RES_DB_ERROR;
    }
    sqlite3_stmt *st = db_stmt(db, SQL_STAGE_CLEAR);
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
    util_new_ordered_id(id, 48, "res");
    sqlite3_stmt *st = db_stmt(db, staged ? SQL_STAGE_INSERT : SQL_INSERT);
    if (!st)
        return RES_DB_ERROR;
    bind_derived(st, doc, dumped, &tags, &text);
    sqlite3_bind_text(st, 19, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 20, provider_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 21, provider_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 22, now, -1, SQLITE_STATIC);
    char inds[1024], scns[1024];
    if (staged) { /* bulk mode's resource_is (see above) */
        sqlite3_bind_text(st, 23, codes_json(json_object_get(doc, "industries"), inds, sizeof inds),
                          -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 24, codes_json(json_object_get(doc, "scenarios"), scns, sizeof scns),
                          -1, SQLITE_STATIC);
    }
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

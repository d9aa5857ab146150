/*
 * enterprise.c - the enterprise file record (see enterprise.h): fields
 * and validation, storage in two tables written together, the JSON, and
 * the level matching reads from the latest verified assessment.
 *
 * Invariants:
 *  - enterprise_files (the narrow columns the register filters) and
 *    enterprise_file_docs (the document, USCC and version) hold one row
 *    each per file, inserted and updated in the same transaction.
 *  - The stored document is the validated one: regions as names, the
 *    USCC upper-case, no server-owned members, no nulls.
 *  - level/assessed_at/assessment_id change only in a verification's
 *    transaction (enterprise_file_set_level).
 */
#include "enterprise.h"

#include "db.h"
#include "instrument.h"
#include "log.h"
#include "regions.h"
#include "taxonomy.h"
#include "uscc.h"
#include "util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct vfield CERT_FIELDS[] = {
    {"type", V_STRING, 1, 1, 60, 0, NULL, 0},
    {"grade", V_STRING, 0, 1, 40, 0, NULL, 0},
    {"year", V_INT, 0, 1990, 2100, 0, NULL, 0},
    VFIELD_END,
};

static const struct vfield CONTACT_FIELDS[] = {
    {"name", V_STRING, 0, 1, 60, 0, NULL, 0},
    {"phone", V_STRING, 0, 3, 32, 0, NULL, 0},
    {"email", V_STRING, 0, 3, 120, 0, NULL, 0},
    VFIELD_END,
};

static const struct vfield FILE_FIELDS[] = {
    {"uscc", V_STRING, 0, 1, 40, 0, NULL, 0}, /* its 18 characters: uscc_valid() */
    {"province", V_STRING, 0, 1, 40, 0, NULL, 0},
    {"city", V_STRING, 0, 1, 40, 0, NULL, 0},
    {"district", V_STRING, 0, 1, 40, 0, NULL, 0},
    {"industry", V_CODE, 0, 0, 0, TAX_INDUSTRY, NULL, 0},
    {"gbt4754", V_STRING, 0, 2, 5, 0, NULL, 0},
    {"size", V_CODE, 0, 0, 0, TAX_SIZE, NULL, 0},
    {"above_scale", V_BOOL, 0, 0, 0, 0, NULL, 0},
    {"employees", V_INT, 0, 0, 10000000, 0, NULL, 0},
    {"revenue", V_NUMBER, 0, 0, 1e9, 0, NULL, 0},
    {"specialized", V_STRING, 0, 1, 20, 0, NULL, 0},
    {"certificates", V_OBJECT_ARRAY, 0, 0, 20, 0, CERT_FIELDS, 0},
    {"contact", V_OBJECT, 0, 0, 0, 0, CONTACT_FIELDS, 0},
    VFIELD_END,
};

/* Members the server writes: ignored when a client sends them back. */
static const char *const SERVER_OWNED[] = {
    "org", "org_id", "id", "version", "level", "assessed_at", "assessment_id", "assessments",
    "created_at", "updated_at", "province_code", "city_code", "district_code", NULL,
};

static const char *const SPECIALIZED[] = {"none", "innovative", "specialized", "little_giant",
                                          NULL};

/* 1 when s is a GB/T 4754 class: an optional section letter A-T, then
 * 2 to 4 digits. */
static int gbt4754_ok(const char *s)
{
    if (*s >= 'A' && *s <= 'T')
        s++;
    size_t n = strlen(s);
    if (n < 2 || n > 4)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

/* Resolves province/city/district of doc to regions, names in the doc
 * and codes in c.  0 or -1 with e set. */
static int regions_resolve(json_t *doc, struct file_cols *c, struct verr *e)
{
    const char *p = json_string_value(json_object_get(doc, "province"));
    const char *ci = json_string_value(json_object_get(doc, "city"));
    const char *d = json_string_value(json_object_get(doc, "district"));
    if (!p && (ci || d))
        return verr_set(e, "province", "province is needed with a city or district");
    if (!ci && d)
        return verr_set(e, "city", "city is needed with a district");
    if (!p)
        return 0;
    const struct region *pr = regions_province(p);
    if (!pr)
        return verr_set(e, "province", "\"%s\" is not a province of GB/T 2260 (e.g. 湖北省)", p);
    snprintf(c->province_code, sizeof c->province_code, "%s", pr->code);
    json_object_set_new(doc, "province", json_string(pr->name));
    if (!ci)
        return 0;
    const struct region *cr = regions_child(pr, ci);
    if (!cr)
        return verr_set(e, "city", "\"%s\" is not a city of %s", ci, pr->name);
    snprintf(c->city_code, sizeof c->city_code, "%s", cr->code);
    json_object_set_new(doc, "city", json_string(cr->name));
    if (!d)
        return 0;
    if (cr->n == 0)
        return verr_set(e, "district", "%s has no districts: leave district out", cr->name);
    const struct region *dr = regions_child(cr, d);
    if (!dr)
        return verr_set(e, "district", "\"%s\" is not a district of %s", d, cr->name);
    snprintf(c->district_code, sizeof c->district_code, "%s", dr->code);
    json_object_set_new(doc, "district", json_string(dr->name));
    return 0;
}

int enterprise_file_validate(json_t *doc, struct file_cols *c, struct verr *e)
{
    memset(c, 0, sizeof *c);
    c->above_scale = -1;
    if (!json_is_object(doc))
        return verr_set(e, "", "a file must be a JSON object");
    for (int i = 0; SERVER_OWNED[i]; i++)
        json_object_del(doc, SERVER_OWNED[i]);
    if (validate(doc, FILE_FIELDS, e) < 0)
        return -1;
    json_t *u = json_object_get(doc, "uscc");
    if (u) {
        char code[20];
        snprintf(code, sizeof code, "%s", json_string_value(u));
        for (char *s = code; *s; s++)
            *s = (char)toupper((unsigned char)*s);
        int v = uscc_valid(code);
        if (v == -1)
            return verr_set(e, "uscc", "uscc must be 18 characters of 0-9 and A-Z without I, O,"
                            " S, V and Z (统一社会信用代码)");
        if (v == -2)
            return verr_set(e, "uscc", "uscc's check character (GB 32100-2015) is wrong: a"
                            " character was mistyped");
        snprintf(c->uscc, sizeof c->uscc, "%s", code);
        json_object_set_new(doc, "uscc", json_string(code));
    }
    const char *ind = json_string_value(json_object_get(doc, "industry"));
    if (ind && strcmp(ind, TAX_GENERAL) == 0)
        return verr_set(e, "industry", "an enterprise's industry is one of the 14 key"
                        " industries, not general");
    const char *g = json_string_value(json_object_get(doc, "gbt4754"));
    if (g && !gbt4754_ok(g))
        return verr_set(e, "gbt4754", "gbt4754 must be a GB/T 4754 class such as C3484 or 3484");
    const char *sp = json_string_value(json_object_get(doc, "specialized"));
    int known = !sp;
    for (int i = 0; sp && SPECIALIZED[i]; i++)
        known |= strcmp(sp, SPECIALIZED[i]) == 0;
    if (!known)
        return verr_set(e, "specialized", "specialized must be none, innovative, specialized or"
                        " little_giant");
    const char *email = json_string_value(json_object_get(json_object_get(doc, "contact"), "email"));
    if (email && !strchr(email, '@'))
        return verr_set(e, "contact.email", "contact.email must be an e-mail address");
    if (regions_resolve(doc, c, e) < 0)
        return -1;
    c->industry = ind;
    c->size = json_string_value(json_object_get(doc, "size"));
    json_t *ab = json_object_get(doc, "above_scale");
    if (ab)
        c->above_scale = json_is_true(ab);
    return 0;
}

int enterprise_kind(struct db *db, const char *org_id, char name[256])
{
    static const char SQL[] =
        "SELECT o.name, EXISTS (SELECT 1 FROM enterprise_files f WHERE f.org_id = o.id),"
        " EXISTS (SELECT 1 FROM keys k WHERE k.org_id = o.id AND k.role <> 'enterprise')"
        " FROM orgs o WHERE o.id = ?1";
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, org_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st), kind = ENT_NONE;
    if (rc == SQLITE_ROW) {
        if (name)
            snprintf(name, 256, "%s", sqlite3_column_text(st, 0));
        kind = sqlite3_column_int(st, 1) ? ENT_FILE : sqlite3_column_int(st, 2) ? ENT_OTHER
                                                                                 : ENT_FREE;
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? kind : -1;
}

/* Binds text, or NULL when s is NULL or empty. */
static void bind_opt(sqlite3_stmt *st, int i, const char *s)
{
    db_bind_text(st, i, s && *s ? s : NULL);
}

int enterprise_file_store(struct db *db, const char *org_id, json_t *doc,
                          const struct file_cols *c, int64_t want, int64_t *version)
{
    static const char SQL_VERSION[] = "SELECT version FROM enterprise_file_docs WHERE org_id = ?1";
    static const char SQL_HOT[] =
        "INSERT INTO enterprise_files(org_id, org_rid, province_code, city_code, district_code,"
        " industry, size, above_scale) SELECT ?1, rid, ?2, ?3, ?4, ?5, ?6, ?7 FROM orgs"
        " WHERE id = ?1"
        " ON CONFLICT(org_id) DO UPDATE SET province_code = excluded.province_code,"
        " city_code = excluded.city_code, district_code = excluded.district_code,"
        " industry = excluded.industry, size = excluded.size, above_scale = excluded.above_scale";
    static const char SQL_DOC[] =
        "INSERT INTO enterprise_file_docs(org_id, uscc, doc, created_at, updated_at)"
        " VALUES (?1, ?2, ?3, ?4, ?4)"
        " ON CONFLICT(org_id) DO UPDATE SET uscc = excluded.uscc, doc = excluded.doc,"
        " version = version + 1, updated_at = excluded.updated_at";
    int64_t cur = 0;
    sqlite3_stmt *st = db_stmt(db, SQL_VERSION);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, org_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        cur = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return -1;
    if (want && want != cur) {
        *version = cur;
        return ENT_VERSION_MISMATCH;
    }
    char now[32];
    util_now_rfc3339(now);
    st = db_stmt(db, SQL_HOT);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, org_id, -1, SQLITE_STATIC);
    bind_opt(st, 2, c->province_code);
    bind_opt(st, 3, c->city_code);
    bind_opt(st, 4, c->district_code);
    db_bind_text(st, 5, c->industry);
    db_bind_text(st, 6, c->size);
    if (c->above_scale >= 0)
        sqlite3_bind_int(st, 7, c->above_scale);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return -1;
    st = db_stmt(db, SQL_DOC);
    if (!st)
        return -1;
    char *text = json_dumps(doc, JSON_COMPACT);
    sqlite3_bind_text(st, 1, org_id, -1, SQLITE_STATIC);
    bind_opt(st, 2, c->uscc);
    sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    free(text);
    if (rc == SQLITE_CONSTRAINT_UNIQUE)
        return ENT_USCC_TAKEN;
    if (rc != SQLITE_DONE)
        return -1;
    *version = cur + 1;
    return ENT_STORED;
}

int enterprise_file_ensure(struct db *db, const char *org_id, const char *now)
{
    static const char SQL_HOT[] =
        "INSERT OR IGNORE INTO enterprise_files(org_id, org_rid)"
        " SELECT id, rid FROM orgs WHERE id = ?1";
    static const char SQL_DOC[] =
        "INSERT OR IGNORE INTO enterprise_file_docs(org_id, created_at, updated_at)"
        " VALUES (?1, ?2, ?2)";
    sqlite3_stmt *st = db_stmt(db, SQL_HOT);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, org_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE || !(st = db_stmt(db, SQL_DOC)))
        return -1;
    sqlite3_bind_text(st, 1, org_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

int enterprise_file_set_level(struct db *db, const char *org_id, int level, const char *at,
                              const char *assessment_id)
{
    static const char SQL_HOT[] = "UPDATE enterprise_files SET level = ?2 WHERE org_id = ?1";
    static const char SQL_DOC[] =
        "UPDATE enterprise_file_docs SET assessed_at = ?2, assessment_id = ?3 WHERE org_id = ?1";
    sqlite3_stmt *st = db_stmt(db, SQL_HOT);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, org_id, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, level);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE || !(st = db_stmt(db, SQL_DOC)))
        return -1;
    sqlite3_bind_text(st, 1, org_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, at, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, assessment_id, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

static json_t *text_or_null(sqlite3_stmt *st, int col)
{
    return sqlite3_column_type(st, col) == SQLITE_NULL
               ? json_null()
               : json_string((const char *)sqlite3_column_text(st, col));
}

json_t *enterprise_row_json(sqlite3_stmt *st, int c, int show_contact)
{
    json_t *out = json_pack("{s:{s:s, s:s}}", "org", "id", sqlite3_column_text(st, c), "name",
                            sqlite3_column_text(st, c + 1) ? (const char *)sqlite3_column_text(st, c + 1)
                                                           : "");
    json_t *doc = json_loads((const char *)sqlite3_column_text(st, c + 11), 0, NULL);
    if (doc)
        json_object_update(out, doc);
    json_decref(doc);
    if (!show_contact)
        json_object_del(out, "contact");
    static const char *const CODES[] = {"province_code", "city_code", "district_code"};
    for (int i = 0; i < 3; i++)
        if (sqlite3_column_type(st, c + 2 + i) != SQLITE_NULL)
            json_object_set_new(out, CODES[i], json_string((const char *)sqlite3_column_text(st, c + 2 + i)));
    json_object_set_new(out, "level", sqlite3_column_type(st, c + 5) == SQLITE_NULL
                                          ? json_null()
                                          : json_integer(sqlite3_column_int(st, c + 5)));
    json_object_set_new(out, "assessed_at", text_or_null(st, c + 6));
    json_object_set_new(out, "assessment_id", text_or_null(st, c + 7));
    json_object_set_new(out, "assessments", json_integer(sqlite3_column_int64(st, c + 12)));
    json_object_set_new(out, "version", json_integer(sqlite3_column_int64(st, c + 8)));
    json_object_set_new(out, "created_at", json_string((const char *)sqlite3_column_text(st, c + 9)));
    json_object_set_new(out, "updated_at", json_string((const char *)sqlite3_column_text(st, c + 10)));
    return out;
}

int enterprise_file_json(struct db *db, const char *org_id, int show_contact, json_t **out)
{
    static const char SQL[] =
        "SELECT " FILE_COLS " FROM enterprise_files f JOIN enterprise_file_docs d"
        " ON d.org_id = f.org_id WHERE f.org_id = ?1";
    *out = NULL;
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, org_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = enterprise_row_json(st, 0, show_contact);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

int enterprise_file_doc(struct db *db, const char *org_id, json_t **doc)
{
    static const char SQL[] = "SELECT doc FROM enterprise_file_docs WHERE org_id = ?1";
    *doc = NULL;
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, org_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *doc = json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW && !*doc)
        *doc = json_object();
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

int enterprise_fill_level(struct db *db, const char *org_id, json_t *need)
{
    static const char SQL[] =
        "SELECT a.instrument, a.scenes, a.level FROM enterprise_file_docs d"
        " JOIN assessments a ON a.id = d.assessment_id"
        " WHERE d.org_id = ?1 AND a.status = 'verified'";
    if (!org_id || json_object_get(need, "current_level"))
        return 0;
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, org_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? 0 : -1;
    }
    const struct instrument *in = instruments_find((const char *)sqlite3_column_text(st, 0));
    json_t *scenes = json_loads((const char *)sqlite3_column_text(st, 1), 0, NULL);
    int level = sqlite3_column_int(st, 2), lowest = -1;
    sqlite3_reset(st);
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(need, "scenarios"), i, s) {
        const char *code = json_string_value(s);
        json_t *step = json_object_get(scenes, code);
        if (in && instrument_scene(in, code) >= 0 && json_is_integer(step) &&
            (lowest < 0 || json_integer_value(step) < lowest))
            lowest = (int)json_integer_value(step);
    }
    json_decref(scenes);
    int cur = lowest >= 0 ? lowest : level;
    if (cur < 1)
        cur = 1;
    if (cur > 4)
        cur = 4;
    json_t *tgt = json_object_get(need, "target_level");
    if (tgt && json_integer_value(tgt) < cur)
        cur = (int)json_integer_value(tgt);
    json_object_set_new(need, "current_level", json_integer(cur));
    return 0;
}

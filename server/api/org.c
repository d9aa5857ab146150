/*
 * org.c - the organisation record (see org.h): fields, creation, lookup
 * by name, and the profile as JSON.  The endpoints are orgs.c.
 */
#include "org.h"

#include "auth.h"
#include "db.h"
#include "route.h"
#include "log.h"
#include "names.h"
#include "taxonomy.h"
#include "util.h"
#include "validate.h"

#include <stdlib.h>
#include <string.h>

/* An organisation's contact (issue 21): private, see org.h. */
static const struct vfield CONTACT_FIELDS[] = {
    {"name", V_STRING, 0, 0, 60, 0, NULL, 0},
    {"title", V_STRING, 0, 0, 60, 0, NULL, 0},
    {"phone", V_STRING, 0, 0, 40, 0, NULL, 0},
    {"email", V_STRING, 0, 0, 120, 0, NULL, 0},
    {"address", V_STRING, 0, 0, 200, 0, NULL, 0},
    VFIELD_END,
};

const struct vfield ORG_FIELDS[] = {
    {"name", V_STRING, 1, 1, 120, 0, NULL, 0},
    {"description", V_STRING, 0, 0, 2000, 0, NULL, 0},
    {"industries", V_CODE_ARRAY, 0, 0, 15, TAX_INDUSTRY, NULL, 0},
    {"regions", V_CODE_ARRAY, 0, 0, 35, TAX_REGION, NULL, 0},
    {"website", V_STRING, 0, 0, 200, 0, NULL, 0},
    {"contact", V_OBJECT, 0, 0, 0, 0, CONTACT_FIELDS, 0},
    VFIELD_END,
};

json_t *org_contact(struct db *db, const char *id)
{
    static const char SQL[] = "SELECT contact FROM orgs WHERE id = ?1";
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return NULL;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    json_t *c = NULL;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        c = json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL);
    sqlite3_reset(st);
    if (c && (!json_is_object(c) || json_object_size(c) == 0)) {
        json_decref(c);
        c = NULL;
    }
    return c;
}

int org_set_contact(struct db *db, const char *id, const json_t *contact)
{
    static const char SQL[] = "UPDATE orgs SET contact = ?2 WHERE id = ?1";
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    char *text = contact && json_object_size(contact) ? json_dumps(contact, JSON_COMPACT) : NULL;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    db_bind_text(st, 2, text);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    free(text);
    return rc == SQLITE_DONE ? 0 : -1;
}

int org_contact_visible(struct db *db, const char *org_id, const struct caller *who)
{
    static const char SQL[] =
        "SELECT 1 FROM responses s JOIN needs n ON n.id = s.need_id WHERE s.provider_id = ?1"
        " AND n.enterprise_id = ?2 AND s.status = 'accepted' LIMIT 1";
    if (!who->role)
        return 0;
    if ((who->role & (ROLE_ADMIN | ROLE_CENTER)) || strcmp(who->org_id, org_id) == 0)
        return 1;
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return 0;
    sqlite3_bind_text(st, 1, org_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, who->org_id, -1, SQLITE_STATIC);
    int yes = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    return yes;
}

static const char SQL_INSERT[] =
    "INSERT INTO orgs(id, name, description, industries, regions, website,"
    " industry_mask, region_mask, created_at, updated_at, name_key)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10)";

int org_name_taken(struct db *db, const char *key, const char *except_id)
{
    static const char SQL[] =
        "SELECT 1 FROM orgs WHERE name_key = ?1 AND (?2 IS NULL OR id <> ?2) LIMIT 1";
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    db_bind_text(st, 2, except_id);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

char *org_dump_or(json_t *v, const char *dflt)
{
    return v ? json_dumps(v, JSON_COMPACT) : xstrdup(dflt);
}

int org_create(struct db *db, json_t *p, char id[40])
{
    char *name = name_display(json_string_value(json_object_get(p, "name")));
    char *key = name_key(name);
    if (!name || !key) {
        free(name);
        free(key);
        return 1; /* nothing visible: no organisation can be called that */
    }
    int taken = org_name_taken(db, key, NULL);
    if (taken != 0) {
        free(name);
        free(key);
        return taken < 0 ? -1 : 1;
    }
    char now[32];
    util_now_rfc3339(now);
    util_new_id(id, 40, "org");
    json_t *ind = json_object_get(p, "industries"), *reg = json_object_get(p, "regions");
    char *inds = org_dump_or(ind, "[]"), *regs = org_dump_or(reg, "[]");
    sqlite3_stmt *st = db_stmt(db, SQL_INSERT);
    int rc = -1;
    if (!st)
        goto cleanup;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    const char *desc = json_string_value(json_object_get(p, "description"));
    sqlite3_bind_text(st, 3, desc ? desc : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, inds, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, regs, -1, SQLITE_STATIC);
    db_bind_text(st, 6, json_string_value(json_object_get(p, "website")));
    sqlite3_bind_int64(st, 7, ind ? tax_mask(TAX_INDUSTRY, ind) : 0);
    sqlite3_bind_int64(st, 8, reg ? tax_mask(TAX_REGION, reg) : 0);
    sqlite3_bind_text(st, 9, now, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 10, key, -1, SQLITE_STATIC);
    int s = sqlite3_step(st);
    sqlite3_reset(st);
    if (s == SQLITE_DONE)
        rc = 0;
    else if (s == SQLITE_CONSTRAINT_UNIQUE)
        rc = 1;
    else
        log_error("org create: %s", sqlite3_errmsg(db_handle(db)));
cleanup:
    free(inds);
    free(regs);
    free(name);
    free(key);
    return rc;
}

int org_find(struct db *db, const char *name, char id[40])
{
    static const char SQL[] = "SELECT id FROM orgs WHERE name_key = ?1";
    char *key = name_key(name);
    if (!key)
        return 1;
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st) {
        free(key);
        return -1;
    }
    sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
    free(key);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        snprintf(id, 40, "%s", sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

int org_ensure(struct db *db, const char *name, char id[40])
{
    int rc = org_find(db, name, id);
    if (rc <= 0)
        return rc;
    json_t *p = json_pack("{s:s}", "name", name);
    rc = org_create(db, p, id);
    json_decref(p);
    return rc == 0 ? 0 : -1;
}

json_t *org_get(struct db *db, const char *id)
{
    static const char SQL[] =
        "SELECT id, name, description, industries, regions, website, created_at, updated_at"
        " FROM orgs WHERE id = ?1";
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return NULL;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    json_t *o = NULL;
    if (sqlite3_step(st) == SQLITE_ROW) {
        o = json_object();
        json_object_set_new(o, "id", json_string((const char *)sqlite3_column_text(st, 0)));
        json_object_set_new(o, "name", json_string((const char *)sqlite3_column_text(st, 1)));
        json_object_set_new(o, "description", json_string((const char *)sqlite3_column_text(st, 2)));
        json_object_set_new(o, "industries", json_loads((const char *)sqlite3_column_text(st, 3), 0, NULL));
        json_object_set_new(o, "regions", json_loads((const char *)sqlite3_column_text(st, 4), 0, NULL));
        if (sqlite3_column_type(st, 5) != SQLITE_NULL)
            json_object_set_new(o, "website", json_string((const char *)sqlite3_column_text(st, 5)));
        json_object_set_new(o, "created_at", json_string((const char *)sqlite3_column_text(st, 6)));
        json_object_set_new(o, "updated_at", json_string((const char *)sqlite3_column_text(st, 7)));
    }
    sqlite3_reset(st);
    return o;
}

/*
 * need.c - the need record (see need.h): its fields and validation, the
 * row as JSON, who sees its contact, and its writes (the FTS5 triggers
 * keep needs_fts in step inside the same transaction).  The handlers are
 * needs.c and responses.c.
 */
#include "need.h"

#include "authority.h"

#include "db.h"
#include "route.h"
#include "log.h"
#include "taxonomy.h"
#include "util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct vfield BUDGET_FIELDS[] = {
    {"max", V_NUMBER, 1, 0, 1e12, 0, NULL, 0},
    VFIELD_END,
};

static const struct vfield CONTACT_FIELDS[] = {
    {"name", V_STRING, 0, 1, 60, 0, NULL, 0},
    {"phone", V_STRING, 0, 3, 32, 0, NULL, 0},
    {"email", V_STRING, 0, 3, 120, 0, NULL, 0},
    VFIELD_END,
};

static const struct vfield NEED_FIELDS[] = {
    {"title", V_STRING, 1, 1, 120, 0, NULL, 0},
    {"description", V_STRING, 0, 0, 20000, 0, NULL, 0},
    {"industry", V_CODE, 1, 0, 0, TAX_INDUSTRY, NULL, 0},
    {"scenarios", V_CODE_ARRAY, 1, 1, 20, TAX_SCENARIO, NULL, 0},
    {"region", V_CODE, 0, 0, 0, TAX_REGION, NULL, 0},
    {"budget", V_OBJECT, 0, 0, 0, 0, BUDGET_FIELDS, 0},
    {"enterprise_size", V_CODE, 0, 0, 0, TAX_SIZE, NULL, 0},
    {"current_level", V_INT, 0, 1, 4, 0, NULL, 0},
    {"target_level", V_INT, 0, 1, 4, 0, NULL, 0},
    {"deadline", V_DAY, 0, 0, 0, 0, NULL, 0},
    {"contact", V_OBJECT, 0, 0, 0, 0, CONTACT_FIELDS, 0},
    VFIELD_END,
};

int need_validate(json_t *doc, struct verr *e)
{
    if (validate(doc, NEED_FIELDS, e) < 0)
        return -1;
    json_t *cur = json_object_get(doc, "current_level"), *tgt = json_object_get(doc, "target_level");
    if (cur && tgt && json_integer_value(tgt) < json_integer_value(cur))
        return verr_set(e, "target_level", "target_level must not be below current_level");
    json_t *c = json_object_get(doc, "contact");
    const char *email = json_string_value(json_object_get(c, "email"));
    if (email && !strchr(email, '@'))
        return verr_set(e, "contact.email", "contact.email must be an e-mail address");
    return 0;
}

json_t *need_row_json(sqlite3_stmt *st, int c, int show_contact)
{
    json_t *doc = json_loads((const char *)sqlite3_column_text(st, c + 4), 0, NULL);
    json_t *out = json_object();
    json_object_set_new(out, "id", json_string((const char *)sqlite3_column_text(st, c + 1)));
    if (doc)
        json_object_update(out, doc);
    json_decref(doc);
    if (!show_contact)
        json_object_del(out, "contact");
    json_object_set_new(out, "enterprise",
                        json_pack("{s:s, s:s}", "id", sqlite3_column_text(st, c + 2), "name",
                                  sqlite3_column_text(st, c + 3)));
    json_object_set_new(out, "status", json_string((const char *)sqlite3_column_text(st, c + 5)));
    json_object_set_new(out, "version", json_integer(sqlite3_column_int64(st, c + 6)));
    json_object_set_new(out, "created_at", json_string((const char *)sqlite3_column_text(st, c + 7)));
    json_object_set_new(out, "updated_at", json_string((const char *)sqlite3_column_text(st, c + 8)));
    if (sqlite3_column_type(st, c + 9) != SQLITE_NULL)
        json_object_set_new(out, "assessment_id",
                            json_string((const char *)sqlite3_column_text(st, c + 9)));
    return out;
}

int need_visible(const char *owner, const char *status, const struct caller *who)
{
    if (strcmp(owner, who->org_id) == 0 || (who->role & (ROLE_CENTER | ROLE_ADMIN)))
        return 1;
    return (who->role & ROLE_PROVIDER) && strcmp(status, "draft") != 0;
}

int need_contact_visible(struct db *db, const char *need_id, const char *owner,
                         const struct caller *who)
{
    static const char SQL[] =
        "SELECT 1 FROM responses WHERE need_id = ?1 AND provider_id = ?2 AND status = 'accepted'";
    if (who->role & (ROLE_CENTER | ROLE_ADMIN))
        return 1;
    if (strcmp(who->org_id, owner) == 0)
        return 1;
    if (!(who->role & ROLE_PROVIDER))
        return 0;
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return 0;
    sqlite3_bind_text(st, 1, need_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, who->org_id, -1, SQLITE_STATIC);
    int yes = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    return yes;
}

/* Binds the columns derived from doc: ?1 industry_bit, ?2 scenario_mask,
 * ?3 region_bit, ?4 title, ?5 description, ?6 doc (text in *text). */
void need_bind(sqlite3_stmt *st, json_t *doc, char **text)
{
    int ind = tax_index(TAX_INDUSTRY, json_string_value(json_object_get(doc, "industry")));
    sqlite3_bind_int64(st, 1, (int64_t)1 << ind);
    sqlite3_bind_int64(st, 2, tax_mask(TAX_SCENARIO, json_object_get(doc, "scenarios")));
    const char *reg = json_string_value(json_object_get(doc, "region"));
    sqlite3_bind_int64(st, 3, reg ? (int64_t)1 << tax_index(TAX_REGION, reg) : 0);
    sqlite3_bind_text(st, 4, json_string_value(json_object_get(doc, "title")), -1, SQLITE_STATIC);
    const char *d = json_string_value(json_object_get(doc, "description"));
    sqlite3_bind_text(st, 5, d ? d : "", -1, SQLITE_STATIC);
    *text = json_dumps(doc, JSON_COMPACT);
    sqlite3_bind_text(st, 6, *text, -1, SQLITE_STATIC);
}

/* Loads need id; NULL when it does not exist or the caller may not see
 * it.  *owner receives the enterprise id (caller frees). */
json_t *need_load(struct db *db, const char *id, const struct caller *who, char **owner)
{
    static const char SQL[] = "SELECT " NEED_COLS " FROM needs n WHERE n.id = ?1";
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return NULL;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    json_t *out = NULL;
    char *o = NULL;
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *ent = (const char *)sqlite3_column_text(st, 2);
        const char *status = (const char *)sqlite3_column_text(st, 5);
        if (need_visible(ent, status, who) ||
            (authority_is(who) && strcmp(status, "draft") != 0 &&
             authority_sees_org(db, who, ent) == 1)) {
            out = need_row_json(st, 0, 1);
            o = xstrdup(ent);
        }
    }
    sqlite3_reset(st);
    if (out && !need_contact_visible(db, id, o, who))
        json_object_del(out, "contact");
    if (owner)
        *owner = o;
    else
        free(o);
    return out;
}

/* need_store with a status and an assessment (may be NULL). */
static int store(struct db *db, const char *ent_id, const char *ent_name, json_t *doc,
                 const char *status, const char *assessment_id, char id[48])
{
    static const char SQL[] =
        "INSERT INTO needs(industry_bit, scenario_mask, region_bit, title, description, doc,"
        " id, enterprise_id, enterprise_name, created_at, updated_at, status)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?11)";
    static const char SQL_LINK[] =
        "INSERT INTO need_assessments(need_id, assessment_id) VALUES (?1, ?2)";
    char now[32], *text = NULL;
    util_new_id(id, 48, "need");
    util_now_rfc3339(now);
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    need_bind(st, doc, &text);
    sqlite3_bind_text(st, 7, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, ent_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, ent_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 10, now, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 11, status, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    free(text);
    if (rc == SQLITE_DONE && assessment_id) {
        st = db_stmt(db, SQL_LINK);
        rc = SQLITE_ERROR;
        if (st) {
            sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, assessment_id, -1, SQLITE_STATIC);
            rc = sqlite3_step(st);
            sqlite3_reset(st);
        }
    }
    if (rc != SQLITE_DONE) {
        log_error("need insert: %s", sqlite3_errmsg(db_handle(db)));
        return -1;
    }
    return 0;
}

int need_store(struct db *db, const char *ent_id, const char *ent_name, json_t *doc,
               char id[48])
{
    return store(db, ent_id, ent_name, doc, "open", NULL, id);
}

int need_store_draft(struct db *db, const char *ent_id, const char *ent_name, json_t *doc,
                     const char *assessment_id, char id[48])
{
    return store(db, ent_id, ent_name, doc, "draft", assessment_id, id);
}

/* Moves need id from status `from` to `to`; 0 or -1. */
int need_set_status(struct db *db, const char *id, const char *from, const char *to,
                    const char *now)
{
    static const char SQL[] =
        "UPDATE needs SET status = ?3, version = version + 1, updated_at = ?4"
        " WHERE id = ?1 AND status = ?2";
    if (!id)
        return 0;
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, from, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, to, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* Gives back the needs of a campaign's active participants: `open`, or
 * `closed` for accepted participants when completed is set. */
int needs_release_campaign(struct db *db, const char *camp_id, int completed, const char *now)
{
    static const char SQL[] =
        "UPDATE needs SET status = CASE WHEN ?2 = 1 AND EXISTS (SELECT 1 FROM participants p"
        "   WHERE p.campaign_id = ?1 AND p.need_id = needs.id AND p.status = 'accepted')"
        "   THEN 'closed' ELSE 'open' END,"
        " version = version + 1, updated_at = ?3"
        " WHERE status = 'in_campaign' AND id IN (SELECT need_id FROM participants"
        "   WHERE campaign_id = ?1 AND need_id IS NOT NULL AND status != 'withdrawn')";
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, camp_id, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, completed);
    sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

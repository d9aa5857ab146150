/*
 * orgs.c - organisations over HTTP: create (admin), read (public profile),
 * change (the organisation itself, or an admin), list (admins, centers),
 * and keys made by an admin (org.h has the record; auth.h the keys).
 */
#include "handlers.h"

#include "auth.h"
#include "authority.h"
#include "db.h"
#include "log.h"
#include "org.h"
#include "req.h"
#include "taxonomy.h"
#include "util.h"
#include "validate.h"
#include "names.h"
#include "write.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The role and region of a new organisation (issue 20): "role" may name
 * any role (keys and users then take it), and an authority names its
 * region.  Takes both out of the body; 0, 1 for an authority with *rc
 * filled, or -1 after answering 422. */
static int create_role(struct req *r, struct region_codes *rc)
{
    json_t *role_v = json_object_get(r->body, "role"), *reg = json_object_get(r->body, "region");
    int role = role_v ? role_parse(json_string_value(role_v)) : 0;
    if (role_v && !role) {
        reply_error(r, ERR_INVALID_FIELD, "role",
                    "role must be enterprise, provider, center, admin or authority");
        return -1;
    }
    if (role == ROLE_AUTHORITY && !reg) {
        reply_error(r, ERR_INVALID_FIELD, "region", "an authority's region names at least a"
                    " province (湖北省)");
        return -1;
    }
    if (reg && role != ROLE_AUTHORITY) {
        reply_error(r, ERR_INVALID_FIELD, "region", "region is given for an authority"
                    " (role authority) only");
        return -1;
    }
    struct verr e;
    if (reg && authority_region_from_json(reg, "region", rc, &e) < 0) {
        reply_verr(r, &e);
        return -1;
    }
    json_object_del(r->body, "role");
    json_object_del(r->body, "region");
    return role == ROLE_AUTHORITY;
}

void h_org_create(struct req *r)
{
    struct verr e;
    struct region_codes region;
    int authority = create_role(r, &region);
    if (authority < 0)
        return;
    if (validate(r->body, ORG_FIELDS, &e) < 0) {
        reply_verr(r, &e);
        return;
    }
    char id[40];
    if (write_begin(r) < 0)
        return;
    int rc = org_create(r->w->db, r->body, id);
    json_t *contact = json_object_get(r->body, "contact");
    if (rc == 0 && contact && org_set_contact(r->w->db, id, contact) < 0)
        rc = -1;
    if (rc == 0 && authority && authority_set(r->w->db, id, &region) < 0)
        rc = -1;
    struct outcome o;
    if (write_finish(r, rc < 0 ? refuse_db(&o, r->w->db, "org create") : 0, &o) < 0)
        return;
    if (rc == 1) {
        reply_error(r, ERR_CONFLICT, "name", "an organisation named \"%s\" exists already",
                    json_string_value(json_object_get(r->body, "name")));
        return;
    }
    if (rc < 0) {
        reply_error(r, ERR_UNAVAILABLE, NULL, "the database cannot be written");
        return;
    }
    json_t *org = org_get(r->w->db, id);
    if (contact)
        json_object_set(org, "contact", contact);
    if (authority) {
        json_object_set_new(org, "role", json_string("authority"));
        json_object_set_new(org, "region", authority_region_json(region.c));
    }
    char loc[80];
    snprintf(loc, sizeof loc, "/v1/orgs/%s", id);
    reply_header(r, "Location", loc);
    reply_json(r, 201, org);
}

void h_org_get(struct req *r)
{
    json_t *o = org_get(r->w->db, r->params[0]);
    if (!o) {
        reply_error(r, ERR_NOT_FOUND, NULL, "no organisation %s", r->params[0]);
        return;
    }
    if (org_contact_visible(r->w->db, r->params[0], &r->who)) {
        json_t *c = org_contact(r->w->db, r->params[0]);
        if (c)
            json_object_set_new(o, "contact", c);
    }
    reply_json(r, 200, o);
}

/* Where an organisation's name is kept beside its id, for lists that show
 * it without a join: a rename rewrites every one, so every view shows the
 * new name (needs and responses kept the old one). */
static const char *const SQL_RENAME[] = {
    "UPDATE resources SET provider_name = ?2 WHERE provider_id = ?1 AND provider_name <> ?2",
    "UPDATE needs SET enterprise_name = ?2 WHERE enterprise_id = ?1 AND enterprise_name <> ?2",
    "UPDATE responses SET provider_name = ?2 WHERE provider_id = ?1 AND provider_name <> ?2",
    "UPDATE campaigns SET center_name = ?2 WHERE center_id = ?1 AND center_name <> ?2",
    "UPDATE participants SET org_name = ?2 WHERE org_id = ?1 AND org_name <> ?2",
    "UPDATE reviews SET enterprise_name = ?2 WHERE enterprise_id = ?1 AND enterprise_name <> ?2",
};

static int patch_txn(struct req *r, json_t *cur, struct outcome *o)
{
    static const char SQL[] =
        "UPDATE orgs SET name = ?2, description = ?3, industries = ?4, regions = ?5,"
        " website = ?6, industry_mask = ?7, region_mask = ?8, updated_at = ?9, name_key = ?10"
        " WHERE id = ?1";
    struct db *db = r->w->db;
    const char *id = r->params[0];
    char *name = name_display(json_string_value(json_object_get(cur, "name")));
    char *key = name_key(name);
    int rc = 0;
    char *inds = NULL, *regs = NULL;
    if (!name || !key) {
        rc = refuse(o, ERR_INVALID_FIELD, "name", "name has nothing visible in it");
        goto out;
    }
    int taken = org_name_taken(db, key, id);
    if (taken) {
        rc = taken < 0 ? refuse_db(o, db, "org rename")
                       : refuse(o, ERR_CONFLICT, "name", "that name is taken");
        goto out;
    }
    char now[32];
    util_now_rfc3339(now);
    json_t *ind = json_object_get(cur, "industries"), *reg = json_object_get(cur, "regions");
    inds = org_dump_or(ind, "[]");
    regs = org_dump_or(reg, "[]");
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st) {
        rc = refuse_db(o, db, "org update");
        goto out;
    }
    const char *desc = json_string_value(json_object_get(cur, "description"));
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, desc ? desc : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, inds, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, regs, -1, SQLITE_STATIC);
    db_bind_text(st, 6, json_string_value(json_object_get(cur, "website")));
    sqlite3_bind_int64(st, 7, ind ? tax_mask(TAX_INDUSTRY, ind) : 0);
    sqlite3_bind_int64(st, 8, reg ? tax_mask(TAX_REGION, reg) : 0);
    sqlite3_bind_text(st, 9, now, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 10, key, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    sqlite3_reset(st);
    if (step == SQLITE_CONSTRAINT_UNIQUE) {
        rc = refuse(o, ERR_CONFLICT, "name", "that name is taken");
        goto out;
    }
    if (step != SQLITE_DONE || org_set_contact(db, id, json_object_get(cur, "contact")) != 0) {
        rc = refuse_db(o, db, "org update");
        goto out;
    }
    for (size_t i = 0; i < sizeof SQL_RENAME / sizeof SQL_RENAME[0]; i++) {
        sqlite3_stmt *rs = db_stmt(db, SQL_RENAME[i]);
        if (!rs) {
            rc = refuse_db(o, db, "org rename");
            goto out;
        }
        sqlite3_bind_text(rs, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_text(rs, 2, name, -1, SQLITE_STATIC);
        step = sqlite3_step(rs);
        sqlite3_reset(rs);
        if (step != SQLITE_DONE) {
            rc = refuse_db(o, db, "org rename");
            goto out;
        }
    }
out:
    free(name);
    free(key);
    free(inds);
    free(regs);
    return rc;
}

void h_org_patch(struct req *r)
{
    const char *id = r->params[0];
    if (r->who.role != ROLE_ADMIN && !req_is_caller(r, id)) {
        reply_error(r, ERR_FORBIDDEN, NULL, "you may edit only your own organisation");
        return;
    }
    json_t *cur = org_get(r->w->db, id);
    if (!cur) {
        reply_error(r, ERR_NOT_FOUND, NULL, "no organisation %s", id);
        return;
    }
    json_object_del(cur, "id");
    json_object_del(cur, "created_at");
    json_object_del(cur, "updated_at");
    json_t *contact = org_contact(r->w->db, id);
    if (contact)
        json_object_set_new(cur, "contact", contact);
    const char *k;
    json_t *v;
    json_object_foreach(r->body, k, v) json_object_set(cur, k, v);
    struct verr e;
    if (validate(cur, ORG_FIELDS, &e) < 0) {
        json_decref(cur);
        reply_verr(r, &e);
        return;
    }
    if (write_begin(r) < 0) {
        json_decref(cur);
        return;
    }
    struct outcome o;
    int rc = patch_txn(r, cur, &o);
    json_decref(cur);
    if (write_finish(r, rc, &o) < 0)
        return;
    struct db *db = r->w->db;
    json_t *out = org_get(db, id);
    json_t *c = org_contact(db, id);
    if (out && c)
        json_object_set_new(out, "contact", c);
    else
        json_decref(c);
    if (!out) {
        reply_db_error(r, DB_READ);
        return;
    }
    reply_json(r, 200, out);
}

void h_org_key_create(struct req *r)
{
    const char *id = r->params[0];
    json_t *rv = json_object_get(r->body, "role");
    const char *k;
    json_t *v;
    json_object_foreach(r->body, k, v) if (strcmp(k, "role") != 0)
    {
        reply_error(r, ERR_INVALID_FIELD, k, "unknown field \"%s\"", k);
        return;
    }
    if (!rv) {
        reply_error(r, ERR_INVALID_FIELD, "role", "role is required");
        return;
    }
    int role = role_parse(json_string_value(rv));
    if (!role) {
        reply_error(r, ERR_INVALID_FIELD, "role",
                    "role must be enterprise, provider, center, admin or authority");
        return;
    }
    struct region_codes region;
    int is_auth = role == ROLE_AUTHORITY ? authority_get(r->w->db, id, &region) : 0;
    if (is_auth < 0) {
        reply_db_error(r, DB_READ);
        return;
    }
    if (is_auth > 0) {
        reply_error(r, ERR_INVALID_FIELD, "role", "an authority key belongs to an organisation"
                    " made with role authority and a region");
        return;
    }
    json_t *org = org_get(r->w->db, id);
    if (!org) {
        reply_error(r, ERR_NOT_FOUND, NULL, "no organisation %s", id);
        return;
    }
    char key[AUTH_KEY_LEN + 1], prefix[AUTH_PREFIX_LEN + 1], created[32];
    if (auth_key_create(r->w->db, id, role, key, prefix, created) < 0) {
        json_decref(org);
        reply_error(r, ERR_UNAVAILABLE, NULL, "the database cannot be written");
        return;
    }
    json_t *out = json_pack("{s:s, s:s, s:s, s:{s:O, s:O}, s:s}", "key", key, "prefix", prefix,
                            "role", role_name(role), "org", "id", json_object_get(org, "id"),
                            "name", json_object_get(org, "name"), "created_at", created);
    json_decref(org);
    reply_json(r, 201, out);
}

void h_orgs_list(struct req *r)
{
    static const char SQL[] = "SELECT id FROM orgs ORDER BY rid LIMIT 1000";
    sqlite3_stmt *st = db_stmt(r->w->db, SQL);
    if (!st) {
        reply_error(r, ERR_UNAVAILABLE, NULL, "the database cannot be read");
        return;
    }
    json_t *ids = json_array();
    while (sqlite3_step(st) == SQLITE_ROW)
        json_array_append_new(ids, json_string((const char *)sqlite3_column_text(st, 0)));
    sqlite3_reset(st);
    json_t *items = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v) {
        json_t *o = org_get(r->w->db, json_string_value(v));
        if (o)
            json_array_append_new(items, o);
    }
    json_decref(ids);
    reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/*
 * authority.c - the authority role's region: parsing, storage, and the
 * one rule of what lies inside it, and a place named by a query parameter
 * (see authority.h).
 *
 * Invariant: an authority's codes nest (GB/T 2260: a city's code starts
 * with its province's two digits, a district's with its city's four), and
 * a level it does not cover is "", so "inside" is equality at every level
 * the authority names.
 */
#include "authority.h"

#include "auth.h"
#include "db.h"
#include "regions.h"
#include "req.h"
#include "route.h"
#include "util.h"
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Resolves names (or codes) p, ci, d (ci and d may be NULL). */
static int resolve(const char *p, const char *ci, const char *d, const char *field,
                   struct region_codes *out, struct verr *e)
{
    memset(out, 0, sizeof *out);
    if (!p || !*p)
        return verr_set(e, field, "an authority's region names at least a province (湖北省)");
    const struct region *pr = regions_province(p);
    if (!pr)
        return verr_set(e, field, "\"%s\" is not a province of GB/T 2260 (e.g. 湖北省)", p);
    snprintf(out->c[0], sizeof out->c[0], "%s", pr->code);
    if (!ci || !*ci) {
        if (d && *d)
            return verr_set(e, field, "city is needed with a district");
        return 0;
    }
    const struct region *cr = regions_child(pr, ci);
    if (!cr)
        return verr_set(e, field, "\"%s\" is not a city of %s", ci, pr->name);
    snprintf(out->c[1], sizeof out->c[1], "%s", cr->code);
    if (!d || !*d)
        return 0;
    const struct region *dr = cr->n ? regions_child(cr, d) : NULL;
    if (!dr)
        return verr_set(e, field, "\"%s\" is not a district of %s", d, cr->name);
    snprintf(out->c[2], sizeof out->c[2], "%s", dr->code);
    return 0;
}

int authority_region_parse(const char *spec, const char *field, struct region_codes *out,
                           struct verr *e)
{
    char buf[200];
    snprintf(buf, sizeof buf, "%s", spec ? spec : "");
    char *parts[4] = {0};
    int n = 0;
    for (char *s = buf, *save = NULL, *tok; n < 4 && (tok = strtok_r(s, "/", &save)); s = NULL)
        parts[n++] = tok;
    if (n < 1 || n > 3)
        return verr_set(e, field, "a region is 省[/市[/区]], e.g. 湖北省/武汉市/江岸区");
    return resolve(parts[0], parts[1], parts[2], field, out, e);
}

int authority_region_from_json(const json_t *obj, const char *field, struct region_codes *out,
                               struct verr *e)
{
    if (!json_is_object(obj))
        return verr_set(e, field, "region must be an object {province, city?, district?}");
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)obj, k, v) {
        if (strcmp(k, "province") && strcmp(k, "city") && strcmp(k, "district"))
            return verr_set(e, field, "unknown field \"%s\"", k);
        if (!json_is_string(v))
            return verr_set(e, field, "region must be an object {province, city?, district?}");
    }
    return resolve(json_string_value(json_object_get(obj, "province")),
                   json_string_value(json_object_get(obj, "city")),
                   json_string_value(json_object_get(obj, "district")), field, out, e);
}

json_t *authority_region_json(const char codes[3][8])
{
    static const char *const NAMES[3] = {"province", "city", "district"};
    json_t *o = json_object();
    const struct region *at = NULL;
    for (int i = 0; i < 3 && codes[i][0]; i++) {
        at = i == 0 ? regions_province(codes[0]) : at ? regions_child(at, codes[i]) : NULL;
        char key[24];
        json_object_set_new(o, NAMES[i], json_string(at ? at->name : codes[i]));
        snprintf(key, sizeof key, "%s_code", NAMES[i]);
        json_object_set_new(o, key, json_string(codes[i]));
    }
    return o;
}

int authority_set(struct db *db, const char *org_id, const struct region_codes *rc)
{
    static const char SQL[] =
        "INSERT INTO authorities(org_id, province_code, city_code, district_code, created_at)"
        " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(org_id) DO UPDATE SET"
        " province_code = excluded.province_code, city_code = excluded.city_code,"
        " district_code = excluded.district_code";
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    char now[32];
    util_now_rfc3339(now);
    sqlite3_bind_text(st, 1, org_id, -1, SQLITE_STATIC);
    for (int i = 0; i < 3; i++)
        db_bind_text(st, 2 + i, rc->c[i][0] ? rc->c[i] : NULL);
    sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
    int rc2 = sqlite3_step(st);
    sqlite3_reset(st);
    return rc2 == SQLITE_DONE ? 0 : -1;
}

int authority_get(struct db *db, const char *org_id, struct region_codes *rc)
{
    static const char SQL[] =
        "SELECT province_code, city_code, district_code FROM authorities WHERE org_id = ?1";
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    memset(rc, 0, sizeof *rc);
    sqlite3_bind_text(st, 1, org_id, -1, SQLITE_STATIC);
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW)
        for (int i = 0; i < 3; i++) {
            const unsigned char *c = sqlite3_column_text(st, i);
            snprintf(rc->c[i], sizeof rc->c[i], "%s", c ? (const char *)c : "");
        }
    sqlite3_reset(st);
    return s == SQLITE_ROW ? 0 : s == SQLITE_DONE ? 1 : -1;
}

int authority_is(const struct caller *who)
{
    return who->role == ROLE_AUTHORITY;
}

int authority_covers(const struct caller *who, const char *province, const char *city,
                     const char *district)
{
    if (!authority_is(who) || !who->region[0][0])
        return 0;
    const char *have[3] = {province, city, district};
    for (int i = 0; i < 3; i++)
        if (who->region[i][0] && (!have[i] || strcmp(have[i], who->region[i]) != 0))
            return 0;
    return 1;
}

int authority_covers_code(const struct caller *who, const char *code)
{
    if (!authority_is(who) || !who->region[0][0] || !code || strlen(code) != 6)
        return 0;
    /* the most specific level the authority names decides, by prefix:
     * 2 digits of a province, 4 of a city, all 6 of a district */
    int level = who->region[2][0] ? 2 : who->region[1][0] ? 1 : 0;
    size_t n = level == 2 ? 6 : level == 1 ? 4 : 2;
    return strncmp(code, who->region[level], n) == 0;
}

int authority_sees_org(struct db *db, const struct caller *who, const char *org_id)
{
    static const char SQL[] =
        "SELECT province_code, city_code, district_code FROM enterprise_files WHERE org_id = ?1";
    if (!authority_is(who) || !org_id)
        return 0;
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, org_id, -1, SQLITE_STATIC);
    int s = sqlite3_step(st), in = 0;
    if (s == SQLITE_ROW)
        in = authority_covers(who, (const char *)sqlite3_column_text(st, 0),
                              (const char *)sqlite3_column_text(st, 1),
                              (const char *)sqlite3_column_text(st, 2));
    sqlite3_reset(st);
    return s == SQLITE_ROW || s == SQLITE_DONE ? in : -1;
}

void authority_bind(sqlite3_stmt *st, int first, const struct caller *who)
{
    int is = authority_is(who);
    for (int i = 0; i < 3; i++)
        db_bind_text(st, first + i, is && who->region[i][0] ? who->region[i] : NULL);
    if (is && !who->region[0][0]) /* an authority without a region sees no file: fail closed */
        sqlite3_bind_text(st, first, "-", -1, SQLITE_STATIC);
}

int req_place_param(struct req *r, const char *name, int depth, const char **code)
{
    const char *v = req_query(r, name);
    *code = NULL;
    if (!v || !*v)
        return 0;
    int ambiguous;
    const struct region *p = regions_find(depth, v, &ambiguous);
    if (!p) {
        reply_error(r, ERR_BAD_PARAM, name, ambiguous
                    ? "%s \"%s\" names several places: give its six-digit code"
                    : "%s \"%s\" is not a GB/T 2260 place of that kind", name, v);
        return -1;
    }
    *code = p->code;
    return 0;
}

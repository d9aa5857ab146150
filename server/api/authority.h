/*
 * authority.h - the authority role (经信局, issue 20): an organisation
 * that governs one region (a province, optionally a city and a
 * district) and reads, never writes.
 *
 * Its region is a row of `authorities` (migration 11), made with the
 * organisation (POST /v1/orgs {"role": "authority", "region": {...}} or
 * `shucud keys create --role authority --region 湖北省/武汉市`), and
 * travels with every request in struct caller (auth.h: region codes).
 *
 * The rule every handler applies: an authority sees the records of an
 * enterprise whose file lies inside its region (a file's province, city
 * and district codes equal the authority's down to the level it covers);
 * outside, it sees what the public sees, and a record of another region
 * is 404, as another enterprise's is.  Aggregate reports are cut to its
 * region.  A file without a place is inside no authority's region.
 */
#ifndef SHUCU_AUTHORITY_H
#define SHUCU_AUTHORITY_H

#include <jansson.h>
#include <sqlite3.h>

struct caller;
struct db;
struct req;
struct verr;

/* The codes of a region: province, city, district ("" when absent). */
struct region_codes {
    char c[3][8];
};

/* Resolves a region named as "湖北省/武汉市[/江岸区]" (names or codes).
 * 0, or -1 with e naming field. */
int authority_region_parse(const char *spec, const char *field, struct region_codes *out,
                           struct verr *e);
/* The same for {"province", "city"?, "district"?}. */
int authority_region_from_json(const json_t *obj, const char *field, struct region_codes *out,
                               struct verr *e);
/* {"province": name, "province_code", "city"?, ...} of codes (new reference). */
json_t *authority_region_json(const char codes[3][8]);

/* The GB/T 2260 place a query parameter names (depth 0 a province, 1 a
 * city, 2 a district; a name or a code): *code its code, NULL when the
 * parameter is absent.  0, or -1 after answering 400 (unknown, or a name
 * several places share: give the code). */
int req_place_param(struct req *r, const char *name, int depth, const char **code);

/* Records org_id's region (creating or replacing it), inside the
 * caller's transaction; 0 or -1. */
int authority_set(struct db *db, const char *org_id, const struct region_codes *rc);
/* Reads org_id's region: 0, 1 when it is no authority, -1 on error. */
int authority_get(struct db *db, const char *org_id, struct region_codes *rc);

/* 1 when who is an authority (else the checks below do not apply). */
int authority_is(const struct caller *who);
/* 1 when a place with these codes (each may be NULL or "") lies inside
 * who's region. */
int authority_covers(const struct caller *who, const char *province, const char *city,
                     const char *district);
/* 1 when a region code (a district's, city's or province's: the feed's
 * `vis`) lies inside who's region; codes nest (GB/T 2260). */
int authority_covers_code(const struct caller *who, const char *code);
/* 1 when org_id's enterprise file lies inside who's region, 0 when not
 * (or no file), -1 on a database error. */
int authority_sees_org(struct db *db, const struct caller *who, const char *org_id);

/* Binds who's region as three parameters first..first+2 (NULL for a
 * level it does not cover, and for every caller that is no authority),
 * for SQL of the form "(?n IS NULL OR f.province_code = ?n) AND ...". */
void authority_bind(sqlite3_stmt *st, int first, const struct caller *who);
#define AUTHORITY_WHERE(f, a, b, c)                                                 \
    " (?" #a " IS NULL OR " f ".province_code = ?" #a ") AND (?" #b " IS NULL OR " f \
    ".city_code = ?" #b ") AND (?" #c " IS NULL OR " f ".district_code = ?" #c ")"

#endif

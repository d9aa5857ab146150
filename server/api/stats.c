/*
 * stats.c - GET /v1/stats (see stats.h): resources, needs, campaigns and,
 * from the enterprise files, enterprises by verified level, industry and
 * district.
 *
 * Resources and needs keep their taxonomy memberships as bitmasks, so
 * each table is read once, grouped by its distinct mask combinations in
 * SQL, and the bits are counted here: the cost is one scan of the hot
 * columns, never a join per code.  Campaign figures come from two small
 * aggregate queries.  Nothing is cached: the answer is always current.
 */
#include "handlers.h"

#include "campaign.h"
#include "req.h"

#include "db.h"
#include "regions.h"
#include "taxonomy.h"
#include "util.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CODES 64

/* A "draft" count (needs made from gaps, not yet published) appears only
 * when there are drafts. */
static const char *const NEED_STATUSES[] = {"open", "matched", "in_campaign", "closed", NULL};
static const char *const RESOURCE_STATUSES[] = {"published", "withdrawn", NULL};

/* Adds n to counts[i] for every bit i of mask. */
static void count_bits(int64_t *counts, int ncodes, uint64_t mask, int64_t n)
{
    for (int i = 0; i < ncodes && i < MAX_CODES; i++)
        if (mask & ((uint64_t)1 << i))
            counts[i] += n;
}

/* {code: count} over every code of vocabulary v (new reference). */
static json_t *code_map(enum tax_vocab v, const int64_t *counts)
{
    json_t *o = json_object();
    for (int i = 0; i < tax_count(v) && i < MAX_CODES; i++)
        json_object_set_new(o, tax_code(v, i), json_integer(counts[i]));
    return o;
}

/* {status: 0} for every name of list (new reference). */
static json_t *zero_map(const char *const *list)
{
    json_t *o = json_object();
    for (int i = 0; list[i]; i++)
        json_object_set_new(o, list[i], json_integer(0));
    return o;
}

/* Adds n to map[key] (creating it). */
static void map_add(json_t *map, const char *key, int64_t n)
{
    json_t *v = json_object_get(map, key);
    json_object_set_new(map, key, json_integer(json_integer_value(v) + n));
}

struct gap {
    int scenario;
    int64_t needs, resources;
};

static int gap_cmp(const void *a, const void *b)
{
    const struct gap *x = a, *y = b;
    int64_t gx = x->needs - x->resources, gy = y->needs - y->resources;
    if (gx != gy)
        return gx < gy ? 1 : -1;
    if (x->needs != y->needs)
        return x->needs < y->needs ? 1 : -1;
    return x->scenario - y->scenario;
}

static int district_cmp(const void *a, const void *b)
{
    json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "count"));
    json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "count"));
    if (x != y)
        return x < y ? 1 : -1;
    return strcmp(json_string_value(json_object_get(*(json_t *const *)a, "code")),
                  json_string_value(json_object_get(*(json_t *const *)b, "code")));
}

/*
 * The enterprises block: files by the level of their latest verified
 * assessment ("none" when never verified), by industry and by district
 * (largest first), and how many, and what share of the verified, are at
 * 二级 or above.  One grouped scan of the narrow enterprise_files table.
 * NULL on a database error.
 */
static json_t *enterprise_stats(struct db *db)
{
    static const char SQL[] =
        "SELECT level, district_code, industry, count(*) FROM enterprise_files GROUP BY 1, 2, 3";
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return NULL;
    int64_t ind[MAX_CODES] = {0}, total = 0, assessed = 0, upper = 0;
    json_t *levels = json_pack("{s:i, s:i, s:i, s:i, s:i, s:i}", "none", 0, "0", 0, "1", 0, "2", 0,
                               "3", 0, "4", 0);
    json_t *districts = json_object();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t n = sqlite3_column_int64(st, 3);
        total += n;
        char lv[8] = "none";
        if (sqlite3_column_type(st, 0) != SQLITE_NULL) {
            int l = sqlite3_column_int(st, 0);
            snprintf(lv, sizeof lv, "%d", l);
            assessed += n;
            if (l >= 2)
                upper += n;
        }
        map_add(levels, lv, n);
        int i = tax_index(TAX_INDUSTRY, (const char *)sqlite3_column_text(st, 2));
        if (i >= 0 && i < MAX_CODES)
            ind[i] += n;
        if (sqlite3_column_type(st, 1) != SQLITE_NULL)
            map_add(districts, (const char *)sqlite3_column_text(st, 1), n);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        json_decref(levels);
        json_decref(districts);
        return NULL;
    }
    size_t nd = json_object_size(districts), k = 0;
    json_t **rows = xcalloc(nd ? nd : 1, sizeof *rows), *v;
    const char *code;
    json_object_foreach(districts, code, v) {
        const struct region *city = NULL, *prov = NULL;
        const struct region *d = regions_district_by_code(code, &city, &prov);
        rows[k++] = json_pack("{s:s, s:s, s:s, s:s, s:I}", "code", code, "name", d ? d->name : code,
                              "city", city ? city->name : "", "province", prov ? prov->name : "",
                              "count", json_integer_value(v));
    }
    qsort(rows, nd, sizeof *rows, district_cmp);
    json_t *by_district = json_array();
    for (size_t i = 0; i < nd; i++)
        json_array_append_new(by_district, rows[i]);
    free(rows);
    json_decref(districts);
    return json_pack("{s:I, s:I, s:o, s:o, s:o, s:I, s:o}", "total", (json_int_t)total,
                     "assessed", (json_int_t)assessed, "by_level", levels, "by_industry",
                     code_map(TAX_INDUSTRY, ind), "by_district", by_district, "level_2_plus",
                     (json_int_t)upper, "share_level_2_plus",
                     assessed ? json_real(round((double)upper * 10000.0 / (double)assessed) / 10000.0)
                              : json_null());
}

void h_stats(struct req *r)
{
    static const char SQL_RES[] =
        "SELECT status, kind_bit, industry_mask, scenario_mask, region_mask, count(*)"
        " FROM resources GROUP BY 1, 2, 3, 4, 5";
    static const char SQL_NEEDS[] =
        "SELECT status, industry_bit, scenario_mask, count(*) FROM needs GROUP BY 1, 2, 3";
    static const char SQL_CAMPS[] = "SELECT status, count(*) FROM campaigns GROUP BY 1";
    static const char SQL_PARTS[] = "SELECT status, count(*) FROM participants GROUP BY 1";
    /* The levels campaigns lifted, from their accepted projects (issue 19):
     * verified assessments before and after, never a level typed in. */
    static const char SQL_LIFTED[] =
        "SELECT coalesce(sum(level_after - level_before), 0), count(level_after - level_before),"
        " coalesce(sum(level_after >= 2), 0) FROM projects"
        " WHERE campaign_id IS NOT NULL AND status = 'accepted'";
    struct db *db = r->w->db;
    int64_t kinds[MAX_CODES] = {0}, r_ind[MAX_CODES] = {0}, r_scn[MAX_CODES] = {0},
            r_reg[MAX_CODES] = {0}, n_ind[MAX_CODES] = {0}, n_scn[MAX_CODES] = {0},
            open_scn[MAX_CODES] = {0};
    int64_t published = 0, needs_total = 0, camps_total = 0, parts_total = 0;
    int64_t uplift_sum = 0, uplift_n = 0, reached = 0;
    json_t *res_status = zero_map(RESOURCE_STATUSES), *need_status = zero_map(NEED_STATUSES),
           *camp_status = zero_map(CAMPAIGN_STATUSES), *part_status = zero_map(PARTICIPANT_STATUSES);
    int nk = tax_count(TAX_KIND), ni = tax_count(TAX_INDUSTRY), ns = tax_count(TAX_SCENARIO),
        nr = tax_count(TAX_REGION);
    int ok = 1, rc = SQLITE_DONE;

    sqlite3_stmt *st = db_stmt(db, SQL_RES);
    ok = st != NULL;
    while (ok && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *status = (const char *)sqlite3_column_text(st, 0);
        int64_t n = sqlite3_column_int64(st, 5);
        map_add(res_status, status, n);
        if (strcmp(status, "published") != 0)
            continue;
        published += n;
        count_bits(kinds, nk, (uint64_t)sqlite3_column_int64(st, 1), n);
        count_bits(r_ind, ni, (uint64_t)sqlite3_column_int64(st, 2), n);
        count_bits(r_scn, ns, (uint64_t)sqlite3_column_int64(st, 3), n);
        count_bits(r_reg, nr, (uint64_t)sqlite3_column_int64(st, 4), n);
    }
    if (st) {
        ok = ok && rc == SQLITE_DONE;
        sqlite3_reset(st);
    }

    st = ok ? db_stmt(db, SQL_NEEDS) : NULL;
    ok = ok && st;
    while (ok && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *status = (const char *)sqlite3_column_text(st, 0);
        int64_t n = sqlite3_column_int64(st, 3);
        uint64_t scn = (uint64_t)sqlite3_column_int64(st, 2);
        map_add(need_status, status, n);
        needs_total += n;
        count_bits(n_ind, ni, (uint64_t)sqlite3_column_int64(st, 1), n);
        count_bits(n_scn, ns, scn, n);
        if (strcmp(status, "open") == 0)
            count_bits(open_scn, ns, scn, n);
    }
    if (st) {
        ok = ok && rc == SQLITE_DONE;
        sqlite3_reset(st);
    }

    st = ok ? db_stmt(db, SQL_CAMPS) : NULL;
    ok = ok && st;
    while (ok && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t n = sqlite3_column_int64(st, 1);
        map_add(camp_status, (const char *)sqlite3_column_text(st, 0), n);
        camps_total += n;
    }
    if (st) {
        ok = ok && rc == SQLITE_DONE;
        sqlite3_reset(st);
    }

    st = ok ? db_stmt(db, SQL_PARTS) : NULL;
    ok = ok && st;
    while (ok && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *status = (const char *)sqlite3_column_text(st, 0);
        int64_t n = sqlite3_column_int64(st, 1);
        map_add(part_status, status, n);
        parts_total += n;
    }
    if (st) {
        ok = ok && rc == SQLITE_DONE;
        sqlite3_reset(st);
    }
    st = ok ? db_stmt(db, SQL_LIFTED) : NULL;
    ok = ok && st;
    if (ok && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        uplift_sum = sqlite3_column_int64(st, 0);
        uplift_n = sqlite3_column_int64(st, 1);
        reached = sqlite3_column_int64(st, 2);
    }
    if (st) {
        ok = ok && rc == SQLITE_ROW;
        sqlite3_reset(st);
    }

    if (!ok) {
        json_decref(res_status);
        json_decref(need_status);
        json_decref(camp_status);
        json_decref(part_status);
        reply_error(r, ERR_UNAVAILABLE, NULL, "the database cannot be read right now");
        return;
    }

    struct gap gaps[MAX_CODES];
    int ngaps = 0;
    for (int i = 0; i < ns && i < MAX_CODES; i++)
        if (open_scn[i] > 0)
            gaps[ngaps++] = (struct gap){i, open_scn[i], r_scn[i]};
    qsort(gaps, (size_t)ngaps, sizeof gaps[0], gap_cmp);
    json_t *gap_list = json_array();
    for (int i = 0; i < ngaps; i++)
        json_array_append_new(gap_list,
                              json_pack("{s:s, s:s, s:I, s:I, s:I}", "scenario",
                                        tax_code(TAX_SCENARIO, gaps[i].scenario), "name",
                                        tax_name(TAX_SCENARIO, gaps[i].scenario), "open_needs",
                                        (json_int_t)gaps[i].needs, "resources",
                                        (json_int_t)gaps[i].resources, "gap",
                                        (json_int_t)(gaps[i].needs - gaps[i].resources)));

    json_t *ents = enterprise_stats(db);
    if (!ents) {
        json_decref(gap_list);
        json_decref(res_status);
        json_decref(need_status);
        json_decref(camp_status);
        json_decref(part_status);
        reply_error(r, ERR_UNAVAILABLE, NULL, "the database cannot be read right now");
        return;
    }
    char now[32];
    util_now_rfc3339(now);
    json_t *out = json_pack(
        "{s:s,"
        " s:{s:I, s:o, s:o, s:o, s:o, s:o},"
        " s:{s:I, s:o, s:o, s:o},"
        " s:o,"
        " s:{s:I, s:o, s:{s:I, s:o}, s:o, s:I}}",
        "generated_at", now,
        "resources", "published", (json_int_t)published, "by_status", res_status, "by_kind",
        code_map(TAX_KIND, kinds), "by_industry", code_map(TAX_INDUSTRY, r_ind), "by_scenario",
        code_map(TAX_SCENARIO, r_scn), "by_region", code_map(TAX_REGION, r_reg),
        "needs", "total", (json_int_t)needs_total, "by_status", need_status, "by_industry",
        code_map(TAX_INDUSTRY, n_ind), "by_scenario", code_map(TAX_SCENARIO, n_scn),
        "supply_gaps", gap_list,
        "campaigns", "total", (json_int_t)camps_total, "by_status", camp_status, "participants",
        "total", (json_int_t)parts_total, "by_status", part_status, "avg_level_uplift",
        uplift_n ? json_real(round((double)uplift_sum * 100.0 / (double)uplift_n) / 100.0)
                 : json_null(),
        "reached_level_2", (json_int_t)reached);
    json_object_set_new(out, "enterprises", ents);
    reply_json(r, 200, out);
}

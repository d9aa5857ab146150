/*
 * report_targets.c - the targets a center sets for the share of assessed
 * enterprises at 二级 or above (issue 20):
 *   GET /v1/reports/targets    centers, admins, authorities (theirs and above)
 *   PUT /v1/reports/targets    a center: {"level_2_plus_share": 0..1,
 *                              "province"?, "city"?, "district"?}; no place
 *                              sets the whole center's target; null clears
 *
 * A report row shows the most specific target at or above its place
 * (report_target, reports.c).  Every change is one write (write.h), kept
 * with who set it.
 */
#include "handlers.h"

#include "authority.h"
#include "db.h"
#include "regions.h"
#include "report.h"
#include "req.h"
#include "util.h"
#include "validate.h"
#include "write.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void h_report_targets_get(struct req *r)
{
    static const char SQL[] =
        "SELECT region, level_2_plus_share, set_at, set_by FROM report_targets ORDER BY region";
    sqlite3_stmt *st = db_stmt(r->w->db, SQL);
    if (!st) {
        reply_db_error(r, DB_READ);
        return;
    }
    json_t *items = json_array();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *reg = (const char *)sqlite3_column_text(st, 0);
        /* an authority sees the targets of its region and above it */
        if (authority_is(&r->who) && *reg && !authority_covers_code(&r->who, reg)) {
            int above = 0;
            for (int i = 0; i < 3; i++)
                above |= strcmp(r->who.region[i], reg) == 0;
            if (!above)
                continue;
        }
        json_t *by = json_loads((const char *)sqlite3_column_text(st, 3), 0, NULL);
        json_array_append_new(items, json_pack("{s:s, s:s, s:f, s:s, s:o}", "region", reg,
                                               "name", *reg ? report_place_name(reg) : "全部",
                                               "level_2_plus_share", sqlite3_column_double(st, 1),
                                               "set_at", sqlite3_column_text(st, 2), "set_by",
                                               by ? by : json_null()));
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        json_decref(items);
        reply_db_error(r, DB_READ);
        return;
    }
    reply_json(r, 200, json_pack("{s:o}", "items", items));
}

static const struct vfield TARGET_FIELDS[] = {
    {"level_2_plus_share", V_NUMBER, 0, 0, 1, 0, NULL, 0},
    {"province", V_STRING, 0, 1, 40, 0, NULL, 0},
    {"city", V_STRING, 0, 1, 40, 0, NULL, 0},
    {"district", V_STRING, 0, 1, 40, 0, NULL, 0},
    VFIELD_END,
};

void h_report_targets_put(struct req *r)
{
    json_t *share = json_object_get(r->body, "level_2_plus_share");
    int clear = share && json_is_null(share);
    if (clear)
        json_object_del(r->body, "level_2_plus_share");
    if (body_valid(r, TARGET_FIELDS) < 0)
        return;
    if (!clear && !json_object_get(r->body, "level_2_plus_share")) {
        reply_error(r, ERR_INVALID_FIELD, "level_2_plus_share",
                    "level_2_plus_share is required (null clears the target)");
        return;
    }
    char region[8] = "";
    if (json_object_get(r->body, "province")) {
        struct region_codes rc;
        struct verr e;
        json_t *place = json_object();
        static const char *const K[] = {"province", "city", "district"};
        for (int i = 0; i < 3; i++)
            if (json_object_get(r->body, K[i]))
                json_object_set(place, K[i], json_object_get(r->body, K[i]));
        int bad = authority_region_from_json(place, "province", &rc, &e);
        json_decref(place);
        if (bad < 0) {
            reply_verr(r, &e);
            return;
        }
        snprintf(region, sizeof region, "%s", rc.c[2][0] ? rc.c[2] : rc.c[1][0] ? rc.c[1] : rc.c[0]);
    } else if (json_object_get(r->body, "city") || json_object_get(r->body, "district")) {
        reply_error(r, ERR_INVALID_FIELD, "province", "province is needed with a city or district");
        return;
    }
    static const char SQL_SET[] =
        "INSERT INTO report_targets(region, level_2_plus_share, set_at, set_by)"
        " VALUES (?1, ?2, ?3, ?4) ON CONFLICT(region) DO UPDATE SET"
        " level_2_plus_share = excluded.level_2_plus_share, set_at = excluded.set_at,"
        " set_by = excluded.set_by";
    static const char SQL_CLEAR[] = "DELETE FROM report_targets WHERE region = ?1";
    if (write_begin(r) < 0)
        return;
    struct outcome o;
    int rc = 0;
    sqlite3_stmt *st = db_stmt(r->w->db, clear ? SQL_CLEAR : SQL_SET);
    if (!st)
        rc = refuse_db(&o, r->w->db, "target set");
    else {
        char now[32];
        util_now_rfc3339(now);
        json_t *who = auth_actor_json(&r->who);
        char *by = json_dumps(who, JSON_COMPACT);
        json_decref(who);
        sqlite3_bind_text(st, 1, region, -1, SQLITE_STATIC);
        if (!clear) {
            sqlite3_bind_double(st, 2, json_number_value(json_object_get(r->body, "level_2_plus_share")));
            sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 4, by, -1, SQLITE_STATIC);
        }
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = refuse_db(&o, r->w->db, "target set");
        sqlite3_reset(st);
        free(by);
    }
    if (write_finish(r, rc, &o) < 0)
        return;
    h_report_targets_get(r);
}

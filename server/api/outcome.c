/*
 * outcome.c - verified outcomes of resources and providers (outcome.h):
 * recomputed from the projects and tickets tables in the transaction of
 * the change, stored for the resource page and for ranking.
 *
 * The figures are plain aggregates (count, avg) over accepted projects
 * and over tickets, so a test can compute them by hand from the projects
 * it made; the JSON rounds them (shares to 4 places, the rest to 2).
 */
#include "outcome.h"

#include "db.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

/* Figures of one subject: the projects of a resource (?1 = resource id)
 * or of a provider (?1 = org id); the statements differ only in the
 * column, so each is a constant prepared once. */
static const char SQL_RES[] =
    "SELECT count(*), avg(on_time), count(on_time), avg(level_after - level_before),"
    " count(level_after - level_before), avg(step_gain),"
    " (SELECT count(*) FROM tickets t JOIN projects q ON q.id = t.project_id"
    "   WHERE q.resource_id = ?1),"
    " (SELECT avg(t.response_s) / 3600.0 FROM tickets t JOIN projects q ON q.id = t.project_id"
    "   WHERE q.resource_id = ?1),"
    " (SELECT avg(t.resolution_s) / 3600.0 FROM tickets t JOIN projects q ON q.id = t.project_id"
    "   WHERE q.resource_id = ?1)"
    " FROM projects WHERE resource_id = ?1 AND status = 'accepted'";
static const char SQL_PROV[] =
    "SELECT count(*), avg(on_time), count(on_time), avg(level_after - level_before),"
    " count(level_after - level_before), avg(step_gain),"
    " (SELECT count(*) FROM tickets t JOIN projects q ON q.id = t.project_id"
    "   WHERE q.provider_id = ?1),"
    " (SELECT avg(t.response_s) / 3600.0 FROM tickets t JOIN projects q ON q.id = t.project_id"
    "   WHERE q.provider_id = ?1),"
    " (SELECT avg(t.resolution_s) / 3600.0 FROM tickets t JOIN projects q ON q.id = t.project_id"
    "   WHERE q.provider_id = ?1)"
    " FROM projects WHERE provider_id = ?1 AND status = 'accepted'";

static const char SQL_STORE[] =
    "INSERT INTO outcomes(subject, updated_at, accepted, on_time, on_time_of, uplift, uplift_of,"
    " steps, tickets, resp_h, resolve_h) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
    " ON CONFLICT(subject) DO UPDATE SET accepted = excluded.accepted,"
    " on_time = excluded.on_time, on_time_of = excluded.on_time_of, uplift = excluded.uplift,"
    " uplift_of = excluded.uplift_of, steps = excluded.steps, tickets = excluded.tickets,"
    " resp_h = excluded.resp_h, resolve_h = excluded.resolve_h, updated_at = excluded.updated_at";

/* Recomputes one subject's row with the figures statement sql. */
static int refresh_one(struct db *db, const char *sql, const char *subject, const char *now)
{
    sqlite3_stmt *st = db_stmt(db, sql);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, subject, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return -1;
    }
    sqlite3_stmt *up = db_stmt(db, SQL_STORE);
    if (!up) {
        sqlite3_reset(st);
        return -1;
    }
    sqlite3_bind_text(up, 1, subject, -1, SQLITE_STATIC);
    sqlite3_bind_text(up, 2, now, -1, SQLITE_STATIC);
    /* columns 0..8 of st -> parameters 3..11, NULLs kept */
    for (int c = 0; c < 9; c++) {
        if (sqlite3_column_type(st, c) == SQLITE_NULL)
            sqlite3_bind_null(up, 3 + c);
        else
            sqlite3_bind_value(up, 3 + c, sqlite3_column_value(st, c));
    }
    int rc = sqlite3_step(up);
    sqlite3_reset(up);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

int outcomes_refresh(struct db *db, const char *resource_id, const char *provider_id,
                     const char *now)
{
    static const char SQL_RANK[] =
        "INSERT INTO outcome_rank(rid, r_n, r_on_time, r_uplift, r_steps, r_resp_h, p_n,"
        " p_on_time, p_uplift, p_steps, p_resp_h)"
        " SELECT r.rid, coalesce(ro.accepted, 0), ro.on_time, ro.uplift, ro.steps, ro.resp_h,"
        " coalesce(po.accepted, 0), po.on_time, po.uplift, po.steps, po.resp_h"
        " FROM resources r LEFT JOIN outcomes ro ON ro.subject = r.id"
        " LEFT JOIN outcomes po ON po.subject = r.provider_id WHERE r.provider_id = ?1"
        " ON CONFLICT(rid) DO UPDATE SET r_n = excluded.r_n, r_on_time = excluded.r_on_time,"
        " r_uplift = excluded.r_uplift, r_steps = excluded.r_steps, r_resp_h = excluded.r_resp_h,"
        " p_n = excluded.p_n, p_on_time = excluded.p_on_time, p_uplift = excluded.p_uplift,"
        " p_steps = excluded.p_steps, p_resp_h = excluded.p_resp_h";
    if (refresh_one(db, SQL_RES, resource_id, now) < 0 ||
        refresh_one(db, SQL_PROV, provider_id, now) < 0)
        return -1;
    sqlite3_stmt *st = db_stmt(db, SQL_RANK);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, provider_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

static json_t *rounded(sqlite3_stmt *st, int col, double scale)
{
    if (sqlite3_column_type(st, col) == SQLITE_NULL)
        return json_null();
    return json_real(round(sqlite3_column_double(st, col) * scale) / scale);
}

json_t *outcome_json(struct db *db, const char *subject)
{
    static const char SQL[] =
        "SELECT accepted, on_time, uplift, steps, resp_h, resolve_h, tickets, on_time_of,"
        " uplift_of, updated_at FROM outcomes WHERE subject = ?1";
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return NULL;
    sqlite3_bind_text(st, 1, subject, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    json_t *o = NULL;
    if (rc == SQLITE_ROW)
        o = json_pack("{s:i, s:o, s:i, s:o, s:i, s:o, s:i, s:o, s:o, s:s}", "projects_accepted",
                      sqlite3_column_int(st, 0), "on_time_share", rounded(st, 1, 1e4),
                      "on_time_counted", sqlite3_column_int(st, 7), "avg_level_uplift",
                      rounded(st, 2, 100), "uplift_counted", sqlite3_column_int(st, 8),
                      "avg_scene_step_gain", rounded(st, 3, 100), "tickets",
                      sqlite3_column_int(st, 6), "ticket_response_hours", rounded(st, 4, 100),
                      "ticket_resolution_hours", rounded(st, 5, 100), "updated_at",
                      sqlite3_column_text(st, 9));
    else if (rc == SQLITE_DONE)
        o = json_pack("{s:i, s:n, s:i, s:n, s:i, s:n, s:i, s:n, s:n, s:n}", "projects_accepted", 0,
                      "on_time_share", "on_time_counted", 0, "avg_level_uplift", "uplift_counted",
                      0, "avg_scene_step_gain", "tickets", 0, "ticket_response_hours",
                      "ticket_resolution_hours", "updated_at");
    sqlite3_reset(st);
    return o;
}

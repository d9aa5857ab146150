/*
 * outcomes.c - GET /v1/resources/{id}/outcomes (public): what the
 * resource's accepted projects verified and what its provider's did (the
 * figures of outcome.h), the projects by state, and the published cases
 * that used it.  The resource page shows it; matching reads the same
 * figures (outcome_rank) for its quality part.
 */
#include "handlers.h"

#include "case.h"
#include "db.h"
#include "outcome.h"
#include "req.h"
#include "resource.h"

#include <string.h>

/* The resource's projects counted by state (new reference), NULL on error. */
static json_t *projects_by_status(struct db *db, const char *res_id)
{
    static const char SQL[] =
        "SELECT status, count(*) FROM projects WHERE resource_id = ?1 GROUP BY status";
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return NULL;
    sqlite3_bind_text(st, 1, res_id, -1, SQLITE_STATIC);
    json_t *by = json_object();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        json_object_set_new(by, (const char *)sqlite3_column_text(st, 0),
                            json_integer(sqlite3_column_int(st, 1)));
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        json_decref(by);
        return NULL;
    }
    return by;
}

void h_resource_outcomes(struct req *r)
{
    struct db *db = r->w->db;
    json_t *res = resource_get(db, r->params[0]);
    if (!res) {
        reply_error(r, ERR_NOT_FOUND, NULL, "no resource %s", r->params[0]);
        return;
    }
    json_t *prov = json_object_get(res, "provider");
    const char *pid = json_string_value(json_object_get(prov, "id"));
    json_t *mine = outcome_json(db, r->params[0]);
    json_t *theirs = pid ? outcome_json(db, pid) : NULL;
    json_t *by = projects_by_status(db, r->params[0]);
    json_t *cases = json_array();
    long total = 0;
    struct case_filter f = {.resource_id = r->params[0]};
    int bad = !mine || !theirs || !by ||
              cases_search(db, NULL, &f, 20, 0, 0, &r->who, cases, &total) < 0;
    if (bad) {
        json_decref(mine);
        json_decref(theirs);
        json_decref(by);
        json_decref(cases);
        json_decref(res);
        reply_db_error(r, DB_READ);
        return;
    }
    json_t *out = json_pack("{s:{s:O, s:O}, s:o, s:o, s:{s:O, s:O, s:o}, s:{s:I, s:o}}",
                            "resource", "id", json_object_get(res, "id"), "title",
                            json_object_get(res, "title"), "outcomes", mine, "projects", by,
                            "provider", "id", json_object_get(prov, "id"), "name",
                            json_object_get(prov, "name"), "outcomes", theirs, "cases", "total",
                            (json_int_t)total, "items", cases);
    json_decref(res);
    reply_json(r, 200, out);
}

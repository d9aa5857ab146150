/*
 * project_make.c - how projects come to be and what they carry from the
 * rest of the center's loop (project.h): the insert every project goes
 * through, the projects of a campaign as it is contracted, the snapshots
 * of the enterprise's verified assessments (the `before` and `after`
 * figures, points, scene steps and level), the scene steps gained, and
 * the campaign participant that follows its project.
 *
 * Everything here runs inside the caller's write transaction and writes
 * nothing but what it is named for; refusals a user can act on are the
 * handlers' (projects.c, campaigns.c).
 *
 * A snapshot is read from the assessment row as it was verified: the
 * stored points (assessment_row_score), the evidence figures of the
 * questions the instrument marks as outcomes (数字化成效), and the scene
 * steps.  It is written into the project once and never recomputed, so a
 * project keeps what was verified even if the instrument file changes.
 */
#include "project.h"

#include "assessment.h"
#include "auth.h"
#include "campaign.h"
#include "db.h"
#include "instrument.h"
#include "log.h"
#include "need.h"
#include "notify.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ snapshots */

json_t *project_snapshot(struct db *db, const char *enterprise_id, const char *since,
                         int64_t min_aid, int *err)
{
    static const char SQL[] =
        "SELECT aid, id, instrument, created_at, verified_at, total, level, points, checks,"
        " evidence, scenes FROM assessments"
        " WHERE org_id = ?1 AND status = 'verified' AND aid > ?3"
        " AND (?2 IS NULL OR created_at >= ?2) ORDER BY aid DESC LIMIT 1";
    *err = 0;
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st) {
        *err = 1;
        return NULL;
    }
    sqlite3_bind_text(st, 1, enterprise_id, -1, SQLITE_STATIC);
    db_bind_text(st, 2, since && *since ? since : NULL);
    sqlite3_bind_int64(st, 3, min_aid);
    int rc = sqlite3_step(st);
    json_t *out = NULL;
    const struct instrument *in =
        rc == SQLITE_ROW ? instruments_find((const char *)sqlite3_column_text(st, 2)) : NULL;
    if (in) {
        json_t *evidence = json_loads((const char *)sqlite3_column_text(st, 9), 0, NULL);
        json_t *scenes = json_loads((const char *)sqlite3_column_text(st, 10), 0, NULL);
        struct instr_score sc;
        assessment_row_score(st, 5, in, NULL, scenes, &sc);
        json_t *figures = json_object(), *points = json_object(), *dims = json_object();
        json_t *dmax = json_object();
        for (int i = 0; i < in->nq; i++) {
            if (!in->q[i].outcome)
                continue;
            json_t *f = json_object_get(evidence, in->q[i].code);
            if (json_is_object(f) && json_object_size(f))
                json_object_set(figures, in->q[i].code, f);
            if (sc.answered[i])
                json_object_set_new(points, in->q[i].code, json_real(sc.question[i]));
        }
        for (int d = 0; d < in->nd; d++) {
            json_object_set_new(dims, in->d[d].name, json_real(sc.dim[d]));
            json_object_set_new(dmax, in->d[d].name, json_real(in->d[d].points));
        }
        out = json_pack("{s:s, s:s, s:s, s:s, s:i, s:f, s:o, s:o, s:o, s:o, s:o}", "assessment_id",
                        sqlite3_column_text(st, 1), "instrument", in->code, "created_at",
                        sqlite3_column_text(st, 3), "verified_at",
                        sqlite3_column_text(st, 4) ? (const char *)sqlite3_column_text(st, 4) : "",
                        "level", sqlite3_column_int(st, 6), "total", sqlite3_column_double(st, 5),
                        "dimensions", dims, "dimension_max", dmax, "figures", figures, "points",
                        points, "scenes",
                        json_is_object(scenes) ? json_incref(scenes) : json_object());
        json_decref(evidence);
        json_decref(scenes);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        *err = 1;
    return out;
}

double project_step_gain(const json_t *before, const json_t *after, const json_t *scenarios)
{
    const struct instrument *in =
        instruments_find(json_string_value(json_object_get(after, "instrument")));
    if (!in)
        return 0;
    const json_t *bs = json_object_get(before, "scenes"), *as = json_object_get(after, "scenes");
    int named = 0;
    double gain = 0, all = 0;
    for (int s = 0; s < in->ns; s++) {
        const char *code = in->s[s].code;
        double d = (double)json_integer_value(json_object_get(as, code)) -
                   (double)json_integer_value(json_object_get(bs, code));
        all += d;
        size_t i;
        json_t *v;
        json_array_foreach((json_t *)scenarios, i, v)
            if (strcmp(json_string_value(v), code) == 0) {
                gain += d;
                named++;
            }
    }
    return named ? gain : all;
}

/* ------------------------------------------------------------ insert */

/* Tells each party but the one acting that project id was made. */
static int notify_parties(struct db *db, const struct proj_new *n, const struct caller *who)
{
    const char *orgs[3] = {n->enterprise_id, n->provider_id, n->center_id};
    char link[96];
    snprintf(link, sizeof link, "#/projects/%s", n->id);
    for (int i = 0; i < 3; i++) {
        if (!orgs[i] || strcmp(orgs[i], who->org_id) == 0)
            continue;
        if (notify_add(db, orgs[i], "project_created",
                       json_pack("{s:{s:s, s:s}, s:s}", "project", "id", n->id, "title", n->title,
                                 "link", link)) < 0)
            return -1;
    }
    return 0;
}

int project_insert(struct db *db, const struct proj_new *n, const struct caller *who,
                   const char *now)
{
    static const char SQL_DISTRICT[] =
        "SELECT district_code FROM enterprise_files WHERE org_id = ?1";
    static const char SQL[] =
        "INSERT INTO projects(id, enterprise_id, provider_id, resource_id, center_id,"
        " response_id, need_id, campaign_id, district_code, due, amount, created_at, updated_at,"
        " enterprise_name, provider_name, center_name, title, scenarios, costs, milestones,"
        " before) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, ?13, ?14,"
        " ?15, ?16, ?17, ?18, ?19, ?20)";
    char district[16] = "";
    sqlite3_stmt *st = db_stmt(db, SQL_DISTRICT);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, n->enterprise_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        snprintf(district, sizeof district, "%s", sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return -1;
    int err;
    json_t *before = project_snapshot(db, n->enterprise_id, NULL, 0, &err);
    if (err)
        return -1;
    json_t *ms = project_milestones_merge(NULL, n->milestones);
    char due[16];
    project_due(ms, due);
    char *scen = json_dumps(n->scenarios ? n->scenarios : json_array(), JSON_COMPACT);
    char *costs = n->costs ? json_dumps(n->costs, JSON_COMPACT) : xstrdup("[]");
    char *mstext = json_dumps(ms, JSON_COMPACT);
    char *btext = before ? json_dumps(before, JSON_COMPACT) : NULL;
    json_decref(ms);
    json_decref(before);
    st = db_stmt(db, SQL);
    rc = SQLITE_ERROR;
    if (st) {
        sqlite3_bind_text(st, 1, n->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, n->enterprise_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, n->provider_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, n->resource_id, -1, SQLITE_STATIC);
        db_bind_text(st, 5, n->center_id);
        db_bind_text(st, 6, n->response_id);
        db_bind_text(st, 7, n->need_id);
        db_bind_text(st, 8, n->campaign_id);
        db_bind_text(st, 9, district[0] ? district : NULL);
        db_bind_text(st, 10, due[0] ? due : NULL);
        if (n->has_amount)
            sqlite3_bind_double(st, 11, n->amount);
        sqlite3_bind_text(st, 12, now, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 13, n->enterprise_name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 14, n->provider_name, -1, SQLITE_STATIC);
        db_bind_text(st, 15, n->center_name);
        sqlite3_bind_text(st, 16, n->title, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 17, scen, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 18, costs, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 19, mstext, -1, SQLITE_STATIC);
        db_bind_text(st, 20, btext);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
    }
    free(scen);
    free(costs);
    free(mstext);
    free(btext);
    if (rc == SQLITE_CONSTRAINT_UNIQUE)
        return 1;
    if (rc != SQLITE_DONE)
        return -1;
    if (proj_revision(db, n->id, who, NULL, "contracted",
                      n->campaign_id ? "contracted with the campaign" : "contracted", NULL,
                      now) < 0 ||
        notify_parties(db, n, who) < 0)
        return -1;
    return 0;
}

/* ------------------------------------------------------------ campaigns */

int projects_for_campaign(struct db *db, const char *camp_id, const struct caller *who,
                          const char *now)
{
    static const char SQL_CAMP[] =
        "SELECT c.center_id, c.center_name, c.resource_id, r.provider_id, r.provider_name,"
        " c.title, c.scenarios, c.tiers FROM campaigns c JOIN resources r ON r.id = c.resource_id"
        " WHERE c.id = ?1";
    static const char SQL_PARTS[] =
        "SELECT org_id, org_name, need_id FROM participants"
        " WHERE campaign_id = ?1 AND status = 'joined' ORDER BY pid";
    sqlite3_stmt *st = db_stmt(db, SQL_CAMP);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, camp_id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return -1;
    }
    char center[40], center_name[256], res[48], prov[40], prov_name[256], title[512];
    char *cols[6] = {center, center_name, res, prov, prov_name, title};
    size_t lens[6] = {sizeof center, sizeof center_name, sizeof res, sizeof prov,
                      sizeof prov_name, sizeof title};
    for (int i = 0; i < 6; i++)
        snprintf(cols[i], lens[i], "%s", (const char *)sqlite3_column_text(st, i));
    json_t *scen = json_loads((const char *)sqlite3_column_text(st, 6), 0, NULL);
    json_t *tiers = json_loads((const char *)sqlite3_column_text(st, 7), 0, NULL);
    sqlite3_reset(st);
    /* the participants first, then the writes: no insert under an open read */
    json_t *parts = json_array();
    int rc = SQLITE_ERROR;
    if ((st = db_stmt(db, SQL_PARTS))) {
        sqlite3_bind_text(st, 1, camp_id, -1, SQLITE_STATIC);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
            json_array_append_new(
                parts, json_pack("{s:s, s:s, s:s?}", "org", sqlite3_column_text(st, 0), "name",
                                 sqlite3_column_text(st, 1), "need",
                                 (const char *)sqlite3_column_text(st, 2)));
        sqlite3_reset(st);
    }
    const json_t *tier = campaign_tier_for(tiers, (long)json_array_size(parts));
    int out = rc == SQLITE_DONE ? 0 : -1;
    size_t i;
    json_t *p;
    json_array_foreach(parts, i, p) {
        if (out < 0)
            break;
        char id[48];
        util_new_id(id, sizeof id, "proj");
        const char *org = json_string_value(json_object_get(p, "org"));
        struct proj_new n = {
            .id = id, .enterprise_id = org,
            .enterprise_name = json_string_value(json_object_get(p, "name")),
            .provider_id = prov, .provider_name = prov_name, .resource_id = res,
            .center_id = center, .center_name = center_name,
            .need_id = json_string_value(json_object_get(p, "need")), .campaign_id = camp_id,
            .title = title, .scenarios = scen, .has_amount = tier != NULL,
            .amount = tier ? json_number_value(json_object_get(tier, "unit_price")) : 0,
        };
        struct part pt;
        char reason[96];
        snprintf(reason, sizeof reason, "project %s", id);
        if (project_insert(db, &n, who, now) != 0 || part_load(db, camp_id, org, &pt) != 0)
            out = -1;
        else {
            snprintf(pt.status, sizeof pt.status, "contracted");
            if (part_save(db, camp_id, org, &pt, now) < 0 ||
                revision_add(db, camp_id, org, who, "joined", "contracted", reason, now) < 0)
                out = -1;
        }
    }
    json_decref(parts);
    json_decref(scen);
    json_decref(tiers);
    return out;
}

int project_sync_participant(struct db *db, const struct proj *p, const char *to,
                             const struct caller *who, int level_before, int level_after,
                             const char *now)
{
    if (!p->campaign_id[0])
        return 0;
    const char *target = strcmp(to, "implementing") == 0 ? "implementing"
                         : strcmp(to, "accepted") == 0   ? "accepted"
                         : strcmp(to, "cancelled") == 0  ? "withdrawn"
                                                         : NULL;
    if (!target)
        return 0;
    struct part pt;
    int k = part_load(db, p->campaign_id, p->enterprise_id, &pt);
    if (k != 0)
        return k < 0 ? -1 : 0;
    if (strcmp(pt.status, target) == 0 || !participant_transition_ok(pt.status, target))
        return 0;
    char from[16], reason[96];
    snprintf(from, sizeof from, "%s", pt.status);
    snprintf(pt.status, sizeof pt.status, "%s", target);
    if (strcmp(target, "accepted") == 0) {
        /* the levels of the two verified assessments, nothing typed */
        pt.level_before = level_before >= 1 && level_before <= 4 ? level_before : 0;
        pt.level_after = level_after >= 1 && level_after <= 4 ? level_after : 0;
    }
    snprintf(reason, sizeof reason, "project %s", p->id);
    if (part_save(db, p->campaign_id, p->enterprise_id, &pt, now) < 0 ||
        revision_add(db, p->campaign_id, p->enterprise_id, who, from, target, reason, now) < 0)
        return -1;
    /* the campaign's version follows its participants' */
    static const char SQL[] =
        "UPDATE campaigns SET version = version + 1, updated_at = ?2 WHERE id = ?1";
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, p->campaign_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return -1;
    if (strcmp(target, "withdrawn") == 0 && p->need_id[0] &&
        need_set_status(db, p->need_id, "in_campaign", "open", now) < 0)
        return -1;
    return 0;
}

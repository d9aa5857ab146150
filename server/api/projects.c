/*
 * projects.c - projects over HTTP (project.h has the record, the states
 * and who may do what):
 *   POST  /v1/projects                    the enterprise: {"response_id"} of an accepted response
 *   GET   /v1/projects                    (projects_list.c)
 *   GET   /v1/projects/{id}
 *   PATCH /v1/projects/{id}               its parties: title, amount, costs, milestones
 *   POST  /v1/projects/{id}/transition    {"to", "reason"}: the party the move names
 *   POST  /v1/projects/{id}/signoff       the enterprise or the center, while delivered
 * Campaigns make their projects themselves (projects_for_campaign).  Every
 * write is one transaction (write.h) that re-reads what it checks,
 * honours If-Match, appends a revision and tells the other parties
 * (notify.h).
 */
#include "handlers.h"

#include "auth.h"
#include "db.h"
#include "notify.h"
#include "outcome.h"
#include "project.h"
#include "regions.h"
#include "req.h"
#include "util.h"
#include "write.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Tells org (if any, and not the caller's own) about project p. */
static int tell(struct db *db, const char *org, const struct caller *who, const struct proj *p,
                const char *kind, json_t *extra)
{
    if (!org || !*org || strcmp(org, who->org_id) == 0) {
        json_decref(extra);
        return 0;
    }
    char link[96];
    snprintf(link, sizeof link, "#/projects/%s", p->id);
    json_t *payload = json_pack("{s:{s:s, s:s}, s:s}", "project", "id", p->id, "title", p->title,
                                "link", link);
    if (extra)
        json_object_update(payload, extra);
    json_decref(extra);
    return notify_add(db, org, kind, payload);
}

/* Makes the calling center the supervising center of p when it has none. */
static int take_center(struct db *db, struct proj *p, const struct caller *who)
{
    static const char SQL[] =
        "UPDATE projects SET center_id = ?2, center_name = ?3 WHERE id = ?1 AND center_id IS NULL";
    if (who->role != ROLE_CENTER || p->center_id[0])
        return 0;
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, p->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, who->org_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, who->org_name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    snprintf(p->center_id, sizeof p->center_id, "%s", who->org_id);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* ------------------------------------------------------------ create */

static int create_txn(struct req *r, const char *id, struct outcome *o)
{
    static const char SQL_RESP[] =
        "SELECT s.status, s.provider_id, s.provider_name, s.resource_id, s.quote, n.id,"
        " n.enterprise_id, n.title, json_extract(n.doc, '$.scenarios')"
        " FROM responses s JOIN needs n ON n.id = s.need_id WHERE s.id = ?1";
    static const char SQL_CENTER[] =
        "SELECT name FROM orgs WHERE id = ?1 AND (EXISTS (SELECT 1 FROM keys k"
        "   WHERE k.org_id = ?1 AND k.role = 'center') OR EXISTS (SELECT 1 FROM users u"
        "   WHERE u.org_id = ?1 AND u.role = 'center'))";
    struct db *db = r->w->db;
    json_t *b = r->body;
    const char *resp_id = json_string_value(json_object_get(b, "response_id"));
    sqlite3_stmt *st = db_stmt(db, SQL_RESP);
    if (!st)
        return refuse_db(o, db, "project create");
    sqlite3_bind_text(st, 1, resp_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    int mine = rc == SQLITE_ROW && req_is_caller(r, (const char *)sqlite3_column_text(st, 6));
    char status[16] = "", prov[40] = "", prov_name[256] = "", res[48] = "", need[48] = "";
    char title[512] = "";
    int has_quote = 0;
    double quote = 0;
    json_t *scen = NULL;
    if (mine) {
        char *cols[6] = {status, prov, prov_name, res, need, title};
        int idx[6] = {0, 1, 2, 3, 5, 7};
        size_t lens[6] = {sizeof status, sizeof prov, sizeof prov_name, sizeof res, sizeof need,
                          sizeof title};
        for (int i = 0; i < 6; i++)
            snprintf(cols[i], lens[i], "%s", (const char *)sqlite3_column_text(st, idx[i]));
        has_quote = sqlite3_column_type(st, 4) != SQLITE_NULL;
        quote = sqlite3_column_double(st, 4);
        if (sqlite3_column_type(st, 8) != SQLITE_NULL)
            scen = json_loads((const char *)sqlite3_column_text(st, 8), 0, NULL);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return refuse_db(o, db, "project create");
    if (!mine)
        return refuse(o, ERR_INVALID_FIELD, "response_id", "you have no response %s", resp_id);
    int out = 0;
    char center_name[256] = "";
    const char *center = json_string_value(json_object_get(b, "center_id"));
    if (strcmp(status, "accepted") != 0) {
        out = refuse(o, ERR_CONFLICT, "response_id", "response %s is %s: a project starts from"
                     " an accepted response", resp_id, status);
    } else if (req_is_caller(r, prov)) {
        out = refuse(o, ERR_CONFLICT, "response_id", "an organisation cannot contract its own"
                     " resource");
    } else if (center) {
        st = db_stmt(db, SQL_CENTER);
        if (!st) {
            out = refuse_db(o, db, "project create");
        } else {
            sqlite3_bind_text(st, 1, center, -1, SQLITE_STATIC);
            rc = sqlite3_step(st);
            if (rc == SQLITE_ROW)
                snprintf(center_name, sizeof center_name, "%s", sqlite3_column_text(st, 0));
            sqlite3_reset(st);
            if (rc != SQLITE_ROW && rc != SQLITE_DONE)
                out = refuse_db(o, db, "project create");
            else if (rc == SQLITE_DONE)
                out = refuse(o, ERR_INVALID_FIELD, "center_id", "%s is not a center", center);
        }
    }
    if (out == 0) {
        char now[32];
        util_now_rfc3339(now);
        json_t *amount = json_object_get(b, "amount");
        const char *t = json_string_value(json_object_get(b, "title"));
        struct proj_new n = {
            .id = id, .enterprise_id = r->who.org_id, .enterprise_name = r->who.org_name,
            .provider_id = prov, .provider_name = prov_name, .resource_id = res,
            .center_id = center, .center_name = center ? center_name : NULL,
            .response_id = resp_id, .need_id = need, .title = t ? t : title, .scenarios = scen,
            .has_amount = amount || has_quote,
            .amount = amount ? json_number_value(amount) : quote,
            .costs = json_object_get(b, "costs"), .milestones = json_object_get(b, "milestones"),
        };
        int k = project_insert(db, &n, &r->who, now);
        if (k > 0)
            out = refuse(o, ERR_CONFLICT, "response_id", "response %s already has a project",
                         resp_id);
        else if (k < 0)
            out = refuse_db(o, db, "project create");
    }
    json_decref(scen);
    return out;
}

void h_project_create(struct req *r)
{
    struct verr e;
    if (body_valid(r, PROJECT_CREATE_FIELDS) < 0)
        return;
    if (project_body_check(r->body, &e) < 0) {
        reply_verr(r, &e);
        return;
    }
    char id[48];
    util_new_id(id, sizeof id, "proj");
    if (write_begin(r) < 0)
        return;
    struct outcome o;
    int rc = create_txn(r, id, &o);
    project_finish(r, rc, &o, 201, id);
}

/* ------------------------------------------------------------ read */

void h_project_get(struct req *r)
{
    project_reply(r, 200, r->params[0]);
}

/* ------------------------------------------------------------ patch */

static int patch_txn(struct req *r, int64_t want, struct outcome *o)
{
    static const char SQL_GET[] = "SELECT milestones FROM projects WHERE id = ?1";
    static const char SQL[] =
        "UPDATE projects SET title = coalesce(?2, title), amount = CASE WHEN ?3 THEN ?4 ELSE amount"
        " END, costs = coalesce(?5, costs), milestones = ?6, due = ?7, version = version + 1,"
        " updated_at = ?8 WHERE id = ?1";
    struct db *db = r->w->db;
    json_t *b = r->body;
    struct proj p;
    if (proj_load(db, r->params[0], &r->who, &p, o) < 0)
        return -1;
    if (!proj_parties(&p, &r->who))
        return refuse(o, ERR_FORBIDDEN, NULL, "only the enterprise, the provider and the"
                      " supervising center change a project");
    if (want && want != p.version)
        return refuse(o, ERR_CONFLICT, NULL, "If-Match names version %" PRId64 " but the"
                      " project is at version %" PRId64, want, p.version);
    if (strcmp(p.status, "accepted") == 0 || strcmp(p.status, "cancelled") == 0)
        return refuse(o, ERR_CONFLICT, NULL, "the project is %s: it no longer changes",
                      p.status);
    sqlite3_stmt *st = db_stmt(db, SQL_GET);
    if (!st)
        return refuse_db(o, db, "project patch");
    sqlite3_bind_text(st, 1, p.id, -1, SQLITE_STATIC);
    json_t *stored = sqlite3_step(st) == SQLITE_ROW
                         ? json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL)
                         : NULL;
    sqlite3_reset(st);
    json_t *ms = project_milestones_merge(stored, json_object_get(b, "milestones"));
    json_decref(stored);
    char due[16], now[32];
    project_due(ms, due);
    util_now_rfc3339(now);
    char *mstext = json_dumps(ms, JSON_COMPACT);
    json_t *costs = json_object_get(b, "costs"), *amount = json_object_get(b, "amount");
    char *ctext = costs ? json_dumps(costs, JSON_COMPACT) : NULL;
    json_t *changed = json_array();
    static const char *const NAMES[] = {"title", "amount", "costs", "milestones"};
    for (int i = 0; i < 4; i++)
        if (json_object_get(b, NAMES[i]))
            json_array_append_new(changed, json_string(NAMES[i]));
    int rc = -1;
    if ((st = db_stmt(db, SQL))) {
        sqlite3_bind_text(st, 1, p.id, -1, SQLITE_STATIC);
        db_bind_text(st, 2, json_string_value(json_object_get(b, "title")));
        sqlite3_bind_int(st, 3, amount != NULL);
        if (amount)
            sqlite3_bind_double(st, 4, json_number_value(amount));
        db_bind_text(st, 5, ctext);
        sqlite3_bind_text(st, 6, mstext, -1, SQLITE_STATIC);
        db_bind_text(st, 7, due[0] ? due : NULL);
        sqlite3_bind_text(st, 8, now, -1, SQLITE_STATIC);
        rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
        sqlite3_reset(st);
    }
    free(mstext);
    free(ctext);
    json_decref(ms);
    const char *why = json_string_value(json_object_get(b, "reason"));
    json_t *detail = json_pack("{s:o}", "changed", changed);
    if (rc < 0 || take_center(db, &p, &r->who) < 0 ||
        proj_revision(db, p.id, &r->who, p.status, p.status, why ? why : "updated", detail, now) < 0)
        rc = refuse_db(o, db, "project patch");
    json_decref(detail);
    return rc;
}

void h_project_patch(struct req *r)
{
    int64_t want;
    struct verr e;
    if (req_if_match(r, &want) < 0 || body_valid(r, PROJECT_PATCH_FIELDS) < 0)
        return;
    if (project_body_check(r->body, &e) < 0) {
        reply_verr(r, &e);
        return;
    }
    if (json_object_size(r->body) == 0 ||
        (json_object_size(r->body) == 1 && json_object_get(r->body, "reason"))) {
        reply_error(r, ERR_INVALID_FIELD, "amount", "give title, amount, costs or milestones");
        return;
    }
    if (write_begin(r) < 0)
        return;
    struct outcome o;
    int rc = patch_txn(r, want, &o);
    project_finish(r, rc, &o, 200, r->params[0]);
}

/* ------------------------------------------------------------ transition */

static const struct vfield TRANSITION_FIELDS_P[] = {
    {"to", V_STRING, 1, 1, 20, 0, NULL, 0},
    {"reason", V_STRING, 0, 0, 500, 0, NULL, 0},
    VFIELD_END,
};

/* The parties bits as words, for a 403 ("the provider or the center"). */
static const char *parties_text(int k)
{
    static const char *const T[8] = {"nobody", "the enterprise", "the provider",
                                     "the enterprise or the provider", "the center",
                                     "the enterprise or the center", "the provider or the center",
                                     "any party"};
    return T[k & 7];
}

/* The stored JSON column col of project id (new reference, NULL if null). */
static json_t *stored_json(struct db *db, const char *id, int col)
{
    static const char SQL[] = "SELECT milestones, signoffs, before, scenarios FROM projects"
                              " WHERE id = ?1";
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return NULL;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    json_t *v = NULL;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, col) != SQLITE_NULL)
        v = json_loads((const char *)sqlite3_column_text(st, col), 0, NULL);
    sqlite3_reset(st);
    return v;
}

/* Sets milestone code's actual date to today unless it has one (clear:
 * removes it). */
static void milestone_mark(json_t *ms, const char *code, const char *today, int clear)
{
    size_t i;
    json_t *v;
    json_array_foreach(ms, i, v) {
        if (strcmp(json_string_value(json_object_get(v, "code")), code) != 0)
            continue;
        if (clear)
            json_object_del(v, "actual");
        else if (!json_object_get(v, "actual"))
            json_object_set_new(v, "actual", json_string(today));
    }
}

static const char *milestone_date(json_t *ms, const char *code, const char *which)
{
    size_t i;
    json_t *v;
    json_array_foreach(ms, i, v)
        if (strcmp(json_string_value(json_object_get(v, "code")), code) == 0)
            return json_string_value(json_object_get(v, which));
    return NULL;
}

/* The newest assessment row of the enterprise (0 when none): a delivery
 * notes it, so the verified assessment acceptance needs is a later one. */
static int64_t newest_aid(struct db *db, const char *org, int *err)
{
    static const char SQL[] = "SELECT coalesce(max(aid), 0) FROM assessments WHERE org_id = ?1";
    sqlite3_stmt *st = db_stmt(db, SQL);
    *err = !st;
    if (!st)
        return 0;
    sqlite3_bind_text(st, 1, org, -1, SQLITE_STATIC);
    int64_t v = 0;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    else
        *err = 1;
    sqlite3_reset(st);
    return v;
}

struct move_state {
    json_t *ms, *signoffs, *before, *after, *scen;
    int64_t delivered_aid;
    char delivered_at[32];
    int lb, la, has_gain, on_time;
    double gain;
};

static void move_state_free(struct move_state *m)
{
    json_decref(m->ms);
    json_decref(m->signoffs);
    json_decref(m->before);
    json_decref(m->after);
    json_decref(m->scen);
}

/* For `accepted`: what is missing (a list in o's message), or the after
 * snapshot, levels, step gain and on-time flag in m.  0, or -1 refused. */
static int accept_check(struct db *db, const struct proj *p, struct move_state *m,
                        struct outcome *o)
{
    char missing[512] = "";
    if (!json_object_get(m->signoffs, "enterprise"))
        snprintf(missing, sizeof missing, "the enterprise's sign-off");
    if (!json_object_get(m->signoffs, "center"))
        snprintf(missing + strlen(missing), sizeof missing - strlen(missing), "%sa center's sign-off",
                 missing[0] ? ", " : "");
    int err;
    m->after = project_snapshot(db, p->enterprise_id, p->delivered_at, p->delivered_aid, &err);
    if (err)
        return refuse_db(o, db, "project accept");
    if (!m->after)
        snprintf(missing + strlen(missing), sizeof missing - strlen(missing),
                 "%sa verified assessment made after the delivery (%s)", missing[0] ? ", " : "",
                 p->delivered_at);
    if (missing[0]) {
        refuse(o, ERR_CONFLICT, "to", "the project cannot be accepted yet: missing %s", missing);
        /* the list in Chinese too (the catalogue cannot translate a list) */
        const char *zh[3];
        int n = 0;
        if (!json_object_get(m->signoffs, "enterprise"))
            zh[n++] = "企业的签收";
        if (!json_object_get(m->signoffs, "center"))
            zh[n++] = "数促中心的签收";
        if (!m->after)
            zh[n++] = "交付之后经数促中心核验的评估";
        size_t len = (size_t)snprintf(o->msg_zh, sizeof o->msg_zh, "项目尚不能验收，还缺：");
        for (int i = 0; i < n && len < sizeof o->msg_zh; i++)
            len += (size_t)snprintf(o->msg_zh + len, sizeof o->msg_zh - len, "%s%s",
                                    i ? "、" : "", zh[i]);
        return -1;
    }
    m->la = (int)json_integer_value(json_object_get(m->after, "level"));
    m->lb = m->before ? (int)json_integer_value(json_object_get(m->before, "level")) : -1;
    if (m->before) {
        m->gain = project_step_gain(m->before, m->after, m->scen);
        m->has_gain = 1;
    }
    const char *planned = milestone_date(m->ms, "go_live", "planned");
    const char *actual = milestone_date(m->ms, "go_live", "actual");
    m->on_time = planned && actual ? strcmp(actual, planned) <= 0 : -1;
    return 0;
}

static int transition_write(struct db *db, const struct proj *p, const char *to,
                            struct move_state *m, const char *now)
{
    static const char SQL[] =
        "UPDATE projects SET status = ?2, milestones = ?3, due = ?4, signoffs = ?5,"
        " before = ?6, after = ?7, delivered_at = ?8, delivered_aid = ?9,"
        " accepted_at = CASE WHEN ?2 = 'accepted' THEN ?10 ELSE accepted_at END,"
        " level_before = CASE WHEN ?2 = 'accepted' THEN ?11 ELSE level_before END,"
        " level_after = CASE WHEN ?2 = 'accepted' THEN ?12 ELSE level_after END,"
        " step_gain = CASE WHEN ?2 = 'accepted' THEN ?13 ELSE step_gain END,"
        " on_time = CASE WHEN ?2 = 'accepted' THEN ?14 ELSE on_time END,"
        " version = version + 1, updated_at = ?10 WHERE id = ?1 AND status = ?15";
    char due[16];
    project_due(m->ms, due);
    char *ms = json_dumps(m->ms, JSON_COMPACT), *so = json_dumps(m->signoffs, JSON_COMPACT);
    char *bt = m->before ? json_dumps(m->before, JSON_COMPACT) : NULL;
    char *at = m->after ? json_dumps(m->after, JSON_COMPACT) : NULL;
    sqlite3_stmt *st = db_stmt(db, SQL);
    int rc = -1;
    if (st) {
        sqlite3_bind_text(st, 1, p->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, to, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, ms, -1, SQLITE_STATIC);
        db_bind_text(st, 4, due[0] ? due : NULL);
        sqlite3_bind_text(st, 5, so, -1, SQLITE_STATIC);
        db_bind_text(st, 6, bt);
        db_bind_text(st, 7, at);
        db_bind_text(st, 8, m->delivered_at[0] ? m->delivered_at : NULL);
        sqlite3_bind_int64(st, 9, m->delivered_aid);
        sqlite3_bind_text(st, 10, now, -1, SQLITE_STATIC);
        if (m->lb >= 0)
            sqlite3_bind_int(st, 11, m->lb);
        sqlite3_bind_int(st, 12, m->la);
        if (m->has_gain)
            sqlite3_bind_double(st, 13, m->gain);
        if (m->on_time >= 0)
            sqlite3_bind_int(st, 14, m->on_time);
        sqlite3_bind_text(st, 15, p->status, -1, SQLITE_STATIC);
        rc = sqlite3_step(st) == SQLITE_DONE && sqlite3_changes(db_handle(db)) == 1 ? 0 : -1;
        sqlite3_reset(st);
    }
    free(ms);
    free(so);
    free(bt);
    free(at);
    return rc;
}

/* The parties told of a move, and how. */
static int transition_notify(struct db *db, const struct proj *p, const char *to,
                             const struct caller *who)
{
    const char *orgs[3] = {p->enterprise_id, p->provider_id, p->center_id};
    for (int i = 0; i < 3; i++) {
        int rc;
        if (strcmp(to, "accepted") == 0)
            rc = tell(db, orgs[i], who, p, "project_accepted", NULL);
        else if (strcmp(to, "delivered") == 0 && i != 1)
            rc = tell(db, orgs[i], who, p, "milestone_signoff",
                      json_pack("{s:{s:s, s:s}}", "milestone", "code", "acceptance", "name", "验收"));
        else
            rc = tell(db, orgs[i], who, p, "project_status",
                      json_pack("{s:s, s:s}", "status", to, "status_zh", project_status_zh(to)));
        if (rc < 0)
            return -1;
    }
    return 0;
}

static int transition_txn(struct req *r, int64_t want, struct outcome *o)
{
    struct db *db = r->w->db;
    const char *to = json_string_value(json_object_get(r->body, "to"));
    const char *reason = json_string_value(json_object_get(r->body, "reason"));
    struct proj p;
    if (proj_load(db, r->params[0], &r->who, &p, o) < 0)
        return -1;
    int parties = proj_parties(&p, &r->who);
    if (!parties)
        return refuse(o, ERR_FORBIDDEN, NULL, "only the enterprise, the provider and the"
                      " supervising center move a project");
    int allowed = project_move_parties(p.status, to);
    if (!allowed)
        return refuse(o, ERR_CONFLICT, "to", "a project cannot go from %s to %s", p.status, to);
    if (!(allowed & parties))
        return refuse(o, ERR_FORBIDDEN, "to", "only %s may move a project from %s to %s",
                      parties_text(allowed), p.status, to);
    if (want && want != p.version)
        return refuse(o, ERR_CONFLICT, NULL, "If-Match names version %" PRId64 " but the"
                      " project is at version %" PRId64, want, p.version);
    struct move_state m = {.ms = stored_json(db, p.id, 0), .signoffs = stored_json(db, p.id, 1),
                           .before = stored_json(db, p.id, 2), .scen = stored_json(db, p.id, 3),
                           .delivered_aid = p.delivered_aid, .lb = -1, .on_time = -1};
    snprintf(m.delivered_at, sizeof m.delivered_at, "%s", p.delivered_at);
    if (!m.ms)
        m.ms = json_array();
    if (!m.signoffs)
        m.signoffs = json_object();
    char now[32], today[16];
    util_now_rfc3339(now);
    snprintf(today, sizeof today, "%.10s", now);
    int rc = 0, err = 0;
    if (!m.before && (strcmp(to, "implementing") == 0 || strcmp(to, "delivered") == 0)) {
        /* no verified assessment when contracted: the latest one before delivery */
        m.before = project_snapshot(db, p.enterprise_id, NULL, 0, &err);
    }
    if (strcmp(to, "implementing") == 0 && strcmp(p.status, "contracted") == 0) {
        milestone_mark(m.ms, "plan", today, 0);
        milestone_mark(m.ms, "start", today, 0);
    } else if (strcmp(to, "implementing") == 0 && strcmp(p.status, "delivered") == 0) {
        json_object_clear(m.signoffs); /* rework: a new delivery is signed anew */
        milestone_mark(m.ms, "go_live", today, 1);
    } else if (strcmp(to, "delivered") == 0) {
        milestone_mark(m.ms, "go_live", today, 0);
        json_object_clear(m.signoffs);
        snprintf(m.delivered_at, sizeof m.delivered_at, "%s", now);
        m.delivered_aid = newest_aid(db, p.enterprise_id, &err);
    } else if (strcmp(to, "accepted") == 0) {
        rc = accept_check(db, &p, &m, o);
        milestone_mark(m.ms, "acceptance", today, 0);
    }
    if (rc == 0 && err)
        rc = refuse_db(o, db, "project transition");
    if (rc == 0 && (transition_write(db, &p, to, &m, now) < 0 || take_center(db, &p, &r->who) < 0 ||
                    proj_revision(db, p.id, &r->who, p.status, to, reason, NULL, now) < 0 ||
                    project_sync_participant(db, &p, to, &r->who, m.lb, m.la, now) < 0 ||
                    (strcmp(to, "accepted") == 0 &&
                     outcomes_refresh(db, p.resource_id, p.provider_id, now) < 0) ||
                    transition_notify(db, &p, to, &r->who) < 0))
        rc = refuse_db(o, db, "project transition");
    move_state_free(&m);
    return rc;
}

void h_project_transition(struct req *r)
{
    int64_t want;
    if (req_if_match(r, &want) < 0 || body_valid(r, TRANSITION_FIELDS_P) < 0)
        return;
    const char *to = json_string_value(json_object_get(r->body, "to"));
    if (!project_status_known(to)) {
        reply_error(r, ERR_INVALID_FIELD, "to", "to must be a project status: contracted,"
                    " implementing, delivered, accepted, disputed or cancelled");
        return;
    }
    const char *reason = json_string_value(json_object_get(r->body, "reason"));
    if ((strcmp(to, "disputed") == 0 || strcmp(to, "cancelled") == 0) && (!reason || !*reason)) {
        reply_error(r, ERR_INVALID_FIELD, "reason", "say why in reason: a project is %s only"
                    " with a reason", to);
        return;
    }
    if (write_begin(r) < 0)
        return;
    struct outcome o;
    int rc = transition_txn(r, want, &o);
    project_finish(r, rc, &o, 200, r->params[0]);
}

/* ------------------------------------------------------------ sign-off */

static const struct vfield SIGNOFF_FIELDS[] = {
    {"note", V_STRING, 0, 0, 500, 0, NULL, 0},
    VFIELD_END,
};

static int signoff_txn(struct req *r, int64_t want, struct outcome *o)
{
    static const char SQL[] =
        "UPDATE projects SET signoffs = ?2, version = version + 1, updated_at = ?3 WHERE id = ?1";
    struct db *db = r->w->db;
    struct proj p;
    if (proj_load(db, r->params[0], &r->who, &p, o) < 0)
        return -1;
    int parties = proj_parties(&p, &r->who);
    const char *mine = parties & PARTY_ENTERPRISE ? "enterprise"
                       : parties & PARTY_CENTER   ? "center"
                                                  : NULL;
    if (!mine)
        return refuse(o, ERR_FORBIDDEN, NULL, "only the enterprise and the supervising center"
                      " sign off a project");
    if (want && want != p.version)
        return refuse(o, ERR_CONFLICT, NULL, "If-Match names version %" PRId64 " but the"
                      " project is at version %" PRId64, want, p.version);
    if (strcmp(p.status, "delivered") != 0)
        return refuse(o, ERR_CONFLICT, NULL, "the project is %s: only a delivered project is"
                      " signed off", p.status);
    json_t *so = stored_json(db, p.id, 1);
    if (!so)
        so = json_object();
    if (json_object_get(so, mine)) {
        json_decref(so);
        return refuse(o, ERR_CONFLICT, NULL, "you have already signed off this project");
    }
    char now[32];
    util_now_rfc3339(now);
    json_t *entry = json_pack("{s:s, s:o}", "at", now, "by", auth_actor_json(&r->who));
    const char *note = json_string_value(json_object_get(r->body, "note"));
    if (note)
        json_object_set_new(entry, "note", json_string(note));
    json_object_set_new(so, mine, entry);
    char *text = json_dumps(so, JSON_COMPACT);
    int other_signed = json_object_get(so, strcmp(mine, "center") ? "center" : "enterprise") != NULL;
    json_decref(so);
    sqlite3_stmt *st = db_stmt(db, SQL);
    int rc = -1;
    if (st) {
        sqlite3_bind_text(st, 1, p.id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
        rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
        sqlite3_reset(st);
    }
    free(text);
    char reason[64];
    snprintf(reason, sizeof reason, "signed off by the %s", mine);
    if (rc < 0 || take_center(db, &p, &r->who) < 0 ||
        proj_revision(db, p.id, &r->who, p.status, p.status, reason, NULL, now) < 0)
        return refuse_db(o, db, "project sign-off");
    /* the other signer's turn */
    const char *other = strcmp(mine, "center") == 0 ? p.enterprise_id : p.center_id;
    if (!other_signed &&
        tell(db, other, &r->who, &p, "milestone_signoff",
             json_pack("{s:{s:s, s:s}}", "milestone", "code", "acceptance", "name", "验收")) < 0)
        return refuse_db(o, db, "project sign-off");
    return 0;
}

void h_project_signoff(struct req *r)
{
    int64_t want;
    if (req_if_match(r, &want) < 0 || body_valid(r, SIGNOFF_FIELDS) < 0)
        return;
    if (write_begin(r) < 0)
        return;
    struct outcome o;
    int rc = signoff_txn(r, want, &o);
    project_finish(r, rc, &o, 200, r->params[0]);
}

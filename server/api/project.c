/*
 * project.c - the project record (see project.h): its state table and
 * who may make each move, loading and visibility, revisions, the checks
 * of amounts and milestones, and the JSON each caller sees.  Making
 * projects, their assessment snapshots and the campaign participants
 * they drive are project_make.c; the handlers are projects.c.
 *
 * Invariants kept here: a move not in MOVES never happens (409), a move
 * by a party MOVES does not name never happens (403); every stored date
 * of a milestone is a real calendar day; the JSON never shows a snapshot
 * field the instrument does not have.
 */
#include "project.h"

#include "auth.h"
#include "authority.h"
#include "db.h"
#include "instrument.h"
#include "req.h"
#include "util.h"
#include "write.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------ tables */

const char *const PROJECT_STATUSES[] = {
    "contracted", "implementing", "delivered", "accepted", "disputed", "cancelled", NULL,
};
static const char *const STATUS_ZH[] = {"已签约", "实施中", "已交付", "已验收", "有争议", "已取消"};

const char *project_status_zh(const char *status)
{
    for (int i = 0; PROJECT_STATUSES[i]; i++)
        if (strcmp(PROJECT_STATUSES[i], status) == 0)
            return STATUS_ZH[i];
    return status;
}

int project_status_known(const char *s)
{
    for (int i = 0; s && PROJECT_STATUSES[i]; i++)
        if (strcmp(PROJECT_STATUSES[i], s) == 0)
            return 1;
    return 0;
}

const char *const MILESTONES[] = {"plan", "start", "go_live", "acceptance", NULL};
const char *const MILESTONE_NAMES[] = {"方案确认", "启动实施", "上线运行", "验收", NULL};

const char *const COST_TYPES[] = {
    "software", "cloud", "hardware", "integration", "training", "other", NULL,
};

#define E PARTY_ENTERPRISE
#define P PARTY_PROVIDER
#define C PARTY_CENTER

/* Every move and the parties the contract names for it. */
static const struct {
    const char *from, *to;
    int parties;
} MOVES[] = {
    {"contracted", "implementing", P | C},   /* the provider starts the work */
    {"implementing", "delivered", P},        /* the provider declares go-live */
    {"delivered", "accepted", E | C},        /* with both sign-offs (projects.c) */
    {"delivered", "implementing", E | C},    /* rework: the delivery is not accepted */
    {"contracted", "disputed", E | P},
    {"implementing", "disputed", E | P},
    {"delivered", "disputed", E | P},
    {"disputed", "implementing", C},         /* the center mediates, work resumes */
    {"disputed", "cancelled", C},
    {"contracted", "cancelled", E | P | C},  /* before any work */
    {"implementing", "cancelled", C},
};

#undef E
#undef P
#undef C

int project_move_parties(const char *from, const char *to)
{
    for (size_t i = 0; i < sizeof MOVES / sizeof MOVES[0]; i++)
        if (strcmp(MOVES[i].from, from) == 0 && strcmp(MOVES[i].to, to) == 0)
            return MOVES[i].parties;
    return 0;
}

/* ------------------------------------------------------------ parties */

int proj_parties(const struct proj *p, const struct caller *who)
{
    int k = 0;
    if (who->role == ROLE_ENTERPRISE && strcmp(who->org_id, p->enterprise_id) == 0)
        k |= PARTY_ENTERPRISE;
    if (who->role == ROLE_PROVIDER && strcmp(who->org_id, p->provider_id) == 0)
        k |= PARTY_PROVIDER;
    if (who->role == ROLE_CENTER && (!p->center_id[0] || strcmp(who->org_id, p->center_id) == 0))
        k |= PARTY_CENTER;
    return k;
}

int proj_visible(const struct proj *p, const struct caller *who)
{
    return (who->role & (ROLE_CENTER | ROLE_ADMIN)) || proj_parties(p, who) != 0;
}

#define PROJ_COLS                                                                          \
    "id, status, enterprise_id, provider_id, coalesce(center_id, ''), resource_id,"        \
    " coalesce(campaign_id, ''), coalesce(need_id, ''), title, coalesce(delivered_at, ''),"\
    " coalesce(delivered_aid, 0), version"

static void proj_fill(sqlite3_stmt *st, struct proj *p)
{
    char *dst[10] = {p->id, p->status, p->enterprise_id, p->provider_id, p->center_id,
                     p->resource_id, p->campaign_id, p->need_id, p->title, p->delivered_at};
    size_t len[10] = {sizeof p->id, sizeof p->status, sizeof p->enterprise_id,
                      sizeof p->provider_id, sizeof p->center_id, sizeof p->resource_id,
                      sizeof p->campaign_id, sizeof p->need_id, sizeof p->title,
                      sizeof p->delivered_at};
    for (int i = 0; i < 10; i++)
        snprintf(dst[i], len[i], "%s", (const char *)sqlite3_column_text(st, i));
    p->delivered_aid = sqlite3_column_int64(st, 10);
    p->version = sqlite3_column_int64(st, 11);
}

int proj_load(struct db *db, const char *id, const struct caller *who, struct proj *p,
              struct outcome *o)
{
    static const char SQL[] = "SELECT " PROJ_COLS " FROM projects WHERE id = ?1";
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return refuse_db(o, db, "project load");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        proj_fill(st, p);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return refuse_db(o, db, "project load");
    if (rc == SQLITE_DONE || !proj_visible(p, who))
        return refuse(o, ERR_NOT_FOUND, NULL, "no project %s", id);
    return 0;
}

/* ------------------------------------------------------------ revisions */

int proj_revision(struct db *db, const char *id, const struct caller *who, const char *from,
                  const char *to, const char *reason, json_t *detail, const char *now)
{
    static const char SQL[] =
        "INSERT INTO project_revisions(project_id, at, actor, from_status, to_status, reason,"
        " detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    json_t *a = auth_actor_json(who);
    char *actor = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    char *det = detail ? json_dumps(detail, JSON_COMPACT) : NULL;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, actor, -1, SQLITE_STATIC);
    db_bind_text(st, 4, from);
    sqlite3_bind_text(st, 5, to, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, reason ? reason : "", -1, SQLITE_STATIC);
    db_bind_text(st, 7, det);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    free(actor);
    free(det);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* ------------------------------------------------------------ bodies */

static const struct vfield COST_FIELDS[] = {
    {"type", V_STRING, 1, 1, 20, 0, NULL, 0},
    {"amount", V_NUMBER, 1, 0, 1e12, 0, NULL, 0},
    {"note", V_STRING, 0, 0, 200, 0, NULL, 0},
    VFIELD_END,
};

/* A date is "YYYY-MM-DD"; "" clears it (null would be dropped as absent). */
static const struct vfield MILESTONE_FIELDS[] = {
    {"code", V_STRING, 1, 1, 20, 0, NULL, 0},
    {"planned", V_STRING, 0, 0, 10, 0, NULL, 0},
    {"actual", V_STRING, 0, 0, 10, 0, NULL, 0},
    {"name", V_STRING, 0, 0, 40, 0, NULL, 0},
    {"overdue", V_BOOL, 0, 0, 0, 0, NULL, 0},
    VFIELD_END,
};

const struct vfield PROJECT_CREATE_FIELDS[] = {
    {"response_id", V_ID, 1, 0, 0, 0, NULL, 0},
    {"center_id", V_ID, 0, 0, 0, 0, NULL, 0},
    {"title", V_STRING, 0, 1, 120, 0, NULL, 0},
    {"amount", V_NUMBER, 0, 0, 1e12, 0, NULL, 0},
    {"costs", V_OBJECT_ARRAY, 0, 0, 50, 0, COST_FIELDS, 0},
    {"milestones", V_OBJECT_ARRAY, 0, 0, 4, 0, MILESTONE_FIELDS, 0},
    VFIELD_END,
};

const struct vfield PROJECT_PATCH_FIELDS[] = {
    {"title", V_STRING, 0, 1, 120, 0, NULL, 0},
    {"amount", V_NUMBER, 0, 0, 1e12, 0, NULL, 0},
    {"costs", V_OBJECT_ARRAY, 0, 0, 50, 0, COST_FIELDS, 0},
    {"milestones", V_OBJECT_ARRAY, 0, 0, 4, 0, MILESTONE_FIELDS, 0},
    {"reason", V_STRING, 0, 0, 500, 0, NULL, 0},
    VFIELD_END,
};

static int in_set(const char *const *list, const char *s)
{
    for (int i = 0; s && list[i]; i++)
        if (strcmp(list[i], s) == 0)
            return i;
    return -1;
}

/* 1 when s is a real calendar day "YYYY-MM-DD". */
static int is_day(const char *s)
{
    time_t t;
    if (strlen(s) != 10 || util_parse_time(s, &t) < 0)
        return 0;
    char back[32];
    util_time_rfc3339(t, back);
    return strncmp(back, s, 10) == 0;
}

int project_body_check(json_t *body, struct verr *e)
{
    char path[64];
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(body, "costs"), i, v) {
        if (in_set(COST_TYPES, json_string_value(json_object_get(v, "type"))) < 0) {
            snprintf(path, sizeof path, "costs[%zu].type", i);
            return verr_set(e, path, "a cost line's type must be software, cloud, hardware,"
                            " integration, training or other");
        }
    }
    int seen[4] = {0};
    json_array_foreach(json_object_get(body, "milestones"), i, v) {
        int m = in_set(MILESTONES, json_string_value(json_object_get(v, "code")));
        if (m < 0) {
            snprintf(path, sizeof path, "milestones[%zu].code", i);
            return verr_set(e, path, "a milestone is plan, start, go_live or acceptance");
        }
        if (seen[m]++) {
            snprintf(path, sizeof path, "milestones[%zu].code", i);
            return verr_set(e, path, "milestone %s is given twice", MILESTONES[m]);
        }
        /* what the server writes is ignored when a milestone is sent back */
        json_object_del(v, "name");
        json_object_del(v, "overdue");
        static const char *const DATES[] = {"planned", "actual"};
        for (int d = 0; d < 2; d++) {
            const char *s = json_string_value(json_object_get(v, DATES[d]));
            if (s && *s && !is_day(s)) {
                snprintf(path, sizeof path, "milestones[%zu].%s", i, DATES[d]);
                return verr_set(e, path, "a milestone date is YYYY-MM-DD (\"\" clears it)");
            }
        }
    }
    return 0;
}

json_t *project_milestones_merge(const json_t *stored, const json_t *patch)
{
    json_t *out = json_array();
    for (int m = 0; MILESTONES[m]; m++) {
        json_t *cur = NULL, *v;
        size_t i;
        json_array_foreach((json_t *)stored, i, v)
            if (strcmp(json_string_value(json_object_get(v, "code")), MILESTONES[m]) == 0)
                cur = json_deep_copy(v);
        if (!cur)
            cur = json_pack("{s:s}", "code", MILESTONES[m]);
        json_array_foreach((json_t *)patch, i, v) {
            if (strcmp(json_string_value(json_object_get(v, "code")), MILESTONES[m]) != 0)
                continue;
            static const char *const DATES[] = {"planned", "actual"};
            for (int d = 0; d < 2; d++) {
                json_t *s = json_object_get(v, DATES[d]);
                if (!s)
                    continue;
                if (*json_string_value(s))
                    json_object_set(cur, DATES[d], s);
                else
                    json_object_del(cur, DATES[d]);
            }
        }
        json_array_append_new(out, cur);
    }
    return out;
}

void project_due(const json_t *milestones, char due[16])
{
    due[0] = '\0';
    size_t i;
    json_t *v;
    json_array_foreach((json_t *)milestones, i, v) {
        const char *planned = json_string_value(json_object_get(v, "planned"));
        if (!planned || json_object_get(v, "actual"))
            continue;
        if (!due[0] || strcmp(planned, due) < 0)
            snprintf(due, 16, "%s", planned);
    }
}

/* ------------------------------------------------------------ JSON */

static json_t *text_or_null(sqlite3_stmt *st, int col)
{
    return sqlite3_column_type(st, col) == SQLITE_NULL
               ? json_null()
               : json_string((const char *)sqlite3_column_text(st, col));
}

static json_t *json_col(sqlite3_stmt *st, int col, json_t *dflt)
{
    json_t *v = sqlite3_column_type(st, col) == SQLITE_NULL
                    ? NULL
                    : json_loads((const char *)sqlite3_column_text(st, col), 0, NULL);
    if (v) {
        json_decref(dflt);
        return v;
    }
    return dflt;
}

static json_t *int_or_null(sqlite3_stmt *st, int col)
{
    return sqlite3_column_type(st, col) == SQLITE_NULL ? json_null()
                                                       : json_integer(sqlite3_column_int(st, col));
}

/* The milestones in order with their Chinese names and, for a planned date
 * already past with no actual one, overdue: true (new reference). */
static json_t *milestones_view(json_t *stored, const char *today)
{
    json_t *all = project_milestones_merge(stored, NULL);
    size_t i;
    json_t *v;
    json_array_foreach(all, i, v) {
        json_object_set_new(v, "name", json_string(MILESTONE_NAMES[i]));
        const char *planned = json_string_value(json_object_get(v, "planned"));
        json_object_set_new(v, "overdue", json_boolean(planned && !json_object_get(v, "actual") &&
                                                       strcmp(planned, today) < 0));
    }
    return all;
}

static void today_of(char out[16])
{
    char now[32];
    util_now_rfc3339(now);
    snprintf(out, 16, "%.10s", now);
}

json_t *project_item_json(sqlite3_stmt *st, const char *today)
{
    json_t *stored = json_col(st, 15, json_array());
    json_t *ms = milestones_view(stored, today);
    json_decref(stored);
    int overdue = 0;
    size_t i;
    json_t *v;
    json_array_foreach(ms, i, v)
        overdue += json_is_true(json_object_get(v, "overdue"));
    json_t *o = json_pack(
        "{s:s, s:s, s:s, s:{s:s, s:s}, s:{s:s, s:s}, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o,"
        " s:b, s:o, s:o, s:I, s:s, s:s}",
        "id", sqlite3_column_text(st, 1), "status", sqlite3_column_text(st, 2), "title",
        sqlite3_column_text(st, 3), "enterprise", "id", sqlite3_column_text(st, 4), "name",
        sqlite3_column_text(st, 5), "provider", "id", sqlite3_column_text(st, 6), "name",
        sqlite3_column_text(st, 7), "resource_id", sqlite3_column_text(st, 8), "center",
        sqlite3_column_type(st, 9) == SQLITE_NULL
            ? json_null()
            : json_pack("{s:s, s:s}", "id", sqlite3_column_text(st, 9), "name",
                        sqlite3_column_text(st, 10) ? (const char *)sqlite3_column_text(st, 10) : ""),
        "campaign_id", text_or_null(st, 11), "need_id", text_or_null(st, 12), "amount",
        sqlite3_column_type(st, 13) == SQLITE_NULL ? json_null()
                                                   : json_real(sqlite3_column_double(st, 13)),
        "due", text_or_null(st, 14), "milestones", ms, "signoffs",
        json_col(st, 21, json_object()), "overdue", overdue > 0, "level_before",
        int_or_null(st, 16), "level_after", int_or_null(st, 17), "version",
        (json_int_t)sqlite3_column_int64(st, 18), "created_at", sqlite3_column_text(st, 19),
        "updated_at", sqlite3_column_text(st, 20));
    return o;
}

/* Sum of the cost lines, and the sum of each type (new reference). */
static json_t *costs_summary(const json_t *costs)
{
    json_t *by = json_object();
    double total = 0;
    size_t i;
    json_t *v;
    json_array_foreach((json_t *)costs, i, v) {
        const char *t = json_string_value(json_object_get(v, "type"));
        double a = json_number_value(json_object_get(v, "amount"));
        total += a;
        json_object_set_new(by, t, json_real(json_number_value(json_object_get(by, t)) + a));
    }
    return json_pack("{s:f, s:o}", "total", total, "by_type", by);
}

/* The label of figure key of question code in the instrument file ("具体数值"),
 * or NULL. */
static const char *figure_label(const struct instrument *in, const char *code, const char *key)
{
    size_t i, j, k, f;
    json_t *d, *g, *q, *e;
    json_array_foreach(json_object_get(in->doc, "dimensions"), i, d)
        json_array_foreach(json_object_get(d, "groups"), j, g)
            json_array_foreach(json_object_get(g, "questions"), k, q) {
                if (strcmp(json_string_value(json_object_get(q, "code")), code) != 0)
                    continue;
                json_array_foreach(json_object_get(q, "evidence"), f, e)
                    if (strcmp(json_string_value(json_object_get(e, "key")), key) == 0)
                        return json_string_value(json_object_get(e, "label"));
            }
    return NULL;
}

/* The before/after comparison of an accepted project's two snapshots:
 * the figures and points of the 数字化成效 questions and every scene's
 * step, with names from the instrument (new reference). */
static json_t *comparison_json(const json_t *before, const json_t *after)
{
    const struct instrument *in =
        instruments_find(json_string_value(json_object_get(after, "instrument")));
    json_t *figures = json_array(), *points = json_array(), *scenes = json_array();
    const json_t *bf = json_object_get(before, "figures"), *af = json_object_get(after, "figures");
    const json_t *bp = json_object_get(before, "points"), *ap = json_object_get(after, "points");
    const json_t *bs = json_object_get(before, "scenes"), *as = json_object_get(after, "scenes");
    for (int i = 0; in && i < in->nq; i++) {
        const struct instr_question *q = &in->q[i];
        if (!q->outcome)
            continue;
        json_t *b = json_object_get(bp, q->code), *a = json_object_get(ap, q->code);
        json_array_append_new(points, json_pack("{s:s, s:s, s:f, s:O, s:O}", "question", q->code,
                                                "name", q->name, "max", q->points, "before",
                                                b ? b : json_null(), "after", a ? a : json_null()));
        for (int f = 0; f < q->nfig; f++) {
            json_t *fb = json_object_get(json_object_get(bf, q->code), q->fig[f].key);
            json_t *fa = json_object_get(json_object_get(af, q->code), q->fig[f].key);
            if (!fb && !fa)
                continue;
            json_array_append_new(figures, json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:O, s:O}",
                                                     "question", q->code, "name", q->name,
                                                     "figure", q->fig[f].key, "label",
                                                     figure_label(in, q->code, q->fig[f].key),
                                                     "unit",
                                                     q->fig[f].unit, "before", fb ? fb : json_null(),
                                                     "after", fa ? fa : json_null()));
        }
    }
    for (int s = 0; in && s < in->ns; s++) {
        json_t *b = json_object_get(bs, in->s[s].code), *a = json_object_get(as, in->s[s].code);
        json_array_append_new(scenes, json_pack("{s:s, s:s, s:b, s:I, s:I}", "code", in->s[s].code,
                                                "name", in->s[s].name, "constrained",
                                                in->s[s].constrained, "before",
                                                (json_int_t)(b ? json_integer_value(b) : 0),
                                                "after",
                                                (json_int_t)(a ? json_integer_value(a) : 0)));
    }
    return json_pack("{s:o, s:o, s:o}", "figures", figures, "points", points, "scenes", scenes);
}

static int render_revisions(struct db *db, const char *id, json_t *out)
{
    static const char SQL[] =
        "SELECT at, actor, from_status, to_status, reason, detail FROM project_revisions"
        " WHERE project_id = ?1 ORDER BY id";
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    json_t *revs = json_array();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *rv = json_pack("{s:s, s:o, s:o, s:s, s:s}", "at", sqlite3_column_text(st, 0),
                               "by", json_col(st, 1, json_null()), "from", text_or_null(st, 2),
                               "to", sqlite3_column_text(st, 3), "reason",
                               sqlite3_column_text(st, 4));
        json_t *detail = json_col(st, 5, NULL);
        if (json_is_object(detail))
            json_object_update(rv, detail);
        json_decref(detail);
        json_array_append_new(revs, rv);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        json_decref(revs);
        return -1;
    }
    json_object_set_new(out, "revisions", revs);
    return 0;
}

/* Counts of the project's tickets by status, and its case (if any). */
static int render_extras(struct db *db, const char *id, json_t *out)
{
    static const char SQL_T[] =
        "SELECT count(*), coalesce(sum(status = 'open'), 0), coalesce(sum(status = 'answered'), 0),"
        " coalesce(sum(status = 'closed'), 0) FROM tickets WHERE project_id = ?1";
    static const char SQL_C[] = "SELECT id, status FROM cases WHERE project_id = ?1";
    sqlite3_stmt *st = db_stmt(db, SQL_T);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        json_object_set_new(out, "tickets",
                            json_pack("{s:i, s:i, s:i, s:i}", "total", sqlite3_column_int(st, 0),
                                      "open", sqlite3_column_int(st, 1), "answered",
                                      sqlite3_column_int(st, 2), "closed",
                                      sqlite3_column_int(st, 3)));
    sqlite3_reset(st);
    if (rc != SQLITE_ROW || !(st = db_stmt(db, SQL_C)))
        return -1;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    json_object_set_new(out, "case", rc == SQLITE_ROW
                                         ? json_pack("{s:s, s:s}", "id", sqlite3_column_text(st, 0),
                                                     "status", sqlite3_column_text(st, 1))
                                         : json_null());
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/* What the caller may do now (the console draws its buttons from it):
 * the moves it may make, whether it may sign off, edit, open a ticket or
 * publish a case.  Conditions checked at the write (acceptance, a ticket
 * after go-live) are the write's to refuse. */
static json_t *can_json(const struct proj *p, const struct caller *who, const json_t *signoffs,
                        int has_case)
{
    int parties = proj_parties(p, who);
    json_t *moves = json_array();
    for (int i = 0; PROJECT_STATUSES[i]; i++)
        if (project_move_parties(p->status, PROJECT_STATUSES[i]) & parties)
            json_array_append_new(moves, json_string(PROJECT_STATUSES[i]));
    int live = strcmp(p->status, "accepted") != 0 && strcmp(p->status, "cancelled") != 0;
    const char *mine = parties & PARTY_ENTERPRISE ? "enterprise"
                       : parties & PARTY_CENTER   ? "center"
                                                  : NULL;
    int signoff = mine && strcmp(p->status, "delivered") == 0 && !json_object_get(signoffs, mine);
    int ticket = (parties & PARTY_ENTERPRISE) &&
                 (strcmp(p->status, "delivered") == 0 || strcmp(p->status, "accepted") == 0);
    return json_pack("{s:o, s:b, s:b, s:b, s:b}", "transitions", moves, "signoff", signoff,
                     "edit", live && parties != 0, "open_ticket", ticket, "publish_case",
                     who->role == ROLE_CENTER && strcmp(p->status, "accepted") == 0 && !has_case);
}

int project_json(struct db *db, const char *id, const struct caller *who, json_t **out)
{
    static const char SQL[] =
        "SELECT " PROJECT_LIST_COLS ", p.response_id, p.costs, p.before, p.after,"
        " p.step_gain, p.on_time, p.delivered_at, p.accepted_at, p.scenarios"
        " FROM projects p WHERE p.id = ?1";
    static const char SQL_P[] = "SELECT " PROJ_COLS " FROM projects WHERE id = ?1";
    *out = NULL;
    struct proj p;
    sqlite3_stmt *st = db_stmt(db, SQL_P);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        proj_fill(st, &p);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return rc == SQLITE_DONE ? 1 : -1;
    if (!proj_visible(&p, who)) {
        /* an authority reads the projects of enterprises in its region */
        int seen = authority_is(who) ? authority_sees_org(db, who, p.enterprise_id) : 0;
        if (seen <= 0)
            return seen < 0 ? -1 : 1;
    }
    if (!(st = db_stmt(db, SQL)))
        return -1;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return -1;
    }
    char today[16];
    today_of(today);
    json_t *o = project_item_json(st, today);
    json_t *costs = json_col(st, 23, json_array());
    json_object_set_new(o, "response_id", text_or_null(st, 22));
    json_object_set_new(o, "cost_summary", costs_summary(costs));
    json_object_set_new(o, "costs", costs);
    json_object_set_new(o, "scenarios", json_col(st, 30, json_array()));
    json_t *before = json_col(st, 24, json_null()), *after = json_col(st, 25, json_null());
    json_object_set_new(o, "before", before);
    json_object_set_new(o, "after", after);
    json_object_set_new(o, "step_gain", sqlite3_column_type(st, 26) == SQLITE_NULL
                                            ? json_null()
                                            : json_real(sqlite3_column_double(st, 26)));
    json_object_set_new(o, "on_time", sqlite3_column_type(st, 27) == SQLITE_NULL
                                          ? json_null()
                                          : json_boolean(sqlite3_column_int(st, 27)));
    json_object_set_new(o, "delivered_at", text_or_null(st, 28));
    json_object_set_new(o, "accepted_at", text_or_null(st, 29));
    if (json_is_object(before) && json_is_object(after))
        json_object_set_new(o, "comparison", comparison_json(before, after));
    sqlite3_reset(st);
    if (render_revisions(db, id, o) < 0 || render_extras(db, id, o) < 0) {
        json_decref(o);
        return -1;
    }
    json_object_set_new(o, "can", can_json(&p, who, json_object_get(o, "signoffs"),
                                           !json_is_null(json_object_get(o, "case"))));
    *out = o;
    return 0;
}

void project_reply(struct req *r, int status, const char *id)
{
    json_t *p;
    int rc = project_json(r->w->db, id, &r->who, &p);
    if (rc != 0) {
        if (rc > 0)
            reply_error(r, ERR_NOT_FOUND, NULL, "no project %s", id);
        else
            reply_db_error(r, DB_READ);
        return;
    }
    reply_record(r, status, p, "projects");
}

void project_finish(struct req *r, int rc, const struct outcome *o, int status, const char *id)
{
    if (write_finish(r, rc, o) == 0)
        project_reply(r, status, id);
}

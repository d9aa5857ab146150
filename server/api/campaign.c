/*
 * campaign.c - the campaign record (see campaign.h): its validation and
 * state tables, loading and rendering as each caller may see it, the
 * writes every campaign handler shares (revisions, status, participants),
 * and the deadline closer.  The handlers are campaigns.c (create, read,
 * list, transition) and participants.c (join, leave, progress).
 *
 * Invariants:
 *  - Every write is one BEGIN IMMEDIATE transaction that re-reads what it
 *    checks.  SQLite's write lock serialises such transactions across
 *    threads and processes, so two joins racing for the last place cannot
 *    both see room: nothing lets more than max_participants in.
 *  - Every state change of a campaign or of a participant appends a row to
 *    `revisions` (append-only: triggers refuse UPDATE and DELETE) in the
 *    same transaction, and bumps the campaign's version; the answer is
 *    sent only after COMMIT.
 *  - A need is `in_campaign` exactly while its enterprise is an active
 *    participant of a campaign still under way.  Leaving, being withdrawn,
 *    a campaign cancelled or failed give it back (`open`); completion
 *    closes it for accepted participants and gives it back to the others.
 *
 * The body of each write is a *_txn function that runs between
 * write_begin() and write_finish() (write.h) and reports a refusal in a
 * struct outcome; campaign_finish() ends it and answers the campaign.
 *
 * Visibility: campaigns are read by any key, except drafts, which only
 * centers, admins and the resource's provider see.  The participant list
 * (and the revisions about single participants) is whole for the
 * campaign's center, admins and the resource's provider; an enterprise
 * sees its own entry only; other callers see the count.
 */
#include "campaign.h"

#include "auth.h"
#include "db.h"
#include "log.h"
#include "need.h"
#include "resource.h"
#include "taxonomy.h"
#include "util.h"
#include "write.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DUE_BATCH 256          /* campaigns closed per campaign_close_due() */

/* ------------------------------------------------------------ tables */

const char *const CAMPAIGN_STATUSES[] = {
    "draft", "open", "succeeded", "failed", "contracted", "implementing", "completed",
    "cancelled", NULL,
};

const char *const PARTICIPANT_STATUSES[] = {
    "joined", "contracted", "implementing", "accepted", "withdrawn", NULL,
};

/* The transitions a center may make; the deadline closer makes open ->
 * succeeded | failed itself. */
static const struct {
    const char *from, *to;
} CAMPAIGN_MOVES[] = {
    {"draft", "open"},
    {"draft", "cancelled"},
    {"open", "cancelled"},
    {"open", "succeeded"},
    {"open", "failed"},
    {"succeeded", "contracted"},
    {"contracted", "implementing"},
    {"implementing", "completed"},
};

static const struct {
    const char *from, *to;
} PARTICIPANT_MOVES[] = {
    {"joined", "contracted"},
    {"contracted", "implementing"},
    {"implementing", "accepted"},
    {"joined", "withdrawn"},
    {"contracted", "withdrawn"},
    {"implementing", "withdrawn"},
};

int in_list(const char *const *list, const char *s)
{
    for (int i = 0; s && list[i]; i++)
        if (strcmp(list[i], s) == 0)
            return 1;
    return 0;
}

int campaign_transition_ok(const char *from, const char *to)
{
    for (size_t i = 0; i < sizeof CAMPAIGN_MOVES / sizeof CAMPAIGN_MOVES[0]; i++)
        if (strcmp(CAMPAIGN_MOVES[i].from, from) == 0 && strcmp(CAMPAIGN_MOVES[i].to, to) == 0)
            return 1;
    return 0;
}

int participant_transition_ok(const char *from, const char *to)
{
    for (size_t i = 0; i < sizeof PARTICIPANT_MOVES / sizeof PARTICIPANT_MOVES[0]; i++)
        if (strcmp(PARTICIPANT_MOVES[i].from, from) == 0 &&
            strcmp(PARTICIPANT_MOVES[i].to, to) == 0)
            return 1;
    return 0;
}

/* ------------------------------------------------------------ validation */

static const struct vfield TIER_FIELDS[] = {
    {"min_participants", V_INT, 1, 1, CAMPAIGN_MAX_SIZE, 0, NULL, 0},
    {"unit_price", V_NUMBER, 1, 0, 1e12, 0, NULL, 0},
    VFIELD_END,
};

static const struct vfield CAMPAIGN_FIELDS[] = {
    {"title", V_STRING, 1, 1, 120, 0, NULL, 0},
    {"description", V_STRING, 0, 0, 20000, 0, NULL, 0},
    {"resource_id", V_ID, 1, 0, 0, 0, NULL, 0},
    {"industry", V_CODE, 1, 0, 0, TAX_INDUSTRY, NULL, 0},
    {"scenarios", V_CODE_ARRAY, 1, 1, 20, TAX_SCENARIO, NULL, 0},
    {"region", V_CODE, 0, 0, 0, TAX_REGION, NULL, 0},
    {"tiers", V_OBJECT_ARRAY, 1, 1, 20, 0, TIER_FIELDS, 0},
    {"min_participants", V_INT, 1, 1, CAMPAIGN_MAX_SIZE, 0, NULL, 0},
    {"max_participants", V_INT, 0, 1, CAMPAIGN_MAX_SIZE, 0, NULL, 0},
    {"deadline", V_DATE, 1, 0, 0, 0, NULL, 0},
    VFIELD_END,
};

const struct vfield JOIN_FIELDS[] = {
    {"need_id", V_ID, 0, 0, 0, 0, NULL, 0},
    VFIELD_END,
};

const struct vfield TRANSITION_FIELDS[] = {
    {"to", V_STRING, 1, 1, 20, 0, NULL, 0},
    {"reason", V_STRING, 0, 0, 500, 0, NULL, 0},
    VFIELD_END,
};

const struct vfield PARTICIPANT_FIELDS[] = {
    {"status", V_STRING, 0, 1, 20, 0, NULL, 0},
    {"level_before", V_INT, 0, 1, 4, 0, NULL, 0},
    {"level_after", V_INT, 0, 1, 4, 0, NULL, 0},
    {"reason", V_STRING, 0, 0, 500, 0, NULL, 0},
    VFIELD_END,
};

const struct vfield REVIEW_FIELDS[] = {
    {"rating", V_INT, 1, 1, 5, 0, NULL, 0},
    {"text", V_STRING, 0, 0, 2000, 0, NULL, 0},
    {"campaign_id", V_ID, 0, 0, 0, 0, NULL, 0},
    {"need_id", V_ID, 0, 0, 0, 0, NULL, 0},
    {"project_id", V_ID, 0, 0, 0, 0, NULL, 0},
    VFIELD_END,
};

int campaign_validate(json_t *doc, time_t now, time_t *deadline_at, struct verr *e)
{
    if (validate(doc, CAMPAIGN_FIELDS, e) < 0)
        return -1;
    json_t *tiers = json_object_get(doc, "tiers"), *t;
    size_t i;
    json_int_t prev_n = 0;
    double prev_p = 0;
    char path[64];
    json_array_foreach(tiers, i, t) {
        json_int_t n = json_integer_value(json_object_get(t, "min_participants"));
        double p = json_number_value(json_object_get(t, "unit_price"));
        if (i > 0 && n <= prev_n) {
            snprintf(path, sizeof path, "tiers[%zu].min_participants", i);
            return verr_set(e, path, "tiers must have strictly ascending min_participants"
                            " (%" JSON_INTEGER_FORMAT " follows %" JSON_INTEGER_FORMAT ")",
                            n, prev_n);
        }
        if (i > 0 && p > prev_p) {
            snprintf(path, sizeof path, "tiers[%zu].unit_price", i);
            return verr_set(e, path, "a tier's unit_price (%g) must not exceed the one"
                            " before it (%g)", p, prev_p);
        }
        prev_n = n;
        prev_p = p;
    }
    json_int_t mn = json_integer_value(json_object_get(doc, "min_participants"));
    json_t *mxv = json_object_get(doc, "max_participants");
    if (mxv) {
        json_int_t mx = json_integer_value(mxv);
        if (mx < mn)
            return verr_set(e, "max_participants", "max_participants (%" JSON_INTEGER_FORMAT
                            ") must not be below min_participants (%" JSON_INTEGER_FORMAT ")",
                            mx, mn);
        json_array_foreach(tiers, i, t)
            if (json_integer_value(json_object_get(t, "min_participants")) > mx) {
                snprintf(path, sizeof path, "tiers[%zu].min_participants", i);
                return verr_set(e, path, "a tier needs more participants than"
                                " max_participants allows");
            }
    }
    const char *dl = json_string_value(json_object_get(doc, "deadline"));
    time_t t0;
    if (util_parse_time(dl, &t0) < 0) /* validate() has checked it */
        return verr_set(e, "deadline", "deadline must be a date or an RFC 3339 UTC time");
    if (strlen(dl) == 10)
        t0 += 86400; /* a bare date: the whole of that day */
    if (t0 <= now)
        return verr_set(e, "deadline", "deadline must be in the future");
    *deadline_at = t0;
    return 0;
}

const json_t *campaign_tier_for(const json_t *tiers, long count)
{
    const json_t *best = json_array_get(tiers, 0), *t;
    size_t i;
    json_array_foreach((json_t *)tiers, i, t)
        if (json_integer_value(json_object_get(t, "min_participants")) <= count)
            best = t;
    return best;
}

/* ------------------------------------------------------------ loading */

#define CAMP_COLS                                                                      \
    "c.cid, c.id, c.status, c.deadline_at, c.min_participants, c.max_participants,"    \
    " c.center_id, c.center_name, c.resource_id, c.doc, c.version, c.created_at,"      \
    " c.updated_at, r.provider_id, r.provider_name, r.title, c.confirmed_at, c.confirmed_by,"   \
    " c.confirmed_tiers"

static const char SQL_CAMP[] =
    "SELECT " CAMP_COLS " FROM campaigns c LEFT JOIN resources r ON r.id = c.resource_id"
    " WHERE c.id = ?1";


static void camp_fill(sqlite3_stmt *st, struct camp *c)
{
    snprintf(c->id, sizeof c->id, "%s", sqlite3_column_text(st, 1));
    snprintf(c->status, sizeof c->status, "%s", sqlite3_column_text(st, 2));
    c->deadline_at = sqlite3_column_int64(st, 3);
    c->min = sqlite3_column_int(st, 4);
    c->max = sqlite3_column_type(st, 5) == SQLITE_NULL ? 0 : sqlite3_column_int(st, 5);
    snprintf(c->center_id, sizeof c->center_id, "%s", sqlite3_column_text(st, 6));
    const unsigned char *p = sqlite3_column_text(st, 13);
    snprintf(c->provider_id, sizeof c->provider_id, "%s", p ? (const char *)p : "");
    c->version = sqlite3_column_int64(st, 10);
}

int camp_visible(const struct camp *c, const struct caller *who)
{
    return strcmp(c->status, "draft") != 0 || (who->role & (ROLE_CENTER | ROLE_ADMIN)) ||
           strcmp(c->provider_id, who->org_id) == 0;
}

/* The campaign's center, admins and the resource's provider see everyone. */
int camp_full_view(const struct camp *c, const struct caller *who)
{
    return who->role == ROLE_ADMIN ||
           (who->role == ROLE_CENTER && strcmp(c->center_id, who->org_id) == 0) ||
           (who->role == ROLE_PROVIDER && strcmp(c->provider_id, who->org_id) == 0);
}

/* Loads campaign id for a write; refuses (404) when it is missing or
 * hidden from who.  0 or -1. */
int camp_load(struct db *db, const char *id, const struct caller *who, struct camp *c,
                     struct outcome *o)
{
    sqlite3_stmt *st = db_stmt(db, SQL_CAMP);
    if (!st)
        return refuse_db(o, db, __func__);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        camp_fill(st, c);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return refuse_db(o, db, __func__);
    if (rc == SQLITE_DONE || !camp_visible(c, who))
        return refuse(o, ERR_NOT_FOUND, NULL, "no campaign %s", id);
    return 0;
}

/* Participants that count: everyone not withdrawn. */
long camp_count(struct db *db, const char *id)
{
    static const char SQL[] =
        "SELECT count(*) FROM participants WHERE campaign_id = ?1 AND status != 'withdrawn'";
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    long n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_reset(st);
    return n;
}

/* ------------------------------------------------------------ rendering */

static json_t *org_json(const unsigned char *id, const unsigned char *name)
{
    return json_pack("{s:s, s:s}", "id", id ? (const char *)id : "", "name",
                     name ? (const char *)name : "");
}

static json_t *int_or_null(sqlite3_stmt *st, int col)
{
    return sqlite3_column_type(st, col) == SQLITE_NULL ? NULL
                                                       : json_integer(sqlite3_column_int(st, col));
}

/* Adds participants, current_unit_price, next_tier and outcome to out. */
static int render_participants(struct db *db, const struct camp *c, const struct caller *who,
                               json_t *out)
{
    static const char SQL[] =
        "SELECT p.org_id, p.org_name, p.need_id, p.status, p.level_before, p.level_after,"
        " p.joined_at, p.updated_at, j.id, j.status FROM participants p"
        " LEFT JOIN projects j ON j.campaign_id = p.campaign_id AND j.enterprise_id = p.org_id"
        " WHERE p.campaign_id = ?1 ORDER BY p.pid";
    /* The campaign's report (issue 19): from its accepted projects, whose
     * levels are those of verified assessments. */
    static const char SQL_OUT[] =
        "SELECT count(*), avg(level_after - level_before), coalesce(sum(level_after >= 2), 0)"
        " FROM projects WHERE campaign_id = ?1 AND status = 'accepted'";
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, c->id, -1, SQLITE_STATIC);
    int full = camp_full_view(c, who), own_only = who->role == ROLE_ENTERPRISE;
    json_t *list = json_array(), *by = json_object();
    for (int i = 0; PARTICIPANT_STATUSES[i]; i++)
        json_object_set_new(by, PARTICIPANT_STATUSES[i], json_integer(0));
    long count = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *org = (const char *)sqlite3_column_text(st, 0);
        const char *status = (const char *)sqlite3_column_text(st, 3);
        json_t *n = json_object_get(by, status);
        json_object_set_new(by, status, json_integer(json_integer_value(n) + 1));
        if (strcmp(status, "withdrawn") != 0)
            count++;
        if (!full && !(own_only && strcmp(org, who->org_id) == 0))
            continue;
        json_t *p = json_pack("{s:o, s:s, s:s, s:s}", "org",
                              org_json(sqlite3_column_text(st, 0), sqlite3_column_text(st, 1)),
                              "status", status, "joined_at", sqlite3_column_text(st, 6),
                              "updated_at", sqlite3_column_text(st, 7));
        if (sqlite3_column_type(st, 2) != SQLITE_NULL)
            json_object_set_new(p, "need_id", json_string((const char *)sqlite3_column_text(st, 2)));
        json_t *lb = int_or_null(st, 4), *la = int_or_null(st, 5);
        if (lb)
            json_object_set_new(p, "level_before", lb);
        if (la)
            json_object_set_new(p, "level_after", la);
        if (sqlite3_column_type(st, 8) != SQLITE_NULL) /* its project (issue 19) */
            json_object_set_new(p, "project", json_pack("{s:s, s:s}", "id",
                                                        sqlite3_column_text(st, 8), "status",
                                                        sqlite3_column_text(st, 9)));
        json_array_append_new(list, p);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        json_decref(list);
        json_decref(by);
        return -1;
    }
    json_t *parts = json_pack("{s:I}", "count", (json_int_t)count);
    if (full || own_only)
        json_object_set_new(parts, "list", list);
    else
        json_decref(list);
    json_object_set_new(out, "participants", parts);

    json_t *tiers = json_object_get(out, "tiers");
    const json_t *tier = campaign_tier_for(tiers, count);
    json_object_set(out, "current_unit_price", tier ? json_object_get(tier, "unit_price") : json_null());
    json_t *next = json_null(), *t;
    size_t i;
    json_array_foreach(tiers, i, t)
        if (json_integer_value(json_object_get(t, "min_participants")) > count) {
            next = json_deep_copy(t);
            break;
        }
    json_object_set_new(out, "next_tier", next);
    st = db_stmt(db, SQL_OUT);
    if (!st) {
        json_decref(by);
        return -1;
    }
    sqlite3_bind_text(st, 1, c->id, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        json_object_set_new(
            out, "outcome",
            json_pack("{s:o, s:o, s:i, s:i}", "by_status", json_incref(by), "avg_level_uplift",
                      sqlite3_column_type(st, 1) == SQLITE_NULL
                          ? json_null()
                          : json_real(round(sqlite3_column_double(st, 1) * 100.0) / 100.0),
                      "reached_level_2", sqlite3_column_int(st, 2), "projects_accepted",
                      sqlite3_column_int(st, 0)));
    sqlite3_reset(st);
    json_decref(by);
    return rc == SQLITE_ROW ? 0 : -1;
}

static int render_revisions(struct db *db, const struct camp *c, const struct caller *who,
                            json_t *out)
{
    static const char SQL[] =
        "SELECT org_id, at, by_org, by_name, by_role, from_status, to_status, reason, actor"
        " FROM revisions WHERE campaign_id = ?1 ORDER BY id";
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, c->id, -1, SQLITE_STATIC);
    int full = camp_full_view(c, who);
    json_t *revs = json_array();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *org = (const char *)sqlite3_column_text(st, 0);
        if (org && !full && strcmp(org, who->org_id) != 0)
            continue; /* another participant's progress */
        json_t *by = sqlite3_column_type(st, 2) == SQLITE_NULL
                         ? json_string((const char *)sqlite3_column_text(st, 4))
                         : json_pack("{s:s, s:s, s:s}", "id", sqlite3_column_text(st, 2), "name",
                                     sqlite3_column_text(st, 3), "role",
                                     sqlite3_column_text(st, 4));
        json_t *actor = sqlite3_column_type(st, 8) == SQLITE_NULL
                            ? NULL
                            : json_loads((const char *)sqlite3_column_text(st, 8), 0, NULL);
        if (actor && json_is_object(by)) { /* the person or key behind the organisation */
            json_object_set(by, "user", json_object_get(actor, "user"));
            json_object_set(by, "key", json_object_get(actor, "key"));
        }
        json_decref(actor);
        json_t *from = sqlite3_column_type(st, 5) == SQLITE_NULL
                           ? json_null()
                           : json_string((const char *)sqlite3_column_text(st, 5));
        json_t *rv = json_pack("{s:s, s:o, s:o, s:s, s:s}", "at", sqlite3_column_text(st, 1),
                               "by", by, "from", from, "to", sqlite3_column_text(st, 6),
                               "reason", sqlite3_column_text(st, 7));
        if (org)
            json_object_set_new(rv, "org_id", json_string(org));
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

/* The campaign as who may see it, in *out.  0; 1 when there is no such
 * campaign or it is hidden from who; -1 on a database error. */
int campaign_json(struct db *db, const char *id, const struct caller *who, json_t **out)
{
    *out = NULL;
    sqlite3_stmt *st = db_stmt(db, SQL_CAMP);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? 1 : -1;
    }
    struct camp c;
    camp_fill(st, &c);
    if (!camp_visible(&c, who)) {
        sqlite3_reset(st);
        return 1;
    }
    json_t *doc = json_loads((const char *)sqlite3_column_text(st, 9), 0, NULL);
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(c.id));
    if (doc)
        json_object_update(o, doc);
    json_decref(doc);
    json_object_set_new(o, "center", org_json(sqlite3_column_text(st, 6), sqlite3_column_text(st, 7)));
    json_object_set_new(o, "status", json_string(c.status));
    json_object_set_new(o, "resource",
                        json_pack("{s:s, s:s, s:o}", "id", sqlite3_column_text(st, 8), "title",
                                  sqlite3_column_text(st, 15) ? (const char *)sqlite3_column_text(st, 15) : "",
                                  "provider",
                                  org_json(sqlite3_column_text(st, 13), sqlite3_column_text(st, 14))));
    json_object_set_new(o, "version", json_integer(c.version));
    /* the provider's confirmation of the tier prices (issue 21) */
    json_t *conf = json_null();
    if (sqlite3_column_type(st, 16) != SQLITE_NULL) {
        json_t *by = json_loads((const char *)sqlite3_column_text(st, 17), 0, NULL);
        json_t *tiers = json_loads((const char *)sqlite3_column_text(st, 18), 0, NULL);
        conf = json_pack("{s:s, s:o, s:o}", "at", sqlite3_column_text(st, 16), "by",
                         by ? by : json_object(), "tiers", tiers ? tiers : json_array());
    }
    json_object_set_new(o, "price_confirmation", conf);
    json_object_set_new(o, "created_at", json_string((const char *)sqlite3_column_text(st, 11)));
    json_object_set_new(o, "updated_at", json_string((const char *)sqlite3_column_text(st, 12)));
    sqlite3_reset(st);
    if (render_participants(db, &c, who, o) < 0 || render_revisions(db, &c, who, o) < 0) {
        json_decref(o);
        return -1;
    }
    *out = o;
    return 0;
}

void campaign_reply(struct req *r, int status, const char *id)
{
    json_t *c;
    int rc = campaign_json(r->w->db, id, &r->who, &c);
    if (rc != 0) {
        if (rc > 0)
            reply_error(r, ERR_NOT_FOUND, NULL, "no campaign %s", id);
        else
            reply_db_error(r, DB_READ);
        return;
    }
    reply_record(r, status, c, "campaigns");
}

/* ------------------------------------------------------------ writing */

/* Appends a revision; by NULL means the system (deadline closer).
 * org_id names the participant it is about, NULL for the campaign. */
int revision_add(struct db *db, const char *camp_id, const char *org_id,
                        const struct caller *by, const char *from, const char *to,
                        const char *reason, const char *now)
{
    static const char SQL[] =
        "INSERT INTO revisions(campaign_id, org_id, at, by_org, by_name, by_role, from_status,"
        " to_status, reason, actor) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, camp_id, -1, SQLITE_STATIC);
    db_bind_text(st, 2, org_id);
    sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
    db_bind_text(st, 4, by ? by->org_id : NULL);
    db_bind_text(st, 5, by ? by->org_name : NULL);
    sqlite3_bind_text(st, 6, by ? role_name(by->role) : "system", -1, SQLITE_STATIC);
    db_bind_text(st, 7, from);
    sqlite3_bind_text(st, 8, to, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, reason ? reason : "", -1, SQLITE_STATIC);
    /* who did it, user or key included (auth_actor_json) */
    char *actor = NULL;
    if (by) {
        json_t *a = auth_actor_json(by);
        actor = json_dumps(a, JSON_COMPACT);
        json_decref(a);
    }
    db_bind_text(st, 10, actor);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    free(actor);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* Sets the campaign's status (the same one for a participant-only
 * change), bumps its version.  1 when the row was at `from`, 0 when it
 * was not, -1 on error. */
int camp_set(struct db *db, const char *id, const char *from, const char *to,
                    const char *now)
{
    static const char SQL[] =
        "UPDATE campaigns SET status = ?3, version = version + 1, updated_at = ?4"
        " WHERE id = ?1 AND status = ?2";
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, from, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, to, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    int changed = sqlite3_changes(db_handle(db));
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? changed > 0 : -1;
}


/* 0 found, 1 none, -1 error. */
int part_load(struct db *db, const char *camp_id, const char *org_id, struct part *p)
{
    static const char SQL[] =
        "SELECT status, need_id, level_before, level_after FROM participants"
        " WHERE campaign_id = ?1 AND org_id = ?2";
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, camp_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, org_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        snprintf(p->status, sizeof p->status, "%s", sqlite3_column_text(st, 0));
        p->has_need = sqlite3_column_type(st, 1) != SQLITE_NULL;
        snprintf(p->need_id, sizeof p->need_id, "%s",
                 p->has_need ? (const char *)sqlite3_column_text(st, 1) : "");
        p->level_before = sqlite3_column_int(st, 2);
        p->level_after = sqlite3_column_int(st, 3);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

int part_save(struct db *db, const char *camp_id, const char *org_id,
                     const struct part *p, const char *now)
{
    static const char SQL[] =
        "UPDATE participants SET status = ?3, level_before = ?4, level_after = ?5,"
        " updated_at = ?6 WHERE campaign_id = ?1 AND org_id = ?2";
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, camp_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, org_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, p->status, -1, SQLITE_STATIC);
    if (p->level_before)
        sqlite3_bind_int(st, 4, p->level_before);
    if (p->level_after)
        sqlite3_bind_int(st, 5, p->level_after);
    sqlite3_bind_text(st, 6, now, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* Ends a campaign write (write_finish) and, once committed, answers the
 * campaign `id` with `status`.  The one exit of every campaign write. */
void campaign_finish(struct req *r, int rc, const struct outcome *o, int status, const char *id)
{
    if (write_finish(r, rc, o) == 0)
        campaign_reply(r, status, id);
}

/* ------------------------------------------------------------ deadline */

int campaign_close_due(struct db *db)
{
    static const char SQL_ANY[] =
        "SELECT 1 FROM campaigns WHERE status = 'open' AND deadline_at <= ?1 LIMIT 1";
    static const char SQL_DUE[] =
        "SELECT c.id, c.min_participants, (SELECT count(*) FROM participants p"
        "   WHERE p.campaign_id = c.id AND p.status != 'withdrawn')"
        " FROM campaigns c WHERE c.status = 'open' AND c.deadline_at <= ?1"
        " ORDER BY c.deadline_at, c.cid LIMIT ?2";
    int64_t now_t = (int64_t)time(NULL);
    sqlite3_stmt *st = db_stmt(db, SQL_ANY);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, now_t);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return 0;
    if (rc != SQLITE_ROW)
        return -1;
    if (db_begin(db) < 0)
        return -1;
    /* Read the due ones first, then write: no UPDATE under an open SELECT. */
    struct due {
        char id[48];
        int ok;
    } *due = xcalloc(DUE_BATCH, sizeof *due);
    int n = 0, closed = 0;
    st = db_stmt(db, SQL_DUE);
    if (!st)
        goto fail;
    sqlite3_bind_int64(st, 1, now_t);
    sqlite3_bind_int(st, 2, DUE_BATCH);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < DUE_BATCH) {
        snprintf(due[n].id, sizeof due[n].id, "%s", sqlite3_column_text(st, 0));
        due[n].ok = sqlite3_column_int(st, 2) >= sqlite3_column_int(st, 1);
        n++;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        goto fail;
    char now[32];
    util_now_rfc3339(now);
    for (int i = 0; i < n; i++) {
        const char *to = due[i].ok ? "succeeded" : "failed";
        int k = camp_set(db, due[i].id, "open", to, now);
        if (k < 0)
            goto fail;
        if (k == 0) /* another process closed it first */
            continue;
        if (revision_add(db, due[i].id, NULL, NULL, "open", to, "deadline reached", now) < 0 ||
            (!due[i].ok && needs_release_campaign(db, due[i].id, 0, now) < 0))
            goto fail;
        closed++;
    }
    if (db_commit(db) < 0)
        goto fail;
    free(due);
    return closed;
fail:
    log_error("closing campaigns past their deadline: %s", sqlite3_errmsg(db_handle(db)));
    db_rollback(db);
    free(due);
    return -1;
}

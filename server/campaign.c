/*
 * campaign.c - demand clusters, campaigns, participants, the deadline
 * closer and resource reviews (see campaign.h).
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
 * db_begin() and db_commit() and reports a refusal in a struct outcome;
 * finish_write() is the one place that commits or rolls back and turns
 * the outcome into the answer.
 *
 * Visibility: campaigns are read by any key, except drafts, which only
 * centers, admins and the resource's provider see.  The participant list
 * (and the revisions about single participants) is whole for the
 * campaign's center, admins and the resource's provider; an enterprise
 * sees its own entry only; other callers see the count.
 */
#include "campaign.h"

#include "cache.h"
#include "db.h"
#include "log.h"
#include "match.h"
#include "resource.h"
#include "taxonomy.h"
#include "util.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOV {NULL, 0, 0, 0, 0, 0, NULL, 0}

#define CLUSTER_RESOURCES 5    /* top hits per demand cluster */
#define CLUSTER_TITLES 20      /* need titles that feed a cluster's text */
#define DUE_BATCH 256          /* campaigns closed per campaign_close_due() */

/* ------------------------------------------------------------ tables */

static const char *const CAMPAIGN_STATUSES[] = {
    "draft", "open", "succeeded", "failed", "contracted", "implementing", "completed",
    "cancelled", NULL,
};

static const char *const PARTICIPANT_STATUSES[] = {
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

static int in_list(const char *const *list, const char *s)
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
    NOV,
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
    NOV,
};

static const struct vfield JOIN_FIELDS[] = {
    {"need_id", V_ID, 0, 0, 0, 0, NULL, 0},
    NOV,
};

static const struct vfield TRANSITION_FIELDS[] = {
    {"to", V_STRING, 1, 1, 20, 0, NULL, 0},
    {"reason", V_STRING, 0, 0, 500, 0, NULL, 0},
    NOV,
};

static const struct vfield PARTICIPANT_FIELDS[] = {
    {"status", V_STRING, 0, 1, 20, 0, NULL, 0},
    {"level_before", V_INT, 0, 1, 4, 0, NULL, 0},
    {"level_after", V_INT, 0, 1, 4, 0, NULL, 0},
    {"reason", V_STRING, 0, 0, 500, 0, NULL, 0},
    NOV,
};

static const struct vfield REVIEW_FIELDS[] = {
    {"rating", V_INT, 1, 1, 5, 0, NULL, 0},
    {"text", V_STRING, 0, 0, 2000, 0, NULL, 0},
    {"campaign_id", V_ID, 0, 0, 0, 0, NULL, 0},
    {"need_id", V_ID, 0, 0, 0, 0, NULL, 0},
    NOV,
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

/* ------------------------------------------------------------ outcomes */

/* A write refused inside its transaction: the error to answer with. */
struct outcome {
    enum http_err err;
    char field[64];
    char msg[256];
};

static int refuse(struct outcome *o, enum http_err err, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Fills o; returns -1 for `return refuse(...)`. */
static int refuse(struct outcome *o, enum http_err err, const char *field, const char *fmt, ...)
{
    o->err = err;
    snprintf(o->field, sizeof o->field, "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(o->msg, sizeof o->msg, fmt, ap);
    va_end(ap);
    return -1;
}

static int db_failed(struct outcome *o)
{
    return refuse(o, ERR_UNAVAILABLE, NULL, "the database cannot be written right now");
}

/* ------------------------------------------------------------ loading */

#define CAMP_COLS                                                                      \
    "c.cid, c.id, c.status, c.deadline_at, c.min_participants, c.max_participants,"    \
    " c.center_id, c.center_name, c.resource_id, c.doc, c.version, c.created_at,"      \
    " c.updated_at, r.provider_id, r.provider_name, r.title"

static const char SQL_CAMP[] =
    "SELECT " CAMP_COLS " FROM campaigns c LEFT JOIN resources r ON r.id = c.resource_id"
    " WHERE c.id = ?1";

/* The columns a write needs to check, copied out of the statement. */
struct camp {
    char id[48];
    char status[16];
    int64_t deadline_at;
    long min, max; /* max 0: no limit */
    char center_id[40];
    char provider_id[40];
    int64_t version;
};

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

static int camp_visible(const struct camp *c, const struct caller *who)
{
    return strcmp(c->status, "draft") != 0 || (who->role & (ROLE_CENTER | ROLE_ADMIN)) ||
           strcmp(c->provider_id, who->org_id) == 0;
}

/* The campaign's center, admins and the resource's provider see everyone. */
static int camp_full_view(const struct camp *c, const struct caller *who)
{
    return who->role == ROLE_ADMIN ||
           (who->role == ROLE_CENTER && strcmp(c->center_id, who->org_id) == 0) ||
           (who->role == ROLE_PROVIDER && strcmp(c->provider_id, who->org_id) == 0);
}

/* Loads campaign id for a write; refuses (404) when it is missing or
 * hidden from who.  0 or -1. */
static int camp_load(struct db *db, const char *id, const struct caller *who, struct camp *c,
                     struct outcome *o)
{
    sqlite3_stmt *st = db_stmt(db, SQL_CAMP);
    if (!st)
        return db_failed(o);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        camp_fill(st, c);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return db_failed(o);
    if (rc == SQLITE_DONE || !camp_visible(c, who))
        return refuse(o, ERR_NOT_FOUND, NULL, "no campaign %s", id);
    return 0;
}

/* Participants that count: everyone not withdrawn. */
static long camp_count(struct db *db, const char *id)
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
        "SELECT org_id, org_name, need_id, status, level_before, level_after, joined_at,"
        " updated_at FROM participants WHERE campaign_id = ?1 ORDER BY pid";
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, c->id, -1, SQLITE_STATIC);
    int full = camp_full_view(c, who), own_only = who->role == ROLE_ENTERPRISE;
    json_t *list = json_array(), *by = json_object();
    for (int i = 0; PARTICIPANT_STATUSES[i]; i++)
        json_object_set_new(by, PARTICIPANT_STATUSES[i], json_integer(0));
    long count = 0, uplift_n = 0, reached = 0, uplift_sum = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *org = (const char *)sqlite3_column_text(st, 0);
        const char *status = (const char *)sqlite3_column_text(st, 3);
        json_t *n = json_object_get(by, status);
        json_object_set_new(by, status, json_integer(json_integer_value(n) + 1));
        int active = strcmp(status, "withdrawn") != 0;
        if (active) {
            count++;
            int has_b = sqlite3_column_type(st, 4) != SQLITE_NULL;
            int has_a = sqlite3_column_type(st, 5) != SQLITE_NULL;
            if (has_b && has_a) {
                uplift_sum += sqlite3_column_int(st, 5) - sqlite3_column_int(st, 4);
                uplift_n++;
            }
            if (has_a && sqlite3_column_int(st, 5) >= 2)
                reached++;
        }
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
    json_object_set_new(out, "outcome",
                        json_pack("{s:o, s:o, s:I}", "by_status", by, "avg_level_uplift",
                                  uplift_n ? json_real(round((double)uplift_sum * 100.0 /
                                                             (double)uplift_n) / 100.0)
                                           : json_null(),
                                  "reached_level_2", (json_int_t)reached));
    return 0;
}

static int render_revisions(struct db *db, const struct camp *c, const struct caller *who,
                            json_t *out)
{
    static const char SQL[] =
        "SELECT org_id, at, by_org, by_name, by_role, from_status, to_status, reason"
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
static int campaign_json(struct db *db, const char *id, const struct caller *who, json_t **out)
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

static void reply_campaign(struct req *r, int status, const char *id)
{
    json_t *c;
    int rc = campaign_json(r->w->db, id, &r->who, &c);
    if (rc != 0) {
        if (rc > 0)
            reply_error(r, ERR_NOT_FOUND, NULL, "no campaign %s", id);
        else
            reply_error(r, ERR_UNAVAILABLE, NULL, "the database cannot be read right now");
        return;
    }
    char hdr[96];
    snprintf(hdr, sizeof hdr, "\"%" JSON_INTEGER_FORMAT "\"",
             json_integer_value(json_object_get(c, "version")));
    reply_header(r, "ETag", hdr);
    if (status == 201) {
        snprintf(hdr, sizeof hdr, "/v1/campaigns/%s", id);
        reply_header(r, "Location", hdr);
    }
    reply_json(r, status, c);
}

/* ------------------------------------------------------------ writing */

/* Appends a revision; by NULL means the system (deadline closer).
 * org_id names the participant it is about, NULL for the campaign. */
static int revision_add(struct db *db, const char *camp_id, const char *org_id,
                        const struct caller *by, const char *from, const char *to,
                        const char *reason, const char *now)
{
    static const char SQL[] =
        "INSERT INTO revisions(campaign_id, org_id, at, by_org, by_name, by_role, from_status,"
        " to_status, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
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
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* Sets the campaign's status (the same one for a participant-only
 * change), bumps its version.  1 when the row was at `from`, 0 when it
 * was not, -1 on error. */
static int camp_set(struct db *db, const char *id, const char *from, const char *to,
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

/* Moves need id from status `from` to `to`; 0 or -1. */
static int need_set(struct db *db, const char *id, const char *from, const char *to,
                    const char *now)
{
    static const char SQL[] =
        "UPDATE needs SET status = ?3, version = version + 1, updated_at = ?4"
        " WHERE id = ?1 AND status = ?2";
    if (!id)
        return 0;
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, from, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, to, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* Gives back the needs of a campaign's active participants: `open`, or
 * `closed` for accepted participants when completed is set. */
static int needs_release(struct db *db, const char *camp_id, int completed, const char *now)
{
    static const char SQL[] =
        "UPDATE needs SET status = CASE WHEN ?2 = 1 AND EXISTS (SELECT 1 FROM participants p"
        "   WHERE p.campaign_id = ?1 AND p.need_id = needs.id AND p.status = 'accepted')"
        "   THEN 'closed' ELSE 'open' END,"
        " version = version + 1, updated_at = ?3"
        " WHERE status = 'in_campaign' AND id IN (SELECT need_id FROM participants"
        "   WHERE campaign_id = ?1 AND need_id IS NOT NULL AND status != 'withdrawn')";
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, camp_id, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, completed);
    sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* One participant, read inside a write. */
struct part {
    char status[16];
    char need_id[48];
    int has_need;
    int level_before, level_after; /* 0: not set */
};

/* 0 found, 1 none, -1 error. */
static int part_load(struct db *db, const char *camp_id, const char *org_id, struct part *p)
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

static int part_save(struct db *db, const char *camp_id, const char *org_id,
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

/*
 * Commits (rc == 0) or rolls back (rc < 0) the transaction a handler
 * began, and answers: the outcome's error, 503 when COMMIT fails, else
 * the campaign `id` with `status`.  The one exit of every campaign write.
 */
static void finish_write(struct req *r, int rc, const struct outcome *o, int status,
                         const char *id)
{
    struct db *db = r->w->db;
    if (rc < 0) {
        db_rollback(db);
        reply_error(r, o->err, o->field[0] ? o->field : NULL, "%s", o->msg);
        return;
    }
    if (db_commit(db) < 0) {
        reply_error(r, ERR_UNAVAILABLE, NULL, "the database cannot be written right now");
        return;
    }
    reply_campaign(r, status, id);
}

/* Validates r->body against spec; answers 422 and returns -1 on failure. */
static int body_ok(struct req *r, const struct vfield *spec)
{
    struct verr e;
    if (validate(r->body, spec, &e) == 0)
        return 0;
    reply_error(r, ERR_INVALID_FIELD, e.field, "%s", e.msg);
    return -1;
}

/* BEGIN IMMEDIATE, answering 503 when it fails. */
static int begin_or_reply(struct req *r)
{
    if (db_begin(r->w->db) == 0)
        return 0;
    reply_error(r, ERR_UNAVAILABLE, NULL, "the database cannot be written right now");
    return -1;
}

/* ------------------------------------------------------------ create */

static int create_txn(struct req *r, time_t deadline_at, const char *id, struct outcome *o)
{
    static const char SQL[] =
        "INSERT INTO campaigns(id, status, deadline_at, min_participants, max_participants,"
        " industry, region, scenario_mask, center_id, center_name, resource_id, deadline,"
        " created_at, updated_at, title, scenarios, tiers, doc)"
        " VALUES (?1, 'draft', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, ?13, ?14,"
        " ?15, ?16)";
    struct db *db = r->w->db;
    json_t *b = r->body;
    const char *res_id = json_string_value(json_object_get(b, "resource_id"));
    json_t *res = resource_get(db, res_id);
    if (!res)
        return refuse(o, ERR_INVALID_FIELD, "resource_id", "no resource %s", res_id);
    int live = strcmp(json_string_value(json_object_get(res, "status")), "published") == 0;
    json_decref(res);
    if (!live)
        return refuse(o, ERR_INVALID_FIELD, "resource_id", "resource %s is withdrawn", res_id);
    char now[32];
    util_now_rfc3339(now);
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return db_failed(o);
    char *scen = json_dumps(json_object_get(b, "scenarios"), JSON_COMPACT);
    char *tiers = json_dumps(json_object_get(b, "tiers"), JSON_COMPACT);
    char *doc = json_dumps(b, JSON_COMPACT);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (int64_t)deadline_at);
    sqlite3_bind_int64(st, 3, json_integer_value(json_object_get(b, "min_participants")));
    json_t *mx = json_object_get(b, "max_participants");
    if (mx)
        sqlite3_bind_int64(st, 4, json_integer_value(mx));
    sqlite3_bind_text(st, 5, json_string_value(json_object_get(b, "industry")), -1, SQLITE_STATIC);
    db_bind_text(st, 6, json_string_value(json_object_get(b, "region")));
    sqlite3_bind_int64(st, 7, tax_mask(TAX_SCENARIO, json_object_get(b, "scenarios")));
    sqlite3_bind_text(st, 8, r->who.org_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, r->who.org_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 10, res_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 11, json_string_value(json_object_get(b, "deadline")), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 12, now, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 13, json_string_value(json_object_get(b, "title")), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 14, scen, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 15, tiers, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 16, doc, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    free(scen);
    free(tiers);
    free(doc);
    if (rc != SQLITE_DONE) {
        log_error("campaign insert: %s", sqlite3_errmsg(db_handle(db)));
        return db_failed(o);
    }
    if (revision_add(db, id, NULL, &r->who, NULL, "draft", "created", now) < 0)
        return db_failed(o);
    return 0;
}

void h_campaign_create(struct req *r)
{
    struct verr e;
    time_t deadline_at;
    if (campaign_validate(r->body, time(NULL), &deadline_at, &e) < 0) {
        reply_error(r, ERR_INVALID_FIELD, e.field, "%s", e.msg);
        return;
    }
    char id[48];
    util_new_id(id, sizeof id, "camp");
    struct outcome o;
    if (begin_or_reply(r) < 0)
        return;
    int rc = create_txn(r, deadline_at, id, &o);
    finish_write(r, rc, &o, 201, id);
}

/* ------------------------------------------------------------ read */

void h_campaign_get(struct req *r)
{
    reply_campaign(r, 200, r->params[0]);
}

void h_campaigns_list(struct req *r)
{
    static const char SQL[] =
        "SELECT c.cid, c.id FROM campaigns c LEFT JOIN resources r ON r.id = c.resource_id"
        " WHERE c.cid < ?1 AND (?2 IS NULL OR c.status = ?2) AND (?3 IS NULL OR c.industry = ?3)"
        " AND (?4 IS NULL OR c.region = ?4) AND (?5 = 0 OR c.scenario_mask & ?5)"
        " AND (c.status != 'draft' OR ?6 = 1 OR r.provider_id = ?7)"
        " ORDER BY c.cid DESC LIMIT ?8";
    long limit;
    int64_t scns;
    if (req_long_param(r, "limit", 20, 1, 100, &limit) < 0 ||
        req_mask_param(r, "scenario", TAX_SCENARIO, &scns) < 0)
        return;
    const char *status = req_query(r, "status"), *ind = req_query(r, "industry"),
               *reg = req_query(r, "region");
    if (status && !*status)
        status = NULL;
    if (ind && !*ind)
        ind = NULL;
    if (reg && !*reg)
        reg = NULL;
    if (status && !in_list(CAMPAIGN_STATUSES, status)) {
        reply_error(r, ERR_BAD_PARAM, "status", "status must be one of draft, open, succeeded,"
                    " failed, contracted, implementing, completed, cancelled");
        return;
    }
    if (ind && tax_index(TAX_INDUSTRY, ind) < 0) {
        reply_error(r, ERR_BAD_PARAM, "industry", "industry is not a known industry code");
        return;
    }
    if (reg && tax_index(TAX_REGION, reg) < 0) {
        reply_error(r, ERR_BAD_PARAM, "region", "region is not a known region");
        return;
    }
    int64_t after = INT64_MAX;
    const char *cursor = req_query(r, "cursor");
    if (cursor && *cursor) {
        char *end = NULL;
        long long v = strncmp(cursor, "c1", 2) == 0 ? strtoll(cursor + 2, &end, 16) : 0;
        if (v <= 0 || *end) {
            reply_error(r, ERR_BAD_PARAM, "cursor", "cursor is not one this server returned");
            return;
        }
        after = v;
    }
    struct db *db = r->w->db;
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st) {
        reply_error(r, ERR_UNAVAILABLE, NULL, "the database cannot be read right now");
        return;
    }
    sqlite3_bind_int64(st, 1, after);
    db_bind_text(st, 2, status);
    db_bind_text(st, 3, ind);
    db_bind_text(st, 4, reg);
    sqlite3_bind_int64(st, 5, scns);
    sqlite3_bind_int(st, 6, (r->who.role & (ROLE_CENTER | ROLE_ADMIN)) != 0);
    sqlite3_bind_text(st, 7, r->who.org_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 8, limit + 1);
    /* Ids first, then each campaign: rendering reuses other statements. */
    char (*ids)[48] = xcalloc((size_t)limit + 1, sizeof *ids);
    int64_t last = 0;
    long n = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && n <= limit) {
        if (n < limit)
            last = sqlite3_column_int64(st, 0);
        snprintf(ids[n++], sizeof ids[0], "%s", sqlite3_column_text(st, 1));
    }
    sqlite3_reset(st);
    int more = n > limit;
    json_t *items = json_array();
    int dberr = rc != SQLITE_DONE && rc != SQLITE_ROW;
    for (long i = 0; i < n && i < limit && !dberr; i++) {
        json_t *c;
        int k = campaign_json(db, ids[i], &r->who, &c);
        if (k < 0)
            dberr = 1;
        else if (k == 0)
            json_array_append_new(items, c);
    }
    free(ids);
    if (dberr) {
        json_decref(items);
        reply_error(r, ERR_UNAVAILABLE, NULL, "the database cannot be read right now");
        return;
    }
    json_t *next = json_null();
    if (more) {
        char buf[32];
        snprintf(buf, sizeof buf, "c1%llx", (unsigned long long)last);
        next = json_string(buf);
    }
    reply_json(r, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
}

/* ------------------------------------------------------------ join, leave */

static int join_txn(struct req *r, struct outcome *o)
{
    static const char SQL_NEED[] =
        "SELECT enterprise_id, status, json_extract(doc, '$.current_level') FROM needs"
        " WHERE id = ?1";
    static const char SQL_JOIN[] =
        "INSERT INTO participants(campaign_id, org_id, org_name, need_id, level_before,"
        " joined_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)"
        " ON CONFLICT (campaign_id, org_id) DO UPDATE SET status = 'joined',"
        " org_name = excluded.org_name, need_id = excluded.need_id,"
        " level_before = coalesce(excluded.level_before, participants.level_before),"
        " joined_at = excluded.joined_at, updated_at = excluded.updated_at"
        " WHERE participants.status = 'withdrawn'";
    struct db *db = r->w->db;
    struct camp c;
    if (camp_load(db, r->params[0], &r->who, &c, o) < 0)
        return -1;
    if (strcmp(c.status, "open") != 0)
        return refuse(o, ERR_CONFLICT, NULL, "the campaign is %s, not open for joining", c.status);
    if ((int64_t)time(NULL) >= c.deadline_at)
        return refuse(o, ERR_CONFLICT, NULL, "the campaign's deadline has passed");
    struct part p;
    int k = part_load(db, c.id, r->who.org_id, &p);
    if (k < 0)
        return db_failed(o);
    if (k == 0 && strcmp(p.status, "withdrawn") != 0)
        return refuse(o, ERR_CONFLICT, NULL, "you have already joined this campaign");
    long count = camp_count(db, c.id);
    if (count < 0)
        return db_failed(o);
    if (c.max && count >= c.max)
        return refuse(o, ERR_CONFLICT, NULL, "the campaign is full (%ld of %ld places taken)",
                      count, c.max);
    const char *need_id = json_string_value(json_object_get(r->body, "need_id"));
    int level = 0;
    if (need_id) {
        sqlite3_stmt *st = db_stmt(db, SQL_NEED);
        if (!st)
            return db_failed(o);
        sqlite3_bind_text(st, 1, need_id, -1, SQLITE_STATIC);
        int rc = sqlite3_step(st);
        int mine = rc == SQLITE_ROW &&
                   req_is_caller(r, (const char *)sqlite3_column_text(st, 0));
        int open = mine && strcmp((const char *)sqlite3_column_text(st, 1), "open") == 0;
        if (mine)
            level = sqlite3_column_int(st, 2);
        sqlite3_reset(st);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            return db_failed(o);
        if (!mine)
            return refuse(o, ERR_INVALID_FIELD, "need_id", "you have no need %s", need_id);
        if (!open)
            return refuse(o, ERR_CONFLICT, "need_id", "need %s is not open", need_id);
    }
    char now[32];
    util_now_rfc3339(now);
    sqlite3_stmt *st = db_stmt(db, SQL_JOIN);
    if (!st)
        return db_failed(o);
    sqlite3_bind_text(st, 1, c.id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, r->who.org_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, r->who.org_name, -1, SQLITE_STATIC);
    db_bind_text(st, 4, need_id);
    if (level >= 1 && level <= 4)
        sqlite3_bind_int(st, 5, level);
    sqlite3_bind_text(st, 6, now, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return db_failed(o);
    if (need_set(db, need_id, "open", "in_campaign", now) < 0 ||
        revision_add(db, c.id, r->who.org_id, &r->who, k == 0 ? "withdrawn" : NULL, "joined",
                     need_id ? "joined with a need" : "joined", now) < 0 ||
        camp_set(db, c.id, "open", "open", now) != 1)
        return db_failed(o);
    return 0;
}

void h_campaign_join(struct req *r)
{
    if (body_ok(r, JOIN_FIELDS) < 0 || begin_or_reply(r) < 0)
        return;
    struct outcome o;
    int rc = join_txn(r, &o);
    finish_write(r, rc, &o, 201, r->params[0]);
}

static int leave_txn(struct req *r, struct outcome *o)
{
    struct db *db = r->w->db;
    struct camp c;
    if (camp_load(db, r->params[0], &r->who, &c, o) < 0)
        return -1;
    if (strcmp(c.status, "open") != 0)
        return refuse(o, ERR_CONFLICT, NULL, "the campaign is %s; leaving is possible only"
                      " while it is open", c.status);
    if ((int64_t)time(NULL) >= c.deadline_at)
        return refuse(o, ERR_CONFLICT, NULL, "the campaign's deadline has passed");
    struct part p;
    int k = part_load(db, c.id, r->who.org_id, &p);
    if (k < 0)
        return db_failed(o);
    if (k > 0 || strcmp(p.status, "withdrawn") == 0)
        return refuse(o, ERR_CONFLICT, NULL, "you are not a participant of this campaign");
    char now[32], from[16];
    util_now_rfc3339(now);
    snprintf(from, sizeof from, "%s", p.status);
    snprintf(p.status, sizeof p.status, "withdrawn");
    const char *reason = json_string_value(json_object_get(r->body, "reason"));
    if (part_save(db, c.id, r->who.org_id, &p, now) < 0 ||
        need_set(db, p.has_need ? p.need_id : NULL, "in_campaign", "open", now) < 0 ||
        revision_add(db, c.id, r->who.org_id, &r->who, from, "withdrawn",
                     reason ? reason : "left", now) < 0 ||
        camp_set(db, c.id, "open", "open", now) != 1)
        return db_failed(o);
    return 0;
}

static const struct vfield LEAVE_FIELDS[] = {
    {"reason", V_STRING, 0, 0, 500, 0, NULL, 0},
    NOV,
};

void h_campaign_leave(struct req *r)
{
    if (body_ok(r, LEAVE_FIELDS) < 0 || begin_or_reply(r) < 0)
        return;
    struct outcome o;
    int rc = leave_txn(r, &o);
    finish_write(r, rc, &o, 200, r->params[0]);
}

/* ------------------------------------------------------------ transition */

static int transition_txn(struct req *r, int64_t want, struct outcome *o)
{
    struct db *db = r->w->db;
    const char *to = json_string_value(json_object_get(r->body, "to"));
    const char *reason = json_string_value(json_object_get(r->body, "reason"));
    struct camp c;
    if (camp_load(db, r->params[0], &r->who, &c, o) < 0)
        return -1;
    if (!req_is_caller(r, c.center_id))
        return refuse(o, ERR_FORBIDDEN, NULL, "only the center that runs a campaign may move it");
    if (want && want != c.version)
        return refuse(o, ERR_CONFLICT, NULL, "If-Match names version %" PRId64
                      " but the campaign is at version %" PRId64, want, c.version);
    if (!campaign_transition_ok(c.status, to))
        return refuse(o, ERR_CONFLICT, "to", "a campaign cannot go from %s to %s", c.status, to);
    time_t now_t = time(NULL);
    if (strcmp(to, "open") == 0 && (int64_t)now_t >= c.deadline_at)
        return refuse(o, ERR_CONFLICT, "to", "the campaign's deadline has passed");
    if (strcmp(to, "succeeded") == 0) {
        long count = camp_count(db, c.id);
        if (count < 0)
            return db_failed(o);
        if (count < c.min)
            return refuse(o, ERR_CONFLICT, "to", "only %ld of the %ld participants needed"
                          " have joined", count, c.min);
    }
    char now[32];
    util_now_rfc3339(now);
    int release = strcmp(to, "cancelled") == 0 || strcmp(to, "failed") == 0 ||
                  strcmp(to, "completed") == 0;
    if (camp_set(db, c.id, c.status, to, now) != 1 ||
        revision_add(db, c.id, NULL, &r->who, c.status, to, reason, now) < 0 ||
        (release && needs_release(db, c.id, strcmp(to, "completed") == 0, now) < 0))
        return db_failed(o);
    return 0;
}

void h_campaign_transition(struct req *r)
{
    int64_t want;
    if (req_if_match(r, &want) < 0 || body_ok(r, TRANSITION_FIELDS) < 0)
        return;
    const char *to = json_string_value(json_object_get(r->body, "to"));
    if (!in_list(CAMPAIGN_STATUSES, to)) {
        reply_error(r, ERR_INVALID_FIELD, "to", "to must be a campaign status: draft, open,"
                    " succeeded, failed, contracted, implementing, completed or cancelled");
        return;
    }
    if (begin_or_reply(r) < 0)
        return;
    struct outcome o;
    int rc = transition_txn(r, want, &o);
    finish_write(r, rc, &o, 200, r->params[0]);
}

/* ------------------------------------------------------------ participants */

static int participant_txn(struct req *r, int64_t want, struct outcome *o)
{
    struct db *db = r->w->db;
    json_t *b = r->body;
    const char *org = r->params[1];
    struct camp c;
    if (camp_load(db, r->params[0], &r->who, &c, o) < 0)
        return -1;
    int center = r->who.role == ROLE_CENTER && req_is_caller(r, c.center_id);
    int provider = r->who.role == ROLE_PROVIDER && req_is_caller(r, c.provider_id);
    if (!center && !provider)
        return refuse(o, ERR_FORBIDDEN, NULL, "only the campaign's center and the resource's"
                      " provider may record a participant's progress");
    if (want && want != c.version)
        return refuse(o, ERR_CONFLICT, NULL, "If-Match names version %" PRId64
                      " but the campaign is at version %" PRId64, want, c.version);
    struct part p;
    int k = part_load(db, c.id, org, &p);
    if (k < 0)
        return db_failed(o);
    if (k > 0)
        return refuse(o, ERR_NOT_FOUND, NULL, "%s is not a participant of this campaign", org);
    const char *to = json_string_value(json_object_get(b, "status"));
    json_t *lb = json_object_get(b, "level_before"), *la = json_object_get(b, "level_after");
    int moves = to && strcmp(to, p.status) != 0;
    static const char *const LIVE[] = {"open", "succeeded", "contracted", "implementing", NULL};
    static const char *const WORKING[] = {"succeeded", "contracted", "implementing", NULL};
    if (moves) {
        if (!participant_transition_ok(p.status, to))
            return refuse(o, ERR_CONFLICT, "status", "a participant cannot go from %s to %s",
                          p.status, to);
        if (!in_list(strcmp(to, "withdrawn") == 0 ? LIVE : WORKING, c.status))
            return refuse(o, ERR_CONFLICT, "status", "the campaign is %s: a participant"
                          " cannot become %s now", c.status, to);
    }
    if (lb || la) {
        if (strcmp(p.status, "withdrawn") == 0 || (moves && strcmp(to, "withdrawn") == 0))
            return refuse(o, ERR_CONFLICT, lb ? "level_before" : "level_after",
                          "a withdrawn participant's levels are not recorded");
        if (!in_list(LIVE, c.status) && strcmp(c.status, "completed") != 0)
            return refuse(o, ERR_CONFLICT, lb ? "level_before" : "level_after",
                          "the campaign is %s: levels are no longer recorded", c.status);
    }
    if (!moves && !lb && !la)
        return 0; /* nothing changes; the answer shows the campaign as it is */
    char now[32], from[16], reason[160];
    util_now_rfc3339(now);
    snprintf(from, sizeof from, "%s", p.status);
    int changed_levels = 0;
    if (lb && json_integer_value(lb) != p.level_before) {
        p.level_before = (int)json_integer_value(lb);
        changed_levels = 1;
    }
    if (la && json_integer_value(la) != p.level_after) {
        p.level_after = (int)json_integer_value(la);
        changed_levels = 1;
    }
    if (moves)
        snprintf(p.status, sizeof p.status, "%s", to);
    const char *why = json_string_value(json_object_get(b, "reason"));
    if (!why && changed_levels) {
        char bb[8] = "-", aa[8] = "-";
        if (p.level_before)
            snprintf(bb, sizeof bb, "%d", p.level_before);
        if (p.level_after)
            snprintf(aa, sizeof aa, "%d", p.level_after);
        snprintf(reason, sizeof reason, "level_before %s, level_after %s", bb, aa);
        why = reason;
    }
    if (!moves && !changed_levels)
        return 0;
    if (part_save(db, c.id, org, &p, now) < 0 ||
        revision_add(db, c.id, org, &r->who, from, p.status, why, now) < 0 ||
        camp_set(db, c.id, c.status, c.status, now) != 1)
        return db_failed(o);
    if (moves && strcmp(to, "withdrawn") == 0 &&
        need_set(db, p.has_need ? p.need_id : NULL, "in_campaign", "open", now) < 0)
        return db_failed(o);
    return 0;
}

void h_participant_patch(struct req *r)
{
    int64_t want;
    if (req_if_match(r, &want) < 0 || body_ok(r, PARTICIPANT_FIELDS) < 0)
        return;
    json_t *b = r->body;
    const char *to = json_string_value(json_object_get(b, "status"));
    if (to && !in_list(PARTICIPANT_STATUSES, to)) {
        reply_error(r, ERR_INVALID_FIELD, "status", "status must be joined, contracted,"
                    " implementing, accepted or withdrawn");
        return;
    }
    if (!to && !json_object_get(b, "level_before") && !json_object_get(b, "level_after")) {
        reply_error(r, ERR_INVALID_FIELD, "status", "give status, level_before or level_after");
        return;
    }
    if (begin_or_reply(r) < 0)
        return;
    struct outcome o;
    int rc = participant_txn(r, want, &o);
    finish_write(r, rc, &o, 200, r->params[0]);
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
            (!due[i].ok && needs_release(db, due[i].id, 0, now) < 0))
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

/* ------------------------------------------------------------ clusters */

struct cluster {
    int ind, scn, reg; /* taxonomy indexes; reg -1: no region */
    json_t *ids;
    double *budgets;
    size_t nbudgets, cap;
    int levels[5], targets[5];
    json_t *titles;
};

static int cluster_cmp(const void *a, const void *b)
{
    const struct cluster *x = *(struct cluster *const *)a, *y = *(struct cluster *const *)b;
    size_t nx = json_array_size(x->ids), ny = json_array_size(y->ids);
    if (nx != ny)
        return nx < ny ? 1 : -1;
    if (x->ind != y->ind)
        return x->ind - y->ind;
    if (x->scn != y->scn)
        return x->scn - y->scn;
    return x->reg - y->reg;
}

static int double_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The most frequent level (the lower on a tie); 0 when none is known. */
static int mode_level(const int v[5])
{
    int best = 0;
    for (int l = 1; l <= 4; l++)
        if (v[l] > v[best] || (best == 0 && v[l] > 0))
            best = l;
    return v[best] ? best : 0;
}

/* The cluster's JSON, with the top resources for a synthetic need. */
static json_t *cluster_json(struct worker *w, struct cluster *c)
{
    const char *ind = tax_code(TAX_INDUSTRY, c->ind), *scn = tax_code(TAX_SCENARIO, c->scn);
    json_t *out = json_pack("{s:s, s:s, s:o, s:I, s:O}", "industry", ind, "scenario", scn,
                            "region", c->reg >= 0 ? json_string(tax_code(TAX_REGION, c->reg))
                                                  : json_null(),
                            "size", (json_int_t)json_array_size(c->ids), "need_ids", c->ids);
    json_t *need = json_pack("{s:s, s:s, s:[s]}", "industry", ind, "title",
                             tax_name(TAX_SCENARIO, c->scn), "scenarios", scn);
    json_t *budget = json_pack("{s:n, s:n}", "min", "max");
    if (c->nbudgets) {
        qsort(c->budgets, c->nbudgets, sizeof *c->budgets, double_cmp);
        size_t m = c->nbudgets / 2;
        double median = c->nbudgets % 2 ? c->budgets[m] : (c->budgets[m - 1] + c->budgets[m]) / 2;
        json_object_set_new(budget, "min", json_real(c->budgets[0]));
        json_object_set_new(budget, "max", json_real(c->budgets[c->nbudgets - 1]));
        json_object_set_new(budget, "median", json_real(median));
        json_object_set_new(need, "budget", json_pack("{s:f}", "max", median));
    }
    json_object_set_new(out, "budget", budget);
    json_t *levels = json_object();
    for (int l = 1; l <= 4; l++) {
        char k[2] = {(char)('0' + l), 0};
        json_object_set_new(levels, k, json_integer(c->levels[l]));
    }
    json_object_set_new(out, "levels", levels);
    if (c->reg >= 0)
        json_object_set_new(need, "region", json_string(tax_code(TAX_REGION, c->reg)));
    int cur = mode_level(c->levels), tgt = mode_level(c->targets);
    if (cur)
        json_object_set_new(need, "current_level", json_integer(cur));
    if (tgt && tgt >= cur)
        json_object_set_new(need, "target_level", json_integer(tgt));
    /* The needs' own titles carry the words the cluster is about. */
    size_t i, cap = 1;
    json_t *t;
    json_array_foreach(c->titles, i, t) cap += json_string_length(t) + 1;
    char *text = xmalloc(cap), *p = text;
    json_array_foreach(c->titles, i, t) {
        memcpy(p, json_string_value(t), json_string_length(t));
        p += json_string_length(t);
        *p++ = '\n';
    }
    *p = '\0';
    json_object_set_new(need, "description", json_string(text));
    free(text);
    json_t *res = match_top_resources(w, need, CLUSTER_RESOURCES);
    json_decref(need);
    if (!res) {
        json_decref(out);
        return NULL;
    }
    json_object_set_new(out, "resources", res);
    return out;
}

void h_demand_clusters(struct req *r)
{
    static const char SQL[] =
        "SELECT id, industry_bit, scenario_mask, region_bit, json_extract(doc, '$.budget.max'),"
        " json_extract(doc, '$.current_level'), json_extract(doc, '$.target_level'), title"
        " FROM needs WHERE status = 'open' AND (?1 = 0 OR industry_bit & ?1)"
        " AND (?2 = 0 OR scenario_mask & ?2) AND (?3 = 0 OR region_bit & ?3) ORDER BY nid";
    int64_t inds, scns, regs;
    long min_size, limit;
    if (req_mask_param(r, "industry", TAX_INDUSTRY, &inds) < 0 ||
        req_mask_param(r, "scenario", TAX_SCENARIO, &scns) < 0 ||
        req_mask_param(r, "region", TAX_REGION, &regs) < 0 ||
        req_long_param(r, "min_size", 2, 1, 1000000, &min_size) < 0 ||
        req_long_param(r, "limit", 20, 1, 100, &limit) < 0)
        return;
    struct db *db = r->w->db;
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st) {
        reply_error(r, ERR_UNAVAILABLE, NULL, "the database cannot be read right now");
        return;
    }
    sqlite3_bind_int64(st, 1, inds);
    sqlite3_bind_int64(st, 2, scns);
    sqlite3_bind_int64(st, 3, regs);
    int ni = tax_count(TAX_INDUSTRY), ns = tax_count(TAX_SCENARIO), nr = tax_count(TAX_REGION);
    size_t nslots = (size_t)ni * (size_t)ns * (size_t)(nr + 1);
    struct cluster **slot = xcalloc(nslots, sizeof *slot);
    struct cluster **all = NULL;
    size_t nall = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        uint64_t ib = (uint64_t)sqlite3_column_int64(st, 1);
        uint64_t sm = (uint64_t)sqlite3_column_int64(st, 2);
        uint64_t rb = (uint64_t)sqlite3_column_int64(st, 3);
        if (!ib)
            continue;
        int ind = __builtin_ctzll(ib), reg = rb ? __builtin_ctzll(rb) : -1;
        if (ind >= ni || reg >= nr)
            continue;
        if (scns)
            sm &= (uint64_t)scns;
        for (int s = 0; s < ns && s < 64; s++) {
            if (!(sm & ((uint64_t)1 << s)))
                continue;
            size_t k = ((size_t)ind * (size_t)ns + (size_t)s) * (size_t)(nr + 1) + (size_t)(reg + 1);
            struct cluster *c = slot[k];
            if (!c) {
                c = slot[k] = xcalloc(1, sizeof *c);
                c->ind = ind;
                c->scn = s;
                c->reg = reg;
                c->ids = json_array();
                c->titles = json_array();
                all = xrealloc(all, (nall + 1) * sizeof *all);
                all[nall++] = c;
            }
            json_array_append_new(c->ids, json_string((const char *)sqlite3_column_text(st, 0)));
            if (json_array_size(c->titles) < CLUSTER_TITLES)
                json_array_append_new(c->titles, json_string((const char *)sqlite3_column_text(st, 7)));
            if (sqlite3_column_type(st, 4) != SQLITE_NULL) {
                if (c->nbudgets == c->cap) {
                    c->cap = c->cap ? c->cap * 2 : 8;
                    c->budgets = xrealloc(c->budgets, c->cap * sizeof *c->budgets);
                }
                c->budgets[c->nbudgets++] = sqlite3_column_double(st, 4);
            }
            int cl = sqlite3_column_int(st, 5), tl = sqlite3_column_int(st, 6);
            if (cl >= 1 && cl <= 4)
                c->levels[cl]++;
            if (tl >= 1 && tl <= 4)
                c->targets[tl]++;
        }
    }
    sqlite3_reset(st);
    free(slot);
    int dberr = rc != SQLITE_DONE;
    if (nall)
        qsort(all, nall, sizeof *all, cluster_cmp);
    json_t *clusters = json_array();
    for (size_t i = 0; i < nall && !dberr; i++) {
        if ((long)json_array_size(all[i]->ids) < min_size || (long)json_array_size(clusters) >= limit)
            break; /* sorted largest first */
        json_t *cj = cluster_json(r->w, all[i]);
        if (!cj)
            dberr = 1;
        else
            json_array_append_new(clusters, cj);
    }
    for (size_t i = 0; i < nall; i++) {
        json_decref(all[i]->ids);
        json_decref(all[i]->titles);
        free(all[i]->budgets);
        free(all[i]);
    }
    free(all);
    if (dberr) {
        json_decref(clusters);
        reply_error(r, ERR_UNAVAILABLE, NULL, "the database cannot be read right now");
        return;
    }
    reply_json(r, 200, json_pack("{s:o}", "clusters", clusters));
}

/* ------------------------------------------------------------ reviews */

/* Reviewers' names and the need a review came from are shown to centers,
 * admins, the resource's provider and the reviewer; others see ratings. */
static json_t *review_json(const char *id, const char *res_id, const char *ent_id,
                           const char *ent_name, const char *camp_id, const char *need_id,
                           int rating, const char *text, const char *at, int show_who)
{
    json_t *o = json_pack("{s:s, s:s, s:i, s:s, s:s}", "id", id, "resource_id", res_id,
                          "rating", rating, "text", text ? text : "", "created_at", at);
    if (camp_id)
        json_object_set_new(o, "campaign_id", json_string(camp_id));
    if (show_who) {
        json_object_set_new(o, "enterprise", json_pack("{s:s, s:s}", "id", ent_id, "name", ent_name));
        if (need_id)
            json_object_set_new(o, "need_id", json_string(need_id));
    }
    return o;
}

static int review_txn(struct req *r, const char *id, const char *now, struct outcome *o)
{
    static const char SQL_MAY[] =
        "SELECT (SELECT count(*) FROM participants p JOIN campaigns c ON c.id = p.campaign_id"
        "   WHERE p.campaign_id = ?1 AND p.org_id = ?2 AND p.status = 'accepted'"
        "   AND c.resource_id = ?3)"
        " + (SELECT count(*) FROM needs n JOIN responses s ON s.need_id = n.id"
        "   WHERE n.id = ?4 AND n.enterprise_id = ?2 AND s.resource_id = ?3"
        "   AND s.status = 'accepted')";
    static const char SQL_INS[] =
        "INSERT INTO reviews(id, resource_id, enterprise_id, enterprise_name, campaign_id,"
        " need_id, rating, text, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
    static const char SQL_RATE[] =
        "UPDATE resources SET rating_sum = rating_sum + ?2, rating_count = rating_count + 1"
        " WHERE id = ?1";
    struct db *db = r->w->db;
    json_t *b = r->body;
    const char *res_id = r->params[0];
    const char *camp = json_string_value(json_object_get(b, "campaign_id"));
    const char *need = json_string_value(json_object_get(b, "need_id"));
    json_t *res = resource_get(db, res_id);
    if (!res)
        return refuse(o, ERR_NOT_FOUND, NULL, "no resource %s", res_id);
    json_decref(res);
    sqlite3_stmt *st = db_stmt(db, SQL_MAY);
    if (!st)
        return db_failed(o);
    db_bind_text(st, 1, camp);
    sqlite3_bind_text(st, 2, r->who.org_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, res_id, -1, SQLITE_STATIC);
    db_bind_text(st, 4, need);
    int rc = sqlite3_step(st);
    int may = rc == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return db_failed(o);
    if (!may)
        return refuse(o, ERR_FORBIDDEN, NULL, camp ? "only an accepted participant of that"
                      " campaign, run with this resource, may review it"
                      : "only the enterprise that accepted a response with this resource"
                      " to that need may review it");
    int rating = (int)json_integer_value(json_object_get(b, "rating"));
    const char *text = json_string_value(json_object_get(b, "text"));
    st = db_stmt(db, SQL_INS);
    if (!st)
        return db_failed(o);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, res_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, r->who.org_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, r->who.org_name, -1, SQLITE_STATIC);
    db_bind_text(st, 5, camp);
    db_bind_text(st, 6, need);
    sqlite3_bind_int(st, 7, rating);
    sqlite3_bind_text(st, 8, text ? text : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, now, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_CONSTRAINT_UNIQUE)
        return refuse(o, ERR_CONFLICT, NULL, "you have already reviewed this resource for this %s",
                      camp ? "campaign" : "need");
    if (rc != SQLITE_DONE)
        return db_failed(o);
    st = db_stmt(db, SQL_RATE);
    if (!st)
        return db_failed(o);
    sqlite3_bind_text(st, 1, res_id, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, rating);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : db_failed(o);
}

void h_review_create(struct req *r)
{
    if (body_ok(r, REVIEW_FIELDS) < 0)
        return;
    json_t *b = r->body;
    const char *camp = json_string_value(json_object_get(b, "campaign_id"));
    const char *need = json_string_value(json_object_get(b, "need_id"));
    if (!camp == !need) {
        reply_error(r, ERR_INVALID_FIELD, "campaign_id",
                    "give exactly one of campaign_id and need_id: what the review is about");
        return;
    }
    if (begin_or_reply(r) < 0)
        return;
    char id[48], now[32];
    util_new_id(id, sizeof id, "rev");
    util_now_rfc3339(now);
    struct outcome o;
    struct db *db = r->w->db;
    int rc = review_txn(r, id, now, &o);
    if (rc < 0) {
        db_rollback(db);
        reply_error(r, o.err, o.field[0] ? o.field : NULL, "%s", o.msg);
        return;
    }
    if (db_commit(db) < 0) {
        reply_error(r, ERR_UNAVAILABLE, NULL, "the database cannot be written right now");
        return;
    }
    char loc[128];
    snprintf(loc, sizeof loc, "/v1/resources/%s/reviews", r->params[0]);
    reply_header(r, "Location", loc);
    reply_json(r, 201, review_json(id, r->params[0], r->who.org_id, r->who.org_name, camp, need,
                                   (int)json_integer_value(json_object_get(b, "rating")),
                                   json_string_value(json_object_get(b, "text")), now, 1));
}

void h_reviews_list(struct req *r)
{
    static const char SQL[] =
        "SELECT rvid, id, enterprise_id, enterprise_name, campaign_id, need_id, rating, text,"
        " created_at FROM reviews WHERE resource_id = ?1 AND rvid < ?2"
        " ORDER BY rvid DESC LIMIT ?3";
    long limit;
    if (req_long_param(r, "limit", 20, 1, 100, &limit) < 0)
        return;
    int64_t after = INT64_MAX;
    const char *cursor = req_query(r, "cursor");
    if (cursor && *cursor) {
        char *end = NULL;
        long long v = strncmp(cursor, "c1", 2) == 0 ? strtoll(cursor + 2, &end, 16) : 0;
        if (v <= 0 || *end) {
            reply_error(r, ERR_BAD_PARAM, "cursor", "cursor is not one this server returned");
            return;
        }
        after = v;
    }
    struct db *db = r->w->db;
    json_t *res = resource_get(db, r->params[0]);
    if (!res) {
        reply_error(r, ERR_NOT_FOUND, NULL, "no resource %s", r->params[0]);
        return;
    }
    const char *prov = json_string_value(json_object_get(json_object_get(res, "provider"), "id"));
    int privileged = (r->who.role & (ROLE_CENTER | ROLE_ADMIN)) ||
                     (r->who.role == ROLE_PROVIDER && prov && req_is_caller(r, prov));
    json_t *rating = json_incref(json_object_get(res, "rating"));
    json_decref(res);
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st) {
        json_decref(rating);
        reply_error(r, ERR_UNAVAILABLE, NULL, "the database cannot be read right now");
        return;
    }
    sqlite3_bind_text(st, 1, r->params[0], -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, after);
    sqlite3_bind_int64(st, 3, limit + 1);
    json_t *items = json_array();
    int64_t last = 0;
    int more = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if ((long)json_array_size(items) == limit) {
            more = 1;
            break;
        }
        last = sqlite3_column_int64(st, 0);
        const char *ent = (const char *)sqlite3_column_text(st, 2);
        int show = privileged || (r->who.role && req_is_caller(r, ent));
        json_array_append_new(
            items, review_json((const char *)sqlite3_column_text(st, 1), r->params[0], ent,
                               (const char *)sqlite3_column_text(st, 3),
                               (const char *)sqlite3_column_text(st, 4),
                               (const char *)sqlite3_column_text(st, 5), sqlite3_column_int(st, 6),
                               (const char *)sqlite3_column_text(st, 7),
                               (const char *)sqlite3_column_text(st, 8), show));
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        json_decref(items);
        json_decref(rating);
        reply_error(r, ERR_UNAVAILABLE, NULL, "the database cannot be read right now");
        return;
    }
    json_t *next = json_null();
    if (more) {
        char buf[32];
        snprintf(buf, sizeof buf, "c1%llx", (unsigned long long)last);
        next = json_string(buf);
    }
    reply_json(r, 200, json_pack("{s:o, s:o, s:o}", "rating", rating, "items", items,
                                 "next_cursor", next));
}

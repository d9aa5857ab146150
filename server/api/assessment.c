/*
 * assessment.c - the assessment record (see assessment.h): its body
 * checks, storage with the score computed from the instrument, its
 * revisions, the JSON as each caller may see it, and the demo loader.
 * The handlers are assessments.c (create, read, list, patch, submit,
 * verify, return) and gaps.c (gaps and the needs made from them).
 *
 * Invariants:
 *  - score, level and level_check in a row are always those the
 *    instrument gives its answers and scenes (asmt_insert and asmt_save
 *    are the only writers, and both compute them);
 *  - every change of state appends a revision in the same transaction
 *    and bumps the version;
 *  - answers, evidence and scenes are stored as checked by
 *    instrument_check, with no nulls.
 */
#include "assessment.h"

#include "authority.h"

#include "auth.h"
#include "db.h"
#include "org.h"
#include "enterprise.h"
#include "instrument.h"
#include "log.h"
#include "req.h"
#include "util.h"
#include "write.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Members the server computes or owns: a body that sends one is refused. */
static const char *const SERVER_OWNED[] = {
    "score", "level", "level_check", "missing", "status", "id", "org", "created_by",
    "verified_by", "verified_at", "submitted_at", "revisions", "version", "created_at",
    "updated_at", NULL,
};

static const struct vfield CREATE_FIELDS[] = {
    {"instrument", V_STRING, 1, 1, 40, 0, NULL, 0},
    {"org_id", V_ID, 0, 0, 0, 0, NULL, 0},
    {"mode", V_STRING, 0, 1, 10, 0, NULL, 0},
    {"answers", V_ANY_OBJECT, 0, 0, 0, 0, NULL, 0},
    {"evidence", V_ANY_OBJECT, 0, 0, 0, 0, NULL, 0},
    {"scenes", V_ANY_OBJECT, 0, 0, 0, 0, NULL, 0},
    {"note", V_STRING, 0, 0, 2000, 0, NULL, 0},
    VFIELD_END,
};

static const struct vfield PATCH_FIELDS[] = {
    {"mode", V_STRING, 0, 1, 10, 0, NULL, 0},
    {"answers", V_ANY_OBJECT, 0, 0, 0, 0, NULL, 0},
    {"evidence", V_ANY_OBJECT, 0, 0, 0, 0, NULL, 0},
    {"scenes", V_ANY_OBJECT, 0, 0, 0, 0, NULL, 0},
    {"note", V_STRING, 0, 0, 2000, 0, NULL, 0},
    VFIELD_END,
};

static const char *const MAPS[] = {"answers", "evidence", "scenes"};

int asmt_visible(struct db *db, const struct asmt *a, const struct caller *who)
{
    if (who->role & (ROLE_CENTER | ROLE_ADMIN))
        return 1;
    if (authority_is(who))
        return authority_sees_org(db, who, a->org_id) == 1;
    return who->role == ROLE_ENTERPRISE && strcmp(a->org_id, who->org_id) == 0;
}

int asmt_load(struct db *db, const char *id, const struct caller *who, struct asmt *a,
              struct outcome *o)
{
    static const char SQL[] =
        "SELECT id, org_id, creator_org, status, instrument, mode, level, version"
        " FROM assessments WHERE id = ?1";
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return refuse_db(o, db, "assessment load");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        snprintf(a->id, sizeof a->id, "%s", sqlite3_column_text(st, 0));
        snprintf(a->org_id, sizeof a->org_id, "%s", sqlite3_column_text(st, 1));
        snprintf(a->creator_org, sizeof a->creator_org, "%s", sqlite3_column_text(st, 2));
        snprintf(a->status, sizeof a->status, "%s", sqlite3_column_text(st, 3));
        snprintf(a->instrument, sizeof a->instrument, "%s", sqlite3_column_text(st, 4));
        snprintf(a->mode, sizeof a->mode, "%s", sqlite3_column_text(st, 5));
        a->level = sqlite3_column_int(st, 6);
        a->version = sqlite3_column_int64(st, 7);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return refuse_db(o, db, "assessment load");
    if (rc == SQLITE_DONE || !asmt_visible(db, a, who))
        return refuse(o, ERR_NOT_FOUND, NULL, "no assessment %s", id);
    return 0;
}

int assessment_body_check(json_t *body, int create, const struct instrument **in,
                          struct verr *e)
{
    for (int i = 0; SERVER_OWNED[i]; i++)
        if (json_object_get(body, SERVER_OWNED[i]))
            return verr_set(e, SERVER_OWNED[i], "%s is set by the server (score and level are"
                            " computed from the instrument): do not send it", SERVER_OWNED[i]);
    if (!create && json_object_get(body, "instrument"))
        return verr_set(e, "instrument", "an assessment keeps its instrument: start a new one"
                        " for another");
    if (!create && json_object_get(body, "org_id"))
        return verr_set(e, "org_id", "an assessment keeps its enterprise");
    if (validate(body, create ? CREATE_FIELDS : PATCH_FIELDS, e) < 0)
        return -1;
    const char *mode = json_string_value(json_object_get(body, "mode"));
    if (mode && strcmp(mode, "self") != 0 && strcmp(mode, "onsite") != 0)
        return verr_set(e, "mode", "mode must be self or onsite");
    if (!create)
        return 0;
    const char *code = json_string_value(json_object_get(body, "instrument"));
    *in = instruments_find(code);
    if (!*in)
        return verr_set(e, "instrument", "no instrument \"%s\" (GET /v1/instruments lists them)",
                        code);
    /* A create's maps lose their null members, as a patch's do. */
    for (int i = 0; i < 3; i++) {
        json_t *m = json_object_get(body, MAPS[i]);
        if (m) {
            json_t *empty = json_object();
            json_object_set_new(body, MAPS[i], json_merge_patch(empty, m));
            json_decref(empty);
        }
    }
    return instrument_check(*in, json_object_get(body, "answers"),
                            json_object_get(body, "evidence"), json_object_get(body, "scenes"), e);
}

/* Binds the score of answers/scenes under in: ?s total, ?s+1 level, ?s+2
 * points and ?s+3 checks (the compact forms, instrument.h); *texts gets
 * the two strings to free after the step. */
static void bind_score(sqlite3_stmt *st, int s, const struct instrument *in, json_t *answers,
                       json_t *scenes, char *texts[2])
{
    struct instr_score sc;
    instrument_score(in, answers, scenes, &sc);
    json_t *pj = instrument_points_compact(in, &sc), *cj = instrument_checks_compact(in, &sc);
    texts[0] = json_dumps(pj, JSON_COMPACT);
    texts[1] = json_dumps(cj, JSON_COMPACT);
    json_decref(pj);
    json_decref(cj);
    sqlite3_bind_double(st, s, sc.total);
    sqlite3_bind_int(st, s + 1, sc.level);
    sqlite3_bind_text(st, s + 2, texts[0], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, s + 3, texts[1], -1, SQLITE_STATIC);
}

/* The JSON text of map (or "{}"), to free. */
static char *dump_map(json_t *m)
{
    return m ? json_dumps(m, JSON_COMPACT) : xstrdup("{}");
}

int asmt_insert(struct db *db, const char *id, const char *org_id, const struct instrument *in,
                const char *mode, const struct caller *who, json_t *body, const char *at)
{
    static const char SQL[] =
        "INSERT INTO assessments(id, org_id, instrument, mode, status, total, level, points,"
        " checks, creator_org, created_at, updated_at, note, answers, evidence, scenes)"
        " VALUES (?1, ?2, ?3, ?4, 'draft', ?5, ?6, ?7, ?8, ?9, ?11, ?11, ?12, ?13, ?14, ?15)";
    char now[32];
    if (at)
        snprintf(now, sizeof now, "%s", at);
    else
        util_now_rfc3339(now);
    if (enterprise_file_ensure(db, org_id, now) < 0)
        return -1;
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    json_t *answers = json_object_get(body, "answers"), *evidence = json_object_get(body, "evidence"),
           *scenes = json_object_get(body, "scenes");
    char *texts[2], *a = dump_map(answers), *e = dump_map(evidence), *s = dump_map(scenes);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, org_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, in->code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, mode, -1, SQLITE_STATIC);
    bind_score(st, 5, in, answers, scenes, texts);
    sqlite3_bind_text(st, 9, who->org_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 11, now, -1, SQLITE_STATIC);
    db_bind_text(st, 12, json_string_value(json_object_get(body, "note")));
    sqlite3_bind_text(st, 13, a, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 14, e, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 15, s, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    free(texts[0]);
    free(texts[1]);
    free(a);
    free(e);
    free(s);
    if (rc != SQLITE_DONE)
        return -1;
    return asmt_revision(db, id, who, NULL, "draft", "created", NULL, now);
}

int asmt_save(struct db *db, const char *id, const struct instrument *in, json_t *answers,
              json_t *evidence, json_t *scenes, json_t *note, const char *to,
              const struct caller *who, const char *now)
{
    static const char SQL[] =
        "UPDATE assessments SET answers = ?2, evidence = ?3, scenes = ?4,"
        " note = CASE WHEN ?5 = 1 THEN ?6 ELSE note END, total = ?7, level = ?8, points = ?9,"
        " checks = ?10, status = ?11, version = version + 1, updated_at = ?12,"
        " submitted_at = CASE WHEN ?11 = 'submitted' THEN ?12 ELSE submitted_at END,"
        " verified_at = CASE WHEN ?11 = 'verified' THEN ?12 ELSE verified_at END"
        " WHERE id = ?1";
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    char *texts[2], *a = dump_map(answers), *e = dump_map(evidence), *s = dump_map(scenes);
    (void)who; /* the revision the caller appends names who */
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, a, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, e, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, s, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 5, note != NULL);
    db_bind_text(st, 6, json_string_value(note));
    bind_score(st, 7, in, answers, scenes, texts);
    sqlite3_bind_text(st, 11, to, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 12, now, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    free(texts[0]);
    free(texts[1]);
    free(a);
    free(e);
    free(s);
    return rc == SQLITE_DONE ? 0 : -1;
}

int asmt_contents(struct db *db, const char *id, json_t **answers, json_t **evidence,
                  json_t **scenes)
{
    static const char SQL[] = "SELECT answers, evidence, scenes FROM assessments WHERE id = ?1";
    *answers = *evidence = *scenes = NULL;
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    json_t **out[3] = {answers, evidence, scenes};
    for (int i = 0; i < 3; i++) {
        *out[i] = rc == SQLITE_ROW ? json_loads((const char *)sqlite3_column_text(st, i), 0, NULL)
                                   : NULL;
        if (!*out[i])
            *out[i] = json_object();
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : -1;
}

int asmt_revision(struct db *db, const char *id, const struct caller *who, const char *from,
                  const char *to, const char *reason, json_t *detail, const char *now)
{
    static const char SQL[] =
        "INSERT INTO assessment_revisions(assessment_id, at, by_org, by_name, by_role, by_user,"
        " by_user_name, by_key, from_status, to_status, reason, detail)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    char *det = detail ? json_dumps(detail, JSON_COMPACT) : NULL;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, who->org_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, who->org_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, role_name(who->role), -1, SQLITE_STATIC);
    db_bind_text(st, 6, who->user_id[0] ? who->user_id : NULL);
    db_bind_text(st, 7, who->user_id[0] ? who->user_name : NULL);
    db_bind_text(st, 8, who->prefix[0] ? who->prefix : NULL);
    db_bind_text(st, 9, from);
    sqlite3_bind_text(st, 10, to, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 11, reason ? reason : "", -1, SQLITE_STATIC);
    db_bind_text(st, 12, det);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    free(det);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* ------------------------------------------------------------ reading */

static json_t *col_json(sqlite3_stmt *st, int col)
{
    if (sqlite3_column_type(st, col) == SQLITE_NULL)
        return json_null();
    json_t *j = json_loads((const char *)sqlite3_column_text(st, col), 0, NULL);
    return j ? j : json_null();
}

static json_t *col_text(sqlite3_stmt *st, int col)
{
    return sqlite3_column_type(st, col) == SQLITE_NULL
               ? json_null()
               : json_string((const char *)sqlite3_column_text(st, col));
}

/* The actor of a revision row from its by_* columns at col (as
 * auth_actor_json() makes it from a caller; new reference). */
static json_t *actor_json(sqlite3_stmt *st, int col)
{
    struct caller who = {.role = role_parse((const char *)sqlite3_column_text(st, col + 2))};
    snprintf(who.org_id, sizeof who.org_id, "%s", sqlite3_column_text(st, col));
    snprintf(who.org_name, sizeof who.org_name, "%s", sqlite3_column_text(st, col + 1));
    if (sqlite3_column_type(st, col + 3) != SQLITE_NULL) {
        snprintf(who.user_id, sizeof who.user_id, "%s", sqlite3_column_text(st, col + 3));
        snprintf(who.user_name, sizeof who.user_name, "%s", sqlite3_column_text(st, col + 4));
    }
    if (sqlite3_column_type(st, col + 5) != SQLITE_NULL)
        snprintf(who.prefix, sizeof who.prefix, "%s", sqlite3_column_text(st, col + 5));
    return auth_actor_json(&who);
}

/* Adds revisions, created_by (the first revision's actor) and
 * verified_by (the verifying one's, or null) to out. */
static int render_revisions(struct db *db, const char *id, json_t *out)
{
    static const char SQL[] =
        "SELECT at, by_org, by_name, by_role, by_user, by_user_name, by_key, from_status,"
        " to_status, reason, detail FROM assessment_revisions WHERE assessment_id = ?1 ORDER BY id";
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    json_t *revs = json_array(), *created = NULL, *verified = NULL;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *by = actor_json(st, 1);
        const char *to = (const char *)sqlite3_column_text(st, 8);
        if (!created)
            created = json_incref(by);
        if (strcmp(to, "verified") == 0) {
            json_decref(verified);
            verified = json_incref(by);
        }
        json_t *rv = json_pack("{s:s, s:o, s:o, s:s, s:s}", "at", sqlite3_column_text(st, 0),
                               "by", by, "from", col_text(st, 7), "to", to, "reason",
                               sqlite3_column_text(st, 9));
        json_t *detail = col_json(st, 10);
        if (json_is_object(detail))
            json_object_update(rv, detail);
        json_decref(detail);
        json_array_append_new(revs, rv);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE || !created) {
        json_decref(revs);
        json_decref(created);
        json_decref(verified);
        return -1;
    }
    json_object_set_new(out, "created_by", created);
    json_object_set_new(out, "verified_by", verified ? verified : json_null());
    json_object_set_new(out, "revisions", revs);
    return 0;
}

/* The score of the row at st (total, level, points, checks at col ..
 * col + 3) under in, as stored; rescored from answers and scenes when the
 * stored shape does not fit in. */
void assessment_row_score(sqlite3_stmt *st, int col, const struct instrument *in, json_t *answers,
                          json_t *scenes, struct instr_score *sc)
{
    json_t *points = json_loads((const char *)sqlite3_column_text(st, col + 2), 0, NULL);
    json_t *checks = json_loads((const char *)sqlite3_column_text(st, col + 3), 0, NULL);
    if (instrument_score_restore(in, sqlite3_column_double(st, col), sqlite3_column_int(st, col + 1),
                                 points, checks, sc) < 0)
        instrument_score(in, answers, scenes, sc);
    json_decref(points);
    json_decref(checks);
}

int assessment_json(struct db *db, const char *id, const struct caller *who, json_t **out)
{
    static const char SQL[] =
        "SELECT a.id, a.org_id, o.name, a.instrument, a.mode, a.status, a.note, a.submitted_at,"
        " a.verified_at, a.version, a.created_at, a.updated_at, a.answers, a.evidence, a.scenes,"
        " a.total, a.level, a.points, a.checks"
        " FROM assessments a JOIN orgs o ON o.id = a.org_id WHERE a.id = ?1";
    *out = NULL;
    sqlite3_stmt *st = db_stmt(db, SQL);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? 1 : -1;
    }
    struct asmt a = {0};
    snprintf(a.org_id, sizeof a.org_id, "%s", sqlite3_column_text(st, 1));
    const struct instrument *in = instruments_find((const char *)sqlite3_column_text(st, 3));
    if (!asmt_visible(db, &a, who) || !in) {
        sqlite3_reset(st);
        return in ? 1 : -1;
    }
    json_t *o = json_pack("{s:s, s:{s:s, s:s}, s:s, s:s, s:s}", "id", sqlite3_column_text(st, 0),
                          "org", "id", a.org_id, "name", sqlite3_column_text(st, 2), "instrument",
                          sqlite3_column_text(st, 3), "mode", sqlite3_column_text(st, 4),
                          "status", sqlite3_column_text(st, 5));
    json_t *answers = col_json(st, 12), *scenes = col_json(st, 14);
    json_object_set(o, "answers", answers);
    json_object_set_new(o, "evidence", col_json(st, 13));
    json_object_set(o, "scenes", scenes);
    if (sqlite3_column_type(st, 6) != SQLITE_NULL)
        json_object_set_new(o, "note", col_text(st, 6));
    struct instr_score sc, now;
    assessment_row_score(st, 15, in, answers, scenes, &sc);
    json_object_set_new(o, "score", instrument_score_json(in, &sc));
    json_object_set_new(o, "level", json_integer(sc.level));
    json_object_set_new(o, "level_check", instrument_checks_json(in, &sc));
    instrument_score(in, answers, scenes, &now); /* what is answered: by the file */
    json_object_set_new(o, "missing", instrument_missing_json(in, &now));
    json_decref(answers);
    json_decref(scenes);
    json_object_set_new(o, "submitted_at", col_text(st, 7));
    json_object_set_new(o, "verified_at", col_text(st, 8));
    json_object_set_new(o, "version", json_integer(sqlite3_column_int64(st, 9)));
    json_object_set_new(o, "created_at", col_text(st, 10));
    json_object_set_new(o, "updated_at", col_text(st, 11));
    sqlite3_reset(st);
    if (render_revisions(db, id, o) < 0) {
        json_decref(o);
        return -1;
    }
    *out = o;
    return 0;
}

void assessment_reply(struct req *r, int status, const char *id)
{
    json_t *a;
    int rc = assessment_json(r->w->db, id, &r->who, &a);
    if (rc != 0) {
        if (rc > 0)
            reply_error(r, ERR_NOT_FOUND, NULL, "no assessment %s", id);
        else
            reply_db_error(r, DB_READ);
        return;
    }
    reply_record(r, status, a, "assessments");
}

void assessment_finish(struct req *r, int rc, const struct outcome *o, int status,
                       const char *id)
{
    if (write_finish(r, rc, o) == 0)
        assessment_reply(r, status, id);
}

/* ------------------------------------------------------------ demo data */

/* Fills who as the organisation named name in role (0 or 1: no such
 * organisation; -1 on error). */
static int caller_named(struct db *db, const char *name, int role, struct caller *who)
{
    memset(who, 0, sizeof *who);
    if (!name)
        return 1;
    int rc = org_find(db, name, who->org_id);
    if (rc == 0) {
        who->role = role;
        snprintf(who->org_name, sizeof who->org_name, "%s", name);
    }
    return rc;
}

int assessment_seed(struct db *db, json_t *line, char *msg, size_t msglen)
{
    struct caller ent, center;
    const char *ename = json_string_value(json_object_get(line, "enterprise"));
    const char *cname = json_string_value(json_object_get(line, "by"));
    const char *status = json_string_value(json_object_get(line, "status"));
    const char *created = json_string_value(json_object_get(line, "created_at"));
    const char *verified = json_string_value(json_object_get(line, "verified_at"));
    int rc = caller_named(db, ename, ROLE_ENTERPRISE, &ent);
    if (rc == 0)
        rc = caller_named(db, cname, ROLE_CENTER, &center);
    if (rc != 0) {
        snprintf(msg, msglen, "\"enterprise\" and \"by\" must name an enterprise and a center");
        return rc < 0 ? -1 : 1;
    }
    if (!status || (strcmp(status, "draft") && strcmp(status, "submitted") && strcmp(status, "verified"))) {
        snprintf(msg, msglen, "\"status\" must be draft, submitted or verified");
        return 1;
    }
    json_t *body = json_deep_copy(line), *corr = json_incref(json_object_get(line, "corrections"));
    static const char *const SEED_ONLY[] = {"enterprise", "by", "status", "created_at",
                                            "verified_at", "corrections", "verify_note", NULL};
    const char *vnote = json_string_value(json_object_get(line, "verify_note"));
    for (int i = 0; SEED_ONLY[i]; i++)
        json_object_del(body, SEED_ONLY[i]);
    const struct instrument *in = NULL;
    struct verr e;
    int out = 1;
    char id[48], now[32];
    json_t *answers = NULL, *evidence = NULL, *scenes = NULL;
    if (assessment_body_check(body, 1, &in, &e) < 0 ||
        (corr && instrument_check(in, NULL, NULL, corr, &e) < 0)) {
        snprintf(msg, msglen, "%s (field %s)", e.msg, e.field);
        goto done;
    }
    const char *mode = json_string_value(json_object_get(body, "mode"));
    mode = mode ? mode : "self";
    const struct caller *creator = strcmp(mode, "onsite") == 0 ? &center : &ent;
    util_new_id(id, sizeof id, "asmt");
    out = -1;
    if (asmt_insert(db, id, ent.org_id, in, mode, creator, body, created) < 0)
        goto done;
    if (strcmp(status, "draft") == 0) {
        out = 0;
        goto done;
    }
    snprintf(now, sizeof now, "%s", verified ? verified : created ? created : "");
    if (!*now)
        util_now_rfc3339(now);
    if (asmt_contents(db, id, &answers, &evidence, &scenes) < 0 ||
        asmt_save(db, id, in, answers, evidence, scenes, NULL, "submitted", creator, now) < 0 ||
        asmt_revision(db, id, creator, "draft", "submitted", "", NULL, now) < 0)
        goto done;
    if (strcmp(status, "verified") == 0) {
        json_t *detail = NULL;
        if (json_is_object(corr) && json_object_size(corr)) {
            json_t *fix = json_object();
            const char *k;
            json_t *v;
            json_object_foreach(corr, k, v) {
                json_object_set_new(fix, k, json_pack("{s:O, s:O}", "claimed",
                                                      json_object_get(scenes, k) ? json_object_get(scenes, k) : json_null(),
                                                      "verified", v));
                json_object_set(scenes, k, v);
            }
            detail = json_pack("{s:o}", "scene_corrections", fix);
        }
        struct instr_score sc;
        instrument_score(in, answers, scenes, &sc);
        int bad = asmt_save(db, id, in, answers, evidence, scenes, NULL, "verified", &center, now) < 0 ||
                  asmt_revision(db, id, &center, "submitted", "verified", vnote, detail, now) < 0 ||
                  enterprise_file_set_level(db, ent.org_id, sc.level, now, id) < 0;
        json_decref(detail);
        if (bad)
            goto done;
    }
    out = 0;
done:
    json_decref(body);
    json_decref(corr);
    json_decref(answers);
    json_decref(evidence);
    json_decref(scenes);
    return out;
}

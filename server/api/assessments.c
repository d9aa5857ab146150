/*
 * assessments.c - assessments over HTTP (assessment.h has the record,
 * the states and who may do what):
 *   POST  /v1/assessments                 enterprise (itself), center (org_id)
 *   GET   /v1/assessments                 enterprise (its own), centers, admins
 *   GET   /v1/assessments/{id}
 *   PATCH /v1/assessments/{id}            its creator, while draft
 *   POST  /v1/assessments/{id}/submit     its creator: draft -> submitted
 *   POST  /v1/assessments/{id}/verify     center: submitted -> verified
 *   POST  /v1/assessments/{id}/return     center: submitted -> draft
 * Every write is one transaction (write.h) that re-reads what it checks
 * and honours If-Match.
 */
#include "handlers.h"

#include "assessment.h"
#include "authority.h"
#include "db.h"
#include "enterprise.h"
#include "instrument.h"
#include "regions.h"
#include "req.h"
#include "taxonomy.h"
#include "util.h"
#include "write.h"
#include "zh.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct vfield VERIFY_FIELDS[] = {
    {"scenes", V_ANY_OBJECT, 0, 0, 0, 0, NULL, 0},
    {"note", V_STRING, 0, 0, 500, 0, NULL, 0},
    VFIELD_END,
};

static const struct vfield RETURN_FIELDS[] = {
    {"reason", V_STRING, 1, 1, 500, 0, NULL, 0},
    VFIELD_END,
};

static const struct vfield SUBMIT_FIELDS[] = {
    VFIELD_END,
};

/* ------------------------------------------------------------ create */

static int create_txn(struct req *r, const struct instrument *in, const char *org_id,
                      const char *mode, const char *id, struct outcome *o)
{
    struct db *db = r->w->db;
    int kind = enterprise_kind(db, org_id, NULL);
    if (kind < 0)
        return refuse_db(o, db, "assessment create");
    if (kind == ENT_NONE)
        return refuse(o, ERR_INVALID_FIELD, "org_id", "no organisation %s", org_id);
    if (kind == ENT_OTHER)
        return refuse(o, ERR_INVALID_FIELD, "org_id", "%s is not an enterprise", org_id);
    if (asmt_insert(db, id, org_id, in, mode, &r->who, r->body, NULL) < 0)
        return refuse_db(o, db, "assessment create");
    return 0;
}

void h_assessment_create(struct req *r)
{
    const struct instrument *in = NULL;
    struct verr e;
    if (assessment_body_check(r->body, 1, &in, &e) < 0) {
        reply_verr(r, &e);
        return;
    }
    const char *org_id = json_string_value(json_object_get(r->body, "org_id"));
    const char *mode = json_string_value(json_object_get(r->body, "mode"));
    if (r->who.role == ROLE_ENTERPRISE) {
        if (org_id && !req_is_caller(r, org_id)) {
            reply_error(r, ERR_FORBIDDEN, "org_id", "an enterprise assesses itself only");
            return;
        }
        if (mode && strcmp(mode, "onsite") == 0) {
            reply_error(r, ERR_INVALID_FIELD, "mode", "an onsite assessment (现场评定) is made"
                        " by a center");
            return;
        }
        org_id = r->who.org_id;
        mode = "self";
    } else {
        if (!org_id) {
            reply_error(r, ERR_INVALID_FIELD, "org_id", "a center names the enterprise it"
                        " assesses in org_id");
            return;
        }
        mode = mode ? mode : "onsite";
    }
    char id[48];
    util_new_id(id, sizeof id, "asmt");
    if (write_begin(r) < 0)
        return;
    struct outcome o;
    int rc = create_txn(r, in, org_id, mode, id, &o);
    assessment_finish(r, rc, &o, 201, id);
}

/* ------------------------------------------------------------ read */

void h_assessment_get(struct req *r)
{
    assessment_reply(r, 200, r->params[0]);
}

/* A list item: the assessment without answers and revisions, its score
 * as total and dimensions. */
static json_t *summary_json(sqlite3_stmt *st)
{
    const struct instrument *in = instruments_find((const char *)sqlite3_column_text(st, 4));
    json_t *dims = json_object();
    if (in) {
        struct instr_score sc;
        assessment_row_score(st, 7, in, NULL, NULL, &sc);
        for (int d = 0; d < in->nd; d++)
            json_object_set_new(dims, in->d[d].name, json_real(sc.dim[d]));
    }
    json_t *o = json_pack("{s:s, s:{s:s, s:s}, s:s, s:s, s:s, s:{s:f, s:o}, s:i, s:I, s:s, s:s}",
                          "id", sqlite3_column_text(st, 1), "org", "id", sqlite3_column_text(st, 2),
                          "name", sqlite3_column_text(st, 3), "instrument",
                          sqlite3_column_text(st, 4), "mode", sqlite3_column_text(st, 5),
                          "status", sqlite3_column_text(st, 6), "score", "total",
                          sqlite3_column_double(st, 7), "dimensions", dims, "level",
                          sqlite3_column_int(st, 8), "version",
                          (json_int_t)sqlite3_column_int64(st, 11), "created_at",
                          sqlite3_column_text(st, 12), "updated_at", sqlite3_column_text(st, 13));
    for (int c = 14; c <= 15; c++)
        json_object_set_new(o, c == 14 ? "submitted_at" : "verified_at",
                            sqlite3_column_type(st, c) == SQLITE_NULL
                                ? json_null()
                                : json_string((const char *)sqlite3_column_text(st, c)));
    return o;
}

void h_assessments_list(struct req *r)
{
    static const char SQL[] =
        "SELECT a.aid, a.id, a.org_id, o.name, a.instrument, a.mode, a.status, a.total, a.level,"
        " a.points, a.checks, a.version, a.created_at, a.updated_at, a.submitted_at, a.verified_at"
        " FROM assessments a JOIN orgs o ON o.id = a.org_id"
        " LEFT JOIN enterprise_files f ON f.org_id = a.org_id"
        " WHERE a.aid < ?1 AND (?2 IS NULL OR a.org_id = ?2) AND (?3 IS NULL OR a.status = ?3)"
        " AND (?4 = -1 OR a.level = ?4) AND ?5 IS NULL AND (?6 IS NULL OR f.industry = ?6)"
        " AND (?7 IS NULL OR a.org_id = ?7)"
        " AND (?9 IS NULL OR" AUTHORITY_WHERE("f", 9, 10, 11) ")"
        " ORDER BY a.aid DESC LIMIT ?8";
    /* One enterprise's: through assessments_org. */
    static const char SQL_BY_ORG[] =
        "SELECT a.aid, a.id, a.org_id, o.name, a.instrument, a.mode, a.status, a.total, a.level,"
        " a.points, a.checks, a.version, a.created_at, a.updated_at, a.submitted_at, a.verified_at"
        " FROM assessments a JOIN orgs o ON o.id = a.org_id"
        " LEFT JOIN enterprise_files f ON f.org_id = a.org_id"
        " WHERE a.org_id = ?2 AND a.aid < ?1 AND (?3 IS NULL OR a.status = ?3)"
        " AND (?4 = -1 OR a.level = ?4) AND (?5 IS NULL OR f.district_code = ?5)"
        " AND (?6 IS NULL OR f.industry = ?6) AND (?7 IS NULL OR a.org_id = ?7)"
        " AND (?9 IS NULL OR" AUTHORITY_WHERE("f", 9, 10, 11) ")"
        " ORDER BY a.aid DESC LIMIT ?8";
    /* With a district, start from the (few) files there and reach their
     * assessments through assessments_org, instead of walking every
     * assessment from the newest (CROSS JOIN keeps that order: the planner
     * cannot tell how few files a bound filter leaves).  An industry holds
     * a large share of the files: walking from the newest finds a page
     * sooner. */
    static const char SQL_BY_FILE[] =
        "SELECT a.aid, a.id, a.org_id, o.name, a.instrument, a.mode, a.status, a.total, a.level,"
        " a.points, a.checks, a.version, a.created_at, a.updated_at, a.submitted_at, a.verified_at"
        " FROM enterprise_files f CROSS JOIN assessments a ON a.org_id = f.org_id"
        " JOIN orgs o ON o.id = a.org_id"
        " WHERE (?5 IS NULL OR f.district_code = ?5) AND (?6 IS NULL OR f.industry = ?6)"
        " AND a.aid < ?1 AND (?2 IS NULL OR a.org_id = ?2) AND (?3 IS NULL OR a.status = ?3)"
        " AND (?4 = -1 OR a.level = ?4) AND (?7 IS NULL OR a.org_id = ?7)"
        " AND (?9 IS NULL OR" AUTHORITY_WHERE("f", 9, 10, 11) ")"
        " ORDER BY a.aid DESC LIMIT ?8";
    long limit, level;
    int64_t after;
    if (req_long_param(r, "limit", 20, 1, 100, &limit) < 0 ||
        req_long_param(r, "level", -1, 0, 4, &level) < 0 || req_cursor_param(r, &after) < 0)
        return;
    const char *org = req_query(r, "org_id"), *status = req_query(r, "status"),
               *ind = req_query(r, "industry");
    org = org && *org ? org : NULL;
    status = status && *status ? status : NULL;
    if (status && strcmp(status, "draft") && strcmp(status, "submitted") && strcmp(status, "verified")) {
        reply_error(r, ERR_BAD_PARAM, "status", "status must be draft, submitted or verified");
        return;
    }
    const char *dcode = NULL;
    if (req_place_param(r, "district", 2, &dcode) < 0)
        return;
    if (ind && *ind && tax_index(TAX_INDUSTRY, ind) < 0) {
        reply_error(r, ERR_BAD_PARAM, "industry", "unknown industry code \"%s\"", ind);
        return;
    }
    /* An enterprise lists its own assessments only. */
    const char *own = r->who.role == ROLE_ENTERPRISE ? r->who.org_id : NULL;
    if (!org)
        org = own;
    sqlite3_stmt *st = db_stmt(r->w->db, org ? SQL_BY_ORG : dcode ? SQL_BY_FILE : SQL);
    if (!st) {
        reply_db_error(r, DB_READ);
        return;
    }
    sqlite3_bind_int64(st, 1, after);
    db_bind_text(st, 2, org);
    db_bind_text(st, 3, status);
    sqlite3_bind_int(st, 4, (int)level);
    db_bind_text(st, 5, dcode);
    db_bind_text(st, 6, ind && *ind ? ind : NULL);
    db_bind_text(st, 7, own);
    sqlite3_bind_int64(st, 8, limit + 1);
    authority_bind(st, 9, &r->who); /* an authority: its region's enterprises only */
    json_t *items = json_array();
    int64_t last = 0;
    int more = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if ((long)json_array_size(items) == limit) {
            more = 1;
            break;
        }
        last = sqlite3_column_int64(st, 0);
        json_array_append_new(items, summary_json(st));
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        json_decref(items);
        reply_db_error(r, DB_READ);
        return;
    }
    reply_json(r, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor",
                                 req_next_cursor(more, last)));
}

/* ------------------------------------------------------------ writes */

/* Loads the assessment of a creator's write (patch, submit): its
 * instrument in *in.  0, or -1 with o filled. */
static int creator_load(struct req *r, int64_t want, struct asmt *a,
                        const struct instrument **in, struct outcome *o)
{
    if (asmt_load(r->w->db, r->params[0], &r->who, a, o) < 0)
        return -1;
    if (!req_is_caller(r, a->creator_org))
        return refuse(o, ERR_FORBIDDEN, NULL, "only the organisation that created an assessment"
                      " changes or submits it");
    if (want && want != a->version)
        return refuse(o, ERR_CONFLICT, NULL, "If-Match names version %" PRId64 " but the"
                      " assessment is at version %" PRId64, want, a->version);
    if (strcmp(a->status, "draft") != 0)
        return refuse(o, ERR_CONFLICT, "status", "the assessment is %s: only a draft changes",
                      a->status);
    *in = instruments_find(a->instrument);
    if (!*in)
        return refuse(o, ERR_CONFLICT, "instrument", "instrument %s is no longer loaded",
                      a->instrument);
    return 0;
}

static int patch_txn(struct req *r, int64_t want, struct outcome *o)
{
    struct db *db = r->w->db;
    struct asmt a;
    const struct instrument *in;
    if (creator_load(r, want, &a, &in, o) < 0)
        return -1;
    const char *mode = json_string_value(json_object_get(r->body, "mode"));
    if (mode && strcmp(mode, "onsite") == 0 && r->who.role != ROLE_CENTER)
        return refuse(o, ERR_INVALID_FIELD, "mode", "an onsite assessment is made by a center");
    json_t *maps[3];
    if (asmt_contents(db, a.id, &maps[0], &maps[1], &maps[2]) < 0)
        return refuse_db(o, db, "assessment patch");
    static const char *const NAMES[3] = {"answers", "evidence", "scenes"};
    for (int i = 0; i < 3; i++) {
        json_t *p = json_object_get(r->body, NAMES[i]);
        if (p) {
            json_t *m = json_merge_patch(maps[i], p);
            json_decref(maps[i]);
            maps[i] = m;
        }
    }
    struct verr e;
    int rc = 0;
    if (instrument_check(in, maps[0], maps[1], maps[2], &e) < 0)
        rc = refuse_verr(o, &e);
    char now[32];
    util_now_rfc3339(now);
    if (rc == 0 && asmt_save(db, a.id, in, maps[0], maps[1], maps[2],
                             json_object_get(r->body, "note"), "draft", &r->who, now) < 0)
        rc = refuse_db(o, db, "assessment patch");
    if (rc == 0 && mode) {
        static const char SQL[] = "UPDATE assessments SET mode = ?2 WHERE id = ?1";
        sqlite3_stmt *st = db_stmt(db, SQL);
        if (st) {
            sqlite3_bind_text(st, 1, a.id, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, mode, -1, SQLITE_STATIC);
            rc = sqlite3_step(st) == SQLITE_DONE ? 0 : refuse_db(o, db, "assessment patch");
            sqlite3_reset(st);
        } else
            rc = refuse_db(o, db, "assessment patch");
    }
    for (int i = 0; i < 3; i++)
        json_decref(maps[i]);
    return rc;
}

void h_assessment_patch(struct req *r)
{
    int64_t want;
    const struct instrument *in;
    struct verr e;
    if (req_if_match(r, &want) < 0)
        return;
    if (assessment_body_check(r->body, 0, &in, &e) < 0) {
        reply_verr(r, &e);
        return;
    }
    if (write_begin(r) < 0)
        return;
    struct outcome o;
    int rc = patch_txn(r, want, &o);
    assessment_finish(r, rc, &o, 200, r->params[0]);
}

/* The missing questions and scenes as "answers.x, scenes.y, …" (to free);
 * NULL when nothing is missing.  *first gets the first one's field, and zh
 * their Chinese names, the first few of them ("“网络建设”题、“质量管理”场景等
 * 12 项"). */
static char *missing_list(const struct instrument *in, const struct instr_score *s,
                          char first[64], char zh[200])
{
    size_t cap = 64, len = 0, zl = 0;
    int count = 0, named = 0;
    char *out = NULL;
    first[0] = '\0';
    zh[0] = '\0';
    for (int pass = 0; pass < 2; pass++) {
        int n = pass ? in->ns : in->nq;
        for (int i = 0; i < n; i++) {
            if (pass ? s->steps[i] >= 0 : s->answered[i])
                continue;
            const char *code = pass ? in->s[i].code : in->q[i].code;
            char item[96];
            int k = snprintf(item, sizeof item, "%s%s.%s", len ? ", " : "",
                             pass ? "scenes" : "answers", code);
            if (!first[0])
                snprintf(first, 64, "%s.%s", pass ? "scenes" : "answers", code);
            char path[96], name[160];
            snprintf(path, sizeof path, "%s.%s", pass ? "scenes" : "answers", code);
            zh_field(path, name, sizeof name);
            count++;
            if (named < 4 && zl + strlen(name) + 4 < 150) {
                zl += (size_t)snprintf(zh + zl, 200 - zl, "%s%s", named ? "、" : "", name);
                named++;
            }
            if (!out || len + (size_t)k + 1 > cap) {
                cap = (cap + (size_t)k) * 2;
                out = xrealloc(out, cap);
            }
            memcpy(out + len, item, (size_t)k + 1);
            len += (size_t)k;
        }
    }
    if (count > named)
        snprintf(zh + zl, 200 - zl, "等 %d 项", count);
    return out;
}

static int submit_txn(struct req *r, int64_t want, struct outcome *o)
{
    struct db *db = r->w->db;
    struct asmt a;
    const struct instrument *in;
    if (creator_load(r, want, &a, &in, o) < 0)
        return -1;
    json_t *ans, *ev, *sc;
    if (asmt_contents(db, a.id, &ans, &ev, &sc) < 0)
        return refuse_db(o, db, "assessment submit");
    struct instr_score s;
    instrument_score(in, ans, sc, &s);
    char first[64], zh[200];
    char *missing = missing_list(in, &s, first, zh);
    int rc = 0;
    if (missing) {
        rc = refuse(o, ERR_INVALID_FIELD, first, "still missing: %s", missing);
        refuse_zh(o, "still missing: %s", zh);
        free(missing);
    } else {
        char now[32];
        util_now_rfc3339(now);
        if (asmt_save(db, a.id, in, ans, ev, sc, NULL, "submitted", &r->who, now) < 0 ||
            asmt_revision(db, a.id, &r->who, "draft", "submitted", "", NULL, now) < 0)
            rc = refuse_db(o, db, "assessment submit");
    }
    json_decref(ans);
    json_decref(ev);
    json_decref(sc);
    return rc;
}

void h_assessment_submit(struct req *r)
{
    int64_t want;
    if (req_if_match(r, &want) < 0 || body_valid(r, SUBMIT_FIELDS) < 0)
        return;
    if (write_begin(r) < 0)
        return;
    struct outcome o;
    int rc = submit_txn(r, want, &o);
    assessment_finish(r, rc, &o, 200, r->params[0]);
}

/* Loads a submitted assessment for a center's verify or return. */
static int center_load(struct req *r, int64_t want, struct asmt *a, struct outcome *o)
{
    if (asmt_load(r->w->db, r->params[0], &r->who, a, o) < 0)
        return -1;
    if (want && want != a->version)
        return refuse(o, ERR_CONFLICT, NULL, "If-Match names version %" PRId64 " but the"
                      " assessment is at version %" PRId64, want, a->version);
    if (strcmp(a->status, "submitted") != 0)
        return refuse(o, ERR_CONFLICT, "status", "the assessment is %s: only a submitted one"
                      " is verified or returned", a->status);
    return 0;
}

static int verify_txn(struct req *r, int64_t want, struct outcome *o)
{
    struct db *db = r->w->db;
    struct asmt a;
    if (center_load(r, want, &a, o) < 0)
        return -1;
    const struct instrument *in = instruments_find(a.instrument);
    if (!in)
        return refuse(o, ERR_CONFLICT, "instrument", "instrument %s is no longer loaded",
                      a.instrument);
    json_t *corr = json_object_get(r->body, "scenes");
    struct verr e;
    if (corr && instrument_check(in, NULL, NULL, corr, &e) < 0)
        return refuse_verr(o, &e);
    json_t *ans, *ev, *sc;
    if (asmt_contents(db, a.id, &ans, &ev, &sc) < 0)
        return refuse_db(o, db, "assessment verify");
    /* The center's steps replace the enterprise's; the revision keeps both. */
    json_t *fix = json_object();
    const char *k;
    json_t *v;
    json_object_foreach(corr, k, v) {
        json_t *claimed = json_object_get(sc, k);
        if (claimed && json_integer_value(claimed) == json_integer_value(v))
            continue;
        json_object_set_new(fix, k, json_pack("{s:O, s:O}", "claimed",
                                              claimed ? claimed : json_null(), "verified", v));
        json_object_set(sc, k, v);
    }
    json_t *detail = json_object_size(fix) ? json_pack("{s:O}", "scene_corrections", fix) : NULL;
    json_decref(fix);
    struct instr_score s;
    instrument_score(in, ans, sc, &s);
    char now[32];
    util_now_rfc3339(now);
    int rc = 0;
    if (asmt_save(db, a.id, in, ans, ev, sc, NULL, "verified", &r->who, now) < 0 ||
        asmt_revision(db, a.id, &r->who, "submitted", "verified",
                      json_string_value(json_object_get(r->body, "note")), detail, now) < 0 ||
        enterprise_file_set_level(db, a.org_id, s.level, now, a.id) < 0)
        rc = refuse_db(o, db, "assessment verify");
    json_decref(detail);
    json_decref(ans);
    json_decref(ev);
    json_decref(sc);
    return rc;
}

void h_assessment_verify(struct req *r)
{
    int64_t want;
    if (req_if_match(r, &want) < 0 || body_valid(r, VERIFY_FIELDS) < 0)
        return;
    if (write_begin(r) < 0)
        return;
    struct outcome o;
    int rc = verify_txn(r, want, &o);
    assessment_finish(r, rc, &o, 200, r->params[0]);
}

static int return_txn(struct req *r, int64_t want, struct outcome *o)
{
    struct db *db = r->w->db;
    struct asmt a;
    if (center_load(r, want, &a, o) < 0)
        return -1;
    const struct instrument *in = instruments_find(a.instrument);
    if (!in)
        return refuse(o, ERR_CONFLICT, "instrument", "instrument %s is no longer loaded",
                      a.instrument);
    json_t *ans, *ev, *sc;
    if (asmt_contents(db, a.id, &ans, &ev, &sc) < 0)
        return refuse_db(o, db, "assessment return");
    char now[32];
    util_now_rfc3339(now);
    int rc = 0;
    if (asmt_save(db, a.id, in, ans, ev, sc, NULL, "draft", &r->who, now) < 0 ||
        asmt_revision(db, a.id, &r->who, "submitted", "draft",
                      json_string_value(json_object_get(r->body, "reason")), NULL, now) < 0)
        rc = refuse_db(o, db, "assessment return");
    json_decref(ans);
    json_decref(ev);
    json_decref(sc);
    return rc;
}

void h_assessment_return(struct req *r)
{
    int64_t want;
    if (req_if_match(r, &want) < 0 || body_valid(r, RETURN_FIELDS) < 0)
        return;
    if (write_begin(r) < 0)
        return;
    struct outcome o;
    int rc = return_txn(r, want, &o);
    assessment_finish(r, rc, &o, 200, r->params[0]);
}

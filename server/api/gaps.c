/*
 * gaps.c - what stands between an assessment and a level, and the needs
 * made from it:
 *   GET  /v1/assessments/{id}/gaps?target=N   who may read the assessment
 *   POST /v1/assessments/{id}/needs           the enterprise itself, centers
 *
 * Gaps, for target N (default: the level after the assessment's): the
 * points missing to level N's min_score; every scene below step N,
 * constrained ones first, with its step, the next step's text and the
 * target step's text, and the three resources that fit it best for this
 * enterprise (the matcher, with the file's industry, province and size);
 * how many more scenes (and constrained ones) must reach step N; and the
 * scored questions furthest from their points.
 *
 * Needs: one per scene asked for, in status draft (need.h), with
 * industry, region, size and contact from the file, current_level the
 * scene's step (left out when it is 0, below the scale) and target_level
 * N, naming the assessment.  The enterprise publishes them by patching
 * their status to open.
 */
#include "handlers.h"

#include "assessment.h"
#include "db.h"
#include "enterprise.h"
#include "instrument.h"
#include "matcher.h"
#include "need.h"
#include "req.h"
#include "taxonomy.h"
#include "util.h"
#include "write.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GAP_RESOURCES 3
#define GAP_QUESTIONS 5

static const struct vfield BUDGET_FIELDS[] = {
    {"max", V_NUMBER, 1, 0, 1e12, 0, NULL, 0},
    VFIELD_END,
};

static const struct vfield NEEDS_FIELDS[] = {
    {"scenes", V_STRING_ARRAY, 1, 1, INSTR_MAX_SCENES, 0, NULL, 40},
    {"target", V_INT, 0, 1, INSTR_MAX_LEVELS, 0, NULL, 0},
    {"budget", V_OBJECT, 0, 0, 0, 0, BUDGET_FIELDS, 0},
    VFIELD_END,
};

/* An assessment with what gaps and needs are made of. */
struct gap_ctx {
    struct asmt a;
    const struct instrument *in;
    json_t *answers, *evidence, *scenes;
    json_t *file;   /* the file's document ({} when empty) */
    char org_name[256];
    struct instr_score s;
};

static void ctx_free(struct gap_ctx *g)
{
    json_decref(g->answers);
    json_decref(g->evidence);
    json_decref(g->scenes);
    json_decref(g->file);
}

/* Loads assessment r->params[0] for who; 0, or -1 with o filled. */
static int ctx_load(struct req *r, struct gap_ctx *g, struct outcome *o)
{
    struct db *db = r->w->db;
    memset(g, 0, sizeof *g);
    if (asmt_load(db, r->params[0], &r->who, &g->a, o) < 0)
        return -1;
    g->in = instruments_find(g->a.instrument);
    if (!g->in)
        return refuse(o, ERR_CONFLICT, NULL, "instrument %s is no longer loaded", g->a.instrument);
    if (asmt_contents(db, g->a.id, &g->answers, &g->evidence, &g->scenes) < 0 ||
        enterprise_file_doc(db, g->a.org_id, &g->file) < 0 ||
        enterprise_kind(db, g->a.org_id, g->org_name) < 0)
        return refuse_db(o, db, "gaps");
    if (!g->file)
        g->file = json_object();
    instrument_score(g->in, g->answers, g->scenes, &g->s);
    return 0;
}

/* The target of ?target= / "target" (0: absent): the level after the
 * assessment's, at most the instrument's highest. */
static int default_target(const struct gap_ctx *g)
{
    int t = g->s.level + 1;
    return t > g->in->nr ? g->in->nr : t;
}

static int step_of(const struct gap_ctx *g, int i)
{
    return g->s.steps[i] < 0 ? 0 : g->s.steps[i];
}

/* The need-like object matching ranks a gap scene's resources with. */
static json_t *scene_need(const struct gap_ctx *g, int i, int target)
{
    const struct instr_scene *sc = &g->in->s[i];
    int step = step_of(g, i);
    const char *ind = json_string_value(json_object_get(g->file, "industry"));
    json_t *n = json_pack("{s:s, s:s, s:s, s:[s], s:i, s:i}", "title", sc->name, "description",
                          sc->ladder[step < INSTR_STEPS ? step : INSTR_STEPS - 1], "industry",
                          ind ? ind : TAX_GENERAL, "scenarios", sc->code, "current_level",
                          step < 1 ? 1 : step, "target_level", target);
    const char *prov = json_string_value(json_object_get(g->file, "province"));
    if (prov && tax_index(TAX_REGION, prov) >= 0)
        json_object_set_new(n, "region", json_string(prov));
    json_t *size = json_object_get(g->file, "size");
    if (size)
        json_object_set(n, "enterprise_size", size);
    return n;
}

static double r4(double x)
{
    return round(x * 10000.0) / 10000.0;
}

/* The gaps document; NULL on a database error. */
static json_t *gaps_json(struct worker *w, const struct gap_ctx *g, int target)
{
    const struct instrument *in = g->in;
    const struct instr_check *c = &g->s.check[target - 1];
    char tk[12];
    snprintf(tk, sizeof tk, "%d", target);
    const char *tname = json_string_value(json_object_get(json_object_get(in->doc, "level_names"), tk));
    double missing = c->min_score - g->s.total;
    json_t *scenes = json_array();
    for (int pass = 0; pass < 2; pass++) /* constrained scenes first */
        for (int i = 0; i < in->ns; i++) {
            const struct instr_scene *sc = &in->s[i];
            int step = step_of(g, i);
            if (step >= target || sc->constrained != !pass)
                continue;
            json_t *need = scene_need(g, i, target);
            json_t *res = match_top_resources(w, need, GAP_RESOURCES);
            json_decref(need);
            if (!res) {
                json_decref(scenes);
                return NULL;
            }
            json_array_append_new(
                scenes, json_pack("{s:s, s:s, s:s, s:b, s:i, s:b, s:i, s:s, s:s, s:o}", "code",
                                  sc->code, "name", sc->name, "group", sc->group, "constrained",
                                  sc->constrained, "step", step, "placed", g->s.steps[i] >= 0,
                                  "next_step", step + 1, "next_text", sc->ladder[step],
                                  "target_text", sc->ladder[target - 1], "resources", res));
        }
    /* The scored questions furthest from their points. */
    int order[INSTR_MAX_QUESTIONS], n = 0;
    for (int i = 0; i < in->nq; i++)
        if (in->q[i].points - g->s.question[i] > 1e-9)
            order[n++] = i;
    for (int i = 1; i < n; i++) /* insertion sort, largest gap first, stable */
        for (int j = i; j > 0; j--) {
            double a = in->q[order[j]].points - g->s.question[order[j]];
            double b = in->q[order[j - 1]].points - g->s.question[order[j - 1]];
            if (a <= b)
                break;
            int t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    json_t *qs = json_array();
    for (int k = 0; k < n && k < GAP_QUESTIONS; k++) {
        const struct instr_question *q = &in->q[order[k]];
        json_array_append_new(qs, json_pack("{s:s, s:s, s:s, s:s, s:f, s:f, s:f, s:b}", "code",
                                            q->code, "name", q->name, "dimension",
                                            in->d[q->dim].name, "group", in->g[q->group].name,
                                            "points", q->points, "score", g->s.question[order[k]],
                                            "missing", r4(q->points - g->s.question[order[k]]),
                                            "answered", g->s.answered[order[k]]));
    }
    int sm = c->min_scenes - c->scenes_at, cm = c->min_constrained - c->constrained_at;
    return json_pack(
        "{s:s, s:{s:s, s:s}, s:s, s:s, s:i, s:i, s:s, s:b,"
        " s:{s:f, s:f, s:f}, s:{s:i, s:i, s:i, s:i, s:i, s:i}, s:o, s:o}",
        "assessment_id", g->a.id, "org", "id", g->a.org_id, "name", g->org_name, "instrument",
        in->code, "status", g->a.status, "level", g->s.level, "target", target, "target_name",
        tname ? tname : tk, "reached", g->s.level >= target, "score", "total", g->s.total,
        "min_score", c->min_score, "missing", missing > 0 ? r4(missing) : 0.0, "scenes_needed",
        "min_scenes", c->min_scenes, "at_target", c->scenes_at, "missing", sm > 0 ? sm : 0,
        "min_constrained", c->min_constrained, "constrained_at_target", c->constrained_at,
        "constrained_missing", cm > 0 ? cm : 0, "scenes", scenes, "questions", qs);
}

void h_assessment_gaps(struct req *r)
{
    struct gap_ctx g;
    struct outcome o;
    if (ctx_load(r, &g, &o) < 0) {
        ctx_free(&g);
        reply_error_text(r, o.err, o.field[0] ? o.field : NULL, o.msg, o.msg_zh);
        return;
    }
    long target;
    if (req_long_param(r, "target", default_target(&g), 1, g.in->nr, &target) < 0) {
        ctx_free(&g);
        return;
    }
    struct db *db = r->w->db;
    int in_tx = db_read_begin(db) == 0; /* one snapshot for every match */
    json_t *out = gaps_json(r->w, &g, (int)target);
    if (in_tx)
        db_read_end(db);
    ctx_free(&g);
    if (!out) {
        reply_db_error(r, DB_READ);
        return;
    }
    reply_json(r, 200, out);
}

/* ------------------------------------------------------------ needs */

/* The need of gap scene i (a valid need body). */
static json_t *gap_need(const struct gap_ctx *g, int i, int target, json_t *budget)
{
    const struct instr_scene *sc = &g->in->s[i];
    int step = step_of(g, i);
    json_t *names = json_object_get(g->in->doc, "level_names");
    char sk[12], tk[12];
    snprintf(sk, sizeof sk, "%d", step);
    snprintf(tk, sizeof tk, "%d", target);
    const char *from = step ? json_string_value(json_object_get(names, sk)) : NULL;
    const char *to = json_string_value(json_object_get(names, tk));
    char *title = from ? xasprintf("%s数字化提升：从%s到%s", sc->name, from, to ? to : tk)
                       : xasprintf("%s数字化提升：达到%s", sc->name, to ? to : tk);
    char *desc = xasprintf("评估诊断（%s）发现的差距。\n现状：%s\n目标：%s", g->in->name,
                           step ? sc->ladder[step - 1] : "尚未达到第一级", sc->ladder[target - 1]);
    json_t *n = json_pack("{s:s, s:s, s:O, s:[s], s:i}", "title", title, "description", desc,
                          "industry", json_object_get(g->file, "industry"), "scenarios", sc->code,
                          "target_level", target);
    free(title);
    free(desc);
    if (step >= 1)
        json_object_set_new(n, "current_level", json_integer(step));
    const char *prov = json_string_value(json_object_get(g->file, "province"));
    if (prov && tax_index(TAX_REGION, prov) >= 0)
        json_object_set_new(n, "region", json_string(prov));
    json_t *v = json_object_get(g->file, "size");
    if (v)
        json_object_set(n, "enterprise_size", v);
    if (budget)
        json_object_set(n, "budget", budget);
    v = json_object_get(g->file, "contact");
    if (v)
        json_object_set_new(n, "contact", json_deep_copy(v));
    return n;
}

static int needs_txn(struct req *r, json_t *made, struct outcome *o)
{
    struct db *db = r->w->db;
    struct gap_ctx g;
    if (ctx_load(r, &g, o) < 0) {
        ctx_free(&g);
        return -1;
    }
    int rc = 0;
    if (r->who.role == ROLE_ENTERPRISE && !req_is_caller(r, g.a.org_id))
        rc = refuse(o, ERR_NOT_FOUND, NULL, "no assessment %s", g.a.id);
    json_t *t = json_object_get(r->body, "target");
    int target = t ? (int)json_integer_value(t) : default_target(&g);
    if (rc == 0 && target > g.in->nr)
        rc = refuse(o, ERR_INVALID_FIELD, "target", "%s has levels 1 to %d", g.in->code, g.in->nr);
    if (rc == 0 && !json_object_get(g.file, "industry"))
        rc = refuse(o, ERR_CONFLICT, "industry", "the enterprise's file has no industry: fill it"
                    " in first (PUT /v1/orgs/%s/file)", g.a.org_id);
    json_t *list = json_object_get(r->body, "scenes"), *s;
    size_t i;
    char path[32];
    unsigned seen = 0;
    json_array_foreach(list, i, s) {
        if (rc)
            break;
        snprintf(path, sizeof path, "scenes[%zu]", i);
        int k = instrument_scene(g.in, json_string_value(s));
        if (k < 0)
            rc = refuse(o, ERR_INVALID_FIELD, path, "%s has no scene \"%s\"", g.in->code,
                        json_string_value(s));
        else if (seen & (1u << k))
            rc = refuse(o, ERR_INVALID_FIELD, path, "scene %s is asked for twice", g.in->s[k].code);
        else if (step_of(&g, k) >= target)
            rc = refuse(o, ERR_INVALID_FIELD, path, "scene %s is at step %d already, not below"
                        " the target %d", g.in->s[k].code, step_of(&g, k), target);
        seen |= 1u << (k < 0 ? 0 : k);
    }
    json_array_foreach(list, i, s) {
        if (rc)
            break;
        json_t *need = gap_need(&g, instrument_scene(g.in, json_string_value(s)), target,
                                json_object_get(r->body, "budget"));
        struct verr e;
        char id[48];
        if (need_validate(need, &e) < 0) /* the file's contact may not fit a need's */
            json_object_del(need, "contact");
        if (need_validate(need, &e) < 0)
            rc = refuse(o, ERR_CONFLICT, e.field, "the file cannot make a need: %s", e.msg);
        else if (need_store_draft(db, g.a.org_id, g.org_name, need, g.a.id, id) < 0)
            rc = refuse_db(o, db, "gap needs");
        else
            json_array_append_new(made, json_string(id));
        json_decref(need);
    }
    ctx_free(&g);
    return rc;
}

void h_assessment_needs(struct req *r)
{
    if (body_valid(r, NEEDS_FIELDS) < 0)
        return;
    if (write_begin(r) < 0)
        return;
    struct outcome o;
    json_t *made = json_array();
    int rc = needs_txn(r, made, &o);
    if (write_finish(r, rc, &o) < 0) {
        json_decref(made);
        return;
    }
    json_t *items = json_array(), *id;
    size_t i;
    json_array_foreach(made, i, id) {
        json_t *n = need_load(r->w->db, json_string_value(id), &r->who, NULL);
        if (n)
            json_array_append_new(items, n);
    }
    json_decref(made);
    reply_json(r, 201, json_pack("{s:o}", "items", items));
}

/*
 * instrument_score.c - what an assessment's answers are worth under an
 * instrument (see instrument.h): the checks that name the field at fault,
 * the points per question, group, dimension and in total, the level and
 * each level's conditions, and their JSON.
 *
 * Answers are {"<question code>": ["B", "D"]}, scenes {"<scene code>":
 * 0..4}, evidence {"<question code>": {"<figure key>": number}}.  Points
 * are added in the instrument's order and rounded to 4 decimal places at
 * each sum (question, group, dimension, total), so 13 × 0.7 + 0.9 is 10,
 * not 9.999999999999998, and the same answers always give the same
 * figures.  Levels compare with the rounded total.
 */
#include "instrument.h"

#include "validate.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define EVIDENCE_MAX 1e12

static double r4(double x)
{
    return round(x * 10000.0) / 10000.0;
}

/* The index of option id s in q, or -1. */
static int option_of(const struct instr_question *q, const char *s)
{
    if (!s || !s[0] || s[1])
        return -1;
    int i = s[0] - 'A';
    return i >= 0 && i < q->nopt ? i : -1;
}

static int check_answers(const struct instrument *in, const json_t *answers, struct verr *e)
{
    char path[160];
    const char *code;
    json_t *v;
    if (!json_is_object(answers))
        return verr_set(e, "answers", "answers must be an object of question code -> option ids");
    json_object_foreach((json_t *)answers, code, v) {
        snprintf(path, sizeof path, "answers.%s", code);
        int qi = instrument_question(in, code);
        if (qi < 0)
            return verr_set(e, path, "%s has no question \"%s\"", in->code, code);
        const struct instr_question *q = &in->q[qi];
        if (!json_is_array(v) || json_array_size(v) == 0)
            return verr_set(e, path, "%s must be a non-empty array of option ids such as"
                            " [\"B\"]", path);
        if (!q->multi && json_array_size(v) > 1)
            return verr_set(e, path, "%s (%s) takes one option, not %zu", code, q->name,
                            json_array_size(v));
        unsigned seen = 0;
        int exclusive = 0;
        size_t i;
        json_t *o;
        json_array_foreach(v, i, o) {
            int k = option_of(q, json_string_value(o));
            if (k < 0)
                return verr_set(e, path, "%s (%s) has options A to %c; \"%s\" is not one", code,
                                q->name, (char)('A' + q->nopt - 1),
                                json_is_string(o) ? json_string_value(o) : "(not a string)");
            if (seen & (1u << k))
                return verr_set(e, path, "option %c is given twice", 'A' + k);
            seen |= 1u << k;
            exclusive |= q->opt[k].exclusive;
        }
        if (exclusive && json_array_size(v) > 1)
            return verr_set(e, path, "\"无\" stands alone: it cannot go with another option of %s",
                            code);
    }
    return 0;
}

static int check_evidence(const struct instrument *in, const json_t *evidence, struct verr *e)
{
    char path[200];
    const char *code, *key;
    json_t *figs, *v;
    if (!json_is_object(evidence))
        return verr_set(e, "evidence", "evidence must be an object of question code ->"
                        " {figure: number}");
    json_object_foreach((json_t *)evidence, code, figs) {
        snprintf(path, sizeof path, "evidence.%s", code);
        int qi = instrument_question(in, code);
        if (qi < 0)
            return verr_set(e, path, "%s has no question \"%s\"", in->code, code);
        const struct instr_question *q = &in->q[qi];
        if (!json_is_object(figs))
            return verr_set(e, path, "%s must be an object of figure -> number", path);
        json_object_foreach(figs, key, v) {
            snprintf(path, sizeof path, "evidence.%s.%s", code, key);
            int fi = -1;
            for (int k = 0; k < q->nfig && fi < 0; k++)
                if (strcmp(q->fig[k].key, key) == 0)
                    fi = k;
            if (fi < 0)
                return verr_set(e, path, "question %s asks for no figure \"%s\"", code, key);
            double x = json_number_value(v);
            double max = q->fig[fi].unit && strcmp(q->fig[fi].unit, "%") == 0 ? 100 : EVIDENCE_MAX;
            if (!json_is_number(v) || !isfinite(x) || x < 0 || x > max)
                return verr_set(e, path, "%s must be a number from 0 to %g", path, max);
        }
    }
    return 0;
}

static int check_scenes(const struct instrument *in, const json_t *scenes, struct verr *e)
{
    char path[160];
    const char *code;
    json_t *v;
    if (!json_is_object(scenes))
        return verr_set(e, "scenes", "scenes must be an object of scene code -> step 0-4");
    json_object_foreach((json_t *)scenes, code, v) {
        snprintf(path, sizeof path, "scenes.%s", code);
        if (instrument_scene(in, code) < 0)
            return verr_set(e, path, "%s has no scene \"%s\"", in->code, code);
        if (!json_is_integer(v) || json_integer_value(v) < 0 ||
            json_integer_value(v) > INSTR_STEPS)
            return verr_set(e, path, "%s must be a step from 0 to %d", path, INSTR_STEPS);
    }
    return 0;
}

int instrument_check(const struct instrument *in, const json_t *answers, const json_t *evidence,
                     const json_t *scenes, struct verr *e)
{
    if (answers && check_answers(in, answers, e) < 0)
        return -1;
    if (evidence && check_evidence(in, evidence, e) < 0)
        return -1;
    if (scenes && check_scenes(in, scenes, e) < 0)
        return -1;
    return 0;
}

int instrument_level(const struct instrument *in, double total, const int *steps,
                     struct instr_check *checks)
{
    int level = 0, still = 1;
    for (int l = 0; l < in->nr; l++) {
        const struct instr_rule *ru = &in->r[l];
        struct instr_check *c = &checks[l];
        memset(c, 0, sizeof *c);
        c->level = ru->level;
        c->min_score = ru->min_score;
        c->min_scenes = ru->min_scenes;
        c->min_constrained = ru->min_constrained;
        for (int s = 0; s < in->ns; s++)
            if (steps[s] >= ru->level) {
                c->scenes_at++;
                c->constrained_at += in->s[s].constrained;
            }
        c->score_ok = total >= ru->min_score - 1e-9;
        c->scenes_ok = c->scenes_at >= ru->min_scenes;
        c->constrained_ok = c->constrained_at >= ru->min_constrained;
        c->holds = c->score_ok && c->scenes_ok && c->constrained_ok;
        still = still && c->holds;
        if (still)
            level = ru->level;
    }
    return level;
}

void instrument_score(const struct instrument *in, const json_t *answers, const json_t *scenes,
                      struct instr_score *out)
{
    memset(out, 0, sizeof *out);
    for (int i = 0; i < in->nq; i++) {
        const struct instr_question *q = &in->q[i];
        json_t *v = json_object_get(answers, q->code);
        double pts = 0;
        size_t k;
        json_t *o;
        json_array_foreach(v, k, o) {
            int oi = option_of(q, json_string_value(o));
            if (oi < 0)
                continue;
            out->answered[i] = 1;
            if (q->multi)
                pts += q->opt[oi].score;
            else if (q->opt[oi].score > pts)
                pts = q->opt[oi].score;
        }
        out->question[i] = r4(pts);
        out->group[q->group] += out->question[i];
    }
    for (int g = 0; g < in->ng; g++) {
        out->group[g] = r4(out->group[g]);
        out->dim[in->g[g].dim] += out->group[g];
    }
    for (int d = 0; d < in->nd; d++) {
        out->dim[d] = r4(out->dim[d]);
        out->total += out->dim[d];
    }
    out->total = r4(out->total);
    int steps[INSTR_MAX_SCENES];
    for (int s = 0; s < in->ns; s++) {
        json_t *v = json_object_get(scenes, in->s[s].code);
        json_int_t n = json_integer_value(v);
        out->steps[s] = json_is_integer(v) && n >= 0 && n <= INSTR_STEPS ? (int)n : -1;
        steps[s] = out->steps[s];
    }
    out->nchecks = in->nr;
    out->level = instrument_level(in, out->total, steps, out->check);
}

json_t *instrument_score_json(const struct instrument *in, const struct instr_score *s)
{
    json_t *dims = json_object(), *groups = json_object(), *qs = json_object();
    for (int d = 0; d < in->nd; d++)
        json_object_set_new(dims, in->d[d].name, json_real(s->dim[d]));
    for (int g = 0; g < in->ng; g++)
        json_object_set_new(groups, in->g[g].name, json_real(s->group[g]));
    for (int i = 0; i < in->nq; i++)
        if (s->answered[i])
            json_object_set_new(qs, in->q[i].code, json_real(s->question[i]));
    return json_pack("{s:f, s:o, s:o, s:o}", "total", s->total, "dimensions", dims, "groups",
                     groups, "questions", qs);
}

json_t *instrument_checks_json(const struct instrument *in, const struct instr_score *s)
{
    json_t *out = json_object();
    for (int l = 0; l < s->nchecks; l++) {
        const struct instr_check *c = &s->check[l];
        char k[12];
        snprintf(k, sizeof k, "%d", c->level);
        json_object_set_new(
            out, k,
            json_pack("{s:b, s:b, s:b, s:b, s:f, s:i, s:i, s:f, s:i, s:i}", "holds", c->holds,
                      "score", c->score_ok, "scenes", c->scenes_ok, "constrained",
                      c->constrained_ok, "min_score", c->min_score, "min_scenes", c->min_scenes,
                      "min_constrained", c->min_constrained, "total", s->total,
                      "scenes_at_level", c->scenes_at, "constrained_at_level",
                      c->constrained_at));
    }
    (void)in;
    return out;
}

json_t *instrument_missing_json(const struct instrument *in, const struct instr_score *s)
{
    json_t *qs = json_array(), *ss = json_array();
    for (int i = 0; i < in->nq; i++)
        if (!s->answered[i])
            json_array_append_new(qs, json_string(in->q[i].code));
    for (int i = 0; i < in->ns; i++)
        if (s->steps[i] < 0)
            json_array_append_new(ss, json_string(in->s[i].code));
    return json_pack("{s:o, s:o}", "questions", qs, "scenes", ss);
}

json_t *instrument_points_compact(const struct instrument *in, const struct instr_score *s)
{
    json_t *a = json_array();
    for (int i = 0; i < in->nq; i++)
        json_array_append_new(a, s->answered[i] ? json_real(s->question[i]) : json_null());
    return a;
}

json_t *instrument_checks_compact(const struct instrument *in, const struct instr_score *s)
{
    json_t *a = json_array();
    for (int l = 0; l < s->nchecks; l++) {
        const struct instr_check *c = &s->check[l];
        json_array_append_new(a, json_pack("[f, i, i, i, i]", c->min_score, c->min_scenes,
                                           c->min_constrained, c->scenes_at, c->constrained_at));
    }
    (void)in;
    return a;
}

int instrument_score_restore(const struct instrument *in, double total, int level,
                             const json_t *points, const json_t *checks, struct instr_score *out)
{
    memset(out, 0, sizeof *out);
    if (json_array_size(points) != (size_t)in->nq || json_array_size(checks) > INSTR_MAX_LEVELS)
        return -1;
    for (int i = 0; i < in->nq; i++) {
        json_t *v = json_array_get(points, (size_t)i);
        if (json_is_number(v)) {
            out->answered[i] = 1;
            out->question[i] = json_number_value(v);
            out->group[in->q[i].group] += out->question[i];
        }
    }
    for (int g = 0; g < in->ng; g++) {
        out->group[g] = r4(out->group[g]);
        out->dim[in->g[g].dim] += out->group[g];
    }
    for (int d = 0; d < in->nd; d++)
        out->dim[d] = r4(out->dim[d]);
    for (int s = 0; s < INSTR_MAX_SCENES; s++)
        out->steps[s] = -1;
    out->total = total;
    out->level = level;
    size_t l;
    json_t *c;
    json_array_foreach((json_t *)checks, l, c) {
        struct instr_check *k = &out->check[l];
        if (json_array_size(c) != 5)
            return -1;
        k->level = (int)l + 1;
        k->min_score = json_number_value(json_array_get(c, 0));
        k->min_scenes = (int)json_integer_value(json_array_get(c, 1));
        k->min_constrained = (int)json_integer_value(json_array_get(c, 2));
        k->scenes_at = (int)json_integer_value(json_array_get(c, 3));
        k->constrained_at = (int)json_integer_value(json_array_get(c, 4));
        k->score_ok = total >= k->min_score - 1e-9;
        k->scenes_ok = k->scenes_at >= k->min_scenes;
        k->constrained_ok = k->constrained_at >= k->min_constrained;
        k->holds = k->score_ok && k->scenes_ok && k->constrained_ok;
    }
    out->nchecks = (int)json_array_size(checks);
    return 0;
}

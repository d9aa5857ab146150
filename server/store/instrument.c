/*
 * instrument.c - loading and checking instrument files, and the registry
 * (see instrument.h; the scoring is instrument_score.c).
 *
 * A file is read with Jansson, walked once into struct instrument (plain
 * arrays, so scoring never touches JSON it does not have to), and every
 * rule of instrument.h is checked on the way.  The first fault ends the
 * walk: the message is "<file>: <JSON path>: <what is wrong>", the JSON
 * path written as in assessments' error fields ("dimensions[0].groups[1]
 * .questions[2].options[3]").
 */
#include "instrument.h"

#include "taxonomy.h"
#include "util.h"

#include <dirent.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EPS 1e-6

/* The four business groups of 数字化经营, whose scenarios are the scenes
 * (DOMAIN.md); the fifth, foundation, is scored as 数字化基础 instead. */
static const char *const SCENE_GROUPS[] = {"lifecycle", "production", "supply_chain",
                                           "management", NULL};

struct walk {
    const char *path;
    char *err;
    size_t errlen;
};

/* Writes "<file>: <at>: <fmt…>" into w->err; returns -1. */
static int fault(struct walk *w, const char *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fault(struct walk *w, const char *at, const char *fmt, ...)
{
    char msg[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(w->err, w->errlen, "%s: %s%s%s", w->path, at, *at ? ": " : "", msg);
    return -1;
}

/* The string member key of o, non-empty; NULL after fault() otherwise. */
static const char *str_member(struct walk *w, const json_t *o, const char *at, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    if (!s || !*s) {
        fault(w, at, "\"%s\" must be a non-empty string", key);
        return NULL;
    }
    return s;
}

/* The number member key of o, >= 0 and finite; -1 after fault(). */
static int num_member(struct walk *w, const json_t *o, const char *at, const char *key,
                      double *out)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_number(v) || !isfinite(json_number_value(v)) || json_number_value(v) < 0)
        return fault(w, at, "\"%s\" must be a number >= 0", key);
    *out = json_number_value(v);
    return 0;
}

/* 1 when s is [a-z] followed by up to 39 of [a-z0-9_]. */
static int code_ok(const char *s)
{
    if (!s || !(*s >= 'a' && *s <= 'z'))
        return 0;
    size_t n = strlen(s);
    if (n > 40)
        return 0;
    for (size_t i = 1; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return 0;
    return 1;
}

static int options_walk(struct walk *w, struct instr_question *q, const json_t *opts,
                        const char *at)
{
    char p[256];
    if (!json_is_array(opts) || json_array_size(opts) < 2 ||
        json_array_size(opts) > INSTR_MAX_OPTIONS)
        return fault(w, at, "\"options\" must be an array of 2 to %d options", INSTR_MAX_OPTIONS);
    size_t i;
    json_t *o;
    int nexcl = 0;
    double max = 0, sum = 0;
    json_array_foreach(opts, i, o) {
        snprintf(p, sizeof p, "%s.options[%zu]", at, i);
        struct instr_option *op = &q->opt[i];
        const char *id = json_string_value(json_object_get(o, "id"));
        if (!id || strlen(id) != 1 || id[0] != (char)('A' + i))
            return fault(w, p, "option ids must run A, B, C, … (this one must be \"%c\")",
                         (char)('A' + i));
        op->id = id[0];
        if (!str_member(w, o, p, "text") || num_member(w, o, p, "score", &op->score) < 0)
            return -1;
        json_t *ex = json_object_get(o, "exclusive");
        if (ex && !json_is_true(ex))
            return fault(w, p, "\"exclusive\" may only be true");
        op->exclusive = ex != NULL;
        if (op->exclusive) {
            if (!q->multi)
                return fault(w, p, "only a multi question has an exclusive option");
            if (op->score != 0)
                return fault(w, p, "the exclusive option (无) must score 0");
            nexcl++;
        } else {
            sum += op->score;
        }
        if (op->score > max)
            max = op->score;
    }
    q->nopt = (int)json_array_size(opts);
    if (q->multi && nexcl != 1)
        return fault(w, at, "a multi question needs exactly one exclusive option (无), not %d",
                     nexcl);
    double top = q->multi ? sum : max;
    if (fabs(top - q->points) > EPS)
        return fault(w, at, "its options reach %g points but the question is worth %g", top,
                     q->points);
    return 0;
}

static int evidence_walk(struct walk *w, struct instrument *in, struct instr_question *q,
                         const json_t *ev, const char *at)
{
    char p[256];
    if (!ev)
        return 0;
    if (!json_is_array(ev) || json_array_size(ev) > INSTR_MAX_EVIDENCE)
        return fault(w, at, "\"evidence\" must be an array of at most %d figures",
                     INSTR_MAX_EVIDENCE);
    size_t i;
    json_t *f;
    json_array_foreach(ev, i, f) {
        snprintf(p, sizeof p, "%s.evidence[%zu]", at, i);
        const char *key = json_string_value(json_object_get(f, "key"));
        if (!code_ok(key))
            return fault(w, p, "\"key\" must be a lower-case code such as devices_total");
        for (int k = 0; k < in->nq; k++)
            for (int j = 0; j < in->q[k].nfig; j++)
                if (strcmp(in->q[k].fig[j].key, key) == 0)
                    return fault(w, p, "figure key \"%s\" is used twice", key);
        for (int j = 0; j < q->nfig; j++)
            if (strcmp(q->fig[j].key, key) == 0)
                return fault(w, p, "figure key \"%s\" is used twice", key);
        if (!str_member(w, f, p, "label"))
            return -1;
        q->fig[q->nfig].key = key;
        q->fig[q->nfig].unit = json_string_value(json_object_get(f, "unit"));
        q->nfig++;
    }
    return 0;
}

static int question_walk(struct walk *w, struct instrument *in, const json_t *jq, int group,
                         int dim, const char *at)
{
    if (in->nq >= INSTR_MAX_QUESTIONS)
        return fault(w, at, "more than %d questions", INSTR_MAX_QUESTIONS);
    struct instr_question *q = &in->q[in->nq];
    memset(q, 0, sizeof *q);
    q->code = json_string_value(json_object_get(jq, "code"));
    if (!code_ok(q->code))
        return fault(w, at, "\"code\" must be a lower-case code such as device_digital_rate");
    if (instrument_question(in, q->code) >= 0)
        return fault(w, at, "question code \"%s\" is used twice", q->code);
    const char *type = json_string_value(json_object_get(jq, "type"));
    if (!type || (strcmp(type, "single") != 0 && strcmp(type, "multi") != 0))
        return fault(w, at, "\"type\" must be single or multi");
    q->multi = type[0] == 'm';
    q->outcome = json_is_true(json_object_get(jq, "outcome"));
    if (!(q->name = str_member(w, jq, at, "name")) || !str_member(w, jq, at, "text") ||
        num_member(w, jq, at, "points", &q->points) < 0)
        return -1;
    q->group = group;
    q->dim = dim;
    if (options_walk(w, q, json_object_get(jq, "options"), at) < 0 ||
        evidence_walk(w, in, q, json_object_get(jq, "evidence"), at) < 0)
        return -1;
    in->nq++;
    return 0;
}

static int dimensions_walk(struct walk *w, struct instrument *in, const json_t *dims)
{
    char p[128], pg[160], pq[200];
    if (!json_is_array(dims) || !json_array_size(dims) || json_array_size(dims) > INSTR_MAX_DIMS)
        return fault(w, "dimensions", "must be an array of 1 to %d dimensions", INSTR_MAX_DIMS);
    size_t i, j, k;
    json_t *d, *g, *q;
    double total = 0;
    json_array_foreach(dims, i, d) {
        snprintf(p, sizeof p, "dimensions[%zu]", i);
        struct instr_dim *dim = &in->d[in->nd];
        if (!(dim->name = str_member(w, d, p, "name")) ||
            num_member(w, d, p, "points", &dim->points) < 0)
            return -1;
        json_t *groups = json_object_get(d, "groups");
        if (!json_is_array(groups) || !json_array_size(groups))
            return fault(w, p, "\"groups\" must be a non-empty array");
        double dsum = 0;
        json_array_foreach(groups, j, g) {
            snprintf(pg, sizeof pg, "%s.groups[%zu]", p, j);
            if (in->ng >= INSTR_MAX_GROUPS)
                return fault(w, pg, "more than %d groups", INSTR_MAX_GROUPS);
            struct instr_group *gr = &in->g[in->ng];
            if (!(gr->name = str_member(w, g, pg, "name")) ||
                num_member(w, g, pg, "points", &gr->points) < 0)
                return -1;
            gr->dim = in->nd;
            json_t *qs = json_object_get(g, "questions");
            if (!json_is_array(qs) || !json_array_size(qs))
                return fault(w, pg, "\"questions\" must be a non-empty array");
            double gsum = 0;
            json_array_foreach(qs, k, q) {
                snprintf(pq, sizeof pq, "%s.questions[%zu]", pg, k);
                if (question_walk(w, in, q, in->ng, in->nd, pq) < 0)
                    return -1;
                gsum += in->q[in->nq - 1].points;
            }
            if (fabs(gsum - gr->points) > EPS)
                return fault(w, pg, "its questions add up to %g points but the group is worth %g",
                             gsum, gr->points);
            dsum += gr->points;
            in->ng++;
        }
        if (fabs(dsum - dim->points) > EPS)
            return fault(w, p, "its groups add up to %g points but the dimension is worth %g",
                         dsum, dim->points);
        total += dim->points;
        in->nd++;
    }
    if (fabs(total - in->total) > EPS)
        return fault(w, "total", "the dimensions add up to %g points, not %g", total, in->total);
    return 0;
}

/* 1 when taxonomy scenario i belongs to one of SCENE_GROUPS; its group's
 * name in *gname. */
static int business_scenario(int i, const char **gname)
{
    json_t *groups = json_object_get(tax_document(), "scenario_groups");
    json_t *g = json_array_get(groups, (size_t)tax_scenario_group(i));
    const char *code = json_string_value(json_object_get(g, "code"));
    *gname = json_string_value(json_object_get(g, "name"));
    for (int k = 0; code && SCENE_GROUPS[k]; k++)
        if (strcmp(code, SCENE_GROUPS[k]) == 0)
            return 1;
    return 0;
}

static int scenes_walk(struct walk *w, struct instrument *in, const json_t *scenes)
{
    char p[64];
    if (!json_is_array(scenes))
        return fault(w, "scenes", "must be an array");
    size_t next = 0;
    int ntax = tax_count(TAX_SCENARIO);
    for (int t = 0; t < ntax; t++) {
        const char *gname;
        if (!business_scenario(t, &gname))
            continue;
        const char *want = tax_code(TAX_SCENARIO, t);
        snprintf(p, sizeof p, "scenes[%zu]", next);
        json_t *s = json_array_get(scenes, next);
        if (!s)
            return fault(w, "scenes", "scene %s (%s) is missing: the scenes must be the"
                         " taxonomy's scenarios of lifecycle, production, supply_chain and"
                         " management, in order", want, tax_name(TAX_SCENARIO, t));
        if (next >= INSTR_MAX_SCENES)
            return fault(w, p, "more than %d scenes", INSTR_MAX_SCENES);
        struct instr_scene *sc = &in->s[in->ns];
        sc->code = json_string_value(json_object_get(s, "code"));
        if (!sc->code || strcmp(sc->code, want) != 0)
            return fault(w, p, "must be the taxonomy's scenario %s here, not \"%s\"", want,
                         sc->code ? sc->code : "");
        if (!(sc->name = str_member(w, s, p, "name")) || !(sc->group = str_member(w, s, p, "group")))
            return -1;
        if (gname && strcmp(sc->group, gname) != 0)
            return fault(w, p, "its group must be %s, as in the taxonomy", gname);
        json_t *c = json_object_get(s, "constrained");
        if (!json_is_boolean(c))
            return fault(w, p, "\"constrained\" must be true or false");
        sc->constrained = json_is_true(c);
        json_t *ladder = json_object_get(s, "ladder");
        if (!json_is_array(ladder) || json_array_size(ladder) != INSTR_STEPS)
            return fault(w, p, "\"ladder\" must have %d steps", INSTR_STEPS);
        for (int k = 0; k < INSTR_STEPS; k++) {
            sc->ladder[k] = json_string_value(json_array_get(ladder, (size_t)k));
            if (!sc->ladder[k] || !*sc->ladder[k])
                return fault(w, p, "ladder step %d must be a non-empty string", k + 1);
        }
        in->ns++;
        next++;
    }
    if (json_array_size(scenes) != next)
        return fault(w, "scenes", "%zu scenes, but the taxonomy's business scenarios are %zu",
                     json_array_size(scenes), next);
    return 0;
}

static int rules_walk(struct walk *w, struct instrument *in, const json_t *rules)
{
    char p[64];
    if (!json_is_array(rules) || !json_array_size(rules) ||
        json_array_size(rules) > INSTR_MAX_LEVELS)
        return fault(w, "level_rules", "must be an array of 1 to %d rules", INSTR_MAX_LEVELS);
    int nconstrained = 0;
    for (int i = 0; i < in->ns; i++)
        nconstrained += in->s[i].constrained;
    size_t i;
    json_t *r;
    json_array_foreach(rules, i, r) {
        snprintf(p, sizeof p, "level_rules[%zu]", i);
        struct instr_rule *ru = &in->r[i];
        json_t *lv = json_object_get(r, "level"), *ms = json_object_get(r, "min_scenes_at_level"),
               *mc = json_object_get(r, "min_constrained_at_level");
        if (!json_is_integer(lv) || json_integer_value(lv) != (json_int_t)i + 1)
            return fault(w, p, "\"level\" must be %zu: the rules run 1, 2, 3, …", i + 1);
        ru->level = (int)i + 1;
        if (num_member(w, r, p, "min_score", &ru->min_score) < 0)
            return -1;
        if (ru->min_score > in->total)
            return fault(w, p, "min_score %g is above the total %g", ru->min_score, in->total);
        if (i > 0 && ru->min_score < in->r[i - 1].min_score)
            return fault(w, p, "min_score must not fall from one level to the next");
        if (!json_is_integer(ms) || json_integer_value(ms) < 0 ||
            json_integer_value(ms) > in->ns)
            return fault(w, p, "\"min_scenes_at_level\" must be an integer from 0 to %d", in->ns);
        if (!json_is_integer(mc) || json_integer_value(mc) < 0 ||
            json_integer_value(mc) > nconstrained || json_integer_value(mc) > json_integer_value(ms))
            return fault(w, p, "\"min_constrained_at_level\" must be an integer from 0 to"
                         " min_scenes_at_level and to the %d constrained scenes", nconstrained);
        ru->min_scenes = (int)json_integer_value(ms);
        ru->min_constrained = (int)json_integer_value(mc);
    }
    in->nr = (int)json_array_size(rules);
    return 0;
}

int instrument_parse(json_t *doc, const char *path, struct instrument **out, char *err,
                     size_t errlen)
{
    struct walk w = {path, err, errlen};
    *out = NULL;
    if (!json_is_object(doc))
        return fault(&w, "", "an instrument must be a JSON object");
    struct instrument *in = xcalloc(1, sizeof *in);
    snprintf(in->path, sizeof in->path, "%s", path);
    in->code = json_string_value(json_object_get(doc, "code"));
    int ok = 1;
    const char *c = in->code;
    for (size_t i = 0; ok && c && c[i]; i++)
        ok = (c[i] >= 'a' && c[i] <= 'z') || (c[i] >= '0' && c[i] <= '9') || (i && c[i] == '-');
    if (!c || !*c || strlen(c) > 40 || !ok) {
        fault(&w, "code", "must be a code such as sme-2024 (a-z, 0-9, -)");
        goto fail;
    }
    if (!(in->name = str_member(&w, doc, "", "name")) ||
        !(in->version = str_member(&w, doc, "", "version")) ||
        !str_member(&w, doc, "", "issued_by") || !str_member(&w, doc, "", "source"))
        goto fail;
    if (num_member(&w, doc, "", "total", &in->total) < 0 || in->total <= 0) {
        fault(&w, "total", "must be a number above 0");
        goto fail;
    }
    if (dimensions_walk(&w, in, json_object_get(doc, "dimensions")) < 0 ||
        scenes_walk(&w, in, json_object_get(doc, "scenes")) < 0 ||
        rules_walk(&w, in, json_object_get(doc, "level_rules")) < 0)
        goto fail;
    json_t *names = json_object_get(doc, "level_names");
    for (int i = 0; i < in->nr; i++) {
        char k[12];
        snprintf(k, sizeof k, "%d", i + 1);
        if (!json_string_value(json_object_get(names, k))) {
            fault(&w, "level_names", "needs a name for level %s", k);
            goto fail;
        }
    }
    in->doc = json_incref(doc);
    *out = in;
    return 0;
fail:
    free(in);
    return -1;
}

int instrument_load_file(const char *path, struct instrument **out, char *err, size_t errlen)
{
    json_error_t je;
    json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    *out = NULL;
    if (!doc) {
        snprintf(err, errlen, "%s, line %d: %s", path, je.line, je.text);
        return -1;
    }
    int rc = instrument_parse(doc, path, out, err, errlen);
    json_decref(doc);
    return rc;
}

void instrument_free(struct instrument *in)
{
    if (!in)
        return;
    json_decref(in->doc);
    free(in);
}

int instrument_question(const struct instrument *in, const char *code)
{
    for (int i = 0; code && i < in->nq; i++)
        if (strcmp(in->q[i].code, code) == 0)
            return i;
    return -1;
}

int instrument_scene(const struct instrument *in, const char *code)
{
    for (int i = 0; code && i < in->ns; i++)
        if (strcmp(in->s[i].code, code) == 0)
            return i;
    return -1;
}

/* ------------------------------------------------------------ registry */

static struct instrument **reg;
static int nreg;

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int instruments_load(const char *dir, char *err, size_t errlen)
{
    char *sub = xasprintf("%s/instruments", dir);
    DIR *d = opendir(sub);
    if (!d) {
        snprintf(err, errlen, "%s: cannot read the directory of instruments", sub);
        free(sub);
        return -1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        if (e->d_name[0] == '.' || l < 6 || strcmp(e->d_name + l - 5, ".json") != 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            names = xrealloc(names, cap * sizeof *names);
        }
        names[n++] = xstrdup(e->d_name);
    }
    closedir(d);
    if (n > 1)
        qsort(names, n, sizeof *names, name_cmp);
    int rc = 0;
    if (n == 0) {
        snprintf(err, errlen, "%s: no instrument (*.json) in the directory", sub);
        rc = -1;
    }
    instruments_free();
    reg = xcalloc(n ? n : 1, sizeof *reg);
    for (size_t i = 0; i < n && rc == 0; i++) {
        char *path = xasprintf("%s/%s", sub, names[i]);
        struct instrument *in;
        if (instrument_load_file(path, &in, err, errlen) < 0)
            rc = -1;
        else if (instruments_find(in->code)) {
            snprintf(err, errlen, "%s: code \"%s\" is used by another instrument file", path,
                     in->code);
            instrument_free(in);
            rc = -1;
        } else
            reg[nreg++] = in;
        free(path);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    free(sub);
    if (rc < 0)
        instruments_free();
    return rc;
}

void instruments_free(void)
{
    for (int i = 0; i < nreg; i++)
        instrument_free(reg[i]);
    free(reg);
    reg = NULL;
    nreg = 0;
}

int instruments_count(void)
{
    return nreg;
}

const struct instrument *instruments_at(int i)
{
    return i >= 0 && i < nreg ? reg[i] : NULL;
}

const struct instrument *instruments_find(const char *code)
{
    for (int i = 0; code && i < nreg; i++)
        if (strcmp(reg[i]->code, code) == 0)
            return reg[i];
    return NULL;
}

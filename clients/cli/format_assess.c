/*
 * format_assess.c - what a person sees of an assessment and its gaps (the
 * VIEW_ASSESSMENT and VIEW_GAPS views of format.c's table).
 *
 * An assessment prints as a few key: value lines (enterprise, status,
 * score, level), a table of the score by dimension, a table of what each
 * level needs and whether it holds, and the scene steps; gaps as the
 * points and scenes missing, then one row per scene below the target
 * with the best resource for it.  Tables use table.c, so CJK text lines
 * up as in every other view.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static char *str(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

static char *num(double d)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%g", d);
    return xstrdup(buf);
}

static const char *jstr(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static double jnum(json_t *o, const char *k)
{
    return json_number_value(json_object_get(o, k));
}

void fmt_rows(FILE *out, json_t *rows, int ncols, const char *const *headers, const int *maxw,
              char *(*cell)(json_t *row, int col), int termw)
{
    int zero[16] = {0};
    struct table *t = table_new(ncols, headers, maxw ? maxw : zero);
    char **cells = xcalloc((size_t)ncols, sizeof *cells);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        for (int c = 0; c < ncols; c++)
            cells[c] = cell(row, c);
        table_add(t, (const char *const *)cells);
        for (int c = 0; c < ncols; c++)
            free(cells[c]);
    }
    table_print(t, out, termw);
    table_free(t);
    free(cells);
}

/* ------------------------------------------------------------ assessment */

static char *dim_cell(json_t *row, int col)
{
    return col == 0 ? str(jstr(row, "name")) : num(jnum(row, "points"));
}

static char *check_cell(json_t *row, int col)
{
    json_t *c = json_object_get(row, "check");
    static const char *const KEYS[] = {NULL, "score", "scenes", "constrained", "holds"};
    if (col == 0)
        return str(jstr(row, "level"));
    char buf[96];
    switch (col) {
    case 1:
        snprintf(buf, sizeof buf, "%g/%g", jnum(c, "total"), jnum(c, "min_score"));
        break;
    case 2:
        snprintf(buf, sizeof buf, "%lld/%lld", (long long)json_integer_value(json_object_get(c, "scenes_at_level")),
                 (long long)json_integer_value(json_object_get(c, "min_scenes")));
        break;
    case 3:
        snprintf(buf, sizeof buf, "%lld/%lld",
                 (long long)json_integer_value(json_object_get(c, "constrained_at_level")),
                 (long long)json_integer_value(json_object_get(c, "min_constrained")));
        break;
    default:
        buf[0] = '\0';
    }
    char *out = xmalloc(strlen(buf) + 8);
    sprintf(out, "%s%s%s", buf, *buf ? " " : "", json_is_true(json_object_get(c, KEYS[col])) ? "ok" : "no");
    return out;
}

void fmt_assessment(FILE *out, json_t *doc, const struct view_opts *o)
{
    json_t *score = json_object_get(doc, "score");
    fprintf(out, "id: %s\nenterprise: %s (%s)\ninstrument: %s\nmode: %s\nstatus: %s\n", jstr(doc, "id"),
            jstr(json_object_get(doc, "org"), "name"), jstr(json_object_get(doc, "org"), "id"),
            jstr(doc, "instrument"), jstr(doc, "mode"), jstr(doc, "status"));
    fprintf(out, "score: %g\nlevel: %lld\n", jnum(score, "total"),
            (long long)json_integer_value(json_object_get(doc, "level")));
    if (jstr(doc, "verified_at"))
        fprintf(out, "verified: %s by %s\n", jstr(doc, "verified_at"),
                jstr(json_object_get(json_object_get(doc, "verified_by"), "org"), "name"));
    json_t *missing = json_object_get(doc, "missing");
    size_t mq = json_array_size(json_object_get(missing, "questions")),
           ms = json_array_size(json_object_get(missing, "scenes"));
    if (mq || ms)
        fprintf(out, "missing: %zu questions, %zu scenes\n", mq, ms);
    /* dimensions */
    json_t *dims = json_array(), *v;
    const char *k;
    json_object_foreach(json_object_get(score, "dimensions"), k, v)
        json_array_append_new(dims, json_pack("{s:s, s:O}", "name", k, "points", v));
    static const char *const DH[] = {"DIMENSION", "POINTS"};
    fputc('\n', out);
    fmt_rows(out, dims, 2, DH, NULL, dim_cell, o->termw);
    json_decref(dims);
    /* levels */
    json_t *checks = json_array();
    json_object_foreach(json_object_get(doc, "level_check"), k, v)
        json_array_append_new(checks, json_pack("{s:s, s:O}", "level", k, "check", v));
    static const char *const CH[] = {"LEVEL", "SCORE", "SCENES", "CONSTRAINED", "HOLDS"};
    fputc('\n', out);
    fmt_rows(out, checks, 5, CH, NULL, check_cell, o->termw);
    json_decref(checks);
    /* scenes, one line */
    fputs("\nscenes:", out);
    json_object_foreach(json_object_get(doc, "scenes"), k, v)
        fprintf(out, " %s=%lld", k, (long long)json_integer_value(v));
    fputc('\n', out);
}

/* ------------------------------------------------------------ gaps */

static char *scene_cell(json_t *row, int col)
{
    char buf[64];
    json_t *best = json_array_get(json_object_get(row, "resources"), 0);
    switch (col) {
    case 0:
        return str(jstr(row, "name"));
    case 1:
        return str(json_is_true(json_object_get(row, "constrained")) ? "yes" : "");
    case 2:
        snprintf(buf, sizeof buf, "%lld -> %lld", (long long)json_integer_value(json_object_get(row, "step")),
                 (long long)json_integer_value(json_object_get(row, "next_step")));
        return xstrdup(buf);
    case 3:
        return str(jstr(row, "next_text"));
    case 4:
        return best ? str(jstr(best, "title")) : NULL;
    default:
        snprintf(buf, sizeof buf, "%zu", json_array_size(json_object_get(row, "resources")));
        return xstrdup(buf);
    }
}

void fmt_gaps(FILE *out, json_t *doc, const struct view_opts *o)
{
    json_t *score = json_object_get(doc, "score"), *need = json_object_get(doc, "scenes_needed");
    fprintf(out, "enterprise: %s\nlevel: %lld -> target %lld (%s)%s\n",
            jstr(json_object_get(doc, "org"), "name"), (long long)json_integer_value(json_object_get(doc, "level")),
            (long long)json_integer_value(json_object_get(doc, "target")), jstr(doc, "target_name"),
            json_is_true(json_object_get(doc, "reached")) ? " reached" : "");
    fprintf(out, "points missing: %g (have %g, need %g)\n", jnum(score, "missing"), jnum(score, "total"),
            jnum(score, "min_score"));
    fprintf(out, "scenes missing: %lld (have %lld, need %lld), constrained: %lld (have %lld, need %lld)\n",
            (long long)json_integer_value(json_object_get(need, "missing")),
            (long long)json_integer_value(json_object_get(need, "at_target")),
            (long long)json_integer_value(json_object_get(need, "min_scenes")),
            (long long)json_integer_value(json_object_get(need, "constrained_missing")),
            (long long)json_integer_value(json_object_get(need, "constrained_at_target")),
            (long long)json_integer_value(json_object_get(need, "min_constrained")));
    json_t *scenes = json_object_get(doc, "scenes");
    if (!json_array_size(scenes)) {
        fputs("\nno scene below the target\n", out);
        return;
    }
    static const char *const H[] = {"SCENE", "CONSTRAINED", "STEP", "NEXT STEP", "BEST RESOURCE", "RESOURCES"};
    static const int W[] = {0, 0, 0, 40, 28, 0};
    fputc('\n', out);
    fmt_rows(out, scenes, 6, H, W, scene_cell, o->termw);
}

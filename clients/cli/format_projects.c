/*
 * format_projects.c - what a person sees of projects, their O&M tickets
 * and cases (issue 19: the VIEW_PROJECTS, VIEW_PROJECT, VIEW_TICKETS and
 * VIEW_CASES views of format.c's table).
 *
 * A project list is a table by the board's order (the server's); one
 * project prints as key: value lines (state, parties, amount, the
 * sign-offs), its milestones as a table with the overdue ones marked, its
 * cost lines, and when accepted the verified levels and figures before
 * and after.  Statuses show in Chinese, as the console shows them; codes
 * stay in --json.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char *const STATUS[][2] = {
    {"contracted", "已签约"}, {"implementing", "实施中"}, {"delivered", "已交付"},
    {"accepted", "已验收"}, {"disputed", "有争议"}, {"cancelled", "已取消"},
    {"open", "待处理"}, {"answered", "已回复"}, {"closed", "已关闭"},
    {"published", "已发布"}, {"withdrawn", "已撤下"},
};
static const char *const COST[][2] = {
    {"software", "软件"}, {"cloud", "云服务"}, {"hardware", "数据采集硬件"},
    {"integration", "集成服务"}, {"training", "培训"}, {"other", "其他"},
};

static const char *word(const char *const (*tab)[2], size_t n, const char *code)
{
    for (size_t i = 0; code && i < n; i++)
        if (strcmp(tab[i][0], code) == 0)
            return tab[i][1];
    return code ? code : "-";
}

static const char *status_zh(const char *code)
{
    return word(STATUS, sizeof STATUS / sizeof STATUS[0], code);
}

static const char *jstr(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static char *dup_or_null(const char *s)
{
    return s && *s ? xstrdup(s) : NULL;
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
    struct sbuf b = {0};
    va_list ap;
    va_start(ap, f);
    char tmp[512];
    vsnprintf(tmp, sizeof tmp, f, ap);
    va_end(ap);
    sbuf_puts(&b, tmp);
    return b.s;
}

static char *money(json_t *v)
{
    if (!json_is_number(v))
        return NULL;
    double d = json_number_value(v);
    return d >= 10000 ? fmt("%g万", d / 10000.0) : fmt("%g", d);
}

static const char *level(json_t *v)
{
    static const char *const N[] = {"未达一级", "一级", "二级", "三级", "四级"};
    if (!json_is_integer(v))
        return "-";
    json_int_t n = json_integer_value(v);
    return n >= 0 && n <= 4 ? N[n] : "-";
}

/* ------------------------------------------------------------ lists */

static char *project_cell(json_t *p, int col)
{
    switch (col) {
    case 0: return dup_or_null(jstr(p, "id"));
    case 1: return xstrdup(status_zh(jstr(p, "status")));
    case 2: return dup_or_null(jstr(p, "title"));
    case 3: return dup_or_null(jstr(json_object_get(p, "enterprise"), "name"));
    case 4: return dup_or_null(jstr(json_object_get(p, "provider"), "name"));
    case 5: {
        const char *due = jstr(p, "due");
        if (!due)
            return NULL;
        return fmt("%s%s", due, json_is_true(json_object_get(p, "overdue")) ? " 逾期" : "");
    }
    case 6:
        if (strcmp(jstr(p, "status") ? jstr(p, "status") : "", "accepted") != 0)
            return NULL;
        return fmt("%s→%s", level(json_object_get(p, "level_before")),
                   level(json_object_get(p, "level_after")));
    default: return money(json_object_get(p, "amount"));
    }
}

void fmt_projects(FILE *out, json_t *doc, const struct view_opts *o)
{
    static const char *const H[] = {"ID", "STATUS", "TITLE", "ENTERPRISE", "PROVIDER", "DUE",
                                    "LEVELS", "AMOUNT"};
    static const int W[] = {0, 0, 30, 20, 16, 0, 0, 0};
    json_t *items = json_object_get(doc, "items");
    if (!json_array_size(items)) {
        fputs("no projects\n", out);
        return;
    }
    fmt_rows(out, items, 8, H, W, project_cell, o->termw);
}

static char *ticket_cell(json_t *t, int col)
{
    switch (col) {
    case 0: return dup_or_null(jstr(t, "id"));
    case 1: return xstrdup(status_zh(jstr(t, "status")));
    case 2: return dup_or_null(jstr(t, "title"));
    case 3: return dup_or_null(jstr(t, "opened_at"));
    case 4: {
        json_t *h = json_object_get(t, "response_hours");
        return json_is_number(h) ? fmt("%.2fh", json_number_value(h)) : NULL;
    }
    default: {
        json_t *h = json_object_get(t, "resolution_hours");
        return json_is_number(h) ? fmt("%.2fh", json_number_value(h)) : NULL;
    }
    }
}

void fmt_tickets(FILE *out, json_t *doc, const struct view_opts *o)
{
    static const char *const H[] = {"ID", "STATUS", "TITLE", "OPENED", "RESPONSE", "RESOLVED"};
    static const int W[] = {0, 0, 30, 0, 0, 0};
    json_t *items = json_object_get(doc, "items");
    if (!json_array_size(items)) {
        fputs("no tickets\n", out);
        return;
    }
    fmt_rows(out, items, 6, H, W, ticket_cell, o->termw);
}

static char *case_cell(json_t *c, int col)
{
    switch (col) {
    case 0: return dup_or_null(jstr(c, "id"));
    case 1: return dup_or_null(jstr(c, "title"));
    case 2: return dup_or_null(jstr(json_object_get(c, "enterprise"), "name"));
    case 3: return fmt("%s→%s", level(json_object_get(c, "level_before")),
                       level(json_object_get(c, "level_after")));
    case 4: return money(json_object_get(json_object_get(c, "cost"), "amount"));
    default: {
        json_t *d = json_object_get(c, "duration_days");
        return json_is_integer(d) ? fmt("%lld天", (long long)json_integer_value(d)) : NULL;
    }
    }
}

void fmt_cases(FILE *out, json_t *doc, const struct view_opts *o)
{
    static const char *const H[] = {"ID", "TITLE", "ENTERPRISE", "LEVELS", "COST", "DAYS"};
    static const int W[] = {0, 36, 20, 0, 0, 0};
    json_t *items = json_object_get(doc, "items");
    json_t *total = json_object_get(doc, "total");
    if (json_is_integer(total))
        fprintf(out, "%lld cases%s\n", (long long)json_integer_value(total),
                json_is_true(json_object_get(doc, "relaxed")) ? " (not every word: relaxed)" : "");
    if (json_array_size(items))
        fmt_rows(out, items, 6, H, W, case_cell, o->termw);
}

/* ------------------------------------------------------------ one project */

static void line(FILE *out, const char *k, const char *v)
{
    fprintf(out, "%-12s %s\n", k, v && *v ? v : "-");
}

static char *milestone_cell(json_t *m, int col)
{
    switch (col) {
    case 0: return dup_or_null(jstr(m, "name"));
    case 1: return dup_or_null(jstr(m, "planned"));
    case 2: return dup_or_null(jstr(m, "actual"));
    default: return json_is_true(json_object_get(m, "overdue")) ? xstrdup("逾期") : NULL;
    }
}

static char *cost_cell(json_t *c, int col)
{
    switch (col) {
    case 0: return xstrdup(word(COST, sizeof COST / sizeof COST[0], jstr(c, "type")));
    case 1: return money(json_object_get(c, "amount"));
    default: return dup_or_null(jstr(c, "note"));
    }
}

static char *figure_cell(json_t *f, int col)
{
    json_t *v = json_object_get(f, col == 2 ? "before" : "after");
    switch (col) {
    case 0: return dup_or_null(jstr(f, "name"));
    case 1: return dup_or_null(jstr(f, "label") ? jstr(f, "label") : jstr(f, "figure"));
    default: return json_is_number(v) ? fmt("%g", json_number_value(v)) : NULL;
    }
}

void fmt_project(FILE *out, json_t *p, const struct view_opts *o)
{
    char *amount = money(json_object_get(p, "amount"));
    json_t *center = json_object_get(p, "center"), *so = json_object_get(p, "signoffs");
    line(out, "id", jstr(p, "id"));
    line(out, "title", jstr(p, "title"));
    line(out, "status", status_zh(jstr(p, "status")));
    line(out, "enterprise", jstr(json_object_get(p, "enterprise"), "name"));
    line(out, "provider", jstr(json_object_get(p, "provider"), "name"));
    line(out, "center", json_is_object(center) ? jstr(center, "name") : NULL);
    line(out, "resource", jstr(p, "resource_id"));
    line(out, "amount", amount);
    free(amount);
    if (json_object_size(so) || strcmp(jstr(p, "status") ? jstr(p, "status") : "", "delivered") == 0) {
        fprintf(out, "%-12s 企业 %s · 数促中心 %s\n", "sign-offs",
                json_object_get(so, "enterprise") ? "已签收" : "待签收",
                json_object_get(so, "center") ? "已签收" : "待签收");
    }
    json_t *can = json_object_get(p, "can"), *moves = json_object_get(can, "transitions");
    if (json_array_size(moves) || json_is_true(json_object_get(can, "signoff"))) {
        struct sbuf b = {0};
        size_t i;
        json_t *m;
        if (json_is_true(json_object_get(can, "signoff")))
            sbuf_puts(&b, "signoff ");
        json_array_foreach(moves, i, m) {
            sbuf_puts(&b, json_string_value(m));
            sbuf_puts(&b, " ");
        }
        line(out, "you may", b.s);
        sbuf_free(&b);
    }
    fputs("\nmilestones\n", out);
    static const char *const HM[] = {"MILESTONE", "PLANNED", "ACTUAL", "OVERDUE"};
    fmt_rows(out, json_object_get(p, "milestones"), 4, HM, NULL, milestone_cell, o->termw);
    json_t *costs = json_object_get(p, "costs");
    if (json_array_size(costs)) {
        fputs("\ncosts\n", out);
        static const char *const HC[] = {"TYPE", "AMOUNT", "NOTE"};
        fmt_rows(out, costs, 3, HC, NULL, cost_cell, o->termw);
    }
    json_t *before = json_object_get(p, "before"), *after = json_object_get(p, "after");
    fprintf(out, "\nbefore       %s", json_is_object(before) ? level(json_object_get(before, "level")) : "-");
    if (json_is_object(before))
        fprintf(out, " (%.1f, %s)", json_number_value(json_object_get(before, "total")),
                jstr(before, "assessment_id"));
    fprintf(out, "\nafter        %s", json_is_object(after) ? level(json_object_get(after, "level")) : "-");
    if (json_is_object(after))
        fprintf(out, " (%.1f, %s)", json_number_value(json_object_get(after, "total")),
                jstr(after, "assessment_id"));
    fputc('\n', out);
    json_t *figs = json_object_get(json_object_get(p, "comparison"), "figures");
    if (json_array_size(figs)) {
        static const char *const HF[] = {"QUESTION", "FIGURE", "BEFORE", "AFTER"};
        fmt_rows(out, figs, 4, HF, NULL, figure_cell, o->termw);
    }
    json_t *gain = json_object_get(p, "step_gain");
    if (json_is_number(gain))
        fprintf(out, "scene steps  +%g\n", json_number_value(gain));
}

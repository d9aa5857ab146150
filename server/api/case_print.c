/*
 * case_print.c - a 案例集 (a selection of cases) as one printable HTML
 * page: a cover, a table of contents, and each case on pages of its own
 * (what it solved, how, with what and at what cost, the verified levels
 * and figures before and after, the scene steps gained, the enterprise's
 * own words).  The same page is served as text/html and printed to PDF by
 * Chromium (pdf.h), so it carries its own print CSS (A4, page breaks) and
 * no script or outside resource.
 *
 * Every text from a case is HTML-escaped here; the page holds nothing
 * else a user typed.  Cases are shown as the public sees them (a hidden
 * enterprise stays hidden: a 案例集 is made to be handed out).
 */
#include "case.h"

#include "taxonomy.h"
#include "util.h"

#include <event2/buffer.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void esc(struct evbuffer *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<': evbuffer_add(b, "&lt;", 4); break;
        case '>': evbuffer_add(b, "&gt;", 4); break;
        case '&': evbuffer_add(b, "&amp;", 5); break;
        case '"': evbuffer_add(b, "&quot;", 6); break;
        case '\'': evbuffer_add(b, "&#39;", 5); break;
        case '\n': evbuffer_add(b, "<br>", 4); break;
        default: evbuffer_add(b, s, 1);
        }
    }
}

static const char *str(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static const char *level_name(const json_t *v)
{
    static const char *const N[] = {"未达一级", "一级", "二级", "三级", "四级"};
    if (!json_is_integer(v))
        return "—";
    json_int_t n = json_integer_value(v);
    return n >= 0 && n <= 4 ? N[n] : "—";
}

static void money(struct evbuffer *b, double v)
{
    if (v >= 10000)
        evbuffer_add_printf(b, "%.2f 万元", v / 10000.0);
    else
        evbuffer_add_printf(b, "%.0f 元", v);
}

static void num(struct evbuffer *b, const json_t *v)
{
    if (!json_is_number(v)) {
        evbuffer_add(b, "—", strlen("—"));
        return;
    }
    double d = json_number_value(v);
    if (d == floor(d) && fabs(d) < 1e15)
        evbuffer_add_printf(b, "%.0f", d);
    else
        evbuffer_add_printf(b, "%.2f", d);
}

static const char *const COST_ZH[][2] = {
    {"software", "软件"}, {"cloud", "云服务"}, {"hardware", "数据采集硬件"},
    {"integration", "集成服务"}, {"training", "培训"}, {"other", "其他"},
};

static const char CSS[] =
    "@page{size:A4;margin:18mm 16mm}"
    "body{font-family:'WenQuanYi Micro Hei','Noto Sans CJK SC','Microsoft YaHei',sans-serif;"
    "color:#1f2937;font-size:11pt;line-height:1.65;margin:0}"
    ".cover{height:250mm;display:flex;flex-direction:column;justify-content:center;"
    "text-align:center;page-break-after:always}"
    ".cover h1{font-size:28pt;margin:0 0 8mm;color:#1d4ed8}.cover p{margin:2mm 0;color:#4b5563}"
    ".toc{page-break-after:always}.toc h2{color:#1d4ed8}.toc ol{padding-left:6mm}"
    ".toc li{margin:2mm 0}"
    ".case{page-break-before:always}.case:first-of-type{page-break-before:auto}"
    ".case h2{font-size:17pt;color:#1d4ed8;margin:0 0 2mm;border-bottom:2px solid #1d4ed8;"
    "padding-bottom:2mm}"
    ".meta{color:#4b5563;font-size:10pt;margin:0 0 4mm}"
    "h3{font-size:12pt;margin:5mm 0 1mm;color:#111827}"
    ".facts{display:flex;gap:4mm;margin:3mm 0}.fact{flex:1;border:1px solid #d1d5db;"
    "border-radius:2mm;padding:2mm 3mm}.fact b{display:block;font-size:14pt;color:#1d4ed8}"
    "table{border-collapse:collapse;width:100%;font-size:10pt;margin:1mm 0}"
    "th,td{border:1px solid #d1d5db;padding:1mm 2mm;text-align:left}th{background:#f3f4f6}"
    "td.n{text-align:right}"
    "blockquote{margin:4mm 0;padding:2mm 4mm;border-left:3px solid #1d4ed8;background:#eff6ff}";

static void case_section(struct evbuffer *b, const json_t *c, int n)
{
    evbuffer_add_printf(b, "<section class=\"case\" id=\"case-%d\"><h2>", n);
    evbuffer_add_printf(b, "%d. ", n);
    esc(b, str(c, "title"));
    evbuffer_add_printf(b, "</h2><p class=\"meta\">");
    esc(b, str(json_object_get(c, "enterprise"), "name"));
    const char *ind = str(c, "industry");
    int ii = *ind ? tax_index(TAX_INDUSTRY, ind) : -1;
    if (ii >= 0) {
        evbuffer_add(b, " · ", strlen(" · "));
        esc(b, tax_name(TAX_INDUSTRY, ii));
    }
    evbuffer_add(b, " · 方案：", strlen(" · 方案："));
    esc(b, str(json_object_get(c, "resource"), "title"));
    evbuffer_add(b, "（", strlen("（"));
    esc(b, str(json_object_get(c, "provider"), "name"));
    evbuffer_add(b, "）</p>", strlen("）</p>"));
    /* the four facts */
    const json_t *cost = json_object_get(c, "cost");
    evbuffer_add_printf(b, "<div class=\"facts\"><div class=\"fact\">数字化水平<b>%s → %s</b></div>",
                        level_name(json_object_get(c, "level_before")),
                        level_name(json_object_get(c, "level_after")));
    evbuffer_add_printf(b, "<div class=\"fact\">实施周期<b>");
    num(b, json_object_get(c, "duration_days"));
    evbuffer_add_printf(b, " 天</b></div><div class=\"fact\">投入<b>");
    if (json_is_number(json_object_get(cost, "amount")))
        money(b, json_number_value(json_object_get(cost, "amount")));
    else
        evbuffer_add(b, "—", strlen("—"));
    evbuffer_add_printf(b, "</b></div><div class=\"fact\">场景提升<b>");
    num(b, json_object_get(c, "step_gain"));
    evbuffer_add_printf(b, " 级</b></div></div>");
    evbuffer_add_printf(b, "<h3>企业面临的问题</h3><p>");
    esc(b, str(c, "problem"));
    evbuffer_add_printf(b, "</p><h3>解决方案</h3><p>");
    esc(b, str(c, "solution"));
    evbuffer_add_printf(b, "</p>");
    const json_t *by = json_object_get(cost, "by_type");
    if (json_object_size(by)) {
        evbuffer_add_printf(b, "<h3>投入构成</h3><table><tr><th>类别</th><th>金额</th></tr>");
        for (size_t i = 0; i < sizeof COST_ZH / sizeof COST_ZH[0]; i++) {
            const json_t *v = json_object_get(by, COST_ZH[i][0]);
            if (!v)
                continue;
            evbuffer_add_printf(b, "<tr><td>%s</td><td class=\"n\">", COST_ZH[i][1]);
            money(b, json_number_value(v));
            evbuffer_add_printf(b, "</td></tr>");
        }
        evbuffer_add_printf(b, "</table>");
    }
    const json_t *figs = json_object_get(c, "figures");
    if (json_array_size(figs)) {
        evbuffer_add_printf(b, "<h3>数字化成效（核验数据）</h3><table><tr><th>指标</th><th>数据项</th>"
                               "<th>改造前</th><th>改造后</th></tr>");
        size_t i;
        const json_t *f;
        json_array_foreach(figs, i, f) {
            evbuffer_add_printf(b, "<tr><td>");
            esc(b, str(f, "name"));
            evbuffer_add_printf(b, "</td><td>");
            esc(b, *str(f, "label") ? str(f, "label") : str(f, "figure"));
            if (*str(f, "unit")) {
                evbuffer_add(b, "（", strlen("（"));
                esc(b, str(f, "unit"));
                evbuffer_add(b, "）", strlen("）"));
            }
            evbuffer_add_printf(b, "</td><td class=\"n\">");
            num(b, json_object_get(f, "before"));
            evbuffer_add_printf(b, "</td><td class=\"n\">");
            num(b, json_object_get(f, "after"));
            evbuffer_add_printf(b, "</td></tr>");
        }
        evbuffer_add_printf(b, "</table>");
    }
    const json_t *scenes = json_object_get(c, "scenes");
    if (json_array_size(scenes)) {
        evbuffer_add_printf(b, "<h3>场景等级变化</h3><table><tr><th>场景</th><th>改造前</th>"
                               "<th>改造后</th></tr>");
        size_t i;
        const json_t *s;
        json_array_foreach(scenes, i, s) {
            evbuffer_add_printf(b, "<tr><td>");
            esc(b, str(s, "name"));
            evbuffer_add_printf(b, "</td><td class=\"n\">");
            num(b, json_object_get(s, "before"));
            evbuffer_add_printf(b, "</td><td class=\"n\">");
            num(b, json_object_get(s, "after"));
            evbuffer_add_printf(b, "</td></tr>");
        }
        evbuffer_add_printf(b, "</table>");
    }
    if (*str(c, "quote")) {
        evbuffer_add_printf(b, "<blockquote>“");
        esc(b, str(c, "quote"));
        evbuffer_add_printf(b, "”<br>—— ");
        esc(b, str(json_object_get(c, "enterprise"), "name"));
        evbuffer_add_printf(b, "</blockquote>");
    }
    evbuffer_add_printf(b, "</section>");
}

char *case_collection_html(const json_t *cases, const char *title, const char *by,
                           const char *date, size_t *len)
{
    struct evbuffer *b = evbuffer_new();
    evbuffer_add_printf(b, "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
                           "<title>");
    esc(b, title);
    evbuffer_add_printf(b, "</title><style>%s</style></head><body>", CSS);
    evbuffer_add_printf(b, "<div class=\"cover\"><h1>");
    esc(b, title);
    evbuffer_add_printf(b, "</h1><p>");
    esc(b, by);
    evbuffer_add_printf(b, "</p><p>%s · 共 %zu 个案例</p></div>", date, json_array_size(cases));
    evbuffer_add_printf(b, "<nav class=\"toc\"><h2>目录</h2><ol>");
    size_t i;
    const json_t *c;
    json_array_foreach(cases, i, c) {
        evbuffer_add_printf(b, "<li><a href=\"#case-%zu\">", i + 1);
        esc(b, str(c, "title"));
        evbuffer_add_printf(b, "</a> · ");
        esc(b, str(json_object_get(c, "enterprise"), "name"));
        evbuffer_add_printf(b, "</li>");
    }
    evbuffer_add_printf(b, "</ol></nav>");
    json_array_foreach(cases, i, c)
        case_section(b, c, (int)i + 1);
    evbuffer_add_printf(b, "</body></html>\n");
    *len = evbuffer_get_length(b);
    char *out = xmalloc(*len + 1);
    evbuffer_remove(b, out, *len);
    out[*len] = '\0';
    evbuffer_free(b);
    return out;
}

/*
 * format.c - what a person sees on a terminal.
 *
 * Each kind of answer has a view (enum view in cli.h); fmt_view() looks the
 * view up in VIEWS and calls its renderer.  Lists are tables whose columns
 * are data: a header, a dotted JSON path into the row object, a cell
 * format and a maximum width (static const column tables below), so adding
 * a column is one line.  Single records print as "key: value" lines,
 * nested objects flattened to dotted keys ("price.min") and arrays of
 * objects to indexed keys ("cases[0].result").  Documents such as the
 * taxonomy print section by section, arrays of objects as tables.
 *
 * Nothing here talks to the network or decides exit statuses; scripts get
 * the raw JSON instead (request.c), so this output may change freely.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum col_fmt {
    CF_TEXT,    /* a scalar, an array joined with ", ", an object's name */
    CF_PRICE,   /* {min, max, unit} as "150万–200万/套" */
    CF_MONEY,   /* a number of yuan as "15万" */
    CF_NAME,    /* a code (or array of codes) by its Chinese name (NAMES) */
    CF_DAY,     /* a date or time as YYYY-MM-DD */
    CF_SCORE,   /* a number with 2 decimals */
    CF_RANK,    /* the row number, 1-based */
};

/* The vocabularies a CF_NAME column shows by name. */
enum vocab { VO_NONE, VO_KIND, VO_INDUSTRY, VO_SCENARIO, VO_RES_STATUS, VO_NEED_STATUS,
             VO_RESP_STATUS, VO_CAMP_STATUS };

/* A column: header, dotted path, format, maximum width, minimum width
 * (what a title keeps on a narrow terminal), drop rank (0: always shown;
 * the highest is left out first when 80 columns cannot hold them all) and
 * the vocabulary of a CF_NAME column. */
struct column {
    const char *header;
    const char *path;
    enum col_fmt fmt;
    int maxw;
    int minw;
    int drop;
    enum vocab vocab;
};

static const struct column COLS_RESOURCES[] = {
    {"ID", "id", CF_TEXT, 0, 0, 0, VO_NONE},
    {"KIND", "kind", CF_NAME, 0, 0, 4, VO_KIND},
    {"TITLE", "title", CF_TEXT, 40, 14, 0, VO_NONE},
    {"PROVIDER", "provider.name", CF_TEXT, 20, 8, 3, VO_NONE},
    {"INDUSTRIES", "industries", CF_NAME, 24, 0, 5, VO_INDUSTRY},
    {"PRICE", "price", CF_PRICE, 24, 8, 2, VO_NONE},
    {"STATUS", "status", CF_NAME, 0, 0, 6, VO_RES_STATUS},
    {NULL, NULL, CF_TEXT, 0, 0, 0, VO_NONE},
};

static const struct column COLS_NEEDS[] = {
    {"ID", "id", CF_TEXT, 0, 0, 0, VO_NONE},
    {"TITLE", "title", CF_TEXT, 40, 16, 0, VO_NONE},
    {"INDUSTRY", "industry", CF_NAME, 0, 0, 4, VO_INDUSTRY},
    {"SCENARIOS", "scenarios", CF_NAME, 28, 0, 6, VO_SCENARIO},
    {"REGION", "region", CF_TEXT, 0, 0, 5, VO_NONE},
    {"BUDGET", "budget.max", CF_MONEY, 0, 0, 2, VO_NONE},
    {"STATUS", "status", CF_NAME, 0, 0, 3, VO_NEED_STATUS},
    {"ENTERPRISE", "enterprise.name", CF_TEXT, 20, 0, 7, VO_NONE},
    {NULL, NULL, CF_TEXT, 0, 0, 0, VO_NONE},
};

static const struct column COLS_RESPONSES[] = {
    {"ID", "id", CF_TEXT, 0, 0, 0, VO_NONE},
    {"PROVIDER", "provider.name", CF_TEXT, 20, 0, 0, VO_NONE},
    {"RESOURCE", "resource_id", CF_TEXT, 0, 0, 3, VO_NONE},
    {"QUOTE", "quote", CF_MONEY, 0, 0, 0, VO_NONE},
    {"STATUS", "status", CF_NAME, 0, 0, 0, VO_RESP_STATUS},
    {"MESSAGE", "message", CF_TEXT, 40, 0, 2, VO_NONE},
    {NULL, NULL, CF_TEXT, 0, 0, 0, VO_NONE},
};

static const struct column COLS_CAMPAIGNS[] = {
    {"ID", "id", CF_TEXT, 0, 0, 0, VO_NONE},
    {"TITLE", "title", CF_TEXT, 36, 16, 0, VO_NONE},
    {"STATUS", "status", CF_NAME, 0, 0, 0, VO_CAMP_STATUS},
    {"INDUSTRY", "industry", CF_NAME, 0, 0, 4, VO_INDUSTRY},
    {"REGION", "region", CF_TEXT, 0, 0, 5, VO_NONE},
    {"JOINED", "participants.count", CF_TEXT, 0, 0, 2, VO_NONE},
    {"UNIT PRICE", "current_unit_price", CF_MONEY, 0, 0, 1, VO_NONE},
    {"DEADLINE", "deadline", CF_DAY, 0, 0, 3, VO_NONE},
    {NULL, NULL, CF_TEXT, 0, 0, 0, VO_NONE},
};

static const struct column COLS_HITS[] = {
    {"SCORE", "score", CF_SCORE, 0, 0, 5, VO_NONE},
    {"KIND", "kind", CF_NAME, 0, 0, 4, VO_KIND},
    {"TITLE", "title", CF_TEXT, 40, 16, 0, VO_NONE},
    {"PROVIDER", "provider.name", CF_TEXT, 20, 8, 2, VO_NONE},
    {"PRICE", "price", CF_PRICE, 24, 12, 1, VO_NONE},
    {"ID", "id", CF_TEXT, 0, 0, 0, VO_NONE},
    {NULL, NULL, CF_TEXT, 0, 0, 0, VO_NONE},
};

static const struct column COLS_MATCHES[] = {
    {"#", NULL, CF_RANK, 0, 0, 0, VO_NONE},
    {"SCORE", "score", CF_SCORE, 0, 0, 0, VO_NONE},
    {"KIND", "resource.kind", CF_NAME, 0, 0, 4, VO_KIND},
    {"TITLE", "resource.title", CF_TEXT, 40, 16, 0, VO_NONE},
    {"PROVIDER", "resource.provider.name", CF_TEXT, 20, 8, 2, VO_NONE},
    {"PRICE", "resource.price", CF_PRICE, 24, 12, 1, VO_NONE},
    {"ID", "resource.id", CF_TEXT, 0, 0, 0, VO_NONE},
    {NULL, NULL, CF_TEXT, 0, 0, 0, VO_NONE},
};

static const struct column COLS_ENTERPRISES[] = {
    {"ORG", "org.id", CF_TEXT, 0, 0, 0, VO_NONE},
    {"NAME", "org.name", CF_TEXT, 24, 0, 0, VO_NONE},
    {"CITY", "city", CF_TEXT, 12, 0, 0, VO_NONE},
    {"DISTRICT", "district", CF_TEXT, 12, 0, 0, VO_NONE},
    {"INDUSTRY", "industry", CF_NAME, 0, 0, 0, VO_INDUSTRY},
    {"SIZE", "size", CF_TEXT, 0, 0, 0, VO_NONE},
    {"ABOVE SCALE", "above_scale", CF_TEXT, 0, 0, 0, VO_NONE},
    {"LEVEL", "level", CF_TEXT, 0, 0, 0, VO_NONE},
    {"ASSESSED", "assessed_at", CF_TEXT, 0, 0, 0, VO_NONE},
    {NULL, NULL, CF_TEXT, 0, 0, 0, VO_NONE},
};

static const struct column COLS_ASSESSMENTS[] = {
    {"ID", "id", CF_TEXT, 0, 0, 0, VO_NONE},
    {"ENTERPRISE", "org.name", CF_TEXT, 24, 0, 0, VO_NONE},
    {"STATUS", "status", CF_TEXT, 0, 0, 0, VO_NONE},
    {"MODE", "mode", CF_TEXT, 0, 0, 0, VO_NONE},
    {"SCORE", "score.total", CF_SCORE, 0, 0, 0, VO_NONE},
    {"LEVEL", "level", CF_TEXT, 0, 0, 0, VO_NONE},
    {"SUBMITTED", "submitted_at", CF_TEXT, 0, 0, 0, VO_NONE},
    {"VERIFIED", "verified_at", CF_TEXT, 0, 0, 0, VO_NONE},
    {NULL, NULL, CF_TEXT, 0, 0, 0, VO_NONE},
};
/* Chinese names of the codes tables show (schemas/taxonomy.json, which is
 * append-only, and the statuses of the API contract).  A code not listed
 * shows as itself: a newer server's codes stay readable. */
static const struct {
    enum vocab v;
    const char *code, *name;
} NAMES[] = {
    {VO_KIND, "solution", "解决方案"}, {VO_KIND, "product", "货架产品"},
    {VO_KIND, "dataset", "数据集"}, {VO_KIND, "model", "模型"},
    {VO_KIND, "process_package", "工艺包"}, {VO_KIND, "service", "服务"},
    {VO_KIND, "infrastructure", "基础设施"}, {VO_KIND, "provider", "服务商"},
    {VO_INDUSTRY, "petrochem", "石化化工"}, {VO_INDUSTRY, "steel", "钢铁"},
    {VO_INDUSTRY, "nonferrous", "有色"}, {VO_INDUSTRY, "building_materials", "建材"},
    {VO_INDUSTRY, "machinery", "机械"}, {VO_INDUSTRY, "aviation", "航空"},
    {VO_INDUSTRY, "shipbuilding", "船舶"}, {VO_INDUSTRY, "automotive", "汽车"},
    {VO_INDUSTRY, "power_equipment", "电力装备"}, {VO_INDUSTRY, "light_industry", "轻工"},
    {VO_INDUSTRY, "textile", "纺织"}, {VO_INDUSTRY, "food", "食品"},
    {VO_INDUSTRY, "pharma", "医药"}, {VO_INDUSTRY, "electronics", "电子信息"},
    {VO_INDUSTRY, "general", "通用"},
    {VO_SCENARIO, "product_design", "产品设计"}, {VO_SCENARIO, "process_design", "工艺设计"},
    {VO_SCENARIO, "marketing", "营销管理"}, {VO_SCENARIO, "after_sales", "售后服务"},
    {VO_SCENARIO, "planning", "计划排程"}, {VO_SCENARIO, "production_control", "生产管控"},
    {VO_SCENARIO, "quality", "质量管理"}, {VO_SCENARIO, "equipment", "设备管理"},
    {VO_SCENARIO, "safety", "安全生产"}, {VO_SCENARIO, "energy", "能耗管理"},
    {VO_SCENARIO, "procurement", "采购管理"}, {VO_SCENARIO, "warehouse_logistics", "仓储物流"},
    {VO_SCENARIO, "finance", "财务管理"}, {VO_SCENARIO, "hr", "人力资源"},
    {VO_SCENARIO, "collaboration", "协同办公"}, {VO_SCENARIO, "decision_support", "决策支持"},
    {VO_SCENARIO, "network", "网络建设"}, {VO_SCENARIO, "connectivity", "设备联网"},
    {VO_SCENARIO, "security", "网络安全"}, {VO_SCENARIO, "cloud", "云与算力"},
    {VO_RES_STATUS, "published", "已发布"}, {VO_RES_STATUS, "withdrawn", "已下架"},
    {VO_NEED_STATUS, "draft", "草稿"}, {VO_NEED_STATUS, "open", "征集中"},
    {VO_NEED_STATUS, "matched", "已对接"}, {VO_NEED_STATUS, "in_campaign", "集采中"},
    {VO_NEED_STATUS, "closed", "已关闭"},
    {VO_RESP_STATUS, "pending", "待处理"}, {VO_RESP_STATUS, "accepted", "已接受"},
    {VO_RESP_STATUS, "rejected", "未采纳"},
    {VO_CAMP_STATUS, "draft", "草稿"}, {VO_CAMP_STATUS, "open", "报名中"},
    {VO_CAMP_STATUS, "succeeded", "已成团"}, {VO_CAMP_STATUS, "failed", "未成团"},
    {VO_CAMP_STATUS, "contracted", "已签约"}, {VO_CAMP_STATUS, "implementing", "实施中"},
    {VO_CAMP_STATUS, "completed", "已完成"}, {VO_CAMP_STATUS, "cancelled", "已取消"},
};

static const char *name_of(enum vocab v, const char *code)
{
    for (size_t i = 0; i < sizeof NAMES / sizeof NAMES[0]; i++)
        if (NAMES[i].v == v && strcmp(NAMES[i].code, code) == 0)
            return NAMES[i].name;
    return code;
}

/* ------------------------------------------------------------ values */

/* The member at a dotted path ("provider.name"), or NULL. */
static json_t *json_path(json_t *o, const char *path)
{
    char seg[64];
    while (o && path && *path) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        if (n >= sizeof seg)
            return NULL;
        memcpy(seg, path, n);
        seg[n] = '\0';
        o = json_is_object(o) ? json_object_get(o, seg) : NULL;
        path = dot ? dot + 1 : NULL;
    }
    return o;
}

static void num_str(struct sbuf *b, double d)
{
    if (d == floor(d) && fabs(d) < 1e15)
        sbuf_printf(b, "%.0f", d);
    else
        sbuf_printf(b, "%.15g", d);
}

/* Append a scalar (or a short rendering of a container) to b. */
static void value_str(struct sbuf *b, json_t *v)
{
    size_t i;
    json_t *e;
    switch (json_typeof(v)) {
    case JSON_STRING:
        sbuf_add(b, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        sbuf_printf(b, "%lld", (long long)json_integer_value(v));
        break;
    case JSON_REAL:
        num_str(b, json_real_value(v));
        break;
    case JSON_TRUE:
        sbuf_puts(b, "true");
        break;
    case JSON_FALSE:
        sbuf_puts(b, "false");
        break;
    case JSON_NULL:
        break;
    case JSON_ARRAY:
        json_array_foreach(v, i, e) {
            if (i)
                sbuf_puts(b, ", ");
            value_str(b, e);
        }
        break;
    case JSON_OBJECT: {
        json_t *name = json_object_get(v, "name");
        if (json_is_string(name)) {
            value_str(b, name);
        } else {
            char *s = json_dumps(v, JSON_COMPACT | JSON_REAL_PRECISION(15));
            if (s)
                sbuf_puts(b, s);
            free(s);
        }
        break;
    }
    }
}

/* An amount of yuan the way people say it: 9800, 15万, 1.5万, 1200万, 1.2亿. */
static void money_str(struct sbuf *b, double d)
{
    const char *unit = "";
    double v = d;
    if (fabs(d) >= 1e8) {
        v = d / 1e8;
        unit = "亿";
    } else if (fabs(d) >= 1e4) {
        v = d / 1e4;
        unit = "万";
    }
    char num[32];
    snprintf(num, sizeof num, "%.2f", v);
    char *dot = strchr(num, '.'); /* 15.00 -> 15, 1.50 -> 1.5 */
    if (dot) {
        char *e = num + strlen(num) - 1;
        while (e > dot && *e == '0')
            *e-- = '\0';
        if (e == dot)
            *e = '\0';
    }
    sbuf_printf(b, "%s%s", num, unit);
}

static void price_str(struct sbuf *b, json_t *p)
{
    json_t *min = json_object_get(p, "min"), *max = json_object_get(p, "max");
    json_t *unit = json_object_get(p, "unit");
    if (!json_is_number(min) && !json_is_number(max))
        return;
    if (json_is_number(min))
        money_str(b, json_number_value(min));
    if (json_is_number(max) && !(json_is_number(min) && json_number_value(min) == json_number_value(max))) {
        sbuf_puts(b, "–");
        money_str(b, json_number_value(max));
    }
    if (json_is_string(unit) && json_string_length(unit))
        sbuf_printf(b, "/%s", json_string_value(unit));
}

/* The text of one cell; the caller frees the sbuf. */
static void cell_str(struct sbuf *b, const struct column *c, json_t *row, int rank)
{
    json_t *v = c->path ? json_path(row, c->path) : NULL;
    sbuf_add(b, "", 0);
    switch (c->fmt) {
    case CF_RANK:
        sbuf_printf(b, "%d", rank);
        break;
    case CF_PRICE:
        if (json_is_object(v))
            price_str(b, v);
        break;
    case CF_MONEY:
        if (json_is_number(v))
            money_str(b, json_number_value(v));
        break;
    case CF_NAME:
        if (json_is_string(v)) {
            sbuf_puts(b, name_of(c->vocab, json_string_value(v)));
        } else if (json_is_array(v)) {
            size_t i;
            json_t *e;
            json_array_foreach(v, i, e) {
                if (i)
                    sbuf_puts(b, ", ");
                if (json_is_string(e))
                    sbuf_puts(b, name_of(c->vocab, json_string_value(e)));
            }
        }
        break;
    case CF_DAY:
        if (json_is_string(v))
            sbuf_add(b, json_string_value(v), json_string_length(v) > 10 ? 10 : json_string_length(v));
        break;
    case CF_SCORE:
        if (json_is_number(v))
            sbuf_printf(b, "%.2f", json_number_value(v));
        break;
    case CF_TEXT:
        if (v)
            value_str(b, v);
        break;
    }
}

/* ------------------------------------------------------------ tables */

static void rows_table(FILE *out, const struct column *cols, json_t *rows, int termw)
{
    int n = 0;
    while (cols[n].header)
        n++;
    const char **heads = xcalloc((size_t)n, sizeof *heads);
    const char **cells = xcalloc((size_t)n, sizeof *cells);
    struct sbuf *bufs = xcalloc((size_t)n, sizeof *bufs);
    int *maxw = xcalloc((size_t)n, sizeof *maxw);
    int *minw = xcalloc((size_t)n, sizeof *minw);
    int *drop = xcalloc((size_t)n, sizeof *drop);
    for (int c = 0; c < n; c++) {
        heads[c] = cols[c].header;
        maxw[c] = cols[c].maxw;
        minw[c] = cols[c].minw;
        drop[c] = cols[c].drop;
    }
    struct table *t = table_new(n, heads, maxw);
    table_layout(t, minw, drop);
    free(minw);
    free(drop);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        for (int c = 0; c < n; c++) {
            bufs[c].len = 0;
            cell_str(&bufs[c], &cols[c], row, (int)i + 1);
            cells[c] = bufs[c].s;
        }
        table_add(t, cells);
    }
    table_print(t, out, termw);
    table_free(t);
    for (int c = 0; c < n; c++)
        sbuf_free(&bufs[c]);
    free(bufs);
    free(maxw);
    free(cells);
    free(heads);
}

static void list_view(FILE *out, json_t *doc, const struct column *cols, const char *noun, int termw)
{
    json_t *items = json_object_get(doc, "items");
    if (!json_is_array(items)) {
        fmt_view(out, VIEW_RECORD, doc, &(struct view_opts){termw, 0});
        return;
    }
    if (json_array_size(items) == 0) {
        fprintf(out, "no %s\n", noun);
        return;
    }
    rows_table(out, cols, items, termw);
    json_t *next = json_object_get(doc, "next_cursor");
    if (json_is_string(next))
        fprintf(out, "\nmore: --cursor %s (or --all)\n", json_string_value(next));
}

/* ------------------------------------------------------------ records */

struct kv {
    char *key;
    char *val;
};

struct kvs {
    struct kv *v;
    size_t n, cap;
};

static void kvs_add(struct kvs *k, const char *key, const char *val)
{
    if (k->n == k->cap) {
        k->cap = k->cap ? k->cap * 2 : 32;
        k->v = xrealloc(k->v, k->cap * sizeof *k->v);
    }
    k->v[k->n].key = xstrdup(key);
    k->v[k->n].val = xstrdup(val);
    k->n++;
}

static int is_scalar_array(json_t *a)
{
    size_t i;
    json_t *e;
    json_array_foreach(a, i, e) {
        if (json_is_object(e) || json_is_array(e))
            return 0;
    }
    return 1;
}

/* An object whose members are all numbers: a table of counts. */
static int is_count_map(json_t *v)
{
    const char *name;
    json_t *e;
    if (!json_is_object(v) || !json_object_size(v))
        return 0;
    json_object_foreach(v, name, e) {
        if (!json_is_number(e))
            return 0;
    }
    return 1;
}

/* "machinery 2, automotive 1": the non-zero counts, "-" if none. */
static void counts_str(struct sbuf *b, json_t *v)
{
    const char *name;
    json_t *e;
    int any = 0;
    json_object_foreach(v, name, e) {
        if (json_number_value(e) == 0)
            continue;
        sbuf_printf(b, "%s%s ", any ? ", " : "", name);
        num_str(b, json_number_value(e));
        any = 1;
    }
    if (!any)
        sbuf_puts(b, "-");
}

/* Flatten v under key prefix into k; with counts, count maps become one
 * line each (counts_str) instead of a line per member. */
static void kvs_flatten(struct kvs *k, const char *prefix, json_t *v, int counts)
{
    struct sbuf key = {0}, val = {0};
    const char *name;
    json_t *e;
    size_t i;
    if (counts && *prefix && is_count_map(v)) {
        sbuf_add(&val, "", 0);
        counts_str(&val, v);
        kvs_add(k, prefix, val.s);
    } else if (json_is_object(v) && json_object_size(v)) {
        json_object_foreach(v, name, e) {
            key.len = 0;
            sbuf_printf(&key, "%s%s%s", prefix, *prefix ? "." : "", name);
            kvs_flatten(k, key.s, e, counts);
        }
    } else if (json_is_array(v) && !is_scalar_array(v)) {
        json_array_foreach(v, i, e) {
            key.len = 0;
            sbuf_printf(&key, "%s[%zu]", prefix, i);
            kvs_flatten(k, key.s, e, counts);
        }
    } else {
        sbuf_add(&val, "", 0);
        if (json_is_object(v))
            sbuf_puts(&val, "{}");
        else
            value_str(&val, v);
        kvs_add(k, prefix, *val.s ? val.s : "-");
    }
    sbuf_free(&key);
    sbuf_free(&val);
}

/* Print "key: value" lines, values aligned; continuation lines indented. */
static void kvs_print(FILE *out, const struct kvs *k, int indent)
{
    int kw = 0;
    for (size_t i = 0; i < k->n; i++) {
        int w = text_width(k->v[i].key);
        if (w > kw)
            kw = w;
    }
    for (size_t i = 0; i < k->n; i++) {
        fprintf(out, "%*s%s:", indent, "", k->v[i].key);
        fprintf(out, "%*s", kw - text_width(k->v[i].key) + 1, "");
        for (const char *p = k->v[i].val; *p; p++) {
            fputc(*p, out);
            if (*p == '\n' && p[1])
                fprintf(out, "%*s", indent + kw + 2, "");
        }
        fputc('\n', out);
    }
}

static void kvs_free(struct kvs *k)
{
    for (size_t i = 0; i < k->n; i++) {
        free(k->v[i].key);
        free(k->v[i].val);
    }
    free(k->v);
}

static void record_print(FILE *out, json_t *doc, int indent, int counts)
{
    struct kvs k = {0};
    kvs_flatten(&k, "", doc, counts);
    kvs_print(out, &k, indent);
    kvs_free(&k);
}

/* ------------------------------------------------------------ views */

static void view_record(FILE *out, json_t *doc, const struct view_opts *o)
{
    record_print(out, doc, 0, 0);
}

static void view_resources(FILE *out, json_t *doc, const struct view_opts *o)
{
    list_view(out, doc, COLS_RESOURCES, "resources", o->termw);
}

static void view_needs(FILE *out, json_t *doc, const struct view_opts *o)
{
    list_view(out, doc, COLS_NEEDS, "needs", o->termw);
}

static void view_responses(FILE *out, json_t *doc, const struct view_opts *o)
{
    list_view(out, doc, COLS_RESPONSES, "responses", o->termw);
}

static void view_campaigns(FILE *out, json_t *doc, const struct view_opts *o)
{
    list_view(out, doc, COLS_CAMPAIGNS, "campaigns", o->termw);
}

static void view_enterprises(FILE *out, json_t *doc, const struct view_opts *o)
{
    json_t *total = json_object_get(doc, "total"), *items = json_object_get(doc, "items");
    if (json_is_integer(total) && json_array_size(items))
        fprintf(out, "%lld enterprises, showing %zu\n", (long long)json_integer_value(total),
                json_array_size(items));
    list_view(out, doc, COLS_ENTERPRISES, "enterprises", o->termw);
}

static void view_assessments(FILE *out, json_t *doc, const struct view_opts *o)
{
    list_view(out, doc, COLS_ASSESSMENTS, "assessments", o->termw);
}

/* "kind: solution 80, product 3" from facets.kind. */
static void facet_line(FILE *out, json_t *facets, const char *name)
{
    json_t *f = json_object_get(facets, name), *v;
    const char *k;
    int first = 1;
    if (!json_is_object(f) || !json_object_size(f))
        return;
    fprintf(out, "\n%s:", name);
    json_object_foreach(f, k, v) {
        fprintf(out, "%s %s %lld", first ? "" : ",",
                strcmp(name, "kind") == 0 ? name_of(VO_KIND, k) : k, (long long)json_integer_value(v));
        first = 0;
    }
    fputc('\n', out);
}

static void view_search(FILE *out, json_t *doc, const struct view_opts *o)
{
    json_t *hits = json_object_get(doc, "hits");
    json_int_t total = json_integer_value(json_object_get(doc, "total"));
    size_t n = json_array_size(hits);
    fprintf(out, "%lld result%s, showing %zu (%.1f ms%s)\n", (long long)total, total == 1 ? "" : "s", n,
            json_number_value(json_object_get(doc, "took_ms")),
            json_is_true(json_object_get(doc, "cached")) ? ", cached" : "");
    if (n)
        rows_table(out, COLS_HITS, hits, o->termw);
    facet_line(out, json_object_get(doc, "facets"), "kind");
}

#define BAR_WIDTH 10

/* A bar of BAR_WIDTH cells, full in proportion v / scale. */
static void bar_print(FILE *out, double v, double scale)
{
    int full = scale > 0 ? (int)lround(v / scale * BAR_WIDTH) : 0;
    if (full < 0)
        full = 0;
    if (full > BAR_WIDTH)
        full = BAR_WIDTH;
    for (int i = 0; i < BAR_WIDTH; i++)
        fputs(i < full ? "█" : "░", out);
}

/* The numeric explain parts of every match share one scale, so bars
 * compare across matches as well as within one. */
static void explain_print(FILE *out, json_t *matches)
{
    double scale = 0;
    size_t i;
    json_t *m, *v;
    const char *k;
    json_array_foreach(matches, i, m) {
        json_object_foreach(json_object_get(m, "explain"), k, v) {
            if (json_is_number(v) && json_number_value(v) > scale)
                scale = json_number_value(v);
        }
    }
    json_array_foreach(matches, i, m) {
        json_t *ex = json_object_get(m, "explain");
        if (!json_is_object(ex))
            continue;
        struct sbuf title = {0};
        sbuf_add(&title, "", 0);
        value_str(&title, json_path(m, "resource.title"));
        fprintf(out, "\n%zu. %s  %.2f\n", i + 1, title.s, json_number_value(json_object_get(m, "score")));
        sbuf_free(&title);
        int kw = 0;
        json_object_foreach(ex, k, v) {
            if ((int)strlen(k) > kw)
                kw = (int)strlen(k);
        }
        json_object_foreach(ex, k, v) {
            fprintf(out, "   %-*s  ", kw, k);
            if (json_is_number(v)) {
                bar_print(out, json_number_value(v), scale);
                fprintf(out, " %.2f\n", json_number_value(v));
            } else {
                struct sbuf s = {0};
                sbuf_add(&s, "", 0);
                value_str(&s, v);
                fprintf(out, "%s\n", *s.s ? s.s : "-");
                sbuf_free(&s);
            }
        }
    }
}

static void view_matches(FILE *out, json_t *doc, const struct view_opts *o)
{
    json_t *need = json_object_get(doc, "need");
    json_t *matches = json_object_get(doc, "matches");
    if (json_is_object(need))
        fprintf(out, "need %s  %s\n", json_string_value(json_object_get(need, "id")),
                json_string_value(json_object_get(need, "title")));
    size_t n = json_array_size(matches);
    fprintf(out, "%zu match%s (%.1f ms%s)\n", n, n == 1 ? "" : "es",
            json_number_value(json_object_get(doc, "took_ms")),
            json_is_true(json_object_get(doc, "cached")) ? ", cached" : "");
    if (!n)
        return;
    rows_table(out, COLS_MATCHES, matches, o->termw);
    if (o->explain)
        explain_print(out, matches);
}

static void view_import(FILE *out, json_t *doc, const struct view_opts *o)
{
    size_t i;
    json_t *e;
    fprintf(out, "created: %lld  updated: %lld  failed: %lld\n",
            (long long)json_integer_value(json_object_get(doc, "created")),
            (long long)json_integer_value(json_object_get(doc, "updated")),
            (long long)json_integer_value(json_object_get(doc, "failed")));
    json_array_foreach(json_object_get(doc, "errors"), i, e) {
        json_t *err = json_object_get(e, "error");
        const char *field = json_string_value(json_object_get(err, "field"));
        fprintf(out, "line %lld: %s: %s", (long long)json_integer_value(json_object_get(e, "line")),
                json_string_value(json_object_get(err, "code")) ? json_string_value(json_object_get(err, "code")) : "error",
                json_string_value(json_object_get(err, "message")) ? json_string_value(json_object_get(err, "message")) : "");
        if (field)
            fprintf(out, " (field: %s)", field);
        fputc('\n', out);
    }
}

/* A table of an array of objects, one column per key holding scalars or
 * arrays of scalars, in the order keys first appear. */
static void objects_table(FILE *out, json_t *arr, int termw)
{
    enum { MAX_COLS = 16 };
    struct column cols[MAX_COLS + 1];
    char *heads[MAX_COLS];
    int n = 0;
    size_t i;
    json_t *o, *v;
    const char *k;
    json_array_foreach(arr, i, o) {
        json_object_foreach(o, k, v) {
            if (json_is_object(v) || (json_is_array(v) && !is_scalar_array(v)))
                continue;
            int seen = 0;
            for (int c = 0; c < n && !seen; c++)
                seen = strcmp(cols[c].path, k) == 0;
            if (seen || n == MAX_COLS)
                continue;
            heads[n] = xstrdup(k);
            for (char *p = heads[n]; *p; p++)
                *p = (*p >= 'a' && *p <= 'z') ? (char)(*p - 'a' + 'A') : *p;
            cols[n] = (struct column){heads[n], NULL, CF_TEXT, 48, 0, 0, VO_NONE};
            cols[n].path = k; /* keys live as long as arr */
            n++;
        }
    }
    cols[n] = (struct column){NULL, NULL, CF_TEXT, 0, 0, 0, VO_NONE};
    if (n)
        rows_table(out, cols, arr, termw);
    for (int c = 0; c < n; c++)
        free(heads[c]);
}

static void view_doc(FILE *out, json_t *doc, const struct view_opts *o)
{
    const char *k;
    json_t *v;
    int first = 1;
    if (!json_is_object(doc)) {
        record_print(out, doc, 0, 0);
        return;
    }
    json_object_foreach(doc, k, v) {
        if (json_is_array(v) && json_array_size(v) && !is_scalar_array(v)) {
            fprintf(out, "%s%s\n", first ? "" : "\n", k);
            objects_table(out, v, o->termw);
        } else if (json_is_object(v)) {
            fprintf(out, "%s%s\n", first ? "" : "\n", k);
            record_print(out, v, 2, 1);
        } else {
            struct kvs kv = {0};
            kvs_flatten(&kv, k, v, 1);
            kvs_print(out, &kv, 0);
            kvs_free(&kv);
        }
        first = 0;
    }
}

typedef void view_fn(FILE *out, json_t *doc, const struct view_opts *o);

static view_fn *const VIEWS[] = {
    [VIEW_RECORD] = view_record,
    [VIEW_RESOURCES] = view_resources,
    [VIEW_NEEDS] = view_needs,
    [VIEW_RESPONSES] = view_responses,
    [VIEW_CAMPAIGNS] = view_campaigns,
    [VIEW_SEARCH] = view_search,
    [VIEW_MATCHES] = view_matches,
    [VIEW_IMPORT] = view_import,
    [VIEW_DOC] = view_doc,
    [VIEW_ENTERPRISES] = view_enterprises,
    [VIEW_ASSESSMENTS] = view_assessments,
    [VIEW_ASSESSMENT] = fmt_assessment,
    [VIEW_GAPS] = fmt_gaps,
    [VIEW_PROJECTS] = fmt_projects, [VIEW_PROJECT] = fmt_project,
    [VIEW_TICKETS] = fmt_tickets, [VIEW_CASES] = fmt_cases,
};

void fmt_view(FILE *out, enum view v, json_t *doc, const struct view_opts *o)
{
    if ((size_t)v >= sizeof VIEWS / sizeof VIEWS[0] || !VIEWS[v])
        v = VIEW_RECORD;
    VIEWS[v](out, doc, o);
}

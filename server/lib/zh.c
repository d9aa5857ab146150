/*
 * zh.c - Chinese error messages and field names (see zh.h).
 *
 * Three tables, all data: FIELDS (a field path -> its Chinese name, the
 * words the console's forms use as labels), WORDS (codes that appear
 * inside messages: statuses, roles, vocabularies), both here, and
 * CATALOGUE (an English printf format -> its Chinese template), in
 * zh_catalogue.c.  A template names the
 * format's arguments by number, {1} .. {9}; {n:w} passes argument n
 * through WORDS, {n:f} through FIELDS.  zh_format() reads the arguments by
 * the English format, so the two can never disagree on a type; the unit
 * test (tests/unit/test_zh.c) checks that no template names an argument
 * its format does not have and that each template is valid UTF-8 with no
 * Latin sentence in it.
 *
 * To add a message: write the English one where it is raised, as usual,
 * and add its row to zh_catalogue.c.  scripts/check_zh.py lists the formats that have
 * none (they would still reach a Chinese client, as the generic sentence
 * of their error code), and `make test` fails while it lists any
 * (tests/api/test_zh_catalogue.py).  An argument whose Chinese is not its
 * English (a list of field paths) is given again in Chinese with
 * refuse_zh() (write.h).
 */
#include "zh.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ language */

int zh_accepts(const char *al)
{
    if (!al)
        return 0;
    while (*al == ' ' || *al == '\t')
        al++;
    return (al[0] == 'z' || al[0] == 'Z') && (al[1] == 'h' || al[1] == 'H') &&
           (al[2] == '\0' || al[2] == '-' || al[2] == '_' || al[2] == ',' || al[2] == ';' ||
            al[2] == ' ');
}

/* ------------------------------------------------------------ fields */

static const struct {
    const char *path;
    const char *zh;
} FIELDS[] = {
    /* resources */
    {"kind", "类型"}, {"title", "标题"}, {"summary", "简介"}, {"description", "详细描述"},
    {"industries", "行业"}, {"scenarios", "场景"}, {"regions", "服务地区"}, {"tags", "标签"},
    {"price", "价格"}, {"price.min", "最低价格"}, {"price.max", "最高价格"},
    {"price.unit", "计价单位"}, {"deploy_days", "上线周期"}, {"delivery", "交付方式"},
    {"levels", "数字化水平"}, {"levels.from", "适用起始水平"}, {"levels.to", "可达水平"},
    {"cases", "案例"}, {"cases.enterprise", "案例企业"}, {"cases.industry", "案例行业"},
    {"cases.result", "案例成效"}, {"license", "许可方式"}, {"external_id", "外部编号"},
    {"attrs", "扩展属性"},
    /* needs */
    {"industry", "行业"}, {"scenario", "场景"}, {"region", "地区"}, {"budget", "预算"},
    {"budget.max", "预算上限"}, {"enterprise_size", "企业规模"}, {"current_level", "当前水平"},
    {"target_level", "目标水平"}, {"deadline", "截止日期"}, {"contact", "联系方式"},
    {"contact.name", "联系人"}, {"contact.phone", "联系电话"}, {"contact.email", "电子邮箱"},
    {"contact.address", "联系地址"}, {"contact.title", "职务"}, {"status", "状态"},
    /* responses, reviews, campaigns, participants */
    {"resource_id", "资源"}, {"message", "留言"}, {"quote", "报价"}, {"rating", "评分"},
    {"text", "评价内容"}, {"campaign_id", "集采活动"}, {"need_id", "需求"},
    {"tiers", "阶梯价格"}, {"tiers.min_participants", "阶梯起订数"},
    {"tiers.unit_price", "阶梯单价"}, {"min_participants", "成团最少企业数"},
    {"max_participants", "最多企业数"}, {"to", "目标状态"}, {"reason", "原因"},
    {"level_before", "改造前水平"}, {"level_after", "改造后水平"}, {"note", "备注"},
    /* organisations, users, sessions, webhooks */
    {"name", "名称"}, {"website", "网站"}, {"role", "角色"}, {"phone", "手机号"},
    {"email", "电子邮箱"}, {"password", "密码"}, {"current_password", "当前密码"},
    {"login", "手机号或邮箱"}, {"org_admin", "机构管理员"}, {"disabled", "停用"},
    {"url", "接收地址"}, {"format", "消息格式"}, {"kinds", "事件类型"}, {"ids", "消息"},
    {"key", "密钥"}, {"prefix", "密钥前缀"},
    /* enterprise files (enterprise.c) */
    {"uscc", "统一社会信用代码"}, {"province", "省份"}, {"city", "城市"}, {"district", "区县"},
    {"gbt4754", "国民经济行业分类"}, {"size", "企业规模"}, {"above_scale", "规上企业"},
    {"employees", "员工人数"}, {"revenue", "上年营业收入"}, {"specialized", "专精特新"},
    {"certificates", "资质证书"}, {"certificates.type", "证书名称"},
    {"certificates.grade", "证书等级"}, {"certificates.year", "证书年份"},
    /* assessments and gaps (assessment*.c, gaps.c, instrument_score.c); answers.<code>,
     * evidence.<code>[.<figure>] and scenes.<code> are named by rule (zh_field) */
    {"instrument", "评估指标"}, {"org_id", "企业"}, {"mode", "评估方式"},
    {"answers", "评估答案"}, {"evidence", "佐证数据"}, {"scenes", "场景"},
    {"target", "目标等级"}, {"level", "等级"}, {"score", "得分"}, {"level_check", "等级判定"},
    {"missing", "未填写项"}, {"id", "编号"}, {"org", "机构"}, {"version", "版本号"},
    {"created_by", "创建人"}, {"verified_by", "核验人"}, {"verified_at", "核验时间"},
    {"submitted_at", "提交时间"}, {"revisions", "修改记录"}, {"created_at", "创建时间"},
    {"updated_at", "更新时间"},
    /* reports (issue 20) */
    {"since", "游标"},
    {"level_2_plus_share", "二级及以上占比目标"}, {"threshold", "阈值"}, {"by", "分组方式"},
    /* query parameters and headers */
    {"q", "关键词"}, {"limit", "每页条数"}, {"offset", "起始位置"}, {"cursor", "分页游标"},
    {"sort", "排序"}, {"max_price", "最高价格"}, {"days", "天数"}, {"provider", "服务商"},
    {"explain", "解释"}, {"min_size", "最小规模"}, {"unread", "未读"}, {"highlight", "高亮"},
    {"user_id", "用户"},
    {"If-Match", "版本号（If-Match）"},
    /* projects, tickets, cases (issue 19) */
    {"response_id", "响应"}, {"center_id", "数促中心"}, {"amount", "合同金额"},
    {"costs", "费用明细"}, {"costs.type", "费用类别"}, {"costs.amount", "费用金额"},
    {"costs.note", "费用说明"}, {"milestones", "里程碑"}, {"milestones.code", "里程碑"},
    {"milestones.planned", "计划日期"}, {"milestones.actual", "实际日期"},
    {"severity", "紧急程度"}, {"problem", "企业面临的问题"}, {"solution", "解决方案"},
    {"hide_enterprise", "隐藏企业名称"}, {"project_id", "项目"},
};

/* The questions and evidence figures of the instruments in
 * schemas/instruments/ (their "name"s; a figure by what it counts, without
 * its unit), and the scenes, the taxonomy's scenarios
 * (schemas/taxonomy.json): what answers.<code>, evidence.<code>.<figure>
 * and scenes.<code> are called.  scripts/check_zh.py checks that every
 * code of those files has its row. */
struct code_name {
    const char *code;
    const char *zh;
};

static const struct code_name QUESTIONS[] = {
    {"network", "网络建设"}, {"device_digital_rate", "设备数字化"},
    {"device_network_rate", "设备联网"}, {"auto_collection", "数据采集"},
    {"it_coverage", "信息系统"}, {"network_security", "网络安全"}, {"data_security", "数据安全"},
    {"planning", "规划实施"}, {"mechanisms", "管理机制"}, {"talent", "人才建设"},
    {"investment", "资金保障"}, {"energy_per_revenue", "绿色低碳"}, {"pass_rate", "产品质量"},
    {"revenue_per_head", "市场表现"}, {"cost_per_revenue", "价值效益"},
};

static const struct code_name FIGURES[] = {
    {"devices_total", "生产设备数量"}, {"devices_digital", "实现数字化的生产设备数量"},
    {"devices_networked", "实现联网的生产设备数量"}, {"invest_per_year", "每年数字化投入"},
    {"energy_last_year", "上年综合能源消费量"}, {"energy_year_before", "前年综合能源消费量"},
    {"pass_rate", "月均产品合格率"}, {"employees_last_year", "上年员工人数"},
    {"revenue_last_year", "上年营业收入"}, {"employees_year_before", "前年员工人数"},
    {"revenue_year_before", "前年营业收入"}, {"cost_last_year", "上年成本"},
    {"cost_year_before", "前年成本"},
};

static const struct code_name SCENARIOS[] = {
    {"product_design", "产品设计"}, {"process_design", "工艺设计"}, {"marketing", "营销管理"},
    {"after_sales", "售后服务"}, {"planning", "计划排程"}, {"production_control", "生产管控"},
    {"quality", "质量管理"}, {"equipment", "设备管理"}, {"safety", "安全生产"},
    {"energy", "能耗管理"}, {"procurement", "采购管理"}, {"warehouse_logistics", "仓储物流"},
    {"finance", "财务管理"}, {"hr", "人力资源"}, {"collaboration", "协同办公"},
    {"decision_support", "决策支持"}, {"network", "网络建设"},
    {"connectivity", "设备联网与数据采集"}, {"security", "网络与数据安全"},
    {"cloud", "云与算力"},
};

#define NAME_OF(table, code, len) code_lookup(table, sizeof table / sizeof table[0], code, len)

static const char *code_lookup(const struct code_name *t, size_t n, const char *code, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(t[i].code) == len && memcmp(t[i].code, code, len) == 0)
            return t[i].zh;
    return NULL;
}

static const char *field_lookup(const char *path, size_t len)
{
    for (size_t i = 0; i < sizeof FIELDS / sizeof FIELDS[0]; i++)
        if (strlen(FIELDS[i].path) == len && memcmp(FIELDS[i].path, path, len) == 0)
            return FIELDS[i].zh;
    return NULL;
}

/* The name of a member of an assessment's maps, into buf: answers.<q>
 * ("“网络建设”题"), evidence.<q> ("“绿色低碳”题的佐证数据"),
 * evidence.<q>.<figure> ("上年综合能源消费量"), scenes.<s> ("“质量管理”场景");
 * an unknown code after its map's name ("评估答案（xyz）").  NULL for any
 * other path. */
static const char *map_member(const char *bare, char *buf, size_t len)
{
    static const char *const MAPS[] = {"answers.", "evidence.", "scenes."};
    for (int m = 0; m < 3; m++) {
        size_t pl = strlen(MAPS[m]);
        if (strncmp(bare, MAPS[m], pl) != 0 || !bare[pl])
            continue;
        const char *code = bare + pl, *dot = m == 1 ? strchr(code, '.') : NULL;
        size_t cl = dot ? (size_t)(dot - code) : strlen(code);
        const char *name = m == 2 ? NAME_OF(SCENARIOS, code, cl) : NAME_OF(QUESTIONS, code, cl);
        if (dot) {
            const char *fig = NAME_OF(FIGURES, dot + 1, strlen(dot + 1));
            if (fig)
                snprintf(buf, len, "%s", fig);
            else
                snprintf(buf, len, "%s（%s）", field_lookup("evidence", 8), dot + 1);
        } else if (!name)
            snprintf(buf, len, "%s（%.*s）", field_lookup(MAPS[m], pl - 1), (int)cl, code);
        else
            snprintf(buf, len, m == 0 ? "“%s”题" : m == 1 ? "“%s”题的佐证数据" : "“%s”场景", name);
        return buf;
    }
    return NULL;
}

const char *zh_field(const char *path, char *out, size_t outlen)
{
    if (!outlen)
        return out;
    out[0] = '\0';
    if (!path)
        return out;
    /* The path without its indices, and its first index. */
    char bare[160];
    size_t b = 0;
    long first = -1;
    for (const char *p = path; *p && b + 1 < sizeof bare; p++) {
        if (*p == '[') {
            char *end;
            long n = strtol(p + 1, &end, 10);
            if (*end == ']') {
                if (first < 0)
                    first = n;
                p = end;
                continue;
            }
        }
        bare[b++] = *p;
    }
    bare[b] = '\0';
    char member[160];
    const char *name = field_lookup(bare, b);
    if (!name)
        name = map_member(bare, member, sizeof member);
    if (!name) {
        const char *dot = strrchr(bare, '.');
        if (dot)
            name = field_lookup(dot + 1, strlen(dot + 1));
    }
    if (!name) {
        snprintf(out, outlen, "%s", path);
        return out;
    }
    if (first >= 0)
        snprintf(out, outlen, "%s（第 %ld 项）", name, first + 1);
    else
        snprintf(out, outlen, "%s", name);
    return out;
}

/* ------------------------------------------------------------ words */

static const struct {
    const char *code;
    const char *zh;
} WORDS[] = {
    {"draft", "草稿"}, {"open", "报名中"}, {"succeeded", "已成团"}, {"failed", "未成团"},
    {"contracted", "已签约"}, {"implementing", "实施中"}, {"completed", "已完成"},
    {"cancelled", "已取消"}, {"joined", "已报名"}, {"accepted", "已验收"},
    {"withdrawn", "已退出"}, {"published", "已发布"}, {"matched", "已对接"},
    {"in_campaign", "集采中"}, {"closed", "已关闭"}, {"pending", "待处理"},
    {"enterprise", "企业"}, {"provider", "服务商"}, {"center", "数促中心"},
    {"admin", "管理员"}, {"authority", "经信局"}, {"anonymous", "未登录用户"},
    {"industry", "行业"}, {"scenario", "场景"}, {"kind", "类型"}, {"region", "地区"},
    {"enterprise size", "企业规模"}, {"delivery mode", "交付方式"}, {"campaign", "集采活动"},
    {"need", "需求"}, {"read", "读取"}, {"written", "写入"},
    /* projects (issue 19) */
    {"delivered", "已交付"}, {"disputed", "有争议"}, {"answered", "已回复"},
    {"the enterprise", "企业"}, {"the provider", "服务商"}, {"the center", "数促中心"},
    {"the enterprise or the provider", "企业或服务商"},
    {"the enterprise or the center", "企业或数促中心"},
    {"the provider or the center", "服务商或数促中心"}, {"any party", "项目各方"},
    {"nobody", "任何一方都不"},
    {"application/json", "JSON（application/json）"},
    {"application/x-ndjson", "NDJSON（application/x-ndjson）"},
    {"no Content-Type", "未声明内容类型"},
    {"submitted", "待核验"}, {"verified", "已核验"}, {"self", "企业自评"}, {"onsite", "现场评定"},
};

const char *zh_word(const char *code)
{
    if (!code)
        return "";
    for (size_t i = 0; i < sizeof WORDS / sizeof WORDS[0]; i++)
        if (strcmp(WORDS[i].code, code) == 0)
            return WORDS[i].zh;
    const char *scenario = NAME_OF(SCENARIOS, code, strlen(code));
    return scenario ? scenario : code;
}

/* ------------------------------------------------------------ codes */

static const struct {
    const char *code;
    const char *zh;
} CODES[] = {
    {"bad_json", "请求内容格式有误"},
    {"bad_query", "查询条件无法识别"},
    {"bad_param", "参数有误"},
    {"unauthorized", "未登录或登录已失效"},
    {"forbidden", "当前账号无权执行此操作"},
    {"not_found", "记录不存在或无权查看"},
    {"method_not_allowed", "不支持此操作"},
    {"conflict", "当前状态不允许此操作"},
    {"too_large", "提交的内容过大"},
    {"unsupported_media_type", "提交的内容类型不受支持"},
    {"invalid_field", "填写有误"},
    {"rate_limited", "请求过于频繁，请稍后再试"},
    {"unavailable", "服务暂时不可用，请稍后再试"},
    {"internal", "服务器内部错误"},
    {"gone", "数据已过期"},
};

const char *zh_code_text(const char *code)
{
    for (size_t i = 0; code && i < sizeof CODES / sizeof CODES[0]; i++)
        if (strcmp(CODES[i].code, code) == 0)
            return CODES[i].zh;
    return NULL;
}

void zh_generic(const char *code, const char *field, char *out, size_t outlen)
{
    const char *t = zh_code_text(code);
    if (!t)
        t = "请求失败";
    if (field && *field) {
        char name[160];
        snprintf(out, outlen, "%s：%s", t, zh_field(field, name, sizeof name));
    } else {
        snprintf(out, outlen, "%s", t);
    }
}

const char *zh_num(double v, char out[32])
{
    if (v == (double)(long long)v && v > -1e15 && v < 1e15)
        snprintf(out, 32, "%lld", (long long)v);
    else
        snprintf(out, 32, "%g", v);
    return out;
}

/* ------------------------------------------------------------ formatting */

#define ZH_MAX_ARGS 9

/* One conversion of an English format. */
struct conv {
    char spec[24]; /* "%", flags, width, precision, length, conversion */
    char length[3];
    char conv;
    int star_width, star_prec;
};

/* Parses the conversion at fmt (just after '%'); returns its length, 0
 * for "%%" (no argument), -1 when it is one zh_format cannot read. */
static int parse_conv(const char *fmt, struct conv *c)
{
    const char *p = fmt;
    memset(c, 0, sizeof *c);
    if (*p == '%')
        return 0;
    while (*p && strchr("-+ #0", *p))
        p++;
    if (*p == '*') {
        c->star_width = 1;
        p++;
    } else
        while (*p >= '0' && *p <= '9')
            p++;
    if (*p == '.') {
        p++;
        if (*p == '*') {
            c->star_prec = 1;
            p++;
        } else
            while (*p >= '0' && *p <= '9')
                p++;
    }
    size_t ln = 0;
    while (*p && strchr("hlzjt", *p) && ln < 2)
        c->length[ln++] = *p++;
    c->length[ln] = '\0';
    if (!*p || !strchr("sdiucgfx", *p))
        return -1;
    c->conv = *p++;
    size_t n = (size_t)(p - fmt);
    if (n + 1 >= sizeof c->spec)
        return -1;
    c->spec[0] = '%';
    memcpy(c->spec + 1, fmt, n);
    c->spec[n + 1] = '\0';
    if (c->conv == 's' && ln)
        return -1; /* %ls: wide strings are never used */
    return (int)n;
}

/* Cuts s (of len bytes in a buffer of cap) back to whole UTF-8 characters. */
static void cut_utf8(char *s, size_t len)
{
    size_t i = len;
    while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
        i--;
    if (i > 0) {
        unsigned char lead = (unsigned char)s[i - 1];
        size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
        if (len - (i - 1) < need)
            len = i - 1;
    }
    s[len] = '\0';
}

int zh_format(char *out, size_t outlen, const char *en_fmt, const char *tpl, va_list ap)
{
    if (!outlen)
        return -1;
    out[0] = '\0';
    /* First pass: can every conversion be read? */
    int nargs = 0;
    struct conv c;
    for (const char *p = en_fmt; *p; p++) {
        if (*p != '%')
            continue;
        int n = parse_conv(p + 1, &c);
        if (n < 0)
            return -1;
        if (n == 0) {
            p++;
            continue;
        }
        if (++nargs > ZH_MAX_ARGS)
            return -1;
        p += n;
    }
    /* Second pass: each argument formatted by itself. */
    char args[ZH_MAX_ARGS][256];
    int k = 0;
    for (const char *p = en_fmt; *p; p++) {
        if (*p != '%')
            continue;
        int n = parse_conv(p + 1, &c);
        if (n == 0) {
            p++;
            continue;
        }
        p += n;
        int w = c.star_width ? va_arg(ap, int) : 0;
        int pr = c.star_prec ? va_arg(ap, int) : 0;
        char *a = args[k++];
        size_t al = sizeof args[0];
#define EMIT(v)                                                                         \
    do {                                                                                \
        if (c.star_width && c.star_prec)                                                \
            snprintf(a, al, c.spec, w, pr, v);                                          \
        else if (c.star_width)                                                          \
            snprintf(a, al, c.spec, w, v);                                              \
        else if (c.star_prec)                                                           \
            snprintf(a, al, c.spec, pr, v);                                             \
        else                                                                            \
            snprintf(a, al, c.spec, v);                                                 \
    } while (0)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        if (c.conv == 's') {
            const char *s = va_arg(ap, const char *);
            EMIT(s ? s : "");
        } else if (c.conv == 'c') {
            int ch = va_arg(ap, int);
            EMIT(ch);
        } else if (c.conv == 'g' || c.conv == 'f') {
            double d = va_arg(ap, double);
            char num[32];
            snprintf(a, al, "%s", zh_num(d, num));
        } else if (!strcmp(c.length, "ll") || !strcmp(c.length, "j")) {
            long long v = va_arg(ap, long long);
            EMIT(v);
        } else if (!strcmp(c.length, "l") || !strcmp(c.length, "z") || !strcmp(c.length, "t")) {
            long v = va_arg(ap, long);
            EMIT(v);
        } else {
            int v = va_arg(ap, int);
            EMIT(v);
        }
#pragma GCC diagnostic pop
#undef EMIT
        cut_utf8(a, strlen(a));
    }
    /* Third: the template, {n}, {n:w}, {n:f}. */
    size_t o = 0;
    for (const char *p = tpl; *p && o + 1 < outlen;) {
        if (p[0] == '{' && p[1] >= '1' && p[1] <= '9' &&
            (p[2] == '}' || (p[2] == ':' && (p[3] == 'w' || p[3] == 'f') && p[4] == '}'))) {
            int i = p[1] - '1';
            const char *v = i < k ? args[i] : "";
            char buf[256];
            if (p[2] == ':')
                v = p[3] == 'w' ? zh_word(v) : zh_field(v, buf, sizeof buf);
            size_t vl = strlen(v);
            if (vl > outlen - 1 - o)
                vl = outlen - 1 - o;
            memcpy(out + o, v, vl);
            o += vl;
            p += p[2] == '}' ? 3 : 5;
            continue;
        }
        out[o++] = *p++;
    }
    cut_utf8(out, o);
    return 0;
}

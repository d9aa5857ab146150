/*
 * zh.c - Chinese error messages and field names (see zh.h).
 *
 * Three tables, all data: FIELDS (a field path -> its Chinese name, the
 * words the console's forms use as labels), WORDS (codes that appear
 * inside messages: statuses, roles, vocabularies) and CATALOGUE (an
 * English printf format -> its Chinese template).  A template names the
 * format's arguments by number, {1} .. {9}; {n:w} passes argument n
 * through WORDS, {n:f} through FIELDS.  zh_format() reads the arguments by
 * the English format, so the two can never disagree on a type; the unit
 * test (tests/unit/test_zh.c) checks that no template names an argument
 * its format does not have and that each template is valid UTF-8 with no
 * Latin sentence in it.
 *
 * To add a message: write the English one where it is raised, as usual,
 * and add its row here.  scripts/check_zh.py lists the formats that have
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

/* ------------------------------------------------------------ catalogue */

#define I64 "%" PRId64
#define JI "%" JSON_INTEGER_FORMAT

static const struct {
    const char *en;
    const char *zh;
} CATALOGUE[] = {
    /* router, replies, parameters (core) */
    {"the Authorization header must be \"Bearer <key>\"", "Authorization 请求头应为“Bearer 密钥”"},
    {"unknown or revoked API key", "API 密钥无效或已撤销"},
    {"this endpoint needs an API key (Authorization: Bearer <key>)", "请先登录"},
    {"a %s key may not do this; it needs: %s", "{1:w}账号无权执行此操作"},
    {"too many requests; retry in %d s", "请求过于频繁，请 {1} 秒后再试"},
    {"the body is %zu bytes; the limit is %ld", "提交的内容有 {1} 字节，超过上限 {2} 字节"},
    {"the body must be sent as %s, not %s", "提交的内容应为 {1:w}，而不是 {2:w}"},
    {"the request body is empty", "提交的内容为空"},
    {"%s%s number too large to hold (line %d, column %d)", "{1:f}的数值过大"},
    {"malformed JSON at line %d, column %d: %s", "提交的内容不是有效的 JSON（第 {1} 行第 {2} 列）"},
    {"the body must be a JSON object", "提交的内容应为 JSON 对象"},
    {"the server is shutting down", "服务正在停止，请稍后再试"},
    {"too many open connections; retry shortly", "当前连接过多，请稍后再试"},
    {"only HTTP/1.0 and HTTP/1.1 are served", "仅支持 HTTP/1.0 和 HTTP/1.1"},
    {"the request gives its length twice (Content-Length and Transfer-Encoding, or"
     " Content-Length values that differ)", "请求长度声明不一致"},
    {"query parameters must not contain NUL (%%00)", "查询参数不能包含空字符"},
    {"the query string is malformed", "查询参数格式有误"},
    {"query parameters must be valid UTF-8", "查询参数编码有误"},
    {"use %s on this path", "此地址不支持该操作"},
    {"no such path: %s", "页面或接口不存在"},
    {"no such path", "页面或接口不存在"},
    {"the database cannot be %s right now", "数据库暂时无法{1:w}，请稍后再试"},
    {"the database cannot be written right now", "数据库暂时无法写入，请稍后再试"},
    {"the database cannot be read right now", "数据库暂时无法读取，请稍后再试"},
    {"the database cannot be written", "数据库暂时无法写入，请稍后再试"},
    {"the database cannot be read", "数据库暂时无法读取，请稍后再试"},
    {"%s must be an integer from %ld to %ld", "{1:f}应为 {2} 到 {3} 之间的整数"},
    {"unknown %s code \"%s\"", "未知的{1:w}代码“{2}”"},
    {"If-Match must be a version such as \"3\"", "版本号格式有误"},
    {"If-Match must be a single version such as \"3\"", "版本号格式有误"},
    {"cursor is not one this server returned", "分页游标无效，请从第一页重新开始"},
    {"the request line or headers are malformed or too long", "请求格式有误或请求头过长"},
    {"the request is too large", "提交的内容过大"},
    {"this method is not supported", "不支持此操作"},
    {"the request target is malformed", "请求地址格式有误"},
    {"the body is %lld bytes; no request may exceed %ld", "提交的内容有 {1} 字节，超过上限 {2} 字节"},
    {"the body is %lld bytes; the limit is %ld", "提交的内容有 {1} 字节，超过上限 {2} 字节"},
    {"the body is larger than %ld bytes, the limit", "提交的内容超过上限 {1} 字节"},
    {"%s %s takes no request body", "此操作不需要提交内容"},

    /* validation (validate.c); the field is argument 1 */
    {"%s must be a string", "{1:f}应为文字"},
    {"%s must not contain control characters", "{1:f}不能包含控制字符"},
    {"%s must not be empty", "{1:f}不能为空"},
    {"%s must be %g to %g characters, not %zu", "{1:f}应为 {2} 到 {3} 个字，现为 {4} 个字"},
    {"%s: \"%.*s\" is not a known %s code (see GET /v1/taxonomy)", "{1:f}：“{2}”不是有效的{3:w}"},
    {"%s must be an id string", "{1:f}无效"},
    {"%s must be an integer", "{1:f}应为整数"},
    {"%s must be from %g to %g", "{1:f}应在 {2} 到 {3} 之间"},
    {"%s must be a number", "{1:f}应为数字"},
    {"%s must be true or false", "{1:f}应为是或否"},
    {"%s must be a date such as \"2027-03-31\"%s", "{1:f}应为日期，例如 2027-03-31"},
    {"%s must be an array", "{1:f}格式有误"},
    {"%s needs at least %g item%s", "{1:f}至少选择 {2} 项"},
    {"%s has %zu items; at most %g are allowed", "{1:f}有 {2} 项，最多 {3} 项"},
    {"%s must be an object", "{1:f}格式有误"},
    {"%s repeats \"%s\"", "{1:f}重复了“{2}”"},
    {"%s must be %s", "{1:f}格式有误"},
    {"%s is required", "请填写{1:f}"},
    {"unknown field \"%s\"", "不支持的字段“{1}”"},

    /* resources */
    {"price.min (%g) must not exceed price.max (%g)", "最低价格（{1}）不能高于最高价格（{2}）"},
    {"levels.from must be below levels.to", "适用起始水平应低于可达水平"},
    {"another of your resources already has this external_id", "您的另一项资源已使用此外部编号"},
    {"the resource was changed by someone else; fetch it and retry", "资源已被他人修改，请刷新后重试"},
    {"this resource belongs to another organisation", "这项资源属于其他机构"},
    {"If-Match names version " I64 " but the resource is at version " I64,
     "资源已更新（当前版本 {2}），请刷新后重试"},
    {"status must be published, withdrawn or all", "状态应为已发布、已下架或全部"},
    {"withdrawn resources are listed only for their provider (provider=<your org id>) and for"
     " centers", "已下架的资源仅对其服务商和数促中心可见"},
    {"no resource %s", "资源不存在"},
    {"resource %s is withdrawn", "该资源已下架"},
    {"the database failed at line %ld; lines before the last %d-line batch were saved",
     "第 {1} 行写入失败；此前完整批次已保存"},
    {"unknown kind \"%s\"", "未知的类型“{1}”"},
    {"max_price must be a number of yuan, 0 or more", "最高价格应为不小于 0 的金额"},
    {"q has %zu characters; at most %d are searched", "关键词有 {1} 个字，最多检索 {2} 个字"},
    {"sort must be relevance, newest, price_asc or rating", "排序方式无效"},
    {"the opportunities of a resource are shown to its provider and to centers",
     "资源的商机仅对其服务商和数促中心可见"},

    /* needs and responses */
    {"no need %s", "需求不存在或无权查看"},
    {"target_level must not be below current_level", "目标水平不能低于当前水平"},
    {"contact.email must be an e-mail address", "电子邮箱格式有误"},
    {"only the enterprise that posted a need may change it", "只有发布需求的企业可以修改"},
    {"If-Match names version " I64 " but the need is at version " I64,
     "需求已更新（当前版本 {2}），请刷新后重试"},
    {"the need is in a campaign; leave the campaign first", "需求正在集采中，请先退出集采活动"},
    {"status may be set to open or closed", "状态只能设为征集中或已关闭"},
    {"status must be open, matched, in_campaign, closed or all", "状态参数无效"},
    {"status must be draft, open, matched, in_campaign, closed or all", "状态参数无效"},
    {"matches are shown to the need's enterprise and to centers", "匹配结果仅对发布需求的企业和数促中心可见"},
    {"the need is no longer open for responses", "该需求已不再征集响应"},
    {"you have already responded to this need with this resource", "您已用这项资源响应过该需求"},
    {"only the need's enterprise, centers and responding providers see responses",
     "响应仅对发布需求的企业、数促中心和响应的服务商可见"},
    {"only the enterprise that posted the need may accept a response", "只有发布需求的企业可以接受响应"},
    {"no response %s on this need", "该需求下没有这条响应"},
    {"the need is closed or in a campaign", "需求已关闭或正在集采中"},
    {"that resource is withdrawn", "该资源已下架"},
    {"that resource is not yours", "只能用本机构的资源响应"},
    {"no such resource", "资源不存在"},

    /* organisations */
    {"an organisation named \"%s\" exists already", "已有名为“{1}”的机构"},
    {"no organisation %s", "机构不存在"},
    {"you may edit only your own organisation", "只能修改本机构的资料"},
    {"that name is taken", "该名称已被使用"},
    {"name has nothing visible in it", "名称不能为空，也不能只有空格或不可见字符"},
    {"%s nests more than %d levels deep", "{1:f}嵌套层数过多，最多 {2} 层"},
    {"role is required", "请选择角色"},
    {"role must be enterprise, provider, center or admin", "角色应为企业、服务商、数促中心或管理员"},

    /* campaigns and participants */
    {"tiers must have strictly ascending min_participants (" JI " follows " JI ")",
     "阶梯起订数应逐级递增（{1} 不应排在 {2} 之后）"},
    {"a tier's unit_price (%g) must not exceed the one before it (%g)",
     "阶梯单价（{1}）不能高于上一档（{2}）"},
    {"max_participants (" JI ") must not be below min_participants (" JI ")",
     "最多企业数（{1}）不能少于成团最少企业数（{2}）"},
    {"a tier needs more participants than max_participants allows", "阶梯起订数超过了最多企业数"},
    {"deadline must be a date or an RFC 3339 UTC time", "截止日期应为日期或时间"},
    {"deadline must be in the future", "截止日期应晚于现在"},
    {"no campaign %s", "集采活动不存在或无权查看"},
    {"status must be one of draft, open, succeeded, failed, contracted, implementing, completed,"
     " cancelled", "状态参数无效"},
    {"industry is not a known industry code", "行业代码无效"},
    {"region is not a known region", "地区无效"},
    {"only the center that runs a campaign may move it", "只有发起活动的数促中心可以变更活动状态"},
    {"If-Match names version " I64 " but the campaign is at version " I64,
     "活动已更新（当前版本 {2}），请刷新后重试"},
    {"a campaign cannot go from %s to %s", "活动不能从“{1:w}”变为“{2:w}”"},
    {"the campaign's deadline has passed", "活动报名已截止"},
    {"only %ld of the %ld participants needed have joined", "只有 {1} 家企业报名，成团需要 {2} 家"},
    {"to must be a campaign status: draft, open, succeeded, failed, contracted, implementing,"
     " completed or cancelled", "目标状态无效"},
    {"the campaign is %s, not open for joining", "活动{1:w}，当前不能报名"},
    {"you have already joined this campaign", "您已报名该活动"},
    {"the campaign is full (%ld of %ld places taken)", "活动名额已满（{1}/{2}）"},
    {"you have no need %s", "没有这项需求"},
    {"need %s is not open", "该需求不在征集中"},
    {"the campaign is %s; leaving is possible only while it is open", "活动{1:w}，只有报名期间可以退出"},
    {"you are not a participant of this campaign", "您没有报名该活动"},
    {"only the campaign's center and the resource's provider may record a participant's"
     " progress", "只有活动的数促中心和资源的服务商可以登记进度"},
    {"%s is not a participant of this campaign", "该企业没有报名此活动"},
    {"a participant cannot go from %s to %s", "参与企业不能从“{1:w}”变为“{2:w}”"},
    {"the campaign is %s: a participant cannot become %s now", "活动{1:w}，参与企业现在不能变为“{2:w}”"},
    {"a withdrawn participant's levels are not recorded", "已退出的企业不登记水平"},
    {"the campaign is %s: levels are no longer recorded", "活动{1:w}，不再登记水平"},
    {"status must be joined, contracted, implementing, accepted or withdrawn", "进度状态无效"},
    {"give status, level_before or level_after", "请填写进度状态或改造前后水平"},
    {"only an accepted participant of that campaign, run with this resource, may review it",
     "只有参加该活动并已验收的企业可以评价"},
    {"only the enterprise that accepted a response with this resource to that need may review it",
     "只有接受了这项资源响应的企业可以评价"},
    {"you have already reviewed this resource for this %s", "您已就此{1:w}评价过这项资源"},
    {"an organisation may not review its own resource", "不能评价本机构的资源"},
    {"give exactly one of campaign_id and need_id: what the review is about",
     "请指明评价针对的集采活动或需求（二选一）"},
    {"only the resource's provider may confirm a campaign's prices", "只有资源的服务商可以确认阶梯价格"},
    {"the campaign is %s: its prices can be confirmed only while it is a draft",
     "活动{1:w}，只有草稿状态下可以确认价格"},
    {"the provider of the resource has not confirmed the tier prices yet"
     " (POST /v1/campaigns/%s/confirm)", "服务商尚未确认阶梯价格，确认后才能开始报名"},

    /* enterprise files and the register (enterprise*.c) */
    {"a file must be a JSON object", "企业档案应为 JSON 对象"},
    {"uscc must be 18 characters of 0-9 and A-Z without I, O, S, V and Z (统一社会信用代码)",
     "统一社会信用代码应为 18 位数字或大写字母（不含 I、O、S、V、Z）"},
    {"uscc's check character (GB 32100-2015) is wrong: a character was mistyped",
     "统一社会信用代码校验位不正确，请检查是否有填错的字符"},
    {"an enterprise's industry is one of the 14 key industries, not general",
     "企业所属行业应为 14 个重点行业之一，不能选“通用”"},
    {"gbt4754 must be a GB/T 4754 class such as C3484 or 3484",
     "国民经济行业分类应为行业代码，例如 C3484 或 3484"},
    {"specialized must be none, innovative, specialized or little_giant",
     "专精特新应为否、创新型中小企业、专精特新中小企业或专精特新“小巨人”"},
    {"province is needed with a city or district", "填写城市或区县时，请同时填写省份"},
    {"city is needed with a district", "填写区县时，请同时填写城市"},
    {"\"%s\" is not a province of GB/T 2260 (e.g. 湖北省)", "“{1}”不是有效的省份名称，例如：湖北省"},
    {"\"%s\" is not a city of %s", "{2}下没有名为“{1}”的城市"},
    {"%s has no districts: leave district out", "{1}下不设区县，请不要填写区县"},
    {"\"%s\" is not a district of %s", "{2}下没有名为“{1}”的区县"},
    {"no enterprise file for %s", "企业档案不存在或无权查看"},
    {"%s is not an enterprise: its keys are of another role", "该机构不是企业，不能建立企业档案"},
    {"If-Match names version " I64 " but the file is at version " I64,
     "档案已更新（当前版本 {2}），请刷新后重试"},
    {"another enterprise's file has this uscc", "该统一社会信用代码已用于另一家企业的档案"},
    {"level must be 0 to 4, or none (never verified)", "等级应为 0 到 4，或“未核验”"},
    {"above_scale must be true or false", "规上企业应为是或否"},
    {"q is searched up to 200 bytes", "关键词过长，请缩短后再搜索"},
    {"the search cannot be built right now", "搜索暂时不可用，请稍后再试"},
    {"%s \"%s\" names several places: give its six-digit code",
     "{1:f}“{2}”有重名，请填写六位行政区划代码"},
    {"%s \"%s\" is not a GB/T 2260 place of that kind", "“{2}”不是有效的{1:f}名称"},
    {"a line must be a JSON object", "这一行应为 JSON 对象"},
    {"this uscc is the file of another organisation than \"%s\"",
     "该统一社会信用代码属于另一家企业，不是“{1}”"},
    {"\"%s\" is an organisation of another role, not an enterprise", "“{1}”是其他类型的机构，不是企业"},
    {"%s (a new enterprise needs its name)", "新建企业须填写企业名称（1 到 120 个字）"},

    /* assessments, instruments and gaps (assessment*.c, instrument_score.c, gaps.c) */
    {"no assessment %s", "评估记录不存在或无权查看"},
    {"no instrument %s", "评估指标不存在"},
    {"no instrument \"%s\" (GET /v1/instruments lists them)", "没有名为“{1}”的评估指标"},
    {"%s is set by the server (score and level are computed from the instrument): do not send it",
     "{1:f}由系统生成，不需要提交"},
    {"an assessment keeps its instrument: start a new one for another",
     "评估开始后不能更换评估指标，如需使用其他指标请新建评估"},
    {"an assessment keeps its enterprise", "评估开始后不能更换企业"},
    {"mode must be self or onsite", "评估方式应为企业自评或现场评定"},
    {"%s is not an enterprise", "该机构不是企业"},
    {"an enterprise assesses itself only", "企业只能评估本企业"},
    {"an onsite assessment (现场评定) is made by a center", "现场评定只能由数促中心进行"},
    {"an onsite assessment is made by a center", "现场评定只能由数促中心进行"},
    {"a center names the enterprise it assesses in org_id", "请选择要评估的企业"},
    {"status must be draft, submitted or verified", "状态应为草稿、待核验或已核验"},
    {"unknown industry code \"%s\"", "未知的行业代码“{1}”"},
    {"only the organisation that created an assessment changes or submits it",
     "只有创建这份评估的机构可以修改或提交"},
    {"If-Match names version " I64 " but the assessment is at version " I64,
     "评估已更新（当前版本 {2}），请刷新后重试"},
    {"the assessment is %s: only a draft changes", "这份评估当前为“{1:w}”，只有草稿可以修改"},
    {"the assessment is %s: only a submitted one is verified or returned",
     "这份评估当前为“{1:w}”，只有待核验的评估可以核验或退回"},
    {"instrument %s is no longer loaded", "这份评估所用的评估指标（{1}）已停用"},
    {"still missing: %s", "还有内容未填写：{1}"},
    {"answers must be an object of question code -> option ids", "评估答案格式有误"},
    {"%s has no question \"%s\"", "评估指标中没有“{2}”这道题"},
    {"%s must be a non-empty array of option ids such as [\"B\"]", "{1:f}请至少选择一项"},
    {"%s (%s) takes one option, not %zu", "“{2}”题只能选一项，现选了 {3} 项"},
    {"%s (%s) has options A to %c; \"%s\" is not one", "“{2}”题的选项为 A 到 {3}，没有“{4}”"},
    {"option %c is given twice", "选项 {1} 选了两次"},
    {"\"无\" stands alone: it cannot go with another option of %s", "选了“无”就不能再选本题的其他选项"},
    {"evidence must be an object of question code -> {figure: number}", "佐证数据格式有误"},
    {"%s must be an object of figure -> number", "{1:f}格式有误"},
    {"question %s asks for no figure \"%s\"", "这道题不需要填写“{2}”"},
    {"%s must be a number from 0 to %g", "{1:f}应为 0 到 {2} 之间的数字"},
    {"scenes must be an object of scene code -> step 0-4", "场景等级格式有误"},
    {"%s must be a step from 0 to %d", "{1:f}应为 0 到 {2} 级"},
    {"%s has levels 1 to %d", "目标等级应为 1 到 {2} 级"},
    {"the enterprise's file has no industry: fill it in first (PUT /v1/orgs/%s/file)",
     "企业档案还没有填写所属行业，请先完善档案"},
    {"%s has no scene \"%s\"", "评估指标中没有“{2}”这个场景"},
    {"scene %s is asked for twice", "“{1:w}”场景重复了"},
    {"scene %s is at step %d already, not below the target %d",
     "“{1:w}”场景已达到第 {2} 级，不低于目标 {3} 级，无需提升"},
    {"the file cannot make a need: %s", "企业档案中的信息无法生成需求，请先完善档案"},

    /* users, sessions, passwords */
    {"the login is a phone number or an e-mail address", "请填写手机号或电子邮箱"},
    {"wrong login or password", "手机号/邮箱或密码错误"},
    {"this account is disabled", "该账号已停用，请联系管理员"},
    {"too many failed logins for this account; try again in %ld minutes",
     "登录失败次数过多，该账号已暂时锁定，请 {1} 分钟后再试"},
    {"too many failed logins from this address; try again in %ld minutes",
     "登录失败次数过多，请 {1} 分钟后再试"},
    {"the session has expired or was revoked; log in again", "登录已失效，请重新登录"},
    {"a cookie-authenticated write needs the X-CSRF-Token header that GET /v1/me returns",
     "页面已过期，请刷新后重试"},
    {"the X-CSRF-Token header does not match this session", "页面已过期，请刷新后重试"},
    {"phone must be a mainland mobile number of 11 digits", "手机号应为 11 位数字"},
    {"email must be an e-mail address", "电子邮箱格式有误"},
    {"give phone or email: the user logs in with it", "请填写手机号或电子邮箱（用于登录）"},
    {"password must be at least %d characters", "密码至少 {1} 位"},
    {"password must not be the login itself", "密码不能与登录名相同"},
    {"password must mix letters and digits or other characters", "密码不能只有数字或只有字母"},
    {"phone %s is taken by another user", "手机号已被其他用户使用"},
    {"email %s is taken by another user", "电子邮箱已被其他用户使用"},
    {"the current password is wrong", "当前密码不正确"},
    {"only a user can change a password; an API key has none", "API 密钥没有密码，请用账号登录后修改"},
    {"no user %s", "用户不存在"},
    {"an API key has no sessions; name a user with user_id", "API 密钥没有登录会话"},
    {"If-Match names version " I64 " but the user is at version " I64,
     "用户资料已更新（当前版本 {2}），请刷新后重试"},
    {"no session %s", "会话不存在"},
    {"a %s may not manage %s users", "{1:w}不能管理{2:w}用户"},
    {"only admins, centers and the organisation's own administrators manage its users",
     "只有管理员、数促中心和本机构管理员可以管理用户"},
    {"the users of an organisation are listed for its members, admins and centers",
     "只有本机构成员、管理员和数促中心可以查看用户列表"},
    {"the organisation has users or keys of several roles: give role", "该机构有多种角色，请选择角色"},
    {"the organisation has no role yet: give role", "该机构尚无角色，请选择角色"},
    {"you may not disable yourself", "不能停用自己的账号"},
    {"role must be %s", "角色无效"},
    {"only admins manage API keys", "只有管理员可以管理 API 密钥"},
    {"no active key with prefix %s", "没有这个前缀的有效密钥"},

    /* inbox, contact, webhooks */
    {"no message %s", "消息不存在"},
    {"only enterprises may contact a provider from here", "只有企业账号可以联系服务商"},
    {"you contacted this provider about this resource a moment ago; wait %ld seconds",
     "刚刚已联系过该服务商，请 {1} 秒后再发送"},
    {"url must be an http:// or https:// address", "接收地址应以 http:// 或 https:// 开头"},
    {"format must be json, wecom or dingtalk", "消息格式应为 JSON、企业微信或钉钉"},
    {"kinds: \"%s\" is not a notification kind", "事件类型“{1}”无效"},
    {"no webhook %s", "Webhook 不存在"},
    {"an organisation has at most %d webhooks", "每个机构最多 {1} 个 Webhook"},
    {"the webhooks of an organisation are managed by its members and admins",
     "只有本机构成员和管理员可以管理 Webhook"},

    /* projects, O&M tickets, reviews, cases (issue 19) */
    {"no project %s", "项目不存在"},
    {"a cost line's type must be software, cloud, hardware, integration, training or other",
     "费用类别应为软件、云服务、数据采集硬件、集成服务、培训或其他"},
    {"a milestone is plan, start, go_live or acceptance",
     "里程碑应为方案确认、启动实施、上线运行或验收"},
    {"milestone %s is given twice", "同一里程碑填写了两次"},
    {"a milestone date is YYYY-MM-DD (\"\" clears it)", "里程碑日期格式应为“年-月-日”（留空即清除）"},
    {"you have no response %s", "没有这条响应"},
    {"response %s is %s: a project starts from an accepted response",
     "该响应{2:w}：项目只能从已采纳的响应建立"},
    {"an organisation cannot contract its own resource", "不能与本机构自己的资源签约"},
    {"%s is not a center", "所选机构不是数促中心"},
    {"response %s already has a project", "该响应已建立项目"},
    {"sort must be newest or due", "排序方式应为最新或按到期"},
    {"status must be contracted, implementing, delivered, accepted, disputed or cancelled",
     "状态应为已签约、实施中、已交付、已验收、有争议或已取消"},
    {"only the enterprise, the provider and the supervising center change a project",
     "只有企业、服务商和监理的数促中心可以修改项目"},
    {"If-Match names version " I64 " but the project is at version " I64,
     "项目已更新（当前版本 {2}），请刷新后重试"},
    {"the project is %s: it no longer changes", "项目{1:w}，不能再修改"},
    {"only the enterprise, the provider and the supervising center move a project",
     "只有企业、服务商和监理的数促中心可以推进项目"},
    {"give title, amount, costs or milestones", "请填写名称、合同金额、费用明细或里程碑"},
    {"the project cannot be accepted yet: missing %s", "项目尚不能验收，还缺：{1}"},
    {"a project cannot go from %s to %s", "项目不能从{1:w}变为{2:w}"},
    {"only %s may move a project from %s to %s", "只有{1:w}可以把项目从{2:w}变为{3:w}"},
    {"to must be a project status: contracted, implementing, delivered, accepted, disputed or"
     " cancelled", "目标状态应为已签约、实施中、已交付、已验收、有争议或已取消"},
    {"say why in reason: a project is %s only with a reason", "请填写原因：项目{1:w}必须说明原因"},
    {"only the enterprise and the supervising center sign off a project",
     "只有企业和监理的数促中心可以签收项目"},
    {"the project is %s: only a delivered project is signed off",
     "项目{1:w}：只有已交付的项目才能签收"},
    {"you have already signed off this project", "您已签收过该项目"},
    {"only the project's enterprise opens O&M tickets", "只有项目的企业可以提交运维工单"},
    {"O&M tickets are opened after go-live; the project is %s and has not gone live",
     "运维工单在上线运行后提交；项目{1:w}，尚未上线"},
    {"severity must be low, normal, high or urgent", "紧急程度应为低、一般、高或紧急"},
    {"only the project's enterprise and provider work on its tickets",
     "只有项目的企业和服务商可以处理运维工单"},
    {"no ticket %s on this project", "该项目没有这个运维工单"},
    {"the ticket is closed", "运维工单已关闭"},
    {"a participant's progress follows its project%s%s (contracting the campaign makes it): it is"
     " not set by hand", "参与企业的进度跟随其项目{2}（集采签约时建立），不能手工修改"},
    {"the participant has project %s: cancel the project (POST /v1/projects/%s/transition) to"
     " withdraw it", "该企业已有项目 {1}：请取消项目来退出"},
    {"%s comes from the participant's project (its verified assessments): it is not set by hand",
     "{1:f}来自参与企业项目的核验评估，不能手工填写"},
    {"give status (withdrawn): a participant's other progress follows its project",
     "请填写状态（退出）：参与企业的其他进度跟随其项目"},
    {"only the enterprise of an accepted project with this resource may review it",
     "只有使用这项资源且项目已验收的企业可以评价"},
    {"give exactly one of project_id, campaign_id and need_id: what the review is about",
     "请选择评价针对的项目、集采活动或需求（只选一个）"},
    {"no case %s", "案例不存在"},
    {"only the project's supervising center publishes it as a case",
     "只有监理该项目的数促中心可以发布案例"},
    {"the project is %s: only an accepted project is published as a case",
     "项目{1:w}：只有已验收的项目才能发布为案例"},
    {"the project is already published as a case", "该项目已发布为案例"},
    {"only the center that published a case changes it", "只有发布该案例的数促中心可以修改"},
    {"If-Match names version " I64 " but the case is at version " I64,
     "案例已更新（当前版本 {2}），请刷新后重试"},
    {"status must be published or withdrawn", "状态应为已发布或已撤下"},
    {"the PDF could not be printed: %s", "案例集 PDF 生成失败，请稍后再试"},
    {"format must be html or pdf", "格式应为 HTML 或 PDF"},
    {"ids names the cases of the collection, by comma", "请选择要导出的案例"},
    {"title is at most 100 characters", "标题最多 100 个字"},
    {"a collection holds at most %d cases", "一个案例集最多 {1} 个案例"},
    {"no published case %s", "案例不存在或未发布"},
    /* issue 20: the authority role, reports, exports, the change feed */
    {"role must be enterprise, provider, center, admin or authority", "角色应为企业、服务商、数促中心、管理员或经信局"},
    {"region is given for an authority (role authority) only", "只有经信局需要填写管辖地区"},
    {"an authority key belongs to an organisation made with role authority and a region", "经信局密钥只能发给以经信局角色和管辖地区创建的机构"},
    {"an authority user belongs to an organisation made with role authority and a region", "经信局用户只能属于以经信局角色和管辖地区创建的机构"},
    {"an authority's region names at least a province (湖北省)", "经信局的管辖地区至少要写到省（如湖北省）"},
    {"a region is 省[/市[/区]], e.g. 湖北省/武汉市/江岸区", "地区格式为 省[/市[/区]]，如 湖北省/武汉市/江岸区"},
    {"region must be an object {province, city?, district?}", "地区应包含省、市（可选）、区县（可选）"},
    {"since must be 0 or the next cursor of an answer", "since 应为 0 或上次返回的 next 游标"},
    {"the cursor is older than the feed keeps (%d days): start again from since=0", "游标已超过变更记录的保留期（{1} 天），请从 since=0 重新开始同步"},
    {"the participants of a campaign are listed for its provider, centers, admins and authorities", "只有该活动的服务商、数促中心、管理员和经信局可以查看参与企业名单"},
    {"level_2_plus_share is required (null clears the target)", "请填写二级及以上占比目标（填 null 表示清除）"},
    {"%s must be a month (2026-03) or a day (2026-03-15)", "{1:f}应为月份（如 2026-03）或日期（如 2026-03-15）"},
    {"report %s is not grouped by \"%s\"", "报表 {1} 不支持按“{2}”分组"},
    {"from must come before to", "开始时间应早于结束时间"},
    {"threshold must be a score from 0 to 1", "阈值应为 0 到 1 之间的分数"},
    {"no report %s", "没有报表 {1}"},
    {"format must be json, csv or xlsx", "导出格式应为 json、csv 或 xlsx"},
    {"lists are exported for centers, admins and authorities", "只有数促中心、管理员和经信局可以导出列表"},
    {"the spreadsheet cannot be written right now", "暂时无法生成表格文件，请稍后再试"},
    {"an export holds at most %d rows: narrow it with filters", "一次最多导出 {1} 行，请缩小筛选范围"},
};

const char *zh_template(const char *en)
{
    if (!en)
        return NULL;
    for (size_t i = 0; i < sizeof CATALOGUE / sizeof CATALOGUE[0]; i++)
        if (strcmp(CATALOGUE[i].en, en) == 0)
            return CATALOGUE[i].zh;
    return NULL;
}

const char *zh_catalogue_en(size_t i)
{
    return i < sizeof CATALOGUE / sizeof CATALOGUE[0] ? CATALOGUE[i].en : NULL;
}

const char *zh_catalogue_zh(size_t i)
{
    return i < sizeof CATALOGUE / sizeof CATALOGUE[0] ? CATALOGUE[i].zh : NULL;
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

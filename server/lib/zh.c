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
 * none (they still reach a Chinese client, as the generic sentence of
 * their error code).
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
    /* enterprise files, reports (issue 20) */
    {"uscc", "统一社会信用代码"}, {"since", "游标"},
    {"level_2_plus_share", "二级及以上占比目标"}, {"threshold", "阈值"}, {"by", "分组方式"},
    /* query parameters and headers */
    {"q", "关键词"}, {"limit", "每页条数"}, {"offset", "起始位置"}, {"cursor", "分页游标"},
    {"sort", "排序"}, {"max_price", "最高价格"}, {"days", "天数"}, {"provider", "服务商"},
    {"explain", "解释"}, {"min_size", "最小规模"}, {"unread", "未读"},
    {"If-Match", "版本号（If-Match）"},
};

static const char *field_lookup(const char *path, size_t len)
{
    for (size_t i = 0; i < sizeof FIELDS / sizeof FIELDS[0]; i++)
        if (strlen(FIELDS[i].path) == len && memcmp(FIELDS[i].path, path, len) == 0)
            return FIELDS[i].zh;
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
    const char *name = field_lookup(bare, b);
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
    {"application/json", "JSON（application/json）"},
    {"application/x-ndjson", "NDJSON（application/x-ndjson）"},
    {"no Content-Type", "未声明内容类型"},
};

const char *zh_word(const char *code)
{
    if (!code)
        return "";
    for (size_t i = 0; i < sizeof WORDS / sizeof WORDS[0]; i++)
        if (strcmp(WORDS[i].code, code) == 0)
            return WORDS[i].zh;
    return code;
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
    {"give exactly one of campaign_id and need_id: what the review is about",
     "请指明评价针对的集采活动或需求（二选一）"},
    {"only the resource's provider may confirm a campaign's prices", "只有资源的服务商可以确认阶梯价格"},
    {"the campaign is %s: its prices can be confirmed only while it is a draft",
     "活动{1:w}，只有草稿状态下可以确认价格"},
    {"the provider of the resource has not confirmed the tier prices yet"
     " (POST /v1/campaigns/%s/confirm)", "服务商尚未确认阶梯价格，确认后才能开始报名"},

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
    /* issue 20: the authority role, reports, exports, the change feed */
    {"role must be enterprise, provider, center, admin or authority", "角色应为企业、服务商、数促中心、管理员或经信局"},
    {"region is given for an authority (role authority) only", "只有经信局需要填写管辖地区"},
    {"an authority key belongs to an organisation made with role authority and a region", "经信局密钥只能发给以经信局角色和管辖地区创建的机构"},
    {"an authority user belongs to an organisation made with role authority and a region", "经信局用户只能属于以经信局角色和管辖地区创建的机构"},
    {"an authority's region names at least a province (湖北省)", "经信局的管辖地区至少要写到省（如湖北省）"},
    {"\"%s\" is not a province of GB/T 2260 (e.g. 湖北省)", "“{1}”不是有效的省份（如湖北省）"},
    {"city is needed with a district", "填写区县时须同时填写市"},
    {"\"%s\" is not a city of %s", "“{1}”不是{2}的市"},
    {"\"%s\" is not a district of %s", "“{1}”不是{2}的区县"},
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
    {"the projects report arrives with projects (issue 19)", "项目报表将随项目功能上线"},
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

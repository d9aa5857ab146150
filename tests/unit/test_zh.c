/*
 * Unit tests of zh.c: every catalogue template names only arguments its
 * English format has, is valid UTF-8 and holds no English sentence;
 * formatting by argument number (words, fields, numbers, reordering);
 * field names with indices; Accept-Language; and validation writing both
 * languages (预算上限不能为负数).
 */
#include "util.h"
#include "validate.h"
#include "zh.h"
#include "test.h"

#include <ctype.h>

/* The arguments an English printf format takes (%% none, %.*s one). */
static int nargs(const char *fmt)
{
    int n = 0;
    for (const char *p = fmt; *p; p++) {
        if (*p != '%')
            continue;
        if (p[1] == '%') {
            p++;
            continue;
        }
        n++;
        while (*++p && !strchr("sdiucgfx", *p))
            ;
        if (!*p)
            break;
    }
    return n;
}

/* 1 when s has three Latin words in a row (an English sentence). */
static int latin_sentence(const char *s)
{
    int words = 0, in = 0, len = 0;
    for (const char *p = s;; p++) {
        int letter = isalpha((unsigned char)*p);
        if (letter) {
            len++;
            in = 1;
            continue;
        }
        if (in) {
            words = len >= 2 ? words + 1 : 0;
            if (words >= 3)
                return 1;
        }
        if (!(*p == ' ' || *p == ',' || *p == '.'))
            words = 0;
        in = 0;
        len = 0;
        if (!*p)
            return 0;
    }
}

static void fmt(char *out, size_t n, const char *en, const char *tpl, ...)
{
    va_list ap;
    va_start(ap, tpl);
    zh_format(out, n, en, tpl, ap);
    va_end(ap);
}

TEST(catalogue_templates_fit_their_formats)
{
    int entries = 0;
    for (size_t i = 0; zh_catalogue_en(i); i++) {
        const char *en = zh_catalogue_en(i), *zh = zh_catalogue_zh(i);
        int have = nargs(en);
        for (const char *p = zh; *p; p++)
            if (p[0] == '{' && p[1] >= '1' && p[1] <= '9') {
                if (p[1] - '0' > have)
                    TEST_FAIL_("\"%s\": its template names {%c} of %d arguments", en, p[1], have);
            }
        if (!util_utf8_valid(zh, strlen(zh)))
            TEST_FAIL_("\"%s\": template is not UTF-8", en);
        if (latin_sentence(zh))
            TEST_FAIL_("\"%s\": English in its template \"%s\"", en, zh);
        for (size_t j = 0; j < i; j++)
            if (strcmp(zh_catalogue_en(j), en) == 0)
                TEST_FAIL_("\"%s\" twice in the catalogue", en);
        entries++;
    }
    ASSERT_GT(entries, 150);
}

TEST(format_by_number)
{
    char out[256];
    fmt(out, sizeof out, "the campaign is %s, not open for joining", "活动{1:w}，当前不能报名",
        "succeeded");
    ASSERT_STR_EQ(out, "活动已成团，当前不能报名");
    fmt(out, sizeof out, "%s must be from %g to %g", "{1:f}应在 {2} 到 {3} 之间", "budget.max",
        0.0, 1e12);
    ASSERT_STR_EQ(out, "预算上限应在 0 到 1000000000000 之间");
    fmt(out, sizeof out, "%s has %zu items; at most %g are allowed", "最多 {3} 项（{2}）：{1:f}",
        "tags", (size_t)40, 32.0);
    ASSERT_STR_EQ(out, "最多 32 项（40）：标签");
    fmt(out, sizeof out, "%s: \"%.*s\" is not %ld %lld %d%%", "{2}-{3}-{4}-{5}-{1:f}",
        "industries[2]", 3, "abcdef", 7L, 8LL, 9);
    ASSERT_STR_EQ(out, "abc-7-8-9-行业（第 3 项）");
    /* a template cut to the buffer stays whole characters */
    fmt(out, 8, "x", "预算上限");
    ASSERT(util_utf8_valid(out, strlen(out)));
    ASSERT_STR_EQ(out, "预算");
    ASSERT_STR_EQ(zh_word("withdrawn"), "已退出");
    ASSERT_STR_EQ(zh_word("no-such-code"), "no-such-code");
}

TEST(field_names)
{
    char b[160];
    ASSERT_STR_EQ(zh_field("budget.max", b, sizeof b), "预算上限");
    ASSERT_STR_EQ(zh_field("industries[0]", b, sizeof b), "行业（第 1 项）");
    ASSERT_STR_EQ(zh_field("tiers[1].unit_price", b, sizeof b), "阶梯单价（第 2 项）");
    ASSERT_STR_EQ(zh_field("cases[0].result", b, sizeof b), "案例成效（第 1 项）");
    ASSERT_STR_EQ(zh_field("attrs.voltage", b, sizeof b), "attrs.voltage");
    ASSERT_STR_EQ(zh_field("contact.phone", b, sizeof b), "联系电话");
    /* enterprise files and assessments */
    ASSERT_STR_EQ(zh_field("uscc", b, sizeof b), "统一社会信用代码");
    ASSERT_STR_EQ(zh_field("certificates[1].year", b, sizeof b), "证书年份（第 2 项）");
    ASSERT_STR_EQ(zh_field("answers.network", b, sizeof b), "“网络建设”题");
    ASSERT_STR_EQ(zh_field("answers.planning", b, sizeof b), "“规划实施”题");
    ASSERT_STR_EQ(zh_field("scenes.planning", b, sizeof b), "“计划排程”场景");
    ASSERT_STR_EQ(zh_field("evidence.pass_rate", b, sizeof b), "“产品质量”题的佐证数据");
    ASSERT_STR_EQ(zh_field("evidence.energy_per_revenue.energy_last_year", b, sizeof b),
                  "上年综合能源消费量");
    ASSERT_STR_EQ(zh_field("answers.nosuch", b, sizeof b), "评估答案（nosuch）");
    ASSERT_STR_EQ(zh_field("scenes.nosuch", b, sizeof b), "场景（nosuch）");
    ASSERT_STR_EQ(zh_field("evidence.pass_rate.nosuch", b, sizeof b), "佐证数据（nosuch）");
    ASSERT_STR_EQ(zh_field("scenes[2]", b, sizeof b), "场景（第 3 项）");
    ASSERT_STR_EQ(zh_word("quality"), "质量管理");
    ASSERT_STR_EQ(zh_word("submitted"), "待核验");
    char g[200];
    zh_generic("invalid_field", "price.min", g, sizeof g);
    ASSERT_STR_EQ(g, "填写有误：最低价格");
    zh_generic("conflict", NULL, g, sizeof g);
    ASSERT_STR_EQ(g, "当前状态不允许此操作");
}

TEST(accept_language)
{
    ASSERT(zh_accepts("zh-CN,zh;q=0.9,en;q=0.8"));
    ASSERT(zh_accepts("zh"));
    ASSERT(zh_accepts(" ZH-Hans-CN"));
    ASSERT(!zh_accepts("en-US,zh;q=0.5"));
    ASSERT(!zh_accepts("zhx"));
    ASSERT(!zh_accepts(NULL));
    ASSERT(!zh_accepts(""));
}

TEST(validation_writes_both_languages)
{
    static const struct vfield BUDGET[] = {{"max", V_NUMBER, 0, 0, 1e12, 0, NULL, 0}, VFIELD_END};
    static const struct vfield NEED[] = {
        {"title", V_STRING, 1, 1, 120, 0, NULL, 0},
        {"budget", V_OBJECT, 0, 0, 0, 0, BUDGET, 0},
        {"tags", V_STRING_ARRAY, 0, 0, 2, 0, NULL, 10},
        VFIELD_END,
    };
    struct verr e;
    json_t *doc = json_loads("{\"title\":\"x\",\"budget\":{\"max\":-1}}", 0, NULL);
    ASSERT_EQ(validate(doc, NEED, &e), -1);
    ASSERT_STR_EQ(e.field, "budget.max");
    ASSERT_STR_EQ(e.msg, "budget.max must be from 0 to 1e+12");
    ASSERT_STR_EQ(e.msg_zh, "预算上限不能为负数");
    json_decref(doc);
    doc = json_loads("{\"budget\":{}}", 0, NULL);
    ASSERT_EQ(validate(doc, NEED, &e), -1);
    ASSERT_STR_EQ(e.msg, "title is required");
    ASSERT_STR_EQ(e.msg_zh, "请填写标题");
    json_decref(doc);
    doc = json_loads("{\"title\":\"x\",\"tags\":[\"a\",\"b\",\"c\"]}", 0, NULL);
    ASSERT_EQ(validate(doc, NEED, &e), -1);
    ASSERT_STR_EQ(e.msg_zh, "标签有 3 项，最多 2 项");
    json_decref(doc);
    verr_set(&e, "price.min", "price.min (%g) must not exceed price.max (%g)", 9.0, 1.5);
    ASSERT_STR_EQ(e.msg_zh, "最低价格（9）不能高于最高价格（1.5）");
    verr_set(&e, "x", "a message nobody translated %d", 3);
    ASSERT_STR_EQ(e.msg_zh, "");
}

TEST_MAIN(T(catalogue_templates_fit_their_formats), T(format_by_number), T(field_names),
          T(accept_language), T(validation_writes_both_languages))

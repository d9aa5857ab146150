/*
 * Unit tests of validate.c and resource_validate: the rules a provider
 * meets when a listing is refused, and the JSON path that names the field.
 */
#include "resource.h"
#include "taxonomy.h"
#include "test.h"
#include "util.h"
#include "validate.h"

static int loaded;

static void load(void)
{
    char err[256];
    if (!loaded && tax_load("schemas", err, sizeof err) == 0)
        loaded = 1;
}

/* Validates text as a resource; returns the failing field or "" if valid. */
static const char *check(const char *text)
{
    static struct verr e;
    load();
    json_t *doc = json_loads(text, 0, NULL);
    if (!doc)
        return "(bad json)";
    int rc = resource_validate(doc, &e);
    json_decref(doc);
    return rc == 0 ? "" : e.field;
}

#define BASE "\"kind\":\"product\",\"title\":\"注塑MES\",\"industries\":[\"machinery\"],\"scenarios\":[\"quality\"]"

TEST(valid_minimal)
{
    ASSERT_STR_EQ(check("{" BASE "}"), "");
}

TEST(required_fields_named)
{
    ASSERT_STR_EQ(check("{\"title\":\"x\",\"industries\":[\"machinery\"],\"scenarios\":[\"quality\"]}"), "kind");
    ASSERT_STR_EQ(check("{\"kind\":\"product\",\"industries\":[\"machinery\"],\"scenarios\":[\"quality\"]}"), "title");
    ASSERT_STR_EQ(check("{\"kind\":\"product\",\"title\":\"x\",\"scenarios\":[\"quality\"]}"), "industries");
    ASSERT_STR_EQ(check("{\"kind\":\"product\",\"title\":\"x\",\"industries\":[\"machinery\"],\"scenarios\":[]}"), "scenarios");
}

TEST(unknown_codes_named_by_path)
{
    ASSERT_STR_EQ(check("{\"kind\":\"product\",\"title\":\"x\",\"industries\":[\"machinery\",\"textile\",\"bogus\"],\"scenarios\":[\"quality\"]}"), "industries[2]");
    ASSERT_STR_EQ(check("{" BASE ",\"regions\":[\"火星\"]}"), "regions[0]");
    ASSERT_STR_EQ(check("{" BASE ",\"delivery\":\"cloud\"}"), "delivery");
    /* two-digit positions and nested members (paths are built by hand) */
    ASSERT_STR_EQ(check("{" BASE ",\"tags\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\","
                        "\"i\",\"j\",\"k\",\"l\",\"\"]}"), "tags[12]");
    ASSERT_STR_EQ(check("{" BASE ",\"cases\":[{\"enterprise\":\"甲\"},{\"enterprise\":\"乙\"},"
                        "{\"enterprise\":\"丙\",\"result\":7}]}"), "cases[2].result");
    ASSERT_STR_EQ(check("{\"kind\":\"gadget\",\"title\":\"x\",\"industries\":[\"machinery\"],\"scenarios\":[\"quality\"]}"), "kind");
}

TEST(lengths_count_characters_not_bytes)
{
    char buf[2048] = "{\"kind\":\"product\",\"industries\":[\"machinery\"],\"scenarios\":[\"quality\"],\"title\":\"";
    for (int i = 0; i < 120; i++)
        strcat(buf, "质");
    strcat(buf, "\"}");
    ASSERT_STR_EQ(check(buf), "");
    buf[strlen(buf) - 2] = '\0';
    strcat(buf, "检\"}");
    ASSERT_STR_EQ(check(buf), "title");
    ASSERT_STR_EQ(check("{\"kind\":\"product\",\"title\":\"\",\"industries\":[\"machinery\"],\"scenarios\":[\"quality\"]}"), "title");
}

TEST(types)
{
    ASSERT_STR_EQ(check("{\"kind\":\"product\",\"title\":5,\"industries\":[\"machinery\"],\"scenarios\":[\"quality\"]}"), "title");
    ASSERT_STR_EQ(check("{\"kind\":\"product\",\"title\":\"x\",\"industries\":\"machinery\",\"scenarios\":[\"quality\"]}"), "industries");
    ASSERT_STR_EQ(check("{" BASE ",\"price\":\"100\"}"), "price");
    ASSERT_STR_EQ(check("{" BASE ",\"deploy_days\":1.5}"), "deploy_days");
}

TEST(cross_field_rules)
{
    ASSERT_STR_EQ(check("{" BASE ",\"price\":{\"min\":10,\"max\":5}}"), "price.min");
    ASSERT_STR_EQ(check("{" BASE ",\"price\":{\"min\":-1,\"max\":5}}"), "price.min");
    ASSERT_STR_EQ(check("{" BASE ",\"levels\":{\"from\":2,\"to\":2}}"), "levels");
    ASSERT_STR_EQ(check("{" BASE ",\"levels\":{\"from\":0,\"to\":2}}"), "levels.from");
    ASSERT_STR_EQ(check("{" BASE ",\"levels\":{\"from\":1,\"to\":3}}"), "");
}

TEST(unknown_fields_rejected_attrs_kept)
{
    ASSERT_STR_EQ(check("{" BASE ",\"foo\":1}"), "foo");
    ASSERT_STR_EQ(check("{" BASE ",\"price\":{\"min\":1,\"max\":2,\"currency\":\"USD\"}}"), "price.currency");
    ASSERT_STR_EQ(check("{" BASE ",\"attrs\":{\"any\":{\"nested\":[1,2,{\"x\":null}]}}}"), "");
    ASSERT_STR_EQ(check("{" BASE ",\"cases\":[{\"enterprise\":\"某厂\",\"industry\":\"nope\"}]}"), "cases[0].industry");
}

TEST(tags_limit_and_duplicate_codes)
{
    char buf[4096] = "{" BASE ",\"tags\":[";
    for (int i = 0; i < 33; i++)
        strcat(buf, i ? ",\"t\"" : "\"t\"");
    strcat(buf, "]}");
    ASSERT_STR_EQ(check(buf), "tags");
    ASSERT_STR_EQ(check("{\"kind\":\"product\",\"title\":\"x\",\"industries\":[\"machinery\",\"machinery\"],\"scenarios\":[\"quality\"]}"), "industries[1]");
}

TEST(defaults_and_nulls)
{
    load();
    json_t *doc = json_loads("{" BASE ",\"summary\":null}", 0, NULL);
    struct verr e;
    ASSERT_EQ(resource_validate(doc, &e), 0);
    ASSERT(json_object_get(doc, "summary") == NULL);
    ASSERT_STR_EQ(json_string_value(json_array_get(json_object_get(doc, "regions"), 0)), "全国");
    json_decref(doc);
}

TEST(merge_patch_rfc7396)
{
    json_t *t = json_loads("{\"a\":1,\"b\":{\"c\":2,\"d\":3},\"e\":[1]}", 0, NULL);
    json_t *p = json_loads("{\"a\":null,\"b\":{\"c\":9},\"e\":[2,3]}", 0, NULL);
    json_t *out = json_merge_patch(t, p);
    json_t *want = json_loads("{\"b\":{\"c\":9,\"d\":3},\"e\":[2,3]}", 0, NULL);
    ASSERT(json_equal(out, want));
    ASSERT_EQ(json_integer_value(json_object_get(t, "a")), 1); /* target untouched */
    json_decref(t);
    json_decref(p);
    json_decref(out);
    json_decref(want);
}

TEST(long_names_and_codes_stay_valid_utf8)
{
    /* The field and message of a refusal are cut to whole characters
     * (reply_error drops a field that is not valid UTF-8). */
    char text[2048] = "{" BASE ",\"";
    for (int i = 0; i < 100; i++)
        strcat(text, "字"); /* a 300-byte unknown field */
    strcat(text, "\":1}");
    struct verr e;
    load();
    json_t *doc = json_loads(text, 0, NULL);
    ASSERT(doc != NULL);
    ASSERT_EQ(resource_validate(doc, &e), -1);
    ASSERT(util_utf8_valid(e.field, strlen(e.field)) && strlen(e.field) > 150);
    ASSERT(util_utf8_valid(e.msg, strlen(e.msg)));
    json_decref(doc);
    /* an unknown code longer than the 60 bytes quoted back */
    strcpy(text, "{" BASE ",\"delivery\":\"x");
    for (int i = 0; i < 30; i++)
        strcat(text, "码");
    strcat(text, "\"}");
    doc = json_loads(text, 0, NULL);
    ASSERT_EQ(resource_validate(doc, &e), -1);
    ASSERT_STR_EQ(e.field, "delivery");
    ASSERT(util_utf8_valid(e.msg, strlen(e.msg)));
    json_decref(doc);
}

TEST_MAIN(T(valid_minimal), T(required_fields_named), T(unknown_codes_named_by_path),
          T(lengths_count_characters_not_bytes), T(types), T(cross_field_rules),
          T(unknown_fields_rejected_attrs_kept), T(tags_limit_and_duplicate_codes),
          T(defaults_and_nulls), T(merge_patch_rfc7396),
          T(long_names_and_codes_stay_valid_utf8))

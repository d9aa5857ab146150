/*
 * Unit tests of util.c: the JSON path finder (a client told "a number is
 * out of range" must also be told which field, even when Jansson could
 * not parse the number at all), UTF-8 cuts, number formatting, redacted
 * URLs and ordered ids.
 */
#include "test.h"
#include "util.h"

#include <string.h>
#include <time.h>

/* The path at the first occurrence of mark in text. */
static const char *path_at(const char *text, const char *mark)
{
    static char out[128];
    const char *p = strstr(text, mark);
    util_json_path_at(text, strlen(text), p ? (size_t)(p - text) + strlen(mark) : 0, out,
                      sizeof out);
    return out;
}

TEST(paths_of_objects_and_arrays)
{
    ASSERT_STR_EQ(path_at("{\"deploy_days\":1e400}", "1e400"), "deploy_days");
    ASSERT_STR_EQ(path_at("{\"kind\":\"x\",\"price\":{\"min\":0,\"max\":1e400}}", "1e400"),
                  "price.max");
    ASSERT_STR_EQ(path_at("{\"cases\":[{\"a\":1},{\"a\":2},{\"n\":9e999}]}", "9e999"),
                  "cases[2].n");
    ASSERT_STR_EQ(path_at("{\"industries\":[\"a\",\"b\",1e400]}", "1e400"), "industries[2]");
    ASSERT_STR_EQ(path_at("[1, 2, 1e400]", "1e400"), "[2]");
    ASSERT_STR_EQ(path_at("1e400", "1e400"), "");
}

TEST(strings_with_quotes_and_brackets_do_not_confuse_it)
{
    /* Brackets, commas, colons and escaped quotes inside strings. */
    const char *t = "{\"title\":\"a,b:{[\\\"x\\\"]}\",\"budget\":{\"max\":1e400}}";
    ASSERT_STR_EQ(path_at(t, "1e400"), "budget.max");
    ASSERT_STR_EQ(path_at("{\"a\\\"b\":1e400}", "1e400"), "a\\\"b");
}

TEST(deep_and_long_input_is_bounded)
{
    /* Deeper than the frames it keeps, and a key longer than it keeps. */
    char deep[1200] = "";
    for (int i = 0; i < 100; i++)
        strcat(deep, "{\"k\":");
    strcat(deep, "1e400");
    const char *p = path_at(deep, "1e400");
    ASSERT(strlen(p) < 128);
    ASSERT(strncmp(p, "k.k.k", 5) == 0);
    char longkey[300] = "{\"";
    memset(longkey + 2, 'x', 200);
    strcpy(longkey + 202, "\":1e400}");
    ASSERT(strlen(path_at(longkey, "1e400")) < 64);
    /* pos past the end, empty text */
    char out[8];
    util_json_path_at("{\"a\":", 5, 999, out, sizeof out);
    ASSERT_STR_EQ(out, "a");
    util_json_path_at("", 0, 0, out, sizeof out);
    ASSERT_STR_EQ(out, "");
}

TEST(long_chinese_keys_are_cut_to_whole_characters)
{
    /* Found by fuzz_validate: a key cut at 63 bytes, or a path cut at the
     * end of out, ended inside a character, and reply_error() then
     * dropped the field from the 422. */
    char text[512] = "{\"x";
    for (int i = 0; i < 30; i++)
        strcat(text, "质"); /* 1 + 90 bytes: 63 falls inside a character */
    strcat(text, "\":1e400}");
    const char *p = path_at(text, "1e400");
    ASSERT(util_utf8_valid(p, strlen(p)));
    ASSERT_EQ(strlen(p), 61);
    char deep[1024] = "";
    for (int i = 0; i < 12; i++)
        strcat(deep, "{\"质检质检质检\":"); /* 18 bytes a key: over 128 in all */
    strcat(deep, "1e400");
    p = path_at(deep, "1e400");
    ASSERT(util_utf8_valid(p, strlen(p)));
    ASSERT(strlen(p) > 100 && strlen(p) < 128);
}

TEST(utf8_cut)
{
    ASSERT_EQ(util_utf8_cut("abc", 3), 3);
    ASSERT_EQ(util_utf8_cut("a质", 4), 4);
    ASSERT_EQ(util_utf8_cut("a质", 3), 1);
    ASSERT_EQ(util_utf8_cut("a质", 2), 1);
    ASSERT_EQ(util_utf8_cut("\xF0\x9F\x98\x80", 4), 4);
    ASSERT_EQ(util_utf8_cut("\xF0\x9F\x98\x80", 3), 0);
    ASSERT_EQ(util_utf8_cut("", 0), 0);
}

/* util_fmt_ll spells cache keys (with the data generation in them) and
 * Redis's length headers: a wrong digit is a cache that never hits or a
 * protocol error. */
TEST(fmt_ll_matches_printf)
{
    const long long vals[] = {0, 1, 9, 10, 99, 100, 12345, -1, -10, 1000000007LL,
                              9223372036854775807LL, -9223372036854775807LL - 1};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        char got[24], want[24];
        size_t n = util_fmt_ll(got, vals[i]);
        got[n] = '\0';
        snprintf(want, sizeof want, "%lld", vals[i]);
        ASSERT_STR_EQ(got, want);
        ASSERT_EQ(n, strlen(want));
    }
}

/* No password of a Redis URL reaches a log line or a message. */
TEST(redacted_urls_keep_no_password)
{
    char out[256];
    static const char *const CASES[][2] = {
        {"redis://:s3cret@127.0.0.1:6379/2", "redis://:***@127.0.0.1:6379/2"},
        {"redis://user:s3cret@host:6379", "redis://user:***@host:6379"},
        {"redis://s3cret@host", "redis://***@host"},
        {"redis://host:6379", "redis://host:6379"},
        {"unix:///run/redis.sock?db=1", "unix:///run/redis.sock?db=1"},
        {"none", "none"},
        {"redis://host/p@th", "redis://host/p@th"},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        util_redact_url(CASES[i][0], out, sizeof out);
        ASSERT_STR_EQ(out, CASES[i][1]);
        ASSERT(strstr(out, "s3cret") == NULL);
    }
}

/* Resource ids (issue 24) sort in the order they were made, so a bulk
 * import appends to the id index; they keep the form of every other id
 * and 55 random bits, so two made in one millisecond still differ. */
TEST(ordered_ids_sort_by_time_and_stay_unique)
{
    char a[48], b[48], c[48];
    util_new_ordered_id(a, sizeof a, "res");
    util_new_ordered_id(b, sizeof b, "res");
    ASSERT_EQ((int)strlen(a), 24);
    ASSERT(strncmp(a, "res_", 4) == 0);
    ASSERT_EQ((int)strspn(a + 4, "0123456789abcdefghjkmnpqrstvwxyz"), 20);
    ASSERT(strcmp(a, b) != 0);
    struct timespec pause = {0, 3 * 1000 * 1000};
    nanosleep(&pause, NULL);
    util_new_ordered_id(c, sizeof c, "res");
    ASSERT(strcmp(a, c) < 0 && strcmp(b, c) < 0);
    /* the first 9 characters are the time in milliseconds */
    unsigned long long ms = 0;
    for (int i = 4; i < 13; i++)
        ms = ms * 32 + (unsigned long long)(strchr("0123456789abcdefghjkmnpqrstvwxyz", c[i]) -
                                            "0123456789abcdefghjkmnpqrstvwxyz");
    unsigned long long now = (unsigned long long)time(NULL) * 1000ULL;
    ASSERT(ms + 5000 > now && ms < now + 5000);
}

TEST_MAIN(T(paths_of_objects_and_arrays), T(redacted_urls_keep_no_password), T(strings_with_quotes_and_brackets_do_not_confuse_it),
          T(deep_and_long_input_is_bounded), T(long_chinese_keys_are_cut_to_whole_characters),
          T(utf8_cut), T(fmt_ll_matches_printf), T(ordered_ids_sort_by_time_and_stay_unique))

/*
 * test_lexicon.c - the problem-phrase lexicon (index/lexicon.c).
 *
 * What a user would notice: a need written the way an owner talks
 * ("冲床隔三岔五就罢工") matched to the wrong kind of offering because its
 * phrase was not found, or found but sent to the wrong scenario; a server
 * that starts with a broken lexicon file instead of saying what is wrong.
 * The data-driven test runs every entry of schemas/lexicon.json: its
 * example sentence must infer the entry's first scenario.
 */
#include "test.h"
#include "lexicon.h"

#include <jansson.h>
#include <unistd.h>

#ifndef SHUCU_SCHEMAS
#define SHUCU_SCHEMAS "schemas"
#endif

static const char *codes[LEX_MAX_SCENARIOS];
static int ncodes;

/* The scenario codes of schemas/taxonomy.json, in its order. */
static int load_codes(void)
{
    static char names[LEX_MAX_SCENARIOS][32];
    if (ncodes)
        return 0;
    json_t *tax = json_load_file(SHUCU_SCHEMAS "/taxonomy.json", 0, NULL);
    json_t *sc = json_object_get(tax, "scenarios"), *v;
    size_t i;
    json_array_foreach(sc, i, v) {
        if (ncodes < LEX_MAX_SCENARIOS) {
            snprintf(names[ncodes], sizeof names[0], "%s",
                     json_string_value(json_object_get(v, "code")));
            codes[ncodes] = names[ncodes];
            ncodes++;
        }
    }
    json_decref(tax);
    return ncodes > 0 ? 0 : -1;
}

static int code_index(const char *code)
{
    for (int i = 0; i < ncodes; i++)
        if (strcmp(codes[i], code) == 0)
            return i;
    return -1;
}

static struct lexicon *load_project(void)
{
    char err[512] = "";
    struct lexicon *lx = NULL;
    if (load_codes() < 0 ||
        lex_load(SHUCU_SCHEMAS "/lexicon.json", codes, ncodes, &lx, err, sizeof err) < 0) {
        fprintf(stderr, "  lex_load: %s\n", err);
        return NULL;
    }
    return lx;
}

TEST(every_example_infers_its_first_scenario)
{
    struct lexicon *lx = load_project();
    ASSERT(lx != NULL);
    ASSERT_GE(lex_count(lx), 400);
    int top = 0, n = lex_count(lx), bad = 0;
    for (int i = 0; i < n; i++) {
        const struct lex_entry *e = lex_entry(lx, i);
        struct lex_result r;
        ASSERT_EQ(lex_infer(lx, e->example, strlen(e->example), &r), 0);
        int want = e->scenarios[0];
        int found = 0;
        for (int k = 0; k < r.n; k++)
            found |= r.m[k].entry == i;
        if (!found || lex_strength(&r, want) < LEX_MIN_STRENGTH) {
            fprintf(stderr, "  %s: \"%s\" does not infer %s (strength %.2f)\n", e->phrase,
                    e->example, codes[want], lex_strength(&r, want));
            bad++;
        }
        top += lex_top_scenario(&r) == want;
        lex_result_free(&r);
    }
    ASSERT_EQ(bad, 0);
    /* Nearly every example's strongest scenario is the entry's first; the
     * few others name a second problem of another scenario as strongly
     * (改版通知不到车间: 通知不到 is collaboration). */
    ASSERT_GE(top * 100, n * 99);
    lex_free(lx);
}

TEST(owner_words_map_to_trade_scenarios)
{
    struct lexicon *lx = load_project();
    ASSERT(lx != NULL);
    static const struct {
        const char *text, *scenario;
    } CASES[] = {
        {"冲床隔三岔五就罢工，都是坏了再修，耽误交期", "equipment"},
        {"客户嫌铸件有砂眼气孔，全靠老师傅拿眼睛挑", "quality"},
        {"老板想在手机上随时看今天出了多少货、回了多少款", "decision_support"},
        {"电费太高了，空压机一直开着", "energy"},
        {"仓库找货靠喊，发错货", "warehouse_logistics"},
        {"ＢＯＭ不准，采购经常买错料", "product_design"}, /* full-width folds */
    };
    for (size_t c = 0; c < sizeof CASES / sizeof CASES[0]; c++) {
        struct lex_result r;
        ASSERT_EQ(lex_infer(lx, CASES[c].text, strlen(CASES[c].text), &r), 0);
        int want = code_index(CASES[c].scenario), got = lex_top_scenario(&r);
        if (got != want)
            fprintf(stderr, "  \"%s\": top %s, want %s\n", CASES[c].text,
                    got >= 0 ? codes[got] : "(none)", CASES[c].scenario);
        ASSERT_EQ(got, want);
        ASSERT(r.n > 0);
        lex_result_free(&r);
    }
    lex_free(lx);
}

TEST(contained_phrase_does_not_vote_twice)
{
    ASSERT_EQ(load_codes(), 0);
    char path[128];
    snprintf(path, sizeof path, "/tmp/shucu_test_lexicon_%d.json", (int)getpid());
    FILE *f = fopen(path, "w");
    ASSERT(f != NULL);
    fputs("{\"version\": 1, \"entries\": [\n"
          " {\"phrase\": \"坏了\", \"scenarios\": [\"after_sales\"], \"terms\": [\"售后\", \"报修\"],"
          "  \"example\": \"东西坏了\"},\n"
          " {\"phrase\": \"坏了才修\", \"scenarios\": [\"equipment\", \"after_sales\"],"
          "  \"terms\": [\"预测性维护\", \"故障预测\"], \"example\": \"都是坏了才修\", \"weight\": 0.8}\n"
          "]}\n", f);
    fclose(f);
    char err[256];
    struct lexicon *lx = NULL;
    ASSERT_EQ(lex_load(path, codes, ncodes, &lx, err, sizeof err), 0);
    unlink(path);
    struct lex_result r;
    const char *t = "设备都是坏了才修，坏了就停线";
    ASSERT_EQ(lex_infer(lx, t, strlen(t), &r), 0);
    ASSERT_EQ(r.n, 2); /* 坏了才修, then the second 坏了 on its own */
    ASSERT_EQ(r.m[0].entry, 1);
    ASSERT_EQ(r.m[1].entry, 0);
    int eq = code_index("equipment"), as = code_index("after_sales");
    ASSERT(r.votes[eq] > 0.79 && r.votes[eq] < 0.81);
    ASSERT(r.votes[as] > 1.39 && r.votes[as] < 1.41); /* 0.4 + 1 */
    ASSERT_EQ(lex_top_scenario(&r), as);
    lex_result_free(&r);
    ASSERT_EQ(lex_infer(NULL, t, strlen(t), &r), 0);
    ASSERT_EQ(r.n, 0);
    ASSERT_EQ(lex_infer(lx, "", 0, &r), 0);
    ASSERT_EQ(r.n, 0);
    lex_free(lx);
}

/* Writes content to a file, loads it and checks that the error holds want. */
static int load_error(const char *content, const char *want)
{
    char path[128], err[512] = "";
    snprintf(path, sizeof path, "/tmp/shucu_test_lexicon_bad_%d.json", (int)getpid());
    FILE *f = fopen(path, "w");
    if (!f)
        return 0;
    fputs(content, f);
    fclose(f);
    struct lexicon *lx = NULL;
    int rc = lex_load(path, codes, ncodes, &lx, err, sizeof err);
    unlink(path);
    int ok = rc == -1 && lx == NULL && strstr(err, path) && strstr(err, want);
    if (!ok)
        fprintf(stderr, "  error \"%s\", want \"%s\"\n", err, want);
    lex_free(lx);
    return ok;
}

TEST(bad_files_name_file_and_fault)
{
    ASSERT_EQ(load_codes(), 0);
    ASSERT(load_error("{\"version\": 1, \"entries\": [", "1:"));
    ASSERT(load_error("{\"version\": 2, \"entries\": []}", "\"version\": 1"));
    ASSERT(load_error("{\"version\": 1, \"entries\": [{\"phrase\": \"罢工\", \"scenarios\": "
                      "[\"teleport\"], \"terms\": [\"a\"], \"example\": \"罢工了\"}]}",
                      "entries[0].scenarios[0] \"teleport\""));
    ASSERT(load_error("{\"version\": 1, \"entries\": [{\"phrase\": \"罢工\", \"scenarios\": "
                      "[\"equipment\"], \"terms\": [\"a\"], \"example\": \"停机了\"}]}",
                      "entries[0].example"));
    ASSERT(load_error("{\"version\": 1, \"entries\": [{\"phrase\": \"罢\", \"scenarios\": "
                      "[\"equipment\"], \"terms\": [\"a\"], \"example\": \"罢了\"}]}",
                      "shorter than 2"));
    ASSERT(load_error("{\"version\": 1, \"entries\": [{\"phrase\": \"罢工\", \"scenarios\": "
                      "[\"equipment\"], \"terms\": [\"a\"], \"example\": \"罢工\", \"weight\": 2}]}",
                      "entries[0].weight"));
    ASSERT(load_error("{\"version\": 1, \"entries\": [{\"phrase\": \"罢工\", \"scenarios\": "
                      "[\"equipment\"], \"terms\": [\"a\"], \"example\": \"罢工\"},"
                      "{\"phrase\": \"罢工\", \"scenarios\": [\"equipment\"], \"terms\": [\"a\"],"
                      " \"example\": \"罢工\"}]}", "repeats entries[0]"));
    char err[256];
    struct lexicon *lx = NULL;
    ASSERT_EQ(lex_load("/nonexistent/lexicon.json", codes, ncodes, &lx, err, sizeof err), -1);
    ASSERT(strstr(err, "/nonexistent/lexicon.json") != NULL);
}

TEST_MAIN(T(every_example_infers_its_first_scenario), T(owner_words_map_to_trade_scenarios),
          T(contained_phrase_does_not_vote_twice), T(bad_files_name_file_and_fault))

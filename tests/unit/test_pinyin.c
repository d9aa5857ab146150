/*
 * test_pinyin.c - characters that sound alike (index/pinyin.c) and the
 * query builder's correction of input-method slips with them.
 *
 * What a user would notice: 排厂软件 (typed for 排产软件) finding nothing
 * and saying nothing; or a correction to a word that sounds nothing like
 * what was typed; or a word that finds something being "corrected".
 */
#include "test.h"
#include "pinyin.h"
#include "query.h"

#include <unistd.h>

static struct pinyin *load(void)
{
    char err[256] = "";
    struct pinyin *py = NULL;
    if (py_load("schemas/pinyin.txt", &py, err, sizeof err) < 0)
        fprintf(stderr, "  py_load: %s\n", err);
    return py;
}

static int has(const uint32_t *v, int n, uint32_t c)
{
    for (int i = 0; i < n; i++)
        if (v[i] == c)
            return 1;
    return 0;
}

TEST(alike_by_fuzzy_pinyin)
{
    struct pinyin *py = load();
    ASSERT(py != NULL);
    ASSERT_GE(py_count(py), 8000); /* the 通用规范汉字表 */
    uint32_t v[512];
    int n = py_alike(py, 0x5382 /* 厂 chang */, v, 512);
    ASSERT(has(v, n, 0x4EA7));  /* 产 chan: ang ~ an */
    ASSERT(has(v, n, 0x573A));  /* 场 chang */
    ASSERT(has(v, n, 0x6B8B));  /* 残 can: ch ~ c */
    ASSERT(!has(v, n, 0x5382)); /* not itself */
    ASSERT(!has(v, n, 0x8D28)); /* 质 zhi: no */
    n = py_alike(py, 0x957F /* 长: chang and zhang */, v, 512);
    ASSERT(has(v, n, 0x5F20));  /* 张 zhang */
    ASSERT(has(v, n, 0x5E38));  /* 常 chang */
    ASSERT_EQ(py_alike(py, 'a', v, 512), 0);
    ASSERT_EQ(py_alike(NULL, 0x5382, v, 512), 0);
    py_free(py);
}

static long fake_df(void *ctx, const char *tok, int len)
{
    (void)ctx;
    return len == 6 && memcmp(tok, "排产", 6) == 0 ? 5 : len == 6 && memcmp(tok, "软件", 6) == 0 ? 50 : 0;
}

static void build(const char *text, const struct pinyin *py, struct query *q)
{
    struct query_opts o = {.mode = QUERY_ALL, .df = fake_df, .ndocs = 100, .py = py,
                           .correct_min_df = 2};
    if (query_build(text, strlen(text), &o, q) != 0)
        memset(q, 0, sizeof *q);
}

TEST(slip_corrected_to_a_frequent_word)
{
    struct pinyin *py = load();
    ASSERT(py != NULL);
    struct query q;
    build("排厂软件", py, &q);
    ASSERT_STR_EQ(q.corrected_from, "排厂");
    ASSERT_STR_EQ(q.corrected_to, "排产");
    ASSERT_STR_EQ(q.match, "\"排产\"");
    query_free(&q);
    /* a word that finds something is left alone */
    build("排产", py, &q);
    ASSERT(q.corrected_from == NULL);
    ASSERT_STR_EQ(q.match, "\"排产\"");
    query_free(&q);
    /* nothing sounds like 量子 and is frequent: no correction */
    build("量子", py, &q);
    ASSERT(q.corrected_from == NULL);
    query_free(&q);
    /* without the table, no correction */
    build("排厂", NULL, &q);
    ASSERT(q.corrected_from == NULL);
    ASSERT_STR_EQ(q.match, "\"排厂\"");
    query_free(&q);
    py_free(py);
}

static int load_error(const char *content, const char *want)
{
    char path[128], err[256] = "";
    snprintf(path, sizeof path, "/tmp/shucu_test_pinyin_%d.txt", (int)getpid());
    FILE *f = fopen(path, "w");
    if (!f)
        return 0;
    fputs(content, f);
    fclose(f);
    struct pinyin *py = NULL;
    int rc = py_load(path, &py, err, sizeof err);
    unlink(path);
    py_free(py);
    int ok = rc == -1 && strstr(err, path) && strstr(err, want);
    if (!ok)
        fprintf(stderr, "  error \"%s\", want \"%s\"\n", err, want);
    return ok;
}

TEST(bad_files_name_file_and_line)
{
    ASSERT(load_error("# c\nchan\t产\nCHAN 产\n", ":3:"));
    ASSERT(load_error("chan\tabc\n", ":1:"));
    ASSERT(load_error("# only comments\n", "no readings"));
    char err[128];
    struct pinyin *py = NULL;
    ASSERT_EQ(py_load("/nonexistent/pinyin.txt", &py, err, sizeof err), -1);
    ASSERT(strstr(err, "/nonexistent/pinyin.txt") != NULL);
}

TEST_MAIN(T(alike_by_fuzzy_pinyin), T(slip_corrected_to_a_frequent_word),
          T(bad_files_name_file_and_line))
